-- Class 1: nothing privileged resolves a name through the caller's schemas.
--
-- The attacker is the application role, with TEMP and CREATE on public. It
-- shadows, in pg_temp and in public, every type name, every relation name of
-- Mycelium, and every pg_catalog function and operator that Mycelium's own
-- functions or native queries name, and puts public before pg_catalog on its
-- search_path (pg_temp is searched first for types and relations anyway). Each
-- shadow reports the role it runs as to public.spy(), and, if that role is a
-- superuser, tries to make the attacker a superuser and read the keys. Then it
-- calls every function it may execute and fires every trigger path, including
-- custom-field validation of every field type.
--
-- A shadow that ran as anyone else leaves a mark that survives the rollback of
-- the failing call it ran in: a sequence advances whatever happens to the
-- transaction.
BEGIN;
SELECT plan(45);

CREATE SEQUENCE public.spy_privileged;
CREATE TABLE public.spy_log (who pg_catalog.text, what pg_catalog.text);
-- A context acts as the role of its kind, which the spy must be able to report as.
GRANT SELECT, INSERT ON public.spy_log TO mycelium_admin, mycelium_staff, mycelium_portal;
GRANT USAGE ON SEQUENCE public.spy_privileged TO mycelium_admin, mycelium_staff, mycelium_portal;

CREATE FUNCTION public.spy(what text) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    -- Privileged: running as a superuser (the extension's owner), not as the
    -- caller or the role its context acts as.
    IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
        PERFORM pg_catalog.nextval('public.spy_privileged'::pg_catalog.regclass);
        BEGIN
            EXECUTE 'ALTER ROLE regress_sec_app SUPERUSER';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END IF;
    INSERT INTO public.spy_log VALUES (current_user::pg_catalog.text, what);
    RETURN true;
END;
$$;

-- Types: a domain over each built-in type, in pg_temp and public, whose CHECK
-- reports.
DO $$
DECLARE
    t text;
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['pg_temp', 'public'] LOOP
        FOREACH t IN ARRAY ARRAY['uuid', 'text', 'int4', 'int8', 'int2', 'bool', 'jsonb', 'json',
                                 'timestamptz', 'timestamp', 'date', 'time', 'numeric', 'float8',
                                 'bytea', 'interval', 'oid', 'regclass', 'name', 'varchar', 'bpchar']
        LOOP
            EXECUTE format('CREATE DOMAIN %I.%I AS pg_catalog.%I CHECK (public.spy(%L))',
                           s, t, t, 'type ' || t);
        END LOOP;
    END LOOP;
END;
$$;

-- Relations: a temporary table for every table and view of Mycelium.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT c.relname FROM pg_catalog.pg_class c
              WHERE c.relnamespace IN ('mycelium'::pg_catalog.regnamespace, 'mycelium_internal'::pg_catalog.regnamespace)
                AND c.relkind IN ('r', 'v')
    LOOP
        EXECUTE format('CREATE TEMPORARY TABLE %I (id pg_catalog.uuid, organization_id pg_catalog.uuid)', r);
        EXECUTE format('CREATE FUNCTION pg_temp.%I() RETURNS trigger LANGUAGE plpgsql AS %L',
                       'spy_' || r, 'BEGIN PERFORM public.spy(' || quote_literal('table ' || r) || '); RETURN NULL; END');
        EXECUTE format('CREATE TRIGGER spy BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
                       'FOR EACH ROW EXECUTE FUNCTION pg_temp.%I()', r, 'spy_' || r);
        EXECUTE format('INSERT INTO pg_temp.%I VALUES (NULL, NULL)', r);
    END LOOP;
END;
$$;
CREATE FUNCTION public.spy_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.spy('select ' || TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

-- Functions: every pg_catalog function whose name appears in the source of a
-- Mycelium function, or in the native code's queries, shadowed in public with
-- the same signature (SQL-callable, non-polymorphic ones).
DO $$
DECLARE
    p record;
    args text;
    params text;
    native_names constant text[] := ARRAY['encode', 'decode', 'count', 'avg', 'extract', 'date_part',
        'uuid_send', 'uuid_in', 'uuid_out', 'textout', 'lower', 'upper', 'coalesce', 'now',
        'jsonb_typeof', 'jsonb_build_object', 'length', 'btrim', 'format', 'quote_literal'];
BEGIN
    FOR p IN
        SELECT f.oid, f.proname, f.pronargs, f.proargtypes, f.prorettype, f.proretset
          FROM pg_catalog.pg_proc f
         WHERE f.pronamespace = 'pg_catalog'::pg_catalog.regnamespace AND f.prokind = 'f'
           AND NOT f.proretset AND f.provariadic = 0 AND f.pronargs <= 4
           AND NOT EXISTS (SELECT FROM pg_catalog.unnest(f.proargtypes::pg_catalog.oid[]) AS a(t)
                           JOIN pg_catalog.pg_type ty ON ty.oid = a.t WHERE ty.typtype = 'p')
           AND (SELECT ty.typtype FROM pg_catalog.pg_type ty WHERE ty.oid = f.prorettype) <> 'p'
           AND (f.proname = ANY (native_names)
                OR EXISTS (SELECT FROM pg_catalog.pg_proc m
                            WHERE m.pronamespace IN ('mycelium'::pg_catalog.regnamespace,
                                                     'mycelium_internal'::pg_catalog.regnamespace)
                              AND m.prosrc ~ ('\m' || f.proname || '\s*\(')))
    LOOP
        SELECT pg_catalog.string_agg(pg_catalog.format('pg_catalog.%I', (SELECT ty.typname FROM pg_catalog.pg_type ty WHERE ty.oid = t)), ', ' ORDER BY i),
               pg_catalog.string_agg('$' || i, ', ' ORDER BY i)
          INTO args, params
          FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS a(t, i);
        BEGIN
            EXECUTE pg_catalog.format(
                'CREATE FUNCTION public.%I(%s) RETURNS pg_catalog.%I LANGUAGE sql AS %L',
                p.proname, coalesce(args, ''), (SELECT ty.typname FROM pg_catalog.pg_type ty WHERE ty.oid = p.prorettype),
                pg_catalog.format('SELECT CASE WHEN public.spy(%L) THEN pg_catalog.%I(%s) END',
                                  'function ' || p.proname, p.proname, coalesce(params, '')));
        EXCEPTION WHEN duplicate_function OR invalid_function_definition OR syntax_error
                       OR datatype_mismatch OR feature_not_supported OR wrong_object_type THEN
            NULL;
        END;
    END LOOP;
END;
$$;

-- Operators: the comparison, matching, containment and concatenation operators
-- of the types Mycelium uses, shadowed in public.
DO $$
DECLARE
    o record;
    fn text;
    n integer := 0;
BEGIN
    FOR o IN
        SELECT op.oprname, (SELECT ty.typname FROM pg_catalog.pg_type ty WHERE ty.oid = op.oprleft) AS l,
               (SELECT ty.typname FROM pg_catalog.pg_type ty WHERE ty.oid = op.oprright) AS r,
               (SELECT ty.typname FROM pg_catalog.pg_type ty WHERE ty.oid = op.oprresult) AS res
          FROM pg_catalog.pg_operator op
         WHERE op.oprnamespace = 'pg_catalog'::pg_catalog.regnamespace AND op.oprkind = 'b'
           AND op.oprname IN ('=', '<>', '<', '<=', '>', '>=', '||', '~', '~*', '~~', '!~', '@>', '<@',
                              '&&', '->', '->>', '?', '+', '-')
           AND op.oprleft::pg_catalog.regtype::text IN ('uuid', 'text', 'jsonb', 'timestamp with time zone',
                  'date', 'integer', 'bigint', 'numeric', 'boolean', 'interval', 'text[]', 'uuid[]',
                  'bytea', 'name', 'oid')
           AND (SELECT ty.typtype FROM pg_catalog.pg_type ty WHERE ty.oid = op.oprright) <> 'p'
    LOOP
        n := n + 1;
        fn := 'spy_op_' || n;
        EXECUTE pg_catalog.format(
            'CREATE FUNCTION public.%I(pg_catalog.%I, pg_catalog.%I) RETURNS pg_catalog.%I LANGUAGE sql AS %L',
            fn, o.l, o.r, o.res,
            pg_catalog.format('SELECT CASE WHEN public.spy(%L) THEN $1 OPERATOR(pg_catalog.%s) $2 END',
                              'operator ' || o.oprname, o.oprname));
        EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = pg_catalog.%I, RIGHTARG = pg_catalog.%I, '
                                  'FUNCTION = public.%I)', o.oprname, o.l, o.r, fn);
    END LOOP;
END;
$$;

SET LOCAL search_path = public, pg_catalog;

-- A control: the shadows are in force for the attacker itself.
SELECT ok((SELECT 'a'::text = 'a'::text) AND EXISTS (SELECT FROM public.spy_log WHERE who = 'regress_sec_app'),
          'control: the shadows catch the attacker''s own statements');

-- Contexts and every trigger path, as A's ADMIN: a deliverable with every field
-- type (USER_SELECT and CLIENT_SELECT included) inserted, updated and checked.
SELECT sec.act_as('a', 1);
-- A webhook that hears every event: from here on, each change below also runs
-- the privileged event triggers and queues its deliveries (56_webhooks.sql).
SELECT lives_ok($$
INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, webhook_url, config)
VALUES (sec.id('a', 'organization'), 'WEBHOOKS', 'Shadowed hook', true, 'https://hooks.shadow.example/in',
        jsonb_build_object('events', to_jsonb(mycelium.webhook_event_types())))
$$, 'a webhook subscribed to every event, its subscription checked');
SELECT lives_ok($$
INSERT INTO mycelium.deliverables (organization_id, client_id, service_type_id, title, status,
                                   assigned_user_id, created_by_id, custom_fields)
SELECT sec.id('a', 'organization'), sec.id('a', 'client', 1), sec.id('a', 'service_type', 3), 'Shadowed',
       'IN_PROGRESS', sec.id('a', 'user', 2), sec.id('a', 'user', 1),
       jsonb_build_object('f_text', 'plain words', 'f_textarea', 'more', 'f_number', 3, 'f_decimal', '2.50',
                          'f_date', '2026-12-24', 'f_datetime', '2026-12-24T10:00:00Z', 'f_time', '10:00',
                          'f_email', 'x@example.com', 'f_url', 'https://example.com', 'f_phone', '+4930123456',
                          'f_select', 'other', 'f_multiselect', jsonb_build_array('other'), 'f_radio', 'other',
                          'f_checkbox', true,
                          'f_file', jsonb_build_object('name', 'f.pdf', 'url', 'https://example.com/f.pdf'),
                          'f_user_select', sec.id('a', 'user', 2), 'f_client_select', sec.id('a', 'client', 2))
$$, 'a deliverable with every field type, checked');
SELECT lives_ok($$
UPDATE mycelium.deliverables SET custom_fields = custom_fields || jsonb_build_object('f_user_select', sec.id('a', 'user', 3))
 WHERE id = sec.id('a', 'deliverable', 3)
$$, 'its USER_SELECT changed, checked again');
SELECT lives_ok($$
SELECT count(*) FROM mycelium.validate_custom_fields(sec.id('a', 'service_type', 3),
                                                     jsonb_build_object('f_user_select', sec.id('a', 'user', 1)))
$$, 'validate_custom_fields');
SELECT lives_ok($$
SELECT count(*) FROM mycelium.expand_recurrence('FREQ=MONTHLY;COUNT=2', now(), now(), now() + interval '1 year')
$$, 'expand_recurrence in the organization''s zone');
SELECT lives_ok($$
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, mentions)
VALUES (sec.id('a', 'organization'), sec.id('a', 'deliverable', 3), sec.id('a', 'user', 1), 'hi', ARRAY[sec.id('a', 'user', 2)])
$$, 'a comment with a mention');
SELECT lives_ok($$
INSERT INTO mycelium.time_entries (organization_id, deliverable_id, user_id, description, start_time, end_time)
VALUES (sec.id('a', 'organization'), sec.id('a', 'deliverable', 3), sec.id('a', 'user', 1), 'work',
        now() - interval '1 hour', now())
$$, 'a time entry');
-- 0.2.0's privileged triggers: attachment history, and the notifications of
-- clients, projects and integrations.
SELECT lives_ok($$
UPDATE mycelium.organization_settings SET enable_file_versioning = true WHERE organization_id = sec.id('a', 'organization')
$$, 'file versioning on');
SELECT lives_ok($$
UPDATE mycelium.deliverables
   SET attachments = '[{"name": "a.png", "url": "https://example.com/a.png", "size": 1, "content_type": "image/png"}]'
 WHERE id = sec.id('a', 'deliverable', 3)
$$, 'an attachment, checked');
SELECT lives_ok($$UPDATE mycelium.deliverables SET attachments = '[]' WHERE id = sec.id('a', 'deliverable', 3)$$,
                'and removed, kept in the history');
SELECT lives_ok($$
INSERT INTO mycelium.clients (organization_id, id, name)
VALUES (sec.id('a', 'organization'), '0193c000-0000-7000-8000-0000000000c9', 'Shadowed client')
$$, 'a client added, its admins told');
SELECT lives_ok($$
UPDATE mycelium.clients SET name = 'Shadowed client, renamed' WHERE id = '0193c000-0000-7000-8000-0000000000c9'
$$, 'and updated');
SELECT lives_ok($$
INSERT INTO mycelium.projects (organization_id, id, client_id, name, manager_id)
VALUES (sec.id('a', 'organization'), '0193c000-0000-7000-8000-0000000000e9', sec.id('a', 'client', 1), 'Shadowed',
        sec.id('a', 'user', 2))
$$, 'a project created');
SELECT lives_ok($$
UPDATE mycelium.projects SET status = 'COMPLETED' WHERE id = '0193c000-0000-7000-8000-0000000000e9'
$$, 'and completed');
SELECT lives_ok($$
INSERT INTO mycelium.integrations (organization_id, id, type, name, is_enabled, config)
VALUES (sec.id('a', 'organization'), '0193c000-0000-7000-8000-0000000000f9', 'SLACK', 'Shadowed', true, '{}')
$$, 'an integration');
SELECT lives_ok($$
UPDATE mycelium.integrations SET error_count = error_count + 1, last_error = 'timeout', last_error_at = now(),
                                 is_enabled = false
 WHERE id = '0193c000-0000-7000-8000-0000000000f9'
$$, 'disabled for its failure, which its admins hear of');
SELECT is((SELECT count(*) FROM mycelium.webhook_deliveries), 6::bigint,
          'the changes above queued their six webhook events (as the ADMIN reads them)');
SELECT lives_ok($$UPDATE mycelium.integrations SET is_enabled = false WHERE type = 'WEBHOOKS'$$,
                'an ADMIN disables the webhook');
SELECT is((SELECT count(*) FROM mycelium.webhook_deliveries WHERE parked), 6::bigint,
          'which parks its deliveries (park_webhook_deliveries)');
SELECT lives_ok($$UPDATE mycelium.integrations SET is_enabled = true WHERE type = 'WEBHOOKS'$$,
                'and enables it again');
SELECT is((SELECT count(*) FROM mycelium.webhook_deliveries WHERE NOT parked), 6::bigint,
          'which releases them');
-- A portal user's context, which switches the role, and its files.
SELECT sec.act_as('a', 1, true);
SELECT lives_ok($$SELECT count(*) FROM mycelium.portal_attachments$$, 'a portal user''s context and files');
SELECT sec.act_as('a', 1);
SELECT lives_ok($$
SELECT count(*) FROM mycelium.generate_recurring_deliverables(NULL, date_trunc('month', now())::date, true)
$$, 'generation, dry run');
SELECT lives_ok($$SELECT mycelium.sweep_overdue()$$, 'the overdue sweep');
SELECT lives_ok($$SELECT mycelium.sweep_due_soon()$$, 'the due-soon sweep');
SELECT lives_ok($$UPDATE mycelium.notifications SET status = 'CANCELLED' WHERE status = 'PENDING'$$,
                'an ADMIN cancels the pending notifications');
SELECT ok((SELECT count(*) FILTER (WHERE r.failed_at IS NOT NULL) > 0
                  AND count(*) FILTER (WHERE r.failed_at IS NULL AND r.delivered_at IS NULL) = 0
             FROM mycelium.notification_recipients r WHERE r.channel <> 'in_app'),
          'which ends their open deliveries (end_cancelled_deliveries)');
SELECT lives_ok($$SELECT count(*) FROM mycelium.productivity_scores(sec.id('a', 'organization'), 30, now(), NULL)$$,
                'productivity');
-- The account life cycle and identity services, with real arguments, so that
-- their privileged bodies (secrets, hashes, JWKS) run under the shadows.
SELECT lives_ok($$
SELECT count(*) FROM mycelium.accept_invitation(
    (SELECT i.invitation FROM mycelium.invite_user('shadow@sec.example', 'Shadow', 'FILMER') i),
    'a shadowed long password')
$$, 'an invitation, made and accepted');
SELECT lives_ok($$
SELECT count(*) FROM mycelium.reset_password(
    mycelium.request_password_reset(sec.id('a', 'organization'), 'editor-a@sec.example'), 'another shadowed password')
$$, 'a password reset, requested and used');
SELECT lives_ok($$
SELECT count(*) FROM mycelium.verify_email(
    mycelium.request_email_verification(sec.id('a', 'organization'), 'editor-a@sec.example'))
$$, 'an e-mail verification');
SELECT lives_ok($$
SELECT mycelium.set_temporary_password(sec.id('a', 'user', 2)) IS NOT NULL,
       mycelium.force_password_change(sec.id('a', 'user', 2)), mycelium.lock_account(sec.id('a', 'user', 2)),
       mycelium.unlock_account(sec.id('a', 'user', 2))
$$, 'a temporary password, a forced change, a lock and an unlock');
SELECT lives_ok($$UPDATE mycelium.users SET permissions = '{"services": ["seo"]}' WHERE id = sec.id('a', 'user', 3)$$,
                'a CUSTOM user''s permissions, checked');
SELECT lives_ok($$
SELECT mycelium.set_identity_provider('https://idp.shadow.example', '{"keys": [{"kty": "EC", "kid": "ec", "crv": "P-256", "alg": "ES256", "x": "KDo-kUgGMwq3I6zazQ59lff-IaesEfVkoJop4tjFNqI", "y": "AlzQOU5NCd0EiJxr9KKvbJSdoK3LMOlnxvmWc92KHWY"}]}') IS NOT NULL,
       mycelium.link_identity(sec.id('a', 'user', 2), 'https://idp.shadow.example', 'shadow-subject'),
       mycelium.remove_identity_provider('https://idp.shadow.example')
$$, 'an identity service registered, linked and removed');
SELECT is(sec.sqlstate_of('SELECT mycelium.authenticate(''eyJhbGciOiAiRVMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiZWMifQ.eyJpc3MiOiJodHRwczovL2lkcC52YWxncmluZC5leGFtcGxlIiwic3ViIjoidmFsZ3JpbmQtc3ViamVjdCIsImVtYWlsIjoic2FtQGlzZW1lZGlhYWdlbmN5LmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJleHAiOjQxMDI0NDQ4MDAsImp0aSI6InZhbGdyaW5kLTEifQ.rzJ-Bkrsm62LLgAiueEfOUDPun7t6Bwv86Re3Qgx8LEt8Ru0DlgyZHeLnpOYEE13G3JIUC8kRD5n2vTb5nerIg'')'), '28000',
          'authenticate parses and verifies a foreign token, and refuses its unknown issuer');
SELECT is(sec.sqlstate_of('SELECT mycelium.authenticate(''eyJhbGciOiJIUzI1NiJ9.e30.c2ln'')'), '55000',
          'authenticate reads the token key, finds none set, and refuses the token');
SELECT is(sec.sqlstate_of('SELECT mycelium.set_context(' || quote_literal(sec.id('b', 'organization')) || ', '
                          || quote_literal(sec.id('a', 'user', 1)) || ', ''ADMIN'')'), '28000',
          'set_context reads the users, and refuses a user of another organization');
-- An integration's secrets, sealed by the trigger and read back by an ADMIN; the
-- LISTEN channel (issue #17).
SELECT sec.act_as('a', 1);
SELECT lives_ok($$
WITH made AS (
    INSERT INTO mycelium.integrations (organization_id, type, name, config)
    VALUES (sec.id('a', 'organization'), 'MICROSOFT_TEAMS', 'Teams',
            '{"webhook_url": "https://teams.shadow.example/hook", "channel": "x"}')
    RETURNING id)
SELECT 1 FROM made;
SELECT mycelium.reveal_integration_secret(i.id, 'webhook_url') IS NOT NULL, mycelium.notification_channel() IS NOT NULL
  FROM mycelium.integrations i WHERE i.type = 'MICROSOFT_TEAMS'
$$, 'an integration''s secret sealed and revealed, and the LISTEN channel');

-- Then every function the attacker may execute, with NULL arguments, with and
-- without a context.
CREATE FUNCTION pg_temp.call_everything() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    f record;
    n integer := 0;
BEGIN
    FOR f IN SELECT p.oid::pg_catalog.regprocedure AS sig, p.oid, p.pronargs, p.proretset
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'mycelium'::pg_catalog.regnamespace
                AND p.prorettype <> 'trigger'::pg_catalog.regtype AND p.prokind = 'f'
                AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
    LOOP
        PERFORM sec.sqlstate_of(pg_catalog.format('SELECT * FROM %s(%s)',
            pg_catalog.regexp_replace(f.sig::text, '\(.*$', ''),
            pg_catalog.array_to_string(pg_catalog.array_fill('NULL'::text, ARRAY[f.pronargs]), ', ')));
        n := n + 1;
    END LOOP;
    RETURN n;
END;
$$;
SELECT ok(pg_temp.call_everything() > 20, 'every executable function called in a context');
SELECT set_config('mycelium.context', '', true);
SELECT ok(pg_temp.call_everything() > 20, 'and without one');

RESET search_path;
SELECT is(pg_catalog.pg_sequence_last_value('public.spy_privileged'), NULL,
          'no shadow ran as another role');
SELECT is((SELECT pg_catalog.array_agg(DISTINCT who ORDER BY who) FROM public.spy_log
             WHERE who NOT IN ('regress_sec_app', 'mycelium_admin', 'mycelium_staff', 'mycelium_portal')), NULL,
          'every shadow that ran, ran as the attacker (or the role its context acts as)');
SELECT ok(NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'regress_sec_app'),
          'the attacker is still not a superuser');
SELECT ok(NOT pg_catalog.has_table_privilege(
              (SELECT c.oid FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'mycelium_internal'::pg_catalog.regnamespace AND c.relname = 'auth_keys'),
              'SELECT'), 'and cannot read the keys');
SELECT * FROM finish();
ROLLBACK;
