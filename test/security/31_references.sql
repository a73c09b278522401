-- References checked on insert only: columns that hold ids without a foreign key
-- (comments.mentions, an array; notifications.related_id, whose table
-- related_type names; USER_SELECT and CLIENT_SELECT custom fields, in JSON) must
-- name rows of the row's own organization when written, by INSERT and by UPDATE.
BEGIN;
SELECT plan(14);

-- ------ comments.mentions ------
SELECT sec.act_as('a', 2);
INSERT INTO mycelium.comments (organization_id, id, deliverable_id, user_id, content, mentions)
VALUES (sec.id('a', 'organization'), '0193a000-0000-7000-8000-0000000000c1', sec.id('a', 'deliverable', 1),
        sec.id('a', 'user', 2), 'Ready for a look', ARRAY[sec.id('a', 'user', 1)]);
SELECT is(sec.sqlstate_of(format('INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
                                  VALUES (%L, %L, %L, %L, ARRAY[%L]::uuid[])',
                                 sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'user', 2),
                                 'Hello B', sec.id('b', 'user', 1))),
          '23503', 'a new comment cannot mention another organization''s user');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.comments SET mentions = ARRAY[%L]::uuid[] WHERE id = %L',
                                 sec.id('b', 'user', 1), '0193a000-0000-7000-8000-0000000000c1')),
          '23503', 'nor can an edited one');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.comments SET mentions = mentions || %L::uuid WHERE id = %L',
                                 sec.id('b', 'user', 2), '0193a000-0000-7000-8000-0000000000c1')),
          '23503', 'nor can one that adds a mention to those it had');
SELECT alike(sec.error_of(format('UPDATE mycelium.comments SET mentions = ARRAY[%L]::uuid[] WHERE id = %L',
                                sec.id('b', 'user', 1), '0193a000-0000-7000-8000-0000000000c1')),
           '%comments.mentions%not a user of the comment''s organization%', 'the error names the column');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.comments SET mentions = ARRAY[%L, %L]::uuid[] WHERE id = %L',
                                 sec.id('a', 'user', 1), sec.id('a', 'user', 3), '0193a000-0000-7000-8000-0000000000c1')),
          'ok', 'mentions of colleagues are edited as before');
SELECT is((SELECT mentions FROM mycelium.comments WHERE id = '0193a000-0000-7000-8000-0000000000c1'),
          ARRAY[sec.id('a', 'user', 1), sec.id('a', 'user', 3)], 'and kept');

-- A portal user, who cannot read the users table, is held to the same rule.
SELECT sec.act_as('a', 1, true);
INSERT INTO mycelium.comments (organization_id, id, deliverable_id, client_user_id, content)
VALUES (sec.id('a', 'organization'), '0193a000-0000-7000-8000-0000000000c2', sec.id('a', 'deliverable', 1),
        sec.id('a', 'client_user', 1), 'Looks good');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.comments SET mentions = ARRAY[%L]::uuid[] WHERE id = %L',
                                 sec.id('b', 'user', 1), '0193a000-0000-7000-8000-0000000000c2')),
          '23503', 'a portal user''s edited comment cannot mention another organization''s user');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.comments SET mentions = ARRAY[%L]::uuid[] WHERE id = %L',
                                 sec.id('a', 'user', 2), '0193a000-0000-7000-8000-0000000000c2')),
          'ok', 'but can mention its own agency''s user');

-- ------ notifications.related_id ------
-- Every notification type is the database's (docs/notifications.md), so the
-- policy refuses an application's notification (42501) before its reference is
-- looked at; the references of the database's own are its rows.
SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of(format('INSERT INTO mycelium.notifications (organization_id, type, title, message, related_type, related_id)
                                  VALUES (%L, ''SYSTEM_MAINTENANCE'', ''t'', ''m'', ''deliverable'', %L)',
                                 sec.id('a', 'organization'), sec.id('b', 'deliverable', 1))),
          '42501', 'a notification cannot be about another organization''s deliverable');
SELECT is(sec.sqlstate_of(format('INSERT INTO mycelium.notifications (organization_id, type, title, message, related_type, related_id)
                                  VALUES (%L, ''CLIENT_UPDATED'', ''t'', ''m'', ''client'', %L)',
                                 sec.id('a', 'organization'), sec.id('b', 'client', 1))),
          '42501', 'nor about another organization''s client');
SELECT is(sec.sqlstate_of(format('INSERT INTO mycelium.notifications (organization_id, type, title, message, related_type, related_id)
                                  VALUES (%L, ''PROJECT_CREATED'', ''t'', ''m'', ''project'', %L)',
                                 sec.id('a', 'organization'), sec.id('a', 'deliverable', 1))),
          '42501', 'nor name a table in which its id is no row');
SELECT is(sec.sqlstate_of(format('INSERT INTO mycelium.notifications (organization_id, type, title, message, related_type, related_id)
                                  VALUES (%L, ''CLIENT_UPDATED'', ''t'', ''m'', ''client'', %L)',
                                 sec.id('a', 'organization'), sec.id('a', 'client', 1))),
          '42501', 'nor is an ADMIN''s notification about a client of its own organization made');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.notifications SET related_type = ''client'', related_id = %L',
                                 sec.id('b', 'client', 1))),
          '42501', 'and no application changes what a notification is about afterwards');

-- ------ Custom fields (USER_SELECT) ------
SELECT sec.act_as('a', 2);
SELECT isnt(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET custom_fields = custom_fields || jsonb_build_object(''f_user_select'', %L::text) WHERE id = %L',
                                   sec.id('b', 'user', 2), sec.id('a', 'deliverable', 3))),
            'ok', 'a USER_SELECT field cannot be changed to another organization''s user');

SELECT * FROM finish();
ROLLBACK;
