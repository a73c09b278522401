-- Attachments are validated entries (name, url, size, content_type, optionally
-- uploaded_at), refused with 23514 naming the table, the entry and the key; with
-- enable_file_versioning on, an update that replaces or removes an entry keeps
-- the old one in attachment_versions, which those who see the deliverable (and a
-- portal user only with can_download) read, and nobody writes. Non-superuser
-- application roles of two organizations.
\i sql/include/helpers.psql
-- The outcome and the error's fields.
CREATE OR REPLACE FUNCTION regress.try_check(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s text; t text; c text; k text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS s = SCHEMA_NAME, t = TABLE_NAME, c = COLUMN_NAME, k = CONSTRAINT_NAME;
    RETURN SQLSTATE || ': ' || SQLERRM || ' [' || concat_ws('.', s, t, c) || ' ' || coalesce(k, '-') || ']';
END;
$$;

SET client_min_messages = warning;
TRUNCATE mycelium.organizations CASCADE;
-- A keeps versions; B has no settings row (the default: off).
INSERT INTO mycelium.organizations (id, name, slug) VALUES
    ('0000000a-0000-7000-8000-000000000000', 'Agency A', 'agency-a'),
    ('0000000b-0000-7000-8000-000000000000', 'Agency B', 'agency-b');
INSERT INTO mycelium.organization_settings (organization_id, enable_file_versioning) VALUES
    ('0000000a-0000-7000-8000-000000000000', true);
INSERT INTO mycelium.users (id, organization_id, email, name, role, status) VALUES
    ('0000000a-0000-7000-8000-0000000000a1', '0000000a-0000-7000-8000-000000000000', 'ann@a.example', 'Ann', 'ADMIN', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a2', '0000000a-0000-7000-8000-000000000000', 'vic@a.example', 'Vic', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000a-0000-7000-8000-0000000000a3', '0000000a-0000-7000-8000-000000000000', 'sue@a.example', 'Sue', 'VIDEO_EDITOR', 'ACTIVE'),
    ('0000000b-0000-7000-8000-0000000000b1', '0000000b-0000-7000-8000-000000000000', 'bea@b.example', 'Bea', 'ADMIN', 'ACTIVE');
INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type, default_duration) VALUES
    ('0000000a-0000-7000-8000-0000000000e1', '0000000a-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10),
    ('0000000b-0000-7000-8000-0000000000e1', '0000000b-0000-7000-8000-000000000000', 'Social', 'social', 'RECURRING', 10);
INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES
    ('0000000a-0000-7000-8000-0000000000c1', '0000000a-0000-7000-8000-000000000000', 'Bakery', 'bakery'),
    ('0000000b-0000-7000-8000-0000000000c1', '0000000b-0000-7000-8000-000000000000', 'Bee', 'bee');
-- Pat may download, Dan may not; both comment.
INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name, role, can_download) VALUES
    ('0000000a-0000-7000-8000-0000000000f1', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'pat@bakery.example', 'Pat', 'PRIMARY', true),
    ('0000000a-0000-7000-8000-0000000000f2', '0000000a-0000-7000-8000-000000000000',
     '0000000a-0000-7000-8000-0000000000c1', 'dan@bakery.example', 'Dan', 'PRIMARY', false);
-- Vic is assigned the bakery's reel; Sue sees none of the work.
INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id, due_date,
                                   assigned_user_id) VALUES
    ('0000000a-0000-7000-8000-0000000000d1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000c1',
     '0000000a-0000-7000-8000-0000000000e1', 'Bakery reel', '0000000a-0000-7000-8000-0000000000a1', '2026-12-20 12:00+00',
     '0000000a-0000-7000-8000-0000000000a2'),
    ('0000000b-0000-7000-8000-0000000000d1', '0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000c1',
     '0000000b-0000-7000-8000-0000000000e1', 'Bee reel', '0000000b-0000-7000-8000-0000000000b1', '2026-12-20 12:00+00',
     NULL);

-- Who reads what (below): the history as one of them sees it.
CREATE FUNCTION regress.history_as(who uuid, role text) RETURNS TABLE (reader text, versions bigint, of_comments bigint)
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mycelium.set_context(CASE WHEN who::text LIKE '0000000b%' THEN '0000000b-0000-7000-8000-000000000000'::uuid
                                      ELSE '0000000a-0000-7000-8000-000000000000'::uuid END, who, role);
    RETURN QUERY SELECT role || ' ' || who::text, count(*), count(v.comment_id) FROM mycelium.attachment_versions v;
END;
$$;

DROP ROLE IF EXISTS regress_attachments_app;
CREATE ROLE regress_attachments_app;
SELECT mycelium.grant_access('regress_attachments_app', 'app');
GRANT USAGE ON SCHEMA regress TO regress_attachments_app;
SET ROLE regress_attachments_app;

-- ------ Validation ------
-- Each bad entry second (index 1), after a good one; the table, the index and the
-- key are named, and TABLE, COLUMN and CONSTRAINT are set.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT label, regress.try_check(format(
           $$UPDATE mycelium.deliverables SET attachments = jsonb_build_array(%L::jsonb, %L::jsonb)
              WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$,
           '{"name": "brief.pdf", "url": "https://files.example.com/brief.pdf", "size": 1024, "content_type": "application/pdf"}',
           entry)) AS outcome
  FROM (VALUES
    ('a string',              '"brief.pdf"'),
    ('an array',              '[1]'),
    ('unknown key',           '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "text/plain", "contentType": "text/plain"}'),
    ('no name',               '{"url": "https://x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('blank name',            '{"name": " \t ", "url": "https://x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('name of 256',           format('{"name": "%s", "url": "https://x.example/a", "size": 1, "content_type": "text/plain"}', repeat('n', 256))),
    ('name with a newline',   '{"name": "a\nb", "url": "https://x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('name a number',         '{"name": 7, "url": "https://x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('no url',                '{"name": "a", "size": 1, "content_type": "text/plain"}'),
    ('ftp url',               '{"name": "a", "url": "ftp://x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('relative url',          '{"name": "a", "url": "/files/a", "size": 1, "content_type": "text/plain"}'),
    ('javascript url',        '{"name": "a", "url": "javascript:alert(1)", "size": 1, "content_type": "text/plain"}'),
    ('url with credentials',  '{"name": "a", "url": "https://me:secret@x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('url without a host',    '{"name": "a", "url": "https:///a", "size": 1, "content_type": "text/plain"}'),
    ('url with a bad host',   '{"name": "a", "url": "https://-x.example/a", "size": 1, "content_type": "text/plain"}'),
    ('url with port 70000',   '{"name": "a", "url": "https://x.example:70000/a", "size": 1, "content_type": "text/plain"}'),
    ('url with a space',      '{"name": "a", "url": "https://x.example/a b", "size": 1, "content_type": "text/plain"}'),
    ('url of 2049',           format('{"name": "a", "url": "https://x.example/%s", "size": 1, "content_type": "text/plain"}', repeat('u', 2031))),
    ('no size',               '{"name": "a", "url": "https://x.example/a", "content_type": "text/plain"}'),
    ('negative size',         '{"name": "a", "url": "https://x.example/a", "size": -1, "content_type": "text/plain"}'),
    ('fractional size',       '{"name": "a", "url": "https://x.example/a", "size": 1.5, "content_type": "text/plain"}'),
    ('size beyond bigint',    '{"name": "a", "url": "https://x.example/a", "size": 9223372036854775808, "content_type": "text/plain"}'),
    ('size a string',         '{"name": "a", "url": "https://x.example/a", "size": "1", "content_type": "text/plain"}'),
    ('no content_type',       '{"name": "a", "url": "https://x.example/a", "size": 1}'),
    ('content_type png',      '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "png"}'),
    ('content_type a/b/c',    '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "image/png/x"}'),
    ('uploaded_at no offset', '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "text/plain", "uploaded_at": "2026-12-07T09:30:00"}'),
    ('uploaded_at 30 Feb',    '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "text/plain", "uploaded_at": "2026-02-30T09:30:00Z"}'),
    ('uploaded_at a number',  '{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "text/plain", "uploaded_at": 1765099800}'),
    -- Accepted:
    ('every key',             '{"name": "Café menu.pdf", "url": "HTTPS://files.example.com:8443/menu.pdf?v=2#p1", "size": 0, "content_type": "text/plain; charset=\"utf-8\"", "uploaded_at": "2024-02-29T23:59:59.5+05:30"}'),
    ('an IP address',         '{"name": "a", "url": "http://[2001:db8::1]/a", "size": 5e3, "content_type": "application/vnd.ms-excel"}')
  ) AS c(label, entry);
-- Not an array: the older constraint, as before.
SELECT regress.try_check($$UPDATE mycelium.deliverables SET attachments = '{}' WHERE id = '0000000a-0000-7000-8000-0000000000d1'$$);
-- Comments are checked alike, on insert.
SELECT regress.try_check($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, attachments)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
            '0000000a-0000-7000-8000-0000000000a1', 'See attached', '[{"name": "a", "url": "https://x.example/a", "size": 1, "content_type": "text/plain", "sha256": "00"}]')$$);
ROLLBACK;

-- ------ Versioning on (Agency A) ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
-- A first list, and an update of something else: no history.
UPDATE mycelium.deliverables SET attachments = '[
    {"name": "logo.png", "url": "https://files.example.com/1/logo.png", "size": 2048, "content_type": "image/png"},
    {"name": "brief.pdf", "url": "https://files.example.com/1/brief.pdf", "size": 1024, "content_type": "application/pdf"},
    {"name": "cut.mp4", "url": "https://files.example.com/1/cut.mp4", "size": 99, "content_type": "video/mp4"}]'
 WHERE id = '0000000a-0000-7000-8000-0000000000d1';
UPDATE mycelium.deliverables SET title = 'Bakery reel, December' WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT count(*) AS versions FROM mycelium.attachment_versions;
-- A new upload of logo.png (same name, new url), cut.mp4 renamed (same url),
-- brief.pdf removed, a file added, the keys of what stays written in another order.
UPDATE mycelium.deliverables SET attachments = '[
    {"content_type": "image/png", "size": 4096, "url": "https://files.example.com/2/logo.png", "name": "logo.png"},
    {"name": "final cut.mp4", "url": "https://files.example.com/1/cut.mp4", "size": 99, "content_type": "video/mp4"},
    {"name": "notes.txt", "url": "https://files.example.com/2/notes.txt", "size": 10, "content_type": "text/plain"}]'
 WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT attachment ->> 'name' AS name, attachment ->> 'url' AS url, change, comment_id IS NULL AS own,
       changed_by_id = '0000000a-0000-7000-8000-0000000000a1' AS by_ann, changed_by_client_user_id, changed_at = now() AS now
  FROM mycelium.attachment_versions ORDER BY id;
-- Removing them all: each is kept; the same list again keeps nothing more.
UPDATE mycelium.deliverables SET attachments = NULL WHERE id = '0000000a-0000-7000-8000-0000000000d1';
UPDATE mycelium.deliverables SET attachments = NULL WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT attachment ->> 'name' AS name, change FROM mycelium.attachment_versions ORDER BY id;
-- Back to one entry, for the readers below.
UPDATE mycelium.deliverables SET attachments = '[
    {"name": "logo.png", "url": "https://files.example.com/3/logo.png", "size": 1, "content_type": "image/png"}]'
 WHERE id = '0000000a-0000-7000-8000-0000000000d1';
-- An internal comment's attachment, replaced.
INSERT INTO mycelium.comments (id, organization_id, deliverable_id, user_id, content, is_internal, attachments) VALUES
    ('0000000a-0000-7000-8000-0000000000b2', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000a1', 'Internal draft', true,
     '[{"name": "draft.psd", "url": "https://files.example.com/1/draft.psd", "size": 5, "content_type": "image/vnd.adobe.photoshop"}]');
UPDATE mycelium.comments SET attachments = '[{"name": "draft.psd", "url": "https://files.example.com/2/draft.psd", "size": 6, "content_type": "image/vnd.adobe.photoshop"}]'
 WHERE id = '0000000a-0000-7000-8000-0000000000b2';
COMMIT;

-- A portal user's comment: its change names the portal user.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
INSERT INTO mycelium.comments (id, organization_id, deliverable_id, client_user_id, content, attachments) VALUES
    ('0000000a-0000-7000-8000-0000000000b1', '0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1',
     '0000000a-0000-7000-8000-0000000000f1', 'Our photos',
     '[{"name": "shop.jpg", "url": "https://files.example.com/1/shop.jpg", "size": 7, "content_type": "image/jpeg"}]');
UPDATE mycelium.comments SET attachments = '[]' WHERE id = '0000000a-0000-7000-8000-0000000000b1';
COMMIT;

-- Staff editing their own comment, with no change of attachments: nothing kept.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.comments SET content = 'Internal draft, v2' WHERE id = '0000000a-0000-7000-8000-0000000000b2';
SELECT attachment ->> 'name' AS name, change, comment_id, changed_by_id, changed_by_client_user_id
  FROM mycelium.attachment_versions WHERE comment_id IS NOT NULL ORDER BY id;
COMMIT;

-- ------ Versioning off ------
-- Agency B has no settings row: the default, off.
BEGIN;
SELECT mycelium.set_context('0000000b-0000-7000-8000-000000000000', '0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
UPDATE mycelium.deliverables SET attachments = '[{"name": "a.png", "url": "https://b.example/a.png", "size": 1, "content_type": "image/png"}]';
UPDATE mycelium.deliverables SET attachments = '[{"name": "a.png", "url": "https://b.example/a2.png", "size": 2, "content_type": "image/png"}]';
UPDATE mycelium.deliverables SET attachments = NULL;
SELECT count(*) AS versions_of_b FROM mycelium.attachment_versions;
COMMIT;
-- Agency A turns it off: what was kept stays, nothing more is added.
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
UPDATE mycelium.organization_settings SET enable_file_versioning = false;
UPDATE mycelium.deliverables SET attachments = '[]' WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT count(*) AS versions_of_a FROM mycelium.attachment_versions;
ROLLBACK;

-- ------ Who reads the history ------
-- Ann (ADMIN) all 8: the deliverable's 6 and the two comments'; Vic, its
-- assignee, the same (staff read internal comments); Sue, who sees no work of
-- the bakery, none; Bea (Agency B) none of A's; Pat (portal, can_download) the
-- deliverable's and his own comment's, not the internal comment's; Dan (portal,
-- no can_download) none.
BEGIN;
SELECT * FROM regress.history_as('0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
ROLLBACK;
BEGIN;
SELECT * FROM regress.history_as('0000000a-0000-7000-8000-0000000000a2', 'VIDEO_EDITOR');
ROLLBACK;
BEGIN;
SELECT * FROM regress.history_as('0000000a-0000-7000-8000-0000000000a3', 'VIDEO_EDITOR');
ROLLBACK;
BEGIN;
SELECT * FROM regress.history_as('0000000b-0000-7000-8000-0000000000b1', 'ADMIN');
ROLLBACK;
BEGIN;
SELECT * FROM regress.history_as('0000000a-0000-7000-8000-0000000000f1', 'CLIENT');
ROLLBACK;
BEGIN;
SELECT * FROM regress.history_as('0000000a-0000-7000-8000-0000000000f2', 'CLIENT');
ROLLBACK;
-- Without a context: nothing.
SELECT count(*) AS without_context FROM mycelium.attachment_versions;

-- ------ Nobody writes it but the trigger ------
BEGIN;
SELECT mycelium.set_context('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000a1', 'ADMIN');
SELECT regress.try_check($$INSERT INTO mycelium.attachment_versions (organization_id, deliverable_id, attachment, change)
    VALUES ('0000000a-0000-7000-8000-000000000000', '0000000a-0000-7000-8000-0000000000d1', '{}', 'REMOVED')$$) AS insert;
SELECT regress.try_check($$UPDATE mycelium.attachment_versions SET change = 'REMOVED'$$) AS update;
SELECT regress.try_check($$DELETE FROM mycelium.attachment_versions$$) AS delete;
-- Deleting the deliverable takes its history (and its comments') with it.
DELETE FROM mycelium.deliverables WHERE id = '0000000a-0000-7000-8000-0000000000d1';
SELECT count(*) AS versions_left FROM mycelium.attachment_versions;
ROLLBACK;

RESET ROLE;
-- Deleting a comment takes its versions; the deliverable's stay.
BEGIN;
DELETE FROM mycelium.comments WHERE id = '0000000a-0000-7000-8000-0000000000b2';
SELECT count(*) FILTER (WHERE comment_id IS NULL) AS own, count(comment_id) AS of_comments FROM mycelium.attachment_versions;
ROLLBACK;
DROP FUNCTION regress.history_as(uuid, text);
DROP FUNCTION regress.try_check(text);
TRUNCATE mycelium.organizations CASCADE;
DROP OWNED BY regress_attachments_app;
DROP ROLE regress_attachments_app;
