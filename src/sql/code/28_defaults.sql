-- ====== New deliverables: a default due date, and no work for what has ended ======
-- A deliverable created without a due date is due its service type's
-- default_duration days after it starts (start_date, else now), or, should the
-- service type have none, the organization's default_deliverable_duration (7):
-- days counted in the organization's time zone, so a deadline keeps its hour
-- of the day across a change to or from summer time. docs/schema.md,
-- "Deliverables".
CREATE OR REPLACE FUNCTION mycelium_internal.default_due_date() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    days integer;
    zone text;
BEGIN
    SELECT coalesce(st.default_duration, s.default_deliverable_duration, 7), coalesce(s.timezone, 'UTC')
      INTO days, zone
      FROM (SELECT NEW.organization_id AS organization_id) o
      LEFT JOIN mycelium.service_types st ON st.organization_id = o.organization_id AND st.id = NEW.service_type_id
      LEFT JOIN mycelium.organization_settings s ON s.organization_id = o.organization_id;
    NEW.due_date := ((coalesce(NEW.start_date, now()) AT TIME ZONE zone) + make_interval(days => days))
                    AT TIME ZONE zone;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER default_due_date BEFORE INSERT ON mycelium.deliverables
    FOR EACH ROW WHEN (NEW.due_date IS NULL)
    EXECUTE FUNCTION mycelium_internal.default_due_date();

-- No new work for a client that has ended (TERMINATED, ARCHIVED) or of a
-- service type that is not active: once per statement, one anti-join over the
-- statement's new rows, so that generation's bulk inserts stay cheap.
-- SECURITY DEFINER: it reads the client and service type of each new row,
-- whatever the writer may see of them.
CREATE OR REPLACE FUNCTION mycelium_internal.check_new_work() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.title, c.name AS client, c.status::text AS client_status, st.name AS service, st.is_active INTO bad
      FROM new_rows n
      JOIN mycelium.clients c ON c.organization_id = n.organization_id AND c.id = n.client_id
      JOIN mycelium.service_types st ON st.organization_id = n.organization_id AND st.id = n.service_type_id
     WHERE c.status IN ('TERMINATED', 'ARCHIVED') OR NOT st.is_active
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'deliverables: no new work for %',
            CASE WHEN bad.client_status IN ('TERMINATED', 'ARCHIVED')
                 THEN format('client %s, which is %s', quote_literal(left(bad.client, 100)), bad.client_status)
                 ELSE format('service type %s, which is not active', quote_literal(left(bad.service, 100))) END
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'deliverables',
                  DETAIL = format('The deliverable is %s.', quote_literal(left(bad.title, 100)));
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER check_new_work AFTER INSERT ON mycelium.deliverables
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.check_new_work();

-- ====== Who and whose: defaults from the tenant context ======
-- An insert under a context need not repeat what the context says: every tenant
-- table's organization_id defaults to the context's organization, and the
-- columns naming the acting person to that person: a staff member
-- (deliverables.created_by_id, comments.user_id, time_entries.user_id) or a
-- portal user (comments.client_user_id). Without a context (or for a person of
-- the other kind) the default is NULL, and the insert fails as before, on NOT
-- NULL or the row's checks; a value given explicitly is checked by the
-- policies and triggers as any value is. Set here rather than in the table
-- definitions, so that a new tenant table cannot miss it.
DO $$
DECLARE
    t name;
BEGIN
    FOREACH t IN ARRAY mycelium_internal.tenant_tables() LOOP
        CONTINUE WHEN t = 'organizations';
        EXECUTE format('ALTER TABLE mycelium.%I ALTER COLUMN organization_id SET DEFAULT '
                       'mycelium.current_organization_id()', t);
    END LOOP;
END;
$$;
ALTER TABLE mycelium.deliverables ALTER COLUMN created_by_id SET DEFAULT
    CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
ALTER TABLE mycelium.time_entries ALTER COLUMN user_id SET DEFAULT
    CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
ALTER TABLE mycelium.comments ALTER COLUMN user_id SET DEFAULT
    CASE WHEN mycelium.current_app_role() <> 'CLIENT' THEN mycelium.current_app_user_id() END;
ALTER TABLE mycelium.comments ALTER COLUMN client_user_id SET DEFAULT
    CASE WHEN mycelium.current_app_role() = 'CLIENT' THEN mycelium.current_app_user_id() END;
