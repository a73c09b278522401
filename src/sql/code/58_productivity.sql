-- ====== Productivity (native: src/core/productivity.cpp, src/pg/productivity.cpp) ======
-- Every user's figures for a period in one pass over the deliverables. All four
-- figures describe one cohort, the deliverables assigned to the user that were
-- created in [as_of - period_days, as_of) and not cancelled: of those, how many
-- were completed by as_of, how long they took, and how many missed their due
-- date (past it at as_of and not completed by it). The score is the document's:
-- completion rate minus 10 per missed due date, clamped to 0..100. Run as the
-- caller, so row-level security decides whose deliverables count; an ADMIN sees
-- the whole organization. docs/notifications.md has the details.
CREATE OR REPLACE FUNCTION mycelium.productivity_scores(
    organization_id uuid        DEFAULT NULL,
    period_days     integer     DEFAULT 30,
    as_of           timestamptz DEFAULT now(),
    user_id         uuid        DEFAULT NULL
) RETURNS TABLE (user_id uuid, total_assigned integer, total_completed integer, completion_rate numeric,
                 avg_completion_hours numeric, overdue_count integer, productivity_score numeric)
    AS 'MODULE_PATHNAME', 'mycelium_productivity_scores'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION mycelium.productivity_scores(uuid, integer, timestamptz, uuid) IS
    'Completion rate, average completion time, missed due dates and score of every user (or one) over a period';

-- The document's function and JSON shape, from the same native code.
CREATE OR REPLACE FUNCTION mycelium.calculate_user_productivity(user_id uuid, period_days integer DEFAULT 30)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result jsonb;
BEGIN
    IF user_id IS NULL THEN
        RAISE EXCEPTION 'calculate_user_productivity: user_id must not be NULL'
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'users', COLUMN = 'id';
    END IF;
    SELECT jsonb_build_object(
               'user_id', p.user_id, 'period_days', period_days,
               'total_assigned', p.total_assigned, 'total_completed', p.total_completed,
               'completion_rate', p.completion_rate, 'avg_completion_hours', p.avg_completion_hours,
               'overdue_count', p.overdue_count, 'productivity_score', p.productivity_score)
      INTO result
      FROM mycelium.productivity_scores(NULL, period_days, now(), calculate_user_productivity.user_id) p;
    IF result IS NULL THEN
        RAISE EXCEPTION 'calculate_user_productivity: user % does not exist', user_id
            USING ERRCODE = 'invalid_parameter_value', SCHEMA = 'mycelium', TABLE = 'users';
    END IF;
    RETURN result;
END;
$$;
COMMENT ON FUNCTION mycelium.calculate_user_productivity(uuid, integer) IS
    'One user''s productivity over the last period_days as the document''s JSON';
