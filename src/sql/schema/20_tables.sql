-- ====== Tables ======
-- Conventions (docs/schema.md): every tenant-owned row carries organization_id;
-- a tenant table's primary key is (organization_id, id); every other unique
-- constraint includes organization_id (login e-mails and portal domains excepted);
-- every reference to a tenant parent is a composite foreign key on
-- (organization_id, parent_id), so no row can point at another organization's row.
-- Where the design document says onDelete: SetNull, the key uses PostgreSQL 15's
-- column list so that only the child column is nulled, never organization_id.
-- Every timestamptz and date column refuses +/-infinity (07_finite_times.sql).

-- ------ Core tenant architecture ------

CREATE TABLE mycelium.organizations (
    id          uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    name        text        NOT NULL,
    -- Subdomain routing (client.agencyname.com): unique across the system.
    slug        text        COLLATE "C" NOT NULL,
    description text,
    website     text,
    industry    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100)
);

CREATE TABLE mycelium.organization_branding (
    id                     uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id        uuid        NOT NULL,
    primary_color          text        NOT NULL DEFAULT '#228B22',
    secondary_color        text,
    logo_url               text,
    favicon_url            text,
    email_header_html      text,
    email_footer_html      text,
    email_signature        text,
    portal_welcome_message text,
    portal_support_email   text,
    custom_domain          text,
    custom_css             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    -- A custom domain routes to the organization (mycelium.resolve_organization)
    -- only once verified: the token the agency publishes for it, made anew with
    -- every change of the domain, and when an ADMIN confirmed it
    -- (mycelium.verify_custom_domain). Applications cannot write either.
    custom_domain_token       text,
    custom_domain_verified_at timestamptz,
    CONSTRAINT organization_branding_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT organization_branding_organization_id_key UNIQUE (organization_id),
    CONSTRAINT organization_branding_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT organization_branding_primary_color_hex CHECK (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
    CONSTRAINT organization_branding_secondary_color_hex CHECK (secondary_color ~ '^#[0-9A-Fa-f]{6}$'),
    -- The portal's own host name, routed to this organization: unique across the
    -- system (organization_branding_custom_domain_key), so stored as DNS compares
    -- it, in lower case; labels of 1 to 63 letters, digits and inner hyphens, at
    -- least two, the last (the top-level domain) starting with a letter, so that
    -- no IP address passes; 253 characters at most, no trailing dot. An
    -- internationalized name is stored in its ASCII (xn--) form.
    CONSTRAINT organization_branding_custom_domain_format CHECK (
        custom_domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'
        AND length(custom_domain) <= 253),
    CONSTRAINT organization_branding_custom_domain_verified CHECK (
        custom_domain_verified_at IS NULL OR custom_domain IS NOT NULL)
);

CREATE TABLE mycelium.organization_settings (
    id                           uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id              uuid        NOT NULL,
    timezone                     text        NOT NULL DEFAULT 'America/New_York',
    -- The language of generated titles ("Social Media – Dezember 2026"), BCP 47.
    locale                       text        NOT NULL DEFAULT 'en-US',
    date_format                  text        NOT NULL DEFAULT 'MM/DD/YYYY',
    week_starts_on               integer     NOT NULL DEFAULT 1,
    enable_email_notifications   boolean     NOT NULL DEFAULT true,
    enable_slack_notifications   boolean     NOT NULL DEFAULT false,
    notification_frequency       text        NOT NULL DEFAULT 'daily',
    auto_assign_to_admin         boolean     NOT NULL DEFAULT true,
    default_deliverable_duration integer     NOT NULL DEFAULT 7,
    enable_recurring_generation  boolean     NOT NULL DEFAULT true,
    require_password_change      boolean     NOT NULL DEFAULT true,
    session_timeout_hours        integer     NOT NULL DEFAULT 24,
    max_login_attempts           integer     NOT NULL DEFAULT 5,
    enable_client_portal         boolean     NOT NULL DEFAULT true,
    enable_time_tracking         boolean     NOT NULL DEFAULT false,
    enable_file_versioning       boolean     NOT NULL DEFAULT false,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organization_settings_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT organization_settings_organization_id_key UNIQUE (organization_id),
    CONSTRAINT organization_settings_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT organization_settings_timezone_known CHECK (mycelium.is_valid_time_zone(timezone)),
    CONSTRAINT organization_settings_locale_known CHECK (mycelium.is_known_locale(locale)),
    CONSTRAINT organization_settings_week_starts_on_range CHECK (week_starts_on BETWEEN 0 AND 6),
    CONSTRAINT organization_settings_notification_frequency_known
        CHECK (notification_frequency IN ('immediate', 'daily', 'weekly')),
    CONSTRAINT organization_settings_default_deliverable_duration_positive
        CHECK (default_deliverable_duration > 0),
    CONSTRAINT organization_settings_session_timeout_hours_positive CHECK (session_timeout_hours > 0),
    CONSTRAINT organization_settings_max_login_attempts_positive CHECK (max_login_attempts > 0)
);

-- ------ User management ------

CREATE TABLE mycelium.users (
    id                 uuid                 NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id    uuid                 NOT NULL,
    -- The login: unique across the system, case-insensitively (users_email_key).
    email              text                 NOT NULL,
    name               text                 NOT NULL,
    role               mycelium.user_role   NOT NULL,
    status             mycelium.user_status NOT NULL DEFAULT 'PENDING',
    -- The password (the design document's hashedPassword and temporaryPassword)
    -- lives in mycelium_internal.credentials, out of every application's reach,
    -- so that SELECT * of users shows nothing secret.
    email_verified     boolean              NOT NULL DEFAULT false,
    last_login_at      timestamptz,
    login_attempts     integer              NOT NULL DEFAULT 0,
    locked_at          timestamptz,
    avatar_url         text,
    phone              text,
    title              text,
    bio                text,
    permissions        jsonb,
    invited_by         uuid,
    invited_at         timestamptz,
    created_at         timestamptz          NOT NULL DEFAULT now(),
    updated_at         timestamptz          NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT users_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT users_inviter_fkey FOREIGN KEY (organization_id, invited_by)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (invited_by),
    CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT users_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT users_login_attempts_non_negative CHECK (login_attempts >= 0),
    CONSTRAINT users_permissions_object CHECK (jsonb_typeof(permissions) = 'object')
);

-- ------ Service type system ------

CREATE TABLE mycelium.service_types (
    id               uuid                   NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id  uuid                   NOT NULL,
    name             text                   NOT NULL,
    slug             text                   COLLATE "C" NOT NULL,
    description      text,
    is_active        boolean                NOT NULL DEFAULT true,
    sort_order       integer                NOT NULL DEFAULT 0,
    workflow_type    mycelium.workflow_type NOT NULL,
    default_duration integer                NOT NULL DEFAULT 7,
    default_rate     numeric(10, 2),
    billing_cycle    text,
    created_at       timestamptz            NOT NULL DEFAULT now(),
    updated_at       timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT service_types_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT service_types_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT service_types_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT service_types_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT service_types_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    CONSTRAINT service_types_default_duration_positive CHECK (default_duration > 0),
    CONSTRAINT service_types_default_rate_non_negative CHECK (default_rate >= 0),
    CONSTRAINT service_types_billing_cycle_known CHECK (billing_cycle IN ('monthly', 'project', 'hourly'))
);

CREATE TABLE mycelium.deliverable_fields (
    id              uuid                NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                NOT NULL,
    service_type_id uuid                NOT NULL,
    name            text                NOT NULL,
    -- Field slugs are JSON keys of deliverables.custom_fields: snake_case.
    slug            text                COLLATE "C" NOT NULL,
    type            mycelium.field_type NOT NULL,
    is_required     boolean             NOT NULL DEFAULT false,
    sort_order      integer             NOT NULL DEFAULT 0,
    default_value   text,
    placeholder     text,
    help_text       text,
    min_length      integer,
    max_length      integer,
    min_value       numeric(10, 2),
    max_value       numeric(10, 2),
    pattern         text,
    options         jsonb,
    created_at      timestamptz         NOT NULL DEFAULT now(),
    updated_at      timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT deliverable_fields_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT deliverable_fields_slug_key UNIQUE (organization_id, service_type_id, slug),
    CONSTRAINT deliverable_fields_service_type_fkey FOREIGN KEY (organization_id, service_type_id)
        REFERENCES mycelium.service_types (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deliverable_fields_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT deliverable_fields_slug_format CHECK (slug ~ '^[a-z][a-z0-9_]*$' AND length(slug) <= 100),
    CONSTRAINT deliverable_fields_min_length_non_negative CHECK (min_length >= 0),
    CONSTRAINT deliverable_fields_max_length_positive CHECK (max_length > 0),
    CONSTRAINT deliverable_fields_length_range CHECK (min_length <= max_length),
    CONSTRAINT deliverable_fields_value_range CHECK (min_value <= max_value),
    CONSTRAINT deliverable_fields_options_array CHECK (jsonb_typeof(options) = 'array')
);

-- ------ Client management ------

CREATE TABLE mycelium.clients (
    id                       uuid                   NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id          uuid                   NOT NULL,
    name                     text                   NOT NULL,
    slug                     text                   COLLATE "C" NOT NULL,
    contact_email            text,
    contact_phone            text,
    contact_person           text,
    company_name             text,
    website                  text,
    industry                 text,
    address                  jsonb,
    status                   mycelium.client_status NOT NULL DEFAULT 'ACTIVE',
    is_paused                boolean                NOT NULL DEFAULT false,
    paused_at                timestamptz,
    paused_reason            text,
    notification_email       text,
    preferred_contact_method text,
    dropbox_folder_url       text,
    drive_id                 text,
    custom_fields            jsonb,
    notes                    text,
    tags                     text[]                 NOT NULL DEFAULT '{}',
    created_at               timestamptz            NOT NULL DEFAULT now(),
    updated_at               timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT clients_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT clients_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT clients_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT clients_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT clients_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
    CONSTRAINT clients_contact_email_format CHECK (contact_email ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT clients_notification_email_format CHECK (notification_email ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT clients_preferred_contact_method_known
        CHECK (preferred_contact_method IN ('email', 'phone', 'slack')),
    CONSTRAINT clients_address_object CHECK (jsonb_typeof(address) = 'object'),
    CONSTRAINT clients_custom_fields_object CHECK (jsonb_typeof(custom_fields) = 'object')
);

CREATE TABLE mycelium.client_assignments (
    id              uuid                     NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                     NOT NULL,
    client_id       uuid                     NOT NULL,
    user_id         uuid                     NOT NULL,
    service_type_id uuid                     NOT NULL,
    role            mycelium.assignment_role NOT NULL DEFAULT 'PRIMARY',
    is_active       boolean                  NOT NULL DEFAULT true,
    assigned_at     timestamptz              NOT NULL DEFAULT now(),
    assigned_by     uuid,
    CONSTRAINT client_assignments_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT client_assignments_client_user_service_key
        UNIQUE (organization_id, client_id, user_id, service_type_id),
    CONSTRAINT client_assignments_client_fkey FOREIGN KEY (organization_id, client_id)
        REFERENCES mycelium.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT client_assignments_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT client_assignments_service_type_fkey FOREIGN KEY (organization_id, service_type_id)
        REFERENCES mycelium.service_types (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT client_assignments_assigned_by_fkey FOREIGN KEY (organization_id, assigned_by)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (assigned_by)
);

-- ------ Client portal users ------

CREATE TABLE mycelium.client_users (
    id              uuid                      NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                      NOT NULL,
    client_id       uuid                      NOT NULL,
    -- The portal login: unique across the system, case-insensitively.
    email           text                      NOT NULL,
    name            text                      NOT NULL,
    role            mycelium.client_user_role NOT NULL DEFAULT 'VIEWER',
    -- The password: mycelium_internal.credentials.
    email_verified  boolean                   NOT NULL DEFAULT false,
    last_login_at   timestamptz,
    is_active       boolean                   NOT NULL DEFAULT true,
    title           text,
    phone           text,
    can_approve     boolean                   NOT NULL DEFAULT false,
    can_download    boolean                   NOT NULL DEFAULT true,
    can_comment     boolean                   NOT NULL DEFAULT true,
    created_at      timestamptz               NOT NULL DEFAULT now(),
    updated_at      timestamptz               NOT NULL DEFAULT now(),
    CONSTRAINT client_users_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT client_users_client_fkey FOREIGN KEY (organization_id, client_id)
        REFERENCES mycelium.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT client_users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT client_users_name_not_blank CHECK (btrim(name) <> '')
);

-- ------ Projects and deliverables ------

CREATE TABLE mycelium.projects (
    id              uuid                    NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                    NOT NULL,
    client_id       uuid                    NOT NULL,
    name            text                    NOT NULL,
    description     text,
    status          mycelium.project_status NOT NULL DEFAULT 'PLANNING',
    priority        mycelium.priority       NOT NULL DEFAULT 'MEDIUM',
    start_date      timestamptz,
    end_date        timestamptz,
    estimated_hours numeric(8, 2),
    budget_amount   numeric(10, 2),
    currency        text                    DEFAULT 'USD',
    manager_id      uuid,
    created_at      timestamptz             NOT NULL DEFAULT now(),
    updated_at      timestamptz             NOT NULL DEFAULT now(),
    CONSTRAINT projects_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT projects_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT projects_client_fkey FOREIGN KEY (organization_id, client_id)
        REFERENCES mycelium.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT projects_manager_fkey FOREIGN KEY (organization_id, manager_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (manager_id),
    CONSTRAINT projects_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT projects_dates_ordered CHECK (end_date >= start_date),
    CONSTRAINT projects_estimated_hours_non_negative CHECK (estimated_hours >= 0),
    CONSTRAINT projects_budget_amount_non_negative CHECK (budget_amount >= 0),
    CONSTRAINT projects_currency_iso4217 CHECK (currency ~ '^[A-Z]{3}$')
);

CREATE TABLE mycelium.deliverables (
    id               uuid                        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id  uuid                        NOT NULL,
    client_id        uuid                        NOT NULL,
    project_id       uuid,
    service_type_id  uuid                        NOT NULL,
    title            text                        NOT NULL,
    description      text,
    status           mycelium.deliverable_status NOT NULL DEFAULT 'PENDING',
    priority         mycelium.priority           NOT NULL DEFAULT 'MEDIUM',
    assigned_user_id uuid,
    created_by_id    uuid                        NOT NULL,
    due_date         timestamptz,
    start_date       timestamptz,
    estimated_hours  numeric(6, 2),
    actual_hours     numeric(6, 2),
    completed_at     timestamptz,
    completed_by_id  uuid,
    approved_at      timestamptz,
    approved_by_id   uuid,
    custom_fields    jsonb,
    attachments      jsonb,
    is_recurring     boolean                     NOT NULL DEFAULT false,
    -- A template (is_recurring, with a rule and no recurrence_period) repeats by
    -- this RRULE or cron rule; generation makes one child per occurrence.
    recurrence_rule  text,
    parent_id        uuid,
    -- Set on generated deliverables only: the month they were generated for, and
    -- for a template's child the occurrence. With the unique keys of
    -- 30_indexes.sql they make generation exactly-once.
    recurrence_period     date,
    recurrence_occurrence timestamptz,
    created_at       timestamptz                 NOT NULL DEFAULT now(),
    updated_at       timestamptz                 NOT NULL DEFAULT now(),
    -- A portal user who approved it (approved_by_id names staff only); stamped
    -- by the database (src/sql/code/26_stamps.sql). Last, as 0.2.0 added it.
    approved_by_client_user_id uuid,
    CONSTRAINT deliverables_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT deliverables_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT deliverables_client_fkey FOREIGN KEY (organization_id, client_id)
        REFERENCES mycelium.clients (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deliverables_project_fkey FOREIGN KEY (organization_id, project_id)
        REFERENCES mycelium.projects (organization_id, id) ON DELETE SET NULL (project_id),
    CONSTRAINT deliverables_service_type_fkey FOREIGN KEY (organization_id, service_type_id)
        REFERENCES mycelium.service_types (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deliverables_assigned_user_fkey FOREIGN KEY (organization_id, assigned_user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (assigned_user_id),
    CONSTRAINT deliverables_created_by_fkey FOREIGN KEY (organization_id, created_by_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT deliverables_completed_by_fkey FOREIGN KEY (organization_id, completed_by_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (completed_by_id),
    CONSTRAINT deliverables_approved_by_fkey FOREIGN KEY (organization_id, approved_by_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (approved_by_id),
    CONSTRAINT deliverables_approved_by_client_user_fkey FOREIGN KEY (organization_id, approved_by_client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE SET NULL (approved_by_client_user_id),
    CONSTRAINT deliverables_one_approver CHECK (num_nonnulls(approved_by_id, approved_by_client_user_id) <= 1),
    CONSTRAINT deliverables_parent_fkey FOREIGN KEY (organization_id, parent_id)
        REFERENCES mycelium.deliverables (organization_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT deliverables_title_not_blank CHECK (btrim(title) <> ''),
    CONSTRAINT deliverables_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT deliverables_start_before_due CHECK (due_date >= start_date),
    CONSTRAINT deliverables_estimated_hours_non_negative CHECK (estimated_hours >= 0),
    CONSTRAINT deliverables_actual_hours_non_negative CHECK (actual_hours >= 0),
    CONSTRAINT deliverables_custom_fields_object CHECK (jsonb_typeof(custom_fields) = 'object'),
    CONSTRAINT deliverables_attachments_array CHECK (jsonb_typeof(attachments) = 'array'),
    -- Each entry an attachment (src/sql/schema/15_attachments.sql).
    CONSTRAINT deliverables_attachments_valid CHECK (mycelium.check_attachments(attachments, 'deliverables')),
    CONSTRAINT deliverables_recurrence_rule_valid CHECK (mycelium.check_recurrence_rule(recurrence_rule)),
    CONSTRAINT deliverables_recurrence_period_month_start
        CHECK (extract(day FROM recurrence_period) = 1),
    CONSTRAINT deliverables_recurrence_occurrence_in_period
        CHECK (recurrence_occurrence IS NULL OR recurrence_period IS NOT NULL)
);

-- ------ Communication ------

CREATE TABLE mycelium.comments (
    id              uuid                  NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                  NOT NULL,
    deliverable_id  uuid                  NOT NULL,
    -- The author: a staff user, or a client's portal user (exactly one of the two).
    user_id         uuid,
    client_user_id  uuid,
    content         text                  NOT NULL,
    type            mycelium.comment_type NOT NULL DEFAULT 'GENERAL',
    is_internal     boolean               NOT NULL DEFAULT false,
    attachments     jsonb,
    mentions        uuid[]                NOT NULL DEFAULT '{}',
    parent_id       uuid,
    created_at      timestamptz           NOT NULL DEFAULT now(),
    updated_at      timestamptz           NOT NULL DEFAULT now(),
    CONSTRAINT comments_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT comments_deliverable_fkey FOREIGN KEY (organization_id, deliverable_id)
        REFERENCES mycelium.deliverables (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT comments_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT comments_client_user_fkey FOREIGN KEY (organization_id, client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT comments_parent_fkey FOREIGN KEY (organization_id, parent_id)
        REFERENCES mycelium.comments (organization_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT comments_one_author CHECK (num_nonnulls(user_id, client_user_id) = 1),
    CONSTRAINT comments_content_not_blank CHECK (btrim(content) <> ''),
    CONSTRAINT comments_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT comments_attachments_array CHECK (jsonb_typeof(attachments) = 'array'),
    CONSTRAINT comments_attachments_valid CHECK (mycelium.check_attachments(attachments, 'comments'))
);

-- Earlier versions of deliverables' and comments' attachments, kept while the
-- organization's enable_file_versioning is on: one row per entry that an update
-- replaced or removed (src/sql/code/59_attachments.sql). Written only by the
-- database; read with the deliverable, or the comment (docs/security.md). Rows go
-- with their deliverable or comment.
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

-- ------ Time tracking ------

CREATE TABLE mycelium.time_entries (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    deliverable_id  uuid        NOT NULL,
    description     text,
    start_time      timestamptz NOT NULL,
    end_time        timestamptz,
    duration        integer,
    hourly_rate     numeric(8, 2),
    billable_amount numeric(10, 2),
    is_billable     boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT time_entries_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT time_entries_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT time_entries_deliverable_fkey FOREIGN KEY (organization_id, deliverable_id)
        REFERENCES mycelium.deliverables (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT time_entries_end_after_start CHECK (end_time >= start_time),
    CONSTRAINT time_entries_duration_non_negative CHECK (duration >= 0),
    CONSTRAINT time_entries_hourly_rate_non_negative CHECK (hourly_rate >= 0),
    CONSTRAINT time_entries_billable_amount_non_negative CHECK (billable_amount >= 0)
);

-- ------ Notifications ------

CREATE TABLE mycelium.notifications (
    id              uuid                         NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                         NOT NULL,
    type            mycelium.notification_type   NOT NULL,
    title           text                         NOT NULL,
    message         text                         NOT NULL,
    sender_id       uuid,
    channels        text[]                       NOT NULL DEFAULT '{}',
    scheduled_for   timestamptz,
    sent_at         timestamptz,
    related_id      uuid,
    related_type    text,
    metadata        jsonb,
    status          mycelium.notification_status NOT NULL DEFAULT 'PENDING',
    failure_reason  text,
    retry_count     integer                      NOT NULL DEFAULT 0,
    created_at      timestamptz                  NOT NULL DEFAULT now(),
    updated_at      timestamptz                  NOT NULL DEFAULT now(),
    CONSTRAINT notifications_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT notifications_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT notifications_sender_fkey FOREIGN KEY (organization_id, sender_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (sender_id),
    CONSTRAINT notifications_channels_known
        CHECK (channels <@ ARRAY['email', 'slack', 'push', 'in_app']::text[]),
    CONSTRAINT notifications_related_type_known
        CHECK (related_type IN ('deliverable', 'client', 'project', 'user', 'comment', 'integration')),
    CONSTRAINT notifications_retry_count_non_negative CHECK (retry_count >= 0)
);

CREATE TABLE mycelium.notification_recipients (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    notification_id uuid        NOT NULL,
    -- The recipient: a staff user, or a client's portal user (client_user_id,
    -- below); exactly one of the two.
    user_id         uuid,
    delivered_at    timestamptz,
    read_at         timestamptz,
    channel         text        NOT NULL,
    email_address   text,
    email_status    text,
    -- The delivery outbox (56_delivery.sql): tries so far, when the next may
    -- start (a claim's lease, or a retry's back-off), and the last failure.
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    failed_at       timestamptz,
    last_error      text,
    -- A portal user hears of the work that awaits it and of replies to it
    -- (55_notifications.sql); 0.1.0 addressed staff only.
    client_user_id  uuid,
    CONSTRAINT notification_recipients_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT notification_recipients_notification_user_channel_key
        UNIQUE (organization_id, notification_id, user_id, channel),
    CONSTRAINT notification_recipients_notification_client_user_channel_key
        UNIQUE (organization_id, notification_id, client_user_id, channel),
    CONSTRAINT notification_recipients_notification_fkey FOREIGN KEY (organization_id, notification_id)
        REFERENCES mycelium.notifications (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notification_recipients_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notification_recipients_client_user_fkey FOREIGN KEY (organization_id, client_user_id)
        REFERENCES mycelium.client_users (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT notification_recipients_one_recipient CHECK (num_nonnulls(user_id, client_user_id) = 1),
    CONSTRAINT notification_recipients_channel_known CHECK (channel IN ('email', 'slack', 'push', 'in_app')),
    CONSTRAINT notification_recipients_email_status_known
        CHECK (email_status IN ('sent', 'delivered', 'bounced', 'opened')),
    CONSTRAINT notification_recipients_attempts_non_negative CHECK (attempts >= 0),
    CONSTRAINT notification_recipients_delivered_or_failed CHECK (delivered_at IS NULL OR failed_at IS NULL)
);

-- ------ Integrations ------

CREATE TABLE mycelium.integrations (
    id              uuid                      NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid                      NOT NULL,
    type            mycelium.integration_type NOT NULL,
    name            text                      NOT NULL,
    is_enabled      boolean                   NOT NULL DEFAULT false,
    is_connected    boolean                   NOT NULL DEFAULT false,
    last_sync_at    timestamptz,
    -- The settings that are not secret; secret ones are moved to secrets on
    -- write (mycelium.integration_secret_names, docs/integrations.md).
    config          jsonb                     NOT NULL,
    webhook_url     text,
    error_count     integer                   NOT NULL DEFAULT 0,
    last_error      text,
    last_error_at   timestamptz,
    created_at      timestamptz               NOT NULL DEFAULT now(),
    updated_at      timestamptz               NOT NULL DEFAULT now(),
    -- The secret settings, each "<key id>.<base64 of AES-256-GCM nonce,
    -- ciphertext and tag>" under mycelium_internal.integration_keys, bound to
    -- the organization, the integration and its name. Written by the trigger
    -- keep_integration_secrets only; decrypted only by the extension.
    secrets         jsonb                     NOT NULL DEFAULT '{}',
    CONSTRAINT integrations_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT integrations_type_key UNIQUE (organization_id, type),
    CONSTRAINT integrations_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT integrations_config_object CHECK (jsonb_typeof(config) = 'object'),
    CONSTRAINT integrations_error_count_non_negative CHECK (error_count >= 0),
    CONSTRAINT integrations_secrets_object CHECK (jsonb_typeof(secrets) = 'object'),
    -- https, a host, no user name or password (mycelium.is_valid_webhook_url).
    CONSTRAINT integrations_webhook_url_valid CHECK (mycelium.is_valid_webhook_url(webhook_url))
);

-- The event outbox of WEBHOOKS and ZAPIER integrations (src/sql/code/56_webhooks.sql):
-- one row per event and subscribed integration, written in the transaction of
-- the change, and delivered by a worker under the lease protocol of
-- notification_recipients (attempts, next_attempt_at, delivered_at, failed_at).
-- payload is the JSON body sent, made once, so every retry sends the same bytes.
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

-- ------ Activity log ------

CREATE TABLE mycelium.activity_logs (
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id uuid        NOT NULL,
    user_id         uuid,
    action          text        NOT NULL,
    resource_type   text        NOT NULL,
    resource_id     uuid        NOT NULL,
    resource_name   text,
    old_values      jsonb,
    new_values      jsonb,
    changed_fields  text[]      NOT NULL DEFAULT '{}',
    ip_address      inet,
    user_agent      text,
    session_id      text,
    metadata        jsonb,
    "timestamp"     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_logs_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT activity_logs_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT activity_logs_user_fkey FOREIGN KEY (organization_id, user_id)
        REFERENCES mycelium.users (organization_id, id) ON DELETE SET NULL (user_id),
    CONSTRAINT activity_logs_action_not_blank CHECK (btrim(action) <> ''),
    CONSTRAINT activity_logs_resource_type_not_blank CHECK (btrim(resource_type) <> '')
);

-- ------ Billing ------

CREATE TABLE mycelium.subscriptions (
    id                     uuid                         NOT NULL DEFAULT mycelium.uuid_v7(),
    organization_id        uuid                         NOT NULL,
    plan_name              text                         NOT NULL,
    plan_price             numeric(8, 2)                NOT NULL,
    currency               text                         NOT NULL DEFAULT 'USD',
    billing_cycle          text                         NOT NULL DEFAULT 'monthly',
    status                 mycelium.subscription_status NOT NULL DEFAULT 'ACTIVE',
    current_period_start   timestamptz                  NOT NULL,
    current_period_end     timestamptz                  NOT NULL,
    stripe_customer_id     text,
    stripe_subscription_id text,
    max_users              integer,
    max_clients            integer,
    max_projects           integer,
    created_at             timestamptz                  NOT NULL DEFAULT now(),
    updated_at             timestamptz                  NOT NULL DEFAULT now(),
    -- When a TRIALING subscription stops writing (NULL: with its period);
    -- src/sql/code/44_subscriptions.sql. Last, as 0.2.0 added it.
    trial_ends_at          timestamptz,
    CONSTRAINT subscriptions_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT subscriptions_organization_id_key UNIQUE (organization_id),
    CONSTRAINT subscriptions_organization_fkey FOREIGN KEY (organization_id)
        REFERENCES mycelium.organizations (id) ON DELETE CASCADE,
    CONSTRAINT subscriptions_plan_price_non_negative CHECK (plan_price >= 0),
    CONSTRAINT subscriptions_currency_iso4217 CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT subscriptions_billing_cycle_known CHECK (billing_cycle IN ('monthly', 'yearly')),
    CONSTRAINT subscriptions_period_ordered CHECK (current_period_end >= current_period_start),
    CONSTRAINT subscriptions_max_users_non_negative CHECK (max_users >= 0),
    CONSTRAINT subscriptions_max_clients_non_negative CHECK (max_clients >= 0),
    CONSTRAINT subscriptions_max_projects_non_negative CHECK (max_projects >= 0)
);

-- Keys: 'context' seals contexts (made at install, never leaves the server);
-- 'jwt' verifies tokens (set by an administrator with set_jwt_secret). No
-- application role can read this table; the native code reads it as its owner.
CREATE TABLE mycelium_internal.auth_keys (
    purpose    text        NOT NULL,
    secret     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT auth_keys_pkey PRIMARY KEY (purpose),
    CONSTRAINT auth_keys_purpose_known CHECK (purpose IN ('context', 'jwt')),
    -- RFC 7518 §3.2: an HS256 key is at least as long as the hash.
    CONSTRAINT auth_keys_secret_length CHECK (octet_length(secret) BETWEEN 32 AND 512)
);
-- 32 bytes from the server's strong random source (gen_random_uuid: 244 random bits
-- per pair after the version bits; four uuids give well over 256).
INSERT INTO mycelium_internal.auth_keys (purpose, secret)
SELECT 'context', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                  || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());

-- The keys that encrypt integrations' secrets (AES-256, 32 bytes): new secrets
-- are sealed under the current one, each sealed value names its key, and a
-- rotation (mycelium.rotate_integration_key) adds a current key and re-encrypts.
-- Not in the table it protects, readable by no role but the owner, and left
-- out of pg_dump (90_catalog.sql): a dump holds ciphertext only, and a restore
-- loads these rows separately (docs/integrations.md, "Secrets").
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

-- Who decrypted which secret, when, and for what: one row per use of
-- integration_secret or reveal_integration_secret (never the value).
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

-- The jobs run_job knows: the one list of their names, and what a run locks so
-- that runs of one job queue behind each other. A row lock rather than an
-- advisory lock: any role may take any advisory lock, so an application holding
-- the key would stall every run. No role but the owner has any privilege on it,
-- and row-level security without a policy hides it even from a mistaken grant.
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

-- One row per run of a job, and one more for each organization whose part of a
-- run failed while the others' completed. An operator table, not tenant data: no
-- row-level security, no foreign key to the organization (its record outlives it),
-- and no privilege for application roles (grant_access gives maintenance roles
-- SELECT).
CREATE TABLE mycelium.job_runs (
    -- Time-ordered like every id here, and no sequence to carry through a dump.
    id              uuid        NOT NULL DEFAULT mycelium.uuid_v7(),
    job             text        NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    rows_affected   bigint,
    error           text,
    sqlstate        text,
    -- Who ran it: the pg_cron job's user (the extension owner), or the login role
    -- of the session that called run_job by hand (SET ROLE does not change it).
    run_by          text        NOT NULL DEFAULT session_user,
    -- Matches cron.job_run_details.job_pid, to find pg_cron's side of a run.
    backend_pid     integer     NOT NULL DEFAULT pg_backend_pid(),
    -- Set on an organization's row: the organization and the run it failed in.
    -- Not foreign keys: the record outlives the organization, and a run's rows are
    -- written and deleted (by age) together. Not organization_id either, which
    -- marks the rows of a tenant: this is the operator's record about one.
    failed_organization_id uuid,
    run_id                 uuid,
    CONSTRAINT job_runs_pkey PRIMARY KEY (id),
    -- A failed run has its message and SQLSTATE and no row count (its work was
    -- rolled back).
    CONSTRAINT job_runs_outcome CHECK (
        (error IS NULL AND sqlstate IS NULL)
        OR (error IS NOT NULL AND sqlstate IS NOT NULL AND rows_affected IS NULL AND finished_at IS NOT NULL)),
    -- An organization's row belongs to a run and records its failure.
    CONSTRAINT job_runs_organization_failed CHECK (
        (failed_organization_id IS NULL AND run_id IS NULL)
        OR (failed_organization_id IS NOT NULL AND run_id IS NOT NULL AND error IS NOT NULL))
);
-- "The last runs of this job", and the 90-day retention by started_at.
CREATE INDEX job_runs_job_started_at_idx ON mycelium.job_runs (job, started_at DESC);

-- A template's dates are checked when it is written, not when generation copies
-- it: generation starts its occurrences at the template's start (or due) date and
-- adds the span from start to due to each, for every organization in one
-- statement, so a date that cannot be used would fail the run. Infinite dates are
-- refused, and a span of more than five years (already longer than any schedule
-- a template repeats on, and short enough that no occurrence before the year
-- 10000 leaves the timestamp range). Deliverables that are not templates are free
-- of the span limit (no time column of any row takes infinity: 07_finite_times.sql).
ALTER TABLE mycelium.deliverables
    ADD CONSTRAINT deliverables_template_dates_finite
        CHECK (NOT is_recurring OR recurrence_rule IS NULL
               OR (coalesce(isfinite(start_date), true) AND coalesce(isfinite(due_date), true))),
    ADD CONSTRAINT deliverables_template_span_at_most_5_years
        CHECK (NOT is_recurring OR recurrence_rule IS NULL OR due_date <= start_date + interval '5 years');
