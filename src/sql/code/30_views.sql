-- ====== Views ======
-- All security_invoker: they run with the rights of the caller, so row-level
-- security applies to them as to the tables (the document's views ran with
-- their owner's rights and showed every tenant's users to everyone).
-- "Open" deliverables are those still to be done: mycelium.open_statuses()
-- (PENDING, IN_PROGRESS, NEEDS_REVIEW, NEEDS_APPROVAL) and OVERDUE. "Completed" counts ARCHIVED too: an
-- archived deliverable was completed, and archiving must not lower a completion rate.

-- Per active user: the work on their plate. "Today" and "this week" are the
-- organization's calendar days (its time zone), and count open work only (the
-- document counted completed deliverables too).
CREATE OR REPLACE VIEW mycelium.user_dashboard_data WITH (security_invoker = true) AS
SELECT u.id                           AS user_id,
       u.organization_id,
       u.name                         AS user_name,
       u.role,
       coalesce(d.pending_tasks, 0)   AS pending_tasks,
       coalesce(d.active_tasks, 0)    AS active_tasks,
       coalesce(d.overdue_tasks, 0)   AS overdue_tasks,
       coalesce(d.due_today, 0)       AS due_today,
       coalesce(d.due_this_week, 0)   AS due_this_week
FROM mycelium.users u
LEFT JOIN mycelium.organization_settings s ON s.organization_id = u.organization_id
CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE coalesce(s.timezone, 'UTC'))::date AS today,
                           coalesce(s.timezone, 'UTC') AS tz) l
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE x.status = 'PENDING')     AS pending_tasks,
           count(*) FILTER (WHERE x.status = 'IN_PROGRESS') AS active_tasks,
           count(*) FILTER (WHERE x.status = 'OVERDUE')     AS overdue_tasks,
           count(*) FILTER (WHERE (x.due_date AT TIME ZONE l.tz)::date = l.today)  AS due_today,
           count(*) FILTER (WHERE (x.due_date AT TIME ZONE l.tz)::date
                                  BETWEEN l.today + 1 AND l.today + 7)            AS due_this_week
    FROM mycelium.deliverables x
    WHERE x.organization_id = u.organization_id
      AND x.assigned_user_id = u.id
      AND x.status = ANY (mycelium.open_statuses() || 'OVERDUE'::mycelium.deliverable_status)
) d ON true
WHERE u.status = 'ACTIVE';

-- Per client: its active services and its deliverables. Each side is aggregated
-- on its own before the join, so neither multiplies the other; next_deadline is
-- the earliest due date still ahead among open deliverables (the document took
-- the latest due date ever).
CREATE OR REPLACE VIEW mycelium.client_overview WITH (security_invoker = true) AS
SELECT c.id,
       c.organization_id,
       c.name,
       c.status,
       c.contact_email,
       coalesce(sv.service_types, '{}')        AS service_types,
       coalesce(d.total_deliverables, 0)       AS total_deliverables,
       coalesce(d.completed_deliverables, 0)   AS completed_deliverables,
       coalesce(d.overdue_deliverables, 0)     AS overdue_deliverables,
       d.next_deadline
FROM mycelium.clients c
LEFT JOIN (
    SELECT ca.organization_id, ca.client_id, array_agg(DISTINCT st.name ORDER BY st.name) AS service_types
    FROM mycelium.client_assignments ca
    JOIN mycelium.service_types st
      ON st.organization_id = ca.organization_id AND st.id = ca.service_type_id
    WHERE ca.is_active
    GROUP BY ca.organization_id, ca.client_id
) sv ON sv.organization_id = c.organization_id AND sv.client_id = c.id
LEFT JOIN (
    SELECT x.organization_id, x.client_id,
           count(*)                                     AS total_deliverables,
           count(*) FILTER (WHERE x.status IN ('COMPLETED', 'ARCHIVED')) AS completed_deliverables,
           count(*) FILTER (WHERE x.status = 'OVERDUE')   AS overdue_deliverables,
           min(x.due_date) FILTER (WHERE x.due_date >= now() AND x.status
               = ANY (mycelium.open_statuses() || 'OVERDUE'::mycelium.deliverable_status)) AS next_deadline
    FROM mycelium.deliverables x
    GROUP BY x.organization_id, x.client_id
) d ON d.organization_id = c.organization_id AND d.client_id = c.id;

-- Per organization: each count comes from its own table, aggregated apart (the
-- document joined five tables at once, some 10^9 intermediate rows per
-- organization, and never finished).
CREATE OR REPLACE VIEW mycelium.organization_analytics WITH (security_invoker = true) AS
SELECT o.id                                 AS organization_id,
       o.name                               AS organization_name,
       coalesce(u.active_users, 0)          AS active_users,
       coalesce(c.active_clients, 0)        AS active_clients,
       coalesce(d.total_deliverables, 0)    AS total_deliverables,
       coalesce(d.completed_deliverables, 0) AS completed_deliverables,
       coalesce(d.overdue_deliverables, 0)  AS overdue_deliverables,
       round(d.completed_deliverables * 100.0 / nullif(d.total_deliverables, 0), 2) AS completion_rate,
       coalesce(p.total_projects, 0)        AS total_projects,
       coalesce(st.service_types_count, 0)  AS service_types_count
FROM mycelium.organizations o
LEFT JOIN (SELECT organization_id, count(*) AS active_users
             FROM mycelium.users WHERE status = 'ACTIVE' GROUP BY organization_id) u
       ON u.organization_id = o.id
LEFT JOIN (SELECT organization_id, count(*) AS active_clients
             FROM mycelium.clients WHERE status = 'ACTIVE' GROUP BY organization_id) c
       ON c.organization_id = o.id
LEFT JOIN (SELECT organization_id,
                  count(*)                                     AS total_deliverables,
                  count(*) FILTER (WHERE status IN ('COMPLETED', 'ARCHIVED')) AS completed_deliverables,
                  count(*) FILTER (WHERE status = 'OVERDUE')   AS overdue_deliverables
             FROM mycelium.deliverables GROUP BY organization_id) d
       ON d.organization_id = o.id
LEFT JOIN (SELECT organization_id, count(*) AS total_projects
             FROM mycelium.projects GROUP BY organization_id) p
       ON p.organization_id = o.id
LEFT JOIN (SELECT organization_id, count(*) AS service_types_count
             FROM mycelium.service_types GROUP BY organization_id) st
       ON st.organization_id = o.id;

-- The activity feed, with the resource's current name (or the name it had when it
-- was logged, once it is gone). Order it yourself, ORDER BY "timestamp" DESC: the
-- document's view sorted inside, which kept "the newest 50 of an organization"
-- from using activity_logs_recent_idx (300 ms instead of 3 ms at the bench scale).
-- Deliverables, nearly every row of the log, are joined; the rarer clients,
-- projects and users are looked up by scalar sub-selects, run only for the rows
-- of their type. With a join for each, planning the newest 50 took longer than
-- running them (1.9 ms against 0.5 ms; docs/performance.md).
CREATE OR REPLACE VIEW mycelium.recent_activity WITH (security_invoker = true) AS
SELECT al.id,
       al.organization_id,
       al.action,
       al.resource_type,
       al.resource_id,
       al."timestamp",
       u.name       AS user_name,
       u.avatar_url AS user_avatar,
       coalesce(CASE al.resource_type
                    WHEN 'deliverable' THEN d.title
                    WHEN 'client' THEN (SELECT c.name FROM mycelium.clients c
                                         WHERE c.organization_id = al.organization_id AND c.id = al.resource_id)
                    WHEN 'project' THEN (SELECT p.name FROM mycelium.projects p
                                          WHERE p.organization_id = al.organization_id AND p.id = al.resource_id)
                    WHEN 'user' THEN (SELECT ru.name FROM mycelium.users ru
                                       WHERE ru.organization_id = al.organization_id AND ru.id = al.resource_id)
                END, al.resource_name) AS resource_name
FROM mycelium.activity_logs al
LEFT JOIN mycelium.users u
       ON u.organization_id = al.organization_id AND u.id = al.user_id
LEFT JOIN mycelium.deliverables d
       ON al.resource_type = 'deliverable' AND d.organization_id = al.organization_id AND d.id = al.resource_id;
