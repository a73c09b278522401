-- ====== Recurring generation ======
-- One deliverable per client, recurring service and month, and one per
-- occurrence of a recurring template, exactly once however often (or however
-- concurrently) it runs: every row carries its recurrence key and is inserted
-- with ON CONFLICT DO NOTHING against the unique indexes of 30_indexes.sql. The
-- rows go in with a single INSERT ... SELECT, so the per-row work is the
-- table's own (indexes, the custom-field check), and the activity log gets one
-- row per organization naming them all. docs/recurrence.md describes the rules.


CREATE OR REPLACE FUNCTION mycelium.generate_recurring_deliverables(
    organization_id uuid    DEFAULT NULL,
    period          date    DEFAULT NULL,
    dry_run         boolean DEFAULT false
) RETURNS SETOF mycelium.deliverables
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    fn constant text := 'generate_recurring_deliverables';
    requested uuid := generate_recurring_deliverables.organization_id;
    target_month date;  -- NULL: each organization's current month in its own zone
    candidates uuid[];
    eligible uuid[] := '{}';
    o record;
    t record;
    occurrences timestamptz[];
    tmpl_ids uuid[] := '{}';
    tmpl_orgs uuid[] := '{}';
    tmpl_at timestamptz[] := '{}';
BEGIN
    PERFORM mycelium.require_writable(fn);
    IF dry_run IS NULL THEN
        RAISE EXCEPTION '%: dry_run must be true or false, not NULL', fn
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
    END IF;
    -- Any day of a month means that month.
    IF period IS NOT NULL THEN
        IF NOT isfinite(period) OR period < date '0001-01-01' OR period >= date '9999-12-01' THEN
            RAISE EXCEPTION '%: period % is outside the supported years 1 to 9999', fn, period
                USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium';
        END IF;
        target_month := date_trunc('month', period::timestamp)::date;
    END IF;

    candidates := mycelium_internal.acting_organizations(fn, requested);
    -- An ADMIN of an organization whose subscription made it read-only may not
    -- generate (44_subscriptions.sql); a run without a context skips it below.
    IF NOT dry_run AND mycelium.current_organization_id() IS NOT NULL THEN
        PERFORM mycelium_internal.require_organization_writable(fn, mycelium.current_organization_id());
    END IF;

    -- Organizations that cannot take part are reported, not failed: one
    -- organization's settings must not stop everyone's scheduled run.
    FOR o IN
        SELECT g.id, g.slug, s.organization_id IS NOT NULL AS has_settings,
               coalesce(s.enable_recurring_generation, false) AS enabled,
               EXISTS (SELECT FROM mycelium.users u
                       WHERE u.organization_id = g.id AND u.role = 'ADMIN' AND u.status = 'ACTIVE') AS has_admin,
               r.reason AS read_only
        FROM mycelium.organizations g
        LEFT JOIN mycelium.organization_settings s ON s.organization_id = g.id
        LEFT JOIN mycelium_internal.read_only_organizations(candidates) r ON r.organization_id = g.id
        WHERE g.id = ANY (candidates)
        ORDER BY g.id
    LOOP
        IF NOT o.has_settings THEN
            RAISE NOTICE '%: skipped organization %: it has no organization_settings row', fn, o.slug;
        ELSIF NOT o.enabled THEN
            RAISE NOTICE '%: skipped organization %: enable_recurring_generation is off', fn, o.slug;
        ELSIF NOT o.has_admin THEN
            RAISE NOTICE '%: skipped organization %: it has no ACTIVE ADMIN to create deliverables', fn, o.slug;
        ELSIF o.read_only IS NOT NULL THEN
            RAISE NOTICE '%: skipped organization %: it is read-only (%)', fn, o.slug, o.read_only;
        ELSE
            eligible := eligible || o.id;
        END IF;
    END LOOP;

    -- Templates: expanded one by one, so that one tenant's rule that hits the
    -- expansion limits (a minutely cron rule) is reported and skipped.
    FOR t IN
        SELECT d.organization_id, d.id, d.title, d.recurrence_rule,
               coalesce(d.start_date, d.due_date, d.created_at) AS dtstart, s.timezone,
               (p.month::timestamp AT TIME ZONE s.timezone) AS period_start,
               ((p.month + interval '1 month')::timestamp AT TIME ZONE s.timezone) AS period_end
        FROM mycelium.deliverables d
        JOIN mycelium.organization_settings s ON s.organization_id = d.organization_id
        JOIN mycelium.clients c ON c.organization_id = d.organization_id AND c.id = d.client_id
        CROSS JOIN LATERAL (SELECT coalesce(target_month, date_trunc('month', now() AT TIME ZONE s.timezone)::date)
                                   AS month) p
        WHERE d.organization_id = ANY (eligible)
          AND d.is_recurring AND d.recurrence_rule IS NOT NULL AND d.recurrence_period IS NULL
          AND d.status NOT IN ('CANCELLED', 'ARCHIVED')
          AND c.status = 'ACTIVE' AND NOT c.is_paused
          -- A service type switched off makes no new work (28_defaults.sql).
          AND EXISTS (SELECT FROM mycelium.service_types st
                       WHERE st.organization_id = d.organization_id AND st.id = d.service_type_id AND st.is_active)
        ORDER BY d.organization_id, d.id
    LOOP
        BEGIN
            occurrences := ARRAY(SELECT mycelium.expand_recurrence(t.recurrence_rule, t.dtstart, t.period_start,
                                                                   t.period_end, t.timezone));
            tmpl_ids := tmpl_ids || array_fill(t.id, ARRAY[cardinality(occurrences)]);
            tmpl_orgs := tmpl_orgs || array_fill(t.organization_id, ARRAY[cardinality(occurrences)]);
            tmpl_at := tmpl_at || occurrences;
        EXCEPTION WHEN invalid_parameter_value OR program_limit_exceeded THEN
            RAISE NOTICE '%: skipped template "%" (%): %', fn, t.title, t.id, SQLERRM;
        END;
    END LOOP;

    BEGIN
        -- One statement: the rows, and one activity-log row per organization that
        -- names every deliverable generated (instead of a row per deliverable).
        PERFORM set_config('mycelium.in_job_statement', 'on', true);
        RETURN QUERY
        WITH plan AS (
            -- Per organization: its month, time zone, words and designated ADMIN
            -- (the earliest-created active one, so that every run picks the same).
            SELECT s.organization_id AS org, s.timezone AS tz, s.locale, s.auto_assign_to_admin,
                   p.month,
                   (p.month::timestamp AT TIME ZONE s.timezone) AS period_start,
                   ((p.month + interval '1 month')::timestamp AT TIME ZONE s.timezone) AS period_end,
                   mycelium.date_label(p.month, s.locale, 'yMMMM') AS month_words,
                   (SELECT u.id FROM mycelium.users u
                     WHERE u.organization_id = s.organization_id AND u.role = 'ADMIN' AND u.status = 'ACTIVE'
                     ORDER BY u.created_at, u.id LIMIT 1) AS admin_id
            FROM mycelium.organization_settings s
            CROSS JOIN LATERAL (SELECT coalesce(target_month,
                                                date_trunc('month', now() AT TIME ZONE s.timezone)::date) AS month) p
            WHERE s.organization_id = ANY (eligible)
        ),
        from_services AS (
            SELECT c.organization_id, c.id AS client_id, NULL::uuid AS project_id, st.id AS service_type_id,
                   st.name || ' – ' || plan.month_words AS title, NULL::text AS description,
                   'MEDIUM'::mycelium.priority AS priority,
                   coalesce(pa.user_id, CASE WHEN plan.auto_assign_to_admin THEN plan.admin_id END)
                       AS assigned_user_id,
                   plan.admin_id AS created_by_id,
                   -- Due at the end of the month's last day, in the organization's zone.
                   plan.period_end - interval '1 second' AS due_date,
                   plan.period_start AS start_date,
                   NULL::numeric AS estimated_hours, NULL::jsonb AS custom_fields,
                   NULL::uuid AS parent_id, plan.month AS recurrence_period,
                   NULL::timestamptz AS recurrence_occurrence
            FROM plan
            JOIN mycelium.clients c ON c.organization_id = plan.org
            JOIN mycelium.service_types st ON st.organization_id = plan.org
            LEFT JOIN LATERAL (
                SELECT a.user_id FROM mycelium.client_assignments a
                JOIN mycelium.users u ON u.organization_id = a.organization_id AND u.id = a.user_id
                WHERE a.organization_id = c.organization_id AND a.client_id = c.id
                  AND a.service_type_id = st.id AND a.role = 'PRIMARY' AND a.is_active AND u.status = 'ACTIVE'
            ) pa ON true
            WHERE c.status = 'ACTIVE' AND NOT c.is_paused
              AND st.workflow_type = 'RECURRING' AND st.is_active
              AND EXISTS (SELECT FROM mycelium.client_assignments a
                          WHERE a.organization_id = c.organization_id AND a.client_id = c.id
                            AND a.service_type_id = st.id AND a.is_active)
        ),
        from_templates AS (
            SELECT d.organization_id, d.client_id, d.project_id, d.service_type_id,
                   d.title || ' – ' || mycelium.date_label((x.at AT TIME ZONE plan.tz)::date, plan.locale, 'yMMMd'),
                   d.description, d.priority,
                   coalesce(d.assigned_user_id, pa.user_id,
                            CASE WHEN plan.auto_assign_to_admin THEN plan.admin_id END),
                   plan.admin_id,
                   -- The template's own span when it has one, else the service's
                   -- default duration in local days (a DST change does not shift it).
                   CASE WHEN d.start_date IS NOT NULL AND d.due_date IS NOT NULL
                        THEN x.at + (d.due_date - d.start_date)
                        ELSE ((x.at AT TIME ZONE plan.tz) + make_interval(days => st.default_duration))
                             AT TIME ZONE plan.tz END,
                   x.at, d.estimated_hours, d.custom_fields, d.id, plan.month, x.at
            FROM unnest(tmpl_orgs, tmpl_ids, tmpl_at) AS x(org, template_id, at)
            JOIN plan ON plan.org = x.org
            JOIN mycelium.deliverables d ON d.organization_id = x.org AND d.id = x.template_id
            JOIN mycelium.service_types st ON st.organization_id = d.organization_id AND st.id = d.service_type_id
            LEFT JOIN LATERAL (
                SELECT a.user_id FROM mycelium.client_assignments a
                JOIN mycelium.users u ON u.organization_id = a.organization_id AND u.id = a.user_id
                WHERE a.organization_id = d.organization_id AND a.client_id = d.client_id
                  AND a.service_type_id = d.service_type_id AND a.role = 'PRIMARY' AND a.is_active
                  AND u.status = 'ACTIVE'
            ) pa ON true
        ),
        created AS (
            INSERT INTO mycelium.deliverables AS n
                (organization_id, client_id, project_id, service_type_id, title, description, status, priority,
                 assigned_user_id, created_by_id, due_date, start_date, estimated_hours, custom_fields,
                 is_recurring, parent_id, recurrence_period, recurrence_occurrence)
            SELECT g.organization_id, g.client_id, g.project_id, g.service_type_id, g.title, g.description,
                   'PENDING', g.priority, g.assigned_user_id, g.created_by_id, g.due_date, g.start_date,
                   g.estimated_hours, g.custom_fields, true, g.parent_id, g.recurrence_period,
                   g.recurrence_occurrence
            FROM (SELECT * FROM from_services UNION ALL SELECT * FROM from_templates) g
            ORDER BY g.organization_id, g.client_id, g.service_type_id, g.recurrence_occurrence
            ON CONFLICT DO NOTHING
            RETURNING n.*
        ),
        logged AS (
            INSERT INTO mycelium.activity_logs (organization_id, user_id, action, resource_type, resource_id,
                                                resource_name, metadata)
            SELECT c.organization_id,
                   (SELECT u.id FROM mycelium.users u
                     WHERE u.organization_id = c.organization_id AND u.id = mycelium.current_app_user_id()),
                   'generated', 'organization', c.organization_id, g.name,
                   jsonb_build_object('period', min(c.recurrence_period), 'count', count(*),
                                      'deliverable_ids', jsonb_agg(c.id ORDER BY c.id))
            FROM created c JOIN mycelium.organizations g ON g.id = c.organization_id
            GROUP BY c.organization_id, g.name
        )
        SELECT * FROM created;
        PERFORM set_config('mycelium.in_job_statement', 'off', true);

        -- A dry run makes the real rows, so that what it returns is exactly what
        -- a run would create (defaults, triggers, conflicts), then undoes them
        -- with an error of Mycelium's own SQLSTATE that no caller ever sees.
        IF dry_run THEN
            RAISE EXCEPTION 'dry run' USING ERRCODE = 'MYDRY', SCHEMA = 'mycelium';
        END IF;
    EXCEPTION WHEN SQLSTATE 'MYDRY' THEN
        -- The rows a dry run made are already in the result; the exception rolled
        -- back everything else it wrote (the rows, their activity log).
        NULL;
    END;
END;
$$;
COMMENT ON FUNCTION mycelium.generate_recurring_deliverables(uuid, date, boolean) IS
    'Creates each period''s recurring deliverables exactly once; returns the rows created (or, dry run, that would be)';
