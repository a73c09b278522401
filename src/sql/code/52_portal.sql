-- ====== What a portal user sees ======
-- A portal (CLIENT) context acts as the database role mycelium_portal
-- (mycelium.set_context and mycelium.authenticate switch to it; a PostgREST-style
-- server names it in the token's "role" claim), and holds under no other role
-- (src/pg/context.cpp). The row-level policies choose a portal user's rows as
-- for everyone; the role's column privileges choose its columns: the agency's
-- internal data (a client's notes, tags, custom fields and the reason it was
-- paused, rates, budgets, estimates and hours, who at the agency did what,
-- security settings) is not among them. docs/security.md, "What a portal user
-- sees".

-- The columns mycelium_portal may read, per table: the one list, which
-- equip_role grants and the documentation prints. A column not listed (a new
-- one included) stays hidden.
CREATE OR REPLACE FUNCTION mycelium.portal_columns(OUT table_name text, OUT column_names text[])
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    VALUES
        ('organizations', ARRAY['id', 'name', 'slug', 'description', 'website', 'industry', 'created_at',
                                'updated_at']),
        ('organization_settings', ARRAY['id', 'organization_id', 'timezone', 'locale', 'date_format',
                                        'week_starts_on', 'enable_client_portal', 'enable_file_versioning']),
        ('organization_branding', ARRAY['id', 'organization_id', 'primary_color', 'secondary_color', 'logo_url',
                                        'favicon_url', 'portal_welcome_message', 'portal_support_email',
                                        'custom_domain', 'custom_css', 'created_at', 'updated_at']),
        ('service_types', ARRAY['id', 'organization_id', 'name', 'slug', 'description', 'is_active', 'sort_order',
                                'workflow_type', 'default_duration', 'created_at', 'updated_at']),
        ('deliverable_fields', ARRAY['id', 'organization_id', 'service_type_id', 'name', 'slug', 'type',
                                     'is_required', 'sort_order', 'default_value', 'placeholder', 'help_text',
                                     'min_length', 'max_length', 'min_value', 'max_value', 'pattern', 'options',
                                     'created_at', 'updated_at']),
        ('clients', ARRAY['id', 'organization_id', 'name', 'slug', 'contact_email', 'contact_phone',
                          'contact_person', 'company_name', 'website', 'industry', 'address', 'status', 'is_paused',
                          'paused_at', 'notification_email', 'preferred_contact_method', 'dropbox_folder_url',
                          'drive_id', 'created_at', 'updated_at']),
        ('client_users', ARRAY['id', 'organization_id', 'client_id', 'email', 'name', 'role', 'email_verified',
                               'last_login_at', 'is_active', 'title', 'phone', 'can_approve', 'can_download',
                               'can_comment', 'created_at', 'updated_at']),
        ('projects', ARRAY['id', 'organization_id', 'client_id', 'name', 'description', 'status', 'priority',
                           'start_date', 'end_date', 'created_at', 'updated_at']),
        -- Files: mycelium.portal_attachments, for those with can_download.
        ('deliverables', ARRAY['id', 'organization_id', 'client_id', 'project_id', 'service_type_id', 'title',
                               'description', 'status', 'priority', 'due_date', 'start_date', 'completed_at',
                               'approved_at', 'approved_by_client_user_id', 'custom_fields', 'is_recurring',
                               'parent_id', 'recurrence_period', 'created_at', 'updated_at']),
        ('comments', ARRAY['id', 'organization_id', 'deliverable_id', 'user_id', 'client_user_id', 'content', 'type',
                           'is_internal', 'mentions', 'parent_id', 'created_at', 'updated_at']),
        -- Its own notifications, which it marks read (notification_recipients_select).
        ('notifications', ARRAY['id', 'organization_id', 'type', 'title', 'message', 'channels', 'scheduled_for',
                                'sent_at', 'related_id', 'related_type', 'metadata', 'status', 'created_at',
                                'updated_at']),
        ('notification_recipients', ARRAY['id', 'organization_id', 'notification_id', 'user_id', 'client_user_id',
                                          'channel', 'read_at', 'delivered_at', 'email_status']),
        -- Its rows only with can_download (attachment_versions_select).
        ('attachment_versions', ARRAY['id', 'organization_id', 'deliverable_id', 'comment_id', 'attachment', 'change',
                                      'changed_by_client_user_id', 'changed_at'])
$$;
COMMENT ON FUNCTION mycelium.portal_columns() IS
    'The columns of each table a portal (CLIENT) user may read; every other column is hidden from it';

-- The files of a portal user's deliverables and of their comments, for a portal
-- user with can_download (mycelium.portal_can('download')); nothing for anyone
-- else. With its owner's rights, not the caller's: mycelium_portal cannot read
-- the attachments columns, whose visibility depends on a flag of the user, not
-- on the role. The conditions are the portal arms of deliverables_select and
-- comments_select, written out.
CREATE OR REPLACE VIEW mycelium.portal_attachments WITH (security_barrier = true) AS
SELECT d.organization_id, d.id AS deliverable_id, NULL::uuid AS comment_id, d.attachments
FROM mycelium.deliverables d
WHERE d.organization_id = mycelium.current_organization_id()
  AND mycelium.current_app_role() = 'CLIENT'
  AND d.client_id = mycelium.current_client_id()
  AND mycelium.portal_can('download')
  AND d.attachments IS NOT NULL
UNION ALL
SELECT c.organization_id, c.deliverable_id, c.id, c.attachments
FROM mycelium.comments c
JOIN mycelium.deliverables d ON d.organization_id = c.organization_id AND d.id = c.deliverable_id
WHERE c.organization_id = mycelium.current_organization_id()
  AND mycelium.current_app_role() = 'CLIENT'
  AND d.client_id = mycelium.current_client_id()
  AND NOT c.is_internal
  AND mycelium.portal_can('download')
  AND c.attachments IS NOT NULL;
COMMENT ON VIEW mycelium.portal_attachments IS
    'The attachments of the current portal user''s deliverables and their comments, if it may download them';
