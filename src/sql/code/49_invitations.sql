-- ====== Invitations ======
-- An ADMIN invites a colleague (invite_user) or a client's portal user
-- (invite_client_user): the account is made
-- waiting (a PENDING user, an inactive portal user), with a single-use
-- invitation secret that the application mails. accept_invitation, called with
-- the secret and a password of the invitee's choice, makes it active and
-- verified. The organization's ADMINs hear of both (USER_INVITED,
-- USER_ACTIVATED). To withdraw an invitation, delete the waiting account.

-- One notification about an account to the organization's active ADMINs but
-- the actor, on the organization's channels, at its delivery time: related to
-- the user, or for a portal user to its client. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.notify_admins(kind mycelium.notification_type, organization_id uuid,
                                                          sender uuid, title text, message text, account_id uuid,
                                                          account_type text, metadata jsonb) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH delivery AS (
        SELECT ARRAY['in_app']
               || CASE WHEN coalesce(s.enable_email_notifications, true) THEN ARRAY['email'] ELSE '{}' END
               || CASE WHEN coalesce(s.enable_slack_notifications, false) THEN ARRAY['slack'] ELSE '{}' END
                   AS channels,
               mycelium_internal.next_delivery_time(now(), coalesce(s.notification_frequency, 'immediate'),
                                                   coalesce(s.timezone, 'UTC'), coalesce(s.week_starts_on, 1))
                   AS scheduled_for
          FROM (SELECT notify_admins.organization_id AS id) o
          LEFT JOIN mycelium.organization_settings s ON s.organization_id = o.id
    ),
    admins AS MATERIALIZED (
        SELECT u.id, u.email FROM mycelium.users u
         WHERE u.organization_id = notify_admins.organization_id AND u.role = 'ADMIN' AND u.status = 'ACTIVE'
           AND u.id IS DISTINCT FROM sender
    ),
    created AS (
        INSERT INTO mycelium.notifications AS n (organization_id, type, title, message, sender_id, channels,
                                                 scheduled_for, related_id, related_type, metadata)
        SELECT notify_admins.organization_id, kind, title, message, sender, d.channels, d.scheduled_for,
               account_id, account_type, metadata
          FROM delivery d
         WHERE EXISTS (SELECT FROM admins)
        RETURNING n.id, n.channels, n.scheduled_for
    )
    INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, email_address,
                                                  next_attempt_at)
    SELECT notify_admins.organization_id, c.id, a.id, ch.channel, CASE WHEN ch.channel = 'email' THEN a.email END,
           CASE WHEN ch.channel <> 'in_app' THEN c.scheduled_for END
      FROM created c CROSS JOIN admins a CROSS JOIN LATERAL unnest(c.channels) AS ch(channel)
$$;

-- Invites a colleague: a PENDING user with the role (an ADMIN of the
-- context's organization only) and an invitation secret valid for valid_for,
-- returned once. Inviting the address of a user still PENDING issues a new
-- secret (the old one stops working).
CREATE OR REPLACE FUNCTION mycelium.invite_user(email text, name text, role mycelium.user_role,
                                                valid_for interval DEFAULT '7 days',
                                                OUT user_id uuid, OUT invitation text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    me uuid := mycelium.current_app_user_id();
    waiting mycelium.user_status;
BEGIN
    PERFORM mycelium.require_writable('invite_user');
    org := mycelium_internal.admin_organization('invite_user', 'invite');
    -- A new person is a change of the organization (44_subscriptions.sql).
    PERFORM mycelium_internal.require_organization_writable('invite_user', org);
    IF email IS NULL OR name IS NULL OR role IS NULL THEN
        RAISE EXCEPTION 'invite_user: email, name and role are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    IF role = 'CLIENT' THEN
        RAISE EXCEPTION 'invite_user: portal users are invited with mycelium.invite_client_user'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'users', COLUMN = 'role';
    END IF;
    PERFORM mycelium_internal.check_lifetime('invite_user', valid_for);
    SELECT u.id, u.status INTO user_id, waiting
      FROM mycelium.users u WHERE u.organization_id = org AND lower(u.email) = lower(invite_user.email);
    IF user_id IS NULL THEN
        INSERT INTO mycelium.users (organization_id, email, name, role, status, invited_by, invited_at)
        VALUES (org, invite_user.email, invite_user.name, invite_user.role, 'PENDING', me, now())
        RETURNING id INTO user_id;
    ELSIF waiting = 'PENDING' THEN
        UPDATE mycelium.users u SET name = invite_user.name, role = invite_user.role, invited_by = me,
                                    invited_at = now()
         WHERE u.organization_id = org AND u.id = user_id;
    ELSE
        RAISE EXCEPTION 'invite_user: % already has an account', left(email, 200)
            USING ERRCODE = 'unique_violation', SCHEMA = 'mycelium', TABLE = 'users', COLUMN = 'email';
    END IF;
    invitation := mycelium_internal.issue_secret(org, user_id, false, 'invitation', valid_for);
    PERFORM mycelium_internal.notify_admins('USER_INVITED', org, me, 'User invited',
                                            format('%s was invited as %s.', left(name, 200), role), user_id, 'user',
                                            jsonb_build_object('email', left(email, 320), 'role', role));
END;
$$;
COMMENT ON FUNCTION mycelium.invite_user(text, text, mycelium.user_role, interval) IS
    'Makes a PENDING user and returns its invitation secret, once (an ADMIN)';

-- Invites a portal user of a client: an ADMIN, or a portal ADMIN for its own
-- client (as client_users' policies let them manage portal users). The account
-- stays inactive until accepted.
CREATE OR REPLACE FUNCTION mycelium.invite_client_user(client_id uuid, email text, name text,
                                                       role mycelium.client_user_role DEFAULT 'VIEWER',
                                                       valid_for interval DEFAULT '7 days',
                                                       OUT client_user_id uuid, OUT invitation text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid;
    me uuid := mycelium.current_app_user_id();
    waiting boolean;
BEGIN
    PERFORM mycelium.require_writable('invite_client_user');
    IF mycelium.current_app_role() = 'CLIENT' AND mycelium.portal_can('manage')
       AND invite_client_user.client_id = mycelium.current_client_id() THEN
        org := mycelium.current_organization_id();
        me := NULL;  -- a portal user is no staff sender
    ELSE
        org := mycelium_internal.admin_organization('invite_client_user', 'invite portal users');
    END IF;
    PERFORM mycelium_internal.require_organization_writable('invite_client_user', org);
    IF client_id IS NULL OR email IS NULL OR name IS NULL OR role IS NULL THEN
        RAISE EXCEPTION 'invite_client_user: client_id, email, name and role are required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.check_lifetime('invite_client_user', valid_for);
    IF NOT EXISTS (SELECT FROM mycelium.clients c WHERE c.organization_id = org AND c.id = invite_client_user.client_id)
    THEN
        RAISE EXCEPTION 'invite_client_user: % is not a client of the organization', client_id
            USING ERRCODE = 'foreign_key_violation',
                  SCHEMA = 'mycelium', TABLE = 'client_users', COLUMN = 'client_id';
    END IF;
    SELECT cu.id, NOT cu.is_active AND cu.last_login_at IS NULL INTO client_user_id, waiting
      FROM mycelium.client_users cu
     WHERE cu.organization_id = org AND cu.client_id = invite_client_user.client_id
       AND lower(cu.email) = lower(invite_client_user.email);
    IF client_user_id IS NULL THEN
        INSERT INTO mycelium.client_users (organization_id, client_id, email, name, role, is_active)
        VALUES (org, invite_client_user.client_id, invite_client_user.email, invite_client_user.name,
                invite_client_user.role, false)
        RETURNING id INTO client_user_id;
    ELSIF waiting THEN
        UPDATE mycelium.client_users cu SET name = invite_client_user.name, role = invite_client_user.role
         WHERE cu.organization_id = org AND cu.id = client_user_id;
    ELSE
        RAISE EXCEPTION 'invite_client_user: % already has a portal account', left(email, 200)
            USING ERRCODE = 'unique_violation', SCHEMA = 'mycelium', TABLE = 'client_users', COLUMN = 'email';
    END IF;
    invitation := mycelium_internal.issue_secret(org, client_user_id, true, 'invitation', valid_for);
    PERFORM mycelium_internal.notify_admins('USER_INVITED', org, me, 'Portal user invited',
                                            format('%s was invited to the client portal.', left(name, 200)),
                                            client_id, 'client',
                                            jsonb_build_object('email', left(email, 320),
                                                               'client_user_id', client_user_id, 'role', role));
END;
$$;
COMMENT ON FUNCTION mycelium.invite_client_user(uuid, text, text, mycelium.client_user_role, interval) IS
    'Makes an inactive portal user of a client and returns its invitation secret, once';

-- The invitee accepts: with the secret and a password of its choice (the
-- policy's), its account becomes active and its address verified; the
-- organization's ADMINs hear of it. Callable before signing in; sign_in next.
CREATE OR REPLACE FUNCTION mycelium.accept_invitation(invitation text, password text,
                                                      OUT organization_id uuid, OUT account_id uuid,
                                                      OUT portal boolean)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acct record;
    problem text;
    who text;
    client uuid;
BEGIN
    PERFORM mycelium.require_writable('accept_invitation');
    IF password IS NULL THEN
        RAISE EXCEPTION 'accept_invitation: a password is required'
            USING ERRCODE = 'null_value_not_allowed', SCHEMA = 'mycelium';
    END IF;
    SELECT t.organization_id, t.account_id, t.portal INTO organization_id, account_id, portal
      FROM mycelium_internal.take_secret('accept_invitation', invitation, 'invitation') t;
    -- An organization that is read-only (44_subscriptions.sql) takes no one new;
    -- the error rolls the secret's use back, so it works again once it is not.
    PERFORM mycelium_internal.require_organization_writable('accept_invitation', organization_id);
    SELECT * INTO acct FROM mycelium_internal.account(organization_id, account_id);
    -- Still waiting: deleted, deactivated or already active, the invitation is void.
    IF NOT FOUND
       OR (NOT portal AND NOT EXISTS (SELECT FROM mycelium.users u
                                       WHERE u.organization_id = accept_invitation.organization_id
                                         AND u.id = account_id AND u.status = 'PENDING'))
       OR (portal AND NOT EXISTS (SELECT FROM mycelium.client_users c
                                   WHERE c.organization_id = accept_invitation.organization_id
                                     AND c.id = account_id AND NOT c.is_active AND c.last_login_at IS NULL)) THEN
        RAISE EXCEPTION 'accept_invitation: the secret is not valid'
            USING ERRCODE = 'invalid_authorization_specification', SCHEMA = 'mycelium',
                  DETAIL = 'Its account is no longer waiting for it.';
    END IF;
    problem := mycelium_internal.password_problem(password, acct.email, acct.organization_name);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'accept_invitation: %', problem
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    PERFORM mycelium_internal.store_password(organization_id, account_id, portal,
                                             mycelium_internal.hash_password(password), false);
    IF portal THEN
        UPDATE mycelium.client_users c SET is_active = true, email_verified = true
         WHERE c.organization_id = accept_invitation.organization_id AND c.id = account_id
        RETURNING c.name, c.client_id INTO who, client;
    ELSE
        UPDATE mycelium.users u SET status = 'ACTIVE', email_verified = true
         WHERE u.organization_id = accept_invitation.organization_id AND u.id = account_id
        RETURNING u.name INTO who;
    END IF;
    PERFORM mycelium_internal.notify_admins('USER_ACTIVATED', organization_id, NULL,
                                            CASE WHEN portal THEN 'Portal user joined' ELSE 'User joined' END,
                                            format('%s accepted the invitation.', left(who, 200)),
                                            CASE WHEN portal THEN client ELSE account_id END,
                                            CASE WHEN portal THEN 'client' ELSE 'user' END,
                                            jsonb_build_object('email', left(acct.email, 320))
                                            || CASE WHEN portal THEN jsonb_build_object('client_user_id', account_id)
                                                    ELSE '{}' END);
END;
$$;
COMMENT ON FUNCTION mycelium.accept_invitation(text, text) IS
    'Activates an invited account with its invitation secret and a password of its choice';
