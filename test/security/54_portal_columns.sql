-- What a portal user sees (docs/security.md): its context acts as the role
-- mycelium_portal, which reads the columns of mycelium.portal_columns() and no
-- other, and gets files through mycelium.portal_attachments only with
-- can_download. Tried as A's portal user 1 (client 1) against A's internal
-- data and B's; everything is rolled back.
BEGIN;
SELECT plan(24);

-- A's ADMIN writes what the agency keeps to itself, and files.
SELECT sec.act_as('a', 1);
UPDATE mycelium.clients SET notes = 'Pays late', tags = '{difficult}', paused_reason = 'Budget review',
                            custom_fields = '{"margin": "low"}'
 WHERE id = sec.id('a', 'client', 1);
UPDATE mycelium.deliverables
   SET attachments = '[{"name": "cut.mp4", "url": "https://files.example/cut.mp4", "size": 1024, "content_type": "video/mp4"}]',
       estimated_hours = 3
 WHERE id = sec.id('a', 'deliverable', 1);
UPDATE mycelium.deliverables
   SET attachments = '[{"name": "b.pdf", "url": "https://files.example/b.pdf", "size": 10, "content_type": "application/pdf"}]'
 WHERE organization_id = sec.id('a', 'organization') AND client_id = sec.id('a', 'client', 2);
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, is_internal, attachments)
VALUES (sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'user', 1), 'Draft', false,
        '[{"name": "draft.png", "url": "https://files.example/draft.png", "size": 5, "content_type": "image/png"}]'),
       (sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'user', 1), 'Ours', true,
        '[{"name": "internal.png", "url": "https://files.example/internal.png", "size": 5, "content_type": "image/png"}]');
SELECT is(current_user::text, 'mycelium_admin', 'an ADMIN''s context acts as mycelium_admin');

SELECT sec.act_as('a', 1, true);
SELECT is(current_user::text, 'mycelium_portal', 'a portal user''s context acts as mycelium_portal');

-- Internal columns: refused by name, and a whole-row read with them.
SELECT is(sec.sqlstate_of('SELECT notes FROM mycelium.clients'), '42501', 'a portal user cannot read clients.notes');
SELECT is(sec.sqlstate_of('SELECT tags FROM mycelium.clients'), '42501', 'nor tags');
SELECT is(sec.sqlstate_of('SELECT paused_reason, custom_fields FROM mycelium.clients'), '42501',
          'nor paused_reason and custom_fields');
SELECT is(sec.sqlstate_of('SELECT * FROM mycelium.clients'), '42501', 'nor all of a client row');
SELECT is(sec.sqlstate_of('SELECT budget_amount FROM mycelium.projects'), '42501', 'nor a project''s budget');
SELECT is(sec.sqlstate_of('SELECT estimated_hours FROM mycelium.deliverables'), '42501',
          'nor a deliverable''s estimate');
SELECT is(sec.sqlstate_of('SELECT attachments FROM mycelium.deliverables'), '42501',
          'nor its attachments column (files come through portal_attachments)');
SELECT is(sec.sqlstate_of('SELECT default_rate FROM mycelium.service_types'), '42501', 'nor a service''s rate');
SELECT is(sec.sqlstate_of('SELECT session_timeout_hours FROM mycelium.organization_settings'), '42501',
          'nor the organization''s security settings');
SELECT is(sec.sqlstate_of('SELECT 1 FROM mycelium.time_entries'), '42501', 'nor anything of time entries');

-- What it may read, it reads: every listed column, of its own client only.
SELECT is((SELECT count(*) FROM mycelium.portal_columns() p,
                  LATERAL (SELECT sec.sqlstate_of(format('SELECT %s FROM mycelium.%I',
                                                         array_to_string(ARRAY(SELECT quote_ident(c)
                                                                                 FROM unnest(p.column_names) c), ', '),
                                                         p.table_name)) AS s) r
            WHERE r.s <> 'ok'), 0::bigint, 'every column of portal_columns() is readable');
SELECT is((SELECT array_agg(name ORDER BY name) FROM mycelium.clients), ARRAY['Client a1'],
          'its own client only, by name');

-- Files: its client's, and its client's non-internal comments', with can_download.
SELECT is((SELECT array_agg(a ->> 'name' ORDER BY a ->> 'name')
             FROM mycelium.portal_attachments p, jsonb_array_elements(p.attachments) a),
          ARRAY['cut.mp4', 'draft.png'],
          'portal_attachments: its client''s deliverable and public comment files, no internal one, no other client''s');
SELECT is((SELECT count(*) FROM mycelium.portal_attachments WHERE organization_id <> sec.id('a', 'organization')),
          0::bigint, 'nothing of B');

-- Without can_download, none.
SELECT sec.act_as('a', 1);
UPDATE mycelium.client_users SET can_download = false WHERE id = sec.id('a', 'client_user', 1);
SELECT is(sec.sqlstate_of('SELECT 1 FROM mycelium.portal_attachments'), '42501',
          'staff cannot read portal_attachments (they read the tables)');
SELECT sec.act_as('a', 1, true);
SELECT is((SELECT count(*) FROM mycelium.portal_attachments), 0::bigint,
          'a portal user without can_download sees no file');

-- The role and the context go together.
RESET ROLE;
SELECT is(mycelium.current_app_role(), NULL, 'back under the application''s role, the portal context is none');
SELECT is((SELECT count(*) FROM mycelium.deliverables), 0::bigint, 'and sees no deliverable');
SELECT sec.act_as('a', 1);
SET LOCAL ROLE mycelium_portal;
SELECT is((SELECT count(*) FROM mycelium.clients), 0::bigint,
          'an ADMIN''s context under the portal role switched by hand sees nothing (its policies are the portal''s)');
SELECT is(sec.sqlstate_of('SELECT notes FROM mycelium.clients'), '42501', 'nor any internal column');
RESET ROLE;
SELECT sec.act_as('a', 1, true);
SELECT sec.act_as('a', 2);
SELECT is(current_user::text, 'mycelium_staff',
          'a staff context after a portal one in the same transaction acts as mycelium_staff');
SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(format('SELECT mycelium.set_context(%L, %L, %L)', sec.id('a', 'organization'),
                                 sec.id('a', 'user', 1), 'ADMIN')), 'ok',
          'set_context as staff from within a portal context works (the application holds the connection)');

SELECT * FROM finish();
ROLLBACK;
