-- Native functions: uuid_v7 and slugify.

-- uuid_v7: RFC 9562 version 7, variant 10, time-ordered, monotonic in a backend.
SELECT substr(u::text, 15, 1) AS version,
       substr(u::text, 20, 1) IN ('8', '9', 'a', 'b') AS rfc_variant,
       abs(extract(epoch FROM mycelium.uuid_v7_time(u) - clock_timestamp())) < 5 AS time_is_now
FROM (SELECT mycelium.uuid_v7() AS u) s;

WITH ids AS (
    SELECT n, mycelium.uuid_v7() AS u FROM generate_series(1, 100000) AS n
)
SELECT count(*) AS ids, count(DISTINCT u) AS distinct_ids,
       bool_and(lag_u IS NULL OR u > lag_u) AS strictly_increasing
FROM (SELECT u, lag(u) OVER (ORDER BY n) AS lag_u FROM ids) s;

-- The default of every id.
SELECT count(*) AS id_columns_defaulting_to_uuid_v7
FROM information_schema.columns
WHERE table_schema = 'mycelium' AND column_name = 'id' AND column_default = 'mycelium.uuid_v7()';

-- uuid_v7_time refuses other versions, and NULL gives NULL.
SELECT mycelium.uuid_v7_time('550e8400-e29b-41d4-a716-446655440000');
SELECT mycelium.uuid_v7_time(NULL) IS NULL AS null_in_null_out;

-- slugify: ICU transliteration to lower-case ASCII words.
SELECT input, mycelium.slugify(input)
FROM (VALUES ('Café Münster & Co.'), ('Москва'), ('GTG Builders'), ('  Hello---World  '),
             ('Ærøskøbing'), ('Straße'), ('O''Brien''s'), ('東京'), ('🎉 Party 🎉'),
             ('Cafe' || U&'\0301'), ('Ⅻ ① ™')) AS t(input);

-- Long names are cut at a word boundary, at most 80 characters.
SELECT length(s) <= 80 AS bounded, right(s, 1) <> '-' AS no_trailing_dash
FROM (SELECT mycelium.slugify(repeat('agency ', 40)) AS s) t;

-- Bad input: clear errors with the right SQLSTATE, never a crash.
\set VERBOSITY sqlstate
SELECT mycelium.slugify('');
SELECT mycelium.slugify('   ');
SELECT mycelium.slugify('🎉🎉');
SELECT mycelium.slugify(repeat('x', 70000));
SELECT mycelium.slugify(repeat('x', 10 * 1024 * 1024));
\set VERBOSITY default
SELECT mycelium.slugify('!!!');
SELECT mycelium.slugify(repeat('x', 70000));
SELECT mycelium.slugify(NULL) IS NULL AS null_in_null_out;
-- The backend survived all of it.
SELECT 'alive' AS backend;
