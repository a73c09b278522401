-- ====== Triggers ======

-- ------ updated_at, on every table that has it (native: src/pg/touch.cpp) ------

CREATE OR REPLACE FUNCTION mycelium_internal.touch_updated_at() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mycelium_touch_updated_at'
    LANGUAGE C;

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'updated_at' AND NOT a.attisdropped
        WHERE c.oid = ANY (mycelium_internal.extension_tables())
        ORDER BY c.relnamespace::regnamespace::text, c.relname
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER touch_updated_at BEFORE UPDATE ON %s '
                       'FOR EACH ROW EXECUTE FUNCTION mycelium_internal.touch_updated_at()', t);
    END LOOP;
END;
$$;

-- ------ Slugs ------
-- An empty or NULL slug is made from the name (mycelium.slugify) and kept unique
-- in its scope by a -2, -3... suffix: per organization for clients and service
-- types, across the system for organizations. A slug given explicitly is kept as
-- it is, and a clash is the unique constraint's error. Renaming does not change a
-- slug, so that URLs stay stable.

-- SECURITY DEFINER: the suffix must account for every row of the scope, also
-- those row-level security hides from the caller (organizations are unique
-- across the system). It reads only slugs, and only in the row's own scope.
CREATE OR REPLACE FUNCTION mycelium_internal.fill_slug() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid := CASE WHEN TG_TABLE_NAME = 'organizations' THEN NULL
                     ELSE (to_jsonb(NEW) ->> 'organization_id')::uuid END;
    base text;
    taken integer;
BEGIN
    IF NEW.slug IS NOT NULL AND NEW.slug <> '' THEN
        RETURN NEW;
    END IF;
    IF NEW.name IS NULL THEN
        RETURN NEW;  -- the NOT NULL constraint on name reports it
    END IF;
    -- slugify caps its result at 80 characters: room for a suffix within 100.
    base := mycelium.slugify(NEW.name);
    -- Two sessions filling the same base slug in the same scope take turns, so
    -- that the second sees the first's suffix instead of failing on the key.
    PERFORM pg_advisory_xact_lock(
        hashtextextended(TG_TABLE_NAME || '/' || coalesce(org::text, '') || '/' || base, 0));
    EXECUTE format(
        'SELECT max(CASE WHEN slug = $1 THEN 1 ELSE substring(slug FROM ''-([0-9]+)$'')::integer END)
           FROM %I.%I
          WHERE %s (slug = $1 OR (slug LIKE $1 || ''-%%'' AND slug ~ (''^'' || $1 || ''-[0-9]{1,9}$'')))',
        TG_TABLE_SCHEMA, TG_TABLE_NAME,
        CASE WHEN org IS NULL THEN '' ELSE 'organization_id = $2 AND' END)
        INTO taken USING base, org;
    NEW.slug := CASE WHEN taken IS NULL THEN base ELSE base || '-' || (taken + 1) END;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.organizations
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug();
CREATE OR REPLACE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.clients
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug();
CREATE OR REPLACE TRIGGER fill_slug BEFORE INSERT OR UPDATE OF slug ON mycelium.service_types
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.fill_slug();

-- ------ Activity log ------
-- Statement-level triggers with transition tables: one INSERT ... SELECT per
-- statement instead of a PL/pgSQL call per row, so bulk work stays cheap. An
-- update records only the fields it changed (old and new values of those, and
-- changed_fields); an update that changes nothing but updated_at records nothing.
-- The actor is the session's application user when one is set and belongs to the
-- row's organization (the document logged the deliverable's creator instead).
-- Secrets (password hashes) are named in changed_fields but their values are not
-- copied into the log.
-- Arguments: the resource type ('deliverable') and the column holding its name.
-- The OFFSET 0s keep the planner from inlining the sub-selects, which would
-- compute each row's to_jsonb once per changed key instead of once.

-- SECURITY DEFINER: applications may read the log but never write it; only
-- these triggers do.
CREATE OR REPLACE FUNCTION mycelium_internal.log_activity() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    resource_type text := TG_ARGV[0];
    name_column text := TG_ARGV[1];
    actor uuid := mycelium.current_app_user_id();
    actor_orgs uuid[];
    secrets text[] := ARRAY['hashed_password', 'temporary_password'];
BEGIN
    -- Generation and the overdue sweep log one summary row per organization
    -- themselves (mycelium.in_job_statement, which only they can set).
    IF current_setting('mycelium.in_job_statement', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF actor IS NOT NULL THEN
        -- Once per statement, over a small table: the organizations in which the
        -- actor is a user (ids are unique per organization, not across them).
        actor_orgs := ARRAY(SELECT u.organization_id FROM mycelium.users u WHERE u.id = actor);
    END IF;

    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name, new_values)
             SELECT n.organization_id,
                    CASE WHEN n.organization_id = ANY ($1) THEN $2 END,
                    ''created'', $3, n.id, n.%I, to_jsonb(n) - $4
               FROM new_rows n', name_column)
            USING actor_orgs, actor, resource_type, secrets;
    ELSIF TG_OP = 'DELETE' THEN
        -- Rows deleted by the cascade from a deleted organization go unrecorded:
        -- their organization, and so their log, is gone with them.
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name, old_values)
             SELECT o.organization_id,
                    CASE WHEN o.organization_id = ANY ($1) THEN $2 END,
                    ''deleted'', $3, o.id, o.%I, to_jsonb(o) - $4
               FROM old_rows o
              WHERE EXISTS (SELECT FROM mycelium.organizations g WHERE g.id = o.organization_id)', name_column)
            USING actor_orgs, actor, resource_type, secrets;
    ELSE
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name,
                  old_values, new_values, changed_fields)
             SELECT c.organization_id,
                    CASE WHEN c.organization_id = ANY ($1) THEN $2 END,
                    CASE WHEN $3 = ''deliverable'' AND c.new_row ->> ''status'' = ''COMPLETED''
                              AND c.old_row ->> ''status'' <> ''COMPLETED'' THEN ''completed''
                         ELSE ''updated'' END,
                    $3, c.id, c.name,
                    (SELECT jsonb_object_agg(k, c.old_row -> k) FROM unnest(c.changed) k WHERE k <> ALL ($4)),
                    (SELECT jsonb_object_agg(k, c.new_row -> k) FROM unnest(c.changed) k WHERE k <> ALL ($4)),
                    c.changed
               FROM (SELECT n.organization_id, n.id, n.%I AS name, j.old_row, j.new_row,
                            ARRAY(SELECT k FROM jsonb_object_keys(j.new_row) k
                                   WHERE k <> ''updated_at''
                                     AND (j.old_row -> k) IS DISTINCT FROM (j.new_row -> k)
                                   ORDER BY k) AS changed
                       FROM old_rows o
                       JOIN new_rows n ON n.organization_id = o.organization_id AND n.id = o.id
                      CROSS JOIN LATERAL (SELECT to_jsonb(o) AS old_row, to_jsonb(n) AS new_row OFFSET 0) j
                     OFFSET 0) c
              WHERE cardinality(c.changed) > 0', name_column)
            USING actor_orgs, actor, resource_type, secrets;
    END IF;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('deliverables', 'deliverable', 'title'),
                                   ('clients', 'client', 'name'),
                                   ('projects', 'project', 'name'),
                                   ('users', 'user', 'name')) AS v(tbl, kind, name_column)
    LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER log_activity_insert AFTER INSERT ON mycelium.%1$I
                            REFERENCING NEW TABLE AS new_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(%2$L, %3$L)',
                       t.tbl, t.kind, t.name_column);
        EXECUTE format('CREATE OR REPLACE TRIGGER log_activity_update AFTER UPDATE ON mycelium.%1$I
                            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(%2$L, %3$L)',
                       t.tbl, t.kind, t.name_column);
        EXECUTE format('CREATE OR REPLACE TRIGGER log_activity_delete AFTER DELETE ON mycelium.%1$I
                            REFERENCING OLD TABLE AS old_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.log_activity(%2$L, %3$L)',
                       t.tbl, t.kind, t.name_column);
    END LOOP;
END;
$$;

-- ------ References no key can check ------
-- comments.mentions (an array of users) and notifications.related_id (a row of
-- the table related_type names) hold ids that no foreign key covers. Each one
-- written must name a row of the row's own organization (23503): otherwise it is
-- a reference across tenants, and a notification or mention would carry another
-- organization's id. Checked on INSERT and on UPDATE alike, for the ids the
-- statement writes: an update that keeps a mention of a user deleted since is not
-- refused for it. A notification's related_id and related_type are written on
-- INSERT only: an application may update nothing but a notification's status
-- (grant_access), the database's own updates (finish_delivery) never touch them,
-- and the delivery worker's reports need not pay for a check per statement.
-- (USER_SELECT and CLIENT_SELECT custom fields are checked with the other custom
-- fields: 25_custom_fields.sql.) Statement-level, one anti-join per statement, so
-- that the sweeps' bulk notifications stay cheap.

-- SECURITY DEFINER: a reference is checked against the organization, not against
-- what the writer may read (a portal user mentions the agency's users, whom it
-- cannot see). It reads only whether each id exists in the row's organization.
CREATE OR REPLACE FUNCTION mycelium_internal.check_references() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- The row as it was, for an UPDATE; for an INSERT, nothing (all NULL).
    previous text := CASE TG_OP
        WHEN 'UPDATE' THEN 'LEFT JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id'
        ELSE 'LEFT JOIN (SELECT * FROM new_rows WHERE false) o ON true' END;
    bad_id uuid;
    bad_type text;
    found_rows bigint;
BEGIN
    IF TG_TABLE_NAME = 'comments' THEN
        EXECUTE format(
            'SELECT m.user_id
               FROM new_rows n %s
              CROSS JOIN LATERAL unnest(n.mentions) AS m(user_id)
              WHERE (o.id IS NULL OR array_position(o.mentions, m.user_id) IS NULL)
                AND NOT EXISTS (SELECT FROM mycelium.users u
                                 WHERE u.organization_id = n.organization_id AND u.id = m.user_id)
              LIMIT 1', previous)
            INTO bad_id;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        IF found_rows > 0 THEN
            RAISE EXCEPTION 'comments.mentions: % is not a user of the comment''s organization', bad_id
                USING ERRCODE = 'foreign_key_violation', TABLE = 'comments', COLUMN = 'mentions';
        END IF;
    ELSIF TG_TABLE_NAME = 'notifications' THEN
        EXECUTE format(
            'SELECT n.related_id, n.related_type
               FROM new_rows n %s
              WHERE n.related_id IS NOT NULL
                AND (o.id IS NULL OR o.related_id IS DISTINCT FROM n.related_id
                     OR o.related_type IS DISTINCT FROM n.related_type)
                AND NOT coalesce(CASE n.related_type
                    WHEN ''deliverable'' THEN EXISTS (SELECT FROM mycelium.deliverables x
                                                     WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    WHEN ''client'' THEN EXISTS (SELECT FROM mycelium.clients x
                                                WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    WHEN ''project'' THEN EXISTS (SELECT FROM mycelium.projects x
                                                 WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    WHEN ''user'' THEN EXISTS (SELECT FROM mycelium.users x
                                              WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    WHEN ''comment'' THEN EXISTS (SELECT FROM mycelium.comments x
                                                 WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    WHEN ''integration'' THEN EXISTS (SELECT FROM mycelium.integrations x
                                                     WHERE x.organization_id = n.organization_id AND x.id = n.related_id)
                    END, false)
              LIMIT 1', previous)
            INTO bad_id, bad_type;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        IF found_rows > 0 THEN
            RAISE EXCEPTION 'notifications.related_id: % is not a % of the notification''s organization',
                            bad_id, coalesce(bad_type, 'row (related_type is empty)')
                USING ERRCODE = 'foreign_key_violation', TABLE = 'notifications', COLUMN = 'related_id';
        END IF;
    ELSE
        RAISE EXCEPTION 'check_references: no references known for table %', TG_TABLE_NAME
            USING ERRCODE = 'internal_error';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER check_references_insert AFTER INSERT ON mycelium.comments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references();
CREATE OR REPLACE TRIGGER check_references_update AFTER UPDATE ON mycelium.comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references();
CREATE OR REPLACE TRIGGER check_references_insert AFTER INSERT ON mycelium.notifications
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_references();
