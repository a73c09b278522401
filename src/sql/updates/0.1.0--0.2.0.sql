-- ====== 0.1.0 to 0.2.0: what changed in the schema ======
-- Objects that src/sql/code/ cannot make over their 0.1.0 selves. Everything
-- here runs once; the code parts follow.

-- verify_token returns one column more (issued_at): made anew in mycelium_internal.
DROP FUNCTION mycelium.verify_token(text);
-- authenticate returns the context it set (organization, user, role, client, expiry).
DROP FUNCTION mycelium.authenticate(text);

-- What only the extension uses moves out of the schema applications see
-- (src/sql/schema/00_internal_schema.sql): the keys, and the helpers and trigger
-- functions 0.1.0 already had; the code parts then replace them where they are.
CREATE SCHEMA mycelium_internal;
COMMENT ON SCHEMA mycelium_internal IS 'Mycelium''s own keys, settings and helpers; nothing here is an API';
ALTER TABLE mycelium.auth_keys SET SCHEMA mycelium_internal;
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'mycelium'::regnamespace
                AND p.proname IN ('tenant_tables', 'seal_context', 'check_member', 'establish_context',
                                  'announce_change', 'touch_updated_at', 'fill_slug', 'log_activity',
                                  'check_references', 'check_custom_fields', 'check_field_definition',
                                  'acting_organizations', 'job_lock_timeout', 'require_context', 'limit_changes',
                                  'guard_portal_deliverable_update', 'guard_move', 'address_recipient',
                                  'next_delivery_time', 'deliverable_audience', 'send_notifications',
                                  'notify_deliverable_events', 'notify_comment_events', 'apply_job_schedule',
                                  'equip_role')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET SCHEMA mycelium_internal', f);
    END LOOP;
END;
$$;

-- The open statuses have one source (src/sql/schema/10_types.sql), which the
-- sweeps' partial index now names.
CREATE FUNCTION mycelium.open_statuses() RETURNS mycelium.deliverable_status[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL']::mycelium.deliverable_status[]
$$;
COMMENT ON FUNCTION mycelium.open_statuses() IS
    'The statuses of a deliverable that is open and not yet late (the sweeps''); with OVERDUE, still to be done';
DROP INDEX mycelium.deliverables_open_due_idx;
CREATE INDEX deliverables_open_due_idx ON mycelium.deliverables (organization_id, due_date)
    WHERE status = ANY (mycelium.open_statuses());
-- A staff member's dashboard filters the user's entries in the index, and a
-- page of the newest deliverables reads the page (src/sql/schema/30_indexes.sql).
DROP INDEX mycelium.deliverables_dashboard_idx;
CREATE INDEX deliverables_dashboard_idx
    ON mycelium.deliverables (organization_id, assigned_user_id, due_date)
    INCLUDE (status, client_id, service_type_id)
    WHERE status = ANY (mycelium.open_statuses() || 'OVERDUE'::mycelium.deliverable_status);
CREATE INDEX deliverables_org_created_idx ON mycelium.deliverables (organization_id, created_at, id);
CREATE INDEX deliverables_org_assignee_created_idx
    ON mycelium.deliverables (organization_id, assigned_user_id, created_at);
DROP INDEX mycelium.deliverables_org_client_idx;
CREATE INDEX deliverables_org_client_idx ON mycelium.deliverables (organization_id, client_id)
    INCLUDE (status, due_date, assigned_user_id, service_type_id);

-- Functions whose arguments changed: the new ones are made by the code parts.
DROP FUNCTION mycelium.archive_old_deliverables(interval);  -- gained organization_id
-- gained the deliverables' columns, which a sweep passes instead of reading them again
DROP FUNCTION mycelium_internal.deliverable_audience(uuid[], uuid[], text[]);

-- Policies are made anew by src/sql/code/50_rls.sql.
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT pol.polname, pol.polrelid::regclass AS tbl
               FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
              WHERE c.relnamespace = 'mycelium'::regnamespace
    LOOP
        EXECUTE format('DROP POLICY %I ON %s', p.polname, p.tbl);
    END LOOP;
END;
$$;

-- The job list, and the queue of runs on its rows (src/sql/schema/20_tables.sql).
CREATE TABLE mycelium_internal.jobs (
    name         text NOT NULL,
    description  text NOT NULL,
    -- What schedule_jobs last gave pg_cron (UTC), and when: database_health_check
    -- compares them with job_runs to find runs that should have happened.
    schedule     text,
    scheduled_at timestamptz,
    CONSTRAINT jobs_pkey PRIMARY KEY (name),
    CONSTRAINT jobs_scheduled CHECK ((schedule IS NULL) = (scheduled_at IS NULL))
);
INSERT INTO mycelium_internal.jobs (name, description) VALUES
    ('sweep_overdue', 'Marks open deliverables past due OVERDUE and notifies (mycelium.sweep_overdue)'),
    ('sweep_due_soon', 'Notifies about deliverables due within a day (mycelium.sweep_due_soon)'),
    ('generate_recurring', 'Creates this month''s recurring deliverables (mycelium.generate_recurring_deliverables)'),
    ('cleanup_activity_logs', 'Deletes activity older than a year (mycelium.cleanup_old_activity_logs)'),
    ('archive_deliverables', 'Archives deliverables completed over six months ago (mycelium.archive_old_deliverables)');
ALTER TABLE mycelium_internal.jobs ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.jobs IS 'The jobs mycelium.run_job runs; a run locks its job''s row';

-- Passwords of staff (users) and portal users (client_users), one row per
-- account that has one: an Argon2id hash in PHC form, or an imported bcrypt hash
-- until the next sign-in replaces it (mycelium.sign_in). No role but the owner
-- has any privilege on it; pg_dump keeps it with the accounts.
CREATE TABLE mycelium_internal.credentials (
    id                   uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id      uuid        NOT NULL,
    user_id              uuid,
    client_user_id       uuid,
    password_hash        text        NOT NULL,
    -- Set by an ADMIN's set_password (by default, as the organization's
    -- require_password_change says) and by a temporary password: until the
    -- account changes it, a session may do nothing but change_password.
    must_change_password boolean     NOT NULL DEFAULT false,
    -- A temporary password (set_temporary_password): refused after this time,
    -- and after the first sign-in that used it (temporary_used_at).
    temporary_until      timestamptz,
    temporary_used_at    timestamptz,
    changed_at           timestamptz NOT NULL DEFAULT now(),
    -- A portal account's failed sign-ins and lock (client_users has no columns
    -- for them; a staff account's are users.login_attempts and locked_at).
    failed_attempts      integer     NOT NULL DEFAULT 0,
    locked_at            timestamptz,
    CONSTRAINT credentials_pkey PRIMARY KEY (id),
    CONSTRAINT credentials_one_account CHECK (num_nonnulls(user_id, client_user_id) = 1),
    CONSTRAINT credentials_temporary_must_change CHECK (temporary_until IS NULL OR must_change_password),
    CONSTRAINT credentials_user_key UNIQUE (organization_id, user_id),
    CONSTRAINT credentials_client_user_key UNIQUE (organization_id, client_user_id),
    CONSTRAINT credentials_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT credentials_client_user_fkey FOREIGN KEY (organization_id, client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.credentials ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.credentials IS 'Password hashes of staff and portal users; the owner''s alone';

-- Hashes a sign-in can check move to credentials (Argon2id, bcrypt, within the
-- bounds of mycelium_internal.is_supported_hash); anything else 0.1.0 stored
-- there (plain text, an unknown scheme) is dropped, and such users set a new
-- password (docs/operations.md, "Upgrading").
CREATE FUNCTION mycelium_internal.is_supported_hash(hash text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_supported_hash'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
INSERT INTO mycelium_internal.credentials (organization_id, user_id, password_hash)
SELECT u.organization_id, u.id, u.hashed_password FROM mycelium.users u
 WHERE mycelium_internal.is_supported_hash(u.hashed_password);
INSERT INTO mycelium_internal.credentials (organization_id, client_user_id, password_hash)
SELECT c.organization_id, c.id, c.hashed_password FROM mycelium.client_users c
 WHERE mycelium_internal.is_supported_hash(c.hashed_password);
ALTER TABLE mycelium.users DROP COLUMN hashed_password, DROP COLUMN temporary_password;
ALTER TABLE mycelium.client_users DROP COLUMN hashed_password;

-- When each account's sessions were last ended (mycelium_internal.end_sessions):
-- authenticate refuses tokens issued before not_before, the whole second after
-- they were ended ("iat" counts whole seconds). An account without a row has
-- never had them ended. account_id is a users or client_users id of the
-- organization (no key can name either table); the rows go with the organization,
-- and one left by a deleted account names an id no other account gets.
CREATE TABLE mycelium_internal.session_floors (
    organization_id uuid        NOT NULL,
    account_id      uuid        NOT NULL,
    not_before      timestamptz NOT NULL DEFAULT now(),
    -- Counts the times they were ended: the tokens sign_in issues carry the
    -- count of their day ("mycelium_session"), which, unlike a time in whole
    -- seconds, tells a token of the same second apart.
    generation      bigint      NOT NULL DEFAULT 1,
    CONSTRAINT session_floors_pkey PRIMARY KEY (organization_id, account_id),
    CONSTRAINT session_floors_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.session_floors ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.session_floors IS 'When each account''s sessions were last ended';

-- Tokens ended one at a time (mycelium.sign_out): their "jti", kept until they
-- would have expired anyway, when sign_out clears them away.
CREATE TABLE mycelium_internal.revoked_tokens (
    organization_id uuid        NOT NULL,
    token_id        text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    CONSTRAINT revoked_tokens_pkey PRIMARY KEY (organization_id, token_id),
    CONSTRAINT revoked_tokens_token_id_length CHECK (length(token_id) BETWEEN 1 AND 200),
    CONSTRAINT revoked_tokens_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.revoked_tokens ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.revoked_tokens IS 'Tokens signed out one by one, until they expire';

-- Identity services whose tokens authenticate accepts for an organization
-- (src/sql/code/12_identity_providers.sql): the service's issuer, its public
-- keys as a JWKS document, the audiences a token must name, and how a token
-- finds its account. Public keys only, nothing secret; written by the
-- organization's ADMINs through set_identity_provider.
CREATE TABLE mycelium_internal.identity_providers (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    issuer          text        NOT NULL,
    jwks            text        NOT NULL,
    audiences       text[]      NOT NULL DEFAULT '{}',
    match_by        text        NOT NULL DEFAULT 'verified_email',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT identity_providers_pkey PRIMARY KEY (id),
    CONSTRAINT identity_providers_issuer_key UNIQUE (organization_id, issuer),
    CONSTRAINT identity_providers_match_by_known CHECK (match_by IN ('verified_email', 'email', 'subject')),
    CONSTRAINT identity_providers_issuer_length CHECK (length(issuer) BETWEEN 1 AND 2000),
    CONSTRAINT identity_providers_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.identity_providers ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.identity_providers IS
    'Identity services (issuer, public keys, audiences) whose tokens an organization accepts';

-- For match_by 'subject': the account an identity service's "sub" is, linked
-- by an ADMIN (mycelium.link_identity).
CREATE TABLE mycelium_internal.external_identities (
    provider_id     uuid        NOT NULL,
    subject         text        NOT NULL,
    organization_id uuid        NOT NULL,
    account_id      uuid        NOT NULL,
    portal          boolean     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT external_identities_pkey PRIMARY KEY (provider_id, subject),
    CONSTRAINT external_identities_subject_length CHECK (length(subject) BETWEEN 1 AND 500),
    CONSTRAINT external_identities_provider_fkey FOREIGN KEY (provider_id)
        REFERENCES mycelium_internal.identity_providers (id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.external_identities ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.external_identities IS 'Which account an identity service''s subject is';

-- Single-use secrets that stand for an account for a while: an invitation, a
-- password reset, an e-mail verification (src/sql/code/49_account_secrets.sql).
-- Only the SHA-256 of each is kept; the secret itself (366 random bits) is
-- shown once, to the caller that made it, so a copy of this table opens
-- nothing. A secret is deleted when used, refused after expires_at, and
-- replaced by the next of its purpose for the same account.
CREATE TABLE mycelium_internal.account_secrets (
    secret_hash     bytea       NOT NULL,
    organization_id uuid        NOT NULL,
    account_id      uuid        NOT NULL,
    portal          boolean     NOT NULL,
    purpose         text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    CONSTRAINT account_secrets_pkey PRIMARY KEY (secret_hash),
    CONSTRAINT account_secrets_one_per_purpose UNIQUE (organization_id, account_id, purpose),
    CONSTRAINT account_secrets_purpose_known CHECK (purpose IN ('invitation', 'password_reset',
                                                                'email_verification')),
    CONSTRAINT account_secrets_hash_length CHECK (octet_length(secret_hash) = 32),
    CONSTRAINT account_secrets_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE
);
ALTER TABLE mycelium_internal.account_secrets ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.account_secrets IS
    'Hashes of single-use invitation, password-reset and e-mail verification secrets';

-- Fixed-window counters for what anyone may call before signing in (sign_up,
-- request_password_reset): one row per bucket, counted and reset in one
-- statement under the row's lock, so concurrent callers cannot both pass the
-- last slot. A row lock, not an advisory lock, which any role could hold.
CREATE TABLE mycelium_internal.rate_limits (
    bucket       text        NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    CONSTRAINT rate_limits_pkey PRIMARY KEY (bucket)
);
CREATE INDEX rate_limits_window_start_idx ON mycelium_internal.rate_limits (window_start);
ALTER TABLE mycelium_internal.rate_limits ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.rate_limits IS 'Rate-limit windows of sign-up and password-reset requests';

-- The shape of Mycelium's tables in this database, carried by every dump: a
-- restore compares it with the tables it loads into and refuses a dump whose
-- tables differ (src/sql/code/85_schema_guard.sql). One row, kept by the install
-- and update scripts and by mycelium_internal.guard_schema.
CREATE TABLE mycelium_internal.schema_manifest (
    singleton   boolean     NOT NULL DEFAULT true,
    version     text        NOT NULL,
    digest      text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schema_manifest_pkey PRIMARY KEY (singleton),
    CONSTRAINT schema_manifest_one_row CHECK (singleton)
);
ALTER TABLE mycelium_internal.schema_manifest ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.schema_manifest IS
    'The shape of Mycelium''s tables, carried by dumps so that a restore into different tables fails';

-- Switches that belong to the data rather than to the server: in a table, so that
-- a dump carries them (ALTER DATABASE ... SET is lost by a restore without
-- --create, which would silently reopen what a switch closes). A missing row is
-- the default. Written by mycelium.configure(); the names it knows are the ones
-- settings_name_known lists. No role but the owner has any privilege on it.
CREATE TABLE mycelium_internal.settings (
    name       text        NOT NULL,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT settings_pkey PRIMARY KEY (name),
    CONSTRAINT settings_name_known CHECK (name IN ('require_signed_context', 'base_domain', 'password_memory_kib',
                                                   'password_iterations', 'password_parallelism',
                                                   'password_min_length', 'require_verified_email',
                                                   'sign_ups_per_hour', 'lockout_minutes',
                                                   'past_due_grace_days', 'integration_failure_limit')),
    -- base_domain: a host name as organization_branding_custom_domain_format has it.
    CONSTRAINT settings_value_valid CHECK (CASE name
        WHEN 'require_signed_context' THEN value IN ('on', 'off')
        WHEN 'require_verified_email' THEN value IN ('on', 'off')
        -- 0 closes sign-up.
        WHEN 'sign_ups_per_hour' THEN CASE WHEN value ~ '^[0-9]{1,5}$' THEN value::integer BETWEEN 0 AND 10000 ELSE false END
        -- 0: a lock from failed sign-ins holds until an ADMIN unlocks it.
        WHEN 'lockout_minutes' THEN CASE WHEN value ~ '^[0-9]{1,5}$' THEN value::integer BETWEEN 0 AND 10080 ELSE false END
        -- 0: a PAST_DUE subscription is read-only as soon as its period ends.
        WHEN 'past_due_grace_days' THEN CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 0 AND 365 ELSE false END
        -- Consecutive failed webhook deliveries that disable an integration.
        WHEN 'integration_failure_limit' THEN CASE WHEN value ~ '^[0-9]{1,4}$' THEN value::integer BETWEEN 1 AND 1000 ELSE false END
        WHEN 'base_domain' THEN value ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'
                                AND length(value) <= 200
        -- Argon2id's parameters, from OWASP's minimum to what a sign-in can afford
        -- (src/core/password.hpp), and the shortest password accepted.
        WHEN 'password_memory_kib' THEN CASE WHEN value ~ '^[0-9]{1,7}$' THEN value::integer BETWEEN 19456 AND 1048576 ELSE false END
        WHEN 'password_iterations' THEN CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 2 AND 20 ELSE false END
        WHEN 'password_parallelism' THEN CASE WHEN value ~ '^[0-9]{1,2}$' THEN value::integer BETWEEN 1 AND 16 ELSE false END
        WHEN 'password_min_length' THEN CASE WHEN value ~ '^[0-9]{1,3}$' THEN value::integer BETWEEN 8 AND 128 ELSE false END
        END)
);
ALTER TABLE mycelium_internal.settings ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE mycelium_internal.settings IS 'Switches kept with the data (mycelium.configure); a missing row is the default';

-- An organization's failure within a run.
ALTER TABLE mycelium.job_runs
    ADD COLUMN failed_organization_id uuid,
    ADD COLUMN run_id uuid,
    ADD CONSTRAINT job_runs_organization_failed CHECK (
        (failed_organization_id IS NULL AND run_id IS NULL)
        OR (failed_organization_id IS NOT NULL AND run_id IS NOT NULL AND error IS NOT NULL));

-- Templates' dates (checked when written, no longer when generation copies them).
-- Existing templates that break them fail the update with 23514.
ALTER TABLE mycelium.deliverables
    ADD CONSTRAINT deliverables_template_dates_finite
        CHECK (NOT is_recurring OR recurrence_rule IS NULL
               OR (coalesce(isfinite(start_date), true) AND coalesce(isfinite(due_date), true))),
    ADD CONSTRAINT deliverables_template_span_at_most_5_years
        CHECK (NOT is_recurring OR recurrence_rule IS NULL OR due_date <= start_date + interval '5 years');

-- Custom domains: stored in lower case, a host name, unique across organizations.
-- Existing ones are lower-cased and trimmed; one that is still not a host name
-- fails the check (23514), and one claimed twice the unique index (23505).
UPDATE mycelium.organization_branding
   SET custom_domain = lower(btrim(custom_domain))
 WHERE custom_domain IS DISTINCT FROM lower(btrim(custom_domain));
ALTER TABLE mycelium.organization_branding
    ADD CONSTRAINT organization_branding_custom_domain_format CHECK (
        custom_domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'
        AND length(custom_domain) <= 253);
CREATE UNIQUE INDEX organization_branding_custom_domain_key
    ON mycelium.organization_branding (lower(custom_domain));

-- A portal user's approval is recorded (src/sql/code/26_stamps.sql): 0.1.0 could
-- name only staff approvers.
ALTER TABLE mycelium.deliverables
    ADD COLUMN approved_by_client_user_id uuid,
    ADD CONSTRAINT deliverables_approved_by_client_user_fkey FOREIGN KEY (organization_id, approved_by_client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE SET NULL (approved_by_client_user_id),
    ADD CONSTRAINT deliverables_one_approver CHECK (num_nonnulls(approved_by_id, approved_by_client_user_id) <= 1);

-- When a TRIALING subscription stops writing (src/sql/code/44_subscriptions.sql).
ALTER TABLE mycelium.subscriptions ADD COLUMN trial_ends_at timestamptz;

-- Custom domains route only once verified (src/sql/code/42_custom_domains.sql).
-- 0.1.0 routed nothing, so existing domains start unverified.
ALTER TABLE mycelium.organization_branding
    ADD COLUMN custom_domain_token text,
    ADD COLUMN custom_domain_verified_at timestamptz,
    ADD CONSTRAINT organization_branding_custom_domain_verified CHECK (
        custom_domain_verified_at IS NULL OR custom_domain IS NOT NULL);
UPDATE mycelium.organization_branding
   SET custom_domain_token = 'mycelium-domain-verification=' || replace(gen_random_uuid()::text, '-', '')
 WHERE custom_domain IS NOT NULL;

-- organization_settings.enable_time_tracking is honoured from 0.2.0 on
-- (src/sql/code/57_time_tracking.sql): an organization that logged time under
-- 0.1.0, whatever its switch said, keeps logging it. Its entries and its
-- deliverables' actual_hours stay as they were until an entry is next written.
UPDATE mycelium.organization_settings s SET enable_time_tracking = true
 WHERE NOT s.enable_time_tracking
   AND EXISTS (SELECT FROM mycelium.time_entries e WHERE e.organization_id = s.organization_id);

-- ====== Attachments (src/sql/schema/15_attachments.sql) ======
-- Entries are validated (the function as the schema part makes it, and the two
-- CHECKs). 0.1.0 took any JSON: the update fails with 23514 on the first row
-- whose attachments break the rules, naming it, and changes nothing; correct or
-- remove those entries and update again (docs/operations.md, "Upgrading").
CREATE FUNCTION mycelium.check_attachments(attachments jsonb, table_name text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    entry jsonb;
    i integer := -1;
    k text;
    v jsonb;
    s text;
    n numeric;
    m text[];
    problem text;
BEGIN
    IF jsonb_typeof(attachments) <> 'array' THEN
        RETURN true;
    END IF;
    FOR entry IN SELECT e FROM jsonb_array_elements(attachments) AS e LOOP
        i := i + 1;
        k := NULL;
        problem := NULL;
        IF jsonb_typeof(entry) <> 'object' THEN
            problem := format('an attachment is a JSON object with name, url, size and content_type, not %s %s',
                              CASE WHEN jsonb_typeof(entry) IN ('array', 'object') THEN 'an' ELSE 'a' END,
                              jsonb_typeof(entry));
        ELSE
            SELECT min(x) INTO k FROM jsonb_object_keys(entry) AS x
             WHERE x NOT IN ('name', 'url', 'size', 'content_type', 'uploaded_at');
            IF k IS NOT NULL THEN
                k := left(k, 64);
                problem := 'is not a key of an attachment (name, url, size, content_type, uploaded_at)';
            END IF;
        END IF;
        IF problem IS NULL THEN
            FOREACH k IN ARRAY ARRAY['name', 'url', 'size', 'content_type', 'uploaded_at'] LOOP
                v := entry -> k;
                IF v IS NULL THEN
                    problem := CASE WHEN k <> 'uploaded_at' THEN 'is missing' END;
                ELSIF k = 'size' THEN
                    IF jsonb_typeof(v) <> 'number' THEN
                        problem := format('must be a number of bytes, not %s', jsonb_typeof(v));
                    ELSE
                        n := (v #>> '{}')::numeric;
                        IF n < 0 OR n <> trunc(n) OR n > 9223372036854775807 THEN
                            problem := format('must be a whole, non-negative number of bytes, not %s', left(v::text, 40));
                        END IF;
                    END IF;
                ELSIF jsonb_typeof(v) <> 'string' THEN
                    problem := format('must be a string, not %s', jsonb_typeof(v));
                ELSE
                    s := v #>> '{}';
                    IF k = 'name' THEN
                        IF s ~ '^[[:space:]]*$' THEN
                            problem := 'must not be blank';
                        ELSIF length(s) > 255 THEN
                            problem := format('must be at most 255 characters, not %s', length(s));
                        ELSIF s ~ '[[:cntrl:]]' THEN
                            problem := 'must not hold control characters';
                        END IF;
                    ELSIF k = 'url' THEN
                        m := regexp_match(s, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)');
                        IF length(s) > 2048 THEN
                            problem := format('must be at most 2048 characters, not %s', length(s));
                        ELSIF s ~ '[[:space:][:cntrl:]]' THEN
                            problem := 'must not hold white space or control characters';
                        ELSIF m IS NULL OR lower(m[1]) NOT IN ('http', 'https') THEN
                            problem := 'must be an http or https URL';
                        ELSIF strpos(m[2], '@') > 0 THEN
                            problem := 'must not hold a user name or password';
                        ELSIF m[2] !~ ('^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                                       '(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)(:[0-9]{1,5})?$')
                              OR coalesce(substring(m[2] FROM ':([0-9]{1,5})$')::integer, 1) NOT BETWEEN 1 AND 65535 THEN
                            problem := 'must name a host (a DNS name or an IP address, and a port from 1 to 65535)';
                        END IF;
                    ELSIF k = 'content_type' THEN
                        IF length(s) > 255
                           OR s !~ ('^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}'
                                    '([[:blank:]]*;[[:blank:]]*[A-Za-z0-9!#$&^_.+-]+='
                                    '([A-Za-z0-9!#$&^_.+-]+|"[^"\\[:cntrl:]]*"))*$') THEN
                            problem := 'must be a MIME type such as image/png (type/subtype, optional ;name=value '
                                       'parameters, at most 255 characters)';
                        END IF;
                    ELSIF k = 'uploaded_at' THEN
                        m := regexp_match(s, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})'
                                             '(\.[0-9]{1,6})?(Z|[+-]([0-9]{2}):([0-9]{2}))$');
                        -- Nested, so that make_date only ever sees a valid year and month.
                        IF m IS NULL OR m[1]::integer < 1 OR m[2]::integer NOT BETWEEN 1 AND 12
                           OR m[3]::integer < 1 OR m[4]::integer > 23 OR m[5]::integer > 59 OR m[6]::integer > 59
                           OR coalesce(m[9]::integer, 0) > 23 OR coalesce(m[10]::integer, 0) > 59 THEN
                            problem := 'must be an RFC 3339 time with an offset, such as 2026-12-07T09:30:00Z';
                        ELSIF m[3]::integer > extract(day FROM make_date(m[1]::integer, m[2]::integer, 1)
                                                                + interval '1 month - 1 day') THEN
                            problem := format('must be an RFC 3339 time with an offset: %s-%s has no day %s',
                                              m[1], m[2], m[3]);
                        END IF;
                    END IF;
                END IF;
                EXIT WHEN problem IS NOT NULL;
            END LOOP;
        END IF;
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION '%.attachments[%]%: %', table_name, i,
                            CASE WHEN k IS NOT NULL THEN format(' "%s"', k) ELSE '' END, problem
                USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = table_name, COLUMN = 'attachments',
                      CONSTRAINT = table_name || '_attachments_valid',
                      HINT = 'An attachment is {"name": text, "url": "https://...", "size": bytes, '
                             '"content_type": "type/subtype"}, optionally with "uploaded_at" '
                             '(docs/schema.md, "Attachments").';
        END IF;
    END LOOP;
    RETURN true;
END;
$$;
COMMENT ON FUNCTION mycelium.check_attachments(jsonb, text) IS
    'True when every entry is an attachment (name, url, size, content_type, optionally uploaded_at); else 23514 naming the entry and key';

DO $$
DECLARE
    t text;
    r record;
BEGIN
    FOREACH t IN ARRAY ARRAY['deliverables', 'comments'] LOOP
        BEGIN
            EXECUTE format('ALTER TABLE mycelium.%1$I ADD CONSTRAINT %2$I '
                           'CHECK (mycelium.check_attachments(attachments, %1$L))', t, t || '_attachments_valid');
        EXCEPTION WHEN check_violation THEN
            -- Which row: one subtransaction per row with attachments, only on
            -- this path.
            FOR r IN EXECUTE format('SELECT organization_id, id, attachments FROM mycelium.%I '
                                    'WHERE attachments IS NOT NULL ORDER BY organization_id, id', t) LOOP
                BEGIN
                    PERFORM mycelium.check_attachments(r.attachments, t);
                EXCEPTION WHEN check_violation THEN
                    RAISE EXCEPTION 'mycelium: % % of organization % has attachments 0.2.0 refuses: %',
                                    t, r.id, r.organization_id, SQLERRM
                        USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = t, COLUMN = 'attachments',
                              CONSTRAINT = t || '_attachments_valid',
                              HINT = 'Correct or remove the entries that are not attachments (docs/schema.md, '
                                     '"Attachments"; docs/operations.md, "Upgrading"), then update again.';
                END;
            END LOOP;
            RAISE;
        END;
    END LOOP;
END;
$$;

-- Earlier versions of attachments (src/sql/code/59_attachments.sql).
CREATE TABLE mycelium.attachment_versions (
    id                        uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id           uuid        NOT NULL,
    deliverable_id            uuid        NOT NULL,
    -- The comment (on deliverable_id) whose attachment it was; NULL: the
    -- deliverable's own.
    comment_id                uuid,
    -- The entry as it was before the update.
    attachment                jsonb       NOT NULL,
    -- REPLACED: the update left an entry with the same url or name, changed;
    -- REMOVED: none.
    change                    text        NOT NULL,
    -- Who made the change: a staff user, or a portal user; neither for the
    -- owner or a job.
    changed_by_id             uuid,
    changed_by_client_user_id uuid,
    changed_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachment_versions_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT attachment_versions_deliverable_fkey FOREIGN KEY (organization_id, deliverable_id)
        REFERENCES mycelium.deliverables (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT attachment_versions_comment_fkey FOREIGN KEY (organization_id, comment_id)
        REFERENCES mycelium.comments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT attachment_versions_changed_by_fkey FOREIGN KEY (organization_id, changed_by_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (changed_by_id),
    CONSTRAINT attachment_versions_changed_by_client_user_fkey FOREIGN KEY (organization_id, changed_by_client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE SET NULL (changed_by_client_user_id),
    CONSTRAINT attachment_versions_attachment_object CHECK (jsonb_typeof(attachment) = 'object'),
    CONSTRAINT attachment_versions_change_known CHECK (change IN ('REPLACED', 'REMOVED')),
    CONSTRAINT attachment_versions_one_author CHECK (num_nonnulls(changed_by_id, changed_by_client_user_id) <= 1)
);
CREATE INDEX attachment_versions_org_deliverable_idx
    ON mycelium.attachment_versions (organization_id, deliverable_id, changed_at);
CREATE INDEX attachment_versions_org_comment_idx ON mycelium.attachment_versions (organization_id, comment_id)
    WHERE comment_id IS NOT NULL;
CREATE INDEX attachment_versions_org_changed_by_idx ON mycelium.attachment_versions (organization_id, changed_by_id)
    WHERE changed_by_id IS NOT NULL;
CREATE INDEX attachment_versions_org_changed_by_client_user_idx
    ON mycelium.attachment_versions (organization_id, changed_by_client_user_id)
    WHERE changed_by_client_user_id IS NOT NULL;

-- Roles equipped by 0.1.0's grant_access, which granted privileges to each role
-- directly, become members of the group roles instead (src/sql/code/90_catalog.sql
-- makes and equips them): each update equips the groups, so members keep up with
-- new tables and functions. Their direct privileges go, among them 0.1.0's
-- privileges on every column of the outbox, which 0.2.0 no longer gives.
DO $$
DECLARE
    k text;
    r record;
BEGIN
    FOREACH k IN ARRAY ARRAY['app', 'readonly', 'maintenance', 'delivery'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles x WHERE x.rolname = 'mycelium_' || k) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', 'mycelium_' || k);
        END IF;
    END LOOP;
    FOR r IN
        SELECT a.oid, a.rolname,
               array_remove(ARRAY[
                   CASE WHEN has_table_privilege(a.oid, 'mycelium.deliverables', 'INSERT') THEN 'app' END,
                   CASE WHEN NOT has_table_privilege(a.oid, 'mycelium.deliverables', 'INSERT')
                             AND has_function_privilege(a.oid, 'mycelium.set_context(uuid, uuid, text, uuid, text[])',
                                                        'EXECUTE') THEN 'readonly' END,
                   CASE WHEN has_function_privilege(a.oid, 'mycelium.run_job(text)', 'EXECUTE')
                        THEN 'maintenance' END,
                   CASE WHEN has_function_privilege(a.oid, 'mycelium.claim_deliveries(text, integer, interval)',
                                                    'EXECUTE') THEN 'delivery' END], NULL) AS kinds
          FROM pg_catalog.pg_roles a
         WHERE NOT a.rolsuper AND a.rolname NOT LIKE 'mycelium\_%'
           AND has_schema_privilege(a.oid, 'mycelium', 'USAGE')
    LOOP
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA mycelium FROM %I', r.rolname);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mycelium FROM %I', r.rolname);
        EXECUTE format('REVOKE ALL ON SCHEMA mycelium FROM %I', r.rolname);
        FOREACH k IN ARRAY r.kinds LOOP
            EXECUTE format('GRANT %I TO %I', 'mycelium_' || k, r.rolname);
        END LOOP;
    END LOOP;
END;
$$;

-- Portal users receive notifications too (src/sql/code/55_notifications.sql): a
-- recipient is a staff user or a portal user.
ALTER TABLE mycelium.notification_recipients
    ALTER COLUMN user_id DROP NOT NULL,
    ADD COLUMN client_user_id uuid,
    ADD CONSTRAINT notification_recipients_notification_client_user_channel_key
        UNIQUE (organization_id, notification_id, client_user_id, channel),
    ADD CONSTRAINT notification_recipients_client_user_fkey FOREIGN KEY (organization_id, client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT notification_recipients_one_recipient CHECK (num_nonnulls(user_id, client_user_id) = 1);
CREATE INDEX notification_recipients_org_client_user_idx
    ON mycelium.notification_recipients (organization_id, client_user_id) WHERE client_user_id IS NOT NULL;
-- What claim_deliveries hands out: the portal recipient and the e-mail branding.
ALTER TYPE mycelium.delivery
    ADD ATTRIBUTE client_user_id uuid,
    ADD ATTRIBUTE email_header_html text,
    ADD ATTRIBUTE email_footer_html text,
    ADD ATTRIBUTE email_signature text,
    ADD ATTRIBUTE slack_webhook_url text;
-- The outbox holds the deliveries of pending notifications only
-- (end_cancelled_deliveries, src/sql/code/56_delivery.sql): those of the
-- notifications 0.1.0 cancelled end, with the reason.
CREATE FUNCTION mycelium_internal.ended_delivery(status mycelium.notification_status) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'the notification is ' || lower(status::text) || ', so it is not delivered'
$$;
UPDATE mycelium.notification_recipients r
   SET failed_at = now(), next_attempt_at = NULL, last_error = mycelium_internal.ended_delivery(n.status)
  FROM mycelium.notifications n
 WHERE n.organization_id = r.organization_id AND n.id = r.notification_id AND n.status <> 'PENDING'
   AND r.channel <> 'in_app' AND r.delivered_at IS NULL AND r.failed_at IS NULL;
-- send_notifications gained the portal recipients (portal_users), and the titles
-- and due dates that a sweep passes instead of reading them again.
DROP FUNCTION mycelium_internal.send_notifications(mycelium.notification_type, timestamptz, uuid, uuid[], uuid[],
                                                   uuid[], uuid[]);

-- Integrations (issue #17): secrets encrypted at rest, in a column of their own
-- under keys kept apart (src/sql/code/53_integration_secrets.sql encrypts the
-- secrets 0.1.0 kept in config), and webhook_url checked.
ALTER TABLE mycelium.integrations
    ADD COLUMN secrets jsonb NOT NULL DEFAULT '{}',
    ADD CONSTRAINT integrations_secrets_object CHECK (jsonb_typeof(secrets) = 'object');
CREATE TABLE mycelium_internal.integration_keys (
    id         uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    key        bytea       NOT NULL,
    is_current boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT integration_keys_pkey PRIMARY KEY (id),
    CONSTRAINT integration_keys_key_length CHECK (octet_length(key) = 32)
);
CREATE UNIQUE INDEX integration_keys_one_current ON mycelium_internal.integration_keys (is_current)
    WHERE is_current;
CREATE TABLE mycelium_internal.integration_secret_uses (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    integration_id  uuid        NOT NULL,
    name            text        NOT NULL,
    purpose         text        NOT NULL,
    used_by         text        NOT NULL DEFAULT session_user,
    app_user_id     uuid,
    used_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT integration_secret_uses_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT integration_secret_uses_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE
);
-- (made here too, for the check below; 00_native.sql makes it the same again)
CREATE FUNCTION mycelium.is_valid_webhook_url(url text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'mycelium_is_valid_webhook_url'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- A webhook_url 0.1.0 accepted that is no https URL with a host and without
-- credentials cannot be sent to: it is cleared (the integration keeps its other
-- settings) rather than failing the update.
UPDATE mycelium.integrations SET webhook_url = NULL
 WHERE webhook_url IS NOT NULL AND NOT mycelium.is_valid_webhook_url(webhook_url);
ALTER TABLE mycelium.integrations
    ADD CONSTRAINT integrations_webhook_url_valid CHECK (mycelium.is_valid_webhook_url(webhook_url));

-- ====== Webhook events (src/sql/code/56_webhooks.sql) ======
-- The event outbox of WEBHOOKS and ZAPIER integrations, and what
-- claim_webhook_deliveries hands a worker.
CREATE TABLE mycelium.webhook_deliveries (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    integration_id  uuid        NOT NULL,
    event_type      text        NOT NULL,
    payload         jsonb       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    parked          boolean     NOT NULL DEFAULT false,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT webhook_deliveries_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_integration_fkey FOREIGN KEY (organization_id, integration_id)
        REFERENCES mycelium.integrations (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT webhook_deliveries_attempts_non_negative CHECK (attempts >= 0),
    CONSTRAINT webhook_deliveries_delivered_or_failed CHECK (delivered_at IS NULL OR failed_at IS NULL)
);
CREATE INDEX webhook_deliveries_org_integration_idx
    ON mycelium.webhook_deliveries (organization_id, integration_id);
CREATE INDEX webhook_deliveries_outbox_idx
    ON mycelium.webhook_deliveries ((coalesce(next_attempt_at, '-infinity'::timestamptz)), id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND NOT parked;
CREATE TYPE mycelium.webhook_delivery AS (
    id                uuid,
    organization_id   uuid,
    integration_id    uuid,
    attempt           integer,
    url               text,
    event_type        text,
    webhook_id        text,
    webhook_timestamp bigint,
    body              text,
    webhook_signature text
);
