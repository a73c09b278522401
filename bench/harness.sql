-- The benchmark's own schema: parameters, workload definitions, results, the
-- in-server timer, the run plan and the report. Loaded by bench/run into a fresh
-- database of a throwaway cluster, as the superuser, before the data set.
--
-- Timing happens inside the server (clock_timestamp() around EXECUTE), so neither
-- psql's start-up nor the network is measured. Every measurement runs in its own
-- subtransaction that is always rolled back (by raising a private SQLSTATE once
-- the clock has stopped): a writing workload leaves nothing behind, and each
-- repetition starts from the same data. The rollback itself is not timed.
--
-- Answers are checked before times are compared: on the warm-up, each column's
-- answer query runs right after its statement, in the same subtransaction (so it
-- sees what a writing workload wrote, before the rollback), and the columns of a
-- workload must agree on every part of the answer they share (bench.answer_check).

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA bench;

-- Key/value parameters of the run: scale, seed, anchor day, the organization and
-- users that the single-organization workloads use, the machine.
CREATE TABLE bench.params (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Loading time, one row per step (bench.step() marks the start of the next one).
CREATE TABLE bench.load_log (
    n          serial PRIMARY KEY,
    step       text        NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION bench.step(name text) RETURNS void
    LANGUAGE sql
AS $$
    INSERT INTO bench.load_log (step) VALUES (name);
$$;

-- One row per workload and column. A column that does not exist (yet) simply has
-- no row. sql is the timed statement; setup (optional) runs first, untimed, in the
-- same subtransaction. rows_mode 'count' takes the statement's row count as the
-- rows touched; 'value' takes the single number the statement returns.
-- Placeholders, replaced by typed literals before EXECUTE: {org} (uuid of the
-- single organization), {admin}, {editor} (uuids of its first ADMIN and of the
-- non-admin with the most assignments, preferably a VIDEO_EDITOR), {editor_role}
-- (that user's role, text), {month} (date: the month after the anchor day),
-- {portal}, {client} (uuids of the portal user of the active client with the
-- most deliverables, and of that client).
CREATE TABLE bench.workloads (
    ord       integer NOT NULL,
    workload  text    NOT NULL,
    title     text    NOT NULL,
    col       text    NOT NULL CHECK (col IN ('mycelium', 'document', 'limit')),
    writes    boolean NOT NULL DEFAULT false,
    setup     text[],
    sql       text    NOT NULL,
    rows_mode text    NOT NULL DEFAULT 'count' CHECK (rows_mode IN ('count', 'value')),
    -- A procedure that commits (sign_in) cannot run in bench.measure's rolled-back
    -- subtransaction: bench/run measures such a column itself, one top-level CALL
    -- per repetition (bench.plan_outside), after the others.
    outside   boolean NOT NULL DEFAULT false,
    -- Whose work it is, so that scales can be compared (docs/performance.md, "Cost
    -- per organization"): 'organization', the single organization's (the same
    -- shape at every scale); 'fixed', a fixed amount whatever the scale (100
    -- e-mails, one sign-in, a sweep that finds nothing); 'all', every
    -- organization's, which grows with the scale. The same in every column.
    scope     text CHECK (scope IN ('organization', 'fixed', 'all')),
    -- What one row of the workload's rows is, for its cost per row (µs per row):
    -- 'generated', 'swept' or 'validated'; NULL: not reported per row.
    per_row   text CHECK (per_row IN ('generated', 'swept', 'validated')),
    -- What the column computed: a query returning one jsonb object of named parts
    -- (each a text, usually bench.digest() of some rows), run on the warm-up only,
    -- after sql and before the rollback, with the same placeholders plus {sql} (the
    -- statement itself, to wrap a read). Parts that two or more columns of the
    -- workload have must be equal; a part only one column has is not compared.
    answer      text,
    -- What this column computes differently from the others (so what its answer
    -- leaves out), printed with the answers. NULL: it computes the same thing.
    answer_note text,
    PRIMARY KEY (workload, col)
);

-- Rep 0 is the warm-up and is not part of the median.
CREATE TABLE bench.results (
    workload    text        NOT NULL,
    col         text        NOT NULL,
    rep         integer     NOT NULL,
    ms          float8,
    rows        bigint,
    status      text        NOT NULL CHECK (status IN ('ok', 'timeout', 'error')),
    detail      text,
    measured_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    loadavg     float8,     -- the machine's 1-minute load average just after
    answer      jsonb,      -- the warm-up's answer (bench.workloads.answer)
    answer_detail text,     -- why a warm-up that has an answer query has no answer
    PRIMARY KEY (workload, col, rep)
);

CREATE FUNCTION bench.param(k text) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT value FROM bench.params WHERE key = k;
$$;

CREATE FUNCTION bench.expand(s text) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(s,
           '{admin_email}', quote_literal(bench.param('admin_email'))),
           '{org}',    quote_literal(bench.param('org'))    || '::uuid'),
           '{admin}',  quote_literal(bench.param('admin'))  || '::uuid'),
           '{editor}', quote_literal(bench.param('editor')) || '::uuid'),
           '{portal}', quote_literal(bench.param('portal')) || '::uuid'),
           '{client}', quote_literal(bench.param('portal_client')) || '::uuid'),
           '{month}',  quote_literal(bench.param('month'))  || '::date'),
           '{editor_role}', quote_literal(bench.param('editor_role'))),
           '{as_of}', quote_literal(bench.param('as_of')) || '::timestamptz');
$$;

-- digest(query): what the rows of a query are, independent of their order: how
-- many, and the md5 of their text forms sorted. Answers cast what they digest to
-- one type per value (bigint, numeric rounded, text) so that columns which
-- compute the same value in other types still agree.
CREATE FUNCTION bench.digest(query text) RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    n bigint;
    h text;
BEGIN
    EXECUTE format('SELECT count(*), md5(coalesce(string_agg(r::text, E''\n'' ORDER BY r::text), '''')) FROM (%s) r',
                   query) INTO n, h;
    RETURN n || ' rows, md5 ' || left(h, 16);
END;
$$;

-- mine(xmin): whether a row version was written by the current transaction (its
-- subtransactions included): their xids are all at least the top-level one, which
-- a subtransaction's write assigns first, and every earlier transaction's are
-- lower. Valid in the benchmark's fresh cluster, whose xids are far from
-- wrapping around (epoch 0). The answers of writing workloads find what the
-- measurement wrote with it.
CREATE FUNCTION bench.mine(x xid) RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT x::text::bigint >= pg_current_xact_id()::text::bigint % 4294967296;
$$;

-- The 1-minute load average of the machine (Linux), to tell a quiet run from one
-- measured while other work shared the cores; NULL where /proc is not readable.
CREATE FUNCTION bench.loadavg() RETURNS float8
    LANGUAGE plpgsql
AS $$
BEGIN
    RETURN split_part(pg_read_file('/proc/loadavg'), ' ', 1)::float8;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END;
$$;

-- The machine's speed, for comparing runs: the median of five times one fixed
-- loop of pure CPU (a million hashes, no table, no I/O), in ms, taken before and
-- after the workloads. Two runs whose yardsticks differ measured on machines of
-- different speed (another load, another host); within a run, a yardstick that
-- moved says the machine changed speed while measuring.
CREATE FUNCTION bench.yardstick() RETURNS numeric
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    started timestamptz;
    took float8[] := '{}';
    total bigint;
BEGIN
    FOR i IN 1..5 LOOP
        started := clock_timestamp();
        SELECT sum(hashint8(g)) INTO total FROM generate_series(1::bigint, 1000000) AS g;
        took := took || extract(epoch FROM clock_timestamp() - started) * 1000;
    END LOOP;
    RETURN round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(took) AS t)::numeric, 1);
END;
$$;

-- Runs one repetition of one column of one workload and records it. Called once
-- per top-level statement, so that statement_timeout bounds each measurement.
-- After a timeout or an error, later repetitions of the same column are skipped.
CREATE FUNCTION bench.measure(p_workload text, p_col text, p_rep integer) RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    w        bench.workloads;
    s        text;
    setup    text[];
    t0       timestamptz;
    v_ms     float8;
    v_rows   bigint;
    v_status text := 'ok';
    v_detail text;
    a        text;
    v_answer jsonb;
    v_answer_detail text;
    v_break  boolean;
BEGIN
    SELECT * INTO STRICT w FROM bench.workloads WHERE workload = p_workload AND col = p_col;
    IF EXISTS (SELECT FROM bench.results r
               WHERE r.workload = p_workload AND r.col = p_col AND r.status <> 'ok') THEN
        RETURN format('%s / %s rep %s: skipped', p_workload, p_col, p_rep);
    END IF;
    -- Expanded first: the setup may switch to a role that cannot read bench.params.
    setup := ARRAY(SELECT bench.expand(x) FROM unnest(w.setup) WITH ORDINALITY AS u(x, i) ORDER BY i);
    s := bench.expand(w.sql);
    -- The answer, on the warm-up only. BENCH_BREAK=<workload> (bench/run) perturbs
    -- the mycelium column's answer of that workload, to prove that the check fails.
    IF p_rep = 0 AND w.answer IS NOT NULL THEN
        a := bench.expand(replace(w.answer, '{sql}', w.sql));
        v_break := p_col = 'mycelium' AND bench.param('break') = p_workload;
    END IF;
    BEGIN
        FOR i IN 1 .. coalesce(cardinality(setup), 0) LOOP
            EXECUTE setup[i];
        END LOOP;
        t0 := clock_timestamp();
        IF w.rows_mode = 'value' THEN
            EXECUTE s INTO v_rows;
        ELSE
            EXECUTE s;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
        END IF;
        v_ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
        -- What it computed, in the state it left (untimed).
        IF a IS NOT NULL THEN
            EXECUTE a INTO v_answer;
            IF v_break THEN
                v_answer := (SELECT jsonb_object_agg(key, (value #>> '{}') || ' (BENCH_BREAK)')
                             FROM jsonb_each(v_answer));
            END IF;
        END IF;
        -- Undo everything the workload (and its setup) did.
        RAISE EXCEPTION USING ERRCODE = 'BNCH0', MESSAGE = 'bench: roll back';
    EXCEPTION
        WHEN SQLSTATE 'BNCH0' THEN
            NULL;
        WHEN query_canceled THEN
            IF v_ms IS NOT NULL THEN
                -- The statement finished in time, its answer did not: the
                -- measurement stands, the answer is missing (and says so).
                v_answer := NULL;
                v_answer_detail := 'no answer: the answer query ran past the statement_timeout';
            ELSE
                v_status := 'timeout';
                v_ms := NULL;
                v_rows := NULL;
            END IF;
        WHEN OTHERS THEN
            v_status := 'error';
            -- A failing answer query is the benchmark's bug, and fails the run too.
            v_detail := CASE WHEN v_ms IS NOT NULL THEN 'answer query: ' ELSE '' END || SQLERRM;
            v_ms := NULL;
            v_rows := NULL;
            v_answer := NULL;
    END;
    IF a IS NOT NULL AND v_status <> 'ok' THEN
        v_answer_detail := 'no answer: ' || v_status;
    END IF;
    INSERT INTO bench.results (workload, col, rep, ms, rows, status, detail, loadavg, answer, answer_detail)
    VALUES (p_workload, p_col, p_rep, v_ms, v_rows, v_status, v_detail, bench.loadavg(), v_answer, v_answer_detail);
    RETURN format('%s / %s rep %s: %s%s', p_workload, p_col, p_rep,
                  CASE v_status WHEN 'ok' THEN round(v_ms::numeric, 1) || ' ms, ' || v_rows || ' rows'
                                WHEN 'timeout' THEN 'timeout'
                                ELSE 'error: ' || v_detail END,
                  CASE WHEN v_answer IS NOT NULL THEN '; answer ' || v_answer::text
                       WHEN v_answer_detail IS NOT NULL THEN '; ' || v_answer_detail ELSE '' END);
END;
$$;

-- The statements that measure the outside columns (bench.workloads.outside):
-- per repetition, the start time, the statement itself at top level, and the
-- record of how long it took. psql runs them one by one (\gexec), so a CALL
-- commits as an application's would.
CREATE FUNCTION bench.plan_outside(reps integer) RETURNS TABLE (n bigint, stmt text)
    LANGUAGE sql STABLE
AS $$
    SELECT row_number() OVER (ORDER BY w.ord, w.workload, w.col, r.rep, k.i),
           CASE k.i
               WHEN 1 THEN 'SELECT set_config(''bench.t0'', clock_timestamp()::text, false)'
               WHEN 2 THEN bench.expand(w.sql)
               ELSE format('INSERT INTO bench.results (workload, col, rep, ms, rows, status, loadavg) '
                           'VALUES (%L, %L, %s, 1000 * extract(epoch FROM clock_timestamp() '
                           '- current_setting(''bench.t0'')::timestamptz), 1, ''ok'', bench.loadavg())',
                           w.workload, w.col, r.rep) END
    FROM bench.workloads w
    CROSS JOIN generate_series(0, reps) AS r(rep)
    CROSS JOIN generate_series(1, 3) AS k(i)
    WHERE w.outside
    ORDER BY 1;
$$;

-- The statements of a run, in order: per workload, a warm-up round (rep 0) and
-- reps rounds; within a round the columns take turns, in an order that rotates
-- from round to round so that no column always runs first. After every round of a
-- writing workload, VACUUM removes what the rolled-back writes left behind, so
-- that the next round starts from the same physical state.
CREATE FUNCTION bench.plan(reps integer, timeout_ms integer)
    RETURNS TABLE (n bigint, stmt text)
    LANGUAGE sql STABLE
AS $$
    WITH w AS (
        SELECT workload, ord, bool_or(writes) AS writes,
               array_agg(col ORDER BY array_position(ARRAY['mycelium', 'document', 'limit'], col)) AS cols
        FROM bench.workloads WHERE NOT outside GROUP BY workload, ord
    ), s AS (
        SELECT w.ord, r.rep, k.i AS k,
               format('SELECT bench.measure(%L, %L, %s)', w.workload,
                      w.cols[1 + (k.i - 1 + r.rep) % cardinality(w.cols)], r.rep) AS stmt
        FROM w
        CROSS JOIN generate_series(0, reps) AS r(rep)
        CROSS JOIN generate_series(1, cardinality(w.cols)) AS k(i)
        UNION ALL
        SELECT w.ord, r.rep, 1000 + v.i,
               (ARRAY['SET statement_timeout = 0',
                      'VACUUM mycelium.deliverables, mycelium.activity_logs, mycelium.notifications',
                      format('SET statement_timeout = %s', timeout_ms)])[v.i]
        FROM w
        CROSS JOIN generate_series(0, reps) AS r(rep)
        CROSS JOIN generate_series(1, 3) AS v(i)
        WHERE w.writes
    )
    SELECT row_number() OVER (ORDER BY ord, rep, k), stmt FROM s ORDER BY ord, rep, k;
$$;

-- ------ Report ------

-- Per workload and column: the median of the repetitions (warm-up excluded), the
-- individual runs, the rows touched, and the status (a timeout or error in any
-- repetition, warm-up included, marks the column).
CREATE VIEW bench.summary AS
SELECT w.ord, w.workload, w.title, w.col,
       CASE WHEN bool_and(r.status = 'ok') THEN 'ok'
            WHEN bool_or(r.status = 'error') THEN 'error'
            ELSE 'timeout' END AS status,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms) FILTER (WHERE r.rep > 0 AND r.status = 'ok') AS median_ms,
       array_agg(round(r.ms::numeric, 2) ORDER BY r.rep) FILTER (WHERE r.rep > 0 AND r.status = 'ok') AS runs_ms,
       max(r.rows) FILTER (WHERE r.status = 'ok') AS rows,
       min(r.detail) FILTER (WHERE r.status = 'error') AS detail,
       max(r.loadavg) AS max_loadavg
FROM bench.workloads w
JOIN bench.results r ON r.workload = w.workload AND r.col = w.col
GROUP BY w.ord, w.workload, w.title, w.col;

-- ------ Answers ------

-- compare_answers({"mycelium": {part: value, ...}, "limit": {...}, ...}): per part
-- of the answers, the columns that have it and whether they agree (NULL: only one
-- column has it, so nothing is compared), with every column's value.
CREATE FUNCTION bench.compare_answers(answers jsonb)
    RETURNS TABLE (part text, cols text[], agree boolean, detail text)
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT p.key,
           array_agg(c.key ORDER BY array_position(ARRAY['mycelium', 'document', 'limit'], c.key)),
           CASE WHEN count(*) > 1 THEN count(DISTINCT p.value) = 1 END,
           string_agg(c.key || ' ' || (p.value #>> '{}'), ', '
                      ORDER BY array_position(ARRAY['mycelium', 'document', 'limit'], c.key))
    FROM jsonb_each(answers) AS c
    CROSS JOIN LATERAL jsonb_each(c.value) AS p
    GROUP BY p.key
    ORDER BY p.key;
$$;

-- Per workload: the warm-up answers of its columns and the verdict: 'differ' when
-- the columns disagree on any part they share, 'agree' when they share at least
-- one part and agree on all, 'unchecked' when fewer than two columns answered.
CREATE VIEW bench.answer_check AS
SELECT w.ord, w.workload, a.answers,
       CASE WHEN bool_or(NOT c.agree) THEN 'differ'
            WHEN bool_or(c.agree) THEN 'agree'
            ELSE 'unchecked' END AS verdict,
       coalesce(jsonb_agg(jsonb_build_object('part', c.part, 'columns', to_jsonb(c.cols),
                                             'agree', c.agree, 'values', c.detail) ORDER BY c.part)
                    FILTER (WHERE c.part IS NOT NULL), '[]') AS parts,
       string_agg(c.part || ': ' || c.detail, '; ' ORDER BY c.part) FILTER (WHERE NOT c.agree) AS differences
FROM (SELECT DISTINCT ord, workload FROM bench.workloads) w
LEFT JOIN LATERAL (SELECT jsonb_object_agg(r.col, r.answer) AS answers
                   FROM bench.results r
                   WHERE r.workload = w.workload AND r.rep = 0 AND r.status = 'ok' AND r.answer IS NOT NULL) a ON true
LEFT JOIN LATERAL bench.compare_answers(coalesce(a.answers, '{}')) c ON true
GROUP BY w.ord, w.workload, a.answers;

-- The check checked, end to end and cheaply: the cheapest workload whose columns
-- agreed has its mycelium column's warm-up measured again, with BENCH_BREAK's
-- perturbation switched on, and must then be reported as differing. All of it in
-- a subtransaction that is rolled back, so the recorded run is unchanged. Raises
-- when the perturbed answer is not caught (bench/run then fails).
CREATE FUNCTION bench.self_check() RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    w text;
    verdict text;
BEGIN
    SELECT k.workload INTO w
    FROM bench.answer_check k
    JOIN bench.results r ON r.workload = k.workload AND r.col = 'mycelium' AND r.rep = 0 AND r.answer IS NOT NULL
    WHERE k.verdict = 'agree'
    ORDER BY r.ms LIMIT 1;
    IF w IS NULL THEN
        RAISE EXCEPTION 'bench.self_check: no workload''s columns agreed, so the check cannot be checked';
    END IF;
    BEGIN
        DELETE FROM bench.results WHERE workload = w AND col = 'mycelium' AND rep = 0;
        INSERT INTO bench.params (key, value) VALUES ('break', w)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
        PERFORM bench.measure(w, 'mycelium', 0);
        SELECT k.verdict INTO verdict FROM bench.answer_check k WHERE k.workload = w;
        RAISE EXCEPTION USING ERRCODE = 'BNCH0', MESSAGE = 'bench: roll back';
    EXCEPTION WHEN SQLSTATE 'BNCH0' THEN
        NULL;
    END;
    IF verdict IS DISTINCT FROM 'differ' THEN
        RAISE EXCEPTION 'bench.self_check: %''s mycelium answer, perturbed, was not caught (verdict %)', w, verdict;
    END IF;
    RETURN format('self-check: %s measured again with its mycelium answer perturbed: reported as differing', w);
END;
$$;

CREATE FUNCTION bench.fmt_ms(ms float8) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN ms IS NULL THEN NULL
                WHEN ms < 10 THEN to_char(ms, 'FM990.00')
                WHEN ms < 1000 THEN to_char(ms, 'FM990.0')
                ELSE to_char(round(ms), 'FM999,999,990') END || ' ms';
$$;

CREATE FUNCTION bench.fmt_ratio(r float8) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$
    -- Two significant digits below 1 (0.25, 0.0033), else two decimals up to 10.
    SELECT CASE WHEN r IS NULL THEN NULL
                WHEN r <= 0 THEN '0'
                WHEN r < 1 THEN round(r::numeric, 1 - floor(log(r::numeric))::integer)::text
                WHEN r < 10 THEN to_char(r, 'FM990.00')
                WHEN r < 100 THEN to_char(r, 'FM990.0')
                ELSE to_char(round(r), 'FM999,999,990') END;
$$;

-- A ratio num/den between two columns; with a timeout on one side it is a bound.
CREATE FUNCTION bench.ratio_text(num bench.summary, den bench.summary, timeout_ms float8) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN num.status = 'ok' AND den.status = 'ok' AND den.median_ms > 0
                    THEN bench.fmt_ratio(num.median_ms / den.median_ms)
                WHEN num.status = 'ok' AND den.status = 'timeout'
                    THEN '< ' || bench.fmt_ratio(num.median_ms / timeout_ms)
                WHEN num.status = 'timeout' AND den.status = 'ok' AND den.median_ms > 0
                    THEN '> ' || bench.fmt_ratio(timeout_ms / den.median_ms)
                ELSE '–' END;
$$;

CREATE FUNCTION bench.cell(s bench.summary, timeout_ms float8) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN s.status IS NULL THEN '–'
                WHEN s.status = 'ok' THEN bench.fmt_ms(s.median_ms)
                WHEN s.status = 'timeout' THEN '> ' || round(timeout_ms) || ' ms (timeout)'
                ELSE 'error' END;
$$;

-- A workload whose columns disagree on their answers has no ratios: a fast wrong
-- answer is not a speed-up. Its ratio cells say 'wrong'.
CREATE VIEW bench.report AS
SELECT w.ord, w.workload, w.title,
       coalesce(l.rows, d.rows, m.rows) AS rows,
       m, d, l, k.verdict,
       bench.cell(m, t.ms) AS mycelium_text,
       bench.cell(d, t.ms) AS document_text,
       bench.cell(l, t.ms) AS limit_text,
       CASE WHEN k.verdict = 'differ' THEN 'wrong' ELSE bench.ratio_text(m, d, t.ms) END AS mycelium_document,
       CASE WHEN k.verdict = 'differ' THEN 'wrong' ELSE bench.ratio_text(m, l, t.ms) END AS mycelium_limit,
       CASE WHEN k.verdict = 'differ' THEN 'wrong' ELSE bench.ratio_text(d, l, t.ms) END AS document_limit
FROM (SELECT DISTINCT ord, workload, title FROM bench.workloads) w
CROSS JOIN (SELECT bench.param('timeout_ms')::float8 AS ms) t
JOIN bench.answer_check k ON k.workload = w.workload
LEFT JOIN bench.summary m ON m.workload = w.workload AND m.col = 'mycelium'
LEFT JOIN bench.summary d ON d.workload = w.workload AND d.col = 'document'
LEFT JOIN bench.summary l ON l.workload = w.workload AND l.col = 'limit';

-- The single organization's shape (organization 1, the same at every scale: its
-- users, clients and share of the deliverables), so that its times can be
-- compared from one scale to another.
CREATE FUNCTION bench.organization_shape() RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'organization_id', o.id,
        'users', (SELECT count(*) FROM mycelium.users u WHERE u.organization_id = o.id),
        'clients', (SELECT count(*) FROM mycelium.clients c WHERE c.organization_id = o.id),
        'deliverables', (SELECT count(*) FROM mycelium.deliverables d WHERE d.organization_id = o.id),
        'share_of_deliverables', (SELECT round(count(*) FILTER (WHERE d.organization_id = o.id) * 1.0
                                               / nullif(count(*), 0), 4) FROM mycelium.deliverables d))
    FROM (SELECT bench.param('org')::uuid AS id) o;
$$;

-- Per workload whose work does not grow with the database (scope 'organization'
-- or 'fixed'): its columns' medians, to compare with the same rows of a run at
-- another scale. NULL where a column timed out, failed, or (a fast wrong answer
-- is no measurement) its columns' answers differ.
CREATE VIEW bench.per_organization AS
SELECT r.ord, r.workload, r.title, w.scope, r.rows, r.verdict,
       CASE WHEN r.verdict <> 'differ' AND (r.m).status = 'ok' THEN (r.m).median_ms END AS mycelium_ms,
       CASE WHEN r.verdict <> 'differ' AND (r.d).status = 'ok' THEN (r.d).median_ms END AS document_ms,
       CASE WHEN r.verdict <> 'differ' AND (r.l).status = 'ok' THEN (r.l).median_ms END AS limit_ms,
       r.mycelium_text, r.document_text, r.limit_text
FROM bench.report r
JOIN (SELECT DISTINCT workload, scope FROM bench.workloads) w ON w.workload = r.workload
WHERE w.scope IN ('organization', 'fixed');

-- Per workload that generates, sweeps or validates rows: each column's median
-- divided by the rows it touched, in µs per row. Linear work costs the same per
-- row at every scale; a cost that grows with the database shows here too.
CREATE VIEW bench.per_row AS
SELECT r.ord, r.workload, r.title, w.scope, w.per_row AS unit, r.verdict,
       (r.m).rows AS mycelium_rows, (r.d).rows AS document_rows, (r.l).rows AS limit_rows,
       CASE WHEN r.verdict <> 'differ' AND (r.m).status = 'ok' AND (r.m).rows > 0
            THEN 1000 * (r.m).median_ms / (r.m).rows END AS mycelium_us,
       CASE WHEN r.verdict <> 'differ' AND (r.d).status = 'ok' AND (r.d).rows > 0
            THEN 1000 * (r.d).median_ms / (r.d).rows END AS document_us,
       CASE WHEN r.verdict <> 'differ' AND (r.l).status = 'ok' AND (r.l).rows > 0
            THEN 1000 * (r.l).median_ms / (r.l).rows END AS limit_us
FROM bench.report r
JOIN (SELECT DISTINCT workload, scope, per_row FROM bench.workloads) w ON w.workload = r.workload
WHERE w.per_row IS NOT NULL;

-- A cost per row, printed: µs to two significant digits ("12 µs", "0.85 µs").
CREATE FUNCTION bench.fmt_us(us float8) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN us IS NULL THEN '–'
                ELSE CASE WHEN us < 10 THEN to_char(us, 'FM990.00')
                          WHEN us < 100 THEN to_char(us, 'FM990.0')
                          ELSE to_char(round(us), 'FM999,999,990') END || ' µs' END;
$$;

CREATE FUNCTION bench.load_steps() RETURNS TABLE (step text, seconds numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT step, round(extract(epoch FROM lead(started_at) OVER (ORDER BY n) - started_at)::numeric, 1)
    FROM bench.load_log ORDER BY n;
$$;

-- The answers, printed under the table: per workload, what the columns agreed on
-- (each part with the columns that computed it); what a column leaves out; which
-- column gave no answer and why; and an error line for each disagreement.
CREATE FUNCTION bench.answer_text() RETURNS TABLE (answer_text text)
    LANGUAGE sql STABLE
AS $$
    WITH lines AS (
        SELECT k.ord, 0 AS sub, '' AS col,
               format('  %-7s %-20s %s', CASE k.verdict WHEN 'agree' THEN 'agree' WHEN 'differ' THEN 'DIFFER'
                                                        ELSE '–' END,
                      k.workload,
                      coalesce((SELECT string_agg(g.parts || ' (' || g.cols || ')', '; ' ORDER BY g.n DESC, g.cols)
                                FROM (SELECT array_to_string(p.cols, ', ') AS cols, cardinality(p.cols) AS n,
                                             string_agg(p.part, ', ' ORDER BY p.part) AS parts
                                      FROM bench.compare_answers(coalesce(k.answers, '{}')) p
                                      WHERE p.agree
                                      GROUP BY p.cols) g),
                               CASE k.verdict WHEN 'differ' THEN 'no part agreed' ELSE 'nothing compared' END)
                      || CASE k.verdict WHEN 'differ' THEN '; the rest differ (error below)' ELSE '' END) AS line
        FROM bench.answer_check k
        UNION ALL
        SELECT w.ord, 1, w.col, format('          %s / %s computes something else: %s', w.workload, w.col, w.answer_note)
        FROM bench.workloads w WHERE w.answer_note IS NOT NULL
        UNION ALL
        SELECT w.ord, 2, w.col, format('          %s / %s: %s', w.workload, w.col, r.answer_detail)
        FROM bench.workloads w JOIN bench.results r ON r.workload = w.workload AND r.col = w.col AND r.rep = 0
        WHERE r.answer_detail IS NOT NULL
        UNION ALL
        SELECT k.ord, 3, '', format('error: %s: the columns'' answers differ (%s)', k.workload, k.differences)
        FROM bench.answer_check k WHERE k.verdict = 'differ'
    )
    SELECT x.line FROM (
        SELECT -1 AS ord, -1 AS sub, '' AS col, '' AS line
        UNION ALL
        SELECT -1, 0, '', 'Answers, checked on the warm-up (docs/performance.md, "Checking the answers"); '
                          || 'each part with the columns that agree on it:'
        UNION ALL
        SELECT * FROM lines
    ) x
    ORDER BY x.ord, x.sub, array_position(ARRAY['mycelium', 'document', 'limit'], x.col);
$$;

-- The printed table. Column widths fit "> 60000 ms (timeout)".
CREATE FUNCTION bench.report_text() RETURNS SETOF text
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r record;
    fmt constant text := '%-54s %10s %14s %22s %14s %9s %9s %9s';
BEGIN
    RETURN NEXT format('Mycelium benchmark, scale %s: %s organizations x %s users x %s clients, %s deliverables',
                       bench.param('scale'), bench.param('orgs'), bench.param('users_per_org'),
                       bench.param('clients_per_org'), to_char(bench.param('deliverables')::bigint, 'FM999,999,999'));
    RETURN NEXT format('extension: mycelium %s, working tree %s, library sha256 %s',
                       bench.param('extension_version'), bench.param('tree'), bench.param('library_sha256'));
    RETURN NEXT format('machine: %s cores, %s GiB memory, %s; %s; load average %s at start, %s at end',
                       bench.param('cores'), bench.param('memory_gib'), bench.param('postgresql'),
                       bench.param('finished_at'), bench.param('loadavg_start'), bench.param('loadavg_end'));
    RETURN NEXT format('CPU yardstick (a million hashes, median of 5): %s ms before the workloads, %s ms after',
                       bench.param('yardstick_start'), bench.param('yardstick_end'));
    RETURN NEXT format('load average (1 min) while measuring: %s to %s, median %s',
                       (SELECT min(loadavg) FROM bench.results), (SELECT max(loadavg) FROM bench.results),
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY loadavg) FROM bench.results));
    RETURN NEXT format('loaded in %s s (%s); median of %s runs after a warm-up, statement_timeout %s ms',
                       (SELECT round(sum(seconds)) FROM bench.load_steps()),
                       (SELECT string_agg(step || ' ' || seconds || ' s', ', ') FROM bench.load_steps()
                         WHERE seconds IS NOT NULL),
                       bench.param('reps'), bench.param('timeout_ms'));
    RETURN NEXT '';
    RETURN NEXT format(fmt, 'workload', 'rows', 'mycelium', 'document', 'limit',
                       'myc/doc', 'myc/limit', 'doc/limit');
    RETURN NEXT repeat('-', 54 + 10 + 14 + 22 + 14 + 9 + 9 + 9 + 7);
    FOR r IN SELECT * FROM bench.report ORDER BY ord LOOP
        RETURN NEXT format(fmt, r.title, coalesce(to_char(r.rows, 'FM999,999,999'), '–'),
                           r.mycelium_text, r.document_text, r.limit_text,
                           r.mycelium_document, r.mycelium_limit, r.document_limit);
    END LOOP;
    RETURN NEXT '';
    RETURN NEXT format('Per organization: work that does not grow with the database, to compare with the same rows '
                       'at another scale (docs/performance.md, "Cost per organization"); the organization: %s users, '
                       '%s clients, %s deliverables (%s%% of all)',
                       bench.organization_shape() ->> 'users', bench.organization_shape() ->> 'clients',
                       to_char((bench.organization_shape() ->> 'deliverables')::bigint, 'FM999,999,999'),
                       round((bench.organization_shape() ->> 'share_of_deliverables')::numeric * 100, 1));
    RETURN NEXT format('%-58s %-13s %10s %14s %22s %14s', 'workload', 'scope', 'rows', 'mycelium', 'document', 'limit');
    FOR r IN SELECT * FROM bench.per_organization ORDER BY ord LOOP
        RETURN NEXT format('%-58s %-13s %10s %14s %22s %14s', r.title, r.scope,
                           coalesce(to_char(r.rows, 'FM999,999,999'), '–'),
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE r.mycelium_text END,
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE r.document_text END,
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE r.limit_text END);
    END LOOP;
    RETURN NEXT '';
    RETURN NEXT 'Per row: each column''s median / the rows it generated, swept or validated';
    RETURN NEXT format('%-58s %-13s %-10s %10s %12s %12s %12s', 'workload', 'scope', 'a row is', 'rows',
                       'mycelium', 'document', 'limit');
    FOR r IN SELECT * FROM bench.per_row ORDER BY ord LOOP
        RETURN NEXT format('%-58s %-13s %-10s %10s %12s %12s %12s', r.title, r.scope, r.unit,
                           coalesce(to_char(coalesce(r.limit_rows, r.mycelium_rows, r.document_rows), 'FM999,999,999'), '–'),
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE bench.fmt_us(r.mycelium_us) END,
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE bench.fmt_us(r.document_us) END,
                           CASE WHEN r.verdict = 'differ' THEN 'wrong' ELSE bench.fmt_us(r.limit_us) END);
    END LOOP;
    FOR r IN SELECT s.workload, s.col, s.detail FROM bench.summary s WHERE s.status = 'error' ORDER BY s.ord, s.col LOOP
        RETURN NEXT format('error in %s / %s: %s', r.workload, r.col, r.detail);
    END LOOP;
    FOR r IN SELECT * FROM bench.answer_text() LOOP
        RETURN NEXT r.answer_text;
    END LOOP;
END;
$$;

CREATE FUNCTION bench.column_json(s bench.summary) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN s.status IS NULL THEN NULL
                ELSE jsonb_build_object('status', s.status,
                                        'median_ms', round(s.median_ms::numeric, 3),
                                        'runs_ms', to_jsonb(s.runs_ms),
                                        'rows', s.rows,
                                        'max_load_average', s.max_loadavg,
                                        'error', s.detail) END;
$$;

CREATE FUNCTION bench.report_json() RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'scale', bench.param('scale'),
        'data_set', jsonb_build_object(
            'seed', bench.param('seed')::bigint,
            'organizations', bench.param('orgs')::integer,
            'users_per_organization', bench.param('users_per_org')::integer,
            'clients_per_organization', bench.param('clients_per_org')::integer,
            'deliverables', bench.param('deliverables')::bigint,
            'anchor_day', bench.param('anchor'),
            'rows', (SELECT jsonb_object_agg(c.relname,
                                             (xpath('/row/n/text()',
                                                    query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass),
                                                                 false, true, '')))[1]::text::bigint
                                             ORDER BY c.relname)
                     FROM pg_class c
                     WHERE c.relnamespace = 'mycelium'::regnamespace AND c.relkind = 'r')),
        'machine', jsonb_build_object(
            'cores', bench.param('cores')::integer,
            'memory_gib', bench.param('memory_gib')::numeric,
            'postgresql', bench.param('postgresql'),
            'postgresql_version', current_setting('server_version'),
            'cpu_yardstick_ms', jsonb_build_object('start', bench.param('yardstick_start')::numeric,
                                                   'end', bench.param('yardstick_end')::numeric),
            'load_average_start', bench.param('loadavg_start'),
            'load_average_end', bench.param('loadavg_end'),
            'load_average_while_measuring', (SELECT jsonb_build_object(
                'min', min(loadavg), 'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY loadavg),
                'max', max(loadavg)) FROM bench.results),
            'settings', (SELECT jsonb_object_agg(name, current_setting(name) ORDER BY name)
                         FROM pg_settings
                         WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem',
                                        'effective_cache_size', 'max_wal_size', 'jit', 'fsync',
                                        'synchronous_commit', 'autovacuum',
                                        'max_parallel_workers_per_gather'))),
        'extension', jsonb_build_object(
            'version', bench.param('extension_version'),
            'working_tree', bench.param('tree'),
            'library_sha256_prefix', bench.param('library_sha256')),
        'started_at', bench.param('started_at'),
        'finished_at', bench.param('finished_at'),
        'repetitions', bench.param('reps')::integer,
        'statement_timeout_ms', bench.param('timeout_ms')::integer,
        'break', nullif(bench.param('break'), ''),
        'answers_differ', (SELECT count(*) FROM bench.answer_check WHERE verdict = 'differ'),
        'load_seconds', (SELECT jsonb_object_agg(step, seconds) FROM bench.load_steps() WHERE seconds IS NOT NULL),
        -- Work that does not grow with the database, and costs per row
        -- (docs/performance.md, "Cost per organization"); null: timed out, failed
        -- or answers differ.
        'per_organization', jsonb_build_object(
            'organization', bench.organization_shape(),
            'workloads', (SELECT jsonb_agg(jsonb_build_object(
                                  'workload', p.workload, 'scope', p.scope, 'rows', p.rows,
                                  'mycelium_ms', round(p.mycelium_ms::numeric, 3),
                                  'document_ms', round(p.document_ms::numeric, 3),
                                  'limit_ms', round(p.limit_ms::numeric, 3)) ORDER BY p.ord)
                          FROM bench.per_organization p)),
        'per_row', (SELECT jsonb_agg(jsonb_build_object(
                                'workload', p.workload, 'scope', p.scope, 'unit', p.unit,
                                'rows', jsonb_build_object('mycelium', p.mycelium_rows, 'document', p.document_rows,
                                                           'limit', p.limit_rows),
                                'us_per_row', jsonb_build_object('mycelium', round(p.mycelium_us::numeric, 3),
                                                                 'document', round(p.document_us::numeric, 3),
                                                                 'limit', round(p.limit_us::numeric, 3))) ORDER BY p.ord)
                    FROM bench.per_row p),
        'workloads', (SELECT jsonb_agg(jsonb_build_object(
                          'workload', r.workload,
                          'title', r.title,
                          'rows', r.rows,
                          'mycelium', bench.column_json(r.m),
                          'document', bench.column_json(r.d),
                          'limit', bench.column_json(r.l),
                          'answers', (SELECT jsonb_build_object(
                                              'verdict', k.verdict,
                                              'columns', coalesce(k.answers, '{}'),
                                              'parts', k.parts,
                                              'not_computed', (SELECT jsonb_object_agg(x.col, x.answer_note)
                                                               FROM bench.workloads x
                                                               WHERE x.workload = r.workload AND x.answer_note IS NOT NULL),
                                              'missing', (SELECT jsonb_object_agg(x.col, x.answer_detail)
                                                          FROM bench.results x
                                                          WHERE x.workload = r.workload AND x.rep = 0
                                                            AND x.answer_detail IS NOT NULL))
                                      FROM bench.answer_check k WHERE k.workload = r.workload),
                          'ratios', jsonb_build_object(
                              'mycelium_document', CASE WHEN (r.m).status = 'ok' AND (r.d).status = 'ok'
                                                             AND r.verdict <> 'differ'
                                                        THEN round(((r.m).median_ms / (r.d).median_ms)::numeric, 4) END,
                              'mycelium_limit', CASE WHEN (r.m).status = 'ok' AND (r.l).status = 'ok'
                                                          AND r.verdict <> 'differ'
                                                     THEN round(((r.m).median_ms / (r.l).median_ms)::numeric, 4) END,
                              'document_limit', CASE WHEN (r.d).status = 'ok' AND (r.l).status = 'ok'
                                                          AND r.verdict <> 'differ'
                                                     THEN round(((r.d).median_ms / (r.l).median_ms)::numeric, 4) END),
                          'printed', jsonb_build_object(
                              'mycelium', r.mycelium_text, 'document', r.document_text, 'limit', r.limit_text,
                              'mycelium_document', r.mycelium_document, 'mycelium_limit', r.mycelium_limit,
                              'document_limit', r.document_limit))
                          ORDER BY r.ord)
                      FROM bench.report r));
$$;
