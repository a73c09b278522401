-- ====== Native functions (C++, src/pg) ======

CREATE FUNCTION mycelium.uuid_v7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'mycelium_uuid_v7'
    LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.uuid_v7() IS
    'A time-ordered UUID (RFC 9562 version 7), monotonic within a backend; the default of every id';

CREATE FUNCTION mycelium.uuid_v7_time(id uuid) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'mycelium_uuid_v7_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.uuid_v7_time(uuid) IS
    'The creation time (millisecond precision) carried by a version 7 UUID';

CREATE FUNCTION mycelium.slugify(input text) RETURNS text
    AS 'MODULE_PATHNAME', 'mycelium_slugify'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mycelium.slugify(text) IS
    'Lower-case ASCII words joined by "-", transliterated with ICU (Café Münster → cafe-munster)';

-- An IANA time zone name that PostgreSQL knows ("Europe/Berlin", "UTC"), not a
-- POSIX offset string such as 'UTC+3' (which means three hours *west* of UTC and
-- is a trap in a settings form). IMMUTABLE so that a CHECK constraint may use it:
-- a name, once known, stays known when tzdata is updated. PARALLEL RESTRICTED
-- because the exception block needs a subtransaction.
CREATE FUNCTION mycelium.is_valid_time_zone(tz text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF tz !~ '^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z0-9_+-]+)*$' THEN
        RETURN false;
    END IF;
    PERFORM pg_catalog.now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END;
$$;

-- Called first by every writing function: fails with SQLSTATE 25006 on a hot
-- standby or in a read-only transaction, naming the operation.
CREATE FUNCTION mycelium.require_writable(operation text) RETURNS void
    AS 'MODULE_PATHNAME', 'mycelium_require_writable'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mycelium.require_writable(text) IS
    'Raises 25006 naming the operation when the transaction is read-only or the server a standby';
