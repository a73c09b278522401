-- ====== Activity log ======
-- Statement-level triggers with transition tables: one INSERT ... SELECT per
-- statement instead of a PL/pgSQL call per row, so bulk work stays cheap. An
-- update records only the fields it changed (old and new values of those, and
-- changed_fields); an update that changes nothing but updated_at records nothing.
-- The actor is the session's application user when one is set and belongs to the
-- row's organization (the document logged the deliverable's creator instead).
-- Password hashes are not in these tables (mycelium_internal.credentials), so
-- no row copied here holds one.
-- Arguments: the resource type ('deliverable') and the column holding its name.
-- The OFFSET 0s keep the planner from inlining the sub-selects, which would
-- compute each row's to_jsonb once per changed key instead of once.

-- The request a change came from, for activity_logs.ip_address, user_agent and
-- session_id: what the application said for this transaction
-- (mycelium.set_request_info), else what PostgREST passes in request.headers
-- (the first X-Forwarded-For address, User-Agent), and for the session the
-- id of the token authenticate accepted. Read once per logging statement; a
-- malformed header gives NULL, never a failed write.
CREATE OR REPLACE FUNCTION mycelium_internal.request_info(OUT ip_address inet, OUT user_agent text,
                                                         OUT session_id text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    headers jsonb;
    forwarded text;
BEGIN
    user_agent := left(nullif(current_setting('mycelium.request_user_agent', true), ''), 500);
    session_id := coalesce(left(nullif(current_setting('mycelium.request_session', true), ''), 200),
                           (mycelium_internal.current_token()).token_id);
    -- Nothing said about the request: no subtransaction for the block below, which
    -- every logged write statement would otherwise pay.
    IF coalesce(current_setting('mycelium.request_ip', true), '') = ''
       AND coalesce(current_setting('request.headers', true), '') = '' THEN
        RETURN;
    END IF;
    BEGIN
        ip_address := nullif(current_setting('mycelium.request_ip', true), '')::inet;
        IF ip_address IS NULL OR user_agent IS NULL THEN
            headers := nullif(current_setting('request.headers', true), '')::jsonb;
            forwarded := btrim(split_part(headers ->> 'x-forwarded-for', ',', 1));
            user_agent := coalesce(user_agent, left(headers ->> 'user-agent', 500));
            ip_address := coalesce(ip_address, nullif(forwarded, '')::inet);
        END IF;
    EXCEPTION WHEN data_exception THEN
        NULL;  -- a malformed value is no address: the write goes on
    END;
END;
$$;

-- The application tells the database where this transaction's request came
-- from (the client's address, its User-Agent, a session id of its own); the
-- activity log records them. Transaction-local, like the context.
CREATE OR REPLACE FUNCTION mycelium.set_request_info(ip_address inet, user_agent text DEFAULT NULL,
                                                     session_id text DEFAULT NULL) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT set_config('mycelium.request_ip', coalesce(host(ip_address), ''), true),
           set_config('mycelium.request_user_agent', coalesce(left(user_agent, 500), ''), true),
           set_config('mycelium.request_session', coalesce(left(session_id, 200), ''), true);
$$;
COMMENT ON FUNCTION mycelium.set_request_info(inet, text, text) IS
    'Records the request''s client address, User-Agent and session id for the activity log of this transaction';

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
    request record;
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
    request := mycelium_internal.request_info();

    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name, new_values,
                  ip_address, user_agent, session_id)
             SELECT n.organization_id,
                    CASE WHEN n.organization_id = ANY ($1) THEN $2 END,
                    ''created'', $3, n.id, n.%I, to_jsonb(n), $4, $5, $6
               FROM new_rows n', name_column)
            USING actor_orgs, actor, resource_type, request.ip_address, request.user_agent, request.session_id;
    ELSIF TG_OP = 'DELETE' THEN
        -- Rows deleted by the cascade from a deleted organization go unrecorded:
        -- their organization, and so their log, is gone with them.
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name, old_values,
                  ip_address, user_agent, session_id)
             SELECT o.organization_id,
                    CASE WHEN o.organization_id = ANY ($1) THEN $2 END,
                    ''deleted'', $3, o.id, o.%I, to_jsonb(o), $4, $5, $6
               FROM old_rows o
              WHERE EXISTS (SELECT FROM mycelium.organizations g WHERE g.id = o.organization_id)', name_column)
            USING actor_orgs, actor, resource_type, request.ip_address, request.user_agent, request.session_id;
    ELSE
        EXECUTE format(
            'INSERT INTO mycelium.activity_logs
                 (organization_id, user_id, action, resource_type, resource_id, resource_name,
                  old_values, new_values, changed_fields, ip_address, user_agent, session_id)
             SELECT c.organization_id,
                    CASE WHEN c.organization_id = ANY ($1) THEN $2 END,
                    CASE WHEN $3 = ''deliverable'' AND c.new_row ->> ''status'' = ''COMPLETED''
                              AND c.old_row ->> ''status'' <> ''COMPLETED'' THEN ''completed''
                         ELSE ''updated'' END,
                    $3, c.id, c.name,
                    (SELECT jsonb_object_agg(k, c.old_row -> k) FROM unnest(c.changed) k),
                    (SELECT jsonb_object_agg(k, c.new_row -> k) FROM unnest(c.changed) k),
                    c.changed, $4, $5, $6
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
            USING actor_orgs, actor, resource_type, request.ip_address, request.user_agent, request.session_id;
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
