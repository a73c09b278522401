-- Runs the plan of bench.plan(): every workload's warm-up and repetitions, one
-- top-level statement per measurement so that statement_timeout bounds each.
-- Prints one progress line per measurement.   psql -v reps=3 -v timeout_ms=60000
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset tuples_only on
\pset format unaligned
SELECT format('SET statement_timeout = %s', :timeout_ms) \gexec
SELECT stmt FROM bench.plan(:reps, :timeout_ms) ORDER BY n \gexec
