-- ====== Slugs ======
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
    -- Two sessions filling slugs in the same scope take turns, so that the
    -- second sees the first's suffix instead of failing on the key. One lock per
    -- scope, not per base slug: a transaction holds each of its advisory locks to
    -- the end, and one lock per row ran the shared lock table out of memory on a
    -- bulk import of some ten thousand clients (the lock is re-entrant, so a
    -- statement that fills many slugs of one organization holds one).
    PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_NAME || '/' || coalesce(org::text, ''), 0));
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
