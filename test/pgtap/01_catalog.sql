-- The catalogue of the schemas mycelium and mycelium_internal, as src/sql/
-- defines them: every table, column, type, default, key, index, trigger, policy,
-- view and function, the event trigger, and the conventions of docs/schema.md
-- ("Conventions"), docs/architecture.md ("Tenancy") and docs/security.md stated
-- as catalogue-wide rules, so that a table, constraint, policy or function added
-- later, in either schema, that breaks them or was not planned fails here.
-- mycelium holds what applications and operators use; mycelium_internal
-- (src/sql/schema/00_internal_schema.sql) what only the extension uses, with no
-- privilege for anyone but its owner.
--
-- Run by pg_prove in a database where `CREATE EXTENSION pgtap; CREATE EXTENSION
-- mycelium;` have run, as a superuser or the schema's owner: pgTAP's fk_ok and
-- col_default_is see only schemas and tables the role may use. Everything happens
-- in one transaction that is rolled back. The expected lists below are written
-- from the install script; when the schema changes on purpose, change them with it.

BEGIN;

-- Catalogue text (format_type, pg_get_expr, pg_get_indexdef...) qualifies names
-- that are not on the search_path: keep only pgTAP's schema on it, so that every
-- Mycelium name below reads mycelium.<name> or mycelium_internal.<name>.
DO $$
BEGIN
    PERFORM pg_catalog.set_config('search_path', pg_catalog.quote_ident(n.nspname), true)
       FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pgtap';
END;
$$;

SELECT plan(2097);

-- ====================================================================
-- Expected catalogue (temporary tables, gone with the transaction)
-- ====================================================================

-- System tables: Mycelium's own bookkeeping, not tenant data. They carry no
-- organization_id, are not under the tenant policies, and are exempt from the
-- tenancy rules below, each one deliberately: list it here. job_runs records the
-- scheduled jobs (src/sql/code/60_jobs.sql) for operators: no tenant data,
-- readable by maintenance roles only. The tables of mycelium_internal are read
-- and written only by the extension, as their owner (src/sql/schema/20_tables.sql):
-- auth_keys holds the context-sealing and token keys (src/sql/code/10_context.sql);
-- schema_manifest the shape of the tables, which a restore checks
-- (src/sql/code/85_schema_guard.sql); settings the switches kept with the data
-- (src/sql/code/08_settings.sql); jobs lists the jobs, and a run locks its row;
-- credentials the password hashes of staff and portal users
-- (src/sql/code/47_passwords.sql); session_floors when each account's sessions
-- were last ended, and revoked_tokens the tokens signed out one by one
-- (src/sql/code/10_context.sql, 48_sign_in.sql); identity_providers the identity
-- services whose tokens an organization accepts, and external_identities the
-- accounts their subjects are linked to (src/sql/code/12_identity_providers.sql);
-- account_secrets the hashes of the invitation, password-reset and e-mail
-- verification secrets, and rate_limits the windows of what anyone may call
-- before signing in (src/sql/code/49_account_secrets.sql, 49_invitations.sql,
-- 49_sign_up.sql); integration_keys the keys of integrations' secrets, and
-- integration_secret_uses the record of each decryption
-- (src/sql/code/53_integration_secrets.sql).
CREATE TEMP TABLE system_tables (sch name NOT NULL, tbl name NOT NULL, PRIMARY KEY (sch, tbl));
INSERT INTO system_tables (sch, tbl) VALUES
    ('mycelium', 'job_runs'),
    ('mycelium_internal', 'account_secrets'), ('mycelium_internal', 'auth_keys'),
    ('mycelium_internal', 'credentials'), ('mycelium_internal', 'external_identities'),
    ('mycelium_internal', 'identity_providers'), ('mycelium_internal', 'integration_keys'),
    ('mycelium_internal', 'integration_secret_uses'), ('mycelium_internal', 'jobs'),
    ('mycelium_internal', 'rate_limits'), ('mycelium_internal', 'revoked_tokens'),
    ('mycelium_internal', 'schema_manifest'), ('mycelium_internal', 'session_floors'),
    ('mycelium_internal', 'settings');

-- Every column of every table, in declaration order: its type as format_type()
-- prints it, whether it is NOT NULL, and its default (NULL: none). Literal
-- defaults are given as values and compared as values of the column's type.
-- The tables of schema mycelium come first, those of mycelium_internal after
-- them (sch; here and in the lists below that have it, mycelium unless given).
CREATE TEMP TABLE want_columns (
    ord      integer GENERATED ALWAYS AS IDENTITY,
    sch      name    NOT NULL DEFAULT 'mycelium',
    tbl      name    NOT NULL,
    col      name    NOT NULL,
    typ      text    NOT NULL,
    not_null boolean NOT NULL,
    dflt     text
);
INSERT INTO want_columns (tbl, col, typ, not_null, dflt) VALUES
    ('organizations',           'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('organizations',           'name',                         'text',                         true,  NULL),
    ('organizations',           'slug',                         'text',                         true,  NULL),
    ('organizations',           'description',                  'text',                         false, NULL),
    ('organizations',           'website',                      'text',                         false, NULL),
    ('organizations',           'industry',                     'text',                         false, NULL),
    ('organizations',           'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('organizations',           'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('organization_branding',   'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('organization_branding',   'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('organization_branding',   'primary_color',                'text',                         true,  '#228B22'),
    ('organization_branding',   'secondary_color',              'text',                         false, NULL),
    ('organization_branding',   'logo_url',                     'text',                         false, NULL),
    ('organization_branding',   'favicon_url',                  'text',                         false, NULL),
    ('organization_branding',   'email_header_html',            'text',                         false, NULL),
    ('organization_branding',   'email_footer_html',            'text',                         false, NULL),
    ('organization_branding',   'email_signature',              'text',                         false, NULL),
    ('organization_branding',   'portal_welcome_message',       'text',                         false, NULL),
    ('organization_branding',   'portal_support_email',         'text',                         false, NULL),
    ('organization_branding',   'custom_domain',                'text',                         false, NULL),
    ('organization_branding',   'custom_css',                   'text',                         false, NULL),
    ('organization_branding',   'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('organization_branding',   'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('organization_branding',   'custom_domain_token',          'text',                         false, NULL),
    ('organization_branding',   'custom_domain_verified_at',    'timestamp with time zone',     false, NULL),
    ('organization_settings',   'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('organization_settings',   'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('organization_settings',   'timezone',                     'text',                         true,  'America/New_York'),
    ('organization_settings',   'locale',                       'text',                         true,  'en-US'),
    ('organization_settings',   'date_format',                  'text',                         true,  'MM/DD/YYYY'),
    ('organization_settings',   'week_starts_on',               'integer',                      true,  '1'),
    ('organization_settings',   'enable_email_notifications',   'boolean',                      true,  'true'),
    ('organization_settings',   'enable_slack_notifications',   'boolean',                      true,  'false'),
    ('organization_settings',   'notification_frequency',       'text',                         true,  'daily'),
    ('organization_settings',   'auto_assign_to_admin',         'boolean',                      true,  'true'),
    ('organization_settings',   'default_deliverable_duration', 'integer',                      true,  '7'),
    ('organization_settings',   'enable_recurring_generation',  'boolean',                      true,  'true'),
    ('organization_settings',   'require_password_change',      'boolean',                      true,  'true'),
    ('organization_settings',   'session_timeout_hours',        'integer',                      true,  '24'),
    ('organization_settings',   'max_login_attempts',           'integer',                      true,  '5'),
    ('organization_settings',   'enable_client_portal',         'boolean',                      true,  'true'),
    ('organization_settings',   'enable_time_tracking',         'boolean',                      true,  'false'),
    ('organization_settings',   'enable_file_versioning',       'boolean',                      true,  'false'),
    ('organization_settings',   'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('organization_settings',   'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('users',                   'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('users',                   'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('users',                   'email',                        'text',                         true,  NULL),
    ('users',                   'name',                         'text',                         true,  NULL),
    ('users',                   'role',                         'mycelium.user_role',           true,  NULL),
    ('users',                   'status',                       'mycelium.user_status',         true,  'PENDING'),
    ('users',                   'email_verified',               'boolean',                      true,  'false'),
    ('users',                   'last_login_at',                'timestamp with time zone',     false, NULL),
    ('users',                   'login_attempts',               'integer',                      true,  '0'),
    ('users',                   'locked_at',                    'timestamp with time zone',     false, NULL),
    ('users',                   'avatar_url',                   'text',                         false, NULL),
    ('users',                   'phone',                        'text',                         false, NULL),
    ('users',                   'title',                        'text',                         false, NULL),
    ('users',                   'bio',                          'text',                         false, NULL),
    ('users',                   'permissions',                  'jsonb',                        false, NULL),
    ('users',                   'invited_by',                   'uuid',                         false, NULL),
    ('users',                   'invited_at',                   'timestamp with time zone',     false, NULL),
    ('users',                   'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('users',                   'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('service_types',           'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('service_types',           'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('service_types',           'name',                         'text',                         true,  NULL),
    ('service_types',           'slug',                         'text',                         true,  NULL),
    ('service_types',           'description',                  'text',                         false, NULL),
    ('service_types',           'is_active',                    'boolean',                      true,  'true'),
    ('service_types',           'sort_order',                   'integer',                      true,  '0'),
    ('service_types',           'workflow_type',                'mycelium.workflow_type',       true,  NULL),
    ('service_types',           'default_duration',             'integer',                      true,  '7'),
    ('service_types',           'default_rate',                 'numeric(10,2)',                false, NULL),
    ('service_types',           'billing_cycle',                'text',                         false, NULL),
    ('service_types',           'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('service_types',           'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('deliverable_fields',      'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('deliverable_fields',      'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('deliverable_fields',      'service_type_id',              'uuid',                         true,  NULL),
    ('deliverable_fields',      'name',                         'text',                         true,  NULL),
    ('deliverable_fields',      'slug',                         'text',                         true,  NULL),
    ('deliverable_fields',      'type',                         'mycelium.field_type',          true,  NULL),
    ('deliverable_fields',      'is_required',                  'boolean',                      true,  'false'),
    ('deliverable_fields',      'sort_order',                   'integer',                      true,  '0'),
    ('deliverable_fields',      'default_value',                'text',                         false, NULL),
    ('deliverable_fields',      'placeholder',                  'text',                         false, NULL),
    ('deliverable_fields',      'help_text',                    'text',                         false, NULL),
    ('deliverable_fields',      'min_length',                   'integer',                      false, NULL),
    ('deliverable_fields',      'max_length',                   'integer',                      false, NULL),
    ('deliverable_fields',      'min_value',                    'numeric(10,2)',                false, NULL),
    ('deliverable_fields',      'max_value',                    'numeric(10,2)',                false, NULL),
    ('deliverable_fields',      'pattern',                      'text',                         false, NULL),
    ('deliverable_fields',      'options',                      'jsonb',                        false, NULL),
    ('deliverable_fields',      'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('deliverable_fields',      'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('clients',                 'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('clients',                 'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('clients',                 'name',                         'text',                         true,  NULL),
    ('clients',                 'slug',                         'text',                         true,  NULL),
    ('clients',                 'contact_email',                'text',                         false, NULL),
    ('clients',                 'contact_phone',                'text',                         false, NULL),
    ('clients',                 'contact_person',               'text',                         false, NULL),
    ('clients',                 'company_name',                 'text',                         false, NULL),
    ('clients',                 'website',                      'text',                         false, NULL),
    ('clients',                 'industry',                     'text',                         false, NULL),
    ('clients',                 'address',                      'jsonb',                        false, NULL),
    ('clients',                 'status',                       'mycelium.client_status',       true,  'ACTIVE'),
    ('clients',                 'is_paused',                    'boolean',                      true,  'false'),
    ('clients',                 'paused_at',                    'timestamp with time zone',     false, NULL),
    ('clients',                 'paused_reason',                'text',                         false, NULL),
    ('clients',                 'notification_email',           'text',                         false, NULL),
    ('clients',                 'preferred_contact_method',     'text',                         false, NULL),
    ('clients',                 'dropbox_folder_url',           'text',                         false, NULL),
    ('clients',                 'drive_id',                     'text',                         false, NULL),
    ('clients',                 'custom_fields',                'jsonb',                        false, NULL),
    ('clients',                 'notes',                        'text',                         false, NULL),
    ('clients',                 'tags',                         'text[]',                       true,  '{}'),
    ('clients',                 'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('clients',                 'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('client_assignments',      'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('client_assignments',      'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('client_assignments',      'client_id',                    'uuid',                         true,  NULL),
    ('client_assignments',      'user_id',                      'uuid',                         true,  NULL),
    ('client_assignments',      'service_type_id',              'uuid',                         true,  NULL),
    ('client_assignments',      'role',                         'mycelium.assignment_role',     true,  'PRIMARY'),
    ('client_assignments',      'is_active',                    'boolean',                      true,  'true'),
    ('client_assignments',      'assigned_at',                  'timestamp with time zone',     true,  'now()'),
    ('client_assignments',      'assigned_by',                  'uuid',                         false, NULL),
    ('client_users',            'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('client_users',            'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('client_users',            'client_id',                    'uuid',                         true,  NULL),
    ('client_users',            'email',                        'text',                         true,  NULL),
    ('client_users',            'name',                         'text',                         true,  NULL),
    ('client_users',            'role',                         'mycelium.client_user_role',    true,  'VIEWER'),
    ('client_users',            'email_verified',               'boolean',                      true,  'false'),
    ('client_users',            'last_login_at',                'timestamp with time zone',     false, NULL),
    ('client_users',            'is_active',                    'boolean',                      true,  'true'),
    ('client_users',            'title',                        'text',                         false, NULL),
    ('client_users',            'phone',                        'text',                         false, NULL),
    ('client_users',            'can_approve',                  'boolean',                      true,  'false'),
    ('client_users',            'can_download',                 'boolean',                      true,  'true'),
    ('client_users',            'can_comment',                  'boolean',                      true,  'true'),
    ('client_users',            'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('client_users',            'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('projects',                'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('projects',                'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('projects',                'client_id',                    'uuid',                         true,  NULL),
    ('projects',                'name',                         'text',                         true,  NULL),
    ('projects',                'description',                  'text',                         false, NULL),
    ('projects',                'status',                       'mycelium.project_status',      true,  'PLANNING'),
    ('projects',                'priority',                     'mycelium.priority',            true,  'MEDIUM'),
    ('projects',                'start_date',                   'timestamp with time zone',     false, NULL),
    ('projects',                'end_date',                     'timestamp with time zone',     false, NULL),
    ('projects',                'estimated_hours',              'numeric(8,2)',                 false, NULL),
    ('projects',                'budget_amount',                'numeric(10,2)',                false, NULL),
    ('projects',                'currency',                     'text',                         false, 'USD'),
    ('projects',                'manager_id',                   'uuid',                         false, NULL),
    ('projects',                'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('projects',                'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('deliverables',            'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('deliverables',            'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('deliverables',            'client_id',                    'uuid',                         true,  NULL),
    ('deliverables',            'project_id',                   'uuid',                         false, NULL),
    ('deliverables',            'service_type_id',              'uuid',                         true,  NULL),
    ('deliverables',            'title',                        'text',                         true,  NULL),
    ('deliverables',            'description',                  'text',                         false, NULL),
    ('deliverables',            'status',                       'mycelium.deliverable_status',  true,  'PENDING'),
    ('deliverables',            'priority',                     'mycelium.priority',            true,  'MEDIUM'),
    ('deliverables',            'assigned_user_id',             'uuid',                         false, NULL),
    ('deliverables',            'created_by_id',                'uuid',                         true,  E'\nCASE\n    WHEN (mycelium.current_app_role() <> ''CLIENT''::text) THEN mycelium.current_app_user_id()\n    ELSE NULL::uuid\nEND'),
    ('deliverables',            'due_date',                     'timestamp with time zone',     false, NULL),
    ('deliverables',            'start_date',                   'timestamp with time zone',     false, NULL),
    ('deliverables',            'estimated_hours',              'numeric(6,2)',                 false, NULL),
    ('deliverables',            'actual_hours',                 'numeric(6,2)',                 false, NULL),
    ('deliverables',            'completed_at',                 'timestamp with time zone',     false, NULL),
    ('deliverables',            'completed_by_id',              'uuid',                         false, NULL),
    ('deliverables',            'approved_at',                  'timestamp with time zone',     false, NULL),
    ('deliverables',            'approved_by_id',               'uuid',                         false, NULL),
    ('deliverables',            'custom_fields',                'jsonb',                        false, NULL),
    ('deliverables',            'attachments',                  'jsonb',                        false, NULL),
    ('deliverables',            'is_recurring',                 'boolean',                      true,  'false'),
    ('deliverables',            'recurrence_rule',              'text',                         false, NULL),
    ('deliverables',            'parent_id',                    'uuid',                         false, NULL),
    ('deliverables',            'recurrence_period',            'date',                         false, NULL),
    ('deliverables',            'recurrence_occurrence',        'timestamp with time zone',     false, NULL),
    ('deliverables',            'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('deliverables',            'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('deliverables',            'approved_by_client_user_id',   'uuid',                         false, NULL),
    ('comments',                'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('comments',                'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('comments',                'deliverable_id',               'uuid',                         true,  NULL),
    ('comments',                'user_id',                      'uuid',                         false, E'\nCASE\n    WHEN (mycelium.current_app_role() <> ''CLIENT''::text) THEN mycelium.current_app_user_id()\n    ELSE NULL::uuid\nEND'),
    ('comments',                'client_user_id',               'uuid',                         false, E'\nCASE\n    WHEN (mycelium.current_app_role() = ''CLIENT''::text) THEN mycelium.current_app_user_id()\n    ELSE NULL::uuid\nEND'),
    ('comments',                'content',                      'text',                         true,  NULL),
    ('comments',                'type',                         'mycelium.comment_type',        true,  'GENERAL'),
    ('comments',                'is_internal',                  'boolean',                      true,  'false'),
    ('comments',                'attachments',                  'jsonb',                        false, NULL),
    ('comments',                'mentions',                     'uuid[]',                       true,  '{}'),
    ('comments',                'parent_id',                    'uuid',                         false, NULL),
    ('comments',                'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('comments',                'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('attachment_versions',     'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('attachment_versions',     'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('attachment_versions',     'deliverable_id',               'uuid',                         true,  NULL),
    ('attachment_versions',     'comment_id',                   'uuid',                         false, NULL),
    ('attachment_versions',     'attachment',                   'jsonb',                        true,  NULL),
    ('attachment_versions',     'change',                       'text',                         true,  NULL),
    ('attachment_versions',     'changed_by_id',                'uuid',                         false, NULL),
    ('attachment_versions',     'changed_by_client_user_id',    'uuid',                         false, NULL),
    ('attachment_versions',     'changed_at',                   'timestamp with time zone',     true,  'now()'),
    ('time_entries',            'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('time_entries',            'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('time_entries',            'user_id',                      'uuid',                         true,  E'\nCASE\n    WHEN (mycelium.current_app_role() <> ''CLIENT''::text) THEN mycelium.current_app_user_id()\n    ELSE NULL::uuid\nEND'),
    ('time_entries',            'deliverable_id',               'uuid',                         true,  NULL),
    ('time_entries',            'description',                  'text',                         false, NULL),
    ('time_entries',            'start_time',                   'timestamp with time zone',     true,  NULL),
    ('time_entries',            'end_time',                     'timestamp with time zone',     false, NULL),
    ('time_entries',            'duration',                     'integer',                      false, NULL),
    ('time_entries',            'hourly_rate',                  'numeric(8,2)',                 false, NULL),
    ('time_entries',            'billable_amount',              'numeric(10,2)',                false, NULL),
    ('time_entries',            'is_billable',                  'boolean',                      true,  'true'),
    ('time_entries',            'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('time_entries',            'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('notifications',           'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('notifications',           'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('notifications',           'type',                         'mycelium.notification_type',   true,  NULL),
    ('notifications',           'title',                        'text',                         true,  NULL),
    ('notifications',           'message',                      'text',                         true,  NULL),
    ('notifications',           'sender_id',                    'uuid',                         false, NULL),
    ('notifications',           'channels',                     'text[]',                       true,  '{}'),
    ('notifications',           'scheduled_for',                'timestamp with time zone',     false, NULL),
    ('notifications',           'sent_at',                      'timestamp with time zone',     false, NULL),
    ('notifications',           'related_id',                   'uuid',                         false, NULL),
    ('notifications',           'related_type',                 'text',                         false, NULL),
    ('notifications',           'metadata',                     'jsonb',                        false, NULL),
    ('notifications',           'status',                       'mycelium.notification_status', true,  'PENDING'),
    ('notifications',           'failure_reason',               'text',                         false, NULL),
    ('notifications',           'retry_count',                  'integer',                      true,  '0'),
    ('notifications',           'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('notifications',           'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('notification_recipients', 'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('notification_recipients', 'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('notification_recipients', 'notification_id',              'uuid',                         true,  NULL),
    ('notification_recipients', 'user_id',                      'uuid',                         false, NULL),
    ('notification_recipients', 'delivered_at',                 'timestamp with time zone',     false, NULL),
    ('notification_recipients', 'read_at',                      'timestamp with time zone',     false, NULL),
    ('notification_recipients', 'channel',                      'text',                         true,  NULL),
    ('notification_recipients', 'email_address',                'text',                         false, NULL),
    ('notification_recipients', 'email_status',                 'text',                         false, NULL),
    ('notification_recipients', 'attempts',                     'integer',                      true,  '0'),
    ('notification_recipients', 'next_attempt_at',              'timestamp with time zone',     false, NULL),
    ('notification_recipients', 'failed_at',                    'timestamp with time zone',     false, NULL),
    ('notification_recipients', 'last_error',                   'text',                         false, NULL),
    ('notification_recipients', 'client_user_id',               'uuid',                         false, NULL),
    ('integrations',            'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('integrations',            'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('integrations',            'type',                         'mycelium.integration_type',    true,  NULL),
    ('integrations',            'name',                         'text',                         true,  NULL),
    ('integrations',            'is_enabled',                   'boolean',                      true,  'false'),
    ('integrations',            'is_connected',                 'boolean',                      true,  'false'),
    ('integrations',            'last_sync_at',                 'timestamp with time zone',     false, NULL),
    ('integrations',            'config',                       'jsonb',                        true,  NULL),
    ('integrations',            'webhook_url',                  'text',                         false, NULL),
    ('integrations',            'error_count',                  'integer',                      true,  '0'),
    ('integrations',            'last_error',                   'text',                         false, NULL),
    ('integrations',            'last_error_at',                'timestamp with time zone',     false, NULL),
    ('integrations',            'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('integrations',            'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('integrations',            'secrets',                      'jsonb',                        true,  '{}'),
    ('webhook_deliveries',      'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('webhook_deliveries',      'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('webhook_deliveries',      'integration_id',               'uuid',                         true,  NULL),
    ('webhook_deliveries',      'event_type',                   'text',                         true,  NULL),
    ('webhook_deliveries',      'payload',                      'jsonb',                        true,  NULL),
    ('webhook_deliveries',      'attempts',                     'integer',                      true,  '0'),
    ('webhook_deliveries',      'next_attempt_at',              'timestamp with time zone',     false, NULL),
    ('webhook_deliveries',      'parked',                       'boolean',                      true,  'false'),
    ('webhook_deliveries',      'delivered_at',                 'timestamp with time zone',     false, NULL),
    ('webhook_deliveries',      'failed_at',                    'timestamp with time zone',     false, NULL),
    ('webhook_deliveries',      'last_error',                   'text',                         false, NULL),
    ('webhook_deliveries',      'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('activity_logs',           'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('activity_logs',           'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('activity_logs',           'user_id',                      'uuid',                         false, NULL),
    ('activity_logs',           'action',                       'text',                         true,  NULL),
    ('activity_logs',           'resource_type',                'text',                         true,  NULL),
    ('activity_logs',           'resource_id',                  'uuid',                         true,  NULL),
    ('activity_logs',           'resource_name',                'text',                         false, NULL),
    ('activity_logs',           'old_values',                   'jsonb',                        false, NULL),
    ('activity_logs',           'new_values',                   'jsonb',                        false, NULL),
    ('activity_logs',           'changed_fields',               'text[]',                       true,  '{}'),
    ('activity_logs',           'ip_address',                   'inet',                         false, NULL),
    ('activity_logs',           'user_agent',                   'text',                         false, NULL),
    ('activity_logs',           'session_id',                   'text',                         false, NULL),
    ('activity_logs',           'metadata',                     'jsonb',                        false, NULL),
    ('activity_logs',           'timestamp',                    'timestamp with time zone',     true,  'now()'),
    ('subscriptions',           'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('subscriptions',           'organization_id',              'uuid',                         true,  'mycelium.current_organization_id()'),
    ('subscriptions',           'plan_name',                    'text',                         true,  NULL),
    ('subscriptions',           'plan_price',                   'numeric(8,2)',                 true,  NULL),
    ('subscriptions',           'currency',                     'text',                         true,  'USD'),
    ('subscriptions',           'billing_cycle',                'text',                         true,  'monthly'),
    ('subscriptions',           'status',                       'mycelium.subscription_status', true,  'ACTIVE'),
    ('subscriptions',           'current_period_start',         'timestamp with time zone',     true,  NULL),
    ('subscriptions',           'current_period_end',           'timestamp with time zone',     true,  NULL),
    ('subscriptions',           'stripe_customer_id',           'text',                         false, NULL),
    ('subscriptions',           'stripe_subscription_id',       'text',                         false, NULL),
    ('subscriptions',           'max_users',                    'integer',                      false, NULL),
    ('subscriptions',           'max_clients',                  'integer',                      false, NULL),
    ('subscriptions',           'max_projects',                 'integer',                      false, NULL),
    ('subscriptions',           'created_at',                   'timestamp with time zone',     true,  'now()'),
    ('subscriptions',           'updated_at',                   'timestamp with time zone',     true,  'now()'),
    ('subscriptions',           'trial_ends_at',                'timestamp with time zone',     false, NULL),
    ('job_runs',                'id',                           'uuid',                         true,  'mycelium.uuid_v7()'),
    ('job_runs',                'job',                          'text',                         true,  NULL),
    ('job_runs',                'started_at',                   'timestamp with time zone',     true,  'clock_timestamp()'),
    ('job_runs',                'finished_at',                  'timestamp with time zone',     false, NULL),
    ('job_runs',                'rows_affected',                'bigint',                       false, NULL),
    ('job_runs',                'error',                        'text',                         false, NULL),
    ('job_runs',                'sqlstate',                     'text',                         false, NULL),
    ('job_runs',                'run_by',                       'text',                         true,  'SESSION_USER'),
    ('job_runs',                'backend_pid',                  'integer',                      true,  'pg_backend_pid()'),
    ('job_runs',                'failed_organization_id',       'uuid',                         false, NULL),
    ('job_runs',                'run_id',                       'uuid',                         false, NULL);
INSERT INTO want_columns (sch, tbl, col, typ, not_null, dflt) VALUES
    ('mycelium_internal', 'auth_keys',       'purpose',     'text',                     true,  NULL),
    ('mycelium_internal', 'auth_keys',       'secret',      'bytea',                    true,  NULL),
    ('mycelium_internal', 'auth_keys',       'created_at',  'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'schema_manifest', 'singleton',   'boolean',                  true,  'true'),
    ('mycelium_internal', 'schema_manifest', 'version',     'text',                     true,  NULL),
    ('mycelium_internal', 'schema_manifest', 'digest',      'text',                     true,  NULL),
    ('mycelium_internal', 'schema_manifest', 'recorded_at', 'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'settings',        'name',        'text',                     true,  NULL),
    ('mycelium_internal', 'settings',        'value',       'text',                     true,  NULL),
    ('mycelium_internal', 'settings',        'updated_at',  'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'integration_keys', 'id',         'uuid',                     true,  'mycelium.uuid_v7()'),
    ('mycelium_internal', 'integration_keys', 'key',        'bytea',                    true,  NULL),
    ('mycelium_internal', 'integration_keys', 'is_current', 'boolean',                  true,  'false'),
    ('mycelium_internal', 'integration_keys', 'created_at', 'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'integration_secret_uses', 'id',              'uuid',         true,  'mycelium.uuid_v7()'),
    ('mycelium_internal', 'integration_secret_uses', 'organization_id', 'uuid',         true,  NULL),
    ('mycelium_internal', 'integration_secret_uses', 'integration_id',  'uuid',         true,  NULL),
    ('mycelium_internal', 'integration_secret_uses', 'name',            'text',         true,  NULL),
    ('mycelium_internal', 'integration_secret_uses', 'purpose',         'text',         true,  NULL),
    ('mycelium_internal', 'integration_secret_uses', 'used_by',         'text',         true,  'SESSION_USER'),
    ('mycelium_internal', 'integration_secret_uses', 'app_user_id',     'uuid',         false, NULL),
    ('mycelium_internal', 'integration_secret_uses', 'used_at',         'timestamp with time zone', true, 'now()'),
    ('mycelium_internal', 'credentials', 'id',                   'uuid',                     true,  'mycelium.uuid_v7()'),
    ('mycelium_internal', 'credentials', 'organization_id',      'uuid',                     true,  NULL),
    ('mycelium_internal', 'credentials', 'user_id',              'uuid',                     false, NULL),
    ('mycelium_internal', 'credentials', 'client_user_id',       'uuid',                     false, NULL),
    ('mycelium_internal', 'credentials', 'password_hash',        'text',                     true,  NULL),
    ('mycelium_internal', 'credentials', 'must_change_password', 'boolean',                  true,  'false'),
    ('mycelium_internal', 'credentials', 'temporary_until',      'timestamp with time zone', false, NULL),
    ('mycelium_internal', 'credentials', 'temporary_used_at',    'timestamp with time zone', false, NULL),
    ('mycelium_internal', 'credentials', 'changed_at',           'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'credentials', 'failed_attempts',      'integer',                  true,  '0'),
    ('mycelium_internal', 'credentials', 'locked_at',            'timestamp with time zone', false, NULL),
    ('mycelium_internal', 'session_floors', 'organization_id',   'uuid',                     true,  NULL),
    ('mycelium_internal', 'session_floors', 'account_id',        'uuid',                     true,  NULL),
    ('mycelium_internal', 'session_floors', 'not_before',        'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'session_floors', 'generation',        'bigint',                   true,  '1'),
    ('mycelium_internal', 'revoked_tokens', 'organization_id',   'uuid',                     true,  NULL),
    ('mycelium_internal', 'revoked_tokens', 'token_id',          'text',                     true,  NULL),
    ('mycelium_internal', 'revoked_tokens', 'expires_at',        'timestamp with time zone', true,  NULL),
    ('mycelium_internal', 'identity_providers', 'id',              'uuid',                     true,  'mycelium.uuid_v7()'),
    ('mycelium_internal', 'identity_providers', 'organization_id', 'uuid',                     true,  NULL),
    ('mycelium_internal', 'identity_providers', 'issuer',          'text',                     true,  NULL),
    ('mycelium_internal', 'identity_providers', 'jwks',            'text',                     true,  NULL),
    ('mycelium_internal', 'identity_providers', 'audiences',       'text[]',                   true,  '{}'),
    ('mycelium_internal', 'identity_providers', 'match_by',        'text',                     true,  'verified_email'),
    ('mycelium_internal', 'identity_providers', 'created_at',      'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'identity_providers', 'updated_at',      'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'external_identities', 'provider_id',     'uuid',                     true,  NULL),
    ('mycelium_internal', 'external_identities', 'subject',         'text',                     true,  NULL),
    ('mycelium_internal', 'external_identities', 'organization_id', 'uuid',                     true,  NULL),
    ('mycelium_internal', 'external_identities', 'account_id',      'uuid',                     true,  NULL),
    ('mycelium_internal', 'external_identities', 'portal',          'boolean',                  true,  NULL),
    ('mycelium_internal', 'external_identities', 'created_at',      'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'account_secrets', 'secret_hash',     'bytea',                    true,  NULL),
    ('mycelium_internal', 'account_secrets', 'organization_id', 'uuid',                     true,  NULL),
    ('mycelium_internal', 'account_secrets', 'account_id',      'uuid',                     true,  NULL),
    ('mycelium_internal', 'account_secrets', 'portal',          'boolean',                  true,  NULL),
    ('mycelium_internal', 'account_secrets', 'purpose',         'text',                     true,  NULL),
    ('mycelium_internal', 'account_secrets', 'created_at',      'timestamp with time zone', true,  'now()'),
    ('mycelium_internal', 'account_secrets', 'expires_at',      'timestamp with time zone', true,  NULL),
    ('mycelium_internal', 'rate_limits',     'bucket',          'text',                     true,  NULL),
    ('mycelium_internal', 'rate_limits',     'window_start',    'timestamp with time zone', true,  NULL),
    ('mycelium_internal', 'rate_limits',     'hits',            'integer',                  true,  NULL),
    ('mycelium_internal', 'jobs',            'name',        'text',                     true,  NULL),
    ('mycelium_internal', 'jobs',            'description', 'text',                     true,  NULL),
    ('mycelium_internal', 'jobs',            'schedule',    'text',                     false, NULL),
    ('mycelium_internal', 'jobs',            'scheduled_at', 'timestamp with time zone', false, NULL);

-- Every foreign key of schema mycelium: its columns, the referenced table and
-- columns, and its full definition as pg_get_constraintdef() prints it (ON DELETE
-- action included; a SET NULL names the one column it nulls, never
-- organization_id). All are between tables of schema mycelium: none goes to
-- mycelium_internal. Those of mycelium_internal (to their organization or
-- account, and external_identities' to identity_providers) are listed with the
-- foreign keys' checks below.
CREATE TEMP TABLE want_fks (
    ord      integer GENERATED ALWAYS AS IDENTITY,
    tbl      name   NOT NULL,
    conname  name   NOT NULL,
    cols     name[] NOT NULL,
    reftbl   name   NOT NULL,
    refcols  name[] NOT NULL,
    def      text   NOT NULL
);
INSERT INTO want_fks (tbl, conname, cols, reftbl, refcols, def) VALUES
    ('organization_branding', 'organization_branding_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('organization_settings', 'organization_settings_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('users', 'users_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('users', 'users_inviter_fkey', '{organization_id,invited_by}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, invited_by) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (invited_by)'),
    ('service_types', 'service_types_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('deliverable_fields', 'deliverable_fields_service_type_fkey', '{organization_id,service_type_id}', 'service_types', '{organization_id,id}',
     'FOREIGN KEY (organization_id, service_type_id) REFERENCES mycelium.service_types(organization_id, id) ON DELETE CASCADE'),
    ('clients', 'clients_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('client_assignments', 'client_assignments_client_fkey', '{organization_id,client_id}', 'clients', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_id) REFERENCES mycelium.clients(organization_id, id) ON DELETE CASCADE'),
    ('client_assignments', 'client_assignments_user_fkey', '{organization_id,user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'),
    ('client_assignments', 'client_assignments_service_type_fkey', '{organization_id,service_type_id}', 'service_types', '{organization_id,id}',
     'FOREIGN KEY (organization_id, service_type_id) REFERENCES mycelium.service_types(organization_id, id) ON DELETE CASCADE'),
    ('client_assignments', 'client_assignments_assigned_by_fkey', '{organization_id,assigned_by}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, assigned_by) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (assigned_by)'),
    ('client_users', 'client_users_client_fkey', '{organization_id,client_id}', 'clients', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_id) REFERENCES mycelium.clients(organization_id, id) ON DELETE CASCADE'),
    ('projects', 'projects_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('projects', 'projects_client_fkey', '{organization_id,client_id}', 'clients', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_id) REFERENCES mycelium.clients(organization_id, id) ON DELETE CASCADE'),
    ('projects', 'projects_manager_fkey', '{organization_id,manager_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, manager_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (manager_id)'),
    ('deliverables', 'deliverables_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('deliverables', 'deliverables_client_fkey', '{organization_id,client_id}', 'clients', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_id) REFERENCES mycelium.clients(organization_id, id) ON DELETE CASCADE'),
    ('deliverables', 'deliverables_project_fkey', '{organization_id,project_id}', 'projects', '{organization_id,id}',
     'FOREIGN KEY (organization_id, project_id) REFERENCES mycelium.projects(organization_id, id) ON DELETE SET NULL (project_id)'),
    ('deliverables', 'deliverables_service_type_fkey', '{organization_id,service_type_id}', 'service_types', '{organization_id,id}',
     'FOREIGN KEY (organization_id, service_type_id) REFERENCES mycelium.service_types(organization_id, id) ON DELETE CASCADE'),
    ('deliverables', 'deliverables_assigned_user_fkey', '{organization_id,assigned_user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, assigned_user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (assigned_user_id)'),
    ('deliverables', 'deliverables_created_by_fkey', '{organization_id,created_by_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, created_by_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'),
    ('deliverables', 'deliverables_completed_by_fkey', '{organization_id,completed_by_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, completed_by_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (completed_by_id)'),
    ('deliverables', 'deliverables_approved_by_fkey', '{organization_id,approved_by_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, approved_by_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (approved_by_id)'),
    ('deliverables', 'deliverables_approved_by_client_user_fkey', '{organization_id,approved_by_client_user_id}', 'client_users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, approved_by_client_user_id) REFERENCES mycelium.client_users(organization_id, id) ON DELETE SET NULL (approved_by_client_user_id)'),
    ('deliverables', 'deliverables_parent_fkey', '{organization_id,parent_id}', 'deliverables', '{organization_id,id}',
     'FOREIGN KEY (organization_id, parent_id) REFERENCES mycelium.deliverables(organization_id, id) ON DELETE SET NULL (parent_id)'),
    ('comments', 'comments_deliverable_fkey', '{organization_id,deliverable_id}', 'deliverables', '{organization_id,id}',
     'FOREIGN KEY (organization_id, deliverable_id) REFERENCES mycelium.deliverables(organization_id, id) ON DELETE CASCADE'),
    ('comments', 'comments_user_fkey', '{organization_id,user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'),
    ('comments', 'comments_client_user_fkey', '{organization_id,client_user_id}', 'client_users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_user_id) REFERENCES mycelium.client_users(organization_id, id) ON DELETE CASCADE'),
    ('comments', 'comments_parent_fkey', '{organization_id,parent_id}', 'comments', '{organization_id,id}',
     'FOREIGN KEY (organization_id, parent_id) REFERENCES mycelium.comments(organization_id, id) ON DELETE SET NULL (parent_id)'),
    ('attachment_versions', 'attachment_versions_deliverable_fkey', '{organization_id,deliverable_id}', 'deliverables', '{organization_id,id}',
     'FOREIGN KEY (organization_id, deliverable_id) REFERENCES mycelium.deliverables(organization_id, id) ON DELETE CASCADE'),
    ('attachment_versions', 'attachment_versions_comment_fkey', '{organization_id,comment_id}', 'comments', '{organization_id,id}',
     'FOREIGN KEY (organization_id, comment_id) REFERENCES mycelium.comments(organization_id, id) ON DELETE CASCADE'),
    ('attachment_versions', 'attachment_versions_changed_by_fkey', '{organization_id,changed_by_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, changed_by_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (changed_by_id)'),
    ('attachment_versions', 'attachment_versions_changed_by_client_user_fkey', '{organization_id,changed_by_client_user_id}', 'client_users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, changed_by_client_user_id) REFERENCES mycelium.client_users(organization_id, id) ON DELETE SET NULL (changed_by_client_user_id)'),
    ('time_entries', 'time_entries_user_fkey', '{organization_id,user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'),
    ('time_entries', 'time_entries_deliverable_fkey', '{organization_id,deliverable_id}', 'deliverables', '{organization_id,id}',
     'FOREIGN KEY (organization_id, deliverable_id) REFERENCES mycelium.deliverables(organization_id, id) ON DELETE CASCADE'),
    ('notifications', 'notifications_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('notifications', 'notifications_sender_fkey', '{organization_id,sender_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, sender_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (sender_id)'),
    ('notification_recipients', 'notification_recipients_notification_fkey', '{organization_id,notification_id}', 'notifications', '{organization_id,id}',
     'FOREIGN KEY (organization_id, notification_id) REFERENCES mycelium.notifications(organization_id, id) ON DELETE CASCADE'),
    ('notification_recipients', 'notification_recipients_user_fkey', '{organization_id,user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'),
    ('notification_recipients', 'notification_recipients_client_user_fkey', '{organization_id,client_user_id}', 'client_users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, client_user_id) REFERENCES mycelium.client_users(organization_id, id) ON DELETE CASCADE'),
    ('integrations', 'integrations_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('webhook_deliveries', 'webhook_deliveries_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('webhook_deliveries', 'webhook_deliveries_integration_fkey', '{organization_id,integration_id}', 'integrations', '{organization_id,id}',
     'FOREIGN KEY (organization_id, integration_id) REFERENCES mycelium.integrations(organization_id, id) ON DELETE CASCADE'),
    ('activity_logs', 'activity_logs_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'),
    ('activity_logs', 'activity_logs_user_fkey', '{organization_id,user_id}', 'users', '{organization_id,id}',
     'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE SET NULL (user_id)'),
    ('subscriptions', 'subscriptions_organization_fkey', '{organization_id}', 'organizations', '{id}',
     'FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE');

-- Every UNIQUE constraint of schema mycelium (primary keys are checked by
-- col_is_pk below); those of mycelium_internal are listed with the set_eq below.
CREATE TEMP TABLE want_uniques (
    ord     integer GENERATED ALWAYS AS IDENTITY,
    tbl     name   NOT NULL,
    conname name   NOT NULL,
    cols    name[] NOT NULL
);
INSERT INTO want_uniques (tbl, conname, cols) VALUES
    ('organizations', 'organizations_slug_key', '{slug}'),
    ('organization_branding', 'organization_branding_organization_id_key', '{organization_id}'),
    ('organization_settings', 'organization_settings_organization_id_key', '{organization_id}'),
    ('service_types', 'service_types_slug_key', '{organization_id,slug}'),
    ('deliverable_fields', 'deliverable_fields_slug_key', '{organization_id,service_type_id,slug}'),
    ('clients', 'clients_slug_key', '{organization_id,slug}'),
    ('client_assignments', 'client_assignments_client_user_service_key', '{organization_id,client_id,user_id,service_type_id}'),
    ('notification_recipients', 'notification_recipients_notification_user_channel_key', '{organization_id,notification_id,user_id,channel}'),
    ('notification_recipients', 'notification_recipients_notification_client_user_channel_key', '{organization_id,notification_id,client_user_id,channel}'),
    ('integrations', 'integrations_type_key', '{organization_id,type}'),
    ('subscriptions', 'subscriptions_organization_id_key', '{organization_id}');

-- Every CHECK constraint, by name (what each one accepts is sql/02_constraints.sql's
-- business).
CREATE TEMP TABLE want_checks (sch name NOT NULL DEFAULT 'mycelium', tbl name NOT NULL, conname name NOT NULL);
INSERT INTO want_checks (tbl, conname) VALUES
    ('organizations', 'organizations_name_not_blank'),
    ('organizations', 'organizations_slug_format'),
    ('organization_branding', 'organization_branding_primary_color_hex'),
    ('organization_branding', 'organization_branding_secondary_color_hex'),
    ('organization_branding', 'organization_branding_custom_domain_format'),
    ('organization_branding', 'organization_branding_custom_domain_verified'),
    ('organization_settings', 'organization_settings_timezone_known'),
    ('organization_settings', 'organization_settings_locale_known'),
    ('organization_settings', 'organization_settings_week_starts_on_range'),
    ('organization_settings', 'organization_settings_notification_frequency_known'),
    ('organization_settings', 'organization_settings_default_deliverable_duration_positive'),
    ('organization_settings', 'organization_settings_session_timeout_hours_positive'),
    ('organization_settings', 'organization_settings_max_login_attempts_positive'),
    ('users', 'users_email_format'),
    ('users', 'users_name_not_blank'),
    ('users', 'users_login_attempts_non_negative'),
    ('users', 'users_permissions_object'),
    ('service_types', 'service_types_name_not_blank'),
    ('service_types', 'service_types_slug_format'),
    ('service_types', 'service_types_default_duration_positive'),
    ('service_types', 'service_types_default_rate_non_negative'),
    ('service_types', 'service_types_billing_cycle_known'),
    ('deliverable_fields', 'deliverable_fields_name_not_blank'),
    ('deliverable_fields', 'deliverable_fields_slug_format'),
    ('deliverable_fields', 'deliverable_fields_min_length_non_negative'),
    ('deliverable_fields', 'deliverable_fields_max_length_positive'),
    ('deliverable_fields', 'deliverable_fields_length_range'),
    ('deliverable_fields', 'deliverable_fields_value_range'),
    ('deliverable_fields', 'deliverable_fields_options_array'),
    ('clients', 'clients_name_not_blank'),
    ('clients', 'clients_slug_format'),
    ('clients', 'clients_contact_email_format'),
    ('clients', 'clients_notification_email_format'),
    ('clients', 'clients_preferred_contact_method_known'),
    ('clients', 'clients_address_object'),
    ('clients', 'clients_custom_fields_object'),
    ('client_users', 'client_users_email_format'),
    ('client_users', 'client_users_name_not_blank'),
    ('projects', 'projects_name_not_blank'),
    ('projects', 'projects_dates_ordered'),
    ('projects', 'projects_estimated_hours_non_negative'),
    ('projects', 'projects_budget_amount_non_negative'),
    ('projects', 'projects_currency_iso4217'),
    ('deliverables', 'deliverables_title_not_blank'),
    ('deliverables', 'deliverables_not_own_parent'),
    ('deliverables', 'deliverables_start_before_due'),
    ('deliverables', 'deliverables_estimated_hours_non_negative'),
    ('deliverables', 'deliverables_actual_hours_non_negative'),
    ('deliverables', 'deliverables_custom_fields_object'),
    ('deliverables', 'deliverables_attachments_array'),
    ('deliverables', 'deliverables_attachments_valid'),
    ('deliverables', 'deliverables_one_approver'),
    ('deliverables', 'deliverables_recurrence_rule_valid'),
    ('deliverables', 'deliverables_recurrence_period_month_start'),
    ('deliverables', 'deliverables_recurrence_occurrence_in_period'),
    ('deliverables', 'deliverables_template_dates_finite'),
    ('deliverables', 'deliverables_template_span_at_most_5_years'),
    ('comments', 'comments_one_author'),
    ('comments', 'comments_content_not_blank'),
    ('comments', 'comments_not_own_parent'),
    ('comments', 'comments_attachments_array'),
    ('comments', 'comments_attachments_valid'),
    ('attachment_versions', 'attachment_versions_attachment_object'),
    ('attachment_versions', 'attachment_versions_change_known'),
    ('attachment_versions', 'attachment_versions_one_author'),
    ('time_entries', 'time_entries_end_after_start'),
    ('time_entries', 'time_entries_duration_non_negative'),
    ('time_entries', 'time_entries_hourly_rate_non_negative'),
    ('time_entries', 'time_entries_billable_amount_non_negative'),
    ('notifications', 'notifications_channels_known'),
    ('notifications', 'notifications_related_type_known'),
    ('notifications', 'notifications_retry_count_non_negative'),
    ('notification_recipients', 'notification_recipients_channel_known'),
    ('notification_recipients', 'notification_recipients_email_status_known'),
    ('notification_recipients', 'notification_recipients_attempts_non_negative'),
    ('notification_recipients', 'notification_recipients_delivered_or_failed'),
    ('notification_recipients', 'notification_recipients_one_recipient'),
    ('integrations', 'integrations_config_object'),
    ('integrations', 'integrations_error_count_non_negative'),
    ('webhook_deliveries', 'webhook_deliveries_payload_object'),
    ('webhook_deliveries', 'webhook_deliveries_attempts_non_negative'),
    ('webhook_deliveries', 'webhook_deliveries_delivered_or_failed'),
    ('integrations', 'integrations_secrets_object'),
    ('integrations', 'integrations_webhook_url_valid'),
    ('activity_logs', 'activity_logs_action_not_blank'),
    ('activity_logs', 'activity_logs_resource_type_not_blank'),
    ('subscriptions', 'subscriptions_plan_price_non_negative'),
    ('subscriptions', 'subscriptions_currency_iso4217'),
    ('subscriptions', 'subscriptions_billing_cycle_known'),
    ('subscriptions', 'subscriptions_period_ordered'),
    ('subscriptions', 'subscriptions_max_users_non_negative'),
    ('subscriptions', 'subscriptions_max_clients_non_negative'),
    ('subscriptions', 'subscriptions_max_projects_non_negative'),
    ('job_runs', 'job_runs_outcome'),
    ('job_runs', 'job_runs_organization_failed');
INSERT INTO want_checks (sch, tbl, conname) VALUES
    ('mycelium_internal', 'auth_keys', 'auth_keys_purpose_known'),
    ('mycelium_internal', 'auth_keys', 'auth_keys_secret_length'),
    ('mycelium_internal', 'integration_keys', 'integration_keys_key_length'),
    ('mycelium_internal', 'schema_manifest', 'schema_manifest_one_row'),
    ('mycelium_internal', 'settings', 'settings_name_known'),
    ('mycelium_internal', 'jobs', 'jobs_scheduled'),
    ('mycelium_internal', 'settings', 'settings_value_valid'),
    ('mycelium_internal', 'credentials', 'credentials_one_account'),
    ('mycelium_internal', 'credentials', 'credentials_temporary_must_change'),
    ('mycelium_internal', 'revoked_tokens', 'revoked_tokens_token_id_length'),
    ('mycelium_internal', 'identity_providers', 'identity_providers_match_by_known'),
    ('mycelium_internal', 'identity_providers', 'identity_providers_issuer_length'),
    ('mycelium_internal', 'external_identities', 'external_identities_subject_length'),
    ('mycelium_internal', 'account_secrets', 'account_secrets_purpose_known'),
    ('mycelium_internal', 'account_secrets', 'account_secrets_hash_length');
-- And one <table>_<column>_finite per timestamptz, timestamp and date column of
-- every table of both schemas (src/sql/code/07_finite_times.sql); their
-- definitions are checked below.
INSERT INTO want_checks (sch, tbl, conname)
SELECT sch, tbl, tbl || '_' || col || '_finite'
FROM want_columns
WHERE typ IN ('timestamp with time zone', 'timestamp without time zone', 'date')
ORDER BY ord;

-- Every index, including those behind primary keys and UNIQUE constraints, with
-- its definition as pg_get_indexdef() prints it.
CREATE TEMP TABLE want_indexes (
    ord  integer GENERATED ALWAYS AS IDENTITY,
    sch  name NOT NULL DEFAULT 'mycelium',
    tbl  name NOT NULL,
    idx  name NOT NULL,
    def  text NOT NULL
);
INSERT INTO want_indexes (tbl, idx, def) VALUES
    ('organizations',           'organizations_pkey',
     'CREATE UNIQUE INDEX organizations_pkey ON mycelium.organizations USING btree (id)'),
    ('organizations',           'organizations_slug_key',
     'CREATE UNIQUE INDEX organizations_slug_key ON mycelium.organizations USING btree (slug)'),
    ('organization_branding',   'organization_branding_pkey',
     'CREATE UNIQUE INDEX organization_branding_pkey ON mycelium.organization_branding USING btree (organization_id, id)'),
    ('organization_branding',   'organization_branding_organization_id_key',
     'CREATE UNIQUE INDEX organization_branding_organization_id_key ON mycelium.organization_branding USING btree (organization_id)'),
    ('organization_branding',   'organization_branding_custom_domain_key',
     'CREATE UNIQUE INDEX organization_branding_custom_domain_key ON mycelium.organization_branding USING btree (lower(custom_domain))'),
    ('organization_settings',   'organization_settings_pkey',
     'CREATE UNIQUE INDEX organization_settings_pkey ON mycelium.organization_settings USING btree (organization_id, id)'),
    ('organization_settings',   'organization_settings_organization_id_key',
     'CREATE UNIQUE INDEX organization_settings_organization_id_key ON mycelium.organization_settings USING btree (organization_id)'),
    ('users',                   'users_pkey',
     'CREATE UNIQUE INDEX users_pkey ON mycelium.users USING btree (organization_id, id)'),
    ('users',                   'users_email_key',
     'CREATE UNIQUE INDEX users_email_key ON mycelium.users USING btree (lower(email))'),
    ('users',                   'users_org_role_idx',
     'CREATE INDEX users_org_role_idx ON mycelium.users USING btree (organization_id, role)'),
    ('users',                   'users_org_status_idx',
     'CREATE INDEX users_org_status_idx ON mycelium.users USING btree (organization_id, status)'),
    ('service_types',           'service_types_pkey',
     'CREATE UNIQUE INDEX service_types_pkey ON mycelium.service_types USING btree (organization_id, id)'),
    ('service_types',           'service_types_slug_key',
     'CREATE UNIQUE INDEX service_types_slug_key ON mycelium.service_types USING btree (organization_id, slug)'),
    ('deliverable_fields',      'deliverable_fields_pkey',
     'CREATE UNIQUE INDEX deliverable_fields_pkey ON mycelium.deliverable_fields USING btree (organization_id, id)'),
    ('deliverable_fields',      'deliverable_fields_slug_key',
     'CREATE UNIQUE INDEX deliverable_fields_slug_key ON mycelium.deliverable_fields USING btree (organization_id, service_type_id, slug)'),
    ('clients',                 'clients_pkey',
     'CREATE UNIQUE INDEX clients_pkey ON mycelium.clients USING btree (organization_id, id)'),
    ('clients',                 'clients_slug_key',
     'CREATE UNIQUE INDEX clients_slug_key ON mycelium.clients USING btree (organization_id, slug)'),
    ('clients',                 'clients_org_status_idx',
     'CREATE INDEX clients_org_status_idx ON mycelium.clients USING btree (organization_id, status)'),
    ('clients',                 'clients_name_search_idx',
     'CREATE INDEX clients_name_search_idx ON mycelium.clients USING gin (to_tsvector(''english''::regconfig, name))'),
    ('clients',                 'clients_custom_fields_idx',
     'CREATE INDEX clients_custom_fields_idx ON mycelium.clients USING gin (custom_fields)'),
    ('client_assignments',      'client_assignments_pkey',
     'CREATE UNIQUE INDEX client_assignments_pkey ON mycelium.client_assignments USING btree (organization_id, id)'),
    ('client_assignments',      'client_assignments_client_user_service_key',
     'CREATE UNIQUE INDEX client_assignments_client_user_service_key ON mycelium.client_assignments USING btree (organization_id, client_id, user_id, service_type_id)'),
    ('client_assignments',      'client_assignments_org_user_idx',
     'CREATE INDEX client_assignments_org_user_idx ON mycelium.client_assignments USING btree (organization_id, user_id)'),
    ('client_assignments',      'client_assignments_org_service_type_idx',
     'CREATE INDEX client_assignments_org_service_type_idx ON mycelium.client_assignments USING btree (organization_id, service_type_id)'),
    ('client_assignments',      'client_assignments_one_primary_key',
     'CREATE UNIQUE INDEX client_assignments_one_primary_key ON mycelium.client_assignments USING btree (organization_id, client_id, service_type_id) WHERE ((role = ''PRIMARY''::mycelium.assignment_role) AND is_active)'),
    ('client_users',            'client_users_pkey',
     'CREATE UNIQUE INDEX client_users_pkey ON mycelium.client_users USING btree (organization_id, id)'),
    ('client_users',            'client_users_email_key',
     'CREATE UNIQUE INDEX client_users_email_key ON mycelium.client_users USING btree (lower(email))'),
    ('client_users',            'client_users_org_client_idx',
     'CREATE INDEX client_users_org_client_idx ON mycelium.client_users USING btree (organization_id, client_id)'),
    ('projects',                'projects_pkey',
     'CREATE UNIQUE INDEX projects_pkey ON mycelium.projects USING btree (organization_id, id)'),
    ('projects',                'projects_org_client_idx',
     'CREATE INDEX projects_org_client_idx ON mycelium.projects USING btree (organization_id, client_id)'),
    ('projects',                'projects_org_status_idx',
     'CREATE INDEX projects_org_status_idx ON mycelium.projects USING btree (organization_id, status)'),
    ('deliverables',            'deliverables_pkey',
     'CREATE UNIQUE INDEX deliverables_pkey ON mycelium.deliverables USING btree (organization_id, id)'),
    ('deliverables',            'deliverables_dashboard_idx',
     'CREATE INDEX deliverables_dashboard_idx ON mycelium.deliverables USING btree (organization_id, assigned_user_id, due_date) INCLUDE (status, client_id, service_type_id) WHERE (status = ANY ((mycelium.open_statuses() || ''OVERDUE''::mycelium.deliverable_status)))'),
    ('deliverables',            'deliverables_org_created_idx',
     'CREATE INDEX deliverables_org_created_idx ON mycelium.deliverables USING btree (organization_id, created_at, id)'),
    ('deliverables',            'deliverables_org_assignee_created_idx',
     'CREATE INDEX deliverables_org_assignee_created_idx ON mycelium.deliverables USING btree (organization_id, assigned_user_id, created_at)'),
    ('deliverables',            'deliverables_org_client_idx',
     'CREATE INDEX deliverables_org_client_idx ON mycelium.deliverables USING btree (organization_id, client_id) INCLUDE (status, due_date, assigned_user_id, service_type_id)'),
    ('deliverables',            'deliverables_org_status_idx',
     'CREATE INDEX deliverables_org_status_idx ON mycelium.deliverables USING btree (organization_id, status) INCLUDE (assigned_user_id, client_id, service_type_id)'),
    ('deliverables',            'deliverables_org_due_idx',
     'CREATE INDEX deliverables_org_due_idx ON mycelium.deliverables USING btree (organization_id, due_date)'),
    ('deliverables',            'deliverables_org_service_type_idx',
     'CREATE INDEX deliverables_org_service_type_idx ON mycelium.deliverables USING btree (organization_id, service_type_id)'),
    ('deliverables',            'deliverables_org_project_idx',
     'CREATE INDEX deliverables_org_project_idx ON mycelium.deliverables USING btree (organization_id, project_id) WHERE (project_id IS NOT NULL)'),
    ('deliverables',            'deliverables_org_parent_idx',
     'CREATE INDEX deliverables_org_parent_idx ON mycelium.deliverables USING btree (organization_id, parent_id) WHERE (parent_id IS NOT NULL)'),
    ('deliverables',            'deliverables_title_search_idx',
     'CREATE INDEX deliverables_title_search_idx ON mycelium.deliverables USING gin (to_tsvector(''english''::regconfig, title))'),
    ('deliverables',            'deliverables_custom_fields_idx',
     'CREATE INDEX deliverables_custom_fields_idx ON mycelium.deliverables USING gin (custom_fields)'),
    ('deliverables',            'deliverables_generated_service_key',
     'CREATE UNIQUE INDEX deliverables_generated_service_key ON mycelium.deliverables USING btree (organization_id, client_id, service_type_id, recurrence_period) WHERE ((recurrence_period IS NOT NULL) AND (recurrence_occurrence IS NULL))'),
    ('deliverables',            'deliverables_generated_occurrence_key',
     'CREATE UNIQUE INDEX deliverables_generated_occurrence_key ON mycelium.deliverables USING btree (organization_id, parent_id, recurrence_occurrence) WHERE (recurrence_occurrence IS NOT NULL)'),
    ('deliverables',            'deliverables_templates_idx',
     'CREATE INDEX deliverables_templates_idx ON mycelium.deliverables USING btree (organization_id) WHERE ((recurrence_rule IS NOT NULL) AND (recurrence_period IS NULL))'),
    ('deliverables',            'deliverables_open_due_idx',
     'CREATE INDEX deliverables_open_due_idx ON mycelium.deliverables USING btree (organization_id, due_date) WHERE (status = ANY (mycelium.open_statuses()))'),
    ('comments',                'comments_pkey',
     'CREATE UNIQUE INDEX comments_pkey ON mycelium.comments USING btree (organization_id, id)'),
    ('comments',                'comments_org_deliverable_idx',
     'CREATE INDEX comments_org_deliverable_idx ON mycelium.comments USING btree (organization_id, deliverable_id)'),
    ('comments',                'comments_org_user_idx',
     'CREATE INDEX comments_org_user_idx ON mycelium.comments USING btree (organization_id, user_id)'),
    ('comments',                'comments_org_client_user_idx',
     'CREATE INDEX comments_org_client_user_idx ON mycelium.comments USING btree (organization_id, client_user_id) WHERE (client_user_id IS NOT NULL)'),
    ('comments',                'comments_org_parent_idx',
     'CREATE INDEX comments_org_parent_idx ON mycelium.comments USING btree (organization_id, parent_id) WHERE (parent_id IS NOT NULL)'),
    ('attachment_versions',     'attachment_versions_pkey',
     'CREATE UNIQUE INDEX attachment_versions_pkey ON mycelium.attachment_versions USING btree (organization_id, id)'),
    ('attachment_versions',     'attachment_versions_org_deliverable_idx',
     'CREATE INDEX attachment_versions_org_deliverable_idx ON mycelium.attachment_versions USING btree (organization_id, deliverable_id, changed_at)'),
    ('attachment_versions',     'attachment_versions_org_comment_idx',
     'CREATE INDEX attachment_versions_org_comment_idx ON mycelium.attachment_versions USING btree (organization_id, comment_id) WHERE (comment_id IS NOT NULL)'),
    ('attachment_versions',     'attachment_versions_org_changed_by_idx',
     'CREATE INDEX attachment_versions_org_changed_by_idx ON mycelium.attachment_versions USING btree (organization_id, changed_by_id) WHERE (changed_by_id IS NOT NULL)'),
    ('attachment_versions',     'attachment_versions_org_changed_by_client_user_idx',
     'CREATE INDEX attachment_versions_org_changed_by_client_user_idx ON mycelium.attachment_versions USING btree (organization_id, changed_by_client_user_id) WHERE (changed_by_client_user_id IS NOT NULL)'),
    ('time_entries',            'time_entries_pkey',
     'CREATE UNIQUE INDEX time_entries_pkey ON mycelium.time_entries USING btree (organization_id, id)'),
    ('time_entries',            'time_entries_org_user_idx',
     'CREATE INDEX time_entries_org_user_idx ON mycelium.time_entries USING btree (organization_id, user_id)'),
    ('time_entries',            'time_entries_org_deliverable_idx',
     'CREATE INDEX time_entries_org_deliverable_idx ON mycelium.time_entries USING btree (organization_id, deliverable_id)'),
    ('time_entries',            'time_entries_org_start_time_idx',
     'CREATE INDEX time_entries_org_start_time_idx ON mycelium.time_entries USING btree (organization_id, start_time)'),
    ('notifications',           'notifications_pkey',
     'CREATE UNIQUE INDEX notifications_pkey ON mycelium.notifications USING btree (organization_id, id)'),
    ('notifications',           'notifications_org_type_idx',
     'CREATE INDEX notifications_org_type_idx ON mycelium.notifications USING btree (organization_id, type)'),
    ('notifications',           'notifications_org_related_idx',
     'CREATE INDEX notifications_org_related_idx ON mycelium.notifications USING btree (organization_id, related_id) WHERE (related_id IS NOT NULL)'),
    ('notifications',           'notifications_deliverable_due_key',
     'CREATE UNIQUE INDEX notifications_deliverable_due_key ON mycelium.notifications USING btree (organization_id, type, related_id, ((metadata ->> ''due_date''::text))) WHERE (type = ANY (ARRAY[''DELIVERABLE_DUE_SOON''::mycelium.notification_type, ''DELIVERABLE_OVERDUE''::mycelium.notification_type]))'),
    ('notifications',           'notifications_pending_queue_idx',
     'CREATE INDEX notifications_pending_queue_idx ON mycelium.notifications USING btree (scheduled_for) WHERE (status = ''PENDING''::mycelium.notification_status)'),
    ('notification_recipients', 'notification_recipients_pkey',
     'CREATE UNIQUE INDEX notification_recipients_pkey ON mycelium.notification_recipients USING btree (organization_id, id)'),
    ('notification_recipients', 'notification_recipients_notification_user_channel_key',
     'CREATE UNIQUE INDEX notification_recipients_notification_user_channel_key ON mycelium.notification_recipients USING btree (organization_id, notification_id, user_id, channel)'),
    ('notification_recipients', 'notification_recipients_org_user_idx',
     'CREATE INDEX notification_recipients_org_user_idx ON mycelium.notification_recipients USING btree (organization_id, user_id)'),
    ('notification_recipients', 'notification_recipients_notification_client_user_channel_key',
     'CREATE UNIQUE INDEX notification_recipients_notification_client_user_channel_key ON mycelium.notification_recipients USING btree (organization_id, notification_id, client_user_id, channel)'),
    ('notification_recipients', 'notification_recipients_org_client_user_idx',
     'CREATE INDEX notification_recipients_org_client_user_idx ON mycelium.notification_recipients USING btree (organization_id, client_user_id) WHERE (client_user_id IS NOT NULL)'),
    ('notification_recipients', 'notification_recipients_outbox_idx',
     'CREATE INDEX notification_recipients_outbox_idx ON mycelium.notification_recipients USING btree (channel, COALESCE(next_attempt_at, ''-infinity''::timestamp with time zone), id) WHERE ((delivered_at IS NULL) AND (failed_at IS NULL) AND (channel <> ''in_app''::text))'),
    ('integrations',            'integrations_pkey',
     'CREATE UNIQUE INDEX integrations_pkey ON mycelium.integrations USING btree (organization_id, id)'),
    ('integrations',            'integrations_type_key',
     'CREATE UNIQUE INDEX integrations_type_key ON mycelium.integrations USING btree (organization_id, type)'),
    ('webhook_deliveries',      'webhook_deliveries_pkey',
     'CREATE UNIQUE INDEX webhook_deliveries_pkey ON mycelium.webhook_deliveries USING btree (organization_id, id)'),
    ('webhook_deliveries',      'webhook_deliveries_outbox_idx',
     'CREATE INDEX webhook_deliveries_outbox_idx ON mycelium.webhook_deliveries USING btree (COALESCE(next_attempt_at, ''-infinity''::timestamp with time zone), id) WHERE ((delivered_at IS NULL) AND (failed_at IS NULL) AND (NOT parked))'),
    ('webhook_deliveries',      'webhook_deliveries_org_integration_idx',
     'CREATE INDEX webhook_deliveries_org_integration_idx ON mycelium.webhook_deliveries USING btree (organization_id, integration_id)'),
    ('activity_logs',           'activity_logs_pkey',
     'CREATE UNIQUE INDEX activity_logs_pkey ON mycelium.activity_logs USING btree (organization_id, id)'),
    ('activity_logs',           'activity_logs_org_user_idx',
     'CREATE INDEX activity_logs_org_user_idx ON mycelium.activity_logs USING btree (organization_id, user_id)'),
    ('activity_logs',           'activity_logs_org_resource_idx',
     'CREATE INDEX activity_logs_org_resource_idx ON mycelium.activity_logs USING btree (organization_id, resource_type, resource_id)'),
    ('activity_logs',           'activity_logs_recent_idx',
     'CREATE INDEX activity_logs_recent_idx ON mycelium.activity_logs USING btree (organization_id, "timestamp" DESC)'),
    ('activity_logs',           'activity_logs_timestamp_idx',
     'CREATE INDEX activity_logs_timestamp_idx ON mycelium.activity_logs USING btree ("timestamp")'),
    ('subscriptions',           'subscriptions_pkey',
     'CREATE UNIQUE INDEX subscriptions_pkey ON mycelium.subscriptions USING btree (organization_id, id)'),
    ('subscriptions',           'subscriptions_organization_id_key',
     'CREATE UNIQUE INDEX subscriptions_organization_id_key ON mycelium.subscriptions USING btree (organization_id)'),
    ('job_runs',                'job_runs_pkey',
     'CREATE UNIQUE INDEX job_runs_pkey ON mycelium.job_runs USING btree (id)'),
    ('job_runs',                'job_runs_job_started_at_idx',
     'CREATE INDEX job_runs_job_started_at_idx ON mycelium.job_runs USING btree (job, started_at DESC)');
INSERT INTO want_indexes (sch, tbl, idx, def) VALUES
    ('mycelium_internal', 'auth_keys',       'auth_keys_pkey',
     'CREATE UNIQUE INDEX auth_keys_pkey ON mycelium_internal.auth_keys USING btree (purpose)'),
    ('mycelium_internal', 'schema_manifest', 'schema_manifest_pkey',
     'CREATE UNIQUE INDEX schema_manifest_pkey ON mycelium_internal.schema_manifest USING btree (singleton)'),
    ('mycelium_internal', 'settings',        'settings_pkey',
     'CREATE UNIQUE INDEX settings_pkey ON mycelium_internal.settings USING btree (name)'),
    ('mycelium_internal', 'session_floors',  'session_floors_pkey',
     'CREATE UNIQUE INDEX session_floors_pkey ON mycelium_internal.session_floors USING btree (organization_id, account_id)'),
    ('mycelium_internal', 'integration_keys', 'integration_keys_pkey',
     'CREATE UNIQUE INDEX integration_keys_pkey ON mycelium_internal.integration_keys USING btree (id)'),
    ('mycelium_internal', 'integration_keys', 'integration_keys_one_current',
     'CREATE UNIQUE INDEX integration_keys_one_current ON mycelium_internal.integration_keys USING btree (is_current) WHERE is_current'),
    ('mycelium_internal', 'integration_secret_uses', 'integration_secret_uses_pkey',
     'CREATE UNIQUE INDEX integration_secret_uses_pkey ON mycelium_internal.integration_secret_uses USING btree (organization_id, id)'),
    ('mycelium_internal', 'credentials',     'credentials_pkey',
     'CREATE UNIQUE INDEX credentials_pkey ON mycelium_internal.credentials USING btree (id)'),
    ('mycelium_internal', 'credentials',     'credentials_user_key',
     'CREATE UNIQUE INDEX credentials_user_key ON mycelium_internal.credentials USING btree (organization_id, user_id)'),
    ('mycelium_internal', 'credentials',     'credentials_client_user_key',
     'CREATE UNIQUE INDEX credentials_client_user_key ON mycelium_internal.credentials USING btree (organization_id, client_user_id)'),
    ('mycelium_internal', 'revoked_tokens',  'revoked_tokens_pkey',
     'CREATE UNIQUE INDEX revoked_tokens_pkey ON mycelium_internal.revoked_tokens USING btree (organization_id, token_id)'),
    ('mycelium_internal', 'identity_providers', 'identity_providers_pkey',
     'CREATE UNIQUE INDEX identity_providers_pkey ON mycelium_internal.identity_providers USING btree (id)'),
    ('mycelium_internal', 'identity_providers', 'identity_providers_issuer_key',
     'CREATE UNIQUE INDEX identity_providers_issuer_key ON mycelium_internal.identity_providers USING btree (organization_id, issuer)'),
    ('mycelium_internal', 'external_identities', 'external_identities_pkey',
     'CREATE UNIQUE INDEX external_identities_pkey ON mycelium_internal.external_identities USING btree (provider_id, subject)'),
    ('mycelium_internal', 'account_secrets', 'account_secrets_pkey',
     'CREATE UNIQUE INDEX account_secrets_pkey ON mycelium_internal.account_secrets USING btree (secret_hash)'),
    ('mycelium_internal', 'account_secrets', 'account_secrets_one_per_purpose',
     'CREATE UNIQUE INDEX account_secrets_one_per_purpose ON mycelium_internal.account_secrets USING btree (organization_id, account_id, purpose)'),
    ('mycelium_internal', 'rate_limits',     'rate_limits_pkey',
     'CREATE UNIQUE INDEX rate_limits_pkey ON mycelium_internal.rate_limits USING btree (bucket)'),
    -- For take_rate_limit's sweep of stale windows.
    ('mycelium_internal', 'rate_limits',     'rate_limits_window_start_idx',
     'CREATE INDEX rate_limits_window_start_idx ON mycelium_internal.rate_limits USING btree (window_start)'),
    ('mycelium_internal', 'jobs',            'jobs_pkey',
     'CREATE UNIQUE INDEX jobs_pkey ON mycelium_internal.jobs USING btree (name)');

-- Every trigger, with its function (every trigger function is in
-- mycelium_internal), its definition as pg_get_triggerdef() prints it, and when
-- it fires (pg_trigger.tgenabled): O, the default, unless
-- session_replication_role = replica; A (ENABLE ALWAYS) in replica mode too.
CREATE TEMP TABLE want_triggers (
    ord     integer GENERATED ALWAYS AS IDENTITY,
    sch     name   NOT NULL DEFAULT 'mycelium',
    tbl     name   NOT NULL,
    trg     name   NOT NULL,
    func    name   NOT NULL,
    def     text   NOT NULL,
    enabled "char" NOT NULL DEFAULT 'O'
);
INSERT INTO want_triggers (tbl, trg, func, def) VALUES
    ('organizations', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.organizations FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('organizations', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.organizations FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('organizations', 'fill_slug', 'fill_slug',
     'CREATE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.organizations FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug()'),
    ('organization_branding', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.organization_branding FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('organization_branding', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.organization_branding FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('organization_branding', 'reset_domain_verification', 'reset_domain_verification',
     'CREATE TRIGGER reset_domain_verification BEFORE INSERT OR UPDATE OF custom_domain ON mycelium.organization_branding FOR EACH ROW EXECUTE FUNCTION mycelium_internal.reset_domain_verification()'),
    ('organization_settings', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.organization_settings FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('organization_settings', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.organization_settings FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('users', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.users FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('users', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.users FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('users', 'log_activity_insert', 'log_activity',
     'CREATE TRIGGER log_activity_insert AFTER INSERT ON mycelium.users REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''user'', ''name'')'),
    ('users', 'log_activity_update', 'log_activity',
     'CREATE TRIGGER log_activity_update AFTER UPDATE ON mycelium.users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''user'', ''name'')'),
    ('users', 'log_activity_delete', 'log_activity',
     'CREATE TRIGGER log_activity_delete AFTER DELETE ON mycelium.users REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''user'', ''name'')'),
    ('users', 'guard_user_update', 'limit_changes',
     'CREATE TRIGGER guard_user_update BEFORE UPDATE ON mycelium.users FOR EACH ROW EXECUTE FUNCTION mycelium_internal.limit_changes(''name'', ''phone'', ''title'', ''bio'', ''avatar_url'', ''last_login_at'')'),
    ('users', 'end_sessions', 'end_sessions_on_change',
     'CREATE TRIGGER end_sessions AFTER UPDATE OF status, role, locked_at ON mycelium.users FOR EACH ROW WHEN (((old.status IS DISTINCT FROM new.status) OR (old.role IS DISTINCT FROM new.role) OR ((new.locked_at IS NOT NULL) AND (new.locked_at IS DISTINCT FROM old.locked_at)))) EXECUTE FUNCTION mycelium_internal.end_sessions_on_change()'),
    ('service_types', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.service_types FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('service_types', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.service_types FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('service_types', 'fill_slug', 'fill_slug',
     'CREATE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.service_types FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug()'),
    ('deliverable_fields', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.deliverable_fields FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('deliverable_fields', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.deliverable_fields FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('deliverable_fields', 'check_field_definition', 'check_field_definition',
     'CREATE TRIGGER check_field_definition BEFORE INSERT OR UPDATE ON mycelium.deliverable_fields FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_field_definition()'),
    ('clients', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.clients FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('clients', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.clients FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('clients', 'fill_slug', 'fill_slug',
     'CREATE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.clients FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug()'),
    ('clients', 'log_activity_insert', 'log_activity',
     'CREATE TRIGGER log_activity_insert AFTER INSERT ON mycelium.clients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''client'', ''name'')'),
    ('clients', 'log_activity_update', 'log_activity',
     'CREATE TRIGGER log_activity_update AFTER UPDATE ON mycelium.clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''client'', ''name'')'),
    ('clients', 'log_activity_delete', 'log_activity',
     'CREATE TRIGGER log_activity_delete AFTER DELETE ON mycelium.clients REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''client'', ''name'')'),
    ('client_assignments', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.client_assignments FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('client_users', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.client_users FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('client_users', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.client_users FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('client_users', 'end_sessions', 'end_sessions_on_change',
     'CREATE TRIGGER end_sessions AFTER UPDATE OF is_active, role ON mycelium.client_users FOR EACH ROW WHEN (((old.is_active IS DISTINCT FROM new.is_active) OR (old.role IS DISTINCT FROM new.role))) EXECUTE FUNCTION mycelium_internal.end_sessions_on_change()'),
    ('projects', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.projects FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('projects', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.projects FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('projects', 'log_activity_insert', 'log_activity',
     'CREATE TRIGGER log_activity_insert AFTER INSERT ON mycelium.projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''project'', ''name'')'),
    ('projects', 'log_activity_update', 'log_activity',
     'CREATE TRIGGER log_activity_update AFTER UPDATE ON mycelium.projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''project'', ''name'')'),
    ('projects', 'log_activity_delete', 'log_activity',
     'CREATE TRIGGER log_activity_delete AFTER DELETE ON mycelium.projects REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''project'', ''name'')'),
    ('projects', 'guard_move', 'guard_move',
     'CREATE TRIGGER guard_move BEFORE UPDATE ON mycelium.projects FOR EACH ROW WHEN ((old.client_id IS DISTINCT FROM new.client_id)) EXECUTE FUNCTION mycelium_internal.guard_move()'),
    ('users', 'check_plan_limits_insert', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_insert AFTER INSERT ON mycelium.users REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('users', 'check_plan_limits_update', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_update AFTER UPDATE ON mycelium.users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('clients', 'check_plan_limits_insert', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_insert AFTER INSERT ON mycelium.clients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('clients', 'check_plan_limits_update', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_update AFTER UPDATE ON mycelium.clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('projects', 'check_plan_limits_insert', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_insert AFTER INSERT ON mycelium.projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('projects', 'check_plan_limits_update', 'check_plan_limits',
     'CREATE TRIGGER check_plan_limits_update AFTER UPDATE ON mycelium.projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_plan_limits()'),
    ('deliverables', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.deliverables FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('deliverables', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.deliverables FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('deliverables', 'log_activity_insert', 'log_activity',
     'CREATE TRIGGER log_activity_insert AFTER INSERT ON mycelium.deliverables REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''deliverable'', ''title'')'),
    ('deliverables', 'log_activity_update', 'log_activity',
     'CREATE TRIGGER log_activity_update AFTER UPDATE ON mycelium.deliverables REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''deliverable'', ''title'')'),
    ('deliverables', 'log_activity_delete', 'log_activity',
     'CREATE TRIGGER log_activity_delete AFTER DELETE ON mycelium.deliverables REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(''deliverable'', ''title'')'),
    ('client_assignments', 'stamp_assigner', 'stamp_assigner',
     'CREATE TRIGGER stamp_assigner BEFORE INSERT ON mycelium.client_assignments FOR EACH ROW WHEN ((new.assigned_by IS NULL)) EXECUTE FUNCTION mycelium_internal.stamp_assigner()'),
    ('clients', 'stamp_pause', 'stamp_pause',
     'CREATE TRIGGER stamp_pause BEFORE INSERT ON mycelium.clients FOR EACH ROW WHEN ((new.is_paused OR (new.paused_at IS NOT NULL))) EXECUTE FUNCTION mycelium_internal.stamp_pause()'),
    ('clients', 'stamp_pause_update', 'stamp_pause',
     'CREATE TRIGGER stamp_pause_update BEFORE UPDATE ON mycelium.clients FOR EACH ROW WHEN (((new.is_paused IS DISTINCT FROM old.is_paused) OR (new.paused_at IS DISTINCT FROM old.paused_at))) EXECUTE FUNCTION mycelium_internal.stamp_pause()'),
    ('deliverables', 'default_due_date', 'default_due_date',
     'CREATE TRIGGER default_due_date BEFORE INSERT ON mycelium.deliverables FOR EACH ROW WHEN ((new.due_date IS NULL)) EXECUTE FUNCTION mycelium_internal.default_due_date()'),
    ('deliverables', 'stamp_status', 'stamp_deliverable',
     'CREATE TRIGGER stamp_status BEFORE INSERT ON mycelium.deliverables FOR EACH ROW WHEN (((new.status = ANY (ARRAY[''COMPLETED''::mycelium.deliverable_status, ''APPROVED''::mycelium.deliverable_status, ''ARCHIVED''::mycelium.deliverable_status])) OR (new.completed_at IS NOT NULL) OR (new.completed_by_id IS NOT NULL) OR (new.approved_at IS NOT NULL) OR (new.approved_by_id IS NOT NULL) OR (new.approved_by_client_user_id IS NOT NULL))) EXECUTE FUNCTION mycelium_internal.stamp_deliverable()'),
    ('deliverables', 'stamp_status_update', 'stamp_deliverable',
     'CREATE TRIGGER stamp_status_update BEFORE UPDATE ON mycelium.deliverables FOR EACH ROW WHEN (((old.status = ANY (ARRAY[''COMPLETED''::mycelium.deliverable_status, ''APPROVED''::mycelium.deliverable_status, ''ARCHIVED''::mycelium.deliverable_status])) OR (new.status = ANY (ARRAY[''COMPLETED''::mycelium.deliverable_status, ''APPROVED''::mycelium.deliverable_status, ''ARCHIVED''::mycelium.deliverable_status])) OR (new.completed_at IS DISTINCT FROM old.completed_at) OR (new.completed_by_id IS DISTINCT FROM old.completed_by_id) OR (new.approved_at IS DISTINCT FROM old.approved_at) OR (new.approved_by_id IS DISTINCT FROM old.approved_by_id) OR (new.approved_by_client_user_id IS DISTINCT FROM old.approved_by_client_user_id))) EXECUTE FUNCTION mycelium_internal.stamp_deliverable()'),
    ('users', 'check_staff_row', 'check_staff_row',
     'CREATE TRIGGER check_staff_row BEFORE INSERT ON mycelium.users FOR EACH ROW WHEN (((new.role = ''CLIENT''::mycelium.user_role) OR (new.permissions IS NOT NULL))) EXECUTE FUNCTION mycelium_internal.check_staff_row()'),
    ('users', 'check_staff_row_update', 'check_staff_row',
     'CREATE TRIGGER check_staff_row_update BEFORE UPDATE OF role, permissions ON mycelium.users FOR EACH ROW WHEN (((new.role = ''CLIENT''::mycelium.user_role) OR (new.permissions IS DISTINCT FROM old.permissions))) EXECUTE FUNCTION mycelium_internal.check_staff_row()'),
    ('deliverables', 'check_new_work', 'check_new_work',
     'CREATE TRIGGER check_new_work AFTER INSERT ON mycelium.deliverables REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_new_work()'),
    ('client_users', 'guard_portal_user_insert', 'guard_portal_user_insert',
     'CREATE TRIGGER guard_portal_user_insert BEFORE INSERT ON mycelium.client_users FOR EACH ROW WHEN ((mycelium.current_app_role() = ''CLIENT''::text)) EXECUTE FUNCTION mycelium_internal.guard_portal_user_insert()'),
    ('client_users', 'guard_portal_user_update', 'limit_changes',
     'CREATE TRIGGER guard_portal_user_update BEFORE UPDATE ON mycelium.client_users FOR EACH ROW WHEN ((mycelium.current_app_role() = ''CLIENT''::text)) EXECUTE FUNCTION mycelium_internal.limit_changes(''name'', ''title'', ''phone'', ''role'', ''is_active'', ''can_approve'', ''can_download'', ''can_comment'')'),
    ('deliverables', 'guard_portal_update', 'guard_portal_deliverable_update',
     'CREATE TRIGGER guard_portal_update BEFORE UPDATE ON mycelium.deliverables FOR EACH ROW WHEN ((mycelium.current_app_role() = ''CLIENT''::text)) EXECUTE FUNCTION mycelium_internal.guard_portal_deliverable_update()'),
    ('deliverables', 'guard_move', 'guard_move',
     'CREATE TRIGGER guard_move BEFORE UPDATE ON mycelium.deliverables FOR EACH ROW WHEN (((old.client_id IS DISTINCT FROM new.client_id) OR (old.service_type_id IS DISTINCT FROM new.service_type_id))) EXECUTE FUNCTION mycelium_internal.guard_move()'),
    ('deliverables', 'check_custom_fields', 'check_custom_fields',
     'CREATE TRIGGER check_custom_fields BEFORE INSERT OR UPDATE OF custom_fields, service_type_id, status ON mycelium.deliverables FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_custom_fields()'),
    ('comments', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.comments FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('deliverables', 'notify_events_insert', 'notify_deliverable_events',
     'CREATE TRIGGER notify_events_insert AFTER INSERT ON mycelium.deliverables REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_deliverable_events()'),
    ('deliverables', 'notify_events_update', 'notify_deliverable_events',
     'CREATE TRIGGER notify_events_update AFTER UPDATE ON mycelium.deliverables REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_deliverable_events()'),
    ('comments', 'notify_events_insert', 'notify_comment_events',
     'CREATE TRIGGER notify_events_insert AFTER INSERT ON mycelium.comments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_comment_events()'),
    ('clients', 'notify_events_insert', 'notify_client_events',
     'CREATE TRIGGER notify_events_insert AFTER INSERT ON mycelium.clients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_client_events()'),
    ('clients', 'notify_events_update', 'notify_client_events',
     'CREATE TRIGGER notify_events_update AFTER UPDATE ON mycelium.clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_client_events()'),
    ('projects', 'notify_events_insert', 'notify_project_events',
     'CREATE TRIGGER notify_events_insert AFTER INSERT ON mycelium.projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_project_events()'),
    ('projects', 'notify_events_update', 'notify_project_events',
     'CREATE TRIGGER notify_events_update AFTER UPDATE ON mycelium.projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_project_events()'),
    ('integrations', 'notify_errors', 'notify_integration_errors',
     'CREATE TRIGGER notify_errors AFTER UPDATE ON mycelium.integrations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.notify_integration_errors()'),
    ('deliverables', 'webhook_events_insert', 'webhook_deliverable_events',
     'CREATE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.deliverables REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_deliverable_events()'),
    ('deliverables', 'webhook_events_update', 'webhook_deliverable_events',
     'CREATE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.deliverables REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_deliverable_events()'),
    ('clients', 'webhook_events_insert', 'webhook_client_events',
     'CREATE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.clients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_client_events()'),
    ('clients', 'webhook_events_update', 'webhook_client_events',
     'CREATE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_client_events()'),
    ('projects', 'webhook_events_insert', 'webhook_project_events',
     'CREATE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_project_events()'),
    ('projects', 'webhook_events_update', 'webhook_project_events',
     'CREATE TRIGGER webhook_events_update AFTER UPDATE ON mycelium.projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_project_events()'),
    ('comments', 'webhook_events_insert', 'webhook_comment_events',
     'CREATE TRIGGER webhook_events_insert AFTER INSERT ON mycelium.comments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.webhook_comment_events()'),
    ('integrations', 'check_webhook_subscription', 'check_webhook_subscription',
     'CREATE TRIGGER check_webhook_subscription BEFORE INSERT OR UPDATE OF type, config ON mycelium.integrations FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_webhook_subscription()'),
    ('integrations', 'park_webhook_deliveries', 'park_webhook_deliveries',
     'CREATE TRIGGER park_webhook_deliveries AFTER UPDATE OF is_enabled, webhook_url ON mycelium.integrations FOR EACH ROW WHEN (((old.is_enabled AND (old.webhook_url IS NOT NULL)) IS DISTINCT FROM (new.is_enabled AND (new.webhook_url IS NOT NULL)))) EXECUTE FUNCTION mycelium_internal.park_webhook_deliveries()'),
    ('comments', 'check_references_insert', 'check_references',
     'CREATE TRIGGER check_references_insert AFTER INSERT ON mycelium.comments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references()'),
    ('comments', 'check_references_update', 'check_references',
     'CREATE TRIGGER check_references_update AFTER UPDATE ON mycelium.comments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references()'),
    ('comments', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.comments FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('deliverables', 'keep_attachment_versions', 'keep_attachment_versions',
     'CREATE TRIGGER keep_attachment_versions AFTER UPDATE OF attachments ON mycelium.deliverables FOR EACH ROW WHEN (((old.attachments IS DISTINCT FROM new.attachments) AND (old.attachments <> ''[]''::jsonb))) EXECUTE FUNCTION mycelium_internal.keep_attachment_versions()'),
    ('comments', 'keep_attachment_versions', 'keep_attachment_versions',
     'CREATE TRIGGER keep_attachment_versions AFTER UPDATE OF attachments ON mycelium.comments FOR EACH ROW WHEN (((old.attachments IS DISTINCT FROM new.attachments) AND (old.attachments <> ''[]''::jsonb))) EXECUTE FUNCTION mycelium_internal.keep_attachment_versions()'),
    ('attachment_versions', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.attachment_versions FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('time_entries', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.time_entries FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('time_entries', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.time_entries FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('time_entries', 'derive_time_entry', 'derive_time_entry',
     'CREATE TRIGGER derive_time_entry BEFORE INSERT OR UPDATE ON mycelium.time_entries FOR EACH ROW EXECUTE FUNCTION mycelium_internal.derive_time_entry()'),
    ('time_entries', 'sum_hours_insert', 'sum_time_entries',
     'CREATE TRIGGER sum_hours_insert AFTER INSERT ON mycelium.time_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries()'),
    ('time_entries', 'sum_hours_update', 'sum_time_entries',
     'CREATE TRIGGER sum_hours_update AFTER UPDATE ON mycelium.time_entries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries()'),
    ('time_entries', 'sum_hours_delete', 'sum_time_entries',
     'CREATE TRIGGER sum_hours_delete AFTER DELETE ON mycelium.time_entries REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries()'),
    ('time_entries', 'sum_hours_truncate', 'sum_time_entries',
     'CREATE TRIGGER sum_hours_truncate AFTER TRUNCATE ON mycelium.time_entries FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries()'),
    ('deliverables', 'guard_actual_hours', 'guard_actual_hours',
     'CREATE TRIGGER guard_actual_hours BEFORE INSERT ON mycelium.deliverables FOR EACH ROW WHEN ((new.actual_hours IS NOT NULL)) EXECUTE FUNCTION mycelium_internal.guard_actual_hours()'),
    ('deliverables', 'guard_actual_hours_update', 'guard_actual_hours',
     'CREATE TRIGGER guard_actual_hours_update BEFORE UPDATE OF actual_hours ON mycelium.deliverables FOR EACH ROW WHEN ((new.actual_hours IS DISTINCT FROM old.actual_hours)) EXECUTE FUNCTION mycelium_internal.guard_actual_hours()'),
    ('notifications', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.notifications FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('notifications', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.notifications FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('notifications', 'check_references_insert', 'check_references',
     'CREATE TRIGGER check_references_insert AFTER INSERT ON mycelium.notifications REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references()'),
    ('notifications', 'end_cancelled_deliveries', 'end_cancelled_deliveries',
     'CREATE TRIGGER end_cancelled_deliveries AFTER UPDATE OF status ON mycelium.notifications FOR EACH ROW WHEN (((new.status = ''CANCELLED''::mycelium.notification_status) AND (old.status <> ''CANCELLED''::mycelium.notification_status))) EXECUTE FUNCTION mycelium_internal.end_cancelled_deliveries()'),
    ('notification_recipients', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.notification_recipients FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('notification_recipients', 'guard_recipient_update', 'limit_changes',
     'CREATE TRIGGER guard_recipient_update BEFORE UPDATE ON mycelium.notification_recipients FOR EACH ROW WHEN ((mycelium.current_app_role() <> ''ADMIN''::text)) EXECUTE FUNCTION mycelium_internal.limit_changes(''read_at'')'),
    ('notification_recipients', 'address_recipient', 'address_recipient',
     'CREATE TRIGGER address_recipient BEFORE INSERT ON mycelium.notification_recipients FOR EACH ROW WHEN (row_security_active((''mycelium.notification_recipients''::regclass)::oid)) EXECUTE FUNCTION mycelium_internal.address_recipient()'),
    ('integrations', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.integrations FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('integrations', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.integrations FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('webhook_deliveries', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.webhook_deliveries FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('integrations', 'keep_integration_secrets', 'keep_integration_secrets',
     'CREATE TRIGGER keep_integration_secrets BEFORE INSERT OR UPDATE ON mycelium.integrations FOR EACH ROW EXECUTE FUNCTION mycelium_internal.keep_integration_secrets()'),
    ('notification_recipients', 'announce_notifications', 'announce_notifications',
     'CREATE TRIGGER announce_notifications AFTER INSERT ON mycelium.notification_recipients REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_notifications()'),
    ('activity_logs', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.activity_logs FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('subscriptions', 'require_context', 'require_context',
     'CREATE TRIGGER require_context BEFORE INSERT OR DELETE OR UPDATE ON mycelium.subscriptions FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.require_context()'),
    ('subscriptions', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium.subscriptions FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()');
INSERT INTO want_triggers (sch, tbl, trg, func, def) VALUES
    ('mycelium_internal', 'settings', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium_internal.settings FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()'),
    ('mycelium_internal', 'identity_providers', 'touch_updated_at', 'touch_updated_at',
     'CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mycelium_internal.identity_providers FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()');
-- The triggers that fire in replica mode too, as a restore runs (load_as_replica
-- below) and a logical replica applies changes. announce_change makes every
-- backend drop what it cached of the table (keys, switches, compiled field
-- validators): a cache must never outlive the rows it was made from.
-- announce_access_change: the tables that decide whether authenticate accepts a
-- token drop every backend's accepted tokens (announced as session_floors').
-- check_manifest must refuse a dump whose tables differ from this database's
-- whatever the restore's options, session_replication_role = replica included.
INSERT INTO want_triggers (sch, tbl, trg, func, def, enabled) VALUES
    ('mycelium', 'service_types', 'announce_change', 'announce_change',
     'CREATE TRIGGER announce_change AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON mycelium.service_types FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change()',
     'A'),
    ('mycelium', 'deliverable_fields', 'announce_change', 'announce_change',
     'CREATE TRIGGER announce_change AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON mycelium.deliverable_fields FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change()',
     'A'),
    ('mycelium_internal', 'auth_keys', 'announce_change', 'announce_change',
     'CREATE TRIGGER announce_change AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON mycelium_internal.auth_keys FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change()',
     'A'),
    ('mycelium_internal', 'settings', 'announce_change', 'announce_change',
     'CREATE TRIGGER announce_change AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON mycelium_internal.settings FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change()',
     'A'),
    ('mycelium_internal', 'schema_manifest', 'check_manifest', 'check_manifest',
     'CREATE TRIGGER check_manifest BEFORE INSERT ON mycelium_internal.schema_manifest FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_manifest()',
     'A');
-- announce_access_change: one per table that decides whether authenticate
-- accepts a token, each announcing as session_floors.
INSERT INTO want_triggers (sch, tbl, trg, func, def, enabled)
SELECT t.sch, t.tbl, 'announce_access_change', 'announce_change',
       format('CREATE TRIGGER announce_access_change AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON %I.%I '
              'FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change(''session_floors'')',
              t.sch, t.tbl),
       'A'
  FROM unnest(ARRAY['mycelium', 'mycelium', 'mycelium', 'mycelium',
                     'mycelium_internal', 'mycelium_internal', 'mycelium_internal']::name[],
              ARRAY['users', 'client_users', 'clients', 'organization_settings',
                    'credentials', 'session_floors', 'revoked_tokens']::name[])
       WITH ORDINALITY AS t(sch, tbl, i)
 ORDER BY t.i;
-- A restore loads every table as a replica would (src/sql/code/15_restore.sql):
-- each table of both schemas has the same load_as_replica statement trigger,
-- which costs other statements no more than the WHEN test. One per table of
-- want_columns, so that a new table without it fails triggers_are below.
INSERT INTO want_triggers (sch, tbl, trg, func, def)
SELECT t.sch, t.tbl, 'load_as_replica', 'load_as_replica',
       format('CREATE TRIGGER load_as_replica BEFORE INSERT ON %I.%I FOR EACH STATEMENT '
              'WHEN (mycelium.restoring()) EXECUTE FUNCTION mycelium_internal.load_as_replica()', t.sch, t.tbl)
  FROM (SELECT sch, tbl, min(ord) AS o FROM want_columns GROUP BY sch, tbl) t
 ORDER BY t.o;

-- Every row-level security policy: its table and the one command it applies to
-- (pg_policies.cmd). The tables and commands that have none are listed with the
-- rules below. What each policy admits is test/pgtap/02_isolation.sql's business.
-- The tables of mycelium_internal have none (rule r1).
CREATE TEMP TABLE want_policies (
    ord  integer GENERATED ALWAYS AS IDENTITY,
    sch  name NOT NULL DEFAULT 'mycelium',
    tbl  name NOT NULL,
    pol  name NOT NULL,
    cmd  text NOT NULL
);
INSERT INTO want_policies (tbl, pol, cmd) VALUES
    ('organizations',           'organizations_select',            'SELECT'),
    ('organizations',           'organizations_update',            'UPDATE'),
    ('organization_branding',   'organization_branding_select',    'SELECT'),
    ('organization_branding',   'organization_branding_insert',    'INSERT'),
    ('organization_branding',   'organization_branding_update',    'UPDATE'),
    ('organization_branding',   'organization_branding_delete',    'DELETE'),
    ('organization_settings',   'organization_settings_select',    'SELECT'),
    ('organization_settings',   'organization_settings_insert',    'INSERT'),
    ('organization_settings',   'organization_settings_update',    'UPDATE'),
    ('organization_settings',   'organization_settings_delete',    'DELETE'),
    ('users',                   'users_select',                    'SELECT'),
    ('users',                   'users_insert',                    'INSERT'),
    ('users',                   'users_update',                    'UPDATE'),
    ('users',                   'users_delete',                    'DELETE'),
    ('service_types',           'service_types_select',            'SELECT'),
    ('service_types',           'service_types_insert',            'INSERT'),
    ('service_types',           'service_types_update',            'UPDATE'),
    ('service_types',           'service_types_delete',            'DELETE'),
    ('deliverable_fields',      'deliverable_fields_select',       'SELECT'),
    ('deliverable_fields',      'deliverable_fields_insert',       'INSERT'),
    ('deliverable_fields',      'deliverable_fields_update',       'UPDATE'),
    ('deliverable_fields',      'deliverable_fields_delete',       'DELETE'),
    ('clients',                 'clients_select',                  'SELECT'),
    ('clients',                 'clients_insert',                  'INSERT'),
    ('clients',                 'clients_update',                  'UPDATE'),
    ('clients',                 'clients_delete',                  'DELETE'),
    ('client_assignments',      'client_assignments_select',       'SELECT'),
    ('client_assignments',      'client_assignments_insert',       'INSERT'),
    ('client_assignments',      'client_assignments_update',       'UPDATE'),
    ('client_assignments',      'client_assignments_delete',       'DELETE'),
    ('client_users',            'client_users_select',             'SELECT'),
    ('client_users',            'client_users_insert',             'INSERT'),
    ('client_users',            'client_users_update',             'UPDATE'),
    ('client_users',            'client_users_delete',             'DELETE'),
    ('projects',                'projects_select',                 'SELECT'),
    ('projects',                'projects_insert',                 'INSERT'),
    ('projects',                'projects_update',                 'UPDATE'),
    ('projects',                'projects_delete',                 'DELETE'),
    ('deliverables',            'deliverables_select',             'SELECT'),
    ('deliverables',            'deliverables_insert',             'INSERT'),
    ('deliverables',            'deliverables_update',             'UPDATE'),
    ('deliverables',            'deliverables_delete',             'DELETE'),
    ('comments',                'comments_select',                 'SELECT'),
    ('comments',                'comments_insert',                 'INSERT'),
    ('comments',                'comments_update',                 'UPDATE'),
    ('comments',                'comments_delete',                 'DELETE'),
    ('attachment_versions',     'attachment_versions_select',      'SELECT'),
    ('time_entries',            'time_entries_select',             'SELECT'),
    ('time_entries',            'time_entries_insert',             'INSERT'),
    ('time_entries',            'time_entries_update',             'UPDATE'),
    ('time_entries',            'time_entries_delete',             'DELETE'),
    ('notifications',           'notifications_select',            'SELECT'),
    ('notifications',           'notifications_insert',            'INSERT'),
    ('notifications',           'notifications_update',            'UPDATE'),
    ('notifications',           'notifications_delete',            'DELETE'),
    ('notification_recipients', 'notification_recipients_select',  'SELECT'),
    ('notification_recipients', 'notification_recipients_insert',  'INSERT'),
    ('notification_recipients', 'notification_recipients_update',  'UPDATE'),
    ('notification_recipients', 'notification_recipients_delete',  'DELETE'),
    ('integrations',            'integrations_select',             'SELECT'),
    ('integrations',            'integrations_insert',             'INSERT'),
    ('integrations',            'integrations_update',             'UPDATE'),
    ('integrations',            'integrations_delete',             'DELETE'),
    ('webhook_deliveries',      'webhook_deliveries_select',       'SELECT'),
    ('activity_logs',           'activity_logs_select',            'SELECT'),
    ('subscriptions',           'subscriptions_select',            'SELECT'),
    ('subscriptions',           'subscriptions_insert',            'INSERT'),
    ('subscriptions',           'subscriptions_update',            'UPDATE'),
    ('subscriptions',           'subscriptions_delete',            'DELETE');

-- ====================================================================
-- Schema, tables, types
-- ====================================================================

SELECT has_schema('mycelium');
SELECT has_schema('mycelium_internal');

-- The extension owns its second schema (DROP EXTENSION removes it, and pg_dump
-- leaves it to CREATE EXTENSION), and its event trigger.
SELECT is(
    ARRAY(SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) COLLATE "C"
            FROM pg_catalog.pg_depend d
           WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
             AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'mycelium')
             AND d.classid IN ('pg_catalog.pg_namespace'::regclass, 'pg_catalog.pg_event_trigger'::regclass)
           ORDER BY 1),
    ARRAY['event trigger mycelium_guard_schema', 'schema mycelium_internal'],
    'The extension mycelium owns schema mycelium_internal and event trigger mycelium_guard_schema, and no other '
    'schema or event trigger');

SELECT tables_are('mycelium', ARRAY[
    'organizations', 'organization_branding', 'organization_settings', 'users',
    'service_types', 'deliverable_fields', 'clients', 'client_assignments', 'client_users',
    'projects', 'deliverables', 'comments', 'time_entries', 'notifications',
    'notification_recipients', 'integrations', 'activity_logs', 'subscriptions', 'job_runs',
    'attachment_versions', 'webhook_deliveries'
]::name[], 'Schema mycelium has exactly the 21 tables (18 of the design document, job_runs, attachment_versions '
           'and webhook_deliveries)');
SELECT tables_are('mycelium_internal', ARRAY['account_secrets', 'auth_keys', 'credentials', 'external_identities',
                                             'identity_providers', 'integration_keys', 'integration_secret_uses',
                                             'jobs', 'rate_limits', 'revoked_tokens',
                                             'schema_manifest', 'session_floors', 'settings']::name[],
                  'Schema mycelium_internal has exactly the 13 tables account_secrets, auth_keys, credentials, '
                  'external_identities, identity_providers, integration_keys, integration_secret_uses, jobs, '
                  'rate_limits, revoked_tokens, schema_manifest, session_floors and settings');

SELECT is(
    ARRAY(SELECT DISTINCT c.relkind::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace ORDER BY 1),
    ARRAY['c', 'i', 'r', 'v'],
    'Schema mycelium holds only tables, indexes, views and composite types (no sequences, materialized views, partitions)');
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'c' ORDER BY 1),
    ARRAY['delivery', 'due_soon_sweep_row', 'overdue_sweep_row', 'webhook_delivery'],
    'The composite types of schema mycelium are exactly the sweeps'' and the delivery worker''s row types');
SELECT is(
    ARRAY(SELECT DISTINCT c.relkind::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium_internal'::regnamespace ORDER BY 1),
    ARRAY['i', 'r'],
    'Schema mycelium_internal holds only tables and their indexes (no views, sequences or composite types)');
SELECT types_are('mycelium_internal', ARRAY[]::name[],
                 'Schema mycelium_internal defines no type (enum, domain, composite or base) beyond its tables'' row types');

SELECT enums_are('mycelium', ARRAY[
    'user_role', 'user_status', 'workflow_type', 'field_type', 'client_status',
    'assignment_role', 'client_user_role', 'project_status', 'deliverable_status', 'priority',
    'comment_type', 'notification_type', 'notification_status', 'integration_type',
    'subscription_status'
]::name[], 'Schema mycelium has exactly the 15 enum types');

SELECT domains_are('mycelium', ARRAY[]::name[], 'Schema mycelium has no domains');

SELECT enum_has_labels('mycelium', 'user_role', ARRAY[
    'ADMIN', 'VIDEO_EDITOR', 'SEO_STRATEGIST', 'WEBSITE_DESIGNER', 'FILMER', 'CUSTOM', 'CLIENT'
]::name[]);
SELECT enum_has_labels('mycelium', 'user_status', ARRAY[
    'ACTIVE', 'INACTIVE', 'PENDING', 'SUSPENDED'
]::name[]);
SELECT enum_has_labels('mycelium', 'workflow_type', ARRAY[
    'RECURRING', 'PROJECT', 'MILESTONE', 'ONEOFF'
]::name[]);
SELECT enum_has_labels('mycelium', 'field_type', ARRAY[
    'TEXT', 'TEXTAREA', 'NUMBER', 'DECIMAL', 'DATE', 'DATETIME', 'TIME', 'EMAIL', 'URL',
    'PHONE', 'SELECT', 'MULTISELECT', 'RADIO', 'CHECKBOX', 'FILE', 'USER_SELECT',
    'CLIENT_SELECT'
]::name[]);
SELECT enum_has_labels('mycelium', 'client_status', ARRAY[
    'ACTIVE', 'INACTIVE', 'PAUSED', 'ARCHIVED', 'TERMINATED'
]::name[]);
SELECT enum_has_labels('mycelium', 'assignment_role', ARRAY[
    'PRIMARY', 'SECONDARY', 'VIEWER'
]::name[]);
SELECT enum_has_labels('mycelium', 'client_user_role', ARRAY['PRIMARY', 'VIEWER', 'ADMIN']::name[]);
SELECT enum_has_labels('mycelium', 'project_status', ARRAY[
    'PLANNING', 'ACTIVE', 'ON_HOLD', 'COMPLETED', 'CANCELLED'
]::name[]);
SELECT enum_has_labels('mycelium', 'deliverable_status', ARRAY[
    'PENDING', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'APPROVED', 'COMPLETED',
    'OVERDUE', 'CANCELLED', 'ARCHIVED'
]::name[]);
SELECT enum_has_labels('mycelium', 'priority', ARRAY['LOW', 'MEDIUM', 'HIGH', 'URGENT']::name[]);
SELECT enum_has_labels('mycelium', 'comment_type', ARRAY[
    'GENERAL', 'FEEDBACK', 'APPROVAL_REQUEST', 'REVISION_REQUEST', 'STATUS_UPDATE'
]::name[]);
SELECT enum_has_labels('mycelium', 'notification_type', ARRAY[
    'DELIVERABLE_ASSIGNED', 'DELIVERABLE_DUE_SOON', 'DELIVERABLE_OVERDUE',
    'DELIVERABLE_COMPLETED', 'DELIVERABLE_APPROVED', 'DELIVERABLE_NEEDS_REVIEW',
    'CLIENT_ADDED', 'CLIENT_UPDATED', 'USER_INVITED', 'USER_ACTIVATED', 'PROJECT_CREATED',
    'PROJECT_COMPLETED', 'COMMENT_ADDED', 'MENTION_RECEIVED', 'INTEGRATION_ERROR',
    'SYSTEM_MAINTENANCE'
]::name[]);
SELECT enum_has_labels('mycelium', 'notification_status', ARRAY[
    'PENDING', 'SENT', 'FAILED', 'CANCELLED'
]::name[]);
SELECT enum_has_labels('mycelium', 'integration_type', ARRAY[
    'DROPBOX', 'GOOGLE_DRIVE', 'SLACK', 'MICROSOFT_TEAMS', 'ZAPIER', 'WEBHOOKS', 'EMAIL_SMTP',
    'CALENDAR', 'STRIPE'
]::name[]);
SELECT enum_has_labels('mycelium', 'subscription_status', ARRAY[
    'ACTIVE', 'PAST_DUE', 'CANCELLED', 'UNPAID', 'TRIALING'
]::name[]);

SELECT ok(EXISTS (SELECT FROM pg_catalog.pg_enum e
                    JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid
                   WHERE t.typnamespace = 'mycelium'::regnamespace
                     AND t.typname = 'deliverable_status' AND e.enumlabel = 'ARCHIVED'),
          'deliverable_status has ARCHIVED (which archive_old_deliverables sets; the document''s enum lacked it)');

-- ====================================================================
-- Columns: the exact list, order, type, nullability and default of each
-- ====================================================================

SELECT columns_are(sch, tbl, array_agg(col ORDER BY ord),
                   format('Table %I.%I has exactly the declared columns', sch, tbl))
  FROM want_columns GROUP BY sch, tbl ORDER BY min(ord);

SELECT results_eq(
    $$SELECT n.nspname, c.relname, a.attname
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname IN ('mycelium', 'mycelium_internal') AND c.relkind IN ('r', 'p')
       ORDER BY n.nspname, c.relname, a.attnum$$,
    $$SELECT sch, tbl, col FROM want_columns ORDER BY sch, tbl, ord$$,
    'Every column of every table of both schemas is where the install script declares it (column order)');

SELECT col_type_is(sch, tbl, col, typ,
                   format('Column %I.%I.%I is %s', sch, tbl, col, typ))
  FROM want_columns ORDER BY ord;

SELECT CASE WHEN not_null
            THEN col_not_null(sch, tbl, col, format('Column %I.%I.%I is NOT NULL', sch, tbl, col))
            ELSE col_is_null(sch, tbl, col, format('Column %I.%I.%I allows NULL', sch, tbl, col))
       END
  FROM want_columns ORDER BY ord;

SELECT CASE WHEN dflt IS NULL
            THEN col_hasnt_default(sch, tbl, col,
                                   format('Column %I.%I.%I has no default', sch, tbl, col))
            ELSE col_default_is(sch, tbl, col, dflt,
                                format('Column %I.%I.%I defaults to %s', sch, tbl, col, dflt))
       END
  FROM want_columns ORDER BY ord;

SELECT is(
    ARRAY(SELECT format('%s.%s %s', c.relname, a.attname, co.collname)
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('r', 'p')
             AND a.attcollation <> 0 AND co.collname <> 'default'
           ORDER BY 1),
    ARRAY['clients.slug C', 'deliverable_fields.slug C', 'organizations.slug C', 'service_types.slug C'],
    'Slugs, and only slugs, are COLLATE "C"');

-- ====================================================================
-- Keys and constraints
-- ====================================================================

SELECT col_is_pk('mycelium', 'organizations', ARRAY['id']::name[],
                 'Primary key of mycelium.organizations is (id)');
SELECT col_is_pk('mycelium', 'organization_branding', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.organization_branding is (organization_id, id)');
SELECT col_is_pk('mycelium', 'organization_settings', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.organization_settings is (organization_id, id)');
SELECT col_is_pk('mycelium', 'users', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.users is (organization_id, id)');
SELECT col_is_pk('mycelium', 'service_types', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.service_types is (organization_id, id)');
SELECT col_is_pk('mycelium', 'deliverable_fields', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.deliverable_fields is (organization_id, id)');
SELECT col_is_pk('mycelium', 'clients', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.clients is (organization_id, id)');
SELECT col_is_pk('mycelium', 'client_assignments', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.client_assignments is (organization_id, id)');
SELECT col_is_pk('mycelium', 'client_users', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.client_users is (organization_id, id)');
SELECT col_is_pk('mycelium', 'projects', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.projects is (organization_id, id)');
SELECT col_is_pk('mycelium', 'deliverables', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.deliverables is (organization_id, id)');
SELECT col_is_pk('mycelium', 'comments', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.comments is (organization_id, id)');
SELECT col_is_pk('mycelium', 'time_entries', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.time_entries is (organization_id, id)');
SELECT col_is_pk('mycelium', 'notifications', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.notifications is (organization_id, id)');
SELECT col_is_pk('mycelium', 'notification_recipients', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.notification_recipients is (organization_id, id)');
SELECT col_is_pk('mycelium', 'integrations', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.integrations is (organization_id, id)');
SELECT col_is_pk('mycelium', 'webhook_deliveries', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.webhook_deliveries is (organization_id, id)');
SELECT col_is_pk('mycelium', 'activity_logs', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.activity_logs is (organization_id, id)');
SELECT col_is_pk('mycelium', 'subscriptions', ARRAY['organization_id', 'id']::name[],
                 'Primary key of mycelium.subscriptions is (organization_id, id)');
SELECT col_is_pk('mycelium', 'job_runs', ARRAY['id']::name[],
                 'Primary key of mycelium.job_runs is (id)');
SELECT col_is_pk('mycelium_internal', 'auth_keys', ARRAY['purpose']::name[],
                 'Primary key of mycelium_internal.auth_keys is (purpose)');
SELECT col_is_pk('mycelium_internal', 'schema_manifest', ARRAY['singleton']::name[],
                 'Primary key of mycelium_internal.schema_manifest is (singleton): one row at most');
SELECT col_is_pk('mycelium_internal', 'settings', ARRAY['name']::name[],
                 'Primary key of mycelium_internal.settings is (name)');
SELECT col_is_pk('mycelium_internal', 'jobs', ARRAY['name']::name[],
                 'Primary key of mycelium_internal.jobs is (name)');
SELECT col_is_pk('mycelium_internal', 'credentials', ARRAY['id']::name[],
                 'Primary key of mycelium_internal.credentials is (id)');
SELECT col_is_pk('mycelium_internal', 'session_floors', ARRAY['organization_id', 'account_id']::name[],
                 'Primary key of mycelium_internal.session_floors is (organization_id, account_id)');
SELECT col_is_pk('mycelium_internal', 'revoked_tokens', ARRAY['organization_id', 'token_id']::name[],
                 'Primary key of mycelium_internal.revoked_tokens is (organization_id, token_id)');
SELECT col_is_pk('mycelium_internal', 'identity_providers', ARRAY['id']::name[],
                 'Primary key of mycelium_internal.identity_providers is (id)');
SELECT col_is_pk('mycelium_internal', 'external_identities', ARRAY['provider_id', 'subject']::name[],
                 'Primary key of mycelium_internal.external_identities is (provider_id, subject): one account per '
                 'subject of an identity service');
SELECT col_is_pk('mycelium_internal', 'account_secrets', ARRAY['secret_hash']::name[],
                 'Primary key of mycelium_internal.account_secrets is (secret_hash): a secret is looked up by its hash');
SELECT col_is_pk('mycelium_internal', 'rate_limits', ARRAY['bucket']::name[],
                 'Primary key of mycelium_internal.rate_limits is (bucket): one window per bucket');

SELECT fk_ok('mycelium', tbl, cols, 'mycelium', reftbl, refcols,
             format('Foreign key %I: mycelium.%I(%s) references mycelium.%I(%s)',
                    conname, tbl, array_to_string(cols, ', '), reftbl, array_to_string(refcols, ', ')))
  FROM want_fks ORDER BY ord;

SELECT is((SELECT pg_catalog.pg_get_constraintdef(k.oid)
             FROM pg_catalog.pg_constraint k
            WHERE k.conrelid = to_regclass(format('mycelium.%I', w.tbl)) AND k.conname = w.conname
              AND k.contype = 'f'),
          w.def,
          format('Foreign key %I is: %s', w.conname, w.def))
  FROM want_fks w ORDER BY w.ord;

SELECT set_eq(
    $$SELECT k.conrelid::regclass::text, k.conname::text FROM pg_catalog.pg_constraint k
       WHERE k.contype = 'f'
         AND (k.connamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
              OR k.confrelid IN (SELECT c.oid FROM pg_catalog.pg_class c
                                  WHERE c.relnamespace = 'mycelium_internal'::regnamespace))$$,
    $$SELECT format('mycelium.%I', tbl), conname::text FROM want_fks
      UNION ALL VALUES ('mycelium_internal.credentials', 'credentials_user_fkey'),
                       ('mycelium_internal.credentials', 'credentials_client_user_fkey'),
                       ('mycelium_internal.session_floors', 'session_floors_organization_fkey'),
                       ('mycelium_internal.revoked_tokens', 'revoked_tokens_organization_fkey'),
                       ('mycelium_internal.identity_providers', 'identity_providers_organization_fkey'),
                       ('mycelium_internal.external_identities', 'external_identities_provider_fkey'),
                       ('mycelium_internal.account_secrets', 'account_secrets_organization_fkey'),
                       ('mycelium_internal.integration_secret_uses', 'integration_secret_uses_organization_fkey')$$,
    'Schemas mycelium and mycelium_internal have exactly the declared foreign keys (of mycelium_internal: the '
    'credentials to their accounts; the session floors, revoked tokens, identity services and account secrets to '
    'their organization; the external identities to their identity service), and no other references a table of '
    'mycelium_internal');
-- What is in mycelium_internal is the extension's alone, and no key of anything
-- else may name it (a key lets its table's writers probe the rows it names): the
-- one reference to a table of mycelium_internal is made from inside it, a linked
-- subject to its identity service. Nothing in schema mycelium references it.
SELECT is(
    ARRAY(SELECT format('%s.%s -> %s', k.conrelid::regclass, k.conname, k.confrelid::regclass) COLLATE "C"
            FROM pg_catalog.pg_constraint k
           WHERE k.contype = 'f'
             AND k.confrelid IN (SELECT c.oid FROM pg_catalog.pg_class c
                                  WHERE c.relnamespace = 'mycelium_internal'::regnamespace)
           ORDER BY 1),
    ARRAY['mycelium_internal.external_identities.external_identities_provider_fkey -> '
          'mycelium_internal.identity_providers'],
    'The only foreign key to a table of mycelium_internal is external_identities_provider_fkey, from within '
    'mycelium_internal: nothing in schema mycelium, or elsewhere, references mycelium_internal');
-- A password goes with its account, and never names an account of another
-- organization.
SELECT is(ARRAY(SELECT pg_catalog.pg_get_constraintdef(k.oid) COLLATE "C" FROM pg_catalog.pg_constraint k
                 WHERE k.conrelid = 'mycelium_internal.credentials'::regclass AND k.contype = 'f' ORDER BY 1),
          ARRAY['FOREIGN KEY (organization_id, client_user_id) REFERENCES mycelium.client_users(organization_id, id) ON DELETE CASCADE',
                'FOREIGN KEY (organization_id, user_id) REFERENCES mycelium.users(organization_id, id) ON DELETE CASCADE'],
          'The credentials reference their account by (organization_id, id) and go with it');
-- The rest of what mycelium_internal keeps about an organization goes with it,
-- and a linked subject with its identity service.
SELECT is(ARRAY(SELECT format('%s: %s', k.conrelid::regclass, pg_catalog.pg_get_constraintdef(k.oid)) COLLATE "C"
                  FROM pg_catalog.pg_constraint k
                 WHERE k.connamespace = 'mycelium_internal'::regnamespace AND k.contype = 'f'
                   AND k.conrelid <> 'mycelium_internal.credentials'::regclass
                 ORDER BY 1),
          ARRAY['mycelium_internal.account_secrets: FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE',
                'mycelium_internal.external_identities: FOREIGN KEY (provider_id) REFERENCES mycelium_internal.identity_providers(id) ON DELETE CASCADE',
                'mycelium_internal.identity_providers: FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE',
                'mycelium_internal.integration_secret_uses: FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE',
                'mycelium_internal.revoked_tokens: FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE',
                'mycelium_internal.session_floors: FOREIGN KEY (organization_id) REFERENCES mycelium.organizations(id) ON DELETE CASCADE'],
          'The session floors, revoked tokens, identity services, account secrets and records of secret uses go with '
          'their organization, '
          'and the external identities with their identity service (ON DELETE CASCADE)');

SELECT col_is_unique('mycelium', tbl, cols,
                     format('Unique constraint %I is on mycelium.%I(%s)', conname, tbl, array_to_string(cols, ', ')))
  FROM want_uniques ORDER BY ord;

SELECT set_eq(
    $$SELECT k.conrelid::regclass::text, k.conname::text FROM pg_catalog.pg_constraint k
       WHERE k.connamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND k.contype = 'u'$$,
    $$SELECT format('mycelium.%I', tbl), conname::text FROM want_uniques
      UNION ALL VALUES ('mycelium_internal.credentials', 'credentials_user_key'),
                       ('mycelium_internal.credentials', 'credentials_client_user_key'),
                       ('mycelium_internal.identity_providers', 'identity_providers_issuer_key'),
                       ('mycelium_internal.account_secrets', 'account_secrets_one_per_purpose')$$,
    'Schemas mycelium and mycelium_internal have exactly the declared UNIQUE constraints (one password per account, '
    'one identity service per organization and issuer, one secret per account and purpose)');

SELECT set_eq(
    $$SELECT k.conrelid::regclass::text, k.conname::text FROM pg_catalog.pg_constraint k
       WHERE k.connamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND k.contype = 'c'$$,
    $$SELECT format('%I.%I', sch, tbl), conname::text FROM want_checks$$,
    'Schemas mycelium and mycelium_internal have exactly the declared CHECK constraints');

-- The <table>_<column>_finite checks (src/sql/code/07_finite_times.sql) are each
-- exactly CHECK (isfinite(column)) on their one column.
SELECT is(
    ARRAY(SELECT format('%s.%s: %s', c.oid::regclass, a.attname, coalesce(pg_catalog.pg_get_constraintdef(k.oid), 'missing'))
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_catalog.pg_constraint k
              ON k.conrelid = c.oid AND k.contype = 'c' AND k.conname = c.relname || '_' || a.attname || '_finite'
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
             AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
             AND (k.oid IS NULL OR k.conkey <> ARRAY[a.attnum]
                  OR pg_catalog.pg_get_constraintdef(k.oid) <> format('CHECK (isfinite(%I))', a.attname))
           ORDER BY 1),
    ARRAY[]::text[],
    'Every <table>_<column>_finite check is CHECK (isfinite(column)) on that column alone');

SELECT is(
    ARRAY(SELECT format('%s.%s %s', k.conrelid::regclass, k.conname, k.contype)
            FROM pg_catalog.pg_constraint k
           WHERE k.connamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND k.contype NOT IN ('p', 'f', 'u', 'c')
           ORDER BY 1),
    ARRAY[]::text[],
    'Schemas mycelium and mycelium_internal have no exclusion or constraint triggers');

-- ====================================================================
-- Indexes
-- ====================================================================

SELECT indexes_are(t.sch, t.tbl,
                   coalesce(array_agg(i.idx ORDER BY i.ord) FILTER (WHERE i.idx IS NOT NULL), '{}'),
                   format('Table %I.%I has exactly the declared indexes', t.sch, t.tbl))
  FROM (SELECT sch, tbl, min(ord) AS o FROM want_columns GROUP BY sch, tbl) t
  LEFT JOIN want_indexes i ON i.sch = t.sch AND i.tbl = t.tbl
 GROUP BY t.sch, t.tbl, t.o ORDER BY t.o;

SELECT is((SELECT pg_catalog.pg_get_indexdef(x.indexrelid)
             FROM pg_catalog.pg_index x
            WHERE x.indexrelid = to_regclass(format('%I.%I', w.sch, w.idx))),
          w.def,
          format('Index %I is: %s', w.idx, w.def))
  FROM want_indexes w ORDER BY w.ord;

SELECT index_is_unique(sch, tbl, idx, format('Index %I is unique', idx))
  FROM want_indexes WHERE def LIKE 'CREATE UNIQUE INDEX %' ORDER BY ord;

-- ====================================================================
-- Triggers
-- ====================================================================

SELECT triggers_are(t.sch, t.tbl,
                    coalesce(array_agg(g.trg ORDER BY g.ord) FILTER (WHERE g.trg IS NOT NULL), '{}'),
                    format('Table %I.%I has exactly the declared triggers', t.sch, t.tbl))
  FROM (SELECT sch, tbl, min(ord) AS o FROM want_columns GROUP BY sch, tbl) t
  LEFT JOIN want_triggers g ON g.sch = t.sch AND g.tbl = t.tbl
 GROUP BY t.sch, t.tbl, t.o ORDER BY t.o;

SELECT trigger_is(sch, tbl, trg, 'mycelium_internal', func,
                  format('Trigger %I on %I.%I calls mycelium_internal.%I()', trg, sch, tbl, func))
  FROM want_triggers ORDER BY ord;

SELECT is((SELECT pg_catalog.pg_get_triggerdef(g.oid)
             FROM pg_catalog.pg_trigger g
            WHERE g.tgrelid = to_regclass(format('%I.%I', w.sch, w.tbl)) AND g.tgname = w.trg),
          w.def,
          format('Trigger %I on %I.%I is: %s', w.trg, w.sch, w.tbl, w.def))
  FROM want_triggers w ORDER BY w.ord;

-- Disabling a trigger, or making it fire in replica mode, changes what a write or
-- a restore does: every trigger fires as declared, and the ALWAYS ones are named.
SELECT set_eq(
    $$SELECT g.tgrelid::regclass::text, g.tgname::text, g.tgenabled::text
        FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
       WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
         AND NOT g.tgisinternal$$,
    $$SELECT format('%I.%I', sch, tbl), trg::text, enabled::text FROM want_triggers$$,
    'Every trigger of both schemas fires as declared: O (not in replica mode), or A (always) for announce_change '
    'on auth_keys, settings, service_types and deliverable_fields, announce_access_change and check_manifest');

-- The event trigger that refuses changes to Mycelium's schemas made outside the
-- extension's scripts (src/sql/code/85_schema_guard.sql): it looks at every DDL
-- command, whatever its tag, and is enabled as event triggers are by default (O).
SELECT is(
    ARRAY(SELECT format('%s ON %s EXECUTE FUNCTION %s, tags %s, enabled %s', e.evtname, e.evtevent,
                        e.evtfoid::regprocedure, coalesce(e.evttags::text, 'any'), e.evtenabled) COLLATE "C"
            FROM pg_catalog.pg_event_trigger e
           WHERE e.evtfoid IN (SELECT p.oid FROM pg_catalog.pg_proc p
                                WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace))
              OR e.evtname LIKE 'mycelium%'
           ORDER BY 1),
    ARRAY['mycelium_guard_schema ON ddl_command_end EXECUTE FUNCTION mycelium_internal.guard_schema(), tags any, '
          'enabled O'],
    'The one event trigger is mycelium_guard_schema: ddl_command_end, any command tag, calling '
    'mycelium_internal.guard_schema(), enabled');

-- ====================================================================
-- Row-level security policies
-- ====================================================================

-- Each declared policy, and its three specializations for the kinds of
-- context (95_role_policies.sql, rule r11 below).
SELECT policies_are(t.sch, t.tbl,
                    coalesce(array_agg(w.pol ORDER BY w.ord) FILTER (WHERE w.pol IS NOT NULL), '{}'),
                    format('Table %I.%I has exactly the declared policies', t.sch, t.tbl))
  FROM (SELECT sch, tbl, min(ord) AS o FROM want_columns GROUP BY sch, tbl) t
  LEFT JOIN (SELECT w0.sch, w0.tbl, w0.ord, w0.pol || k.suffix AS pol
               FROM want_policies w0, (VALUES (''), ('_admin'), ('_staff'), ('_portal')) AS k(suffix)) w
         ON w.sch = t.sch AND w.tbl = t.tbl
 GROUP BY t.sch, t.tbl, t.o ORDER BY t.o;

SELECT policy_cmd_is(sch, tbl, pol, cmd,
                     format('Policy %I on %I.%I applies to %s only', pol, sch, tbl, cmd))
  FROM want_policies ORDER BY ord;

SELECT set_eq(
    $$SELECT c.oid::regclass::text, p.polname::text FROM pg_catalog.pg_policy p
        JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
       WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)$$,
    $$SELECT format('%I.%I', sch, tbl), pol || k.suffix FROM want_policies,
             (VALUES (''), ('_admin'), ('_staff'), ('_portal')) AS k(suffix)$$,
    'Schemas mycelium and mycelium_internal have exactly the declared policies, each with its three specializations');

-- ====================================================================
-- Views
-- ====================================================================

SELECT views_are('mycelium', ARRAY[
    'user_dashboard_data', 'client_overview', 'organization_analytics', 'recent_activity', 'portal_attachments'
]::name[], 'Schema mycelium has exactly the 5 views');
SELECT columns_are('mycelium', 'portal_attachments', ARRAY[
    'organization_id', 'deliverable_id', 'comment_id', 'attachments'
]::name[], 'View mycelium.portal_attachments has exactly the declared columns');

SELECT columns_are('mycelium', 'user_dashboard_data', ARRAY[
    'user_id', 'organization_id', 'user_name', 'role', 'pending_tasks', 'active_tasks',
    'overdue_tasks', 'due_today', 'due_this_week'
]::name[], 'View mycelium.user_dashboard_data has exactly the declared columns');
SELECT columns_are('mycelium', 'client_overview', ARRAY[
    'id', 'organization_id', 'name', 'status', 'contact_email', 'service_types',
    'total_deliverables', 'completed_deliverables', 'overdue_deliverables', 'next_deadline'
]::name[], 'View mycelium.client_overview has exactly the declared columns');
SELECT columns_are('mycelium', 'organization_analytics', ARRAY[
    'organization_id', 'organization_name', 'active_users', 'active_clients',
    'total_deliverables', 'completed_deliverables', 'overdue_deliverables', 'completion_rate',
    'total_projects', 'service_types_count'
]::name[], 'View mycelium.organization_analytics has exactly the declared columns');
SELECT columns_are('mycelium', 'recent_activity', ARRAY[
    'id', 'organization_id', 'action', 'resource_type', 'resource_id', 'timestamp',
    'user_name', 'user_avatar', 'resource_name'
]::name[], 'View mycelium.recent_activity has exactly the declared columns');

SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (c.reloptions)
                      FROM pg_catalog.pg_class c
                     WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relname = v AND c.relkind = 'v'),
                   false),
          format('View mycelium.%I has security_invoker=true', v))
  FROM unnest(ARRAY['user_dashboard_data', 'client_overview', 'organization_analytics',
                    'recent_activity']) WITH ORDINALITY AS u(v, n)
 ORDER BY n;

-- ====================================================================
-- Functions
-- ====================================================================

SELECT functions_are('mycelium', ARRAY[
    'uuid_v7', 'uuid_v7_time', 'uuid_among', 'slugify', 'is_valid_time_zone', 'require_writable', 'configure',
    'set_password', 'change_password', 'import_password_hash', 'sign_in', 'unlock_account', 'sign_out',
    'current_organization_id', 'current_organization_id_for', 'current_app_user_id', 'current_app_role',
    'current_client_id',
    'current_service_access', 'signed_context_required', 'set_context',
    'authenticate', 'portal_columns', 'set_jwt_secret', 'restoring', 'open_statuses', 'validate_custom_fields',
    'create_organization', 'cleanup_old_activity_logs', 'archive_old_deliverables', 'database_health_check',
    'my_client_ids', 'my_service_type_ids', 'portal_can', 'database_notification_types',
    'my_writable_client_ids', 'set_request_info',
    'grant_access',
    'calling_role', 'expand_recurrence', 'check_recurrence_rule', 'check_attachments', 'date_label',
    'is_known_locale', 'generate_recurring_deliverables',
    'sweep_overdue', 'sweep_due_soon', 'productivity_scores', 'calculate_user_productivity',
    'claim_deliveries', 'finish_delivery', 'finish_deliveries', 'webhook_event_types', 'claim_webhook_deliveries', 'finish_webhook_delivery',
    'run_job', 'schedule_jobs', 'unschedule_jobs', 'resolve_organization', 'verify_custom_domain',
    'set_identity_provider', 'remove_identity_provider', 'link_identity',
    'set_temporary_password', 'force_password_change', 'lock_account',
    'request_password_reset', 'reset_password', 'request_email_verification', 'verify_email',
    'invite_user', 'invite_client_user', 'accept_invitation', 'sign_up', 'development_token', 'require_organization_writable',
    'announce_maintenance', 'is_valid_webhook_url', 'integration_secret_names', 'reveal_integration_secret',
    'rotate_integration_key', 'reencrypt_integration_secrets', 'retire_integration_keys', 'notification_channel'
]::name[], 'Schema mycelium has exactly the declared functions');

-- The extension's own functions: the trigger functions, the helpers of its
-- SECURITY DEFINER functions and of its install and update scripts, and the
-- restore's and the schema guard's. No role but the owner may call them (h).
SELECT functions_are('mycelium_internal', ARRAY[
    'tenant_tables', 'extension_tables', 'specialize_policy', 'fold_policy', 'specialized_policy', 'seal_context', 'set_context', 'authenticate', 'verify_token', 'check_member', 'establish_context',
    'is_supported_hash', 'hash_password', 'verify_password', 'password_needs_rehash', 'password_problem',
    'account', 'store_password', 'password_target', 'record_sign_in', 'end_sessions', 'end_sessions_on_change',
    'announce_change', 'load_as_replica', 'check_custom_fields', 'check_field_definition',
    'touch_updated_at', 'fill_slug', 'log_activity', 'job_lock_timeout',
    'remember_job_schedule', 'cron_scheduler_state', 'missed_job_runs',
    'derive_time_entry', 'sum_time_entries', 'guard_actual_hours', 'keep_attachment_versions',
    'stamp_deliverable', 'stamp_pause', 'stamp_assigner', 'default_due_date', 'check_staff_row',
    'permissions_problem', 'custom_services', 'check_new_work', 'request_info', 'admin_organization',
    'guard_portal_user_insert',
    'require_context', 'limit_changes', 'guard_portal_deliverable_update', 'address_recipient',
    'guard_move', 'check_references', 'equip_role', 'acting_organizations',
    'next_delivery_time', 'deliverable_audience', 'due_key_format', 'send_notifications', 'report_deliveries',
    'ended_delivery', 'end_cancelled_deliveries',
    'notify_deliverable_events', 'notify_comment_events', 'apply_job_schedule',
    'send_notices', 'client_audience', 'notify_client_events', 'notify_project_events', 'notify_integration_errors',
    'in_extension_script', 'schema_digest', 'record_schema', 'check_manifest', 'guard_schema',
    'reset_domain_verification',
    'seal_password_change', 'password_change_account', 'token_revoked', 'session_end', 'accept_token',
    'remember_token', 'current_token',
    'token_header', 'verify_foreign_token', 'check_jwks', 'authenticate_foreign',
    'new_secret', 'check_lifetime', 'issue_secret', 'take_secret', 'take_rate_limit', 'active_account_by_email',
    'secret_for_email', 'mark_verified', 'notify_admins', 'issue_token', 'access_kinds', 'lock_holds',
    'read_only_organizations', 'require_organization_writable', 'writable_organizations', 'check_plan_limits',
    'delivery_backoff', 'check_webhook_subscription', 'webhook_subscriptions', 'webhook_time', 'queue_webhook_events',
    'webhook_organizations', 'webhook_deliverable_events', 'webhook_deliverable', 'webhook_client_events',
    'webhook_client', 'webhook_project_events', 'webhook_project', 'webhook_comment_events', 'park_webhook_deliveries',
    'webhook_signature', 'generate_webhook_secret', 'seal_secret', 'open_secret', 'keep_integration_secrets',
    'open_integration_secret', 'integration_secret', 'channel_connected', 'listen_channel', 'announce_notifications'
]::name[], 'Schema mycelium_internal has exactly the declared functions');

-- Every function of both schemas: its signature, language, volatility (i/s/v),
-- parallel safety (s/r/u) and whether it is SECURITY DEFINER, as src/sql declares
-- them. Their settings (SET search_path) are rules (f) and (g).
SELECT set_eq(
    $$SELECT p.oid::regprocedure::text, l.lanname::text, p.provolatile::text, p.proparallel::text, p.prosecdef
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
       WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)$$,
    $$VALUES
        ('mycelium.uuid_v7()',                                    'c',       'v', 's', false),
        ('mycelium.uuid_v7_time(uuid)',                           'c',       'i', 's', false),
        ('mycelium.uuid_among(uuid,uuid[])',                      'c',       'i', 's', false),
        ('mycelium.slugify(text)',                                'c',       'i', 's', false),
        ('mycelium.is_valid_time_zone(text)',                     'c',       'i', 's', false),
        ('mycelium.require_writable(text)',                       'c',       'v', 'r', false),
        ('mycelium_internal.tenant_tables()',                     'sql',     'i', 's', false),
        ('mycelium_internal.extension_tables()',                  'sql',     's', 'u', false),
        ('mycelium.configure(text,text)',                         'plpgsql', 'v', 'u', false),
        ('mycelium.current_organization_id()',                    'c',       's', 's', false),
        ('mycelium.current_app_user_id()',                        'c',       's', 's', false),
        ('mycelium.current_app_role()',                           'c',       's', 's', false),
        ('mycelium.current_client_id()',                          'c',       's', 's', false),
        ('mycelium.current_service_access()',                     'c',       's', 's', false),
        ('mycelium_internal.seal_context(uuid,uuid,text,uuid,text[],timestamp with time zone)',
                                                                  'c',       'v', 'u', false),
        ('mycelium_internal.verify_token(text)',                  'c',       's', 'u', false),
        ('mycelium_internal.seal_password_change(uuid,uuid,text,uuid,timestamp with time zone)',
                                                                  'c',       'v', 'u', false),
        ('mycelium_internal.password_change_account()',           'c',       's', 'u', false),
        ('mycelium_internal.token_revoked(uuid,uuid,timestamp with time zone,bigint,text)',
                                                                  'plpgsql',     's', 'u', false),
        ('mycelium_internal.session_end(uuid,timestamp with time zone)',
                                                                  'plpgsql',     's', 'u', false),
        ('mycelium_internal.accept_token(uuid,uuid,text,uuid,text[],timestamp with time zone,timestamp with time zone,bigint,text)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium_internal.remember_token(uuid,text,timestamp with time zone)',
                                                                  'c',       'v', 'u', false),
        ('mycelium_internal.current_token()',                     'c',       's', 'u', false),
        ('mycelium_internal.token_header(text)',                  'c',       'i', 'u', false),
        ('mycelium_internal.verify_foreign_token(text,text,text,text[])',
                                                                  'c',       's', 'u', false),
        ('mycelium_internal.check_jwks(text)',                    'c',       'i', 'u', false),
        ('mycelium.set_identity_provider(text,text,text[],text)', 'plpgsql', 'v', 'u', true),
        ('mycelium.remove_identity_provider(text)',               'plpgsql', 'v', 'u', true),
        ('mycelium.link_identity(uuid,text,text)',                'plpgsql', 'v', 'u', true),
        ('mycelium_internal.authenticate_foreign(text)',          'plpgsql', 'v', 'u', false),
        ('mycelium_internal.webhook_signature(text,text,bigint,text)',
                                                                  'c',       'i', 's', false),
        ('mycelium_internal.generate_webhook_secret()',           'c',       'v', 'u', false),
        ('mycelium.is_valid_webhook_url(text)',                   'c',       'i', 's', false),
        ('mycelium.integration_secret_names(mycelium.integration_type)', 'sql', 'i', 's', false),
        ('mycelium_internal.seal_secret(uuid,uuid,text,text)',    'c',       'v', 'u', false),
        ('mycelium_internal.open_secret(uuid,uuid,text,text)',    'c',       's', 'u', false),
        ('mycelium_internal.keep_integration_secrets()',          'plpgsql', 'v', 'u', true),
        ('mycelium_internal.open_integration_secret(uuid,uuid,text,text)', 'plpgsql', 'v', 'u', false),
        ('mycelium_internal.integration_secret(uuid,uuid,text)',  'sql',     'v', 'u', false),
        ('mycelium.reveal_integration_secret(uuid,text)',         'plpgsql', 'v', 'u', true),
        ('mycelium.rotate_integration_key()',                     'plpgsql', 'v', 'u', false),
        ('mycelium.reencrypt_integration_secrets(integer)',       'plpgsql', 'v', 'u', false),
        ('mycelium.retire_integration_keys()',                    'plpgsql', 'v', 'u', false),
        ('mycelium_internal.channel_connected(uuid,text)',        'sql',     's', 'u', false),
        ('mycelium_internal.listen_channel(uuid,boolean,uuid)',   'c',       's', 'u', false),
        ('mycelium.notification_channel()',                       'plpgsql', 's', 'u', true),
        ('mycelium_internal.announce_notifications()',            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.is_supported_hash(text)',             'c',       'i', 's', false),
        ('mycelium_internal.hash_password(text)',                 'c',       'v', 'u', false),
        ('mycelium_internal.verify_password(text,text)',          'c',       'i', 'u', false),
        ('mycelium_internal.password_needs_rehash(text)',         'c',       's', 'u', false),
        ('mycelium_internal.password_problem(text,text,text)',    'c',       's', 'u', false),
        ('mycelium_internal.account(uuid,uuid)',                  'sql',     's', 'u', false),
        ('mycelium_internal.store_password(uuid,uuid,boolean,text,boolean,timestamp with time zone)',
                                                                  'sql',     'v', 'u', false),
        ('mycelium_internal.password_target(text,uuid)',          'plpgsql', 's', 'u', false),
        ('mycelium.set_password(uuid,text,boolean)',              'plpgsql', 'v', 'u', true),
        ('mycelium.change_password(text,text)',                   'plpgsql', 'v', 'u', true),
        ('mycelium.import_password_hash(uuid,text)',              'plpgsql', 'v', 'u', true),
        ('mycelium.sign_in(uuid,text,text,boolean,text,uuid,text,timestamp with time zone,boolean)',
                                                                  'c',       'v', 'u', false),
        ('mycelium_internal.record_sign_in(uuid,boolean,uuid,boolean,text,text,text)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium.unlock_account(uuid)',                         'plpgsql', 'v', 'u', true),
        ('mycelium.sign_out(boolean)',                            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.new_secret()',                        'sql',     'v', 'u', false),
        ('mycelium_internal.check_lifetime(text,interval)',       'plpgsql', 'i', 'u', false),
        ('mycelium_internal.lock_holds(timestamp with time zone,integer,integer)', 'sql', 's', 'u', false),
        ('mycelium_internal.issue_secret(uuid,uuid,boolean,text,interval)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium_internal.take_secret(text,text,text)',         'plpgsql', 'v', 'u', false),
        ('mycelium_internal.take_rate_limit(text,text,integer,interval)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium_internal.active_account_by_email(uuid,text,boolean)',
                                                                  'sql',     's', 'u', false),
        ('mycelium_internal.secret_for_email(text,uuid,text,boolean,text,interval)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium.set_temporary_password(uuid,interval)',        'plpgsql', 'v', 'u', true),
        ('mycelium.force_password_change(uuid)',                  'plpgsql', 'v', 'u', true),
        ('mycelium.lock_account(uuid)',                           'plpgsql', 'v', 'u', true),
        ('mycelium.request_password_reset(uuid,text,boolean,interval)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.reset_password(text,text)',                    'plpgsql', 'v', 'u', true),
        ('mycelium_internal.mark_verified(uuid,uuid,boolean,boolean)',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium.request_email_verification(uuid,text,boolean,interval)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.verify_email(text)',                           'plpgsql', 'v', 'u', true),
        ('mycelium_internal.notify_admins(mycelium.notification_type,uuid,uuid,text,text,uuid,text,jsonb)',
                                                                  'sql',     'v', 'u', false),
        ('mycelium.invite_user(text,text,mycelium.user_role,interval)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.invite_client_user(uuid,text,text,mycelium.client_user_role,interval)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.accept_invitation(text,text)',                 'plpgsql', 'v', 'u', true),
        ('mycelium.sign_up(text,text,text,text,text)',            'plpgsql', 'v', 'u', true),
        ('mycelium.development_token(uuid,text,boolean)',         'plpgsql', 'v', 'u', true),
        ('mycelium_internal.issue_token(uuid,uuid,text,uuid,integer,bigint)',
                                                                  'c',       'v', 'u', false),
        ('mycelium_internal.end_sessions(uuid,uuid)',             'sql',     'v', 'u', false),
        ('mycelium_internal.end_sessions_on_change()',            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.check_member(uuid,uuid,text)',        'plpgsql', 's', 'u', false),
        ('mycelium.signed_context_required()',                    'c',       's', 's', false),
        ('mycelium_internal.establish_context(uuid,uuid,text,uuid,text[],timestamp with time zone,text)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.set_context(uuid,uuid,text,uuid,text[])',      'c',       'v', 'u', false),
        ('mycelium.authenticate(text)',                           'c',       'v', 'u', false),
        ('mycelium_internal.set_context(uuid,uuid,text,uuid,text[])', 'plpgsql', 'v', 'u', true),
        ('mycelium_internal.authenticate(text)',                  'plpgsql', 'v', 'u', true),
        ('mycelium.portal_columns()',                             'sql',     'i', 's', false),
        ('mycelium.current_organization_id_for(text)',            'c',       's', 's', false),
        ('mycelium_internal.specialize_policy(text,text)',        'plpgsql', 'i', 's', false),
        ('mycelium_internal.fold_policy(text,regclass)',          'c',       's', 's', false),
        ('mycelium_internal.specialized_policy(pg_node_tree,regclass,text)',
                                                                  'sql',     's', 's', false),
        ('mycelium.set_jwt_secret(text)',                         'plpgsql', 'v', 'u', false),
        ('mycelium_internal.announce_change()',                   'c',       'v', 'u', false),
        ('mycelium.restoring()',                                  'c',       's', 's', false),
        ('mycelium.open_statuses()',                              'sql',     'i', 's', false),
        ('mycelium_internal.due_key_format()',                    'sql',     'i', 's', false),
        ('mycelium_internal.load_as_replica()',                   'plpgsql', 'v', 'u', false),
        ('mycelium_internal.check_custom_fields()',               'c',       'v', 'u', false),
        ('mycelium_internal.check_field_definition()',            'c',       'v', 'u', false),
        ('mycelium.validate_custom_fields(uuid,jsonb)',           'c',       's', 'u', false),
        ('mycelium_internal.touch_updated_at()',                  'c',       'v', 'u', false),
        ('mycelium_internal.fill_slug()',                         'plpgsql', 'v', 'u', true),
        ('mycelium_internal.log_activity()',                      'plpgsql', 'v', 'u', true),
        ('mycelium.create_organization(text,text,text,text,text,text)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.cleanup_old_activity_logs(interval)',          'plpgsql', 'v', 'u', true),
        ('mycelium.archive_old_deliverables(interval,uuid)',      'plpgsql', 'v', 'u', true),
        ('mycelium_internal.job_lock_timeout()',                  'sql',     's', 'u', false),
        ('mycelium_internal.remember_job_schedule(text[],text[])', 'sql',    'v', 'u', false),
        ('mycelium_internal.cron_scheduler_state()',              'sql',     's', 'u', false),
        ('mycelium_internal.missed_job_runs(interval)',           'plpgsql', 's', 'u', false),
        ('mycelium.database_health_check()',                      'sql',     's', 'u', true),
        ('mycelium.my_client_ids()',                              'plpgsql', 's', 's', true),
        ('mycelium.my_service_type_ids()',                        'plpgsql', 's', 's', true),
        ('mycelium.my_writable_client_ids()',                     'plpgsql', 's', 's', true),
        ('mycelium.set_request_info(inet,text,text)',             'sql',     'v', 'u', false),
        ('mycelium_internal.request_info()',                      'plpgsql', 's', 'u', false),
        ('mycelium_internal.admin_organization(text,text)',       'plpgsql', 's', 'u', false),
        ('mycelium_internal.guard_portal_user_insert()',          'plpgsql', 'v', 'u', false),
        ('mycelium_internal.stamp_deliverable()',                 'plpgsql', 'v', 'u', false),
        ('mycelium_internal.stamp_pause()',                       'plpgsql', 'v', 'u', false),
        ('mycelium_internal.stamp_assigner()',                    'plpgsql', 'v', 'u', false),
        ('mycelium_internal.default_due_date()',                  'plpgsql', 'v', 'u', false),
        ('mycelium_internal.check_staff_row()',                   'plpgsql', 'v', 'u', true),
        ('mycelium_internal.check_new_work()',                    'plpgsql', 'v', 'u', true),
        ('mycelium_internal.keep_attachment_versions()',          'plpgsql', 'v', 'u', true),
        ('mycelium.check_attachments(jsonb,text)',                'plpgsql', 'i', 's', false),
        ('mycelium_internal.permissions_problem(jsonb)',          'sql',     'i', 's', false),
        ('mycelium_internal.custom_services(jsonb)',              'sql',     'i', 's', false),
        ('mycelium.portal_can(text)',                             'plpgsql', 's', 's', true),
        ('mycelium_internal.require_context()',                   'plpgsql', 'v', 'u', false),
        ('mycelium_internal.limit_changes()',                     'plpgsql', 'v', 'u', false),
        ('mycelium_internal.guard_portal_deliverable_update()',   'plpgsql', 'v', 'u', false),
        ('mycelium.database_notification_types()',                'sql',     'i', 's', false),
        ('mycelium_internal.address_recipient()',                 'plpgsql', 'v', 'u', false),
        ('mycelium_internal.guard_move()',                        'plpgsql', 'v', 'u', false),
        ('mycelium_internal.derive_time_entry()',                 'plpgsql', 'v', 'u', false),
        ('mycelium_internal.sum_time_entries()',                  'plpgsql', 'v', 'u', true),
        ('mycelium_internal.guard_actual_hours()',                'plpgsql', 'v', 'u', false),
        ('mycelium_internal.check_references()',                  'plpgsql', 'v', 'u', true),
        ('mycelium.grant_access(regrole,text)',                   'plpgsql', 'v', 'u', false),
        ('mycelium_internal.access_kinds()',                      'sql',     'i', 's', false),
        ('mycelium_internal.read_only_organizations(uuid[])',     'plpgsql', 's', 'u', false),
        ('mycelium_internal.require_organization_writable(text,uuid)',
                                                                  'plpgsql', 's', 'u', false),
        ('mycelium.require_organization_writable(text)',          'plpgsql', 's', 'u', true),
        ('mycelium_internal.writable_organizations(text,uuid[])', 'plpgsql', 's', 'u', false),
        ('mycelium_internal.check_plan_limits()',                 'plpgsql', 'v', 'u', true),
        ('mycelium_internal.equip_role(regrole,text)',            'plpgsql', 'v', 'u', false),
        ('mycelium.calling_role()',                               'c',       's', 's', false),
        ('mycelium_internal.acting_organizations(text,uuid)',     'plpgsql', 's', 'u', true),
        ('mycelium.expand_recurrence(text,timestamp with time zone,timestamp with time zone,timestamp with time zone,text)',
                                                                  'c',       's', 'r', false),
        ('mycelium.check_recurrence_rule(text)',                  'c',       'i', 's', false),
        ('mycelium.date_label(date,text,text)',                   'c',       's', 's', false),
        ('mycelium.is_known_locale(text)',                        'c',       'i', 's', false),
        ('mycelium.generate_recurring_deliverables(uuid,date,boolean)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium_internal.next_delivery_time(timestamp with time zone,text,text,integer)',
                                                                  'sql',     's', 's', false),
        ('mycelium_internal.deliverable_audience(uuid[],uuid[],text[],uuid[],uuid[],uuid[],uuid[])',
                                                                  'sql',     's', 'u', false),
        ('mycelium_internal.send_notifications(mycelium.notification_type,timestamp with time zone,uuid,uuid[],uuid[],uuid[],uuid[],uuid[],text[],timestamp with time zone[])',
                                                                  'sql',     'v', 'u', true),
        ('mycelium_internal.send_notices(mycelium.notification_type,text,uuid,uuid[],uuid[],uuid[],text[],text[],jsonb[])',
                                                                  'sql',     'v', 'u', false),
        ('mycelium_internal.client_audience(uuid[],uuid[])',      'sql',     's', 'u', false),
        ('mycelium_internal.notify_client_events()',              'plpgsql', 'v', 'u', true),
        ('mycelium_internal.notify_project_events()',             'plpgsql', 'v', 'u', true),
        ('mycelium_internal.notify_integration_errors()',         'plpgsql', 'v', 'u', true),
        ('mycelium.announce_maintenance(text,text,timestamp with time zone,timestamp with time zone)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.sweep_overdue(timestamp with time zone,uuid)', 'plpgsql', 'v', 'u', true),
        ('mycelium.sweep_due_soon(interval,timestamp with time zone,uuid)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium_internal.notify_deliverable_events()',         'plpgsql', 'v', 'u', true),
        ('mycelium_internal.notify_comment_events()',             'plpgsql', 'v', 'u', true),
        ('mycelium.claim_deliveries(text,integer,interval)',      'plpgsql', 'v', 'u', true),
        ('mycelium.finish_delivery(uuid,uuid,integer,text,boolean)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.finish_deliveries(uuid[],uuid[],integer[],text[],boolean[])',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium_internal.report_deliveries(text,uuid[],uuid[],integer[],text[],boolean[])',
                                                                  'plpgsql', 'v', 'u', false),
        ('mycelium_internal.delivery_backoff(integer)',           'sql',     'i', 's', false),
        ('mycelium_internal.ended_delivery(mycelium.notification_status)',
                                                                  'sql',     's', 's', false),
        ('mycelium_internal.end_cancelled_deliveries()',          'plpgsql', 'v', 'u', true),
        ('mycelium.webhook_event_types()',                        'sql',     'i', 's', false),
        ('mycelium_internal.check_webhook_subscription()',        'plpgsql', 'v', 'u', false),
        ('mycelium_internal.webhook_subscriptions(uuid[])',       'sql',     's', 'u', false),
        ('mycelium_internal.webhook_time(timestamp with time zone)',
                                                                  'sql',     'i', 's', false),
        ('mycelium_internal.queue_webhook_events(uuid[],text[],jsonb[])',
                                                                  'sql',     'v', 'u', false),
        ('mycelium_internal.webhook_organizations(uuid[])',       'sql',     's', 'u', false),
        ('mycelium_internal.webhook_deliverable_events()',        'plpgsql', 'v', 'u', true),
        ('mycelium_internal.webhook_deliverable(mycelium.deliverables)',
                                                                  'sql',     'i', 'u', false),
        ('mycelium_internal.webhook_client_events()',             'plpgsql', 'v', 'u', true),
        ('mycelium_internal.webhook_client(mycelium.clients)',    'sql',     'i', 'u', false),
        ('mycelium_internal.webhook_project_events()',            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.webhook_project(mycelium.projects)',  'sql',     'i', 'u', false),
        ('mycelium_internal.webhook_comment_events()',            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.park_webhook_deliveries()',           'plpgsql', 'v', 'u', true),
        ('mycelium.claim_webhook_deliveries(integer,interval)',   'plpgsql', 'v', 'u', true),
        ('mycelium.finish_webhook_delivery(uuid,uuid,integer,text,boolean)',
                                                                  'plpgsql', 'v', 'u', true),
        ('mycelium.productivity_scores(uuid,integer,timestamp with time zone,uuid)',
                                                                  'c',       's', 'u', false),
        ('mycelium.calculate_user_productivity(uuid,integer)',    'plpgsql', 's', 'u', false),
        ('mycelium.run_job(text)',                                'plpgsql', 'v', 'u', true),
        ('mycelium.schedule_jobs(text,text,text,text,text)',      'plpgsql', 'v', 'u', true),
        ('mycelium.unschedule_jobs()',                            'plpgsql', 'v', 'u', true),
        ('mycelium_internal.apply_job_schedule(text,text[])',     'plpgsql', 'v', 'u', false),
        ('mycelium_internal.in_extension_script()',               'c',       's', 'u', false),
        ('mycelium_internal.schema_digest()',                     'sql',     's', 'u', false),
        ('mycelium_internal.record_schema()',                     'sql',     'v', 'u', false),
        ('mycelium_internal.check_manifest()',                    'plpgsql', 'v', 'u', false),
        ('mycelium_internal.guard_schema()',                      'plpgsql', 'v', 'u', true),
        ('mycelium_internal.reset_domain_verification()',         'plpgsql', 'v', 'u', false),
        ('mycelium.resolve_organization(text)',                   'sql',     's', 'u', true),
        ('mycelium.verify_custom_domain(text)',                   'plpgsql', 'v', 'u', true)$$,
    'Every function of schemas mycelium and mycelium_internal has exactly the declared signature, language, '
    'volatility, parallel safety and security');

-- Trigger and event trigger functions are the extension's business, never an
-- API: all of them are in mycelium_internal.
SELECT is(
    ARRAY(SELECT format('%s %s', p.oid::regprocedure, p.prorettype::regtype) COLLATE "C"
            FROM pg_catalog.pg_proc p
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND p.prorettype IN ('trigger'::regtype, 'event_trigger'::regtype)
           ORDER BY 1),
    ARRAY['mycelium_internal.address_recipient() trigger',
          'mycelium_internal.announce_change() trigger', 'mycelium_internal.announce_notifications() trigger', 'mycelium_internal.check_custom_fields() trigger',
          'mycelium_internal.check_field_definition() trigger', 'mycelium_internal.check_manifest() trigger',
          'mycelium_internal.check_new_work() trigger', 'mycelium_internal.check_plan_limits() trigger',
          'mycelium_internal.check_references() trigger', 'mycelium_internal.check_staff_row() trigger', 'mycelium_internal.check_webhook_subscription() trigger',
          'mycelium_internal.default_due_date() trigger', 'mycelium_internal.derive_time_entry() trigger',
          'mycelium_internal.end_cancelled_deliveries() trigger',
          'mycelium_internal.end_sessions_on_change() trigger',
          'mycelium_internal.fill_slug() trigger', 'mycelium_internal.guard_actual_hours() trigger',
          'mycelium_internal.guard_move() trigger',
          'mycelium_internal.guard_portal_deliverable_update() trigger',
          'mycelium_internal.guard_portal_user_insert() trigger',
          'mycelium_internal.guard_schema() event_trigger',
          'mycelium_internal.keep_attachment_versions() trigger',
          'mycelium_internal.keep_integration_secrets() trigger', 'mycelium_internal.limit_changes() trigger',
          'mycelium_internal.load_as_replica() trigger',
          'mycelium_internal.log_activity() trigger', 'mycelium_internal.notify_client_events() trigger',
          'mycelium_internal.notify_comment_events() trigger',
          'mycelium_internal.notify_deliverable_events() trigger',
          'mycelium_internal.notify_integration_errors() trigger',
          'mycelium_internal.notify_project_events() trigger', 'mycelium_internal.park_webhook_deliveries() trigger',
          'mycelium_internal.require_context() trigger',
          'mycelium_internal.reset_domain_verification() trigger', 'mycelium_internal.stamp_assigner() trigger',
          'mycelium_internal.stamp_deliverable() trigger', 'mycelium_internal.stamp_pause() trigger',
          'mycelium_internal.sum_time_entries() trigger', 'mycelium_internal.touch_updated_at() trigger',
          'mycelium_internal.webhook_client_events() trigger', 'mycelium_internal.webhook_comment_events() trigger',
          'mycelium_internal.webhook_deliverable_events() trigger',
          'mycelium_internal.webhook_project_events() trigger'],
    'The trigger and event trigger functions are exactly these, all in schema mycelium_internal');

-- ====================================================================
-- Conventions, as rules over the whole catalogue (docs/schema.md, "Conventions").
-- Each query lists what breaks the rule, so a failure names the offender.
-- A tenant table is every table of schema mycelium except organizations and the
-- system tables (system_tables above: job_runs, and every table of
-- mycelium_internal).
-- ====================================================================

-- (a) Every tenant-owned row carries organization_id.
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                                AND a.atttypid = 'uuid'::regtype AND a.attnotnull AND NOT a.attisdropped)
           ORDER BY 1),
    ARRAY['organizations'],
    '(a) every table except organizations and the system tables has a NOT NULL organization_id uuid column');

SELECT is(
    ARRAY(SELECT format('%I.%I', s.sch, s.tbl) COLLATE "C" FROM system_tables s
           WHERE to_regclass(format('%I.%I', s.sch, s.tbl)) IS NULL
              OR EXISTS (SELECT FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = to_regclass(format('%I.%I', s.sch, s.tbl))
                            AND a.attname = 'organization_id' AND NOT a.attisdropped)
           ORDER BY 1),
    ARRAY['mycelium_internal.account_secrets', 'mycelium_internal.credentials',
          'mycelium_internal.external_identities', 'mycelium_internal.identity_providers',
          'mycelium_internal.integration_secret_uses',
          'mycelium_internal.revoked_tokens', 'mycelium_internal.session_floors'],
    '(a) every listed system table exists and has no organization_id (else it is tenant data), but the '
    'credentials, the session floors, the revoked tokens, the account secrets and the external identities, an '
    'account''s secrets, sign-outs and links kept apart from it, keyed by the account''s (organization_id, id), '
    'and the identity services an organization accepts, and the record of uses of integration secrets');

-- Schema mycelium_internal holds no tenant data: each of its tables is a listed
-- system table.
SELECT is(
    ARRAY(SELECT c.relname::text COLLATE "C" FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium_internal'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium_internal')
           ORDER BY 1),
    ARRAY[]::text[],
    '(a) every table of schema mycelium_internal is a system table');

-- mycelium_internal.tenant_tables() is the list the code goes by: row-level
-- security is forced on its tables and grant_access grants them. It must name
-- organizations and every tenant table, and nothing else.
SELECT is(
    ARRAY(SELECT t::text COLLATE "C" FROM unnest(mycelium_internal.tenant_tables()) AS t ORDER BY 1),
    ARRAY(SELECT c.relname::text COLLATE "C" FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
           ORDER BY 1),
    '(a) mycelium_internal.tenant_tables() lists exactly organizations and the tenant tables');

-- (b) A tenant table's primary key is (organization_id, id).
SELECT is(
    ARRAY(SELECT format('%s %s', c.relname, pk.cols)
            FROM pg_catalog.pg_class c
            CROSS JOIN LATERAL (
                SELECT coalesce((SELECT '(' || string_agg(a.attname, ', ' ORDER BY k.n) || ')'
                                   FROM pg_catalog.pg_constraint p
                                   CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, n)
                                   JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                                  WHERE p.conrelid = c.oid AND p.contype = 'p'),
                                'without primary key') AS cols) pk
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname <> 'organizations'
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND pk.cols <> '(organization_id, id)'
           ORDER BY 1),
    ARRAY[]::text[],
    '(b) every tenant table''s primary key is exactly (organization_id, id)');

-- (c) Every other uniqueness on a tenant table includes organization_id, so a
-- tenant's keys never collide with another's and the table can be distributed by
-- it. The two login e-mail indexes are the only exceptions (global logins).
SELECT is(
    ARRAY(SELECT format('%s.%s', k.conrelid::regclass, k.conname)
            FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relname <> 'organizations'
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND k.contype IN ('p', 'u', 'x')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                                AND a.attnum = ANY (k.conkey))
           ORDER BY 1),
    ARRAY[]::text[],
    '(c) every primary key, UNIQUE and exclusion constraint on a tenant table includes organization_id');

SELECT is(
    ARRAY(SELECT i.relname::text
            FROM pg_catalog.pg_index x
            JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
            JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relname <> 'organizations'
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND (x.indisunique OR x.indisexclusion)
             AND NOT EXISTS (SELECT FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                              WHERE a.attname = 'organization_id' AND k.n <= x.indnkeyatts)
           ORDER BY 1),
    ARRAY['client_users_email_key', 'organization_branding_custom_domain_key', 'users_email_key'],
    '(c) every unique index on a tenant table has organization_id among its key columns, '
    'except the login e-mail indexes users_email_key and client_users_email_key and the '
    'portal domains'' organization_branding_custom_domain_key');

-- (d) References between tenant tables are composite and lead with organization_id
-- on both sides; the only other references are (organization_id) -> organizations(id).
-- A system table neither references nor is referenced (the second rule names it;
-- for the tables of mycelium_internal, the foreign keys' checks above: they
-- reference their organization or account, and only external_identities, from
-- within mycelium_internal, references one of them).
SELECT is(
    ARRAY(SELECT format('%s.%s', k.conrelid::regclass, k.conname)
            FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
            JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
           WHERE k.contype = 'f'
             AND c.relnamespace = 'mycelium'::regnamespace AND c.relname <> 'organizations'
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND r.relnamespace = 'mycelium'::regnamespace AND r.relname <> 'organizations'
             AND r.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND NOT (cardinality(k.conkey) >= 2
                      AND k.conkey[1] = (SELECT a.attnum FROM pg_catalog.pg_attribute a
                                          WHERE a.attrelid = c.oid AND a.attname = 'organization_id')
                      AND k.confkey[1] = (SELECT a.attnum FROM pg_catalog.pg_attribute a
                                           WHERE a.attrelid = r.oid AND a.attname = 'organization_id'))
           ORDER BY 1),
    ARRAY[]::text[],
    '(d) every foreign key between tenant tables is composite and starts with organization_id on both sides');

SELECT is(
    ARRAY(SELECT format('%s.%s', k.conrelid::regclass, k.conname)
            FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
            JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
           WHERE k.contype = 'f' AND c.relnamespace = 'mycelium'::regnamespace
             AND NOT (r.relnamespace = 'mycelium'::regnamespace
                      AND r.relname <> 'organizations'
                      AND r.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
                      AND c.relname <> 'organizations'
                      AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium'))
             AND NOT (r.relnamespace = 'mycelium'::regnamespace AND r.relname = 'organizations'
                      AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
                      AND k.conkey = ARRAY[(SELECT a.attnum FROM pg_catalog.pg_attribute a
                                             WHERE a.attrelid = c.oid AND a.attname = 'organization_id')]
                      AND k.confkey = ARRAY[(SELECT a.attnum FROM pg_catalog.pg_attribute a
                                              WHERE a.attrelid = r.oid AND a.attname = 'id')])
           ORDER BY 1),
    ARRAY[]::text[],
    '(d) every other foreign key in schema mycelium is (organization_id) REFERENCES mycelium.organizations(id), '
    'and none touches a system table');

SELECT is(
    ARRAY(SELECT format('%s.%s', k.conrelid::regclass, k.conname)
            FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
           WHERE k.contype = 'f' AND c.relnamespace = 'mycelium'::regnamespace
             AND k.confdeltype IN ('n', 'd')
             AND (k.confdelsetcols IS NULL OR cardinality(k.confdelsetcols) = 0
                  OR (SELECT a.attnum FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname = 'organization_id') = ANY (k.confdelsetcols))
           ORDER BY 1),
    ARRAY[]::text[],
    '(d) every ON DELETE SET NULL / SET DEFAULT names its column list, and never organization_id');

SELECT is(
    ARRAY(SELECT format('%s.%s', k.conrelid::regclass, k.conname)
            FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
           WHERE k.contype = 'f' AND c.relnamespace = 'mycelium'::regnamespace
             AND (k.confupdtype <> 'a' OR k.confmatchtype <> 's')
           ORDER BY 1),
    ARRAY[]::text[],
    '(d) every foreign key is ON UPDATE NO ACTION, MATCH SIMPLE (an ON UPDATE SET NULL cannot take a column list)');

-- (e) pg_dump keeps the data of every table of both schemas (src/sql/code/90_catalog.sql):
-- whole, except the context key, which each installation makes for itself (a
-- restore would collide with it), and the job list, which the install script
-- writes. The settings go with the data (a restore keeps the switches), and so
-- does the manifest (a restore checks the tables it loads into against it).
SELECT is(
    ARRAY(SELECT c.oid::regclass::text COLLATE "C" FROM pg_catalog.pg_class c
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('r', 'p')
             AND c.oid <> ALL (coalesce((SELECT e.extconfig FROM pg_catalog.pg_extension e
                                          WHERE e.extname = 'mycelium'), '{}'))
           ORDER BY 1),
    ARRAY['mycelium_internal.integration_keys', 'mycelium_internal.jobs']::text[],
    '(e) every table of both schemas but mycelium_internal.jobs and integration_keys (a dump holds no key of '
    'integration secrets) is registered with pg_extension_config_dump (in pg_extension.extconfig)');

SELECT is(
    ARRAY(SELECT r.tbl::regclass::text COLLATE "C"
            FROM pg_catalog.pg_extension e, unnest(e.extconfig) AS r(tbl)
           WHERE e.extname = 'mycelium'
             AND r.tbl NOT IN (SELECT c.oid FROM pg_catalog.pg_class c
                                WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace))
           ORDER BY 1),
    ARRAY[]::text[],
    '(e) nothing outside the two schemas is registered with pg_extension_config_dump');

SELECT is(
    ARRAY(SELECT format('%s: %s', r.tbl::regclass, r.cond) COLLATE "C"
            FROM pg_catalog.pg_extension e, unnest(e.extconfig, e.extcondition) AS r(tbl, cond)
           WHERE e.extname = 'mycelium' AND r.cond <> ''
           ORDER BY 1),
    ARRAY['mycelium_internal.auth_keys: WHERE purpose <> ''context'''],
    '(e) every registered table is dumped whole (empty filter condition), except auth_keys without its context key');

-- (f) Functions pin their search_path; C functions, which run no SQL by name,
-- are the exceptions, and are listed so that a new one is noticed.
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text COLLATE "C"
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND l.lanname = 'c'
           ORDER BY 1),
    ARRAY['mycelium.authenticate(text)',
          'mycelium.calling_role()',
          'mycelium.check_recurrence_rule(text)',
          'mycelium.current_app_role()',
          'mycelium.current_app_user_id()',
          'mycelium.current_client_id()',
          'mycelium.current_organization_id()',
          'mycelium.current_organization_id_for(text)',
          'mycelium.current_service_access()',
          'mycelium.date_label(date,text,text)',
          'mycelium.expand_recurrence(text,timestamp with time zone,timestamp with time zone,timestamp with time zone,text)',
          'mycelium.is_known_locale(text)',
          'mycelium.is_valid_time_zone(text)',
          'mycelium.is_valid_webhook_url(text)',
          'mycelium.productivity_scores(uuid,integer,timestamp with time zone,uuid)',
          'mycelium.require_writable(text)',
          'mycelium.restoring()',
          'mycelium.set_context(uuid,uuid,text,uuid,text[])',
          'mycelium.sign_in(uuid,text,text,boolean,text,uuid,text,timestamp with time zone,boolean)',
          'mycelium.signed_context_required()',
          'mycelium.slugify(text)',
          'mycelium.uuid_among(uuid,uuid[])',
          'mycelium.uuid_v7()',
          'mycelium.uuid_v7_time(uuid)',
          'mycelium.validate_custom_fields(uuid,jsonb)',
          'mycelium_internal.announce_change()',
          'mycelium_internal.check_custom_fields()',
          'mycelium_internal.check_field_definition()',
          'mycelium_internal.check_jwks(text)',
          'mycelium_internal.current_token()',
          'mycelium_internal.fold_policy(text,regclass)',
          'mycelium_internal.generate_webhook_secret()',
          'mycelium_internal.hash_password(text)',
          'mycelium_internal.in_extension_script()',
          'mycelium_internal.is_supported_hash(text)',
          'mycelium_internal.issue_token(uuid,uuid,text,uuid,integer,bigint)',
          'mycelium_internal.listen_channel(uuid,boolean,uuid)',
          'mycelium_internal.open_secret(uuid,uuid,text,text)',
          'mycelium_internal.password_change_account()',
          'mycelium_internal.password_needs_rehash(text)',
          'mycelium_internal.password_problem(text,text,text)',
          'mycelium_internal.remember_token(uuid,text,timestamp with time zone)',
          'mycelium_internal.seal_context(uuid,uuid,text,uuid,text[],timestamp with time zone)',
          'mycelium_internal.seal_password_change(uuid,uuid,text,uuid,timestamp with time zone)',
          'mycelium_internal.seal_secret(uuid,uuid,text,text)',
          'mycelium_internal.token_header(text)',
          'mycelium_internal.touch_updated_at()',
          'mycelium_internal.verify_foreign_token(text,text,text,text[])',
          'mycelium_internal.verify_password(text,text)',
          'mycelium_internal.verify_token(text)',
          'mycelium_internal.webhook_signature(text,text,bigint,text)'],
    '(f) the C-language functions of both schemas are exactly these (exempt from the search_path rule)');

-- Every other function sets its search_path, to exactly pg_catalog, pg_temp, and
-- nothing else (a setting is the function's for every caller); a C function sets
-- nothing.
SELECT is(
    ARRAY(SELECT format('%s %s', p.oid::regprocedure, coalesce(p.proconfig::text, 'without SET')) COLLATE "C"
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND p.proconfig IS DISTINCT FROM CASE WHEN l.lanname = 'c' THEN NULL
                                                   ELSE ARRAY['search_path=pg_catalog, pg_temp'] END
           ORDER BY 1),
    ARRAY[]::text[],
    '(f) every non-C function of both schemas has exactly SET search_path = pg_catalog, pg_temp (and no other '
    'setting), and no C function has a setting');

-- (g) SECURITY DEFINER functions are few and deliberate: list each one here.
-- They work across tenants (onboarding, maintenance, slug uniqueness, the activity
-- log, generation, the sweeps and their notifications, each checking who calls,
-- the check of references no key covers, a deliverable's sum of time entries,
-- colleagues' included), look up the caller's own context
-- (set_context, authenticate and the policy helpers), write what only the
-- extension may reach in mycelium_internal (passwords, sign-outs, an ADMIN's
-- identity services and links, temporary passwords, forced changes and locks,
-- invitations, each checking who calls), take a secret instead of a context
-- (accept_invitation, reset_password, verify_email) or rate-limit themselves
-- before anyone signs in (request_password_reset, request_email_verification,
-- sign_up), guard the schema (guard_schema runs for every role's DDL and
-- writes only the manifest), or hold the plan's limits and read-only statuses
-- (check_plan_limits counts rows the writer may not see; require_context calls
-- require_organization_writable as the writer, who may not read the subscription),
-- or keep integrations' secrets (keep_integration_secrets seals what a writer puts
-- in config, reveal_integration_secret decrypts for an ADMIN of the organization,
-- announce_notifications and notification_channel name LISTEN channels under the
-- server's key), or end the deliveries of a notification an ADMIN cancels
-- (end_cancelled_deliveries writes columns the ADMIN may not), or park and
-- release a disabled integration's deliveries (park_webhook_deliveries, likewise).
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text COLLATE "C" FROM pg_catalog.pg_proc p
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND p.prosecdef
           ORDER BY 1),
    ARRAY['mycelium.accept_invitation(text,text)',
          'mycelium.announce_maintenance(text,text,timestamp with time zone,timestamp with time zone)',
          'mycelium.archive_old_deliverables(interval,uuid)',
          'mycelium.change_password(text,text)',
          'mycelium.claim_deliveries(text,integer,interval)',
          'mycelium.claim_webhook_deliveries(integer,interval)',
          'mycelium.cleanup_old_activity_logs(interval)',
          'mycelium.create_organization(text,text,text,text,text,text)',
          'mycelium.database_health_check()',
          'mycelium.development_token(uuid,text,boolean)',
          'mycelium.finish_deliveries(uuid[],uuid[],integer[],text[],boolean[])',
          'mycelium.finish_delivery(uuid,uuid,integer,text,boolean)',
          'mycelium.finish_webhook_delivery(uuid,uuid,integer,text,boolean)',
          'mycelium.force_password_change(uuid)',
          'mycelium.generate_recurring_deliverables(uuid,date,boolean)',
          'mycelium.import_password_hash(uuid,text)',
          'mycelium.invite_client_user(uuid,text,text,mycelium.client_user_role,interval)',
          'mycelium.invite_user(text,text,mycelium.user_role,interval)',
          'mycelium.link_identity(uuid,text,text)',
          'mycelium.lock_account(uuid)',
          'mycelium.my_client_ids()',
          'mycelium.my_service_type_ids()',
          'mycelium.my_writable_client_ids()',
          'mycelium.notification_channel()',
          'mycelium.portal_can(text)',
          'mycelium.remove_identity_provider(text)',
          'mycelium.request_email_verification(uuid,text,boolean,interval)',
          'mycelium.request_password_reset(uuid,text,boolean,interval)',
          'mycelium.require_organization_writable(text)',
          'mycelium.reset_password(text,text)',
          'mycelium.resolve_organization(text)',
          'mycelium.reveal_integration_secret(uuid,text)',
          'mycelium.run_job(text)',
          'mycelium.schedule_jobs(text,text,text,text,text)',
          'mycelium.set_identity_provider(text,text,text[],text)',
          'mycelium.set_password(uuid,text,boolean)',
          'mycelium.set_temporary_password(uuid,interval)',
          'mycelium.sign_out(boolean)',
          'mycelium.sign_up(text,text,text,text,text)',
          'mycelium.sweep_due_soon(interval,timestamp with time zone,uuid)',
          'mycelium.sweep_overdue(timestamp with time zone,uuid)',
          'mycelium.unlock_account(uuid)',
          'mycelium.unschedule_jobs()',
          'mycelium.verify_custom_domain(text)',
          'mycelium.verify_email(text)',
          'mycelium_internal.acting_organizations(text,uuid)',
          'mycelium_internal.announce_notifications()',
          'mycelium_internal.authenticate(text)',
          'mycelium_internal.check_new_work()',
          'mycelium_internal.check_plan_limits()',
          'mycelium_internal.check_references()',
          'mycelium_internal.check_staff_row()',
          'mycelium_internal.end_cancelled_deliveries()',
          'mycelium_internal.end_sessions_on_change()',
          'mycelium_internal.establish_context(uuid,uuid,text,uuid,text[],timestamp with time zone,text)',
          'mycelium_internal.fill_slug()',
          'mycelium_internal.guard_schema()',
          'mycelium_internal.keep_attachment_versions()',
          'mycelium_internal.keep_integration_secrets()',
          'mycelium_internal.log_activity()',
          'mycelium_internal.notify_client_events()',
          'mycelium_internal.notify_comment_events()',
          'mycelium_internal.notify_deliverable_events()',
          'mycelium_internal.notify_integration_errors()',
          'mycelium_internal.notify_project_events()',
          'mycelium_internal.park_webhook_deliveries()',
          'mycelium_internal.send_notifications(mycelium.notification_type,timestamp with time zone,uuid,uuid[],uuid[],uuid[],uuid[],uuid[],text[],timestamp with time zone[])',
          'mycelium_internal.set_context(uuid,uuid,text,uuid,text[])',
          'mycelium_internal.sum_time_entries()',
          'mycelium_internal.webhook_client_events()',
          'mycelium_internal.webhook_comment_events()',
          'mycelium_internal.webhook_deliverable_events()',
          'mycelium_internal.webhook_project_events()'],
    '(g) the SECURITY DEFINER functions of both schemas are exactly these');

SELECT is(
    ARRAY(SELECT format('%s %s', p.oid::regprocedure, coalesce(p.proconfig::text, 'without SET')) COLLATE "C"
            FROM pg_catalog.pg_proc p
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace) AND p.prosecdef
             AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']
           ORDER BY 1),
    ARRAY[]::text[],
    '(g) every SECURITY DEFINER function has exactly SET search_path = pg_catalog, pg_temp (and no other setting)');

-- (h) Nothing is executable by PUBLIC: roles get what they need from
-- mycelium.grant_access. A NULL proacl means the default, which grants PUBLIC
-- EXECUTE, so it is expanded with acldefault (and so are the other ACLs below).
SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text COLLATE "C" FROM pg_catalog.pg_proc p
           WHERE p.pronamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS g
                          WHERE g.grantee = 0 AND g.privilege_type = 'EXECUTE')
           ORDER BY 1),
    ARRAY[]::text[],
    '(h) no function in schema mycelium or mycelium_internal is executable by PUBLIC');

SELECT is(
    ARRAY(SELECT format('%s %s', o.what, o.privilege_type) COLLATE "C"
            FROM (SELECT c.oid::regclass::text AS what, g.privilege_type
                    FROM pg_catalog.pg_class c, aclexplode(c.relacl) AS g
                   WHERE c.relnamespace = 'mycelium'::regnamespace AND g.grantee = 0
                  UNION ALL
                  SELECT format('%s.%s', c.oid::regclass, a.attname), g.privilege_type
                    FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                    CROSS JOIN LATERAL aclexplode(a.attacl) AS g
                   WHERE c.relnamespace = 'mycelium'::regnamespace AND g.grantee = 0
                  UNION ALL
                  SELECT 'schema mycelium', g.privilege_type
                    FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) AS g
                   WHERE n.oid = 'mycelium'::regnamespace AND g.grantee = 0) o
           ORDER BY 1),
    ARRAY[]::text[],
    '(h) no table, view, column or the schema mycelium grants anything to PUBLIC');

-- What is in mycelium_internal is the extension's alone: the schema, its
-- tables, their columns and its functions grant nothing to anyone but their
-- owner, neither to PUBLIC nor to the group roles mycelium_app, mycelium_readonly,
-- mycelium_maintenance, mycelium_delivery, mycelium_signup and mycelium_billing (whose members could
-- then read the keys, the password hashes or the secrets' hashes, or seal a
-- context unchecked). Without USAGE on the schema no other role
-- can name anything in it.
SELECT is(
    ARRAY(SELECT format('%s %s to %s', o.what, o.privilege_type,
                        CASE WHEN o.grantee = 0 THEN 'PUBLIC' ELSE o.grantee::regrole::text END) COLLATE "C"
            FROM (SELECT 'schema mycelium_internal' AS what, g.privilege_type, g.grantee
                    FROM pg_catalog.pg_namespace n,
                         aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS g
                   WHERE n.oid = 'mycelium_internal'::regnamespace AND g.grantee <> n.nspowner
                  UNION ALL
                  SELECT c.oid::regclass::text, g.privilege_type, g.grantee
                    FROM pg_catalog.pg_class c,
                         aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS g
                   WHERE c.relnamespace = 'mycelium_internal'::regnamespace AND g.grantee <> c.relowner
                  UNION ALL
                  SELECT format('%s.%s', c.oid::regclass, a.attname), g.privilege_type, g.grantee
                    FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                    CROSS JOIN LATERAL aclexplode(a.attacl) AS g
                   WHERE c.relnamespace = 'mycelium_internal'::regnamespace
                  UNION ALL
                  SELECT p.oid::regprocedure::text, g.privilege_type, g.grantee
                    FROM pg_catalog.pg_proc p,
                         aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS g
                   WHERE p.pronamespace = 'mycelium_internal'::regnamespace AND g.grantee <> p.proowner) o
           ORDER BY 1),
    ARRAY[]::text[],
    '(h) schema mycelium_internal, its tables, columns and functions grant no privilege to anyone but their owner');

-- mycelium.restoring() is called, as the writing role, by the WHEN clause of
-- every table's load_as_replica trigger, and mycelium.open_statuses() by the
-- views, which run as their caller: the group roles that write or read tenant
-- data get them with the context functions (equip_role); the others write only
-- through SECURITY DEFINER functions.
SELECT is(
    ARRAY(SELECT format('%s %s %s', p.oid::regprocedure,
                        CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
                        g.privilege_type) COLLATE "C"
            FROM pg_catalog.pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS g
           WHERE p.oid IN ('mycelium.restoring()'::regprocedure, 'mycelium.open_statuses()'::regprocedure)
             AND g.grantee <> p.proowner
           ORDER BY 1),
    ARRAY['mycelium.open_statuses() mycelium_admin EXECUTE', 'mycelium.open_statuses() mycelium_app EXECUTE',
          'mycelium.open_statuses() mycelium_portal EXECUTE', 'mycelium.open_statuses() mycelium_readonly EXECUTE',
          'mycelium.open_statuses() mycelium_staff EXECUTE',
          'mycelium.restoring() mycelium_admin EXECUTE',
          'mycelium.restoring() mycelium_app EXECUTE', 'mycelium.restoring() mycelium_billing EXECUTE',
          'mycelium.restoring() mycelium_portal EXECUTE', 'mycelium.restoring() mycelium_readonly EXECUTE',
          'mycelium.restoring() mycelium_staff EXECUTE'],
    'mycelium.restoring() and open_statuses() are executable by their owner, mycelium_app, the context roles and '
    'mycelium_readonly only (restoring() also by mycelium_billing, which writes subscriptions)');

-- A portal user's context acts as mycelium_portal (52_portal.sql): it reads
-- exactly the columns of mycelium.portal_columns(), and writes only what a
-- portal user may write.
SELECT set_eq(
    $$SELECT c.table_name::text, c.column_name::text FROM information_schema.column_privileges c
       WHERE c.grantee = 'mycelium_portal' AND c.table_schema = 'mycelium' AND c.privilege_type = 'SELECT'$$,
    $$SELECT p.table_name, u.c FROM mycelium.portal_columns() p, unnest(p.column_names) u(c)
      UNION ALL SELECT 'portal_attachments', a.attname::text FROM pg_catalog.pg_attribute a
       WHERE a.attrelid = 'mycelium.portal_attachments'::regclass AND a.attnum > 0$$,
    'mycelium_portal reads exactly the columns of portal_columns() and the view portal_attachments');
SELECT set_eq(
    $$SELECT c.table_name::text, c.privilege_type::text, string_agg(c.column_name::text, ',' ORDER BY c.column_name)
        FROM information_schema.column_privileges c
       WHERE c.grantee = 'mycelium_portal' AND c.table_schema = 'mycelium' AND c.privilege_type <> 'SELECT'
       GROUP BY 1, 2$$,
    $$VALUES ('client_users', 'INSERT', 'can_approve,can_comment,can_download,client_id,email,id,is_active,name,organization_id,phone,role,title'),
             ('client_users', 'UPDATE', 'can_approve,can_comment,can_download,is_active,name,phone,role,title'),
             ('comments', 'INSERT', 'attachments,client_user_id,content,deliverable_id,id,mentions,organization_id,parent_id,type'),
             ('comments', 'UPDATE', 'attachments,content,mentions'),
             ('deliverables', 'UPDATE', 'status'),
             ('notification_recipients', 'UPDATE', 'read_at')$$,
    'mycelium_portal writes only: its client''s portal users (a portal ADMIN), comments, a deliverable''s status, '
    'its notifications'' read_at');
SELECT is(
    ARRAY(SELECT format('%s %s', r.rolname, m.rolname) COLLATE "C" FROM pg_catalog.pg_auth_members a
            JOIN pg_catalog.pg_roles r ON r.oid = a.roleid JOIN pg_catalog.pg_roles m ON m.oid = a.member
           WHERE (r.rolname IN ('mycelium_admin', 'mycelium_staff', 'mycelium_portal')
                  OR m.rolname IN ('mycelium_admin', 'mycelium_staff', 'mycelium_portal'))
             AND m.rolname LIKE 'mycelium%'
           ORDER BY 1),
    ARRAY['mycelium_admin mycelium_app', 'mycelium_portal mycelium_app', 'mycelium_staff mycelium_app'],
    'mycelium_app may switch to mycelium_admin, mycelium_staff and mycelium_portal, which are members of no role '
    'of the extension');

-- Ids: uuid, NOT NULL, generated by mycelium.uuid_v7() on every table but the
-- system tables.
SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                               JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                              WHERE a.attrelid = c.oid AND a.attname = 'id' AND a.atttypid = 'uuid'::regtype
                                AND a.attnotnull
                                AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) = 'mycelium.uuid_v7()')
           ORDER BY 1),
    ARRAY[]::text[],
    'every table but the system tables has id uuid NOT NULL DEFAULT mycelium.uuid_v7()');

-- updated_at is maintained by trigger on every table of both schemas that has it
-- (and only there).
SELECT is(
    ARRAY(SELECT format('%s: %s', c.oid::regclass,
                        CASE WHEN u.has_col THEN 'updated_at without touch_updated_at trigger'
                             ELSE 'touch_updated_at trigger without updated_at' END)
            FROM pg_catalog.pg_class c
            CROSS JOIN LATERAL (
                SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                                WHERE a.attrelid = c.oid AND a.attname = 'updated_at' AND NOT a.attisdropped)
                           AS has_col,
                       EXISTS (SELECT FROM pg_catalog.pg_trigger g
                                WHERE g.tgrelid = c.oid
                                  AND g.tgfoid = to_regprocedure('mycelium_internal.touch_updated_at()')
                                  AND g.tgtype = 1 + 2 + 16)   -- ROW, BEFORE, UPDATE
                           AS has_trigger) u
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('r', 'p')
             AND u.has_col <> u.has_trigger
           ORDER BY 1),
    ARRAY[]::text[],
    'every table with updated_at, and only those, has a BEFORE UPDATE row trigger calling touch_updated_at');

-- Views never bypass row-level security.
SELECT is(
    ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class c
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('v', 'm')
             AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
           ORDER BY 1),
    ARRAY['mycelium.portal_attachments'],
    'every view of both schemas has security_invoker=true but portal_attachments, which applies the portal''s '
    'conditions itself');
SELECT ok((SELECT 'security_barrier=true' = ANY (c.reloptions) FROM pg_catalog.pg_class c
            WHERE c.oid = 'mycelium.portal_attachments'::regclass),
          'mycelium.portal_attachments is a security barrier');

-- ====================================================================
-- The security model, as rules over the whole catalogue (docs/security.md). Each query lists what
-- breaks the rule, so a failure names the offender.
-- ====================================================================

-- (r1) Row-level security is enabled and forced on every table, tenant tables and
-- organizations alike; the tables of mycelium_internal only enable it (their
-- owner, the extension, reads and writes them) and have no policy, so nobody else
-- sees a row even if a privilege is granted by mistake.
SELECT is(
    ARRAY(SELECT format('%s: %s, %s', c.oid::regclass,
                        CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'not enabled' END,
                        CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'not forced' END) COLLATE "C"
            FROM pg_catalog.pg_class c
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('r', 'p')
             AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
           ORDER BY 1),
    ARRAY['mycelium.job_runs: not enabled, not forced',
          'mycelium_internal.account_secrets: enabled, not forced',
          'mycelium_internal.auth_keys: enabled, not forced', 'mycelium_internal.credentials: enabled, not forced',
          'mycelium_internal.external_identities: enabled, not forced',
          'mycelium_internal.identity_providers: enabled, not forced',
          'mycelium_internal.integration_keys: enabled, not forced',
          'mycelium_internal.integration_secret_uses: enabled, not forced',
          'mycelium_internal.jobs: enabled, not forced',
          'mycelium_internal.rate_limits: enabled, not forced',
          'mycelium_internal.revoked_tokens: enabled, not forced',
          'mycelium_internal.schema_manifest: enabled, not forced',
          'mycelium_internal.session_floors: enabled, not forced',
          'mycelium_internal.settings: enabled, not forced'],
    '(r1) row-level security is enabled and forced on every table except those of mycelium_internal (enabled, '
    'not forced) and job_runs (no tenant data; only maintenance roles are granted SELECT)');

SELECT is(
    ARRAY(SELECT format('%I.%I: %s, %s, %s policies', s.sch, s.tbl,
                        CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'not enabled' END,
                        CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'not forced' END,
                        (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)) COLLATE "C"
            FROM system_tables s
            LEFT JOIN pg_catalog.pg_class c ON c.oid = to_regclass(format('%I.%I', s.sch, s.tbl))
           ORDER BY 1),
    ARRAY['mycelium.job_runs: not enabled, not forced, 0 policies',
          'mycelium_internal.account_secrets: enabled, not forced, 0 policies',
          'mycelium_internal.auth_keys: enabled, not forced, 0 policies',
          'mycelium_internal.credentials: enabled, not forced, 0 policies',
          'mycelium_internal.external_identities: enabled, not forced, 0 policies',
          'mycelium_internal.identity_providers: enabled, not forced, 0 policies',
          'mycelium_internal.integration_keys: enabled, not forced, 0 policies',
          'mycelium_internal.integration_secret_uses: enabled, not forced, 0 policies',
          'mycelium_internal.jobs: enabled, not forced, 0 policies',
          'mycelium_internal.rate_limits: enabled, not forced, 0 policies',
          'mycelium_internal.revoked_tokens: enabled, not forced, 0 policies',
          'mycelium_internal.schema_manifest: enabled, not forced, 0 policies',
          'mycelium_internal.session_floors: enabled, not forced, 0 policies',
          'mycelium_internal.settings: enabled, not forced, 0 policies'],
    '(r1) the system tables: those of mycelium_internal have row-level security enabled, not forced, and no '
    'policy; job_runs none');

-- (r2) At most one policy per table and command: permissive policies are OR'ed, and
-- the design document's two permissive deliverables policies let every editor see
-- all of the organization's work. A FOR ALL policy counts for every command.
SELECT is(
    ARRAY(SELECT format('%s %s: %s', c.relname, k.cmd, string_agg(p.polname, ', ' ORDER BY p.polname)) COLLATE "C"
            FROM pg_catalog.pg_class c
           CROSS JOIN (VALUES ('r'::"char", 'SELECT'), ('a', 'INSERT'), ('w', 'UPDATE'), ('d', 'DELETE'))
                   AS k(code, cmd)
            JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid AND p.polcmd IN (k.code, '*')
           CROSS JOIN LATERAL unnest(p.polroles) AS r(role)
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
           GROUP BY c.relname, k.cmd, r.role
          HAVING count(*) > 1
           ORDER BY 1),
    ARRAY[]::text[],
    '(r2) every table has at most one policy for each of SELECT, INSERT, UPDATE and DELETE and each role');

-- (r3) Every table can be read under some policy, except the system tables.
SELECT is(
    ARRAY(SELECT c.oid::regclass::text COLLATE "C" FROM pg_catalog.pg_class c
           WHERE c.relnamespace IN ('mycelium'::regnamespace, 'mycelium_internal'::regnamespace)
             AND c.relkind IN ('r', 'p')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_policy p
                              WHERE p.polrelid = c.oid AND p.polcmd IN ('r', '*'))
           ORDER BY 1),
    ARRAY(SELECT format('%I.%I', sch, tbl) COLLATE "C" FROM system_tables ORDER BY 1),
    '(r3) every table of both schemas except the system tables has a SELECT policy');

-- (r4) The tables that deliberately lack a write policy, so that nobody under
-- row-level security can do it (docs/security.md, "Who may do what"):
-- organizations are created by create_organization and removed by the owner;
-- the activity log is written only by its SECURITY DEFINER triggers and never
-- changed. (Subscriptions have write policies that only the billing kind's
-- roles pass.)
SELECT is(
    ARRAY(SELECT format('%s %s', c.relname, k.cmd) COLLATE "C"
            FROM pg_catalog.pg_class c
           CROSS JOIN (VALUES ('a'::"char", 'INSERT'), ('w', 'UPDATE'), ('d', 'DELETE')) AS k(code, cmd)
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_policy p
                              WHERE p.polrelid = c.oid AND p.polcmd IN (k.code, '*'))
           ORDER BY 1),
    ARRAY['activity_logs DELETE', 'activity_logs INSERT', 'activity_logs UPDATE',
          'attachment_versions DELETE', 'attachment_versions INSERT', 'attachment_versions UPDATE',
          'organizations DELETE', 'organizations INSERT',
          'webhook_deliveries DELETE', 'webhook_deliveries INSERT', 'webhook_deliveries UPDATE'],
    '(r4) only these tables and commands have no policy: activity_logs, attachment_versions and webhook_deliveries '
    'INSERT/UPDATE/DELETE, organizations INSERT/DELETE');

-- (r5) Policies are permissive. The general ones apply to the roles that act
-- without switching (an application's own, reporting, billing); each
-- specialization to its kind's role only (r11).
SELECT is(
    ARRAY(SELECT format('%s.%s %s to %s', c.relname, p.polname,
                        CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                        array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END
                                                FROM unnest(p.polroles) AS r), ', ')) COLLATE "C"
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
           WHERE c.relnamespace = 'mycelium'::regnamespace
             AND NOT (p.polpermissive
                      AND (p.polroles = ARRAY['mycelium_app'::regrole, 'mycelium_readonly'::regrole,
                                              'mycelium_billing'::regrole]::oid[]
                           OR (p.polname ~ '_(admin|staff|portal)$'
                               AND p.polroles = ARRAY[('mycelium_' || substring(p.polname FROM '_(admin|staff|portal)$'))::regrole]::oid[])))
           ORDER BY 1),
    ARRAY[]::text[],
    '(r5) every policy is PERMISSIVE; the general ones TO mycelium_app, mycelium_readonly and mycelium_billing, '
    'each specialization TO its kind''s role');

-- (r6) Policies call the context functions only inside a scalar sub-select,
-- (SELECT mycelium.current_organization_id()), which PostgreSQL evaluates once per
-- statement (an InitPlan) instead of once per row. A textual check on the
-- expression as pg_get_expr prints it ('( SELECT mycelium.current_...'): every
-- occurrence of mycelium.current_ must directly follow an opening sub-select.
SELECT is(
    ARRAY(SELECT format('%s.%s %s: %s of %s calls in a sub-select', c.relname, p.polname, e.kind,
                        regexp_count(e.expr, '\(\s*SELECT\s+mycelium\.current_'),
                        regexp_count(e.expr, 'mycelium\.current_')) COLLATE "C"
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
           CROSS JOIN LATERAL (VALUES ('USING', pg_catalog.pg_get_expr(p.polqual, p.polrelid)),
                                      ('WITH CHECK', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
                   AS e(kind, expr)
           WHERE c.relnamespace = 'mycelium'::regnamespace AND e.expr IS NOT NULL
             AND p.polname !~ '_(admin|staff|portal)$'
             AND regexp_count(e.expr, 'mycelium\.current_')
                 <> regexp_count(e.expr, '\(\s*SELECT\s+mycelium\.current_')
           ORDER BY 1),
    ARRAY[]::text[],
    '(r6) every policy calls mycelium.current_*() only inside a scalar sub-select (SELECT mycelium.current_...())');

-- The same for every other Mycelium function a policy calls (the look-up helpers
-- my_client_ids, my_service_type_ids, portal_can), but uuid_among: it compares
-- the row's column with such a look-up's result, as `= ANY` would, per row.
SELECT is(
    ARRAY(SELECT format('%s.%s %s: %s of %s calls in a sub-select', c.relname, p.polname, e.kind,
                        regexp_count(e.expr, '\(\s*SELECT\s+mycelium\.\w+\('),
                        regexp_count(e.expr, 'mycelium\.(?!uuid_among\()\w+\(')) COLLATE "C"
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
           CROSS JOIN LATERAL (VALUES ('USING', pg_catalog.pg_get_expr(p.polqual, p.polrelid)),
                                      ('WITH CHECK', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
                   AS e(kind, expr)
           WHERE c.relnamespace = 'mycelium'::regnamespace AND e.expr IS NOT NULL
             AND p.polname !~ '_(admin|staff|portal)$'
             AND regexp_count(e.expr, 'mycelium\.(?!uuid_among\()\w+\(')
                 <> regexp_count(e.expr, '\(\s*SELECT\s+mycelium\.\w+\(')
           ORDER BY 1),
    ARRAY[]::text[],
    '(r6) every policy calls any mycelium function but uuid_among only inside a scalar sub-select');

-- (r7) Every policy expression requires the row's organization to be the
-- context's, as its first top-level conjunct ("Every rule below also requires the
-- row's organization_id to be the context's"): an OR at the top, or a policy that
-- forgets the tenant, fails. On organizations the column is id. The one
-- exception is subscriptions, which the billing service writes for every
-- organization; its policies are pinned exactly below.
SELECT is(
    ARRAY(SELECT format('%s.%s %s', c.relname, p.polname, e.kind) COLLATE "C"
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
           CROSS JOIN LATERAL (VALUES ('USING', pg_catalog.pg_get_expr(p.polqual, p.polrelid)),
                                      ('WITH CHECK', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)))
                   AS e(kind, expr)
           CROSS JOIN LATERAL (SELECT CASE WHEN c.relname = 'organizations' THEN 'id' ELSE 'organization_id' END
                                      || ' = ( SELECT mycelium.current_organization_id() AS current_organization_id)'
                                      AS tenant) t
           WHERE c.relnamespace = 'mycelium'::regnamespace AND e.expr IS NOT NULL
             AND p.polname !~ '_(admin|staff|portal)$'
             AND c.relname <> 'subscriptions'
             AND e.expr <> '(' || t.tenant || ')'
             AND left(e.expr, length(t.tenant) + 8) <> '((' || t.tenant || ') AND '
           ORDER BY 1),
    ARRAY[]::text[],
    '(r7) every USING and WITH CHECK starts with organization_id = (SELECT mycelium.current_organization_id()) AND ...');

-- Subscriptions: the organization's ADMINs read theirs, and only members of
-- mycelium_billing (the billing kind) read and write across organizations, once
-- per statement (a scalar sub-select).
SELECT set_eq(
    $$SELECT p.polname::text AS pol, coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-') AS using_expr,
             coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-') AS check_expr
        FROM pg_catalog.pg_policy p WHERE p.polrelid = 'mycelium.subscriptions'::regclass
         AND p.polname !~ '_(admin|staff|portal)$'$$,
    $$VALUES ('subscriptions_select',
              '(((organization_id = ( SELECT mycelium.current_organization_id() AS current_organization_id)) AND '
              '(( SELECT mycelium.current_app_role() AS current_app_role) = ''ADMIN''::text)) OR '
              '( SELECT pg_has_role(''mycelium_billing''::name, ''USAGE''::text) AS pg_has_role))', '-'),
             ('subscriptions_insert', '-',
              '( SELECT pg_has_role(''mycelium_billing''::name, ''USAGE''::text) AS pg_has_role)'),
             ('subscriptions_update', '( SELECT pg_has_role(''mycelium_billing''::name, ''USAGE''::text) AS pg_has_role)',
              '( SELECT pg_has_role(''mycelium_billing''::name, ''USAGE''::text) AS pg_has_role)'),
             ('subscriptions_delete', '( SELECT pg_has_role(''mycelium_billing''::name, ''USAGE''::text) AS pg_has_role)',
              '-')$$,
    '(r7) subscriptions: ADMINs of the context''s organization read; the billing kind reads and writes');

-- (r8) An UPDATE policy states its WITH CHECK, so that a row cannot be moved out
-- of the tenant by an UPDATE that its USING admits; an INSERT policy has one by
-- definition and a SELECT or DELETE policy none.
SELECT is(
    ARRAY(SELECT format('%s.%s %s USING %s WITH CHECK %s', c.relname, p.polname, p.polcmd,
                        CASE WHEN p.polqual IS NULL THEN 'no' ELSE 'yes' END,
                        CASE WHEN p.polwithcheck IS NULL THEN 'no' ELSE 'yes' END) COLLATE "C"
            FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
           WHERE c.relnamespace = 'mycelium'::regnamespace
             AND NOT CASE p.polcmd WHEN 'r' THEN p.polqual IS NOT NULL AND p.polwithcheck IS NULL
                                   WHEN 'd' THEN p.polqual IS NOT NULL AND p.polwithcheck IS NULL
                                   WHEN 'a' THEN p.polqual IS NULL AND p.polwithcheck IS NOT NULL
                                   WHEN 'w' THEN p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL
                                   ELSE false END
           ORDER BY 1),
    ARRAY[]::text[],
    '(r8) SELECT and DELETE policies have USING only, INSERT WITH CHECK only, UPDATE both; none is FOR ALL');

-- (r9) The context functions: native, STABLE and PARALLEL SAFE, so that a
-- policy's InitPlan may run them in a parallel query and a standby.
SELECT is(
    ARRAY(SELECT format('%s: %s', f.sig,
                        CASE WHEN p.oid IS NULL THEN 'missing'
                             ELSE format('provolatile %s, proparallel %s', p.provolatile, p.proparallel) END) COLLATE "C"
            FROM unnest(ARRAY['mycelium.current_organization_id()', 'mycelium.current_app_user_id()',
                              'mycelium.current_app_role()', 'mycelium.current_client_id()',
                              'mycelium.current_service_access()', 'mycelium.current_organization_id_for(text)']) AS f(sig)
            LEFT JOIN pg_catalog.pg_proc p ON p.oid = to_regprocedure(f.sig)
           WHERE p.oid IS NULL OR p.provolatile <> 's' OR p.proparallel <> 's'
           ORDER BY 1),
    ARRAY[]::text[],
    '(r9) the context functions current_organization_id, current_app_user_id, current_app_role, '
    'current_client_id and current_service_access are STABLE and PARALLEL SAFE');

SELECT is(
    ARRAY(SELECT p.oid::regprocedure::text COLLATE "C" FROM pg_catalog.pg_proc p
           WHERE p.pronamespace = 'mycelium'::regnamespace AND p.proname LIKE 'current\_%'
           ORDER BY 1),
    ARRAY['mycelium.current_app_role()', 'mycelium.current_app_user_id()', 'mycelium.current_client_id()',
          'mycelium.current_organization_id()', 'mycelium.current_organization_id_for(text)',
          'mycelium.current_service_access()'],
    '(r9) the context functions (mycelium.current_*) are exactly these six');

-- Every function a policy calls (pg_depend records them) is STABLE (or
-- IMMUTABLE) and PARALLEL SAFE, and they are exactly these: four context
-- functions, the three look-up helpers, uuid_among and the list of notification
-- types only the database makes.
SELECT is(
    ARRAY(SELECT DISTINCT format('%s %s %s', d.refobjid::regprocedure, f.provolatile, f.proparallel) COLLATE "C"
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_policy p ON p.oid = d.objid
            JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
            JOIN pg_catalog.pg_proc f ON f.oid = d.refobjid
           WHERE d.classid = 'pg_catalog.pg_policy'::regclass AND d.refclassid = 'pg_catalog.pg_proc'::regclass
             AND c.relnamespace = 'mycelium'::regnamespace
           ORDER BY 1),
    ARRAY['mycelium.current_app_role() s s', 'mycelium.current_app_user_id() s s',
          'mycelium.current_client_id() s s', 'mycelium.current_organization_id() s s',
          'mycelium.current_organization_id_for(text) s s', 'mycelium.current_service_access() s s',
          'mycelium.database_notification_types() i s',
          'mycelium.my_client_ids() s s', 'mycelium.my_service_type_ids() s s',
          'mycelium.my_writable_client_ids() s s', 'mycelium.portal_can(text) s s',
          'mycelium.uuid_among(uuid,uuid[]) i s'],
    '(r9) the functions policies call are exactly these, each STABLE (s) or IMMUTABLE (i), and PARALLEL SAFE (s)');

-- (r11) Every general policy has exactly three specializations, one per kind of
-- context, each exactly what mycelium_internal.specialized_policy makes of it
-- (specialize_policy, then fold_policy: no drift), and no specialization calls current_app_role() or reads the
-- organization in a sub-select: the organization's test is the kind's gate
-- (current_organization_id_for), computed once per scan (95_role_policies.sql).
-- Staff keep the user in a sub-select, computed once per statement; a portal
-- user's client is compared directly, with the index key.
SELECT set_eq(
    $$SELECT c.relname::text, s.polname::text, s.polcmd::text,
             coalesce(pg_catalog.pg_get_expr(s.polqual, s.polrelid), '-') AS using_expr,
             coalesce(pg_catalog.pg_get_expr(s.polwithcheck, s.polrelid), '-') AS check_expr
        FROM pg_catalog.pg_policy s JOIN pg_catalog.pg_class c ON c.oid = s.polrelid
       WHERE c.relnamespace = 'mycelium'::regnamespace AND s.polname ~ '_(admin|staff|portal)$'$$,
    $$SELECT c.relname::text, g.polname || '_' || k.kind, g.polcmd::text,
             coalesce(mycelium_internal.specialized_policy(g.polqual, g.polrelid, k.kind), '-') AS using_expr,
             coalesce(mycelium_internal.specialized_policy(g.polwithcheck, g.polrelid, k.kind), '-') AS check_expr
        FROM pg_catalog.pg_policy g JOIN pg_catalog.pg_class c ON c.oid = g.polrelid,
             unnest(ARRAY['admin', 'staff', 'portal']) AS k(kind)
       WHERE c.relnamespace = 'mycelium'::regnamespace AND g.polname !~ '_(admin|staff|portal)$'$$,
    '(r11) each general policy has its three specializations, exactly as specialized_policy makes them');
SELECT is(
    ARRAY(SELECT DISTINCT p.polname::text COLLATE "C" FROM pg_catalog.pg_policy p
            JOIN pg_catalog.pg_class c ON c.oid = p.polrelid,
                 unnest(ARRAY[pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                              pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)]) AS e(expr)
           WHERE c.relnamespace = 'mycelium'::regnamespace AND p.polname ~ '_(admin|staff|portal)$'
             AND e.expr IS NOT NULL
             AND (e.expr ~ 'current_app_role|SELECT mycelium\.current_organization_id'
                  OR NOT (e.expr = 'false'
                          OR e.expr ~ ('^\(\(?(organization_id|id) = mycelium\.current_organization_id_for\(''' || substring(p.polname FROM '(admin|staff|portal)$')
                                       || '''::text\)|^\(\(mycelium\.current_organization_id_for\(''' || substring(p.polname FROM '(admin|staff|portal)$') || '''::text\) IS NOT NULL\)')))
           ORDER BY 1),
    ARRAY[]::text[],
    '(r11) every specialization starts with its kind''s gate (or is false, all folded away), and reads no role and no organization in a sub-select');

-- (r10) The writing functions are VOLATILE (docs/operations.md: writers fail on a
-- standby, readers work there).
SELECT is(
    ARRAY(SELECT format('%s: %s', f.sig,
                        CASE WHEN p.oid IS NULL THEN 'missing' ELSE format('provolatile %s', p.provolatile) END) COLLATE "C"
            FROM unnest(ARRAY['mycelium.set_context(uuid,uuid,text,uuid,text[])', 'mycelium.authenticate(text)',
                              'mycelium.create_organization(text,text,text,text,text,text)',
                              'mycelium.archive_old_deliverables(interval,uuid)',
                              'mycelium.cleanup_old_activity_logs(interval)',
                              'mycelium.grant_access(regrole,text)', 'mycelium.set_jwt_secret(text)',
                              'mycelium.configure(text,text)']) AS f(sig)
            LEFT JOIN pg_catalog.pg_proc p ON p.oid = to_regprocedure(f.sig)
           WHERE p.oid IS NULL OR p.provolatile <> 'v'
           ORDER BY 1),
    ARRAY[]::text[],
    '(r10) set_context, authenticate, create_organization, archive_old_deliverables, '
    'cleanup_old_activity_logs, grant_access, set_jwt_secret and configure are VOLATILE');

-- (r11) A write without a context fails with a clear 42501: every table but the
-- system tables has the require_context statement trigger (BEFORE INSERT OR UPDATE
-- OR DELETE, FOR EACH STATEMENT: tgtype 2 + 4 + 8 + 16), enabled.
SELECT is(
    ARRAY(SELECT c.relname::text COLLATE "C" FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname NOT IN (SELECT tbl FROM system_tables WHERE sch = 'mycelium')
             AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g
                              WHERE g.tgrelid = c.oid AND NOT g.tgisinternal
                                AND g.tgfoid = to_regprocedure('mycelium_internal.require_context()')
                                AND g.tgtype = 2 + 4 + 8 + 16 AND g.tgenabled = 'O')
           ORDER BY 1),
    ARRAY[]::text[],
    '(r11) every table except the system tables has the require_context trigger (BEFORE INSERT OR UPDATE OR DELETE FOR EACH STATEMENT)');

SELECT * FROM finish();
ROLLBACK;
