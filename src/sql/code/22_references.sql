-- ====== References no key can check ======
-- comments.mentions (an array of users), a reply's comments.parent_id (which must
-- be a comment on the same deliverable) and notifications.related_id (a row of
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
                USING ERRCODE = 'foreign_key_violation', SCHEMA = 'mycelium', TABLE = 'comments', COLUMN = 'mentions';
        END IF;
        -- A reply answers a comment on the same deliverable (the foreign key
        -- only says the parent is a comment of the organization).
        EXECUTE format(
            'SELECT n.parent_id
               FROM new_rows n %s
              WHERE n.parent_id IS NOT NULL
                AND (o.id IS NULL OR o.parent_id IS DISTINCT FROM n.parent_id
                     OR o.deliverable_id IS DISTINCT FROM n.deliverable_id)
                AND NOT EXISTS (SELECT FROM mycelium.comments p
                                 WHERE p.organization_id = n.organization_id AND p.id = n.parent_id
                                   AND p.deliverable_id = n.deliverable_id)
              LIMIT 1', previous)
            INTO bad_id;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        IF found_rows > 0 THEN
            RAISE EXCEPTION 'comments.parent_id: % is not a comment on the same deliverable', bad_id
                USING ERRCODE = 'foreign_key_violation',
                      SCHEMA = 'mycelium', TABLE = 'comments', COLUMN = 'parent_id';
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
                USING ERRCODE = 'foreign_key_violation',
                      SCHEMA = 'mycelium', TABLE = 'notifications', COLUMN = 'related_id';
        END IF;
    ELSE
        RAISE EXCEPTION 'check_references: no references known for table %', TG_TABLE_NAME
            USING ERRCODE = 'internal_error', SCHEMA = 'mycelium';
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
