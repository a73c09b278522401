-- ====== File versioning ======
-- organization_settings.enable_file_versioning is honoured (docs/schema.md,
-- "Attachments"): while it is true, an update of deliverables.attachments or
-- comments.attachments keeps each entry it replaced or removed in
-- mycelium.attachment_versions, with who changed it and when; while it is false
-- (the default, and for an organization without a settings row) only the current
-- list is kept. Turning it off stops the recording; the versions already kept
-- stay, and go with their deliverable or comment.
--
-- Which old entries are kept: each entry of the old list that the new list does
-- not hold unchanged (jsonb equality: the same keys and values, in any order).
-- It is REPLACED when the new list has an entry with the same url (the same file,
-- renamed or re-described) or the same name (a new upload of the file), else
-- REMOVED. Entries the update added are the current list's, not history.
--
-- Row-level, AFTER the update, and only for rows whose attachments changed and
-- had an entry (the triggers' UPDATE OF and WHEN): inserts, bulk loads and every
-- other update never call it; the one that does reads the switch once.
-- Restores (session_replication_role = replica) do not fire it.
--
-- SECURITY DEFINER: no application writes the history (attachment_versions has no
-- INSERT policy, and apps no INSERT privilege); the owner writes it here. The
-- writer's own update already passed its policies.
CREATE OR REPLACE FUNCTION mycelium_internal.keep_attachment_versions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    enabled boolean;
    deliverable_ref uuid;
    comment_ref uuid;
    actor uuid;
    portal boolean := false;
BEGIN
    -- The switch. No settings row reads as the column's default, false.
    SELECT s.enable_file_versioning INTO enabled
      FROM mycelium.organization_settings s
     WHERE s.organization_id = NEW.organization_id;
    IF NOT coalesce(enabled, false) THEN
        RETURN NULL;
    END IF;
    -- NEW.deliverable_id exists on comments only: each read in its own branch.
    IF TG_TABLE_NAME = 'comments' THEN
        deliverable_ref := NEW.deliverable_id;
        comment_ref := NEW.id;
    ELSE
        deliverable_ref := NEW.id;
    END IF;
    -- The acting user when the context is the row's organization; NULL for the
    -- owner, a job, or a context elsewhere (no key could name that user).
    IF mycelium.current_organization_id() IS NOT DISTINCT FROM NEW.organization_id THEN
        actor := mycelium.current_app_user_id();
        portal := mycelium.current_app_role() IS NOT DISTINCT FROM 'CLIENT';
    END IF;
    INSERT INTO mycelium.attachment_versions
        (organization_id, deliverable_id, comment_id, attachment, change, changed_by_id, changed_by_client_user_id)
    SELECT NEW.organization_id, deliverable_ref, comment_ref, o.entry,
           CASE WHEN EXISTS (SELECT FROM jsonb_array_elements(coalesce(NEW.attachments, '[]'::jsonb)) AS n(entry)
                              WHERE n.entry ->> 'url' = o.entry ->> 'url' OR n.entry ->> 'name' = o.entry ->> 'name')
                THEN 'REPLACED' ELSE 'REMOVED' END,
           CASE WHEN NOT portal THEN actor END,
           CASE WHEN portal THEN actor END
      FROM jsonb_array_elements(OLD.attachments) WITH ORDINALITY AS o(entry, ord)
     WHERE NOT EXISTS (SELECT FROM jsonb_array_elements(coalesce(NEW.attachments, '[]'::jsonb)) AS n(entry)
                        WHERE n.entry = o.entry)
     ORDER BY o.ord;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['deliverables', 'comments'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER keep_attachment_versions AFTER UPDATE OF attachments ON mycelium.%I '
                       'FOR EACH ROW WHEN (OLD.attachments IS DISTINCT FROM NEW.attachments '
                       'AND OLD.attachments <> ''[]''::jsonb) '
                       'EXECUTE FUNCTION mycelium_internal.keep_attachment_versions()', t);
    END LOOP;
END;
$$;
