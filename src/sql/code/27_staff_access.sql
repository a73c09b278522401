-- ====== Staff accounts: roles and a CUSTOM role's services ======
-- users holds staff only: portal users live in client_users, and a users row
-- with role CLIENT could be assigned work but never act (no context names a
-- CLIENT without its client_users row). It is refused on write; rows made
-- before 0.2.0 are left as they are.
--
-- users.permissions ("Permissions (for CUSTOM role)") is where a CUSTOM user's
-- service access lives, edited by an ADMIN: {"services": ["seo", "social"]},
-- the slugs of the organization's service types it may work on. Every way of
-- setting a context takes a CUSTOM user's services from there
-- (mycelium_internal.check_member), never from the caller's service_access or
-- a token's claim. docs/security.md, "Roles of staff".

-- Whether a permissions document has the documented shape: an object with only
-- "services", an array of at most 100 distinct service-type slugs.
CREATE OR REPLACE FUNCTION mycelium_internal.permissions_problem(permissions jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN permissions IS NULL THEN NULL
        WHEN jsonb_typeof(permissions) <> 'object' THEN 'is not a JSON object'
        WHEN EXISTS (SELECT FROM jsonb_object_keys(permissions) k WHERE k <> 'services')
            THEN 'has a key other than "services"'
        WHEN NOT permissions ? 'services' THEN NULL
        WHEN jsonb_typeof(permissions -> 'services') <> 'array' THEN '"services" is not an array'
        WHEN jsonb_array_length(permissions -> 'services') > 100 THEN '"services" has more than 100 entries'
        WHEN EXISTS (SELECT FROM jsonb_array_elements(permissions -> 'services') e
                      WHERE jsonb_typeof(e) <> 'string'
                         OR NOT (e #>> '{}') ~ '^[a-z0-9]+(-[a-z0-9]+)*$' OR length(e #>> '{}') > 100)
            THEN '"services" holds something that is not a service-type slug'
        END
$$;

-- SECURITY DEFINER: it fires for application roles, which may not call into
-- mycelium_internal; it reads nothing but the row.
CREATE OR REPLACE FUNCTION mycelium_internal.check_staff_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    problem text;
BEGIN
    IF NEW.role = 'CLIENT' THEN
        RAISE EXCEPTION 'users: % cannot have the role CLIENT', left(NEW.email, 200)
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'users', COLUMN = 'role',
                  HINT = 'Portal users are rows of client_users (mycelium.invite_client_user).';
    END IF;
    problem := mycelium_internal.permissions_problem(NEW.permissions);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'users.permissions of % %', left(NEW.email, 200), problem
            USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'users', COLUMN = 'permissions',
                  HINT = 'The shape is {"services": ["service-type-slug", ...]}, for the CUSTOM role.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER check_staff_row BEFORE INSERT ON mycelium.users
    FOR EACH ROW WHEN (NEW.role = 'CLIENT' OR NEW.permissions IS NOT NULL)
    EXECUTE FUNCTION mycelium_internal.check_staff_row();
CREATE OR REPLACE TRIGGER check_staff_row_update BEFORE UPDATE OF role, permissions ON mycelium.users
    FOR EACH ROW WHEN (NEW.role = 'CLIENT' OR NEW.permissions IS DISTINCT FROM OLD.permissions)
    EXECUTE FUNCTION mycelium_internal.check_staff_row();

-- A CUSTOM user's services, from its row: distinct and sorted, as a sealed
-- context holds them. Private.
CREATE OR REPLACE FUNCTION mycelium_internal.custom_services(permissions jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT s ORDER BY s), '{}')
      FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(permissions -> 'services') = 'array'
                                          THEN permissions -> 'services' ELSE '[]' END) AS e(s)
     WHERE s ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(s) <= 100
$$;
