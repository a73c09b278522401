-- Infinite dates: a deliverable completed at -infinity made productivity_scores()
-- fail for the whole organization ("cannot subtract infinite timestamps"). No
-- timestamptz or date column has a use for +/-infinity, so every one of them
-- refuses it, and the functions that take a time refuse one with 22023.
BEGIN;
SELECT plan(17);

-- ------ The attack ------
SELECT sec.act_as('a', 2);
-- completed_at is the database's stamp (src/sql/code/26_stamps.sql): what the
-- assignee writes into it is replaced by the time of the completion.
SELECT FROM sec.sqlstate_of(format($$UPDATE mycelium.deliverables SET status = 'COMPLETED', completed_at = '-infinity'
                                WHERE id = %L$$, sec.id('a', 'deliverable', 3)));
SELECT is((SELECT isfinite(completed_at) FROM mycelium.deliverables WHERE id = sec.id('a', 'deliverable', 3)),
          true, 'the assignee cannot complete a deliverable at -infinity');
SELECT alike(sec.error_of(format($$UPDATE mycelium.deliverables SET due_date = 'infinity' WHERE id = %L$$,
                                sec.id('a', 'deliverable', 1))),
           '%deliverables_due_date_finite%', 'the refusal of an infinite date names the constraint');
SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of($$SELECT count(*) FROM mycelium.productivity_scores()$$), 'ok',
          'the organization''s productivity scores still work');
SELECT is((SELECT count(*) FROM mycelium.productivity_scores()), 4::bigint, 'for each of its four users');

-- ------ Every timestamptz and date column ------
-- Read from the catalog, so that a column added later without the check fails here.
SELECT is(ARRAY(SELECT format('%s.%s', c.relname, a.attname)
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r'
                  AND a.attnum > 0 AND NOT a.attisdropped
                  AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
                  AND NOT EXISTS (
                      SELECT FROM pg_catalog.pg_constraint k
                      WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.conkey = ARRAY[a.attnum]
                        AND k.conname = c.relname || '_' || a.attname || '_finite'
                        AND pg_catalog.pg_get_constraintdef(k.oid) = format('CHECK (isfinite(%I))', a.attname))
                ORDER BY 1),
          '{}'::text[], 'every timestamptz and date column of every table refuses infinity');

-- A few of them, as each role may write them.
SELECT is(sec.sqlstate_of(format($$INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title,
                                       created_by_id, created_at) VALUES (%L, %L, %L, 'Old', %L, '-infinity')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'client', 1), sec.id('a', 'service_type', 1),
                                 sec.id('a', 'user', 1))),
          '23514', 'an ADMIN cannot create a deliverable at -infinity');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.deliverables SET due_date = 'infinity' WHERE id = %L$$,
                                 sec.id('a', 'deliverable', 2))),
          '23514', 'nor make one due at infinity');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.projects SET start_date = '-infinity', end_date = 'infinity' WHERE id = %L$$,
                                 sec.id('a', 'project', 1))),
          '23514', 'nor give a project an endless span');
SELECT FROM sec.sqlstate_of($$UPDATE mycelium.clients SET is_paused = true, paused_at = '-infinity'$$);
SELECT is((SELECT bool_and(isfinite(paused_at)) FROM mycelium.clients), true,
          'nor pause a client since -infinity (paused_at is the database''s stamp)');
SELECT is(sec.sqlstate_of($$UPDATE mycelium.organization_settings SET created_at = '-infinity'$$), '23514',
          'nor date the organization''s settings at -infinity');
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
                                   VALUES (%L, %L, %L, '-infinity')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'user', 2), sec.id('a', 'deliverable', 1))),
          '23514', 'a user cannot log time from -infinity');
SELECT is(sec.sqlstate_of(format($$UPDATE mycelium.users SET last_login_at = 'infinity' WHERE id = %L$$,
                                 sec.id('a', 'user', 2))),
          '23514', 'nor say they last logged in at infinity');
SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content, created_at)
                                   VALUES (%L, %L, %L, 'First!', '-infinity')$$,
                                 sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'client_user', 1))),
          '42501', 'a portal user cannot date a comment at -infinity (nor at all: created_at is not its to write)');

-- ------ Functions that take a time ------
SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of($$SELECT count(*) FROM mycelium.productivity_scores(as_of => 'infinity')$$), '22023',
          'productivity_scores refuses an as_of of infinity');
SELECT is(sec.sqlstate_of($$SELECT count(*) FROM mycelium.productivity_scores(as_of => '-infinity')$$), '22023',
          'and of -infinity');
SELECT is(sec.sqlstate_of($$SELECT count(*) FROM mycelium.expand_recurrence('FREQ=DAILY', '-infinity', now(), now() + interval '1 day')$$),
          '22023', 'expand_recurrence refuses a dtstart of -infinity (an open range end keeps its meaning)');
SELECT is(sec.sqlstate_of($$SELECT mycelium.date_label('-infinity', 'en')$$), '22023',
          'date_label refuses -infinity');

SELECT * FROM finish();
ROLLBACK;
