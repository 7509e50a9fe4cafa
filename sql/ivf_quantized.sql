-- ivf with quantized lists (sq8, pq, rabitq): exact order and distances after re-ranking, options,
-- errors.
CREATE TABLE items (id int PRIMARY KEY, embedding vector(8));
INSERT INTO items SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) + 0.5, (i % 13) / 13.0,
	cos(i * 0.1), sin(i * 2.9) * 2, (i % 101) / 50.0 - 1, cos(i * 0.37)]::real[]::vector
	FROM generate_series(1, 3000) i;
INSERT INTO items VALUES (3001, NULL), (3002, '[0,0,0,0,0,0,0,0]');
ANALYZE items;

-- same_as_exact(OP, QUERY): the index's top 20 distances (probes = lists) equal a sequential
-- scan's, in order (rows at equal distance may come in any order).
CREATE FUNCTION same_as_exact(op text, q vector) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	by_index float8[];
	exact float8[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(d) FROM (SELECT embedding %s %L AS d FROM items ORDER BY embedding %s %L LIMIT 20) s', op, q, op, q)
		INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	EXECUTE format('SELECT array_agg(d) FROM (SELECT embedding %s %L AS d FROM items WHERE embedding IS NOT NULL ORDER BY embedding %s %L LIMIT 20) s', op, q, op, q)
		INTO exact;
	IF by_index IS DISTINCT FROM exact THEN
		RAISE NOTICE 'index: %', by_index;
		RAISE NOTICE 'exact: %', exact;
	END IF;
	RETURN by_index = exact;
END $$;

SET ivfflat.probes = 8;
SET vector.ivf_rerank = 200;

CREATE INDEX items_sq8_l2 ON items USING ivf (embedding vector_l2_ops) WITH (lists = 8, quantizer = 'sq8');
CREATE INDEX items_sq8_ip ON items USING ivf (embedding vector_ip_ops) WITH (lists = 8, quantizer = 'sq8');
CREATE INDEX items_sq8_cos ON items USING ivf (embedding vector_cosine_ops) WITH (lists = 8, quantizer = 'sq8');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT same_as_exact('<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<->', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<#>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<#>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<=>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<=>', '[1,-1,0,1,0,2,-1,0]');
-- Every indexed row comes back, whatever the re-rank batch size.
SET vector.ivf_rerank = 7;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 10000) s;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <=> '[1,0,0,0,0,0,0,0]' LIMIT 10000) s;
SET vector.ivf_rerank = 200;
-- Inserts, deletes and VACUUM.
INSERT INTO items SELECT i, ARRAY[i / 4000.0, sin(i * 3.1), 0.75, cos(i), 0, 1, (i % 11) / 11.0, -0.5]::real[]::vector FROM generate_series(3003, 3500) i;
SELECT same_as_exact('<->', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]'), same_as_exact('<#>', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]');
DELETE FROM items WHERE id % 4 = 0;
VACUUM items;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 10000) s;
SELECT same_as_exact('<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<=>', '[1,-1,0,1,0,2,-1,0]');
DROP INDEX items_sq8_l2, items_sq8_ip, items_sq8_cos;

CREATE INDEX items_pq_l2 ON items USING ivf (embedding vector_l2_ops) WITH (lists = 8, quantizer = 'pq');
CREATE INDEX items_pq_ip ON items USING ivf (embedding vector_ip_ops) WITH (lists = 8, quantizer = 'pq', pq_m = 4);
CREATE INDEX items_pq_cos ON items USING ivf (embedding vector_cosine_ops) WITH (lists = 8, quantizer = 'pq', pq_m = 8);
SELECT same_as_exact('<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<->', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<#>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<#>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<=>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<=>', '[1,-1,0,1,0,2,-1,0]');
INSERT INTO items SELECT i, ARRAY[i / 4000.0, sin(i * 3.1), 0.75, cos(i), 0, 1, (i % 11) / 11.0, -0.5]::real[]::vector FROM generate_series(3501, 3700) i;
SELECT same_as_exact('<->', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]'), same_as_exact('<=>', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]');
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <#> '[0,0,0,0,0,0,0,0]' LIMIT 10000) s;
DROP INDEX items_pq_l2, items_pq_ip, items_pq_cos;

-- RaBitQ: one bit per dimension of the residual from the list's centroid.
CREATE INDEX items_rq_l2 ON items USING ivf (embedding vector_l2_ops) WITH (lists = 8, quantizer = 'rabitq');
CREATE INDEX items_rq_ip ON items USING ivf (embedding vector_ip_ops) WITH (lists = 8, quantizer = 'rabitq');
CREATE INDEX items_rq_cos ON items USING ivf (embedding vector_cosine_ops) WITH (lists = 8, quantizer = 'rabitq');
SELECT same_as_exact('<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<->', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<#>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<#>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('<=>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<=>', '[1,-1,0,1,0,2,-1,0]');
SET vector.ivf_rerank = 7;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 10000) s;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <#> '[1,0,0,0,0,0,0,0]' LIMIT 10000) s;
SET vector.ivf_rerank = 200;
-- Rows inserted later are coded against the centroid of the list they join.
INSERT INTO items SELECT i, ARRAY[i / 4000.0, cos(i * 3.1), 0.25, sin(i), 1, 0, (i % 7) / 7.0, 0.5]::real[]::vector FROM generate_series(3701, 4200) i;
SELECT same_as_exact('<->', '[0.95,0.25,0.25,0,1,0,0.5,0.5]'), same_as_exact('<#>', '[0.95,0.25,0.25,0,1,0,0.5,0.5]'),
	same_as_exact('<=>', '[0.95,0.25,0.25,0,1,0,0.5,0.5]');
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 10000) s;
SELECT same_as_exact('<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('<=>', '[1,-1,0,1,0,2,-1,0]');
SELECT (vector_index_stats('items_rq_l2')).quantizer;
SELECT severity, problem FROM vector_index_check('items_rq_l2') WHERE severity <> 'info';
SELECT severity, problem FROM vector_index_check('items_rq_cos') WHERE severity <> 'info';
DROP INDEX items_rq_l2, items_rq_ip, items_rq_cos;
-- halfvec rows are coded from their widened floats.
CREATE TABLE items_half AS SELECT id, embedding::halfvec(8) AS embedding FROM items WHERE embedding IS NOT NULL;
CREATE INDEX ON items_half USING ivf (embedding halfvec_l2_ops) WITH (lists = 8, quantizer = 'rabitq');
SELECT (SELECT array_agg(id ORDER BY d, id) FROM (SELECT id, embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]' AS d FROM items_half ORDER BY embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]' LIMIT 10) s)
	= (SELECT array_agg(id ORDER BY d, id) FROM (SELECT id, embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'::halfvec AS d FROM items_half ORDER BY 2, 1 LIMIT 10) s) AS half_same;
DROP TABLE items_half;
RESET enable_seqscan;

-- Quantized indexes are smaller than flat ones.
CREATE TABLE wide (id int, v vector(64));
INSERT INTO wide SELECT i, array_fill(sin(i)::real, ARRAY[64])::vector FROM generate_series(1, 2000) i;
CREATE INDEX wide_flat ON wide USING ivf (v) WITH (lists = 2);
CREATE INDEX wide_sq8 ON wide USING ivf (v) WITH (lists = 2, quantizer = 'sq8');
CREATE INDEX wide_pq ON wide USING ivf (v) WITH (lists = 2, quantizer = 'pq');
CREATE INDEX wide_rq ON wide USING ivf (v) WITH (lists = 2, quantizer = 'rabitq');
SELECT pg_relation_size('wide_sq8') < pg_relation_size('wide_flat') / 3 AS sq8_smaller,
	pg_relation_size('wide_pq') < pg_relation_size('wide_sq8') AS pq_smaller,
	pg_relation_size('wide_rq') < pg_relation_size('wide_flat') / 2 AS rabitq_smaller;
DROP TABLE wide;

-- Errors.
CREATE INDEX ON items USING ivf (embedding) WITH (quantizer = 'pq', pq_m = 3);
CREATE INDEX ON items USING ivf (embedding) WITH (quantizer = 'pq', pq_m = -1);
CREATE INDEX ON items USING ivf (((embedding + embedding)::vector(8))) WITH (quantizer = 'sq8');
CREATE INDEX ON items USING ivf (embedding) WITH (quantizer = '');
CREATE INDEX ON items USING ivf (embedding) WITH (quantizer = 'rabitq4');
CREATE TABLE bits (b bit(16));
CREATE INDEX ON bits USING ivf (b bit_hamming_ops) WITH (quantizer = 'rabitq');
DROP TABLE bits;

-- Tiny tables train the quantizers too.
CREATE TABLE tiny (id int, v vector(4));
INSERT INTO tiny VALUES (1, '[1,0,0,0]'), (2, '[1,2,0,1]'), (3, '[0,0,3,1]');
CREATE INDEX ON tiny USING ivf (v) WITH (lists = 2, quantizer = 'pq');
CREATE INDEX ON tiny USING ivf (v vector_cosine_ops) WITH (lists = 2, quantizer = 'sq8');
CREATE INDEX ON tiny USING ivf (v vector_ip_ops) WITH (lists = 2, quantizer = 'rabitq');
SET ivfflat.probes = 2;
SELECT id, v <-> '[1,1,1,1]' AS d FROM tiny ORDER BY v <-> '[1,1,1,1]' LIMIT 5;
SELECT id FROM tiny ORDER BY v <=> '[0,0,1,0]' LIMIT 5;
SELECT id, v <#> '[1,1,1,1]' AS d FROM tiny ORDER BY v <#> '[1,1,1,1]' LIMIT 5;

DROP TABLE items, tiny;
DROP FUNCTION same_as_exact;
