-- mycelium.uuid_among(value, ids): the staff policies' "one of the user's
-- clients", value = ANY (ids) with the array sorted once per call site.
\set QUIET on
\pset null '(null)'
SET client_min_messages = warning;

-- The same answer as = ANY, whatever the array: found, not found, empty,
-- duplicates, NULL elements (not found and a NULL among them: unknown).
WITH a(ids) AS (VALUES
    ('{}'::uuid[]),
    ('{00000000-0000-0000-0000-000000000001}'),
    ('{00000000-0000-0000-0000-000000000003,00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000003}'),
    ('{NULL,00000000-0000-0000-0000-000000000002}'),
    ('{NULL}')),
v(value) AS (VALUES ('00000000-0000-0000-0000-000000000001'::uuid), ('00000000-0000-0000-0000-000000000002'))
SELECT a.ids, v.value, mycelium.uuid_among(v.value, a.ids) AS among, v.value = ANY (a.ids) AS "= ANY"
FROM a CROSS JOIN v ORDER BY 1, 2;

-- STRICT: a NULL value or array is NULL (where = ANY ('{}') would say false).
SELECT mycelium.uuid_among(NULL, '{}'), mycelium.uuid_among('00000000-0000-0000-0000-000000000001', NULL);

-- A different array in each row of one statement (the sorted set is rebuilt
-- whenever the array differs from the one it was built from): the same answers
-- as = ANY over 2,000 rows whose arrays grow and shrink.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE mycelium.uuid_among(x.value, x.ids) IS DISTINCT FROM (x.value = ANY (x.ids))) AS disagree,
       count(*) FILTER (WHERE mycelium.uuid_among(x.value, x.ids)) AS found
FROM (SELECT md5((i % 37)::text)::uuid AS value,
             ARRAY(SELECT md5(j::text)::uuid FROM generate_series(1, i % 50) AS j) AS ids
        FROM generate_series(1, 2000) AS i) x;

-- One hundred ids, as a staff member with many clients: every member is found,
-- and nothing else.
SELECT count(*) FILTER (WHERE mycelium.uuid_among(md5(i::text)::uuid, s.ids)) AS members_found,
       count(*) FILTER (WHERE mycelium.uuid_among(md5((-i)::text)::uuid, s.ids)) AS others_found
FROM (SELECT ARRAY(SELECT md5(j::text)::uuid FROM generate_series(100, 1, -1) AS j) AS ids) s,
     generate_series(1, 100) AS i;

-- Only a one-dimensional array.
SELECT mycelium.uuid_among('00000000-0000-0000-0000-000000000001',
                           '{{00000000-0000-0000-0000-000000000001},{00000000-0000-0000-0000-000000000002}}');
