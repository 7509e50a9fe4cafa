-- avg(vector) and sum(vector), serially and in parallel.
\set SHOW_CONTEXT never

SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]', NULL]) v;
SELECT avg(v) FROM unnest(ARRAY[]::vector[]) v;
SELECT avg(v) FROM unnest(ARRAY[NULL]::vector[]) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2]'::vector, '[3]']) v;
SELECT avg(v) FROM unnest(ARRAY['[3e38]'::vector, '[3e38]']) v;
SELECT vector_dims(avg(v)) FROM unnest(ARRAY[array_fill(1, ARRAY[16000])::vector, array_fill(2, ARRAY[16000])::vector]) v;

SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]']) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]', NULL]) v;
SELECT sum(v) FROM unnest(ARRAY[]::vector[]) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2]'::vector, '[3]']) v;
SELECT sum(v) FROM unnest(ARRAY['[3e38]'::vector, '[3e38]']) v;

-- The combine functions let the planner use parallel aggregation.
CREATE TABLE agg_t AS SELECT ARRAY[i % 7, i % 11, 1]::vector(3) AS v FROM generate_series(1, 50000) i;
ANALYZE agg_t;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg_t;
SELECT avg(v), sum(v) FROM agg_t;
SELECT avg(v), sum(v) FROM agg_t WHERE false;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT avg(v), sum(v) FROM agg_t;
DROP TABLE agg_t;

-- The state function rejects a state array that is not its own.
SELECT vector_avg('{}'::float8[]);
SELECT vector_accum('{{1}}'::float8[], '[1]');
SELECT vector_combine('{1,NULL}'::float8[], '{0}');
SELECT vector_avg('{0}'::float8[]);
