-- ====== Development tokens ======
-- Local development needs a token for a seeded user without a sign-in flow.
-- development_token issues one, as sign_in would, for an active account found by
-- e-mail address, and only while the server setting mycelium.development_tokens
-- is on. That setting is read from postgresql.conf (or ALTER SYSTEM) alone, never
-- from ALTER DATABASE, ALTER ROLE or SET: a database restored onto a production
-- server, or an application role, cannot turn it on. Each token issued is in
-- the activity log. docs/clients.md, "Local development".
CREATE OR REPLACE FUNCTION mycelium.development_token(organization_id uuid, email text, portal boolean DEFAULT false,
                                                      OUT token text, OUT user_id uuid, OUT role text,
                                                      OUT expires_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org constant uuid := development_token.organization_id;
    client uuid;
    issued record;
BEGIN
    PERFORM mycelium.require_writable('development_token');
    IF coalesce(current_setting('mycelium.development_tokens', true), 'off') <> 'on' THEN
        RAISE EXCEPTION 'development_token: development tokens are off on this server'
            USING ERRCODE = 'insufficient_privilege', SCHEMA = 'mycelium',
                  DETAIL = 'They are for local development only.',
                  HINT = 'On a development server only: mycelium.development_tokens = on in postgresql.conf '
                         '(or ALTER SYSTEM), then SELECT pg_reload_conf().';
    END IF;
    IF org IS NULL OR email IS NULL OR portal IS NULL THEN
        RAISE EXCEPTION 'development_token: organization_id, email and portal are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    user_id := mycelium_internal.active_account_by_email(org, email, portal);
    IF user_id IS NULL THEN
        RAISE EXCEPTION 'development_token: no active % with e-mail address % in organization %',
            CASE WHEN portal THEN 'portal user' ELSE 'user' END, quote_literal(left(email, 254)), org
            USING ERRCODE = 'invalid_authorization_specification',
                  SCHEMA = 'mycelium', TABLE = CASE WHEN portal THEN 'client_users' ELSE 'users' END, COLUMN = 'email';
    END IF;
    IF portal THEN
        SELECT 'CLIENT', c.client_id INTO role, client
          FROM mycelium.client_users c WHERE c.organization_id = org AND c.id = development_token.user_id;
    ELSE
        SELECT u.role::text INTO role FROM mycelium.users u WHERE u.organization_id = org AND u.id = development_token.user_id;
    END IF;
    SELECT * INTO issued
      FROM mycelium_internal.issue_token(org, development_token.user_id, role, client,
                                         -- sign_in's lifetime: the organization's, 24 hours without settings.
                                         coalesce((SELECT s.session_timeout_hours FROM mycelium.organization_settings s
                                                    WHERE s.organization_id = org), 24),
                                         (SELECT f.generation FROM mycelium_internal.session_floors f
                                           WHERE f.organization_id = org AND f.account_id = development_token.user_id));
    token := issued.token;
    expires_at := issued.expires_at;
    INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id, resource_name)
    VALUES (org, CASE WHEN NOT portal THEN development_token.user_id END, 'development_token',
            CASE WHEN portal THEN 'client_user' ELSE 'user' END, development_token.user_id, left(email, 100));
END;
$$;
COMMENT ON FUNCTION mycelium.development_token(uuid, text, boolean) IS
    'Issues a token for a seeded account, for local development only (server setting mycelium.development_tokens)';
