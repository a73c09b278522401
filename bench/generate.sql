-- The benchmark's data set: a realistic agency workload, generated deterministically.
--
--   psql -v seed=42 -v orgs=20 -v users_per_org=10 -v clients_per_org=500 \
--        -v deliverables=1000000 -f bench/generate.sql
--
-- (bench/run passes these; bench/harness.sql must be loaded first.) Run as the
-- superuser, with no tenant context: rows go in through set-based INSERT ... SELECT,
-- and the extension's triggers (slugs, the statement-level activity log, the
-- custom-field check, foreign keys, the context check) fire as they would for any
-- bulk load.
--
-- Determinism: every random choice is bench.rnd(n, stream), a stateless hash of
-- (seed, stream, n) where n is the row's number, not random(): the same seed gives
-- the same rows whatever the plan, order or parallelism. What differs from run to
-- run is only what the extension makes itself (uuid_v7 ids) and the calendar:
-- dates are laid out relative to the anchor day (the day of the load), so that
-- "past due", "due this week" and "last 30 days" mean the same on every run.
--
-- Shape, per organization (created with mycelium.create_organization, so each has
-- the four default service types and the three social-media fields):
--   users          users_per_org: 1 or 2 ADMINs, then editors, filmers, an SEO
--                  strategist, a web designer, a CUSTOM role; ~5% of non-admins
--                  INACTIVE or PENDING
--   clients        clients_per_org: ~93.5% ACTIVE, 3% PAUSED (is_paused), 2%
--                  INACTIVE, 1% ARCHIVED, 0.5% TERMINATED
--   assignments    every client on 'social' with a PRIMARY assignee (an editor,
--                  filmer or CUSTOM user), 20% with an ADMIN as SECONDARY; 30% also
--                  on 'seo', 15% on 'website', 10% on 'oneoff'
--   projects       one per client and service for seo and website
--   portal users   one for 20% of clients
-- and across all organizations:
--   deliverables   `deliverables` rows created over the twelve months before the
--                  anchor day, in time order (organizations interleaved, as in real
--                  life); each for one of its client's assignments (so ~65% social);
--                  due 7/30/60/14 days (by service, +-30%) after creation; statuses
--                  by how long ago they were due (long past: 86% COMPLETED, 4%
--                  APPROVED, 3% CANCELLED, 3% OVERDUE, 4% still open; recently past:
--                  more open and OVERDUE; future: mostly PENDING and IN_PROGRESS);
--                  85% assigned to the client's primary, 10% to another colleague,
--                  5% unassigned; completion times, hours, priorities; social ones
--                  carry valid custom_fields (Mycelium checks them on write):
--                  deliverable_name and edit_by_date (required), dropbox_link
--                  (optional, 75%); a third of the PENDING ones due two days or
--                  more after the anchor day are drafts without an edit_by_date,
--                  which PENDING allows
--   comments       0-3 per deliverable (mean ~0.6), 30% internal
--   time entries   0-2 per worked-on deliverable (mean ~0.7); the organizations
--                  track time, and each deliverable's actual_hours is the sum
--   notifications  one DELIVERABLE_OVERDUE notification per OVERDUE deliverable, as
--                  earlier sweeps would have left, to its assignee in the app and
--                  by e-mail; 3% still PENDING, their e-mail not yet sent (the
--                  delivery worker's backlog), the rest SENT
--   activity log   written by the extension's triggers as the rows go in

\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- Progress marks (bench.step) print nothing.
\o /dev/null

INSERT INTO bench.params (key, value) VALUES
    ('seed', :'seed'), ('orgs', :'orgs'), ('users_per_org', :'users_per_org'),
    ('clients_per_org', :'clients_per_org'), ('deliverables', :'deliverables'),
    ('anchor', date_trunc('day', now())::text)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

-- rnd(n, stream): uniform in [0, 1), a pure function of (seed, stream, n).
SELECT format($f$
CREATE FUNCTION bench.rnd(n bigint, stream integer) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(n, %s::bigint * 1000 + stream) & 9007199254740991)::float8 / 9007199254740992.0 $$
$f$, :seed::bigint) \gexec

-- pick(list, r): the element of list at fraction r.
CREATE FUNCTION bench.pick(list text[], r float8) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT list[1 + floor(r * cardinality(list))::integer] $$;

-- anchor(): the anchor day, as a constant (so that it is folded into every plan).
SELECT format($f$
CREATE FUNCTION bench.anchor() RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT %L::timestamptz $$
$f$, bench.param('anchor')) \gexec

-- ------ Organizations ------
SELECT bench.step('organizations');

CREATE TABLE bench.org_map (
    org_no  integer PRIMARY KEY,
    id      uuid    NOT NULL UNIQUE,
    name    text    NOT NULL
);

INSERT INTO bench.org_map (org_no, id, name)
SELECT o, org.id, org.name
FROM generate_series(1, :orgs) AS o
CROSS JOIN LATERAL mycelium.create_organization(
    (ARRAY['Northwind', 'Bluebird', 'Ironwood', 'Copperline', 'Fernhill', 'Lighthouse', 'Redwood', 'Silverpine',
           'Brightwave', 'Oakridge', 'Seabright', 'Stonegate', 'Wildflower', 'Harborview', 'Goldcrest',
           'Riverbend', 'Skyline', 'Maplewood', 'Cedar Lane', 'Sunpeak'])[1 + (o - 1) % 20]
        || ' ' || (ARRAY['Media', 'Studio', 'Creative', 'Digital', 'Agency'])[1 + (o - 1) % 5]
        || CASE WHEN o > 20 THEN ' ' || o ELSE '' END,
    description => 'Benchmark agency ' || o,
    industry => 'Marketing',
    timezone => (ARRAY['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London',
                       'Europe/Berlin', 'Australia/Sydney', 'America/Denver'])[1 + (o - 1) % 7]) AS org;

INSERT INTO mycelium.subscriptions (organization_id, plan_name, plan_price, status,
                                    current_period_start, current_period_end, max_users, max_clients)
SELECT id, 'Agency Pro', 299.00, 'ACTIVE', date_trunc('month', bench.anchor()),
       date_trunc('month', bench.anchor()) + interval '1 month', 50, 2000
FROM bench.org_map;

INSERT INTO mycelium.integrations (organization_id, type, name, is_enabled, is_connected, config)
SELECT m.id, t.type::mycelium.integration_type, t.name, true, true, t.config::jsonb
FROM bench.org_map m
CROSS JOIN (VALUES ('DROPBOX', 'Dropbox', '{"root": "/Clients"}'),
                   ('SLACK', 'Slack', '{"channel": "#deliverables"}')) AS t(type, name, config);

-- ------ Users ------
SELECT bench.step('users');

CREATE TABLE bench.user_map (
    user_no integer PRIMARY KEY,
    org_no  integer NOT NULL,
    k       integer NOT NULL,
    id      uuid    NOT NULL,
    role    text    NOT NULL,
    status  text    NOT NULL
);

INSERT INTO bench.user_map (user_no, org_no, k, id, role, status)
SELECT (o - 1) * :users_per_org + k, o, k, mycelium.uuid_v7(), r.role,
       CASE WHEN r.role <> 'ADMIN' AND bench.rnd((o - 1) * :users_per_org + k, 2) < 0.04 THEN 'INACTIVE'
            WHEN r.role <> 'ADMIN' AND bench.rnd((o - 1) * :users_per_org + k, 2) < 0.05 THEN 'PENDING'
            ELSE 'ACTIVE' END
FROM generate_series(1, :orgs) AS o
CROSS JOIN generate_series(1, :users_per_org) AS k
CROSS JOIN LATERAL (
    SELECT CASE WHEN k = 1 THEN 'ADMIN'
                WHEN k = 2 AND bench.rnd(o, 1) < 0.5 THEN 'ADMIN'
                WHEN k = 2 THEN 'VIDEO_EDITOR'
                ELSE (ARRAY['VIDEO_EDITOR', 'FILMER', 'SEO_STRATEGIST', 'WEBSITE_DESIGNER',
                            'VIDEO_EDITOR', 'CUSTOM', 'FILMER', 'VIDEO_EDITOR'])[1 + (k - 3) % 8] END AS role
) AS r;

INSERT INTO mycelium.users (id, organization_id, email, name, role, status, email_verified, last_login_at,
                            title, permissions, created_at)
SELECT u.id, m.id,
       lower(f.first || '.' || f.last || '.' || u.user_no || '@' || replace(lower(m.name), ' ', '-') || '.example'),
       f.first || ' ' || f.last, u.role::mycelium.user_role, u.status::mycelium.user_status,
       u.status = 'ACTIVE',
       CASE WHEN u.status = 'ACTIVE' THEN bench.anchor() - interval '1 hour' * floor(bench.rnd(u.user_no, 5) * 200) END,
       initcap(replace(u.role, '_', ' ')),
       CASE WHEN u.role = 'CUSTOM' THEN '{"services": ["social", "oneoff"]}'::jsonb END,
       bench.anchor() - interval '1 day' * (400 + floor(bench.rnd(u.user_no, 6) * 300))
FROM bench.user_map u
JOIN bench.org_map m ON m.org_no = u.org_no
CROSS JOIN LATERAL (
    SELECT bench.pick(ARRAY['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Ethan', 'Lena', 'Omar', 'Priya', 'Caleb',
                            'Sofia', 'Mateo', 'Hana', 'Jonas', 'Chloe', 'Ravi', 'Ines', 'Felix', 'Nora', 'Diego'],
                      bench.rnd(u.user_no, 3)) AS first,
           bench.pick(ARRAY['Bullock', 'Isemann', 'Ortiz', 'Reyes', 'Nguyen', 'Schmidt', 'Okafor', 'Tanaka',
                            'Rossi', 'Kowalski', 'Dubois', 'Haddad', 'Silva', 'Andersen', 'Murphy', 'Patel'],
                      bench.rnd(u.user_no, 4)) AS last
) AS f
ORDER BY u.user_no;

-- Who can be given which work, per organization (ACTIVE users only).
CREATE TABLE bench.staff AS
SELECT o.org_no,
       coalesce(array_agg(u.id ORDER BY u.k) FILTER (WHERE u.role = 'ADMIN'), '{}') AS admins,
       coalesce(array_agg(u.id ORDER BY u.k) FILTER (WHERE u.role <> 'ADMIN'), '{}') AS others,
       coalesce(array_agg(u.id ORDER BY u.k) FILTER (WHERE u.role IN ('VIDEO_EDITOR', 'FILMER', 'CUSTOM')), '{}') AS social,
       coalesce(array_agg(u.id ORDER BY u.k) FILTER (WHERE u.role = 'SEO_STRATEGIST'), '{}') AS seo,
       coalesce(array_agg(u.id ORDER BY u.k) FILTER (WHERE u.role = 'WEBSITE_DESIGNER'), '{}') AS website
FROM bench.org_map o
LEFT JOIN bench.user_map u ON u.org_no = o.org_no AND u.status = 'ACTIVE'
GROUP BY o.org_no;

-- ------ Clients ------
-- The agencies' clients and projects are history too: their triggers would tell
-- every ADMIN of each one added (CLIENT_ADDED, PROJECT_CREATED).
ALTER TABLE mycelium.clients DISABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.projects DISABLE TRIGGER notify_events_insert;
SELECT bench.step('clients');

CREATE TABLE bench.client_map (
    client_no integer PRIMARY KEY,
    org_no    integer NOT NULL,
    id        uuid    NOT NULL,
    status    text    NOT NULL
);

INSERT INTO bench.client_map (client_no, org_no, id, status)
SELECT (o - 1) * :clients_per_org + k, o, mycelium.uuid_v7(),
       CASE WHEN r < 0.030 THEN 'PAUSED' WHEN r < 0.050 THEN 'INACTIVE' WHEN r < 0.060 THEN 'ARCHIVED'
            WHEN r < 0.065 THEN 'TERMINATED' ELSE 'ACTIVE' END
FROM generate_series(1, :orgs) AS o
CROSS JOIN generate_series(1, :clients_per_org) AS k
CROSS JOIN LATERAL (SELECT bench.rnd((o - 1) * :clients_per_org + k, 10) AS r) AS x;

-- Names are unique within an organization (40 x 25 combinations, then numbered);
-- slugs are left to the extension's fill_slug trigger.
INSERT INTO mycelium.clients (id, organization_id, name, slug, contact_email, contact_person, company_name,
                              website, industry, status, is_paused, paused_at, paused_reason,
                              preferred_contact_method, tags, created_at)
SELECT c.id, m.id, n.name, '',
       'info@' || lower(regexp_replace(n.name, '[^a-zA-Z0-9]+', '', 'g')) || c.client_no || '.example',
       bench.pick(ARRAY['John Smith', 'Sarah Johnson', 'Mike Hennebry', 'Lena Vogel', 'Ana Costa',
                        'Tom Becker', 'Grace Lee', 'Sam Carter'], bench.rnd(c.client_no, 12)),
       n.name || ' LLC', 'https://' || lower(regexp_replace(n.name, '[^a-zA-Z0-9]+', '', 'g')) || '.example',
       n.kind, c.status::mycelium.client_status, c.status = 'PAUSED',
       CASE WHEN c.status = 'PAUSED' THEN bench.anchor() - interval '1 day' * floor(bench.rnd(c.client_no, 13) * 90) END,
       CASE WHEN c.status = 'PAUSED' THEN 'Seasonal break' END,
       bench.pick(ARRAY['email', 'phone', 'slack'], bench.rnd(c.client_no, 14)),
       CASE WHEN bench.rnd(c.client_no, 15) < 0.3 THEN ARRAY['vip'] ELSE '{}' END,
       bench.anchor() - interval '1 day' * (366 + floor(bench.rnd(c.client_no, 16) * 400))
FROM bench.client_map c
JOIN bench.org_map m ON m.org_no = c.org_no
CROSS JOIN LATERAL (SELECT (c.client_no - (c.org_no - 1) * :clients_per_org - 1 + c.org_no * 7) AS i) AS i
CROSS JOIN LATERAL (
    SELECT (ARRAY['GTG', 'Ort', 'Hennebry', 'Maple', 'Summit', 'Blue Ridge', 'Harbor', 'Prairie', 'Golden Gate',
                  'Evergreen', 'Lakeside', 'Pioneer', 'Sunrise', 'Granite', 'Coastal', 'Heritage', 'Riverside',
                  'Canyon', 'Orchard', 'Beacon', 'Alpine', 'Willow', 'Keystone', 'Frontier', 'Meadow',
                  'Cornerstone', 'Liberty', 'Pinnacle', 'Aspen', 'Magnolia', 'Trinity', 'Horizon', 'Crescent',
                  'Vista', 'Sterling', 'Juniper', 'Harvest', 'Ridgeline', 'Cobalt', 'Whitfield'])[1 + i.i % 40]
           || ' ' || w.kind
           || CASE WHEN :clients_per_org > 1000 THEN ' ' || (c.client_no - (c.org_no - 1) * :clients_per_org) ELSE '' END
               AS name,
           w.kind
    FROM (SELECT (ARRAY['Builders', 'Farms', 'Pest Solutions', 'Dental', 'Coffee Co.', 'Fitness', 'Realty',
                        'Law Group', 'Bakery', 'Auto Repair', 'Plumbing', 'Landscaping', 'Veterinary Clinic',
                        'Brewing', 'Roofing', 'Chiropractic', 'Insurance', 'Boutique', 'Café', 'Salon',
                        'Outfitters', 'Winery', 'HVAC', 'Pediatrics', 'Marina'])[1 + (i.i / 40) % 25] AS kind) AS w
) AS n
ORDER BY c.client_no;

-- Portal logins for a fifth of the clients.
INSERT INTO mycelium.client_users (organization_id, client_id, email, name, role, is_active, can_approve,
                                   email_verified)
SELECT m.id, c.id, 'portal' || c.client_no || '@client.example', 'Portal user ' || c.client_no, 'PRIMARY',
       c.status = 'ACTIVE', true, true
FROM bench.client_map c
JOIN bench.org_map m ON m.org_no = c.org_no
WHERE bench.rnd(c.client_no, 17) < 0.2
ORDER BY c.client_no;

-- ------ Assignments and projects ------
SELECT bench.step('assignments, projects');

-- One row per (client, service) with its PRIMARY assignee, numbered within the
-- organization: the deliverables pick from these.
CREATE TABLE bench.asg AS
SELECT c.org_no, c.client_no, c.id AS client_id, c.status AS client_status, v.service,
       st.id AS service_type_id, st.default_duration,
       coalesce(CASE v.service WHEN 'social' THEN s.social[1 + floor(bench.rnd(c.client_no, 20) * cardinality(s.social))::integer]
                               WHEN 'seo' THEN s.seo[1 + floor(bench.rnd(c.client_no, 21) * cardinality(s.seo))::integer]
                               WHEN 'website' THEN s.website[1 + floor(bench.rnd(c.client_no, 22) * cardinality(s.website))::integer]
                END,
                s.others[1 + floor(bench.rnd(c.client_no, 23 + v.n) * cardinality(s.others))::integer],
                s.admins[1]) AS user_id,
       NULL::uuid AS project_id
FROM bench.client_map c
JOIN bench.staff s ON s.org_no = c.org_no
JOIN bench.org_map m ON m.org_no = c.org_no
CROSS JOIN (VALUES (1, 'social', 1.0), (2, 'seo', 0.30), (3, 'website', 0.15), (4, 'oneoff', 0.10)) AS v(n, service, share)
JOIN mycelium.service_types st ON st.organization_id = m.id AND st.slug = v.service
WHERE v.service = 'social' OR bench.rnd(c.client_no, 30 + v.n) < v.share;

ALTER TABLE bench.asg ADD COLUMN idx integer;
UPDATE bench.asg a SET idx = x.idx
FROM (SELECT client_no, service,
             row_number() OVER (PARTITION BY org_no ORDER BY client_no,
                                array_position(ARRAY['social', 'seo', 'website', 'oneoff'], service)) AS idx
      FROM bench.asg) AS x
WHERE x.client_no = a.client_no AND x.service = a.service;
CREATE UNIQUE INDEX ON bench.asg (org_no, idx);
CREATE TABLE bench.asg_count AS SELECT org_no, count(*)::integer AS n FROM bench.asg GROUP BY org_no;

INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role,
                                         assigned_at, assigned_by)
SELECT m.id, a.client_id, a.user_id, a.service_type_id, 'PRIMARY',
       bench.anchor() - interval '1 day' * (300 + floor(bench.rnd(a.client_no, 40) * 60)), s.admins[1]
FROM bench.asg a
JOIN bench.org_map m ON m.org_no = a.org_no
JOIN bench.staff s ON s.org_no = a.org_no
ORDER BY a.org_no, a.idx;

INSERT INTO mycelium.client_assignments (organization_id, client_id, user_id, service_type_id, role,
                                         assigned_at, assigned_by)
SELECT m.id, a.client_id, s.admins[cardinality(s.admins)], a.service_type_id, 'SECONDARY',
       bench.anchor() - interval '1 day' * 200, s.admins[1]
FROM bench.asg a
JOIN bench.org_map m ON m.org_no = a.org_no
JOIN bench.staff s ON s.org_no = a.org_no
WHERE a.service = 'social' AND bench.rnd(a.client_no, 41) < 0.2 AND a.user_id <> s.admins[cardinality(s.admins)]
ORDER BY a.org_no, a.idx;

-- One project per client for SEO and website work.
UPDATE bench.asg SET project_id = mycelium.uuid_v7() WHERE service IN ('seo', 'website');

INSERT INTO mycelium.projects (id, organization_id, client_id, name, description, status, priority,
                               start_date, end_date, estimated_hours, budget_amount, manager_id, created_at)
SELECT a.project_id, m.id, a.client_id,
       CASE a.service WHEN 'seo' THEN 'SEO campaign' ELSE 'Website build' END || ' ' || a.client_no,
       'Benchmark project', p.status::mycelium.project_status,
       bench.pick(ARRAY['LOW', 'MEDIUM', 'MEDIUM', 'HIGH'], bench.rnd(a.client_no, 51))::mycelium.priority,
       p.start_date, p.start_date + interval '1 day' * (60 + floor(bench.rnd(a.client_no, 52) * 120)),
       round((20 + bench.rnd(a.client_no, 53) * 180)::numeric, 2), round((2000 + bench.rnd(a.client_no, 54) * 18000)::numeric, 2),
       a.user_id, p.start_date - interval '7 days'
FROM bench.asg a
JOIN bench.org_map m ON m.org_no = a.org_no
CROSS JOIN LATERAL (
    SELECT bench.pick(ARRAY['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'COMPLETED', 'COMPLETED',
                            'COMPLETED', 'PLANNING', 'ON_HOLD'], bench.rnd(a.client_no * 4 + length(a.service), 50)) AS status,
           bench.anchor() - interval '1 day' * floor(bench.rnd(a.client_no, 55) * 330) AS start_date
) AS p
WHERE a.project_id IS NOT NULL
ORDER BY a.org_no, a.idx;

-- ------ Deliverables ------
-- Rows lo..hi of the year, in creation order. One call per month-sized chunk,
-- each its own transaction.
CREATE PROCEDURE bench.load_deliverables(lo bigint, hi bigint, total bigint, orgs integer)
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO mycelium.deliverables
        (organization_id, client_id, project_id, service_type_id, title, description, status, priority,
         assigned_user_id, created_by_id, due_date, start_date, estimated_hours, actual_hours,
         completed_at, completed_by_id, approved_at, approved_by_id, custom_fields, attachments,
         is_recurring, recurrence_rule, created_at, updated_at)
    SELECT m.id, a.client_id,
           CASE WHEN a.project_id IS NOT NULL AND bench.rnd(i, 9) < 0.8 THEN a.project_id END,
           a.service_type_id, t.title,
           CASE WHEN bench.rnd(i, 11) < 0.3 THEN 'Brief: see the shared folder for assets and references.' END,
           s.status::mycelium.deliverable_status,
           bench.pick(ARRAY['LOW', 'LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'MEDIUM',
                            'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'HIGH', 'HIGH', 'URGENT'],
                      bench.rnd(i, 12))::mycelium.priority,
           p.assignee, p.creator, d.due_date, d.created_at, p.estimated_hours, h.actual_hours,
           f.completed_at,
           CASE WHEN f.completed_at IS NOT NULL THEN coalesce(p.assignee, p.creator) END,
           f.approved_at,
           CASE WHEN f.approved_at IS NOT NULL THEN p.creator END,
           -- Valid values only (Mycelium checks them on every write). Required
           -- fields may be missing only while a deliverable is PENDING: a third of
           -- the PENDING ones due two days or more after the anchor day are drafts
           -- without an edit_by_date.
           CASE WHEN a.service = 'social' THEN jsonb_strip_nulls(jsonb_build_object(
               'deliverable_name', t.title,
               'edit_by_date', CASE WHEN s.status = 'PENDING' AND d.due_date >= bench.anchor() + interval '2 days'
                                         AND bench.rnd(i, 15) < 0.33 THEN NULL
                                    ELSE to_char(d.due_date - interval '2 days', 'YYYY-MM-DD') END,
               'dropbox_link', CASE WHEN bench.rnd(i, 16) >= 0.25
                                    THEN 'https://www.dropbox.com/sh/' || to_hex(hashint8extended(i, 7)) END)) END,
           CASE WHEN s.status = 'COMPLETED' AND bench.rnd(i, 17) < 0.1
                THEN '[{"name": "final.mp4", "url": "https://files.example.com/final.mp4", "size": 48213311,
                       "content_type": "video/mp4"}]'::jsonb END,
           -- Social media deliverables are the months' instances of recurring
           -- work (is_recurring, like the document's generated rows), not
           -- templates: none carries a recurrence_rule of its own.
           a.service = 'social', NULL,
           d.created_at, greatest(d.created_at, f.completed_at, f.approved_at)
    FROM generate_series(lo, hi) AS i
    CROSS JOIN LATERAL (SELECT 1 + floor(bench.rnd(i, 1) * orgs)::integer AS org_no) AS o
    JOIN bench.asg_count n ON n.org_no = o.org_no
    JOIN bench.asg a0 ON a0.org_no = o.org_no AND a0.idx = 1 + floor(bench.rnd(i, 2) * n.n)::integer
    -- a client that is no longer active got no new work in the last four months:
    -- such rows go to the next assignment instead.
    CROSS JOIN LATERAL (
        SELECT (i - 0.5) / total AS frac,
               bench.anchor() - interval '365 days' + interval '365 days' * ((i - 0.5) / total)
               + interval '1 hour' * (bench.rnd(i, 3) * 8 - 4) AS created_raw
    ) AS tm
    JOIN bench.asg a ON a.org_no = o.org_no
                    AND a.idx = CASE WHEN a0.client_status <> 'ACTIVE' AND tm.frac > 0.66
                                     THEN a0.idx % n.n + 1 ELSE a0.idx END
    JOIN bench.org_map m ON m.org_no = o.org_no
    JOIN bench.staff st ON st.org_no = o.org_no
    CROSS JOIN LATERAL (
        SELECT least(tm.created_raw, bench.anchor() - interval '10 minutes') AS created_at,
               date_trunc('day', least(tm.created_raw, bench.anchor() - interval '10 minutes')
                                 + interval '1 day' * a.default_duration * (0.7 + 0.6 * bench.rnd(i, 4)))
               + interval '17 hours' AS due_date
    ) AS d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.due_date < bench.anchor() - interval '14 days' THEN
                        CASE WHEN r < 0.86 THEN 'COMPLETED' WHEN r < 0.90 THEN 'APPROVED'
                             WHEN r < 0.93 THEN 'CANCELLED' WHEN r < 0.96 THEN 'OVERDUE'
                             WHEN r < 0.97 THEN 'PENDING' WHEN r < 0.98 THEN 'IN_PROGRESS'
                             WHEN r < 0.99 THEN 'NEEDS_REVIEW' ELSE 'NEEDS_APPROVAL' END
                    WHEN d.due_date < bench.anchor() THEN
                        CASE WHEN r < 0.55 THEN 'COMPLETED' WHEN r < 0.63 THEN 'APPROVED'
                             WHEN r < 0.71 THEN 'NEEDS_APPROVAL' WHEN r < 0.78 THEN 'NEEDS_REVIEW'
                             WHEN r < 0.86 THEN 'IN_PROGRESS' WHEN r < 0.90 THEN 'PENDING'
                             WHEN r < 0.97 THEN 'OVERDUE' ELSE 'CANCELLED' END
                    ELSE
                        CASE WHEN r < 0.45 THEN 'PENDING' WHEN r < 0.70 THEN 'IN_PROGRESS'
                             WHEN r < 0.78 THEN 'NEEDS_REVIEW' WHEN r < 0.85 THEN 'NEEDS_APPROVAL'
                             WHEN r < 0.88 THEN 'APPROVED' WHEN r < 0.98 THEN 'COMPLETED'
                             ELSE 'CANCELLED' END
               END AS status
        FROM (SELECT bench.rnd(i, 5) AS r) AS x
    ) AS s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN bench.rnd(i, 6) < 0.85 THEN a.user_id
                    WHEN bench.rnd(i, 6) < 0.95 AND cardinality(st.others) > 0
                        THEN st.others[1 + floor(bench.rnd(i, 7) * cardinality(st.others))::integer]
               END AS assignee,
               st.admins[1 + floor(bench.rnd(i, 8) * cardinality(st.admins))::integer] AS creator,
               round((CASE a.service WHEN 'social' THEN 2 WHEN 'seo' THEN 6 WHEN 'website' THEN 12 ELSE 4 END
                      * (0.5 + bench.rnd(i, 10)))::numeric, 2) AS estimated_hours
    ) AS p
    CROSS JOIN LATERAL (
        SELECT CASE WHEN s.status = 'COMPLETED' THEN
                        least(d.created_at + (d.due_date - d.created_at) * (0.5 + 0.65 * bench.rnd(i, 18)),
                              bench.anchor() - interval '5 minutes') END AS completed_at,
               CASE WHEN s.status = 'APPROVED' OR (s.status = 'COMPLETED' AND bench.rnd(i, 19) < 0.5) THEN
                        least(d.created_at + (d.due_date - d.created_at) * (0.4 + 0.5 * bench.rnd(i, 20)),
                              bench.anchor() - interval '5 minutes') END AS approved_at
    ) AS f
    CROSS JOIN LATERAL (
        SELECT CASE a.service
                   WHEN 'social' THEN bench.pick(ARRAY['Instagram reel', 'TikTok video', 'Facebook carousel',
                                                       'Story set', 'YouTube short', 'LinkedIn post',
                                                       'Product photo set', 'Behind-the-scenes clip'], bench.rnd(i, 21))
                                      || ' – ' || to_char(d.created_at, 'FMMonth YYYY')
                                      || ' #' || (1 + floor(bench.rnd(i, 22) * 8))
                   WHEN 'seo' THEN bench.pick(ARRAY['Keyword research', 'Backlink audit', 'Monthly ranking report',
                                                    'On-page optimization', 'Local SEO citations', 'Content brief'],
                                              bench.rnd(i, 21))
                   WHEN 'website' THEN bench.pick(ARRAY['Homepage mockup', 'Landing page build', 'Site speed fixes',
                                                        'Contact form update', 'Blog template', 'Launch checklist'],
                                                  bench.rnd(i, 21))
                   ELSE bench.pick(ARRAY['Brochure design', 'Event photography', 'Logo refresh',
                                         'Email newsletter', 'Trade show banner', 'Press kit'], bench.rnd(i, 21))
               END AS title
    ) AS t
    -- actual_hours: the sum of the time entries loaded below (the same draws of
    -- the same n), which the extension keeps (src/sql/code/57_time_tracking.sql).
    -- Set here so that the entries' trigger finds every sum already right and
    -- rewrites no deliverable.
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p.assignee IS NOT NULL
                     AND s.status IN ('COMPLETED', 'APPROVED', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE')
                    THEN (SELECT round(sum((15 + floor(bench.rnd(x.n + k, 75) * 225))::integer) / 60.0, 2)
                            FROM generate_series(1, CASE WHEN bench.rnd(x.n, 70) < 0.45 THEN 0
                                                         WHEN bench.rnd(x.n, 70) < 0.80 THEN 1 ELSE 2 END) AS k)
               END AS actual_hours
        FROM (SELECT (extract(epoch FROM d.created_at - bench.anchor()) * 1000000)::bigint AS n) AS x
    ) AS h
    ORDER BY i;
END;
$$;

-- A year of history is loaded, not lived: the event triggers would announce every
-- historical assignment and comment. The data set's notifications are made below.
ALTER TABLE mycelium.deliverables DISABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.comments DISABLE TRIGGER notify_events_insert;
-- The history holds the work of clients that have ended since (TERMINATED,
-- ARCHIVED), which check_new_work refuses for new work.
ALTER TABLE mycelium.deliverables DISABLE TRIGGER check_new_work;

SELECT bench.step('deliverables');
SELECT format('CALL bench.load_deliverables(%s, %s, %s, %s)',
              (c - 1) * :deliverables / 12 + 1, c * :deliverables / 12, :deliverables, :orgs)
FROM generate_series(1, 12) AS c
ORDER BY c \gexec

-- ------ Comments, time entries, notifications ------
-- Each deliverable's number n is its creation offset from the anchor, in
-- microseconds: a pure function of its row number and the seed.
SELECT bench.step('comments');
INSERT INTO mycelium.comments (organization_id, deliverable_id, user_id, content, type, is_internal, created_at)
SELECT d.organization_id, d.id,
       CASE WHEN (k % 2 = 1 AND d.assigned_user_id IS NOT NULL) THEN d.assigned_user_id ELSE d.created_by_id END,
       bench.pick(ARRAY['Looks great, approved on our side.', 'Can we try a warmer color grade?',
                        'Uploaded the first cut to Dropbox.', 'Client asked for a shorter intro.',
                        'Waiting on assets from the client.', 'Fixed the typo in the caption.',
                        'Please check the music licence.', 'Moved the deadline by two days.'], bench.rnd(x.n + k, 62)),
       bench.pick(ARRAY['GENERAL', 'GENERAL', 'FEEDBACK', 'REVISION_REQUEST', 'STATUS_UPDATE', 'APPROVAL_REQUEST'],
                  bench.rnd(x.n + k, 63))::mycelium.comment_type,
       bench.rnd(x.n + k, 64) < 0.3,
       d.created_at + (least(coalesce(d.completed_at, bench.anchor()), bench.anchor()) - d.created_at)
                      * bench.rnd(x.n + k, 65)
FROM mycelium.deliverables d
CROSS JOIN LATERAL (SELECT (extract(epoch FROM d.created_at - bench.anchor()) * 1000000)::bigint AS n) AS x
CROSS JOIN LATERAL generate_series(1, CASE WHEN bench.rnd(x.n, 60) < 0.55 THEN 0 WHEN bench.rnd(x.n, 60) < 0.85 THEN 1
                                           WHEN bench.rnd(x.n, 60) < 0.97 THEN 2 ELSE 3 END) AS k;

SELECT bench.step('time entries');
-- The agencies track time (organization_settings.enable_time_tracking, off by
-- default); billable_amount is the extension's to derive (hours x rate).
UPDATE mycelium.organization_settings SET enable_time_tracking = true
 WHERE organization_id IN (SELECT id FROM bench.org_map);
INSERT INTO mycelium.time_entries (organization_id, user_id, deliverable_id, description, start_time, end_time,
                                   duration, hourly_rate, is_billable, created_at)
SELECT d.organization_id, d.assigned_user_id, d.id,
       bench.pick(ARRAY['Editing', 'Shooting', 'Research', 'Revisions', 'Client call', 'Publishing'],
                  bench.rnd(x.n + k, 72)),
       e.start_time, e.start_time + interval '1 minute' * e.minutes, e.minutes, e.rate,
       bench.rnd(x.n + k, 73) < 0.85, e.start_time
FROM mycelium.deliverables d
CROSS JOIN LATERAL (SELECT (extract(epoch FROM d.created_at - bench.anchor()) * 1000000)::bigint AS n) AS x
CROSS JOIN LATERAL generate_series(1, CASE WHEN bench.rnd(x.n, 70) < 0.45 THEN 0 WHEN bench.rnd(x.n, 70) < 0.80 THEN 1
                                           ELSE 2 END) AS k
CROSS JOIN LATERAL (
    SELECT d.start_date + (least(coalesce(d.completed_at, bench.anchor()), bench.anchor()) - d.start_date)
                          * bench.rnd(x.n + k, 74) - interval '4 hours' AS start_time,
           (15 + floor(bench.rnd(x.n + k, 75) * 225))::integer AS minutes,
           round((60 + bench.rnd(x.n + k, 76) * 90)::numeric, 2) AS rate
) AS e
WHERE d.assigned_user_id IS NOT NULL
  AND d.status IN ('COMPLETED', 'APPROVED', 'IN_PROGRESS', 'NEEDS_REVIEW', 'NEEDS_APPROVAL', 'OVERDUE');

SELECT bench.step('notifications');
WITH n AS (
    INSERT INTO mycelium.notifications (organization_id, type, title, message, channels, scheduled_for, sent_at,
                                        related_id, related_type, status, created_at)
    SELECT d.organization_id, 'DELIVERABLE_OVERDUE', 'Deliverable Overdue',
           'Deliverable "' || d.title || '" is now overdue.', '{email,in_app}', d.due_date + interval '1 day',
           CASE WHEN p.pending THEN NULL ELSE d.due_date + interval '1 day' END,
           d.id, 'deliverable', CASE WHEN p.pending THEN 'PENDING' ELSE 'SENT' END::mycelium.notification_status,
           d.due_date + interval '1 day'
    FROM mycelium.deliverables d
    CROSS JOIN LATERAL (SELECT bench.rnd((extract(epoch FROM d.created_at - bench.anchor()) * 1000000)::bigint, 81)
                               < 0.03 AS pending) p
    WHERE d.status = 'OVERDUE' AND d.assigned_user_id IS NOT NULL
    RETURNING organization_id, id, related_id, created_at, status
)
INSERT INTO mycelium.notification_recipients (organization_id, notification_id, user_id, channel, delivered_at,
                                              read_at, email_address, email_status, attempts)
SELECT n.organization_id, n.id, d.assigned_user_id, ch.channel,
       CASE WHEN ch.channel = 'in_app' OR n.status = 'SENT' THEN n.created_at END,
       CASE WHEN ch.channel = 'in_app'
             AND bench.rnd((extract(epoch FROM d.created_at - bench.anchor()) * 1000000)::bigint, 80) < 0.6
            THEN n.created_at + interval '3 hours' END,
       CASE WHEN ch.channel = 'email' THEN u.email END,
       CASE WHEN ch.channel = 'email' AND n.status = 'SENT' THEN 'sent' END,
       CASE WHEN ch.channel = 'email' AND n.status = 'SENT' THEN 1 ELSE 0 END
FROM n
JOIN mycelium.deliverables d ON d.organization_id = n.organization_id AND d.id = n.related_id
JOIN mycelium.users u ON u.organization_id = d.organization_id AND u.id = d.assigned_user_id
CROSS JOIN (VALUES ('in_app'), ('email')) AS ch(channel);

ALTER TABLE mycelium.deliverables ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.comments ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.deliverables ENABLE TRIGGER check_new_work;
ALTER TABLE mycelium.clients ENABLE TRIGGER notify_events_insert;
ALTER TABLE mycelium.projects ENABLE TRIGGER notify_events_insert;

SELECT bench.step('vacuum analyze');
VACUUM ANALYZE;
CHECKPOINT;

-- ------ The single organization of the one-organization workloads ------
-- Organization 1; its first ADMIN; the non-admin with the most assignments
-- (preferably a VIDEO_EDITOR), for the row-level security workloads.
SELECT bench.step('done');
INSERT INTO bench.params (key, value)
SELECT 'org', m.id::text FROM bench.org_map m WHERE m.org_no = 1
UNION ALL
SELECT 'admin', s.admins[1]::text FROM bench.staff s WHERE s.org_no = 1
UNION ALL
SELECT 'admin_email', u.email FROM bench.staff s JOIN mycelium.users u ON u.id = s.admins[1] WHERE s.org_no = 1
UNION ALL
SELECT k, v
FROM (SELECT a.user_id, u.role
      FROM bench.asg a JOIN bench.user_map u ON u.id = a.user_id
      WHERE a.org_no = 1 AND u.role <> 'ADMIN'
      GROUP BY a.user_id, u.role, u.k
      ORDER BY u.role = 'VIDEO_EDITOR' DESC, count(*) DESC, u.k
      LIMIT 1) AS e
CROSS JOIN LATERAL (VALUES ('editor', e.user_id::text), ('editor_role', e.role)) AS x(k, v)
UNION ALL
SELECT 'month', (date_trunc('month', bench.anchor()) + interval '1 month')::date::text
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
-- The portal user of the organization's active client with the most
-- deliverables, and its client: the portal's row-level security workload and
-- page load.
INSERT INTO bench.params (key, value)
SELECT x.k, x.v
FROM (SELECT cu.id, cu.client_id
      FROM mycelium.client_users cu JOIN mycelium.clients c ON c.id = cu.client_id
      WHERE cu.organization_id = bench.param('org')::uuid AND cu.is_active AND c.status = 'ACTIVE'
      ORDER BY (SELECT count(*) FROM mycelium.deliverables d
                WHERE d.organization_id = cu.organization_id AND d.client_id = cu.client_id) DESC, cu.id
      LIMIT 1) p
CROSS JOIN LATERAL (VALUES ('portal', p.id::text), ('portal_client', p.client_id::text)) AS x(k, v)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
