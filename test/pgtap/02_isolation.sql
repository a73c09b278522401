-- Tenant isolation, proved from the outside: two organizations, A and B, with the
-- same fixture; an application role and a reporting role made with
-- mycelium.grant_access, neither a superuser nor BYPASSRLS; and every tenant
-- table, view and function tried the way an application bug or an SQL injection
-- would try them (docs/security.md, "Threat model" and "Who may do what").
--
--   1. Preconditions: the fixture, the roles, the test's own HMAC.
--   2. No context: every table and view is empty, every write is refused.
--   3. A's ADMIN against B, table by table: select, update, delete, insert,
--      foreign keys; each refused write has a control that the same statement
--      works on A's own row, so that "0 rows" means "isolated", not "misspelt".
--   4. Views and functions return nothing of B.
--   5. Each role sees exactly what the rules give (counts from the fixture).
--   6. Each role may write exactly what the rules allow.
--   7. set_context refuses what it must.
--   8. A forged or altered mycelium.context grants nothing.
--   9. mycelium.authenticate(token) and the request.jwt.claims setting;
--      mycelium.require_signed_context.
--  10. The readonly role reads and never writes.
--  11. B's rows are exactly as they were.
--  12. Generation, the sweeps and productivity act for the caller's organization only.
--
-- Runs as a superuser, in one transaction that is rolled back: the roles
-- (regress_mycelium_*), the fixture and the JWT key go with it. The assertions run
-- after SET ROLE to the application role; RESET ROLE only sets up or inspects.
-- Tokens are signed here with an HMAC-SHA256 written in SQL over the built-in
-- sha256() (checked against RFC 4231 below), so the suite needs no pgcrypto.
--
-- Fixture ids: pg_temp.id('a', 'deliverable', 3) is organization A's deliverable
-- 3, 'a000000b-0000-4000-8000-000000000003' (the first group: the organization's
-- letter and the kind's number). Both organizations hold, each:
--   users        1 ADMIN, 2 VIDEO_EDITOR assigned to client 1, 3 VIDEO_EDITOR with
--                only an inactive assignment (to client 2), 4 CUSTOM (service
--                access: seo), 5 VIDEO_EDITOR INACTIVE
--   services     1 social, 2 seo;  field 1 of social
--   clients      1, 2;  projects 1 (client 1, manager user 1), 2 (client 2, user 3)
--   portal users 1 client 1, can_approve, can_comment; 2 client 1, neither;
--                3 client 2, can_comment; 4 client 1, inactive
--   deliverables 1 client 1 social, user 2, PENDING   2 client 1 seo, NEEDS_APPROVAL
--                3 client 2 social, user 3, IN_PROGRESS 4 client 2 seo, NEEDS_APPROVAL
--                5 client 2 social, PENDING           6 client 1 social, user 3, PENDING
--   comments     1 on 1 by user 1; 2 on 1 by user 1, internal; 3 on 2 by user 2;
--                4 on 3 by portal user 3; 5 on 2 by user 1, internal
--   time         1 user 2 on 1; 2 user 3 on 3; 3 user 1 on 2
--   attachment versions 1 of deliverable 1; 2 of comment 2 (internal, on 1);
--                3 of deliverable 3; 4 of comment 3 (on 2)
--   notifications 1 from user 1 to users 2 and 3; 2 from user 2 to user 1;
--                3 from user 1 to user 4
--   integration 1 (SLACK, a token in config); subscription 1; settings; branding
--   activity log: 15 rows written by the triggers (5 users, 2 clients, 2 projects,
--                6 deliverables), no actor (no context while the fixture was made)

BEGIN;

SELECT plan(722);

-- ====================================================================
-- Helpers (superuser; SECURITY INVOKER, so they run as whoever calls them)
-- ====================================================================

-- A fixture id: organization letter, kind, number.
CREATE FUNCTION pg_temp.id(o text, kind text, n integer DEFAULT 1) RETURNS uuid
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k constant integer := array_position(
        ARRAY['organization', 'branding', 'settings', 'user', 'service_type', 'field', 'client', 'assignment',
              'client_user', 'project', 'deliverable', 'comment', 'time_entry', 'notification', 'recipient',
              'integration', 'activity_log', 'subscription', 'attachment_version', 'webhook_delivery'], kind);
BEGIN
    IF k IS NULL OR o NOT IN ('a', 'b') THEN
        RAISE EXCEPTION 'pg_temp.id: unknown organization % or kind %', o, kind;
    END IF;
    RETURN (o || lpad(to_hex(k), 7, '0') || '-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;
END;
$$;

-- How many rows a query returns, as the current role. An error is reported as a
-- warning and as -1, so that the test fails and the suite goes on.
CREATE FUNCTION pg_temp.nrows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE 'SELECT count(*) FROM (' || query || ') AS q' INTO n;
    RETURN n;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'nrows: % (%) in: %', SQLERRM, SQLSTATE, query;
    RETURN -1;
END;
$$;

-- How many rows a statement affects, as the current role (-1: it failed).
CREATE FUNCTION pg_temp.affected(statement text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE statement;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'affected: % (%) in: %', SQLERRM, SQLSTATE, statement;
    RETURN -1;
END;
$$;

-- The same, then undone (a subtransaction rolled back), for controls.
CREATE FUNCTION pg_temp.affected_undone(statement text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    BEGIN
        EXECUTE statement;
        GET DIAGNOSTICS n = ROW_COUNT;
        RAISE EXCEPTION USING ERRCODE = 'RGUND', MESSAGE = 'undo';
    EXCEPTION WHEN SQLSTATE 'RGUND' THEN
        NULL;
    END;
    RETURN n;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'affected_undone: % (%) in: %', SQLERRM, SQLSTATE, statement;
    RETURN -1;
END;
$$;

-- The result of a query run after a statement, both then undone ('error <SQLSTATE>'
-- if either fails).
CREATE FUNCTION pg_temp.after_undone(statement text, query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    BEGIN
        EXECUTE statement;
        EXECUTE query INTO result;
        RAISE EXCEPTION USING ERRCODE = 'RGUND', MESSAGE = 'undo';
    EXCEPTION
        WHEN SQLSTATE 'RGUND' THEN
            NULL;
        WHEN OTHERS THEN
            result := 'error ' || SQLSTATE;
    END;
    RETURN result;
END;
$$;

-- HMAC-SHA256 (RFC 2104) over the built-in sha256(), and unpadded base64url.
CREATE FUNCTION pg_temp.hmac_sha256(key bytea, message bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    k bytea := CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END;
    inner_pad bytea;
    outer_pad bytea;
BEGIN
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    inner_pad := k;
    outer_pad := k;
    FOR i IN 0..63 LOOP
        inner_pad := set_byte(inner_pad, i, get_byte(k, i) # 54);   -- 0x36
        outer_pad := set_byte(outer_pad, i, get_byte(k, i) # 92);   -- 0x5c
    END LOOP;
    RETURN sha256(outer_pad || sha256(inner_pad || message));
END;
$$;

CREATE FUNCTION pg_temp.base64url(data bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT translate(encode(data, 'base64'), E'+/=\n', '-_')
$$;

-- An HS256 JWT of the claims, signed with the suite's key unless told otherwise.
CREATE FUNCTION pg_temp.jwt(claims jsonb,
                            secret text DEFAULT 'regress-mycelium-jwt-secret-0123456789abcdef',
                            header jsonb DEFAULT '{"alg": "HS256", "typ": "JWT"}') RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT s.signing_input || '.'
           || pg_temp.base64url(pg_temp.hmac_sha256(convert_to(secret, 'UTF8'), convert_to(s.signing_input, 'UTF8')))
      FROM (SELECT pg_temp.base64url(convert_to(header::text, 'UTF8')) || '.'
                   || pg_temp.base64url(convert_to(claims::text, 'UTF8')) AS signing_input) s
$$;

-- Claims of organization o's user (or portal user), expiring in an hour.
CREATE FUNCTION pg_temp.claims(o text, sub uuid, app_role text, extra jsonb DEFAULT '{}') RETURNS jsonb
    LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_build_object('organization_id', pg_temp.id(o, 'organization'), 'sub', sub, 'app_role', app_role,
                              'exp', extract(epoch FROM clock_timestamp())::bigint + 3600) || extra
$$;

-- The 19 tenant tables; set_clause is a change for UPDATE tests; app_writes is
-- what grant_access(…, 'app') grants besides SELECT (docs/security.md, "Roles").
CREATE TEMP TABLE regress_tables (
    ord        integer PRIMARY KEY,
    tbl        text    NOT NULL,
    kind       text    NOT NULL,
    org_col    text    NOT NULL,
    set_clause text    NOT NULL,
    app_writes text    NOT NULL
);
INSERT INTO regress_tables VALUES
    ( 1, 'organizations',           'organization', 'id',              $$name = 'Hijacked'$$,           'U'),
    ( 2, 'organization_branding',   'branding',     'organization_id', $$primary_color = '#000000'$$,   'IUD'),
    ( 3, 'organization_settings',   'settings',     'organization_id', $$timezone = 'Europe/Berlin'$$,  'IUD'),
    ( 4, 'users',                   'user',         'organization_id', $$name = 'Hijacked'$$,           'IUD'),
    ( 5, 'service_types',           'service_type', 'organization_id', $$name = 'Hijacked'$$,           'IUD'),
    ( 6, 'deliverable_fields',      'field',        'organization_id', $$name = 'Hijacked'$$,           'IUD'),
    ( 7, 'clients',                 'client',       'organization_id', $$name = 'Hijacked'$$,           'IUD'),
    ( 8, 'client_assignments',      'assignment',   'organization_id', $$is_active = false$$,           'IUD'),
    ( 9, 'client_users',            'client_user',  'organization_id', $$can_approve = true$$,          'IUD'),
    (10, 'projects',                'project',      'organization_id', $$name = 'Hijacked'$$,           'IUD'),
    (11, 'deliverables',            'deliverable',  'organization_id', $$title = 'Hijacked'$$,          'IUD'),
    (12, 'comments',                'comment',      'organization_id', $$content = 'Hijacked'$$,        'IUD'),
    (13, 'time_entries',            'time_entry',   'organization_id', $$description = 'Hijacked'$$,    'IUD'),
    (14, 'notifications',           'notification', 'organization_id', $$status = 'CANCELLED'$$,        'IUD'),
    (15, 'notification_recipients', 'recipient',    'organization_id', $$read_at = now()$$,             'IUD'),
    (16, 'integrations',            'integration',  'organization_id', $$config = '{"bot_token": "stolen"}'$$, 'IUD'),
    (17, 'activity_logs',           'activity_log', 'organization_id', $$action = 'tampered'$$,         ''),
    (18, 'subscriptions',           'subscription', 'organization_id', $$plan_name = 'Free'$$,          ''),
    (19, 'attachment_versions',     'attachment_version', 'organization_id', $$change = 'REMOVED'$$,    ''),
    (20, 'webhook_deliveries',      'webhook_delivery', 'organization_id', $$attempts = 99$$,           '');

-- A new row of table tbl in organization o, referring to o's own rows.
CREATE FUNCTION pg_temp.sample_insert(tbl text, o text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    org constant uuid := pg_temp.id(o, 'organization');
BEGIN
    RETURN CASE tbl
        WHEN 'organizations' THEN format(
            'INSERT INTO mycelium.organizations (id, name, slug) VALUES (%L, %L, %L)',
            pg_temp.id(o, 'organization', 9), 'Extra ' || o, 'regress-mycelium-extra-' || o)
        WHEN 'organization_branding' THEN format(
            'INSERT INTO mycelium.organization_branding (id, organization_id) VALUES (%L, %L)',
            pg_temp.id(o, 'branding', 9), org)
        WHEN 'organization_settings' THEN format(
            'INSERT INTO mycelium.organization_settings (id, organization_id, timezone) VALUES (%L, %L, %L)',
            pg_temp.id(o, 'settings', 9), org, 'UTC')
        WHEN 'users' THEN format(
            'INSERT INTO mycelium.users (id, organization_id, email, name, role, status) '
            'VALUES (%L, %L, %L, %L, %L, %L)',
            pg_temp.id(o, 'user', 9), org, 'regress-extra-' || o || '@example.com', 'Extra', 'VIDEO_EDITOR', 'ACTIVE')
        WHEN 'service_types' THEN format(
            'INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type) '
            'VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'service_type', 9), org, 'Extra', 'extra', 'ONEOFF')
        WHEN 'deliverable_fields' THEN format(
            'INSERT INTO mycelium.deliverable_fields (id, organization_id, service_type_id, name, slug, type) '
            'VALUES (%L, %L, %L, %L, %L, %L)',
            pg_temp.id(o, 'field', 9), org, pg_temp.id(o, 'service_type', 1), 'Extra', 'extra_field', 'TEXT')
        WHEN 'clients' THEN format(
            'INSERT INTO mycelium.clients (id, organization_id, name, slug) VALUES (%L, %L, %L, %L)',
            pg_temp.id(o, 'client', 9), org, 'Extra', 'client-extra')
        WHEN 'client_assignments' THEN format(
            'INSERT INTO mycelium.client_assignments (id, organization_id, client_id, user_id, service_type_id) '
            'VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'assignment', 9), org, pg_temp.id(o, 'client', 2), pg_temp.id(o, 'user', 3),
            pg_temp.id(o, 'service_type', 2))
        WHEN 'client_users' THEN format(
            'INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name) VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'client_user', 9), org, pg_temp.id(o, 'client', 1),
            'regress-portal-extra-' || o || '@example.com', 'Extra')
        WHEN 'projects' THEN format(
            'INSERT INTO mycelium.projects (id, organization_id, client_id, name) VALUES (%L, %L, %L, %L)',
            pg_temp.id(o, 'project', 9), org, pg_temp.id(o, 'client', 1), 'Extra')
        WHEN 'deliverables' THEN format(
            'INSERT INTO mycelium.deliverables (id, organization_id, client_id, service_type_id, title, created_by_id) '
            'VALUES (%L, %L, %L, %L, %L, %L)',
            pg_temp.id(o, 'deliverable', 9), org, pg_temp.id(o, 'client', 1), pg_temp.id(o, 'service_type', 1),
            'Extra', pg_temp.id(o, 'user', 1))
        WHEN 'comments' THEN format(
            'INSERT INTO mycelium.comments (id, organization_id, deliverable_id, user_id, content) '
            'VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'comment', 9), org, pg_temp.id(o, 'deliverable', 1), pg_temp.id(o, 'user', 1), 'Extra')
        WHEN 'time_entries' THEN format(
            'INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, start_time) '
            'VALUES (%L, %L, %L, %L, now())',
            pg_temp.id(o, 'time_entry', 9), org, pg_temp.id(o, 'user', 1), pg_temp.id(o, 'deliverable', 1))
        WHEN 'notifications' THEN format(
            'INSERT INTO mycelium.notifications (id, organization_id, type, title, message, sender_id) '
            'VALUES (%L, %L, %L, %L, %L, %L)',
            pg_temp.id(o, 'notification', 9), org, 'SYSTEM_MAINTENANCE', 'Extra', 'Extra', pg_temp.id(o, 'user', 1))
        WHEN 'notification_recipients' THEN format(
            'INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel) '
            'VALUES (%L, %L, %L, %L)',
            org, pg_temp.id(o, 'notification', 3), pg_temp.id(o, 'user', 1), 'email')
        WHEN 'integrations' THEN format(
            'INSERT INTO mycelium.integrations (id, organization_id, type, name, config) VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'integration', 9), org, 'ZAPIER', 'Extra', '{"api_key": "zap-secret"}')
        WHEN 'activity_logs' THEN format(
            'INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id) '
            'VALUES (%L, %L, %L, %L, %L)',
            org, pg_temp.id(o, 'user', 1), 'forged', 'deliverable', pg_temp.id(o, 'deliverable', 1))
        WHEN 'subscriptions' THEN format(
            'INSERT INTO mycelium.subscriptions (id, organization_id, plan_name, plan_price, current_period_start, '
            'current_period_end) VALUES (%L, %L, %L, 0, now(), now() + interval %L)',
            pg_temp.id(o, 'subscription', 9), org, 'Free', '30 days')
        WHEN 'attachment_versions' THEN format(
            'INSERT INTO mycelium.attachment_versions (id, organization_id, deliverable_id, attachment, change) '
            'VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'attachment_version', 9), org, pg_temp.id(o, 'deliverable', 1),
            '{"name": "forged.png", "url": "https://example.com/forged.png", "size": 1, "content_type": "image/png"}',
            'REMOVED')
        WHEN 'webhook_deliveries' THEN format(
            'INSERT INTO mycelium.webhook_deliveries (id, organization_id, integration_id, event_type, payload) '
            'VALUES (%L, %L, %L, %L, %L)',
            pg_temp.id(o, 'webhook_delivery', 9), org, pg_temp.id(o, 'integration'), 'deliverable.created',
            '{"type": "deliverable.created", "version": 1}')
    END;
END;
$$;

-- What an organization's rows of a table hash to: to prove at the end that B is untouched.
CREATE FUNCTION pg_temp.digest(tbl text, org_col text, org uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d text;
BEGIN
    EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(to_jsonb(t)::text, '','' ORDER BY t.id)), '''') '
                   'FROM mycelium.%I t WHERE t.%I = $1', tbl, org_col)
       INTO d USING org;
    RETURN d;
END;
$$;

-- ====================================================================
-- Fixture (superuser, no context: row-level security does not apply)
-- ====================================================================

CREATE FUNCTION pg_temp.make_org(o text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    org constant uuid := pg_temp.id(o, 'organization');
    u1 constant uuid := pg_temp.id(o, 'user', 1);
    u2 constant uuid := pg_temp.id(o, 'user', 2);
    u3 constant uuid := pg_temp.id(o, 'user', 3);
    u4 constant uuid := pg_temp.id(o, 'user', 4);
    u5 constant uuid := pg_temp.id(o, 'user', 5);
    s1 constant uuid := pg_temp.id(o, 'service_type', 1);
    s2 constant uuid := pg_temp.id(o, 'service_type', 2);
    c1 constant uuid := pg_temp.id(o, 'client', 1);
    c2 constant uuid := pg_temp.id(o, 'client', 2);
    d1 constant uuid := pg_temp.id(o, 'deliverable', 1);
    d2 constant uuid := pg_temp.id(o, 'deliverable', 2);
    d3 constant uuid := pg_temp.id(o, 'deliverable', 3);
    n1 constant uuid := pg_temp.id(o, 'notification', 1);
    n2 constant uuid := pg_temp.id(o, 'notification', 2);
    n3 constant uuid := pg_temp.id(o, 'notification', 3);
BEGIN
    INSERT INTO mycelium.organizations (id, name, slug) VALUES (org, 'Regress Org ' || upper(o), 'regress-mycelium-' || o);
    INSERT INTO mycelium.organization_branding (id, organization_id, primary_color, portal_support_email)
    VALUES (pg_temp.id(o, 'branding'), org, '#112233', 'support-' || o || '@example.com');
    INSERT INTO mycelium.organization_settings (id, organization_id, timezone, enable_time_tracking)
    VALUES (pg_temp.id(o, 'settings'), org, 'UTC', true);
    INSERT INTO mycelium.users (id, organization_id, email, name, role, status, title)
    VALUES (u1, org, 'regress-admin-' || o || '@example.com', 'Admin ' || o, 'ADMIN', 'ACTIVE', 'Owner'),
           (u2, org, 'regress-editor-' || o || '@example.com', 'Editor ' || o, 'VIDEO_EDITOR', 'ACTIVE', 'Editor'),
           (u3, org, 'regress-editor2-' || o || '@example.com', 'Editor2 ' || o, 'VIDEO_EDITOR', 'ACTIVE', 'Editor'),
           (u4, org, 'regress-custom-' || o || '@example.com', 'Custom ' || o, 'CUSTOM', 'ACTIVE', 'SEO'),
           (u5, org, 'regress-gone-' || o || '@example.com', 'Gone ' || o, 'VIDEO_EDITOR', 'INACTIVE', 'Former');
    -- The CUSTOM user's services are its row's (an owner's update, which the
    -- log does not count among the fixture's inserts).
    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    UPDATE mycelium.users SET permissions = '{"services": ["seo"]}' WHERE id = u4;
    PERFORM set_config('mycelium.in_job_statement', 'off', true);
    INSERT INTO mycelium.service_types (id, organization_id, name, slug, workflow_type)
    VALUES (s1, org, 'Social Media', 'social', 'RECURRING'),
           (s2, org, 'SEO', 'seo', 'PROJECT');
    INSERT INTO mycelium.deliverable_fields (id, organization_id, service_type_id, name, slug, type)
    VALUES (pg_temp.id(o, 'field'), org, s1, 'Deliverable Name', 'deliverable_name', 'TEXT');
    INSERT INTO mycelium.clients (id, organization_id, name, slug, contact_email)
    VALUES (c1, org, 'Client One ' || o, 'client-one', 'one-' || o || '@example.com'),
           (c2, org, 'Client Two ' || o, 'client-two', 'two-' || o || '@example.com');
    INSERT INTO mycelium.client_assignments (id, organization_id, client_id, user_id, service_type_id, is_active, assigned_by)
    VALUES (pg_temp.id(o, 'assignment', 1), org, c1, u2, s1, true, u1),
           (pg_temp.id(o, 'assignment', 2), org, c2, u3, s1, false, u1);
    -- PRIMARY: a VIEWER portal user reads only, whatever its flags say.
    INSERT INTO mycelium.client_users (id, organization_id, client_id, email, name,
                                       is_active, can_approve, can_comment, role)
    VALUES (pg_temp.id(o, 'client_user', 1), org, c1, 'regress-portal1-' || o || '@example.com', 'Portal1 ' || o, true, true, true, 'PRIMARY'),
           (pg_temp.id(o, 'client_user', 2), org, c1, 'regress-portal2-' || o || '@example.com', 'Portal2 ' || o, true, false, false, 'PRIMARY'),
           (pg_temp.id(o, 'client_user', 3), org, c2, 'regress-portal3-' || o || '@example.com', 'Portal3 ' || o, true, false, true, 'PRIMARY'),
           (pg_temp.id(o, 'client_user', 4), org, c1, 'regress-portal4-' || o || '@example.com', 'Portal4 ' || o, false, true, true, 'PRIMARY');
    INSERT INTO mycelium.projects (id, organization_id, client_id, name, manager_id)
    VALUES (pg_temp.id(o, 'project', 1), org, c1, 'Launch ' || o, u1),
           (pg_temp.id(o, 'project', 2), org, c2, 'Relaunch ' || o, u3);
    INSERT INTO mycelium.deliverables (id, organization_id, client_id, project_id, service_type_id, title, status,
                                       assigned_user_id, created_by_id)
    VALUES (d1, org, c1, pg_temp.id(o, 'project', 1), s1, 'Reel 1 ' || o, 'PENDING', u2, u1),
           (d2, org, c1, NULL, s2, 'Audit ' || o, 'NEEDS_APPROVAL', NULL, u1),
           (d3, org, c2, pg_temp.id(o, 'project', 2), s1, 'Reel 3 ' || o, 'IN_PROGRESS', u3, u1),
           (pg_temp.id(o, 'deliverable', 4), org, c2, NULL, s2, 'Keywords ' || o, 'NEEDS_APPROVAL', NULL, u1),
           (pg_temp.id(o, 'deliverable', 5), org, c2, NULL, s1, 'Reel 5 ' || o, 'PENDING', NULL, u1),
           (pg_temp.id(o, 'deliverable', 6), org, c1, NULL, s1, 'Reel 6 ' || o, 'PENDING', u3, u1);
    INSERT INTO mycelium.comments (id, organization_id, deliverable_id, user_id, client_user_id, content, is_internal)
    VALUES (pg_temp.id(o, 'comment', 1), org, d1, u1, NULL, 'Looks good', false),
           (pg_temp.id(o, 'comment', 2), org, d1, u1, NULL, 'Internal: over budget', true),
           (pg_temp.id(o, 'comment', 3), org, d2, u2, NULL, 'Draft attached', false),
           (pg_temp.id(o, 'comment', 4), org, d3, NULL, pg_temp.id(o, 'client_user', 3), 'Please hurry', false),
           (pg_temp.id(o, 'comment', 5), org, d2, u1, NULL, 'Internal: client is late paying', true);
    INSERT INTO mycelium.time_entries (id, organization_id, user_id, deliverable_id, start_time, end_time, duration)
    VALUES (pg_temp.id(o, 'time_entry', 1), org, u2, d1, now() - interval '2 hours', now() - interval '1 hour', 60),
           (pg_temp.id(o, 'time_entry', 2), org, u3, d3, now() - interval '3 hours', now() - interval '2 hours', 60),
           (pg_temp.id(o, 'time_entry', 3), org, u1, d2, now() - interval '4 hours', now() - interval '3 hours', 60);
    INSERT INTO mycelium.notifications (id, organization_id, type, title, message, sender_id)
    VALUES (n1, org, 'DELIVERABLE_ASSIGNED', 'Assigned', 'New work for you', u1),
           (n2, org, 'COMMENT_ADDED', 'Comment', 'Editor commented', u2),
           (n3, org, 'SYSTEM_MAINTENANCE', 'Private', 'Only for the SEO person', u1);
    INSERT INTO mycelium.notification_recipients (id, organization_id, notification_id, user_id, channel)
    VALUES (pg_temp.id(o, 'recipient', 1), org, n1, u2, 'in_app'),
           (pg_temp.id(o, 'recipient', 2), org, n1, u3, 'in_app'),
           (pg_temp.id(o, 'recipient', 3), org, n2, u1, 'in_app'),
           (pg_temp.id(o, 'recipient', 4), org, n3, u4, 'in_app');
    INSERT INTO mycelium.integrations (id, organization_id, type, name, is_enabled, config)
    VALUES (pg_temp.id(o, 'integration'), org, 'SLACK', 'Slack', true,
            jsonb_build_object('bot_token', 'xoxb-secret-of-' || o));
    INSERT INTO mycelium.subscriptions (id, organization_id, plan_name, plan_price, current_period_start, current_period_end)
    VALUES (pg_temp.id(o, 'subscription'), org, 'Pro', 49.00, now(), now() + interval '30 days');
    -- Written as the owner, as only the trigger would (59_attachments.sql).
    INSERT INTO mycelium.attachment_versions (id, organization_id, deliverable_id, comment_id, attachment, change, changed_by_id)
    VALUES (pg_temp.id(o, 'attachment_version', 1), org, d1, NULL,
            '{"name": "v1.mp4", "url": "https://example.com/v1.mp4", "size": 1, "content_type": "video/mp4"}', 'REPLACED', u2),
           (pg_temp.id(o, 'attachment_version', 2), org, d1, pg_temp.id(o, 'comment', 2),
            '{"name": "budget.xlsx", "url": "https://example.com/budget.xlsx", "size": 1, "content_type": "application/vnd.ms-excel"}',
            'REMOVED', u1),
           (pg_temp.id(o, 'attachment_version', 3), org, d3, NULL,
            '{"name": "v1.mov", "url": "https://example.com/v1.mov", "size": 1, "content_type": "video/quicktime"}', 'REMOVED', u3),
           (pg_temp.id(o, 'attachment_version', 4), org, d2, pg_temp.id(o, 'comment', 3),
            '{"name": "draft.pdf", "url": "https://example.com/draft.pdf", "size": 1, "content_type": "application/pdf"}',
            'REPLACED', u2);
    -- Written as the owner, as only the event triggers would (56_webhooks.sql).
    INSERT INTO mycelium.webhook_deliveries (id, organization_id, integration_id, event_type, payload)
    VALUES (pg_temp.id(o, 'webhook_delivery', 1), org, pg_temp.id(o, 'integration'), 'deliverable.created',
            jsonb_build_object('type', 'deliverable.created', 'version', 1, 'organization_id', org,
                               'data', jsonb_build_object('deliverable', jsonb_build_object('id', d1)))),
           (pg_temp.id(o, 'webhook_delivery', 2), org, pg_temp.id(o, 'integration'), 'comment.created',
            jsonb_build_object('type', 'comment.created', 'version', 1, 'organization_id', org,
                               'data', jsonb_build_object('comment', jsonb_build_object('id', pg_temp.id(o, 'comment', 1)))));
END;
$$;

-- The fixture's notifications are written out above; the ones the event triggers
-- would add for its clients, projects, assignments and comments are kept out of
-- it (sections 12 on try those triggers). Switching triggers off is a change of
-- Mycelium's tables, made here with the operator's switch.
SET mycelium.allow_schema_changes = on;
ALTER TABLE mycelium.deliverables DISABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.comments DISABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.clients DISABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.projects DISABLE TRIGGER notify_events_insert;
SELECT pg_temp.make_org('a');
SELECT pg_temp.make_org('b');
ALTER TABLE mycelium.deliverables ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.comments ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.clients ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.projects ENABLE TRIGGER notify_events_insert;
RESET mycelium.allow_schema_changes;

-- The activity log's ids are made by the triggers: one of each organization.
CREATE TEMP TABLE regress_log_ids (org text PRIMARY KEY, log_id uuid NOT NULL);
INSERT INTO regress_log_ids
SELECT o, (SELECT l.id FROM mycelium.activity_logs l WHERE l.organization_id = pg_temp.id(o, 'organization')
            ORDER BY l.id LIMIT 1)
  FROM (VALUES ('a'), ('b')) AS v(o);

-- Row 1 of a kind in organization o (the activity log: the one above).
CREATE FUNCTION pg_temp.row_id(kind text, o text) RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'activity_log' THEN (SELECT r.log_id FROM pg_temp.regress_log_ids r WHERE r.org = o)
                ELSE pg_temp.id(o, kind, 1) END
$$;

-- B as it is before anything runs as the application.
CREATE TEMP TABLE regress_b_before AS
SELECT tbl, pg_temp.digest(tbl, org_col, pg_temp.id('b', 'organization')) AS digest FROM regress_tables;

-- What each context may see of A, by the rules of docs/security.md. -1: the
-- table is not readable at all (a portal user's role has no privilege on it).
CREATE TEMP TABLE regress_expected (
    tbl text PRIMARY KEY, admin bigint, editor bigint, editor2 bigint, custom bigint, portal1 bigint, portal3 bigint
);
INSERT INTO regress_expected VALUES
    --                           ADMIN  editor  editor2 CUSTOM  portal1 portal3
    ('organizations',              1,     1,      1,      1,      1,      1),
    ('organization_branding',      1,     1,      1,      1,      1,      1),
    ('organization_settings',      1,     1,      1,      1,      1,      1),
    ('users',                      5,     5,      5,      5,      -1,     -1),
    ('service_types',              2,     2,      2,      2,      2,      2),
    ('deliverable_fields',         1,     1,      1,      1,      1,      1),
    ('clients',                    2,     1,      0,      0,      1,      1),
    ('client_assignments',         2,     1,      1,      0,      -1,     -1),
    ('client_users',               4,     0,      0,      0,      3,      1),
    ('projects',                   2,     1,      1,      0,      1,      1),
    ('deliverables',               6,     3,      2,      2,      3,      3),
    ('comments',                   5,     4,      1,      2,      2,      1),
    ('time_entries',               3,     1,      1,      0,      -1,     -1),
    ('notifications',              3,     2,      1,      1,      0,      0),
    ('notification_recipients',    4,     1,      1,      1,      0,      0),
    ('integrations',               1,     0,      0,      0,      -1,     -1),
    ('activity_logs',             15,     0,      0,      0,      -1,     -1),
    ('subscriptions',              1,     0,      0,      0,      -1,     -1),
    ('attachment_versions',        4,     3,      1,      1,      2,      1),
    ('webhook_deliveries',         2,     0,      0,      0,      -1,     -1);

-- The roles: NOLOGIN, not superusers, no BYPASSRLS, owning nothing.
CREATE ROLE regress_mycelium_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE regress_mycelium_readonly NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE regress_mycelium_bypass NOLOGIN NOSUPERUSER BYPASSRLS;
SELECT mycelium.grant_access('regress_mycelium_app', 'app');
SELECT mycelium.grant_access('regress_mycelium_readonly', 'readonly');
-- A context acts as the role of its kind (set_context switches to it).
GRANT SELECT ON regress_tables, regress_log_ids, regress_expected TO regress_mycelium_app, regress_mycelium_readonly,
    mycelium_admin, mycelium_staff, mycelium_portal;

SELECT mycelium.set_jwt_secret('regress-mycelium-jwt-secret-0123456789abcdef');

-- ====================================================================
-- 1. Preconditions
-- ====================================================================

SELECT set_eq(
    $$SELECT c.relname::text FROM pg_class c
       WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r'
         AND c.relname <> 'job_runs'$$,
    $$SELECT tbl FROM regress_tables$$,
    'the 20 tables tried below are all the tenant tables of schema mycelium');

SELECT ok(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE %I = %L', tbl, org_col, pg_temp.id('a', 'organization'))) > 0
          AND pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE %I = %L', tbl, org_col, pg_temp.id('b', 'organization'))) > 0,
          format('fixture: %s has rows in both organizations', tbl))
  FROM regress_tables ORDER BY ord;

SELECT is((SELECT count(*) FROM mycelium.activity_logs WHERE organization_id = pg_temp.id('a', 'organization')
                                                         AND user_id IS NULL),
          15::bigint, 'fixture: the triggers logged A''s 15 inserts, with no actor');

SELECT ok(NOT r.rolsuper AND NOT r.rolbypassrls AND NOT r.rolcanlogin, format('%s is no superuser and has no BYPASSRLS', r.rolname))
  FROM pg_roles r WHERE r.rolname IN ('regress_mycelium_app', 'regress_mycelium_readonly') ORDER BY r.rolname;

SELECT throws_ok($$SELECT mycelium.grant_access('regress_mycelium_bypass', 'app')$$, '22023',
                 'grant_access: role regress_mycelium_bypass bypasses row-level security',
                 'grant_access refuses a BYPASSRLS role (22023)');

SELECT is(encode(pg_temp.hmac_sha256(convert_to('Jefe', 'UTF8'), convert_to('what do ya want for nothing?', 'UTF8')), 'hex'),
          '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
          'test helper: the SQL HMAC-SHA256 gives RFC 4231 test case 2');

-- ====================================================================
-- 2. No context: nothing to read, nothing to write
-- ====================================================================

SET ROLE regress_mycelium_app;

SELECT ok(mycelium.current_organization_id() IS NULL AND mycelium.current_app_user_id() IS NULL
          AND mycelium.current_app_role() IS NULL AND mycelium.current_client_id() IS NULL
          AND mycelium.current_service_access() = '{}',
          'no context: every context function returns NULL (service access: {})');

SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', tbl)), 0::bigint,
          format('no context: %s returns no rows', tbl))
  FROM regress_tables ORDER BY ord;

SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.' || v), 0::bigint, format('no context: view %s returns no rows', v))
  FROM unnest(ARRAY['user_dashboard_data', 'client_overview', 'organization_analytics', 'recent_activity']) AS v;

SELECT is(mycelium.my_client_ids(), '{}'::uuid[], 'no context: my_client_ids() is empty');

SELECT throws_ok(pg_temp.sample_insert(tbl, 'a'), CASE WHEN app_writes LIKE '%I%' THEN '28M01' ELSE '42501' END,
                 CASE WHEN app_writes LIKE '%I%' THEN format('mycelium: INSERT on mycelium.%s needs a tenant context', tbl)
                      ELSE format('permission denied for table %s', tbl) END,
                 format('no context: INSERT into %s throws %s (%s)', tbl, CASE WHEN app_writes LIKE '%I%' THEN '28M01' ELSE '42501' END,
                        CASE WHEN app_writes LIKE '%I%' THEN 'needs a tenant context' ELSE 'app has no INSERT privilege' END))
  FROM regress_tables ORDER BY ord;

SELECT throws_ok(format('UPDATE mycelium.%I SET %s WHERE id = %L', tbl, set_clause, pg_temp.row_id(kind, 'a')), CASE WHEN app_writes LIKE '%U%' THEN '28M01' ELSE '42501' END,
                 CASE WHEN app_writes LIKE '%U%' THEN format('mycelium: UPDATE on mycelium.%s needs a tenant context', tbl)
                      ELSE format('permission denied for table %s', tbl) END,
                 format('no context: UPDATE of %s throws %s (%s)', tbl, CASE WHEN app_writes LIKE '%U%' THEN '28M01' ELSE '42501' END,
                        CASE WHEN app_writes LIKE '%U%' THEN 'needs a tenant context' ELSE 'app has no UPDATE privilege' END))
  FROM regress_tables ORDER BY ord;

SELECT throws_ok(format('DELETE FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'a')), CASE WHEN app_writes LIKE '%D%' THEN '28M01' ELSE '42501' END,
                 CASE WHEN app_writes LIKE '%D%' THEN format('mycelium: DELETE on mycelium.%s needs a tenant context', tbl)
                      ELSE format('permission denied for table %s', tbl) END,
                 format('no context: DELETE from %s throws %s (%s)', tbl, CASE WHEN app_writes LIKE '%D%' THEN '28M01' ELSE '42501' END,
                        CASE WHEN app_writes LIKE '%D%' THEN 'needs a tenant context' ELSE 'app has no DELETE privilege' END))
  FROM regress_tables ORDER BY ord;

-- ====================================================================
-- 3. A's ADMIN against B, table by table
-- ====================================================================

SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1), 'ADMIN');

SELECT ok(mycelium.current_organization_id() = pg_temp.id('a', 'organization')
          AND mycelium.current_app_user_id() = pg_temp.id('a', 'user', 1) AND mycelium.current_app_role() = 'ADMIN',
          'set_context: the context is A''s ADMIN');

-- Select
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE %I = %L', tbl, org_col, pg_temp.id('b', 'organization'))),
          0::bigint, format('A''s ADMIN: %s shows no row with B''s organization_id', tbl))
  FROM regress_tables ORDER BY ord;

SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'b'))),
          0::bigint, format('A''s ADMIN: %s shows nothing for B''s row selected by its id', tbl))
  FROM regress_tables ORDER BY ord;

-- Update
SELECT CASE WHEN app_writes LIKE '%U%' THEN
           is(pg_temp.affected(format('UPDATE mycelium.%I SET %s WHERE id = %L', tbl, set_clause, pg_temp.row_id(kind, 'b'))),
              0::bigint, format('A''s ADMIN: UPDATE of B''s %s row by id affects 0 rows', tbl))
       ELSE
           throws_ok(format('UPDATE mycelium.%I SET %s WHERE id = %L', tbl, set_clause, pg_temp.row_id(kind, 'b')), '42501',
                     format('permission denied for table %s', tbl),
                     format('A''s ADMIN: UPDATE of B''s %s row throws 42501 (app has no UPDATE privilege)', tbl))
       END
  FROM regress_tables ORDER BY ord;

SELECT is(pg_temp.affected_undone(format('UPDATE mycelium.%I SET %s WHERE id = %L', tbl, set_clause, pg_temp.row_id(kind, 'a'))),
          1::bigint, format('control: the same UPDATE of A''s own %s row affects 1 row (undone)', tbl))
  FROM regress_tables WHERE app_writes LIKE '%U%' ORDER BY ord;

-- Delete
SELECT CASE WHEN app_writes LIKE '%D%' THEN
           is(pg_temp.affected(format('DELETE FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'b'))),
              0::bigint, format('A''s ADMIN: DELETE of B''s %s row by id affects 0 rows', tbl))
       ELSE
           throws_ok(format('DELETE FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'b')), '42501',
                     format('permission denied for table %s', tbl),
                     format('A''s ADMIN: DELETE of B''s %s row throws 42501 (app has no DELETE privilege)', tbl))
       END
  FROM regress_tables ORDER BY ord;

SELECT is(pg_temp.affected_undone(format('DELETE FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'a'))),
          1::bigint, format('control: the same DELETE of A''s own %s row affects 1 row (undone)', tbl))
  FROM regress_tables WHERE app_writes LIKE '%D%' ORDER BY ord;

-- Insert
SELECT throws_ok(pg_temp.sample_insert(tbl, 'b'), '42501',
                 CASE WHEN app_writes LIKE '%I%' THEN format('new row violates row-level security policy for table "%s"', tbl)
                      ELSE format('permission denied for table %s', tbl) END,
                 format('A''s ADMIN: INSERT into %s with organization_id = B throws 42501 (%s)', tbl,
                        CASE WHEN app_writes LIKE '%I%' THEN 'row-level security WITH CHECK'
                             ELSE 'app has no INSERT privilege' END))
  FROM regress_tables ORDER BY ord;

-- (branding and settings are one per organization: A already has its row. Every
-- notification type is the database's (docs/notifications.md), so an
-- application inserts no notification, nor a recipient, in any organization.)
SELECT is(pg_temp.affected_undone(pg_temp.sample_insert(tbl, 'a')), 1::bigint,
          format('control: the same INSERT into %s for A succeeds (undone)', tbl))
  FROM regress_tables
 WHERE app_writes LIKE '%I%'
   AND tbl NOT IN ('organization_branding', 'organization_settings', 'notifications', 'notification_recipients')
 ORDER BY ord;

-- Foreign keys: an A row pointing at a B row. Keys are (organization_id, id), so
-- (A, B's id) exists nowhere: 23503, exactly as for an id that exists in no
-- organization, unless a policy refuses the row first (42501).
SELECT throws_ok(format('UPDATE mycelium.clients SET organization_id = %L WHERE id = %L',
                        pg_temp.id('b', 'organization'), pg_temp.id('a', 'client', 1)),
                 '42501', 'new row violates row-level security policy for table "clients"',
                 'organizations: moving A''s client under B''s organization throws 42501 (WITH CHECK runs before the foreign key to organizations)');
SELECT throws_ok(format('UPDATE mycelium.organization_branding SET organization_id = %L WHERE id = %L',
                        pg_temp.id('b', 'organization'), pg_temp.id('a', 'branding')),
                 '42501', 'new row violates row-level security policy for table "organization_branding"',
                 'organization_branding: re-pointing A''s branding at B throws 42501 (WITH CHECK, before the one-per-organization key could answer 23505)');
SELECT throws_ok(format('UPDATE mycelium.organization_settings SET organization_id = %L WHERE id = %L',
                        pg_temp.id('b', 'organization'), pg_temp.id('a', 'settings')),
                 '42501', 'new row violates row-level security policy for table "organization_settings"',
                 'organization_settings: re-pointing A''s settings at B throws 42501 (WITH CHECK, before the one-per-organization key could answer 23505)');
SELECT throws_ok(format('UPDATE mycelium.deliverables SET assigned_user_id = %L WHERE id = %L',
                        pg_temp.id('b', 'user', 2), pg_temp.id('a', 'deliverable', 1)),
                 '23503', 'insert or update on table "deliverables" violates foreign key constraint "deliverables_assigned_user_fkey"',
                 'users: assigning A''s deliverable to B''s user throws 23503 (no user (A, B''s id))');
SELECT throws_ok(format('UPDATE mycelium.deliverables SET assigned_user_id = %L WHERE id = %L',
                        gen_random_uuid(), pg_temp.id('a', 'deliverable', 1)),
                 '23503', 'insert or update on table "deliverables" violates foreign key constraint "deliverables_assigned_user_fkey"',
                 'users: ...exactly as for a user id that exists nowhere (B''s user cannot be inferred)');
SELECT throws_ok(format('INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 1),
                        pg_temp.id('b', 'service_type', 1), 'Stolen service', pg_temp.id('a', 'user', 1)),
                 '23503', 'insert or update on table "deliverables" violates foreign key constraint "deliverables_service_type_fkey"',
                 'service_types: an A deliverable of B''s service type throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.deliverable_fields (organization_id, service_type_id, name, slug, type) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('b', 'service_type', 1),
                        'Stolen', 'stolen', 'TEXT'),
                 '23503', 'insert or update on table "deliverable_fields" violates foreign key constraint "deliverable_fields_service_type_fkey"',
                 'deliverable_fields: an A field of B''s service type throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.projects (organization_id, client_id, name) VALUES (%L, %L, %L)',
                        pg_temp.id('a', 'organization'), pg_temp.id('b', 'client', 1), 'Stolen'),
                 '23503', 'insert or update on table "projects" violates foreign key constraint "projects_client_fkey"',
                 'clients: an A project for B''s client throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.projects (organization_id, client_id, name) VALUES (%L, %L, %L)',
                        pg_temp.id('a', 'organization'), gen_random_uuid(), 'Stolen'),
                 '23503', 'insert or update on table "projects" violates foreign key constraint "projects_client_fkey"',
                 'clients: ...exactly as for a client id that exists nowhere (B''s client cannot be inferred)');
SELECT throws_ok(format('INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id) '
                        'VALUES (%L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('b', 'client', 1),
                        pg_temp.id('a', 'user', 3), pg_temp.id('a', 'service_type', 2)),
                 '23503', 'insert or update on table "client_assignments" violates foreign key constraint "client_assignments_client_fkey"',
                 'client_assignments: an A assignment to B''s client throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.client_users (organization_id, client_id, email, name) VALUES (%L, %L, %L, %L)',
                        pg_temp.id('a', 'organization'), pg_temp.id('b', 'client', 1), 'regress-spy@example.com', 'Spy'),
                 '23503', 'insert or update on table "client_users" violates foreign key constraint "client_users_client_fkey"',
                 'client_users: an A portal user of B''s client throws 23503');
SELECT throws_ok(format('UPDATE mycelium.deliverables SET project_id = %L WHERE id = %L',
                        pg_temp.id('b', 'project', 1), pg_temp.id('a', 'deliverable', 1)),
                 '23503', 'insert or update on table "deliverables" violates foreign key constraint "deliverables_project_fkey"',
                 'projects: putting A''s deliverable in B''s project throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content) VALUES (%L, %L, %L, %L)',
                        pg_temp.id('a', 'organization'), pg_temp.id('b', 'deliverable', 1), pg_temp.id('a', 'user', 1), 'Hi B'),
                 '42501', 'new row violates row-level security policy for table "comments"',
                 'deliverables: an A comment on B''s deliverable throws 42501 (WITH CHECK requires a visible deliverable, before the foreign key)');
SELECT throws_ok(format('UPDATE mycelium.deliverables SET parent_id = %L WHERE id = %L',
                        pg_temp.id('b', 'deliverable', 1), pg_temp.id('a', 'deliverable', 1)),
                 '23503', 'insert or update on table "deliverables" violates foreign key constraint "deliverables_parent_fkey"',
                 'deliverables: making B''s deliverable the parent of A''s throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, parent_id) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'deliverable', 1),
                        pg_temp.id('a', 'user', 1), 'Reply', pg_temp.id('b', 'comment', 1)),
                 '23503', 'insert or update on table "comments" violates foreign key constraint "comments_parent_fkey"',
                 'comments: an A reply to B''s comment throws 23503');
SELECT throws_ok(format('INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time) '
                        'VALUES (%L, %L, %L, now())', pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1),
                        pg_temp.id('b', 'deliverable', 1)),
                 '42501', 'new row violates row-level security policy for table "time_entries"',
                 'time_entries: A''s time on B''s deliverable throws 42501 (WITH CHECK requires a visible deliverable, before the foreign key)');
-- A recipient row is checked against its notification before the foreign key
-- (address_recipient): what the caller cannot see is not theirs to address.
SELECT throws_ok(format('INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel) '
                        'VALUES (%L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('b', 'notification', 1),
                        pg_temp.id('a', 'user', 1), 'email'),
                 '42501', format('mycelium: notification %s is not one the caller may address', pg_temp.id('b', 'notification', 1)),
                 'notifications: an A recipient of B''s notification throws 42501');
SELECT throws_ok(format('INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel) '
                        'VALUES (%L, %L, %L, %L)', pg_temp.id('a', 'organization'), '01890000-0000-7000-8000-000000000000',
                        pg_temp.id('a', 'user', 1), 'email'),
                 '42501', 'mycelium: notification 01890000-0000-7000-8000-000000000000 is not one the caller may address',
                 'notifications: ...exactly as for a notification id that exists nowhere');
SELECT throws_ok(format('INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel) '
                        'VALUES (%L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'notification', 3),
                        pg_temp.id('b', 'user', 1), 'email'),
                 '42501', format('mycelium: notification %s is not one the caller may address', pg_temp.id('a', 'notification', 3)),
                 'notification_recipients: notifying B''s user of an A notification throws 42501 (every type is the database''s to address, before the foreign key)');
SELECT throws_ok(format('UPDATE mycelium.integrations SET organization_id = %L WHERE id = %L',
                        pg_temp.id('b', 'organization'), pg_temp.id('a', 'integration')),
                 '42501', 'new row violates row-level security policy for table "integrations"',
                 'integrations: re-pointing A''s integration at B throws 42501 (WITH CHECK, before the per-organization type key could answer 23505)');
SELECT throws_ok(format('INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('b', 'user', 1),
                        'forged', 'user', pg_temp.id('b', 'user', 1)),
                 '42501', 'permission denied for table activity_logs',
                 'activity_logs: an A log row naming B''s user throws 42501 (only the triggers write the log)');
SELECT throws_ok(format('UPDATE mycelium.subscriptions SET organization_id = %L WHERE id = %L',
                        pg_temp.id('b', 'organization'), pg_temp.id('a', 'subscription')),
                 '42501', 'permission denied for table subscriptions',
                 'subscriptions: re-pointing A''s subscription at B throws 42501 (app has no UPDATE privilege)');

-- Statements without a WHERE clause touch A only.
SELECT is(pg_temp.affected_undone($$UPDATE mycelium.deliverables SET description = 'mass update'$$), 6::bigint,
          'A''s ADMIN: UPDATE deliverables without WHERE affects A''s 6 rows only (undone)');
SELECT is(pg_temp.affected_undone($$DELETE FROM mycelium.comments$$), 5::bigint,
          'A''s ADMIN: DELETE FROM comments without WHERE deletes A''s 5 rows only (undone)');
SELECT is(pg_temp.affected_undone($$UPDATE mycelium.users SET phone = '555'$$), 5::bigint,
          'A''s ADMIN: UPDATE users without WHERE affects A''s 5 rows only (undone)');

-- The mirror image: B's ADMIN sees its own and nothing of A.
SELECT mycelium.set_context(pg_temp.id('b', 'organization'), pg_temp.id('b', 'user', 1), 'ADMIN');

SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE %I = %L', tbl, org_col, pg_temp.id('a', 'organization'))),
          0::bigint, format('B''s ADMIN: %s shows no row of A', tbl))
  FROM regress_tables ORDER BY ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY(SELECT pg_temp.id('b', 'deliverable', n) FROM generate_series(1, 6) n),
              'B''s ADMIN: deliverables are exactly B''s six');

-- ====================================================================
-- 4. Views and functions return nothing of B
-- ====================================================================

SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1), 'ADMIN');

SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE organization_id IS DISTINCT FROM %L',
                               v, pg_temp.id('a', 'organization'))),
          0::bigint, format('A''s ADMIN: view %s returns no row of another organization', v))
  FROM unnest(ARRAY['user_dashboard_data', 'client_overview', 'organization_analytics', 'recent_activity']) AS v;

SELECT set_eq('SELECT user_id FROM mycelium.user_dashboard_data',
              ARRAY(SELECT pg_temp.id('a', 'user', n) FROM generate_series(1, 4) n),
              'user_dashboard_data: A''s four active users');
SELECT results_eq(
    $$SELECT id, total_deliverables FROM mycelium.client_overview ORDER BY id$$,
    $$VALUES (pg_temp.id('a', 'client', 1), 3::bigint), (pg_temp.id('a', 'client', 2), 3::bigint)$$,
    'client_overview: A''s two clients, three deliverables each');
SELECT results_eq(
    $$SELECT organization_id, active_users, active_clients, total_deliverables, total_projects, service_types_count
        FROM mycelium.organization_analytics$$,
    $$VALUES (pg_temp.id('a', 'organization'), 4::bigint, 2::bigint, 6::bigint, 2::bigint, 2::bigint)$$,
    'organization_analytics: one row, A''s counts (B counts nothing)');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.recent_activity'), 15::bigint,
          'recent_activity: A''s 15 log rows');

SELECT is(mycelium.my_client_ids(), '{}'::uuid[], 'my_client_ids(): A''s ADMIN has no assignments, and none of B''s');
SELECT is(mycelium.my_service_type_ids(), '{}'::uuid[], 'my_service_type_ids(): empty for an ADMIN');
SELECT is(mycelium.portal_can('approve'), false, 'portal_can(''approve''): false for staff');

SELECT throws_ok('SELECT mycelium.database_health_check()', '42501',
                 'permission denied for function database_health_check',
                 'database_health_check() (counts across tenants) is not executable by the app role: 42501');
SELECT throws_ok($$SELECT mycelium.create_organization('Regress Intruder')$$, '42501',
                 'permission denied for function create_organization', 'create_organization() is not executable by the app role');
SELECT throws_ok($$SELECT mycelium.archive_old_deliverables('1 day')$$, '42501',
                 'permission denied for function archive_old_deliverables',
                 'archive_old_deliverables() (all tenants) is not executable by the app role');
SELECT throws_ok($$SELECT mycelium.cleanup_old_activity_logs('1 day')$$, '42501',
                 'permission denied for function cleanup_old_activity_logs',
                 'cleanup_old_activity_logs() (all tenants) is not executable by the app role');
SELECT throws_ok(format($$SELECT mycelium_internal.seal_context(%L, %L, 'ADMIN', NULL, '{}', now() + interval '1 hour')$$,
                        pg_temp.id('b', 'organization'), pg_temp.id('b', 'user', 1)), '42501',
                 'permission denied for schema mycelium_internal',
                 'seal_context() (seals any context unchecked) is not executable by the app role');
SELECT throws_ok(format($$SELECT mycelium_internal.establish_context(%L, %L, 'ADMIN', NULL, '{}', now() + interval '1 hour', 'x')$$,
                        pg_temp.id('b', 'organization'), pg_temp.id('b', 'user', 1)), '42501',
                 'permission denied for schema mycelium_internal',
                 'establish_context() is not executable by the app role');
SELECT throws_ok($$SELECT mycelium.set_jwt_secret('regress-attacker-chosen-secret-0123456789')$$, '42501',
                 'permission denied for function set_jwt_secret',
                 'set_jwt_secret() is not executable by the app role (it could mint tokens)');
SELECT throws_ok($$SELECT mycelium.grant_access('regress_mycelium_app', 'maintenance')$$, '42501',
                 'permission denied for function grant_access', 'grant_access() is not executable by the app role');
SELECT throws_ok('SELECT * FROM mycelium_internal.auth_keys', '42501', 'permission denied for schema mycelium_internal',
                 'mycelium_internal.auth_keys (the server''s keys) is not readable by the app role');

-- Planner statistics hold sample values of every tenant: pg_stats hides them
-- from a role under row-level security.
RESET ROLE;
ANALYZE mycelium.users, mycelium.clients, mycelium.integrations, mycelium.deliverables;
SET ROLE regress_mycelium_app;
SELECT is((SELECT count(*) FROM pg_stats WHERE schemaname = 'mycelium'), 0::bigint,
          'pg_stats shows the app role no statistics (sample values) of the tenant tables');

-- ====================================================================
-- 5. Each role sees exactly what the rules give
-- ====================================================================

-- ADMIN: all of its organization.
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.admin,
          format('ADMIN sees all of A: %s row(s) of %s', e.admin, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY(SELECT pg_temp.id('a', 'deliverable', n) FROM generate_series(1, 6) n),
              'ADMIN: deliverables 1-6');

-- VIDEO_EDITOR assigned to client 1.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.editor,
          format('VIDEO_EDITOR (client 1) sees %s row(s) of %s', e.editor, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 6)],
              'VIDEO_EDITOR (client 1): deliverables 1, 2, 6 (assigned to them or of client 1), not 3, 4, 5');

-- The editor whose only assignment is inactive.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 3), 'VIDEO_EDITOR');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.editor2,
          format('VIDEO_EDITOR without active assignment sees %s row(s) of %s', e.editor2, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 3), pg_temp.id('a', 'deliverable', 6)],
              'VIDEO_EDITOR without active assignment: only deliverables 3 and 6, assigned to them');

-- CUSTOM with service access seo.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 4), 'CUSTOM', NULL, '{seo}');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.custom,
          format('CUSTOM (seo) sees %s row(s) of %s', e.custom, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 4)],
              'CUSTOM (seo): deliverables 2 and 4, those of service seo');
SELECT is(mycelium.my_service_type_ids(), ARRAY[pg_temp.id('a', 'service_type', 2)],
          'my_service_type_ids(): A''s seo only, not B''s seo');

-- CLIENT: portal user 1 of client 1.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'client_user', 1), 'CLIENT',
                            pg_temp.id('a', 'client', 1));
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.portal1,
          format('CLIENT of client 1 sees %s row(s) of %s', e.portal1, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 6)],
              'CLIENT of client 1: deliverables 1, 2, 6, its client''s');
SELECT set_eq('SELECT id FROM mycelium.comments',
              ARRAY[pg_temp.id('a', 'comment', 1), pg_temp.id('a', 'comment', 3)],
              'CLIENT of client 1: comments 1 and 3, none of the internal ones (2, 5)');

-- CLIENT: portal user 3 of client 2.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'client_user', 3), 'CLIENT');
SELECT is(mycelium.current_client_id(), pg_temp.id('a', 'client', 2),
          'set_context for CLIENT without client_id takes the client from the portal user''s row');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', e.tbl)), e.portal3,
          format('CLIENT of client 2 sees %s row(s) of %s', e.portal3, e.tbl))
  FROM regress_expected e JOIN regress_tables t USING (tbl) ORDER BY t.ord;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 3), pg_temp.id('a', 'deliverable', 4), pg_temp.id('a', 'deliverable', 5)],
              'CLIENT of client 2: deliverables 3, 4, 5');

-- ====================================================================
-- 6. Each role may write exactly what the rules allow
-- ====================================================================

-- ------ Portal users ------
-- Portal user 3 (client 2) has no can_approve.
SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 4))),
          0::bigint, 'CLIENT without can_approve: approving its own client''s deliverable affects 0 rows');
SELECT is(pg_temp.affected(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content)
                                    VALUES (%L, %L, %L, 'Fine by us')$$, pg_temp.id('a', 'organization'),
                                  pg_temp.id('a', 'deliverable', 4), pg_temp.id('a', 'client_user', 3))),
          1::bigint, 'CLIENT with can_comment: comments on its client''s deliverable');

-- Portal user 2 (client 1): neither can_approve nor can_comment.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'client_user', 2), 'CLIENT',
                            pg_temp.id('a', 'client', 1));
SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 2))),
          0::bigint, 'CLIENT without can_approve: approving a deliverable awaiting approval affects 0 rows');
SELECT throws_ok(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content)
                          VALUES (%L, %L, %L, 'Hello')$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'client_user', 2)),
                 '42501', 'new row violates row-level security policy for table "comments"',
                 'CLIENT without can_comment: commenting throws 42501');

-- Portal user 1 (client 1): can_approve and can_comment.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'client_user', 1), 'CLIENT',
                            pg_temp.id('a', 'client', 1));
SELECT is(mycelium.portal_can('approve'), true, 'portal_can(''approve''): true for a portal user with can_approve');
SELECT is(pg_temp.affected_undone(format($$UPDATE mycelium.deliverables SET status = 'IN_PROGRESS' WHERE id = %L$$,
                                         pg_temp.id('a', 'deliverable', 2))),
          1::bigint, 'CLIENT with can_approve: sending back a deliverable awaiting approval works (undone)');
-- approved_at is the server's: set to now() on approval, never written by the portal user.
SELECT isnt(pg_temp.after_undone(
                format($$UPDATE mycelium.deliverables SET status = 'IN_PROGRESS', approved_at = '2000-01-01 00:00+00'
                          WHERE id = %L$$, pg_temp.id('a', 'deliverable', 2)),
                format($$SELECT (approved_at IS NOT DISTINCT FROM '2000-01-01 00:00+00')::text
                           FROM mycelium.deliverables WHERE id = %L$$, pg_temp.id('a', 'deliverable', 2))),
            'true',
            'CLIENT with can_approve: sending back cannot also write approved_at (approve or send back, nothing else)');
SELECT throws_ok(format($$UPDATE mycelium.deliverables SET status = 'APPROVED', approved_at = '2000-01-01 00:00+00'
                          WHERE id = %L$$, pg_temp.id('a', 'deliverable', 2)),
                 '42501', 'permission denied for table deliverables',
                 'CLIENT with can_approve: approving cannot write approved_at (status is the one column it writes)');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 2))),
          1::bigint, 'CLIENT with can_approve: approving a deliverable awaiting approval affects 1 row');
SELECT ok((SELECT status = 'APPROVED' AND approved_at IS NOT NULL FROM mycelium.deliverables
            WHERE id = pg_temp.id('a', 'deliverable', 2)),
          'the approved deliverable is APPROVED and approved_at is set');
SELECT throws_ok(format($$UPDATE mycelium.deliverables SET title = 'Renamed by client' WHERE id = %L$$,
                        pg_temp.id('a', 'deliverable', 1)),
                 '42501', 'permission denied for table deliverables',
                 'CLIENT with can_approve: changing a title throws 42501');
SELECT throws_ok(format($$UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE id = %L$$,
                        pg_temp.id('a', 'deliverable', 1)),
                 '42501', 'mycelium: a portal user may only approve a deliverable awaiting approval, or send it back',
                 'CLIENT with can_approve: approving a PENDING deliverable throws 42501');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET status = 'APPROVED' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 4))),
          0::bigint, 'CLIENT with can_approve: approving another client''s deliverable affects 0 rows');
SELECT is(pg_temp.affected(format('DELETE FROM mycelium.deliverables WHERE id = %L', pg_temp.id('a', 'deliverable', 1))),
          -1::bigint, 'CLIENT: deleting its client''s deliverable fails (no privilege)');
SELECT is(pg_temp.affected(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content)
                                    VALUES (%L, %L, %L, 'Approved, thanks')$$, pg_temp.id('a', 'organization'),
                                  pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'client_user', 1))),
          1::bigint, 'CLIENT with can_comment: comments on its client''s deliverable');
SELECT throws_ok(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content, is_internal)
                          VALUES (%L, %L, %L, 'Secret', true)$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'client_user', 1)),
                 '42501', 'permission denied for table comments',
                 'CLIENT with can_comment: an internal comment throws 42501');
SELECT throws_ok(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content)
                          VALUES (%L, %L, %L, 'As the admin')$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'user', 1)),
                 '42501', 'permission denied for table comments',
                 'CLIENT: a comment in a staff user''s name throws 42501');
SELECT throws_ok(format($$INSERT INTO mycelium.comments (organization_id, deliverable_id, client_user_id, content)
                          VALUES (%L, %L, %L, 'Not ours')$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'deliverable', 4), pg_temp.id('a', 'client_user', 1)),
                 '42501', 'new row violates row-level security policy for table "comments"',
                 'CLIENT: a comment on another client''s deliverable throws 42501');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.comments WHERE is_internal'), 0::bigint,
          'CLIENT: still no internal comment visible');
SELECT throws_ok(format($$INSERT INTO mycelium.notifications (organization_id, type, title, message)
                          VALUES (%L, 'COMMENT_ADDED', 'Hi', 'Hi')$$, pg_temp.id('a', 'organization')),
                 '42501', 'permission denied for table notifications',
                 'CLIENT: creating a notification throws 42501 (staff only)');
SELECT throws_ok(format($$INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, start_time)
                          VALUES (%L, %L, %L, now())$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2),
                        pg_temp.id('a', 'deliverable', 1)),
                 '42501', 'permission denied for table time_entries',
                 'CLIENT: logging time throws 42501');

-- ------ VIDEO_EDITOR assigned to client 1 ------
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR');
SELECT is(mycelium.my_client_ids(), ARRAY[pg_temp.id('a', 'client', 1)], 'my_client_ids(): the editor''s client 1 of A only');
SELECT results_eq(
    $$SELECT total_deliverables, active_clients, total_projects FROM mycelium.organization_analytics$$,
    $$VALUES (3::bigint, 1::bigint, 1::bigint)$$,
    'organization_analytics for the editor counts only what the editor may see');

SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET title = 'Reel 1 (v2)' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 1))),
          1::bigint, 'VIDEO_EDITOR: updating a deliverable assigned to them affects 1 row');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.deliverables SET title = 'Mine now' WHERE id = %L$$,
                                  pg_temp.id('a', 'deliverable', 3))),
          0::bigint, 'VIDEO_EDITOR: updating a deliverable of another client, not theirs, affects 0 rows');
SELECT is(pg_temp.affected(format('DELETE FROM mycelium.deliverables WHERE id = %L', pg_temp.id('a', 'deliverable', 1))),
          0::bigint, 'VIDEO_EDITOR: deleting a deliverable affects 0 rows (ADMIN only)');
SELECT is(pg_temp.affected_undone(format(
              'INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id) '
              'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 1),
              pg_temp.id('a', 'service_type', 1), 'New reel', pg_temp.id('a', 'user', 2))),
          1::bigint, 'VIDEO_EDITOR: creating a deliverable for their assigned client works (undone)');
SELECT throws_ok(format('INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 2),
                        pg_temp.id('a', 'service_type', 1), 'New reel', pg_temp.id('a', 'user', 2)),
                 '42501', 'new row violates row-level security policy for table "deliverables"',
                 'VIDEO_EDITOR: creating a deliverable for a client they are not assigned to throws 42501');

-- Users: their own profile, nothing else.
SELECT is(pg_temp.affected(format($$UPDATE mycelium.users SET title = 'Senior editor' WHERE id = %L$$,
                                  pg_temp.id('a', 'user', 2))),
          1::bigint, 'VIDEO_EDITOR: updating their own title affects 1 row');
SELECT throws_ok(format($$UPDATE mycelium.users SET role = 'ADMIN' WHERE id = %L$$, pg_temp.id('a', 'user', 2)),
                 '42501', 'mycelium: only an ADMIN may change role of users',
                 'VIDEO_EDITOR: changing their own role throws 42501');
SELECT throws_ok(format($$UPDATE mycelium.users SET email = 'regress-new@example.com' WHERE id = %L$$,
                        pg_temp.id('a', 'user', 2)),
                 '42501', 'mycelium: only an ADMIN may change email of users',
                 'VIDEO_EDITOR: changing their own login e-mail throws 42501');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.users SET title = 'Intern' WHERE id = %L$$, pg_temp.id('a', 'user', 3))),
          0::bigint, 'VIDEO_EDITOR: updating another user affects 0 rows');
SELECT throws_ok(pg_temp.sample_insert('users', 'a'), '42501', 'new row violates row-level security policy for table "users"',
                 'VIDEO_EDITOR: creating a user throws 42501 (ADMIN only)');

-- Password hashes are in mycelium_internal.credentials, out of reach; whole rows
-- of users and client_users are readable.
SELECT throws_ok('SELECT * FROM mycelium_internal.credentials', '42501', 'permission denied for schema mycelium_internal',
                 'mycelium_internal.credentials is not readable (42501)');
SELECT lives_ok('SELECT * FROM mycelium.users', 'SELECT * FROM users works (no hash in it)');
SELECT lives_ok('SELECT * FROM mycelium.client_users', 'SELECT * FROM client_users works (no hash in it)');
SELECT throws_ok($$SELECT mycelium.import_password_hash(gen_random_uuid(), 'x')$$, '42501',
                 'permission denied for function import_password_hash',
                 'import_password_hash() is not executable by the app role');

-- Integrations and assignments: ADMIN only.
SELECT is(pg_temp.affected($$UPDATE mycelium.integrations SET config = '{}'$$), 0::bigint,
          'VIDEO_EDITOR: updating integrations affects 0 rows');
SELECT throws_ok(pg_temp.sample_insert('integrations', 'a'), '42501',
                 'new row violates row-level security policy for table "integrations"',
                 'VIDEO_EDITOR: creating an integration throws 42501');
SELECT throws_ok(pg_temp.sample_insert('client_assignments', 'a'), '42501',
                 'new row violates row-level security policy for table "client_assignments"',
                 'VIDEO_EDITOR: assigning a client throws 42501');

-- Time entries: their own.
SELECT is(pg_temp.affected_undone(format($$UPDATE mycelium.time_entries SET description = 'Editing' WHERE id = %L$$,
                                         pg_temp.id('a', 'time_entry', 1))),
          1::bigint, 'VIDEO_EDITOR: updating their own time entry works (undone)');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.time_entries SET duration = 0 WHERE id = %L$$,
                                  pg_temp.id('a', 'time_entry', 3))),
          0::bigint, 'VIDEO_EDITOR: updating someone else''s time entry affects 0 rows');

-- Notification recipients: their own, which they may mark read.
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.notification_recipients WHERE user_id <> %L', pg_temp.id('a', 'user', 2))),
          0::bigint, 'VIDEO_EDITOR: no recipient row of anyone else is visible');
SELECT is(pg_temp.affected(format('UPDATE mycelium.notification_recipients SET read_at = now() WHERE id = %L',
                                  pg_temp.id('a', 'recipient', 1))),
          1::bigint, 'VIDEO_EDITOR: marking their own notification read affects 1 row');
SELECT is(pg_temp.affected(format('UPDATE mycelium.notification_recipients SET read_at = now() WHERE id = %L',
                                  pg_temp.id('a', 'recipient', 2))),
          0::bigint, 'VIDEO_EDITOR: marking a colleague''s notification read affects 0 rows');
SELECT throws_ok(format($$UPDATE mycelium.notification_recipients SET channel = 'slack' WHERE id = %L$$,
                        pg_temp.id('a', 'recipient', 1)),
                 '42501', 'permission denied for table notification_recipients',
                 'VIDEO_EDITOR: changing the channel of their own recipient row throws 42501 (no application writes it)');
SELECT throws_ok(format($$UPDATE mycelium.notification_recipients SET email_status = 'opened' WHERE id = %L$$,
                        pg_temp.id('a', 'recipient', 1)),
                 '42501', 'mycelium: only an ADMIN may change email_status of notification_recipients',
                 'VIDEO_EDITOR: changing anything but read_at of their own recipient row throws 42501');
SELECT throws_ok(format($$UPDATE mycelium.notification_recipients SET delivered_at = now(), attempts = 7 WHERE id = %L$$,
                        pg_temp.id('a', 'recipient', 1)),
                 '42501', 'permission denied for table notification_recipients',
                 'VIDEO_EDITOR: marking their own delivery done (the delivery worker''s columns) throws 42501');
SELECT throws_ok(format($$UPDATE mycelium.time_entries SET deliverable_id = %L WHERE id = %L$$,
                        pg_temp.id('a', 'deliverable', 4), pg_temp.id('a', 'time_entry', 1)),
                 '42501', 'new row violates row-level security policy for table "time_entries"',
                 'VIDEO_EDITOR: moving their time entry onto a deliverable they cannot see throws 42501');
SELECT throws_ok(format($$UPDATE mycelium.time_entries SET user_id = %L WHERE id = %L$$,
                        pg_temp.id('a', 'user', 3), pg_temp.id('a', 'time_entry', 1)),
                 '42501', 'new row violates row-level security policy for table "time_entries"',
                 'VIDEO_EDITOR: handing their time entry to a colleague throws 42501');
SELECT is(pg_temp.affected(format('DELETE FROM mycelium.notification_recipients WHERE id = %L',
                                  pg_temp.id('a', 'recipient', 1))),
          0::bigint, 'VIDEO_EDITOR: deleting even their own recipient row affects 0 rows (ADMIN only)');

-- The activity log: never written by the application, read by actor.
SELECT throws_ok(pg_temp.sample_insert('activity_logs', 'a'), '42501', 'permission denied for table activity_logs',
                 'activity_logs: INSERT by the app role throws 42501');
SELECT throws_ok($$UPDATE mycelium.activity_logs SET action = 'nothing happened'$$, '42501',
                 'permission denied for table activity_logs', 'activity_logs: UPDATE by the app role throws 42501');
SELECT throws_ok('DELETE FROM mycelium.activity_logs', '42501', 'permission denied for table activity_logs',
                 'activity_logs: DELETE by the app role throws 42501');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.activity_logs'), 2::bigint,
          'activity_logs: the editor reads their own two actions (the deliverable and their profile)');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.activity_logs WHERE user_id IS DISTINCT FROM %L',
                               pg_temp.id('a', 'user', 2))),
          0::bigint, 'activity_logs: ...and nothing of anyone else''s');

-- The editor without active assignment: does not read the first editor's log.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 3), 'VIDEO_EDITOR');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.activity_logs'), 0::bigint,
          'activity_logs: another editor reads none of those actions');
SELECT is(mycelium.my_client_ids(), '{}'::uuid[], 'my_client_ids(): an inactive assignment does not count');
SELECT is(pg_temp.affected_undone(format($$UPDATE mycelium.projects SET name = 'Relaunch (managed)' WHERE id = %L$$,
                                         pg_temp.id('a', 'project', 2))),
          1::bigint, 'projects: the manager updates their project (undone)');
SELECT is(pg_temp.affected(format($$UPDATE mycelium.projects SET name = 'Taken' WHERE id = %L$$, pg_temp.id('a', 'project', 1))),
          0::bigint, 'projects: updating a project one does not manage affects 0 rows');
SELECT ok((SELECT read_at IS NULL FROM mycelium.notification_recipients WHERE id = pg_temp.id('a', 'recipient', 2)),
          'notification_recipients: the colleague''s row is still unread');

-- CUSTOM: creates work in its services only.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 4), 'CUSTOM', NULL, '{seo}');
SELECT is(pg_temp.affected_undone(format(
              'INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id) '
              'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 2),
              pg_temp.id('a', 'service_type', 2), 'More keywords', pg_temp.id('a', 'user', 4))),
          1::bigint, 'CUSTOM (seo): creating an seo deliverable works (undone)');
SELECT throws_ok(format('INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, created_by_id) '
                        'VALUES (%L, %L, %L, %L, %L)', pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 2),
                        pg_temp.id('a', 'service_type', 1), 'A reel', pg_temp.id('a', 'user', 4)),
                 '42501', 'new row violates row-level security policy for table "deliverables"',
                 'CUSTOM (seo): creating a social deliverable throws 42501');

-- ADMIN reads everyone's actions.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1), 'ADMIN');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.activity_logs WHERE user_id = %L', pg_temp.id('a', 'user', 2))),
          2::bigint, 'activity_logs: the ADMIN reads the editor''s two actions');
SELECT ok((SELECT read_at IS NOT NULL FROM mycelium.notification_recipients WHERE id = pg_temp.id('a', 'recipient', 1)),
          'notification_recipients: the ADMIN sees the editor''s row marked read');

-- ====================================================================
-- 7. set_context refuses
-- ====================================================================

SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'ADMIN')$$, pg_temp.id('a', 'organization'), pg_temp.id('b', 'user', 1)),
                 '28000', format('set_context: %s is not an active user of organization %s',
                                 pg_temp.id('b', 'user', 1), pg_temp.id('a', 'organization')),
                 'set_context: B''s ADMIN in organization A throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'ADMIN')$$, pg_temp.id('a', 'organization'),
                        '00000000-0000-4000-8000-0000000000ff'),
                 '28000', format('set_context: %s is not an active user of organization %s',
                                 '00000000-0000-4000-8000-0000000000ff', pg_temp.id('a', 'organization')),
                 'set_context: ...with the same message as a user who exists nowhere');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'VIDEO_EDITOR')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 5)),
                 '28000', format('set_context: %s is not an active user of organization %s',
                                 pg_temp.id('a', 'user', 5), pg_temp.id('a', 'organization')),
                 'set_context: an INACTIVE user throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'ADMIN')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2)),
                 '28000', format('set_context: user %s has role VIDEO_EDITOR, not ADMIN', pg_temp.id('a', 'user', 2)),
                 'set_context: a VIDEO_EDITOR claiming ADMIN throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT', %L)$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'client_user', 1), pg_temp.id('a', 'client', 2)),
                 '28000', format('set_context: portal user %s belongs to another client', pg_temp.id('a', 'client_user', 1)),
                 'set_context: a CLIENT user paired with another client throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT', %L)$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'client_user', 4), pg_temp.id('a', 'client', 1)),
                 '28000', format('set_context: %s is not an active portal user of organization %s',
                                 pg_temp.id('a', 'client_user', 4), pg_temp.id('a', 'organization')),
                 'set_context: an inactive portal user throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'CLIENT')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2)),
                 '28000', format('set_context: %s is not an active portal user of organization %s',
                                 pg_temp.id('a', 'user', 2), pg_temp.id('a', 'organization')),
                 'set_context: a staff user as CLIENT throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'VIDEO_EDITOR')$$, pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'client_user', 1)),
                 '28000', format('set_context: %s is not an active user of organization %s',
                                 pg_temp.id('a', 'client_user', 1), pg_temp.id('a', 'organization')),
                 'set_context: a portal user as staff throws 28000');
SELECT throws_ok(format($$SELECT mycelium.set_context(NULL, %L, 'ADMIN')$$, pg_temp.id('a', 'user', 1)),
                 '22023', 'set_context: organization_id, user_id and role are required',
                 'set_context: a NULL organization throws 22023');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, NULL, 'ADMIN')$$, pg_temp.id('a', 'organization')),
                 '22023', 'set_context: organization_id, user_id and role are required',
                 'set_context: a NULL user throws 22023');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, NULL)$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1)),
                 '22023', 'set_context: organization_id, user_id and role are required',
                 'set_context: a NULL role throws 22023');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'SUPERADMIN')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1)),
                 '22023', $$set_context: unknown role 'SUPERADMIN'$$,
                 'set_context: an unknown role throws 22023');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'admin')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1)),
                 '22023', $$set_context: unknown role 'admin'$$,
                 'set_context: roles are case-sensitive (admin throws 22023)');
SELECT ok(mycelium.current_organization_id() = pg_temp.id('a', 'organization')
          AND mycelium.current_app_user_id() = pg_temp.id('a', 'user', 1) AND mycelium.current_app_role() = 'ADMIN',
          'set_context: after the refusals the context is still A''s ADMIN');

-- ====================================================================
-- 8. A forged or altered mycelium.context grants nothing
-- ====================================================================

SELECT FROM set_config('regress.sealed', current_setting('mycelium.context'), true);
SELECT ok(current_setting('regress.sealed') LIKE 'v2.%', 'set_context stored a sealed v2 value in mycelium.context');

SET LOCAL mycelium.context = 'v2.garbage';
SELECT ok(mycelium.current_organization_id() IS NULL AND mycelium.current_app_role() IS NULL,
          'forged: a hand-written ''v2.garbage'' context is no context');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.deliverables'), 0::bigint, 'forged: deliverables returns no rows');
SELECT throws_ok(pg_temp.sample_insert('comments', 'a'), '28M01', 'mycelium: INSERT on mycelium.comments needs a tenant context',
                 'forged: a write throws 28M01, needs a tenant context');

-- The sealed value of A's ADMIN, rewritten to name B's organization and ADMIN.
SELECT FROM set_config('mycelium.context',
                  replace(replace(current_setting('regress.sealed'),
                                  replace(pg_temp.id('a', 'organization')::text, '-', ''),
                                  replace(pg_temp.id('b', 'organization')::text, '-', '')),
                          replace(pg_temp.id('a', 'user', 1)::text, '-', ''),
                          replace(pg_temp.id('b', 'user', 1)::text, '-', '')),
                  true);
SELECT ok(current_setting('mycelium.context') <> current_setting('regress.sealed')
          AND current_setting('mycelium.context') LIKE 'v2.' || replace(pg_temp.id('b', 'organization')::text, '-', '') || '.%',
          'forged: the sealed value now names B (MAC kept)');
SELECT is(mycelium.current_organization_id(), NULL, 'forged: the rewritten seal is no context');
SELECT is(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', tbl)), 0::bigint,
          format('forged (B in A''s seal): %s returns no rows', tbl))
  FROM regress_tables ORDER BY ord;

-- One character of the MAC changed.
SELECT FROM (SELECT current_setting('regress.sealed') AS s) x,
     LATERAL set_config('mycelium.context',
                        overlay(x.s PLACING CASE WHEN substr(x.s, length(x.s) - 20, 1) = 'A' THEN 'B' ELSE 'A' END
                                FROM length(x.s) - 20 FOR 1), true);
SELECT ok(length(current_setting('mycelium.context')) = length(current_setting('regress.sealed'))
          AND current_setting('mycelium.context') <> current_setting('regress.sealed')
          AND mycelium.current_organization_id() IS NULL
          AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 0,
          'forged: one character of the MAC changed: no context, no rows');

-- The expiry pushed a day later.
SELECT FROM (SELECT string_to_array(current_setting('regress.sealed'), '.') AS f) x,
     LATERAL set_config('mycelium.context',
                        array_to_string(x.f[1:9] || ((x.f[10]::bigint + 86400)::text) || x.f[11:11], '.'), true);
SELECT ok(current_setting('mycelium.context') LIKE 'v2.%'
          AND current_setting('mycelium.context') <> current_setting('regress.sealed')
          AND mycelium.current_organization_id() IS NULL
          AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 0,
          'forged: the expiry changed: no context, no rows');

-- An editor's seal with the role rewritten to ADMIN.
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR');
SELECT FROM set_config('mycelium.context', replace(current_setting('mycelium.context'), '.VIDEO_EDITOR.', '.ADMIN.'), true);
SELECT ok(current_setting('mycelium.context') LIKE '%.ADMIN.%' AND mycelium.current_app_role() IS NULL
          AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 0,
          'forged: an editor''s seal rewritten to ADMIN is no context');

-- Replaying the untouched value in the same transaction, after a savepoint, still works,
-- under the role an ADMIN's context acts as (the seal is the context; the role is the
-- transaction's, and set_context above made it the editor's).
SAVEPOINT regress_replay;
SET LOCAL ROLE mycelium_admin;
SELECT FROM set_config('mycelium.context', current_setting('regress.sealed'), true);
SELECT ok(mycelium.current_organization_id() = pg_temp.id('a', 'organization') AND mycelium.current_app_role() = 'ADMIN'
          AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 6,
          'replay within the same transaction (after a SAVEPOINT) is the same context: A''s ADMIN');
RELEASE SAVEPOINT regress_replay;

-- ====================================================================
-- 9. Tokens and claims
-- ====================================================================

SELECT lives_ok(format('SELECT mycelium.authenticate(%L)',
                       pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR'))),
                'authenticate: a valid token of A''s editor is accepted');
SELECT ok(mycelium.current_organization_id() = pg_temp.id('a', 'organization')
          AND mycelium.current_app_user_id() = pg_temp.id('a', 'user', 2) AND mycelium.current_app_role() = 'VIDEO_EDITOR',
          'authenticate: the context is A''s editor');
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 6)],
              'authenticate: the editor sees deliverables 1, 2, 6');
SELECT ok(current_setting('mycelium.context') LIKE 'v2.%', 'authenticate: the context is sealed too');

SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN'),
                                    'some-other-secret-that-is-long-enough-000')),
                 '28000', 'authenticate: token signature does not match',
                 'authenticate: a token signed with another key throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN',
                                    jsonb_build_object('exp', extract(epoch FROM clock_timestamp())::bigint - 3600)))),
                 '28000', 'authenticate: token has expired', 'authenticate: an expired token throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN') - 'app_role')),
                 '28000', 'authenticate: token lacks claim "app_role"', 'authenticate: a token without app_role throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN') - 'exp')),
                 '28000', 'authenticate: token lacks claim "exp"', 'authenticate: a token without exp throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        split_part(t.valid, '.', 1) || '.' || split_part(t.forged, '.', 2) || '.' || split_part(t.valid, '.', 3)),
                 '28000', 'authenticate: token signature does not match',
                 'authenticate: A''s token with the payload changed to B''s organization (signature kept) throws 28000')
  FROM (SELECT pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN')) AS valid,
               pg_temp.jwt(pg_temp.claims('b', pg_temp.id('b', 'user', 1), 'ADMIN')) AS forged) t;
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.base64url(convert_to('{"alg": "none", "typ": "JWT"}', 'UTF8')) || '.'
                        || pg_temp.base64url(convert_to(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN')::text, 'UTF8'))
                        || '.'),
                 '28000', 'authenticate: token algorithm "none" is not accepted',
                 'authenticate: an alg none token throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN'), header => '{"alg": "none"}')),
                 '28000', 'authenticate: token algorithm "none" is not accepted',
                 'authenticate: alg none is refused even with a valid HMAC attached');
SELECT throws_ok('SELECT mycelium.authenticate(NULL)', '28000', 'authenticate: no token', 'authenticate: NULL throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('b', 'user', 1), 'ADMIN'))),
                 '28000', format('authenticate: %s is not an active user of organization %s',
                                 pg_temp.id('b', 'user', 1), pg_temp.id('a', 'organization')),
                 'authenticate: a validly signed token naming B''s ADMIN in organization A throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 5), 'VIDEO_EDITOR'))),
                 '28000', format('authenticate: %s is not an active user of organization %s',
                                 pg_temp.id('a', 'user', 5), pg_temp.id('a', 'organization')),
                 'authenticate: a valid token of an INACTIVE user throws 28000');
SELECT throws_ok(format('SELECT mycelium.authenticate(%L)',
                        pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'client_user', 1), 'CLIENT',
                                                   jsonb_build_object('client_id', pg_temp.id('a', 'client', 2))))),
                 '28000', format('authenticate: portal user %s belongs to another client', pg_temp.id('a', 'client_user', 1)),
                 'authenticate: a portal user''s token naming another client throws 28000');
SELECT is(mycelium.current_app_user_id(), pg_temp.id('a', 'user', 2),
          'authenticate: after the refusals the context is still the editor''s');

SELECT lives_ok(format('SELECT mycelium.authenticate(%L)',
                       pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'client_user', 1), 'CLIENT',
                                                  jsonb_build_object('client_id', pg_temp.id('a', 'client', 1))))),
                'authenticate: a valid token of A''s portal user 1 is accepted');
SELECT ok(mycelium.current_app_role() = 'CLIENT' AND mycelium.current_client_id() = pg_temp.id('a', 'client', 1)
          AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 3
          AND pg_temp.nrows('SELECT 1 FROM mycelium.comments WHERE is_internal') = 0,
          'authenticate: the portal user sees client 1''s three deliverables and no internal comment');
SELECT lives_ok(format('SELECT mycelium.authenticate(%L)',
                       pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 4), 'CUSTOM',
                                                  '{"service_access": ["seo"]}')) ),
                'authenticate: a valid CUSTOM token with service_access ["seo"] is accepted');
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 4)],
              'authenticate: CUSTOM (seo) sees deliverables 2 and 4');
SELECT lives_ok(format('SELECT mycelium.authenticate(%L)',
                       pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 1), 'ADMIN'))),
                'authenticate: a valid token of A''s ADMIN is accepted');
SELECT ok(mycelium.current_app_role() = 'ADMIN' AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 6
          AND pg_temp.nrows(format('SELECT 1 FROM mycelium.deliverables WHERE organization_id = %L',
                                   pg_temp.id('b', 'organization'))) = 0,
          'authenticate: A''s ADMIN sees A''s six deliverables and none of B''s');

-- request.jwt.claims (PostgREST): used when no sealed context is set, here under the
-- application's own role (a PostgREST server would switch to the claims' "role").
SET LOCAL ROLE regress_mycelium_app;
SELECT FROM set_config('mycelium.context', '', true);
SELECT FROM set_config('request.jwt.claims',
                  jsonb_build_object('organization_id', pg_temp.id('a', 'organization'), 'sub', pg_temp.id('a', 'user', 2),
                                     'app_role', 'VIDEO_EDITOR', 'role', 'authenticated')::text, true);
SELECT ok(mycelium.current_organization_id() = pg_temp.id('a', 'organization')
          AND mycelium.current_app_user_id() = pg_temp.id('a', 'user', 2) AND mycelium.current_app_role() = 'VIDEO_EDITOR',
          'request.jwt.claims: the context is A''s editor');
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 6)],
              'request.jwt.claims: the editor sees deliverables 1, 2, 6');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.integrations'), 0::bigint, 'request.jwt.claims: the editor reads no integration');

SELECT FROM set_config('request.jwt.claims',
                  jsonb_build_object('organization_id', pg_temp.id('a', 'organization'), 'sub', pg_temp.id('a', 'user', 4),
                                     'app_role', 'CUSTOM', 'service_access', 'seo')::text, true);
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 2), pg_temp.id('a', 'deliverable', 4)],
              'request.jwt.claims: CUSTOM with service_access "seo" sees deliverables 2 and 4');

SELECT FROM set_config('request.jwt.claims',
                  jsonb_build_object('organization_id', pg_temp.id('a', 'organization'), 'sub', pg_temp.id('a', 'client_user', 3),
                                     'app_role', 'CLIENT', 'client_id', pg_temp.id('a', 'client', 2))::text, true);
-- A portal user's claims hold under the portal role only, which the server
-- switches to (the token's "role"): under the application's role, nothing.
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.deliverables'), 0::bigint,
          'request.jwt.claims: CLIENT claims under the application role see nothing');
SET LOCAL ROLE mycelium_portal;
SELECT set_eq('SELECT id FROM mycelium.deliverables',
              ARRAY[pg_temp.id('a', 'deliverable', 3), pg_temp.id('a', 'deliverable', 4), pg_temp.id('a', 'deliverable', 5)],
              'request.jwt.claims: CLIENT of client 2 sees deliverables 3, 4, 5, as mycelium_portal');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.comments WHERE is_internal'), 0::bigint,
          'request.jwt.claims: CLIENT sees no internal comment');
SET ROLE regress_mycelium_app;

SELECT FROM set_config('request.jwt.claims',
                  jsonb_build_object('organization_id', pg_temp.id('a', 'organization'), 'sub', pg_temp.id('a', 'user', 1),
                                     'role', 'ADMIN')::text, true);
SELECT ok(mycelium.current_organization_id() IS NULL AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 0,
          'request.jwt.claims: "role" is PostgREST''s database role, not the application role: no app_role, no context');

SELECT FROM set_config('request.jwt.claims',
                  jsonb_build_object('organization_id', pg_temp.id('a', 'organization'), 'sub', pg_temp.id('a', 'user', 1),
                                     'app_role', 'ADMIN')::text, true);
SET LOCAL mycelium.context = 'v2.garbage';
SELECT ok(mycelium.current_organization_id() IS NULL,
          'a hand-written mycelium.context grants nothing, and does not fall back to the claims');
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR');
SELECT is(mycelium.current_app_role(), 'VIDEO_EDITOR', 'a sealed context takes precedence over request.jwt.claims');

-- mycelium.require_signed_context: only authenticate() sets a context. The session
-- user matters to set_context, so this part runs under SET SESSION AUTHORIZATION,
-- as an application that logged in as that role would.
RESET ROLE;
SET LOCAL mycelium.require_signed_context = on;
SET SESSION AUTHORIZATION regress_mycelium_app;
SELECT is(session_user::text, 'regress_mycelium_app', 'require_signed_context: the session user is the app role');
SELECT FROM set_config('mycelium.context', '', true);
SELECT ok(mycelium.current_organization_id() IS NULL AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 0,
          'require_signed_context: valid request.jwt.claims grant nothing');
SELECT throws_ok(format($$SELECT mycelium.set_context(%L, %L, 'ADMIN')$$, pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1)),
                 '42501', 'set_context: this database accepts only signed tokens',
                 'require_signed_context: set_context by the app throws 42501');
SELECT throws_ok('SET mycelium.require_signed_context = off', '42501',
                 'permission denied to set parameter "mycelium.require_signed_context"',
                 'require_signed_context: the app cannot turn it off');
SELECT lives_ok(format('SELECT mycelium.authenticate(%L)',
                       pg_temp.jwt(pg_temp.claims('a', pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR'))),
                'require_signed_context: authenticate with a valid token works');
SELECT ok(mycelium.current_app_role() = 'VIDEO_EDITOR' AND pg_temp.nrows('SELECT 1 FROM mycelium.deliverables') = 3,
          'require_signed_context: the token''s editor sees their three deliverables');
RESET SESSION AUTHORIZATION;
SET LOCAL mycelium.require_signed_context = off;
SELECT FROM set_config('request.jwt.claims', '', true);

-- ====================================================================
-- 10. The readonly role reads and never writes
-- ====================================================================

SET ROLE regress_mycelium_readonly;
SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1), 'ADMIN');

SELECT ok(pg_temp.nrows(format('SELECT 1 FROM mycelium.%I', tbl)) > 0
          AND pg_temp.nrows(format('SELECT 1 FROM mycelium.%I WHERE %I <> %L', tbl, org_col, pg_temp.id('a', 'organization'))) = 0,
          format('readonly as A''s ADMIN: reads A''s %s and nothing of B', tbl))
  FROM regress_tables ORDER BY ord;
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.organization_analytics'), 1::bigint, 'readonly: reads the views');
SELECT throws_ok('SELECT * FROM mycelium_internal.credentials', '42501', 'permission denied for schema mycelium_internal',
                 'readonly: the credentials are not readable');

SELECT throws_ok(pg_temp.sample_insert(tbl, 'a'), '42501', format('permission denied for table %s', tbl),
                 format('readonly: INSERT into %s throws 42501', tbl))
  FROM regress_tables ORDER BY ord;
SELECT throws_ok(format('UPDATE mycelium.%I SET %s WHERE id = %L', tbl, set_clause, pg_temp.row_id(kind, 'a')), '42501',
                 format('permission denied for table %s', tbl), format('readonly: UPDATE of %s throws 42501', tbl))
  FROM regress_tables ORDER BY ord;
SELECT throws_ok(format('DELETE FROM mycelium.%I WHERE id = %L', tbl, pg_temp.row_id(kind, 'a')), '42501',
                 format('permission denied for table %s', tbl), format('readonly: DELETE from %s throws 42501', tbl))
  FROM regress_tables ORDER BY ord;

-- ====================================================================
-- 11. B is exactly as it was
-- ====================================================================

RESET ROLE;

SELECT is(pg_temp.digest(b.tbl, t.org_col, pg_temp.id('b', 'organization')), b.digest,
          format('B''s %s rows are unchanged', b.tbl))
  FROM regress_b_before b JOIN regress_tables t USING (tbl) ORDER BY t.ord;

-- ====================================================================
-- 12. Generation, the sweeps and productivity act for the caller's own
--     organization only (after 11: these change A's rows, and B's are checked
--     one by one here)
-- ====================================================================

-- A's and B's deliverable 1 are past due, deliverable 6 due within the hour.
UPDATE mycelium.deliverables SET due_date = now() - interval '1 day' WHERE id = pg_temp.id('a', 'deliverable', 1);
UPDATE mycelium.deliverables SET due_date = now() - interval '1 day' WHERE id = pg_temp.id('b', 'deliverable', 1);
UPDATE mycelium.deliverables SET due_date = now() + interval '1 hour' WHERE id = pg_temp.id('a', 'deliverable', 6);
UPDATE mycelium.deliverables SET due_date = now() + interval '1 hour' WHERE id = pg_temp.id('b', 'deliverable', 6);
SELECT count(*) AS b_notifications FROM mycelium.notifications WHERE organization_id = pg_temp.id('b', 'organization') \gset

SET ROLE regress_mycelium_app;
SET LOCAL mycelium.context = '';
SET LOCAL request.jwt.claims = '';
SELECT throws_ok('SELECT mycelium.sweep_overdue()', '28M01', 'sweep_overdue: needs a tenant context',
                 'sweep_overdue without a context: 28M01');
SELECT throws_ok('SELECT mycelium.generate_recurring_deliverables()', '28M01',
                 'generate_recurring_deliverables: needs a tenant context',
                 'generate_recurring_deliverables without a context: 28M01');

SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 2), 'VIDEO_EDITOR');
SELECT throws_ok('SELECT mycelium.sweep_overdue()', '42501', 'sweep_overdue: only an ADMIN may run it',
                 'sweep_overdue as A''s VIDEO_EDITOR: 42501');
SELECT throws_ok('SELECT mycelium.sweep_due_soon()', '42501', 'sweep_due_soon: only an ADMIN may run it',
                 'sweep_due_soon as A''s VIDEO_EDITOR: 42501');
SELECT throws_ok('SELECT mycelium.generate_recurring_deliverables()', '42501',
                 'generate_recurring_deliverables: only an ADMIN may run it',
                 'generate_recurring_deliverables as A''s VIDEO_EDITOR: 42501');

SELECT mycelium.set_context(pg_temp.id('a', 'organization'), pg_temp.id('a', 'user', 1), 'ADMIN');
SELECT throws_ok(format('SELECT mycelium.sweep_overdue(organization_id => %L)', pg_temp.id('b', 'organization')),
                 '42501', NULL, 'sweep_overdue for B as A''s ADMIN: 42501');
SELECT throws_ok(format('SELECT mycelium.sweep_due_soon(organization_id => %L)', pg_temp.id('b', 'organization')),
                 '42501', NULL, 'sweep_due_soon for B as A''s ADMIN: 42501');
SELECT throws_ok(format('SELECT mycelium.generate_recurring_deliverables(%L)', pg_temp.id('b', 'organization')),
                 '42501', NULL, 'generate_recurring_deliverables for B as A''s ADMIN: 42501');
SELECT results_eq('SELECT deliverable_id FROM mycelium.sweep_overdue()',
                  ARRAY[pg_temp.id('a', 'deliverable', 1)],
                  'sweep_overdue as A''s ADMIN marks A''s past-due deliverable, and nothing of B');
SELECT results_eq('SELECT deliverable_id FROM mycelium.sweep_due_soon(''2 hours'')',
                  ARRAY[pg_temp.id('a', 'deliverable', 6)],
                  'sweep_due_soon as A''s ADMIN notifies of A''s deliverable, and nothing of B');
SELECT results_eq('SELECT organization_id, client_id FROM mycelium.generate_recurring_deliverables()',
                  $$VALUES (pg_temp.id('a', 'organization'), pg_temp.id('a', 'client', 1))$$,
                  'generate_recurring_deliverables as A''s ADMIN: A''s one active recurring assignment');
SELECT set_eq('SELECT user_id FROM mycelium.productivity_scores()',
              ARRAY(SELECT pg_temp.id('a', 'user', n) FROM generate_series(1, 5) n),
              'productivity_scores as A''s ADMIN: A''s five users, none of B');
SELECT throws_ok(format('SELECT mycelium.productivity_scores(%L)', pg_temp.id('b', 'organization')), '22023',
                 format('productivity_scores: organization %s does not exist', pg_temp.id('b', 'organization')),
                 'productivity_scores for B as A''s ADMIN: B is unknown (22023)');
SELECT throws_ok(format('SELECT mycelium.calculate_user_productivity(%L)', pg_temp.id('b', 'user', 1)), '22023',
                 format('calculate_user_productivity: user %s does not exist', pg_temp.id('b', 'user', 1)),
                 'calculate_user_productivity of B''s user as A''s ADMIN: unknown (22023)');
SELECT throws_ok(format('INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions) '
                        'VALUES (%L, %L, %L, ''hi'', ARRAY[%L]::uuid[])', pg_temp.id('a', 'organization'),
                        pg_temp.id('a', 'deliverable', 1), pg_temp.id('a', 'user', 1), pg_temp.id('b', 'user', 1)),
                 '23503', NULL, 'a comment of A cannot mention B''s user (23503)');
SELECT is(pg_temp.nrows('SELECT 1 FROM mycelium.notifications WHERE organization_id <> mycelium.current_organization_id()'),
          0::bigint, 'A''s ADMIN sees no notification of B after the sweeps');
-- The delivery worker's protocol crosses organizations: it belongs to the
-- 'delivery' kind, not to an application role, whatever its context.
SELECT throws_ok($$SELECT mycelium.claim_deliveries('email')$$, '42501',
                 'permission denied for function claim_deliveries',
                 'claim_deliveries as A''s ADMIN through the app role: 42501');
SELECT throws_ok(format('SELECT mycelium.finish_delivery(%L, %L, 1)', pg_temp.id('b', 'organization'),
                        pg_temp.id('b', 'recipient', 1)), '42501',
                 'permission denied for function finish_delivery',
                 'finish_delivery of B''s delivery as A''s ADMIN through the app role: 42501');
SELECT throws_ok(format('SELECT mycelium.finish_deliveries(ARRAY[%L]::uuid[], ARRAY[%L]::uuid[], ''{1}'')',
                        pg_temp.id('b', 'organization'), pg_temp.id('b', 'recipient', 1)), '42501',
                 'permission denied for function finish_deliveries',
                 'finish_deliveries of B''s delivery as A''s ADMIN through the app role: 42501');

RESET ROLE;
SELECT is((SELECT status::text FROM mycelium.deliverables WHERE id = pg_temp.id('b', 'deliverable', 1)), 'PENDING',
          'B''s past-due deliverable is untouched by A''s sweep');
SELECT is((SELECT count(*) FROM mycelium.notifications WHERE organization_id = pg_temp.id('b', 'organization')),
          :'b_notifications'::bigint, 'B got no notification from A''s sweeps');
SELECT is((SELECT count(*) FROM mycelium.deliverables WHERE organization_id = pg_temp.id('b', 'organization')),
          6::bigint, 'B got no generated deliverable from A''s run');

SELECT * FROM finish();
ROLLBACK;
