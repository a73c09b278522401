-- ====== Integration secrets (native: src/core/webhook.*, src/core/secret_box.*) ======
-- docs/integrations.md, "Secrets". The secret settings of an integration (a
-- signing secret, a Slack incoming-webhook URL, ...) are kept encrypted with
-- AES-256-GCM in mycelium.integrations.secrets, never in config; the keys are in
-- mycelium_internal.integration_keys, which no role but the owner can read and
-- pg_dump leaves out. Only the extension's SECURITY DEFINER functions decrypt.

-- The Standard Webhooks signature of one delivery: "v1," and the base64 of
-- HMAC-SHA256 under the secret's key of "<message_id>.<sent_at>.<body>". Private:
-- the extension signs with a secret it has just decrypted, so no role holds it.
CREATE OR REPLACE FUNCTION mycelium_internal.webhook_signature(secret text, message_id text, sent_at bigint,
                                                              body text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_webhook_signature'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- A new signing secret: "whsec_" and the base64 of 32 random bytes.
CREATE OR REPLACE FUNCTION mycelium_internal.generate_webhook_secret() RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_generate_webhook_secret'
    LANGUAGE C VOLATILE STRICT;

-- ------ Which settings are secret: the one list ------
-- The keys of an integration's config that are secret, by type. A write of any
-- of them to config is encrypted into secrets and removed from config by
-- keep_integration_secrets; docs/integrations.md prints this list.
CREATE OR REPLACE FUNCTION mycelium.integration_secret_names(integration_type mycelium.integration_type)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE integration_type
               WHEN 'WEBHOOKS' THEN ARRAY['signing_secret']
               WHEN 'ZAPIER' THEN ARRAY['signing_secret', 'api_key']
               WHEN 'SLACK' THEN ARRAY['webhook_url', 'bot_token', 'signing_secret']
               WHEN 'MICROSOFT_TEAMS' THEN ARRAY['webhook_url', 'access_token', 'refresh_token', 'client_secret']
               WHEN 'EMAIL_SMTP' THEN ARRAY['password']
               WHEN 'STRIPE' THEN ARRAY['secret_key', 'webhook_secret']
               ELSE ARRAY['access_token', 'refresh_token', 'client_secret', 'api_key']  -- DROPBOX, GOOGLE_DRIVE, CALENDAR
           END
$$;
COMMENT ON FUNCTION mycelium.integration_secret_names(mycelium.integration_type) IS
    'The config keys of an integration type that are secret: encrypted into secrets on write, never kept in config';

-- ------ Sealing and opening (native) ------
-- "<key id>.<base64>" under the current key of integration_keys, bound to the
-- organization, the integration and the name; and back. The keys are read by the
-- native code as the owner and never pass through SQL.
CREATE OR REPLACE FUNCTION mycelium_internal.seal_secret(organization_id uuid, integration_id uuid, name text,
                                                        plaintext text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_seal_secret'
    LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION mycelium_internal.open_secret(organization_id uuid, integration_id uuid, name text,
                                                        sealed text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_open_secret'
    LANGUAGE C STABLE;

-- The first key, made at install (and by the update from 0.1.0): 32 bytes
-- hashed from 384 bits of the server's strong random source.
INSERT INTO mycelium_internal.integration_keys (key, is_current)
SELECT sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())),
       true
 WHERE NOT EXISTS (SELECT FROM mycelium_internal.integration_keys k WHERE k.is_current);

-- ------ Writing secrets: through config, never stored there ------
-- A write that puts a secret key in config (an ADMIN's INSERT or UPDATE, an
-- upsert) has it encrypted into secrets and removed from config, before the row
-- is stored, so no plaintext reaches the table, its WAL, a RETURNING list, the
-- activity log or a dump. JSON null removes the secret. WEBHOOKS and ZAPIER
-- integrations always have a signing_secret: made when missing (a null makes a
-- new one). Slack's and Teams' webhook_url must pass is_valid_webhook_url.
-- secrets itself cannot be written except with values that open for this row
-- (a rotation's re-encryption): a ciphertext copied from another row, name or
-- organization is refused. Errors name the setting, never its value.
-- SECURITY DEFINER: the writer has no privilege on the sealing function.
CREATE OR REPLACE FUNCTION mycelium_internal.keep_integration_secrets() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    names constant text[] := mycelium.integration_secret_names(NEW.type);
    old_secrets jsonb := CASE WHEN TG_OP = 'UPDATE' THEN OLD.secrets ELSE '{}' END;
    sealed jsonb := '{}';
    k text;
    v jsonb;
    plain text;
BEGIN
    -- Not an object: integrations_config_object reports it.
    IF jsonb_typeof(NEW.config) IS DISTINCT FROM 'object' THEN
        RETURN NEW;
    END IF;
    -- A row given another id or organization (where row-level security and
    -- guard_move allow it) takes its secrets along, sealed for its new place.
    IF TG_OP = 'UPDATE' AND (NEW.organization_id, NEW.id) IS DISTINCT FROM (OLD.organization_id, OLD.id)
       AND NEW.secrets = OLD.secrets THEN
        NEW.secrets := coalesce((SELECT jsonb_object_agg(e.key,
                                            mycelium_internal.seal_secret(NEW.organization_id, NEW.id, e.key,
                                                mycelium_internal.open_secret(OLD.organization_id, OLD.id, e.key,
                                                                              e.value)))
                                   FROM jsonb_each_text(OLD.secrets) e), '{}');
        old_secrets := NEW.secrets;
    END IF;
    -- secrets as written: each value new to this row must open here.
    IF NEW.secrets IS NULL OR jsonb_typeof(NEW.secrets) <> 'object' THEN
        RAISE EXCEPTION 'mycelium: integrations.secrets must be a JSON object'
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'secrets';
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(NEW.secrets) e LOOP
        IF v IS DISTINCT FROM old_secrets -> k THEN
            IF NOT k = ANY (names) OR jsonb_typeof(v) <> 'string' THEN
                RAISE EXCEPTION 'mycelium: integrations.secrets is written through config, not directly'
                    USING ERRCODE = 'insufficient_privilege',
                          SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'secrets',
                          HINT = 'Put the secret in config; it is encrypted into secrets.';
            END IF;
            BEGIN
                PERFORM mycelium_internal.open_secret(NEW.organization_id, NEW.id, k, v #>> '{}');
            EXCEPTION WHEN data_corrupted OR object_not_in_prerequisite_state THEN
                RAISE EXCEPTION 'mycelium: integrations.secrets is written through config, not directly'
                    USING ERRCODE = 'insufficient_privilege',
                          SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'secrets',
                          DETAIL = format('The value of "%s" is not a secret sealed for this integration.', k),
                          HINT = 'Put the secret in config; it is encrypted into secrets.';
            END;
        END IF;
        IF k = ANY (names) THEN
            sealed := sealed || jsonb_build_object(k, v);
        END IF;
    END LOOP;

    -- Secrets written to config move to secrets.
    FOR k, v IN SELECT e.key, e.value FROM jsonb_each(NEW.config) e WHERE e.key = ANY (names) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            sealed := sealed - k;
        ELSIF jsonb_typeof(v) <> 'string' OR v #>> '{}' = '' THEN
            RAISE EXCEPTION 'mycelium: the secret "%" of an integration must be a non-empty string', k
                USING ERRCODE = 'invalid_parameter_value',
                      SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'config';
        ELSE
            plain := v #>> '{}';
            IF k = 'webhook_url' AND NOT mycelium.is_valid_webhook_url(plain) THEN
                RAISE EXCEPTION 'mycelium: the secret "webhook_url" of an integration must be an https URL with a host '
                                'and no credentials'
                    USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'config';
            END IF;
            IF k = 'signing_secret' AND NOT (plain ~ '^whsec_[A-Za-z0-9+/]+={0,2}$'
                                             AND octet_length(plain) BETWEEN 38 AND 94) THEN
                RAISE EXCEPTION 'mycelium: the secret "signing_secret" of an integration must be "whsec_" and the base64 '
                                'of 24 to 64 bytes'
                    USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'config';
            END IF;
            sealed := sealed || jsonb_build_object(k, mycelium_internal.seal_secret(NEW.organization_id, NEW.id, k,
                                                                                    plain));
        END IF;
        NEW.config := NEW.config - k;
    END LOOP;
    plain := NULL;

    IF NEW.type IN ('WEBHOOKS', 'ZAPIER') AND NOT sealed ? 'signing_secret' THEN
        sealed := sealed || jsonb_build_object('signing_secret',
            mycelium_internal.seal_secret(NEW.organization_id, NEW.id, 'signing_secret',
                                          mycelium_internal.generate_webhook_secret()));
    END IF;
    NEW.secrets := sealed;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER keep_integration_secrets BEFORE INSERT OR UPDATE ON mycelium.integrations
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.keep_integration_secrets();

-- ------ Reading secrets ------
-- The value of one secret of an integration, or NULL when it has none; each use
-- that finds one is recorded in integration_secret_uses with its purpose (who
-- asked: the session's role and application user). Private.
CREATE OR REPLACE FUNCTION mycelium_internal.open_integration_secret(organization_id uuid, integration_id uuid,
                                                                   name text, purpose text)
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sealed text;
BEGIN
    IF organization_id IS NULL OR integration_id IS NULL OR name IS NULL THEN
        RAISE EXCEPTION 'integration_secret: organization_id, integration_id and name are required'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    SELECT i.secrets ->> open_integration_secret.name INTO sealed
      FROM mycelium.integrations i
     WHERE i.organization_id = open_integration_secret.organization_id
       AND i.id = open_integration_secret.integration_id;
    IF sealed IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO mycelium_internal.integration_secret_uses (organization_id, integration_id, name, purpose, app_user_id)
    VALUES (open_integration_secret.organization_id, open_integration_secret.integration_id,
            open_integration_secret.name, purpose, mycelium.current_app_user_id());
    RETURN mycelium_internal.open_secret(open_integration_secret.organization_id,
                                         open_integration_secret.integration_id, open_integration_secret.name,
                                         sealed);
END;
$$;

-- The contract's reader (issue #17), for the extension's own SECURITY DEFINER
-- functions (signing a webhook, the Slack URL of a delivery): no role is
-- granted it. Recorded with the purpose 'integration_secret'.
CREATE OR REPLACE FUNCTION mycelium_internal.integration_secret(organization_id uuid, integration_id uuid, name text)
    RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT mycelium_internal.open_integration_secret(organization_id, integration_id, name, 'integration_secret')
$$;

-- An ADMIN of the organization reads one secret of one of its integrations (a
-- receiver needs the signing secret to verify webhooks; a Slack URL may need
-- checking). Recorded like every use. Everyone else: 42501.
CREATE OR REPLACE FUNCTION mycelium.reveal_integration_secret(integration_id uuid, name text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'reveal_integration_secret';
    org constant uuid := mycelium.current_organization_id();
    found_it boolean;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF org IS NULL THEN
        RAISE EXCEPTION '%: only an ADMIN of the organization reads an integration''s secrets', fn
            USING ERRCODE = '28M01', SCHEMA = 'mycelium',
                  HINT = 'Call mycelium.authenticate(token) or mycelium.set_context(...) as an ADMIN first.';
    END IF;
    IF mycelium.current_app_role() IS DISTINCT FROM 'ADMIN' THEN
        RAISE EXCEPTION '%: only an ADMIN of the organization reads an integration''s secrets', fn
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium', TABLE = 'integrations', COLUMN = 'secrets';
    END IF;
    IF integration_id IS NULL OR name IS NULL THEN
        RAISE EXCEPTION '%: integration_id and name are required', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    SELECT true INTO found_it FROM mycelium.integrations i
     WHERE i.organization_id = org AND i.id = reveal_integration_secret.integration_id;
    IF found_it IS NULL THEN
        RAISE EXCEPTION '%: no integration % in this organization', fn, integration_id
            USING ERRCODE = 'no_data_found', SCHEMA = 'mycelium', TABLE = 'integrations';
    END IF;
    RETURN mycelium_internal.open_integration_secret(org, reveal_integration_secret.integration_id,
                                                     reveal_integration_secret.name, fn);
END;
$$;
COMMENT ON FUNCTION mycelium.reveal_integration_secret(uuid, text) IS
    'An ADMIN reads one secret of an integration of the organization (recorded in integration_secret_uses)';

-- ------ Key rotation, without downtime ------
-- 1. rotate_integration_key() makes a new current key; new secrets use it at once,
--    and every old key stays to open what it sealed.
-- 2. reencrypt_integration_secrets(batch_size) re-encrypts up to batch_size
--    integrations still holding a secret under another key, skipping rows a
--    writer holds (SKIP LOCKED: nobody waits), and returns how many it did; call
--    it, one transaction each, until it returns 0. A writer of a row meanwhile
--    seals under the new key itself.
-- 3. retire_integration_keys() deletes the keys no secret names any more.
-- The extension's owner (a superuser) only: no role is granted them.
CREATE OR REPLACE FUNCTION mycelium.rotate_integration_key() RETURNS uuid
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    made uuid;
BEGIN
    PERFORM mycelium.require_writable('rotate_integration_key');
    -- One rotation at a time: two would both demote the key the other made.
    LOCK TABLE mycelium_internal.integration_keys IN SHARE ROW EXCLUSIVE MODE;
    UPDATE mycelium_internal.integration_keys k SET is_current = false WHERE k.is_current;
    INSERT INTO mycelium_internal.integration_keys (key, is_current)
    VALUES (sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())),
            true)
    RETURNING id INTO made;
    RETURN made;
END;
$$;
COMMENT ON FUNCTION mycelium.rotate_integration_key() IS
    'Makes a new current key for integration secrets; reencrypt_integration_secrets then moves the rows to it';

CREATE OR REPLACE FUNCTION mycelium.reencrypt_integration_secrets(batch_size integer DEFAULT 500) RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fn constant text := 'reencrypt_integration_secrets';
    current_key text;
    done integer;
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF batch_size IS NULL OR batch_size NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION '%: batch_size must be between 1 and 100000, not %', fn, coalesce(batch_size::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    SELECT k.id::text INTO current_key FROM mycelium_internal.integration_keys k WHERE k.is_current;
    IF current_key IS NULL THEN
        RAISE EXCEPTION '%: there is no current integration key', fn
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  SCHEMA = 'mycelium', HINT = 'mycelium.rotate_integration_key() makes one.';
    END IF;
    WITH stale AS (
        SELECT i.organization_id, i.id
          FROM mycelium.integrations i
         WHERE EXISTS (SELECT FROM jsonb_each_text(i.secrets) e WHERE split_part(e.value, '.', 1) <> current_key)
         ORDER BY i.organization_id, i.id
         LIMIT batch_size
           FOR UPDATE SKIP LOCKED
    ),
    redone AS (
        UPDATE mycelium.integrations i
           SET secrets = (SELECT jsonb_object_agg(e.key,
                                     CASE WHEN split_part(e.value, '.', 1) = current_key THEN e.value
                                          ELSE mycelium_internal.seal_secret(i.organization_id, i.id, e.key,
                                                   mycelium_internal.open_secret(i.organization_id, i.id, e.key,
                                                                                 e.value)) END)
                            FROM jsonb_each_text(i.secrets) e)
          FROM stale s
         WHERE i.organization_id = s.organization_id AND i.id = s.id
        RETURNING 1
    )
    SELECT count(*)::integer INTO done FROM redone;
    RETURN done;
END;
$$;
COMMENT ON FUNCTION mycelium.reencrypt_integration_secrets(integer) IS
    'Re-encrypts up to batch_size integrations'' secrets under the current key; call until it returns 0';

CREATE OR REPLACE FUNCTION mycelium.retire_integration_keys() RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    gone integer;
BEGIN
    PERFORM mycelium.require_writable('retire_integration_keys');
    -- A writer that sealed under the key current before the last rotation may
    -- not have committed yet: wait for the writers in flight (and hold new ones
    -- back for the length of this scan), so that every row is seen.
    LOCK TABLE mycelium.integrations IN SHARE MODE;
    DELETE FROM mycelium_internal.integration_keys k
     WHERE NOT k.is_current
       AND NOT EXISTS (SELECT FROM mycelium.integrations i, jsonb_each_text(i.secrets) e
                        WHERE split_part(e.value, '.', 1) = k.id::text);
    GET DIAGNOSTICS gone = ROW_COUNT;
    RETURN gone;
END;
$$;
COMMENT ON FUNCTION mycelium.retire_integration_keys() IS
    'Deletes the integration keys that no secret is sealed under any more';

-- Configurations of 0.1.0 kept their secrets in config, in clear: the update
-- encrypts them (and gives WEBHOOKS and ZAPIER integrations their signing
-- secret). On a fresh install there is nothing to do.
UPDATE mycelium.integrations i SET config = i.config
 WHERE i.config ?| mycelium.integration_secret_names(i.type)
    OR (i.type IN ('WEBHOOKS', 'ZAPIER') AND NOT i.secrets ? 'signing_secret');

-- Nobody but the owner reads the keys; RLS without a policy shuts out everyone
-- else should a privilege ever be granted by mistake. The same for the record
-- of uses.
ALTER TABLE mycelium_internal.integration_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE mycelium_internal.integration_secret_uses ENABLE ROW LEVEL SECURITY;

-- ------ Channels that need an integration ------
-- Whether an organization has what a delivery channel needs: for slack, an
-- enabled, connected SLACK integration with its incoming-webhook URL. email,
-- in_app and push need none. send_notifications and send_notices queue a
-- channel only when it holds (and the organization's settings enable it).
CREATE OR REPLACE FUNCTION mycelium_internal.channel_connected(organization_id uuid, channel text) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE channel
               WHEN 'slack' THEN EXISTS (SELECT FROM mycelium.integrations i
                                          WHERE i.organization_id = channel_connected.organization_id
                                            AND i.type = 'SLACK' AND i.is_enabled AND i.is_connected
                                            AND i.secrets ? 'webhook_url')
               ELSE true
           END
$$;
