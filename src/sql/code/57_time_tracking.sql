-- ====== Time tracking ======
-- What the design document leaves to the application, kept by the database so
-- that timesheets, bills and a deliverable's hours always agree
-- (docs/schema.md, "time_entries"):
--   - organization_settings.enable_time_tracking is honoured: while it is false
--     (the default, and for an organization without a settings row) no time
--     entry of the organization can be written (55000); deleting one still
--     works, and existing entries stay readable;
--   - duration (minutes) is derived from start_time and end_time when both are
--     set, and a duration given with them must agree (23514); with no end_time
--     it is the application's (a manual entry's length, or NULL: a running
--     timer);
--   - hourly_rate written as NULL takes the default_rate of the deliverable's
--     service type, and keeps it (users have no rate of their own); so a later
--     change of the default rate does not re-price time already logged;
--   - billable_amount is derived only: hours x hourly_rate, rounded to cents,
--     NULL when not billable or without a duration or a rate (428C9 for a
--     written value that disagrees);
--   - deliverables.actual_hours is the sum of its entries' durations, in hours:
--     kept by statement-level triggers (one UPDATE per statement, however many
--     rows), and no application writes it (428C9).
-- On UPDATE, a derived value the statement left as it was (an ORM writes every
-- column back) is derived again; one it changed must agree.

-- Row by row, before the write, as the writer (its reads go through row-level
-- security: the settings and the deliverable's service type of its own
-- organization, which it may read).
CREATE OR REPLACE FUNCTION mycelium_internal.derive_time_entry() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    enabled boolean;
    minutes numeric;
    rate numeric;
    amount numeric;
BEGIN
    -- Another organization's row (or none): row-level security or NOT NULL
    -- refuses it after this trigger, and nothing is said about that
    -- organization before (not even whether it tracks time).
    IF NEW.organization_id IS NULL
       OR (row_security_active(TG_RELID) AND NEW.organization_id IS DISTINCT FROM mycelium.current_organization_id()) THEN
        RETURN NEW;
    END IF;

    -- The switch. No settings row reads as the column's default, false.
    SELECT s.enable_time_tracking INTO enabled
      FROM mycelium.organization_settings s
     WHERE s.organization_id = NEW.organization_id;
    IF NOT coalesce(enabled, false) THEN
        RAISE EXCEPTION 'mycelium: time tracking is off for organization %', NEW.organization_id
            USING ERRCODE = 'object_not_in_prerequisite_state', SCHEMA = 'mycelium', TABLE = 'time_entries',
                  DETAIL = CASE WHEN enabled IS NULL
                                THEN 'The organization has no organization_settings row; enable_time_tracking defaults to false.'
                                ELSE 'organization_settings.enable_time_tracking is false.' END,
                  HINT = 'An ADMIN turns it on: UPDATE mycelium.organization_settings SET enable_time_tracking = true.';
    END IF;

    -- Values the table's constraints refuse are left to them, so that the error
    -- names the constraint (NOT NULL, time_entries_end_after_start, the _finite
    -- and _non_negative checks): nothing is derived from them.
    IF NEW.start_time IS NULL OR NOT isfinite(NEW.start_time) OR NOT isfinite(NEW.end_time)
       OR NEW.end_time < NEW.start_time OR NEW.duration < 0 OR NEW.hourly_rate < 0 OR NEW.billable_amount < 0 THEN
        RETURN NEW;
    END IF;

    -- Duration: whole minutes between the times, to the nearest (half a minute
    -- up). Epoch seconds, not end_time - start_time, whose interval overflows
    -- long before the minutes do.
    IF NEW.end_time IS NOT NULL THEN
        minutes := round((extract(epoch FROM NEW.end_time) - extract(epoch FROM NEW.start_time)) / 60);
        IF minutes > 2147483647 THEN
            RAISE EXCEPTION 'time_entries: start_time to end_time is % minutes, more than duration holds (2147483647)',
                            minutes
                USING ERRCODE = 'numeric_value_out_of_range',
                      SCHEMA = 'mycelium', TABLE = 'time_entries', COLUMN = 'duration';
        END IF;
        IF NEW.duration IS NOT NULL AND NEW.duration <> minutes
           AND (TG_OP = 'INSERT' OR NEW.duration IS DISTINCT FROM OLD.duration) THEN
            RAISE EXCEPTION 'time_entries: duration % disagrees with start_time and end_time, which make % minutes',
                            NEW.duration, minutes
                USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = 'time_entries', COLUMN = 'duration',
                      HINT = 'With both times set, leave duration out: it is derived from them, in whole minutes.';
        END IF;
        NEW.duration := minutes;
    END IF;

    -- The rate: the entry's own, else its deliverable's service type's default,
    -- which the entry then keeps.
    IF NEW.hourly_rate IS NULL THEN
        SELECT st.default_rate INTO rate
          FROM mycelium.deliverables d
          JOIN mycelium.service_types st ON st.organization_id = d.organization_id AND st.id = d.service_type_id
         WHERE d.organization_id = NEW.organization_id AND d.id = NEW.deliverable_id;
        IF rate > 999999.99 THEN
            RAISE EXCEPTION 'time_entries: the default rate % of the deliverable''s service type is more than hourly_rate holds (999999.99)',
                            rate
                USING ERRCODE = 'numeric_value_out_of_range',
                      SCHEMA = 'mycelium', TABLE = 'time_entries', COLUMN = 'hourly_rate',
                      HINT = 'Give the entry an hourly_rate of its own.';
        END IF;
        NEW.hourly_rate := rate;
    END IF;

    -- The amount: hours x rate, rounded to cents (half a cent up).
    IF NEW.is_billable AND NEW.duration IS NOT NULL AND NEW.hourly_rate IS NOT NULL THEN
        amount := round(NEW.duration * NEW.hourly_rate / 60, 2);
        IF amount > 99999999.99 THEN
            RAISE EXCEPTION 'time_entries: % minutes at % an hour make %, more than billable_amount holds (99999999.99)',
                            NEW.duration, NEW.hourly_rate, amount
                USING ERRCODE = 'numeric_value_out_of_range',
                      SCHEMA = 'mycelium', TABLE = 'time_entries', COLUMN = 'billable_amount';
        END IF;
    END IF;
    IF NEW.billable_amount IS NOT NULL AND NEW.billable_amount IS DISTINCT FROM amount
       AND (TG_OP = 'INSERT' OR NEW.billable_amount IS DISTINCT FROM OLD.billable_amount) THEN
        RAISE EXCEPTION 'time_entries: billable_amount is derived (hours x hourly_rate when is_billable): % is not %',
                        NEW.billable_amount, coalesce(amount::text, 'NULL')
            USING ERRCODE = 'generated_always',
                  SCHEMA = 'mycelium', TABLE = 'time_entries', COLUMN = 'billable_amount',
                  HINT = 'Leave billable_amount out; to bill another amount, change hourly_rate.';
    END IF;
    NEW.billable_amount := amount;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER derive_time_entry BEFORE INSERT OR UPDATE ON mycelium.time_entries
    FOR EACH ROW EXECUTE FUNCTION mycelium_internal.derive_time_entry();

-- deliverables.actual_hours: after each statement, the deliverables whose
-- entries it added, removed, moved or changed the duration of get the sum of
-- their entries' durations again, in hours rounded to cents (NULL: no entry
-- with a duration). Recomputed from the entries, never adjusted by a
-- difference, so rounding never accumulates.
--
-- Concurrent writers: the deliverables are locked first (FOR NO KEY UPDATE, in
-- key order, which the entries' foreign-key checks do not conflict with), and
-- the sum is read after the lock by a statement of its own, whose snapshot (READ
-- COMMITTED) sees every entry committed by a session that held the lock before.
-- A session whose entries are not committed yet sums again itself, after this
-- one. So two sessions adding time to one deliverable wait for each other and
-- the last sum counts both (test/isolation/specs/time_entries_race.spec); under
-- REPEATABLE READ the second fails with 40001 and is retried.
--
-- SECURITY DEFINER: the sum counts every entry of the deliverable, also those
-- the writer cannot see (a colleague's), and the deliverable is written whether
-- or not the writer may update it. Its own UPDATE is not an edit of the
-- deliverable: it runs as a job statement (mycelium.in_job_statement), so the
-- activity log and the notification triggers stand aside (the entries are the
-- record).
CREATE OR REPLACE FUNCTION mycelium_internal.sum_time_entries() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    orgs uuid[];
    ids uuid[];
    hours numeric[];
    bad integer;
    was_job text;
BEGIN
    was_job := coalesce(current_setting('mycelium.in_job_statement', true), 'off');
    IF TG_OP = 'TRUNCATE' THEN
        -- No entry is left anywhere.
        PERFORM set_config('mycelium.in_job_statement', 'on', true);
        UPDATE mycelium.deliverables SET actual_hours = NULL WHERE actual_hours IS NOT NULL;
        PERFORM set_config('mycelium.in_job_statement', was_job, true);
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(t.organization_id ORDER BY t.organization_id, t.deliverable_id),
               array_agg(t.deliverable_id ORDER BY t.organization_id, t.deliverable_id)
          INTO orgs, ids
          FROM (SELECT DISTINCT n.organization_id, n.deliverable_id FROM new_rows n WHERE n.duration IS NOT NULL) t;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(t.organization_id ORDER BY t.organization_id, t.deliverable_id),
               array_agg(t.deliverable_id ORDER BY t.organization_id, t.deliverable_id)
          INTO orgs, ids
          FROM (SELECT DISTINCT o.organization_id, o.deliverable_id FROM old_rows o WHERE o.duration IS NOT NULL) t;
    ELSE
        -- The old and the new deliverable of every entry whose deliverable or
        -- duration changed (an entry is paired with itself by its key; one
        -- whose key changed counts as removed and added).
        SELECT array_agg(t.organization_id ORDER BY t.organization_id, t.deliverable_id),
               array_agg(t.deliverable_id ORDER BY t.organization_id, t.deliverable_id)
          INTO orgs, ids
          FROM (SELECT o.organization_id, o.deliverable_id
                  FROM old_rows o
                 WHERE NOT EXISTS (SELECT FROM new_rows n
                                    WHERE n.organization_id = o.organization_id AND n.id = o.id
                                      AND n.deliverable_id = o.deliverable_id
                                      AND n.duration IS NOT DISTINCT FROM o.duration)
                UNION
                SELECT n.organization_id, n.deliverable_id
                  FROM new_rows n
                 WHERE NOT EXISTS (SELECT FROM old_rows o
                                    WHERE o.organization_id = n.organization_id AND o.id = n.id
                                      AND o.deliverable_id = n.deliverable_id
                                      AND o.duration IS NOT DISTINCT FROM n.duration)) t;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;

    PERFORM FROM mycelium.deliverables d
      JOIN unnest(orgs, ids) AS t(organization_id, id) ON d.organization_id = t.organization_id AND d.id = t.id
     ORDER BY d.organization_id, d.id
       FOR NO KEY UPDATE OF d;

    SELECT array_agg(s.hours ORDER BY t.n) INTO hours
      FROM unnest(orgs, ids) WITH ORDINALITY AS t(organization_id, id, n)
     CROSS JOIN LATERAL (SELECT round(sum(e.duration) / 60.0, 2) AS hours
                           FROM mycelium.time_entries e
                          WHERE e.organization_id = t.organization_id AND e.deliverable_id = t.id) s;
    -- unnest, not hours[i] over generate_subscripts: subscripting an array of
    -- numeric walks it from the start, so a bulk import of n entries cost n².
    SELECT t.n INTO bad FROM unnest(hours) WITH ORDINALITY AS t(h, n) WHERE t.h > 9999.99 LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'time_entries: the entries of deliverable % add up to % hours, more than actual_hours holds (9999.99)',
                        ids[bad], hours[bad]
            USING ERRCODE = 'numeric_value_out_of_range',
                  SCHEMA = 'mycelium', TABLE = 'deliverables', COLUMN = 'actual_hours';
    END IF;

    PERFORM set_config('mycelium.in_job_statement', 'on', true);
    UPDATE mycelium.deliverables d SET actual_hours = s.hours
      FROM unnest(orgs, ids, hours) AS s(organization_id, id, hours)
     WHERE d.organization_id = s.organization_id AND d.id = s.id
       AND d.actual_hours IS DISTINCT FROM s.hours;
    PERFORM set_config('mycelium.in_job_statement', was_job, true);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER sum_hours_insert AFTER INSERT ON mycelium.time_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries();
CREATE OR REPLACE TRIGGER sum_hours_update AFTER UPDATE ON mycelium.time_entries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries();
CREATE OR REPLACE TRIGGER sum_hours_delete AFTER DELETE ON mycelium.time_entries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries();
CREATE OR REPLACE TRIGGER sum_hours_truncate AFTER TRUNCATE ON mycelium.time_entries
    FOR EACH STATEMENT EXECUTE FUNCTION mycelium_internal.sum_time_entries();

-- Nothing but that sum writes actual_hours: an application's write (a role
-- under row-level security) is refused, so the figure on a deliverable is
-- always its entries' total. The owner's is let through (an import of history,
-- a repair), as the trigger's own UPDATE, which runs as the owner, is. Only rows
-- whose actual_hours is set or changed run it (the triggers' WHEN).
CREATE OR REPLACE FUNCTION mycelium_internal.guard_actual_hours() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF row_security_active(TG_RELID) THEN
        RAISE EXCEPTION 'deliverables: actual_hours is the sum of the deliverable''s time entries and cannot be written'
            USING ERRCODE = 'generated_always', SCHEMA = 'mycelium', TABLE = 'deliverables', COLUMN = 'actual_hours',
                  HINT = 'Log time in mycelium.time_entries (organization_settings.enable_time_tracking).';
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER guard_actual_hours BEFORE INSERT ON mycelium.deliverables
    FOR EACH ROW WHEN (NEW.actual_hours IS NOT NULL)
    EXECUTE FUNCTION mycelium_internal.guard_actual_hours();
CREATE OR REPLACE TRIGGER guard_actual_hours_update BEFORE UPDATE OF actual_hours ON mycelium.deliverables
    FOR EACH ROW WHEN (NEW.actual_hours IS DISTINCT FROM OLD.actual_hours)
    EXECUTE FUNCTION mycelium_internal.guard_actual_hours();
