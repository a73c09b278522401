-- ====== Enumerations (the design document's 15 enums) ======
-- DeliverableStatus gains ARCHIVED, which the document's archive procedure sets
-- but its enum lacks.

CREATE TYPE mycelium.user_role AS ENUM
    ('ADMIN', 'VIDEO_EDITOR', 'SEO_STRATEGIST', 'WEBSITE_DESIGNER', 'FILMER', 'CUSTOM', 'CLIENT');
CREATE TYPE mycelium.user_status AS ENUM ('ACTIVE', 'INACTIVE', 'PENDING', 'SUSPENDED');
CREATE TYPE mycelium.workflow_type AS ENUM ('RECURRING', 'PROJECT', 'MILESTONE', 'ONEOFF');
CREATE TYPE mycelium.field_type AS ENUM
    ('TEXT', 'TEXTAREA', 'NUMBER', 'DECIMAL', 'DATE', 'DATETIME', 'TIME', 'EMAIL', 'URL', 'PHONE',
     'SELECT', 'MULTISELECT', 'RADIO', 'CHECKBOX', 'FILE', 'USER_SELECT', 'CLIENT_SELECT');
CREATE TYPE mycelium.client_status AS ENUM ('ACTIVE', 'INACTIVE', 'PAUSED', 'ARCHIVED', 'TERMINATED');
CREATE TYPE mycelium.assignment_role AS ENUM ('PRIMARY', 'SECONDARY', 'VIEWER');
CREATE TYPE mycelium.client_user_role AS ENUM ('PRIMARY', 'VIEWER', 'ADMIN');
CREATE TYPE mycelium.project_status AS ENUM ('PLANNING', 'ACTIVE', 'ON_HOLD', 'COMPLETED', 'CANCELLED');
CREATE TYPE mycelium.deliverable_status AS ENUM
    ('PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'APPROVED', 'COMPLETED', 'OVERDUE',
     'CANCELLED', 'ARCHIVED');
-- The statuses in which a deliverable is open and not yet late: the work the
-- sweeps look at (and their partial index covers). With OVERDUE, the work still
-- to be done that the dashboards count. The one list of them; IMMUTABLE, so the
-- planner folds it into a constant and the index predicate matches the sweeps'.
-- In mycelium, not mycelium_internal: the views, which run as their caller, use it.
CREATE FUNCTION mycelium.open_statuses() RETURNS mycelium.deliverable_status[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL']::mycelium.deliverable_status[]
$$;
COMMENT ON FUNCTION mycelium.open_statuses() IS
    'The statuses of a deliverable that is open and not yet late (the sweeps''); with OVERDUE, still to be done';

CREATE TYPE mycelium.priority AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'URGENT');
CREATE TYPE mycelium.comment_type AS ENUM
    ('GENERAL', 'FEEDBACK', 'APPROVAL_REQUEST', 'REVISION_REQUEST', 'STATUS_UPDATE');
CREATE TYPE mycelium.notification_type AS ENUM
    ('DELIVERABLE_ASSIGNED', 'DELIVERABLE_DUE_SOON', 'DELIVERABLE_OVERDUE', 'DELIVERABLE_COMPLETED',
     'DELIVERABLE_APPROVED', 'DELIVERABLE_NEEDS_REVIEW', 'CLIENT_ADDED', 'CLIENT_UPDATED',
     'USER_INVITED', 'USER_ACTIVATED', 'PROJECT_CREATED', 'PROJECT_COMPLETED', 'COMMENT_ADDED',
     'MENTION_RECEIVED', 'INTEGRATION_ERROR', 'SYSTEM_MAINTENANCE');
CREATE TYPE mycelium.notification_status AS ENUM ('PENDING', 'SENT', 'FAILED', 'CANCELLED');
CREATE TYPE mycelium.integration_type AS ENUM
    ('DROPBOX', 'GOOGLE_DRIVE', 'SLACK', 'MICROSOFT_TEAMS', 'ZAPIER', 'WEBHOOKS', 'EMAIL_SMTP',
     'CALENDAR', 'STRIPE');
CREATE TYPE mycelium.subscription_status AS ENUM
    ('ACTIVE', 'PAST_DUE', 'CANCELLED', 'UNPAID', 'TRIALING');

-- The rows the sweeps return (src/sql/code/55_notifications.sql): composite types
-- rather than RETURNS TABLE, whose columns would clash in PL/pgSQL with the
-- organization_id parameter.
CREATE TYPE mycelium.overdue_sweep_row AS (
    deliverable_id  uuid,
    organization_id uuid,
    previous_status mycelium.deliverable_status,
    notification_id uuid
);
CREATE TYPE mycelium.due_soon_sweep_row AS (
    deliverable_id  uuid,
    organization_id uuid,
    due_date        timestamptz,
    notification_id uuid
);

-- A webhook delivery handed to a worker (src/sql/code/56_webhooks.sql): where to
-- POST what, with the Standard Webhooks headers' values (webhook-id,
-- webhook-timestamp, webhook-signature), signed by the database.
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
-- A delivery handed to a worker (src/sql/code/56_delivery.sql).
CREATE TYPE mycelium.delivery AS (
    recipient_id    uuid,
    organization_id uuid,
    notification_id uuid,
    attempt         integer,
    channel         text,
    user_id         uuid,
    user_name       text,
    email_address   text,
    type            mycelium.notification_type,
    title           text,
    message         text,
    related_type    text,
    related_id      uuid,
    metadata        jsonb,
    scheduled_for   timestamptz,
    -- 0.2.0: a portal recipient (user_id is then NULL, user_name its name), and
    -- for e-mail the organization's branding (organization_branding).
    client_user_id    uuid,
    email_header_html text,
    email_footer_html text,
    email_signature   text,
    -- 0.2.0, issue #17: for slack, the organization's incoming-webhook URL
    -- (decrypted for this claim; NULL for other channels).
    slack_webhook_url text
);
