-- ====== pg_dump and privileges ======

-- Tables created by an extension are left out of a dump unless registered: keep
-- every row of every table, except the context key, which each installation makes
-- for itself (a restore would otherwise collide with the one CREATE EXTENSION made),
-- and the job list, which the install script writes.
DO $$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY mycelium_internal.extension_tables()
    LOOP
        -- The keys of integration secrets never go into a dump with the data
        -- they protect (docs/integrations.md, "Secrets").
        CONTINUE WHEN t IN ('mycelium_internal.auth_keys'::regclass, 'mycelium_internal.jobs'::regclass,
                            'mycelium_internal.integration_keys'::regclass);
        PERFORM pg_catalog.pg_extension_config_dump(t, '');
    END LOOP;
END;
$$;
SELECT pg_catalog.pg_extension_config_dump('mycelium_internal.auth_keys', $$WHERE purpose <> 'context'$$);

-- Nothing is executable by PUBLIC (functions and procedures alike): roles get what
-- they need from grant_access.
REVOKE ALL ON ALL ROUTINES IN SCHEMA mycelium FROM PUBLIC;
REVOKE ALL ON ALL ROUTINES IN SCHEMA mycelium_internal FROM PUBLIC;

-- What one kind of client needs:
--   app          an application's connections: read and write tenant data
--                (and, for its ADMINs, recurring generation and the sweeps)
--                under row-level security, set the context, use the views;
--   readonly     reporting: read tenant data under row-level security;
--   maintenance  onboarding and maintenance: create_organization, archiving,
--                log retention, the health check, run_job, the pg_cron
--                schedule and the job_runs record;
--   delivery     a delivery worker: claim_deliveries, finish_delivery and
--                finish_deliveries (notifications), claim_webhook_deliveries
--                and finish_webhook_delivery (webhooks), for every
--                organization, and nothing else;
--   signup       a public sign-up form: sign_up, and nothing else;
--   billing      the service that follows the payment provider (Stripe): reads
--                and writes every organization's subscription (its policies,
--                50_rls.sql), without a tenant context, and nothing else.
-- And three roles that are not kinds: mycelium_admin, mycelium_staff and
-- mycelium_portal, which an app role's transaction acts as once a context is
-- set (95_role_policies.sql).
-- The one list of the kinds is access_kinds().
-- Each kind's privileges belong to a group role, mycelium_<kind> (NOLOGIN), which
-- this script equips on every install and update: a role made a member with
-- grant_access has what the current version needs, new tables and functions
-- included, without being granted again. Private: install and update scripts only.
CREATE OR REPLACE FUNCTION mycelium_internal.access_kinds() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['app', 'readonly', 'maintenance', 'delivery', 'signup', 'billing']
$$;
REVOKE ALL ON FUNCTION mycelium_internal.access_kinds() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mycelium_internal.equip_role(role regrole, kind text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- The outbox columns an application may write; the others are the database's
    -- (docs/notifications.md, "What an application may write"): the delivery
    -- state, which claim_deliveries and finish_delivery keep, the address and
    -- queue position (address_recipient), the recipient's id, which orders the
    -- queue among deliveries due at the same moment, and the times of the row.
    notification_insert constant text :=
        'id, organization_id, type, title, message, sender_id, channels, scheduled_for, related_id, related_type, '
        'metadata';
    notification_update constant text := 'status';
    recipient_insert constant text := 'organization_id, notification_id, user_id, channel';
    -- email_status: the mail provider's callbacks (an ADMIN's session).
    recipient_update constant text := 'read_at, email_status';
    r text;
    t text;
    writable text;
    context_functions constant text[] := ARRAY[
        'mycelium.current_organization_id()', 'mycelium.current_app_user_id()',
        'mycelium.current_app_role()', 'mycelium.current_client_id()', 'mycelium.current_organization_id_for(text)',
        'mycelium.current_service_access()', 'mycelium.my_client_ids()', 'mycelium.my_writable_client_ids()',
        'mycelium.my_service_type_ids()', 'mycelium.portal_can(text)',
        -- The notifications policies and address_recipient call it.
        'mycelium.database_notification_types()',
        -- The integrations' check_webhook_subscription trigger calls it.
        'mycelium.webhook_event_types()',
        'mycelium.set_context(uuid, uuid, text, uuid, text[])', 'mycelium.authenticate(text)',
        'mycelium.set_request_info(inet, text, text)',
        'mycelium.uuid_v7()', 'mycelium.uuid_v7_time(uuid)', 'mycelium.uuid_among(uuid, uuid[])',
        'mycelium.slugify(text)',
        'mycelium.is_valid_time_zone(text)', 'mycelium.validate_custom_fields(uuid, jsonb)',
        -- The CHECK constraints of deliverables and organization_settings call these.
        'mycelium.check_recurrence_rule(text)', 'mycelium.is_known_locale(text)',
        -- ... and those of deliverables and comments this one.
        'mycelium.check_attachments(jsonb, text)',
        'mycelium.expand_recurrence(text, timestamptz, timestamptz, timestamptz, text)',
        'mycelium.date_label(date, text, text)',
        'mycelium.productivity_scores(uuid, integer, timestamptz, uuid)',
        'mycelium.calculate_user_productivity(uuid, integer)',
        -- The WHEN clause of every table's load_as_replica trigger calls it.
        'mycelium.restoring()',
        -- The views call it.
        'mycelium.open_statuses()'];
    f text;
BEGIN
    r := role::text;
    -- What this version gives and nothing more: a privilege an earlier version
    -- gave and this one narrowed (a table grant become column grants) goes.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA mycelium, mycelium_internal FROM %s', r);
    EXECUTE format('REVOKE ALL ON ALL ROUTINES IN SCHEMA mycelium, mycelium_internal FROM %s', r);
    EXECUTE format('REVOKE ALL ON SCHEMA mycelium_internal FROM %s', r);
    EXECUTE format('GRANT USAGE ON SCHEMA mycelium TO %s', r);

    IF kind = 'maintenance' THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.create_organization(text, text, text, text, text, text), '
                       'mycelium.cleanup_old_activity_logs(interval), mycelium.archive_old_deliverables(interval, uuid), '
                       'mycelium.database_health_check(), mycelium.run_job(text), '
                       'mycelium.schedule_jobs(text, text, text, text, text), mycelium.unschedule_jobs(), '
                       'mycelium.set_password(uuid, text, boolean), mycelium.import_password_hash(uuid, text), '
                       'mycelium.unlock_account(uuid), mycelium.lock_account(uuid), '
                       'mycelium.set_temporary_password(uuid, interval), mycelium.force_password_change(uuid), '
                       'mycelium.announce_maintenance(text, text, timestamptz, timestamptz) '
                       'TO %s', r);
        EXECUTE format('GRANT SELECT ON mycelium.job_runs TO %s', r);
        RETURN;
    END IF;
    IF kind = 'signup' THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.sign_up(text, text, text, text, text) TO %s', r);
        RETURN;
    END IF;
    IF kind = 'delivery' THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.claim_deliveries(text, integer, interval), '
                       'mycelium.finish_delivery(uuid, uuid, integer, text, boolean), '
                       'mycelium.finish_deliveries(uuid[], uuid[], integer[], text[], boolean[]), '
                       'mycelium.claim_webhook_deliveries(integer, interval), '
                       'mycelium.finish_webhook_delivery(uuid, uuid, integer, text, boolean) TO %s', r);
        RETURN;
    END IF;
    IF kind = 'billing' THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON mycelium.subscriptions TO %s', r);
        -- The table's default id, the WHEN clause of its load_as_replica trigger,
        -- its require_context trigger and its SELECT policy call these.
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.uuid_v7(), mycelium.restoring(), '
                       'mycelium.current_organization_id(), mycelium.current_app_role() TO %s', r);
        RETURN;
    END IF;

    FOREACH f IN ARRAY context_functions LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', f, r);
    END LOOP;
    IF kind = 'portal' THEN
        -- The columns of mycelium.portal_columns(), and the writes a portal user
        -- may make (its policies and guard triggers say which rows and values):
        -- approve or send back a deliverable, comment as itself, and, as a
        -- portal ADMIN, manage its client's portal users.
        FOR t, writable IN SELECT p.table_name, array_to_string(ARRAY(SELECT quote_ident(c) FROM unnest(p.column_names) c), ', ')
                             FROM mycelium.portal_columns() p ORDER BY 1
        LOOP
            EXECUTE format('GRANT SELECT (%s) ON mycelium.%I TO %s', writable, t, r);
        END LOOP;
        EXECUTE format('GRANT UPDATE (status) ON mycelium.deliverables TO %s', r);
        EXECUTE format('GRANT UPDATE (read_at) ON mycelium.notification_recipients TO %s', r);
        -- Files it sends with a comment it may write; it reads them through
        -- portal_attachments, with can_download.
        EXECUTE format('GRANT INSERT (id, organization_id, deliverable_id, client_user_id, content, type, mentions, '
                       'parent_id, attachments), UPDATE (content, mentions, attachments), DELETE ON mycelium.comments '
                       'TO %s', r);
        EXECUTE format('GRANT INSERT (id, organization_id, client_id, email, name, role, title, phone, can_approve, '
                       'can_download, can_comment, is_active), '
                       'UPDATE (name, role, title, phone, can_approve, can_download, can_comment, is_active) '
                       'ON mycelium.client_users TO %s', r);
        EXECUTE format('GRANT SELECT ON mycelium.portal_attachments TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.require_organization_writable(text), '
                       'mycelium.change_password(text, text), mycelium.sign_out(boolean), '
                       'mycelium.invite_client_user(uuid, text, text, mycelium.client_user_role, interval), '
                       'mycelium.portal_columns(), mycelium.notification_channel() TO %s', r);
        RETURN;
    END IF;
    IF kind = 'app' THEN
        -- The check of integrations.webhook_url; an ADMIN's read of a secret (it
        -- checks the caller); the in-app notifications' LISTEN channel.
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.is_valid_webhook_url(text), '
                       'mycelium.integration_secret_names(mycelium.integration_type), '
                       'mycelium.reveal_integration_secret(uuid, text), mycelium.notification_channel() TO %s', r);
        -- require_context calls it, as the writing role, once per write statement.
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.require_organization_writable(text) TO %s', r);
        -- They check themselves that the caller is an ADMIN of the organization.
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.generate_recurring_deliverables(uuid, date, boolean), '
                       'mycelium.sweep_overdue(timestamptz, uuid), mycelium.sweep_due_soon(interval, timestamptz, uuid), '
                       'mycelium.verify_custom_domain(text), mycelium.set_password(uuid, text, boolean), '
                       'mycelium.change_password(text, text), mycelium.sign_out(boolean), '
                       'mycelium.set_identity_provider(text, text, text[], text), '
                       'mycelium.remove_identity_provider(text), mycelium.link_identity(uuid, text, text) TO %s', r);
        -- Before anyone signs in: which organization a request's host is for, and
        -- the sign-in itself.
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.resolve_organization(text) TO %s', r);
        EXECUTE format('GRANT EXECUTE ON PROCEDURE mycelium.sign_in(uuid, text, text, boolean, text, uuid, text, '
                       'timestamptz, boolean) TO %s', r);
        -- Refused unless the server is a development server (49_development_tokens.sql).
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.development_token(uuid, text, boolean) TO %s', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.unlock_account(uuid), mycelium.lock_account(uuid), '
                       'mycelium.set_temporary_password(uuid, interval), mycelium.force_password_change(uuid), '
                       'mycelium.invite_user(text, text, mycelium.user_role, interval), '
                       'mycelium.invite_client_user(uuid, text, text, mycelium.client_user_role, interval) TO %s', r);
        -- Before anyone signs in, with a secret the application mailed: the
        -- account life cycle (each checks its secret or rate-limits itself).
        EXECUTE format('GRANT EXECUTE ON FUNCTION mycelium.accept_invitation(text, text), '
                       'mycelium.request_password_reset(uuid, text, boolean, interval), '
                       'mycelium.reset_password(text, text), '
                       'mycelium.request_email_verification(uuid, text, boolean, interval), '
                       'mycelium.verify_email(text) TO %s', r);
    END IF;
    EXECUTE format('GRANT SELECT ON mycelium.user_dashboard_data, mycelium.client_overview, '
                   'mycelium.organization_analytics, mycelium.recent_activity TO %s', r);
    FOR t IN SELECT u.t FROM unnest(mycelium_internal.tenant_tables()) AS u(t) ORDER BY u.t
    LOOP
        -- Whole rows: password hashes are not in these tables (credentials).
        EXECUTE format('GRANT SELECT ON mycelium.%I TO %s', t, r);
        IF kind = 'app' THEN
            IF t = 'organizations' THEN
                EXECUTE format('GRANT UPDATE ON mycelium.%I TO %s', t, r);
            ELSIF t = 'notifications' THEN
                EXECUTE format('GRANT INSERT (%s), UPDATE (%s), DELETE ON mycelium.%I TO %s',
                               notification_insert, notification_update, t, r);
            ELSIF t = 'organization_branding' THEN
                -- The domain's verification is verify_custom_domain's to write.
                SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO writable
                  FROM pg_attribute a
                 WHERE a.attrelid = 'mycelium.organization_branding'::regclass AND a.attnum > 0
                   AND NOT a.attisdropped
                   AND a.attname NOT IN ('custom_domain_token', 'custom_domain_verified_at');
                EXECUTE format('GRANT INSERT (%s), UPDATE (%s), DELETE ON mycelium.%I TO %s',
                               writable, writable, t, r);
            ELSIF t = 'notification_recipients' THEN
                EXECUTE format('GRANT INSERT (%s), UPDATE (%s), DELETE ON mycelium.%I TO %s',
                               recipient_insert, recipient_update, t, r);
            -- attachment_versions is written by its trigger only (59_attachments.sql),
            -- webhook_deliveries by the event triggers and the worker (56_webhooks.sql).
            ELSIF t NOT IN ('activity_logs', 'subscriptions', 'attachment_versions', 'webhook_deliveries') THEN
                EXECUTE format('GRANT INSERT, UPDATE, DELETE ON mycelium.%I TO %s', t, r);
            END IF;
        END IF;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION mycelium_internal.equip_role(regrole, text) FROM PUBLIC;
COMMENT ON FUNCTION mycelium_internal.equip_role(regrole, text) IS
    'Grants a role the privileges of one kind of client (install and update scripts only)';

-- The group roles, made once per cluster (roles are the cluster's; another
-- database's Mycelium may have made them), and equipped for this version.
DO $$
DECLARE
    k text;
BEGIN
    FOREACH k IN ARRAY mycelium_internal.access_kinds() LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = 'mycelium_' || k) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', 'mycelium_' || k);
        END IF;
        PERFORM mycelium_internal.equip_role(('mycelium_' || k)::regrole, k);
    END LOOP;
    -- The roles contexts act as (95_role_policies.sql): not kinds of client to
    -- grant, but roles an application's connections switch to, so its group is
    -- a member of each. An ADMIN's and a staff member's have what the
    -- application has; a portal user's, what 52_portal.sql lists.
    FOREACH k IN ARRAY ARRAY['mycelium_admin', 'mycelium_staff', 'mycelium_portal'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = k) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', k);
        END IF;
    END LOOP;
    PERFORM mycelium_internal.equip_role('mycelium_admin'::regrole, 'app');
    PERFORM mycelium_internal.equip_role('mycelium_staff'::regrole, 'app');
    PERFORM mycelium_internal.equip_role('mycelium_portal'::regrole, 'portal');
    GRANT mycelium_admin, mycelium_staff, mycelium_portal TO mycelium_app;
END;
$$;

-- Makes an existing role a member of mycelium_<kind> (above). An application or
-- reporting role must not bypass row-level security (refused), and must inherit
-- its groups' privileges (the default; NOINHERIT is refused).
CREATE OR REPLACE FUNCTION mycelium.grant_access(role regrole, kind text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r text;
BEGIN
    PERFORM mycelium.require_writable('grant_access');
    IF role IS NULL OR kind IS NULL THEN
        RAISE EXCEPTION 'grant_access: role and kind are required'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    IF kind <> ALL (mycelium_internal.access_kinds()) THEN
        RAISE EXCEPTION 'grant_access: unknown kind %', quote_literal(left(kind, 100))
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  HINT = 'One of ' || array_to_string(mycelium_internal.access_kinds(), ', ') || '.';
    END IF;
    r := role::text;
    IF kind IN ('app', 'readonly') AND (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE oid = role) THEN
        RAISE EXCEPTION 'grant_access: role % bypasses row-level security', r
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  DETAIL = 'An application or reporting role must be subject to row-level security.',
                  HINT = 'Use a role without SUPERUSER and BYPASSRLS.';
    END IF;
    -- A tenant's role must not write every organization's subscription, nor the
    -- billing service's role act as a tenant: its policies let it through to
    -- every organization's row.
    -- (A superuser is a member of every role, and outside row-level security anyway.)
    IF NOT (SELECT rolsuper FROM pg_roles WHERE oid = role)
       AND ((kind = 'billing' AND (pg_has_role(role, 'mycelium_app', 'MEMBER')
                                   OR pg_has_role(role, 'mycelium_readonly', 'MEMBER')))
            OR (kind IN ('app', 'readonly') AND pg_has_role(role, 'mycelium_billing', 'MEMBER'))) THEN
        RAISE EXCEPTION 'grant_access: role % already has %', r,
                        CASE kind WHEN 'billing' THEN 'a tenant''s kind (app or readonly)' ELSE 'the billing kind' END
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  DETAIL = 'The billing kind reads and writes every organization''s subscription; app and readonly '
                           'act for one tenant.',
                  HINT = 'Use a role of its own for the billing service.';
    END IF;
    IF NOT (SELECT rolinherit FROM pg_roles WHERE oid = role) THEN
        RAISE EXCEPTION 'grant_access: role % does not inherit privileges', r
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium',
                  DETAIL = format('Its privileges come from membership in mycelium_%s.', kind),
                  HINT = format('ALTER ROLE %s INHERIT; or, for an authenticator that switches roles (PostgREST''s), '
                                'GRANT mycelium_admin, mycelium_staff, mycelium_portal TO %s (docs/postgrest.md).', r, r);
    END IF;
    EXECUTE format('GRANT %I TO %s', 'mycelium_' || kind, r);
END;
$$;
REVOKE ALL ON FUNCTION mycelium.grant_access(regrole, text) FROM PUBLIC;
COMMENT ON FUNCTION mycelium.grant_access(regrole, text) IS
    'Makes an existing role a member of mycelium_<kind>: what an app, readonly, maintenance, delivery, signup or billing client needs';
