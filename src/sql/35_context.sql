-- ====== Who is acting ======
-- The acting application user, read from the PostgREST/Supabase convention
-- (the `sub` claim of the request.jwt.claims setting). Missing, empty or
-- malformed claims mean "nobody", never an error: after a SET LOCAL ends,
-- PostgreSQL reads the setting back as '' for the rest of the session.
-- (The complete tenant context, set_context and authenticate, is docs/tenancy.md.)

CREATE FUNCTION mycelium.current_app_user_id() RETURNS uuid
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    claims text := current_setting('request.jwt.claims', true);
    sub text;
BEGIN
    IF claims IS NULL OR claims = '' THEN
        RETURN NULL;
    END IF;
    BEGIN
        sub := claims::jsonb ->> 'sub';
        IF sub ~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
            RETURN sub::uuid;
        END IF;
    EXCEPTION WHEN invalid_text_representation OR datatype_mismatch OR invalid_parameter_value THEN
        NULL;
    END;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION mycelium.current_app_user_id() IS
    'The acting user (claim "sub" of request.jwt.claims), or NULL when none is set or it is malformed';
