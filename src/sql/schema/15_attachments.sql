-- ====== Attachments: validated entries, not free JSON ======
-- deliverables.attachments and comments.attachments are JSON arrays of file
-- metadata (docs/schema.md, "Attachments"). Each entry is an object with
--   "name"          non-blank text, at most 255 characters, no control characters
--   "url"           an http or https URL with a host, no user name or password in
--                   it, no white space or control characters, at most 2048
--                   characters
--   "size"          the file's length in bytes: a non-negative integer (bigint)
--   "content_type"  a MIME type, type/subtype with optional ;name=value parameters
-- and optionally
--   "uploaded_at"   when the file was uploaded: RFC 3339 with an offset
--                   (2026-12-07T09:30:00Z), so that it casts to timestamptz alike
--                   in every session.
-- Any other key is refused: a misspelt key ("contentType", "filename") is caught
-- when it is written rather than read back as a missing value; an application
-- that needs more keeps it in its own column or in custom_fields.
--
-- The CHECK <table>_attachments_valid of both tables calls this function, which
-- raises 23514 itself, naming the table, the entry (its 0-based index, as jsonb's
-- -> counts) and the key, with TABLE, COLUMN and CONSTRAINT set; a plain CHECK
-- could say only which constraint failed. IMMUTABLE: it reads nothing but its
-- arguments. A value that is not an array is <table>_attachments_array's to
-- refuse (checked first: constraints are checked by name). Made once, with the
-- tables (a schema part, like open_statuses): a change to it is a schema change.
CREATE FUNCTION mycelium.check_attachments(attachments jsonb, table_name text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    entry jsonb;
    i integer := -1;
    k text;
    v jsonb;
    s text;
    n numeric;
    m text[];
    problem text;
BEGIN
    IF jsonb_typeof(attachments) <> 'array' THEN
        RETURN true;
    END IF;
    FOR entry IN SELECT e FROM jsonb_array_elements(attachments) AS e LOOP
        i := i + 1;
        k := NULL;
        problem := NULL;
        IF jsonb_typeof(entry) <> 'object' THEN
            problem := format('an attachment is a JSON object with name, url, size and content_type, not %s %s',
                              CASE WHEN jsonb_typeof(entry) IN ('array', 'object') THEN 'an' ELSE 'a' END,
                              jsonb_typeof(entry));
        ELSE
            SELECT min(x) INTO k FROM jsonb_object_keys(entry) AS x
             WHERE x NOT IN ('name', 'url', 'size', 'content_type', 'uploaded_at');
            IF k IS NOT NULL THEN
                k := left(k, 64);
                problem := 'is not a key of an attachment (name, url, size, content_type, uploaded_at)';
            END IF;
        END IF;
        IF problem IS NULL THEN
            FOREACH k IN ARRAY ARRAY['name', 'url', 'size', 'content_type', 'uploaded_at'] LOOP
                v := entry -> k;
                IF v IS NULL THEN
                    problem := CASE WHEN k <> 'uploaded_at' THEN 'is missing' END;
                ELSIF k = 'size' THEN
                    IF jsonb_typeof(v) <> 'number' THEN
                        problem := format('must be a number of bytes, not %s', jsonb_typeof(v));
                    ELSE
                        n := (v #>> '{}')::numeric;
                        IF n < 0 OR n <> trunc(n) OR n > 9223372036854775807 THEN
                            problem := format('must be a whole, non-negative number of bytes, not %s', left(v::text, 40));
                        END IF;
                    END IF;
                ELSIF jsonb_typeof(v) <> 'string' THEN
                    problem := format('must be a string, not %s', jsonb_typeof(v));
                ELSE
                    s := v #>> '{}';
                    IF k = 'name' THEN
                        IF s ~ '^[[:space:]]*$' THEN
                            problem := 'must not be blank';
                        ELSIF length(s) > 255 THEN
                            problem := format('must be at most 255 characters, not %s', length(s));
                        ELSIF s ~ '[[:cntrl:]]' THEN
                            problem := 'must not hold control characters';
                        END IF;
                    ELSIF k = 'url' THEN
                        m := regexp_match(s, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)');
                        IF length(s) > 2048 THEN
                            problem := format('must be at most 2048 characters, not %s', length(s));
                        ELSIF s ~ '[[:space:][:cntrl:]]' THEN
                            problem := 'must not hold white space or control characters';
                        ELSIF m IS NULL OR lower(m[1]) NOT IN ('http', 'https') THEN
                            problem := 'must be an http or https URL';
                        ELSIF strpos(m[2], '@') > 0 THEN
                            problem := 'must not hold a user name or password';
                        ELSIF m[2] !~ ('^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
                                       '(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)(:[0-9]{1,5})?$')
                              OR coalesce(substring(m[2] FROM ':([0-9]{1,5})$')::integer, 1) NOT BETWEEN 1 AND 65535 THEN
                            problem := 'must name a host (a DNS name or an IP address, and a port from 1 to 65535)';
                        END IF;
                    ELSIF k = 'content_type' THEN
                        IF length(s) > 255
                           OR s !~ ('^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}'
                                    '([[:blank:]]*;[[:blank:]]*[A-Za-z0-9!#$&^_.+-]+='
                                    '([A-Za-z0-9!#$&^_.+-]+|"[^"\\[:cntrl:]]*"))*$') THEN
                            problem := 'must be a MIME type such as image/png (type/subtype, optional ;name=value '
                                       'parameters, at most 255 characters)';
                        END IF;
                    ELSIF k = 'uploaded_at' THEN
                        m := regexp_match(s, '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})'
                                             '(\.[0-9]{1,6})?(Z|[+-]([0-9]{2}):([0-9]{2}))$');
                        -- Nested, so that make_date only ever sees a valid year and month.
                        IF m IS NULL OR m[1]::integer < 1 OR m[2]::integer NOT BETWEEN 1 AND 12
                           OR m[3]::integer < 1 OR m[4]::integer > 23 OR m[5]::integer > 59 OR m[6]::integer > 59
                           OR coalesce(m[9]::integer, 0) > 23 OR coalesce(m[10]::integer, 0) > 59 THEN
                            problem := 'must be an RFC 3339 time with an offset, such as 2026-12-07T09:30:00Z';
                        ELSIF m[3]::integer > extract(day FROM make_date(m[1]::integer, m[2]::integer, 1)
                                                                + interval '1 month - 1 day') THEN
                            problem := format('must be an RFC 3339 time with an offset: %s-%s has no day %s',
                                              m[1], m[2], m[3]);
                        END IF;
                    END IF;
                END IF;
                EXIT WHEN problem IS NOT NULL;
            END LOOP;
        END IF;
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION '%.attachments[%]%: %', table_name, i,
                            CASE WHEN k IS NOT NULL THEN format(' "%s"', k) ELSE '' END, problem
                USING ERRCODE = 'check_violation', SCHEMA = 'mycelium', TABLE = table_name, COLUMN = 'attachments',
                      CONSTRAINT = table_name || '_attachments_valid',
                      HINT = 'An attachment is {"name": text, "url": "https://...", "size": bytes, '
                             '"content_type": "type/subtype"}, optionally with "uploaded_at" '
                             '(docs/schema.md, "Attachments").';
        END IF;
    END LOOP;
    RETURN true;
END;
$$;
COMMENT ON FUNCTION mycelium.check_attachments(jsonb, text) IS
    'True when every entry is an attachment (name, url, size, content_type, optionally uploaded_at); else 23514 naming the entry and key';
