-- Moving work out of one's scope: an UPDATE that changes which client (or, for a
-- CUSTOM role, which service) a row belongs to hands it to that client's portal
-- and staff. A row's new place must be one the mover holds by the same right as
-- its old place: a non-ADMIN moves a deliverable or project only between clients
-- they are both assigned to. Fixture: user 2 (VIDEO_EDITOR) serves client 1 and
-- manages project 1; user 3 (CUSTOM, seo) serves client 2; portal user n belongs
-- to client n.
BEGIN;
SELECT plan(25);

-- One more deliverable, of client 1 in seo and assigned to the CUSTOM user 3, who
-- does not serve client 1: visible to them by their service and as its assignee.
SELECT sec.act_as('a', 1);
INSERT INTO mycelium.deliverables (organization_id, id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id, custom_fields)
VALUES (sec.id('a', 'organization'), '0193a000-0000-7000-8000-00000000d004', sec.id('a', 'client', 1),
        sec.id('a', 'service_type', 2), 'Client one''s secret SEO plan', 'PENDING',
        sec.id('a', 'user', 3), sec.id('a', 'user', 1), '{}');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content)
VALUES (sec.id('a', 'organization'), sec.id('a', 'deliverable', 1), sec.id('a', 'user', 1),
        'Client one''s launch date is confidential');

-- ------ The assignee (user 2) ------
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), sec.id('a', 'deliverable', 1))),
          '42501', 'the assignee cannot move a deliverable to a client they do not serve');
SELECT alike(sec.error_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                sec.id('a', 'client', 2), sec.id('a', 'deliverable', 3))),
           '%deliverable%client%', 'the refusal names what cannot move where');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('b', 'client', 2), sec.id('a', 'deliverable', 1))),
          '42501', 'nor to another organization''s client');
INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
VALUES (sec.id('a', 'organization'), sec.id('a', 'user', 2), sec.id('a', 'deliverable', 1), now() - interval '1 hour');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.time_entries SET deliverable_id = %L WHERE user_id = %L',
                                 sec.id('a', 'deliverable', 2), sec.id('a', 'user', 2))),
          '42501', 'nor their time entry onto a deliverable they cannot see');
SELECT is((SELECT client_id FROM mycelium.deliverables WHERE id = sec.id('a', 'deliverable', 1)),
          sec.id('a', 'client', 1), 'the deliverable stays with client 1');

-- ------ The CUSTOM role (user 3) ------
SELECT sec.act_as('a', 3);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 1), sec.id('a', 'deliverable', 2))),
          '42501', 'CUSTOM cannot move its own client''s deliverable to a client it does not serve');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), '0193a000-0000-7000-8000-00000000d004')),
          '42501', 'nor a deliverable it sees by its service into the client it does serve');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET service_type_id = %L WHERE id = %L',
                                 sec.id('a', 'service_type', 1), '0193a000-0000-7000-8000-00000000d004')),
          '42501', 'nor move it out of its service, to where other roles see it');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET title = %L WHERE id = %L',
                                 'SEO plan, revised', '0193a000-0000-7000-8000-00000000d004')),
          'ok', 'it still works on that deliverable');

-- ------ The project manager (user 2) ------
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.projects SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), sec.id('a', 'project', 1))),
          '42501', 'the project manager cannot move the project to a client they do not serve');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.projects SET name = %L WHERE id = %L',
                                 'Project a, phase two', sec.id('a', 'project', 1))),
          'ok', 'and still manages it');

-- ------ The portal user of client 1, with can_approve ------
SELECT sec.act_as('a', 1);
UPDATE mycelium.deliverables
   SET status = 'NEEDS_APPROVAL',
       custom_fields = '{"deliverable_name": "Launch reel", "edit_by_date": "2026-12-10"}'
 WHERE id = sec.id('a', 'deliverable', 1);
SELECT sec.act_as('a', 1, true);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET status = ''APPROVED'', client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), sec.id('a', 'deliverable', 1))),
          '42501', 'a portal user with can_approve cannot move its deliverable while approving it');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('b', 'client', 1), sec.id('a', 'deliverable', 1))),
          '42501', 'nor to another organization''s client');

-- ------ What the other portals see afterwards ------
SELECT sec.act_as('a', 2, true);
SELECT is((SELECT count(*) FROM mycelium.deliverables
           WHERE id IN (sec.id('a', 'deliverable', 1), sec.id('a', 'deliverable', 3),
                        '0193a000-0000-7000-8000-00000000d004')),
          0::bigint, 'A''s client 2 portal sees none of client 1''s deliverables');
SELECT is((SELECT count(*) FROM mycelium.comments WHERE deliverable_id = sec.id('a', 'deliverable', 1)),
          0::bigint, 'nor their comments');
SELECT is((SELECT count(*) FROM mycelium.projects), 0::bigint, 'nor client 1''s project');
SELECT sec.act_as('a', 1, true);
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE id = sec.id('a', 'deliverable', 2)),
          0::bigint, 'A''s client 1 portal does not see client 2''s deliverable');
SELECT sec.act_as('b', 1, true);
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE organization_id = sec.id('a', 'organization')),
          0::bigint, 'B''s client 1 portal sees nothing of A');
SELECT sec.act_as('b', 2, true);
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE organization_id = sec.id('a', 'organization'))
          + (SELECT count(*) FROM mycelium.projects WHERE organization_id = sec.id('a', 'organization')),
          0::bigint, 'nor does B''s client 2 portal');
SELECT sec.act_as('b', 1);
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE client_id = sec.id('b', 'client', 2))
          + (SELECT count(*) FROM mycelium.projects WHERE client_id = sec.id('b', 'client', 2)),
          1::bigint, 'B''s client 2 has its own one deliverable and no project, nothing of A');

-- ------ Who may move work ------
-- A user assigned to both clients may move work between them.
SELECT sec.act_as('a', 1);
INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id)
VALUES (sec.id('a', 'organization'), sec.id('a', 'client', 2), sec.id('a', 'user', 2), sec.id('a', 'service_type', 1));
SELECT sec.act_as('a', 2);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), sec.id('a', 'deliverable', 3))),
          'ok', 'a user serving both clients moves a deliverable between them');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.projects SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), sec.id('a', 'project', 1))),
          'ok', 'and a project they manage');
-- An ADMIN moves anything within the organization, and nothing out of it.
SELECT sec.act_as('a', 1);
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('b', 'client', 1), sec.id('a', 'deliverable', 2))),
          '23503', 'an ADMIN cannot move a deliverable to another organization''s client (the composite key)');
SELECT is(sec.sqlstate_of(format('UPDATE mycelium.deliverables SET client_id = %L WHERE id = %L',
                                 sec.id('a', 'client', 2), '0193a000-0000-7000-8000-00000000d004')),
          'ok', 'an ADMIN moves a deliverable to another client');
SELECT sec.act_as('a', 2, true);
SELECT is((SELECT count(*) FROM mycelium.deliverables
           WHERE id IN (sec.id('a', 'deliverable', 3), '0193a000-0000-7000-8000-00000000d004')),
          2::bigint, 'and client 2''s portal then sees what was moved to it');

SELECT * FROM finish();
ROLLBACK;
