-- ====== Who did what, and when: stamps the database keeps ======
-- The design document's completedAt/completedById, approvedAt/approvedById,
-- pausedAt and assignedBy say what happened; nothing a caller writes into them
-- counts, so that reports (productivity among them) agree with what people did.
-- docs/schema.md, "Stamps".

-- Deliverables: entering COMPLETED stamps completed_at and completed_by_id (the
-- acting staff member; NULL for a job or the owner); entering APPROVED stamps
-- approved_at and the approver, staff (approved_by_id) or portal user
-- (approved_by_client_user_id). The stamps stay while the work moves on
-- (APPROVED to COMPLETED, either to ARCHIVED) and are cleared when it goes back
-- to be worked on (any other status), so a reopened deliverable is not counted
-- as done. Only rows whose status enters or leaves those states run it (the
-- triggers' WHEN): the sweeps' thousands of rows never do.
CREATE OR REPLACE FUNCTION mycelium_internal.stamp_deliverable() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor uuid := mycelium.current_app_user_id();
    portal boolean := mycelium.current_app_role() = 'CLIENT';
    was text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status::text END;
BEGIN
    -- History loaded by the owner (an import, not a tenant's write) keeps its
    -- stamps; a foreign key's action (the approver's account deleted: SET NULL)
    -- runs from a trigger of its own and is let through.
    IF (TG_OP = 'INSERT' AND NOT row_security_active(TG_RELID)) OR pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    IF NEW.status = 'COMPLETED' AND was IS DISTINCT FROM 'COMPLETED' THEN
        NEW.completed_at := now();
        NEW.completed_by_id := CASE WHEN portal THEN NULL ELSE actor END;
    ELSIF NEW.status NOT IN ('COMPLETED', 'ARCHIVED') THEN
        NEW.completed_at := NULL;
        NEW.completed_by_id := NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        NEW.completed_at := OLD.completed_at;
        NEW.completed_by_id := OLD.completed_by_id;
    END IF;
    IF NEW.status = 'APPROVED' AND was IS DISTINCT FROM 'APPROVED' THEN
        NEW.approved_at := now();
        NEW.approved_by_id := CASE WHEN portal THEN NULL ELSE actor END;
        NEW.approved_by_client_user_id := CASE WHEN portal THEN actor END;
    ELSIF NEW.status NOT IN ('APPROVED', 'COMPLETED', 'ARCHIVED') THEN
        NEW.approved_at := NULL;
        NEW.approved_by_id := NULL;
        NEW.approved_by_client_user_id := NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        NEW.approved_at := OLD.approved_at;
        NEW.approved_by_id := OLD.approved_by_id;
        NEW.approved_by_client_user_id := OLD.approved_by_client_user_id;
    END IF;
    RETURN NEW;
END;
$$;
-- Named to fire after guard_portal_update (triggers of one event fire by name),
-- which checks what a portal user may change before the stamps are written.
CREATE OR REPLACE TRIGGER stamp_status BEFORE INSERT ON mycelium.deliverables
    FOR EACH ROW WHEN (NEW.status IN ('COMPLETED', 'APPROVED', 'ARCHIVED')
                       OR NEW.completed_at IS NOT NULL OR NEW.completed_by_id IS NOT NULL
                       OR NEW.approved_at IS NOT NULL OR NEW.approved_by_id IS NOT NULL
                       OR NEW.approved_by_client_user_id IS NOT NULL)
    EXECUTE FUNCTION mycelium_internal.stamp_deliverable();
CREATE OR REPLACE TRIGGER stamp_status_update BEFORE UPDATE ON mycelium.deliverables
    FOR EACH ROW WHEN (OLD.status IN ('COMPLETED', 'APPROVED', 'ARCHIVED')
                       OR NEW.status IN ('COMPLETED', 'APPROVED', 'ARCHIVED')
                       OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
                       OR NEW.completed_by_id IS DISTINCT FROM OLD.completed_by_id
                       OR NEW.approved_at IS DISTINCT FROM OLD.approved_at
                       OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
                       OR NEW.approved_by_client_user_id IS DISTINCT FROM OLD.approved_by_client_user_id)
    EXECUTE FUNCTION mycelium_internal.stamp_deliverable();

-- Clients: paused_at is when is_paused last became true, NULL while not paused.
CREATE OR REPLACE FUNCTION mycelium_internal.stamp_pause() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.paused_at := CASE WHEN NOT NEW.is_paused THEN NULL
                          WHEN TG_OP = 'UPDATE' AND OLD.is_paused THEN OLD.paused_at
                          ELSE now() END;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER stamp_pause BEFORE INSERT ON mycelium.clients
    FOR EACH ROW WHEN (NEW.is_paused OR NEW.paused_at IS NOT NULL)
    EXECUTE FUNCTION mycelium_internal.stamp_pause();
CREATE OR REPLACE TRIGGER stamp_pause_update BEFORE UPDATE ON mycelium.clients
    FOR EACH ROW WHEN (NEW.is_paused IS DISTINCT FROM OLD.is_paused OR NEW.paused_at IS DISTINCT FROM OLD.paused_at)
    EXECUTE FUNCTION mycelium_internal.stamp_pause();

-- Assignments: assigned_by is the acting user when the writer does not say.
CREATE OR REPLACE FUNCTION mycelium_internal.stamp_assigner() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mycelium.current_app_role() IS DISTINCT FROM 'CLIENT'
       AND mycelium.current_organization_id() = NEW.organization_id THEN
        NEW.assigned_by := mycelium.current_app_user_id();
    END IF;
    RETURN NEW;
END;
$$;
CREATE OR REPLACE TRIGGER stamp_assigner BEFORE INSERT ON mycelium.client_assignments
    FOR EACH ROW WHEN (NEW.assigned_by IS NULL)
    EXECUTE FUNCTION mycelium_internal.stamp_assigner();
