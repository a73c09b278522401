-- A restore's statements run as a replica's (no trigger, no foreign-key check:
-- docs/operations.md, "Backups and restore"), and mycelium.restoring() decides
-- which statements are a restore: row_security off and a superuser session user.
-- The application role tries to make its own statements count as one: by turning
-- row_security off and writing, by calling Mycelium's SECURITY DEFINER functions
-- (owned by a superuser) with row_security off, and by setting the switches
-- themselves. docs/security.md, class 18.
BEGIN;
SELECT plan(9);

SELECT sec.act_as('a', 1);
SET LOCAL row_security = off;
SELECT is(mycelium.restoring(), false, 'row_security off does not make a tenant''s session a restore');
SELECT is(sec.sqlstate_of(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
                                   VALUES (%L, %L, %L, 'cross', ARRAY[%L]::uuid[])$$,
                                 sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'user', 1),
                                 sec.id('b', 'user', 1))),
          '42501', 'a tenant''s write with row_security off is refused outright (42501)');
-- Inside a SECURITY DEFINER function the current user is a superuser; the session
-- user is still the tenant.
SELECT lives_ok($$SELECT mycelium.sweep_overdue(now(), NULL)$$,
                'a privileged function runs with row_security off');
SELECT lives_ok($$SELECT mycelium.generate_recurring_deliverables(NULL, NULL, false)$$,
                'and so does generation, which inserts');
SELECT is(current_setting('session_replication_role'), 'origin',
          'and neither made the rest of the transaction a replica''s');
RESET row_security;

SELECT is(sec.sqlstate_of($$SET LOCAL session_replication_role = replica$$), '42501',
          'the tenant cannot set session_replication_role itself');
SELECT is(sec.sqlstate_of($$SELECT mycelium_internal.load_as_replica()$$), '42501',
          'nor reach the trigger function that does');
SELECT is(sec.sqlstate_of($$SET LOCAL mycelium.allow_schema_changes = on$$), '42501',
          'nor give itself the schema-change switch');
SELECT is(sec.sqlstate_of($$SELECT mycelium.configure('require_signed_context', 'off')$$), '42501',
          'nor turn off the signed-context switch');

SELECT * FROM finish();
ROLLBACK;
