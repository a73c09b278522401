-- ====== Indexes ======
-- Primary keys lead on organization_id, so the design document's single-column
-- organization_id indexes are already covered and are not created; neither is any
-- index whose columns lead another one (docs/differences.md lists each). Every
-- index costs every insert, so each one below names the query that needs it.

-- Logins are unique across the system and case-insensitive.
CREATE UNIQUE INDEX users_email_key ON mycelium.users (lower(email));
CREATE UNIQUE INDEX client_users_email_key ON mycelium.client_users (lower(email));
-- So is a portal's custom domain: it decides which organization a request is
-- for. Stored in lower case (organization_branding_custom_domain_format); the
-- index compares lower() all the same, should that check ever be relaxed.
CREATE UNIQUE INDEX organization_branding_custom_domain_key
    ON mycelium.organization_branding (lower(custom_domain));

-- Admin look-ups (generation, notifications) and the people screens.
CREATE INDEX users_org_role_idx ON mycelium.users (organization_id, role);
CREATE INDEX users_org_status_idx ON mycelium.users (organization_id, status);

CREATE INDEX clients_org_status_idx ON mycelium.clients (organization_id, status);
CREATE INDEX clients_name_search_idx ON mycelium.clients USING gin (to_tsvector('english', name));
CREATE INDEX clients_custom_fields_idx ON mycelium.clients USING gin (custom_fields);

-- "My clients" (a user's assignments); the client side is covered by the unique key.
CREATE INDEX client_assignments_org_user_idx ON mycelium.client_assignments (organization_id, user_id);
-- The service side serves the cascade from a deleted service type.
CREATE INDEX client_assignments_org_service_type_idx
    ON mycelium.client_assignments (organization_id, service_type_id);
-- One active PRIMARY assignee per client and service: generation and
-- notifications address "the" primary, so there must be at most one.
CREATE UNIQUE INDEX client_assignments_one_primary_key
    ON mycelium.client_assignments (organization_id, client_id, service_type_id)
    WHERE role = 'PRIMARY' AND is_active;

CREATE INDEX client_users_org_client_idx ON mycelium.client_users (organization_id, client_id);

CREATE INDEX projects_org_client_idx ON mycelium.projects (organization_id, client_id);
CREATE INDEX projects_org_status_idx ON mycelium.projects (organization_id, status);

-- Deliverables: the document's dashboard index, of a user's open work only
-- (user_dashboard_data's statuses), so that a user's entries in it are the
-- dashboard's rows. With status as a key column, the planner searched it by
-- status in a small table, but filtered every one of the user's entries once the
-- index was large (5 million deliverables: 4,800 entries read for 550, 20 ms
-- against 11); under row-level security it could not search by status at all
-- (the enum's = is not leakproof). The included columns are the view's status and
-- those the staff policy reads: an index-only scan, filtered in the index.
CREATE INDEX deliverables_dashboard_idx
    ON mycelium.deliverables (organization_id, assigned_user_id, due_date)
    INCLUDE (status, client_id, service_type_id)
    WHERE status = ANY (mycelium.open_statuses() || 'OVERDUE'::mycelium.deliverable_status);
-- A page of an organization's newest deliverables (ORDER BY created_at DESC, id
-- DESC LIMIT n) reads the page, not all of the organization's rows and a sort.
CREATE INDEX deliverables_org_created_idx ON mycelium.deliverables (organization_id, created_at, id);
-- A user's deliverables of a period (productivity_scores: those created in it):
-- without it the scores of every user read each user's whole history, with the
-- dashboard index, and at 100 organizations took 20 s instead of 0.9. Its
-- leading columns serve "assigned to user" and the SET NULL of a deleted
-- assignee, so idx_deliverables_org_user is not created.
CREATE INDEX deliverables_org_assignee_created_idx
    ON mycelium.deliverables (organization_id, assigned_user_id, created_at);
-- A client's deliverables. Its included columns are client_overview's and those
-- the staff policy reads, so that the view's counts per client are an index-only
-- scan of the organization's entries, in client order.
CREATE INDEX deliverables_org_client_idx ON mycelium.deliverables (organization_id, client_id)
    INCLUDE (status, due_date, assigned_user_id, service_type_id);
-- The included columns are those the deliverables policy reads for its non-ADMIN
-- branches: with them a tenant's count by status stays an index-only scan under
-- row-level security, as it is without it.
CREATE INDEX deliverables_org_status_idx ON mycelium.deliverables (organization_id, status)
    INCLUDE (assigned_user_id, client_id, service_type_id);
CREATE INDEX deliverables_org_due_idx ON mycelium.deliverables (organization_id, due_date);
CREATE INDEX deliverables_org_service_type_idx ON mycelium.deliverables (organization_id, service_type_id);
-- Partial: most deliverables have no project or parent, and these serve only the
-- ON DELETE SET NULL of a deleted project or template.
CREATE INDEX deliverables_org_project_idx ON mycelium.deliverables (organization_id, project_id)
    WHERE project_id IS NOT NULL;
CREATE INDEX deliverables_org_parent_idx ON mycelium.deliverables (organization_id, parent_id)
    WHERE parent_id IS NOT NULL;
-- Exactly-once generation (generate_recurring_deliverables inserts with ON
-- CONFLICT DO NOTHING against these): one deliverable per client, recurring
-- service and month, and one per template occurrence. Partial, so that they cost
-- nothing for deliverables made by hand.
CREATE UNIQUE INDEX deliverables_generated_service_key
    ON mycelium.deliverables (organization_id, client_id, service_type_id, recurrence_period)
    WHERE recurrence_period IS NOT NULL AND recurrence_occurrence IS NULL;
CREATE UNIQUE INDEX deliverables_generated_occurrence_key
    ON mycelium.deliverables (organization_id, parent_id, recurrence_occurrence)
    WHERE recurrence_occurrence IS NOT NULL;
-- The recurring templates generation expands: few rows, found without a scan of
-- every deliverable.
CREATE INDEX deliverables_templates_idx ON mycelium.deliverables (organization_id)
    WHERE recurrence_rule IS NOT NULL AND recurrence_period IS NULL;
-- The sweeps: only open, dated deliverables, so that a sweep that finds nothing
-- reads an empty range of a small index (the sweeps test the same list); by
-- organization first, like every tenant's index, so that a sweep of one
-- organization reads its own open rows and not every tenant's (on due_date alone,
-- it read and filtered out the others').
CREATE INDEX deliverables_open_due_idx ON mycelium.deliverables (organization_id, due_date)
    WHERE status = ANY (mycelium.open_statuses());
CREATE INDEX deliverables_title_search_idx
    ON mycelium.deliverables USING gin (to_tsvector('english', title));
CREATE INDEX deliverables_custom_fields_idx ON mycelium.deliverables USING gin (custom_fields);

CREATE INDEX comments_org_deliverable_idx ON mycelium.comments (organization_id, deliverable_id);
CREATE INDEX comments_org_user_idx ON mycelium.comments (organization_id, user_id);
CREATE INDEX comments_org_client_user_idx ON mycelium.comments (organization_id, client_user_id)
    WHERE client_user_id IS NOT NULL;
CREATE INDEX comments_org_parent_idx ON mycelium.comments (organization_id, parent_id)
    WHERE parent_id IS NOT NULL;

-- A deliverable's history, newest last; a comment's (and its cascade); the
-- users' SET NULL.
CREATE INDEX attachment_versions_org_deliverable_idx
    ON mycelium.attachment_versions (organization_id, deliverable_id, changed_at);
CREATE INDEX attachment_versions_org_comment_idx ON mycelium.attachment_versions (organization_id, comment_id)
    WHERE comment_id IS NOT NULL;
CREATE INDEX attachment_versions_org_changed_by_idx ON mycelium.attachment_versions (organization_id, changed_by_id)
    WHERE changed_by_id IS NOT NULL;
CREATE INDEX attachment_versions_org_changed_by_client_user_idx
    ON mycelium.attachment_versions (organization_id, changed_by_client_user_id)
    WHERE changed_by_client_user_id IS NOT NULL;
CREATE INDEX time_entries_org_user_idx ON mycelium.time_entries (organization_id, user_id);
CREATE INDEX time_entries_org_deliverable_idx ON mycelium.time_entries (organization_id, deliverable_id);
CREATE INDEX time_entries_org_start_time_idx ON mycelium.time_entries (organization_id, start_time);

CREATE INDEX notifications_org_type_idx ON mycelium.notifications (organization_id, type);
CREATE INDEX notifications_org_related_idx ON mycelium.notifications (organization_id, related_id)
    WHERE related_id IS NOT NULL;
-- Due-soon and overdue notifications are made once per deliverable and due date
-- (send_notifications inserts with ON CONFLICT DO NOTHING against this).
CREATE UNIQUE INDEX notifications_deliverable_due_key
    ON mycelium.notifications (organization_id, type, related_id, (metadata ->> 'due_date'))
    WHERE type IN ('DELIVERABLE_DUE_SOON', 'DELIVERABLE_OVERDUE');
-- Pending notifications across organizations, oldest first: what waits to be
-- sent (claim_deliveries reads the recipients' outbox, below).
CREATE INDEX notifications_pending_queue_idx ON mycelium.notifications (scheduled_for)
    WHERE status = 'PENDING';

CREATE INDEX notification_recipients_org_user_idx
    ON mycelium.notification_recipients (organization_id, user_id);
-- A portal user's notifications, and the cascade when its account goes.
CREATE INDEX notification_recipients_org_client_user_idx
    ON mycelium.notification_recipients (organization_id, client_user_id) WHERE client_user_id IS NOT NULL;
-- The delivery outbox: what claim_deliveries may hand out, by channel and the
-- time it may next be tried (never tried: -infinity, first in line). Only the
-- undone rows of external channels are in it, so it stays the size of the backlog.
CREATE INDEX notification_recipients_outbox_idx
    ON mycelium.notification_recipients (channel, (coalesce(next_attempt_at, '-infinity'::timestamptz)), id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND channel <> 'in_app';

-- The webhook outbox (56_webhooks.sql): what claim_webhook_deliveries may hand
-- out, by the time it may next be tried; the size of the backlog, like the
-- notifications' outbox, without what a disabled integration parked. And an
-- integration's deliveries (its cascade, and the parking).
CREATE INDEX webhook_deliveries_outbox_idx
    ON mycelium.webhook_deliveries ((coalesce(next_attempt_at, '-infinity'::timestamptz)), id)
    WHERE delivered_at IS NULL AND failed_at IS NULL AND NOT parked;
CREATE INDEX webhook_deliveries_org_integration_idx
    ON mycelium.webhook_deliveries (organization_id, integration_id);

CREATE INDEX activity_logs_org_user_idx ON mycelium.activity_logs (organization_id, user_id);
CREATE INDEX activity_logs_org_resource_idx
    ON mycelium.activity_logs (organization_id, resource_type, resource_id);
CREATE INDEX activity_logs_recent_idx ON mycelium.activity_logs (organization_id, "timestamp" DESC);
-- Retention (cleanup_old_activity_logs) deletes by age across organizations.
CREATE INDEX activity_logs_timestamp_idx ON mycelium.activity_logs ("timestamp");
