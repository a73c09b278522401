-- ====== Real-time: in-app notifications without polling ======
-- docs/notifications.md, "Real-time". An application LISTENs on the channel
-- mycelium.notification_channel() names for the context's account; when in-app
-- recipient rows are inserted, a statement trigger pg_notify()s each one's
-- account with ids only ({"notification_id": ..., "recipient_id": ...}), never a
-- title or message: the application then reads the row under row-level
-- security. Channel names are an HMAC of the organization, the kind of account
-- and its id under the server's context key (src/core/context.cpp), so nobody can
-- name another account's channel; PostgreSQL delivers a NOTIFY at commit only,
-- so a rolled-back notification is never announced.

CREATE OR REPLACE FUNCTION mycelium_internal.listen_channel(organization_id uuid, portal boolean, account_id uuid)
    RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_listen_channel'
    LANGUAGE C STABLE;

-- The context's account's channel (a staff user's, or a portal user's).
CREATE OR REPLACE FUNCTION mycelium.notification_channel() RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org constant uuid := mycelium.current_organization_id();
    account constant uuid := mycelium.current_app_user_id();
BEGIN
    IF org IS NULL OR account IS NULL THEN
        RAISE EXCEPTION 'notification_channel: no tenant context is set'
            USING ERRCODE = '28M01', SCHEMA = 'mycelium',
                  HINT = 'Set the context (mycelium.authenticate or set_context) first.';
    END IF;
    RETURN mycelium_internal.listen_channel(org, mycelium.current_app_role() = 'CLIENT', account);
END;
$$;
COMMENT ON FUNCTION mycelium.notification_channel() IS
    'The LISTEN channel on which the context''s account hears of its new in-app notifications (ids only)';

-- SECURITY DEFINER: the channel's key is the server's.
CREATE OR REPLACE FUNCTION mycelium_internal.announce_notifications() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_catalog.pg_notify(
                mycelium_internal.listen_channel(r.organization_id, r.client_user_id IS NOT NULL,
                                                 coalesce(r.user_id, r.client_user_id)),
                pg_catalog.json_build_object('notification_id', r.notification_id, 'recipient_id', r.id)::text)
       FROM new_rows r
      WHERE r.channel = 'in_app';
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER announce_notifications AFTER INSERT ON mycelium.notification_recipients
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_notifications();
