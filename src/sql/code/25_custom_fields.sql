-- ====== Custom-field validation (native: src/core/fields*, src/pg/fields.cpp) ======
-- A deliverable's custom_fields are checked against its service type's
-- deliverable_fields on every write: types, formats, lengths (in grapheme
-- clusters), ranges, anchored patterns (ICU, with a time and memory limit),
-- options, and no unknown keys. Required fields are enforced once the deliverable
-- has left PENDING (and not for CANCELLED, ARCHIVED or OVERDUE ones: the sweep
-- marks drafts overdue too), so that generated and draft deliverables can exist
-- before someone fills them in. An update that keeps the values and asks no more
-- of them is not re-checked. Problem codes: docs/custom-fields.md.

CREATE OR REPLACE FUNCTION mycelium_internal.check_custom_fields() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mycelium_check_custom_fields'
    LANGUAGE C;
CREATE OR REPLACE TRIGGER check_custom_fields
    BEFORE INSERT OR UPDATE OF custom_fields, service_type_id, status ON mycelium.deliverables
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_custom_fields();

-- A definition that could never be satisfied, or whose pattern does not compile,
-- is refused when it is saved.
CREATE OR REPLACE FUNCTION mycelium_internal.check_field_definition() RETURNS trigger
    AS 'MODULE_PATHNAME', 'mycelium_check_field_definition'
    LANGUAGE C;
CREATE OR REPLACE TRIGGER check_field_definition BEFORE INSERT OR UPDATE ON mycelium.deliverable_fields
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.check_field_definition();

-- Compiled validators are cached per backend; a change of a definition (or of a
-- service type's name, used in messages) drops them in every backend.
CREATE OR REPLACE TRIGGER announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mycelium.deliverable_fields
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change();
CREATE OR REPLACE TRIGGER announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mycelium.service_types
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.announce_change();
ALTER TABLE mycelium.deliverable_fields ENABLE ALWAYS TRIGGER announce_change;
ALTER TABLE mycelium.service_types ENABLE ALWAYS TRIGGER announce_change;

CREATE OR REPLACE FUNCTION mycelium.validate_custom_fields(service_type_id uuid, "values" jsonb)
    RETURNS TABLE (field_slug text, code text, message text)
    AS 'MODULE_PATHNAME', 'mycelium_validate_custom_fields'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION mycelium.validate_custom_fields(uuid, jsonb) IS
    'Every problem of a custom_fields object against a service type''s fields (no rows = valid)';
