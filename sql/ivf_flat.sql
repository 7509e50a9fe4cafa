-- ivfflat and ivf (quantizer = 'flat'): SQL surface, exact answers at probes = lists,
-- options, GUCs and errors.
SET client_min_messages = notice;

-- Deterministic data: 3-dimensional vectors spread over the unit cube.
CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
INSERT INTO items SELECT i, ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector
	FROM generate_series(1, 3000) i;
INSERT INTO items VALUES (3001, NULL), (3002, '[0,0,0]');
ANALYZE items;

CREATE INDEX items_l2 ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10);
CREATE INDEX items_ip ON items USING ivfflat (embedding vector_ip_ops) WITH (lists = 10);
CREATE INDEX items_cos ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 10);

-- The planner uses the index for ORDER BY ... LIMIT.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <#> '[0.5,0.5,0.5]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <=> '[0.5,0.5,0.5]' LIMIT 5;
-- Not for a filter without ORDER BY.
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE id < 5;

-- same_as_exact(OP, QUERY): the index's top 20 (probes = lists) equal a sequential scan's.
CREATE FUNCTION same_as_exact(op text, q vector) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	by_index int[];
	exact int[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items ORDER BY embedding %s %L, id LIMIT 20) s', op, q)
		INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE embedding IS NOT NULL ORDER BY embedding %s %L, id LIMIT 20) s', op, q)
		INTO exact;
	RETURN by_index = exact;
END $$;

SET ivfflat.probes = 10;
SELECT same_as_exact('<->', '[0.5,0.5,0.5]'), same_as_exact('<->', '[0,1,0.2]'), same_as_exact('<->', '[2,-1,3]');
SELECT same_as_exact('<#>', '[0.5,0.5,0.5]'), same_as_exact('<#>', '[-1,0.3,0.2]');
SELECT same_as_exact('<=>', '[0.5,0.5,0.5]'), same_as_exact('<=>', '[-1,0.3,0.2]');

-- Every non-NULL row comes back through the index at probes = lists; cosine skips the zero
-- vector (like pgvector), NULL is never indexed.
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <=> '[0.5,0.5,0.5]' LIMIT 10000) s;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <=> NULL LIMIT 10000) s;

-- Fewer probes return fewer rows; the iterative scan goes on to more lists.
SET ivfflat.probes = 1;
SELECT count(*) < 3001 AS partial FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
SET ivfflat.max_probes = 2;
SELECT count(*) < 3001 AS partial FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
RESET ivfflat.max_probes;
RESET ivfflat.iterative_scan;

-- Inserts after the build are found; deleted rows disappear after VACUUM.
SET ivfflat.probes = 10;
INSERT INTO items SELECT i, ARRAY[i / 4000.0, 0.25, 0.75]::real[]::vector FROM generate_series(3003, 4000) i;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
SELECT same_as_exact('<->', '[0.8,0.25,0.75]'), same_as_exact('<=>', '[0.8,0.25,0.75]');
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10000) s;
SELECT same_as_exact('<->', '[0.5,0.5,0.5]'), same_as_exact('<#>', '[0.5,0.5,0.5]'), same_as_exact('<=>', '[0.1,0.5,0.5]');

-- The ivf access method with the flat quantizer answers like ivfflat.
DROP INDEX items_l2, items_ip, items_cos;
CREATE INDEX ON items USING ivf (embedding vector_l2_ops) WITH (lists = 5, quantizer = 'flat');
SET ivfflat.probes = 5;
SELECT same_as_exact('<->', '[0.5,0.5,0.5]'), same_as_exact('<->', '[0.9,0.1,0.3]');
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;

-- GUCs.
SHOW ivfflat.probes;
SET ivfflat.probes = 0;
SET ivfflat.iterative_scan = strict_order;
SET ivfflat.max_probes = 40000;
SET vector.ivf_rerank = -1;
SHOW vector.ivf_rerank;
RESET ivfflat.probes;
SHOW ivfflat.probes;
SHOW ivfflat.iterative_scan;
SHOW ivfflat.max_probes;

-- Bad options and columns.
CREATE INDEX ON items USING ivfflat (embedding) WITH (lists = 0);
CREATE INDEX ON items USING ivfflat (embedding) WITH (lists = 32769);
CREATE INDEX ON items USING ivfflat (embedding) WITH (lists = 'many');
CREATE INDEX ON items USING ivfflat (embedding) WITH (quantizer = 'sq8');
CREATE INDEX ON items USING ivf (embedding) WITH (quantizer = 'int4');
CREATE INDEX ON items USING ivfflat (embedding vector_l1_ops);
CREATE INDEX ON items USING ivfflat (id);
CREATE TABLE nodims (v vector);
CREATE INDEX ON nodims USING ivfflat (v);
CREATE TABLE bigdims (v vector(2001));
CREATE INDEX ON bigdims USING ivfflat (v);
-- Dimension mismatch, in the query and in a row.
SELECT id FROM items ORDER BY embedding <-> '[1,2]' LIMIT 1;
INSERT INTO items VALUES (5000, '[1,2,3,4]');
CREATE TABLE mixed (v vector);
INSERT INTO mixed VALUES ('[1,2,3]'), ('[1,2]');
CREATE INDEX ON mixed USING ivfflat ((v::vector(3)));
CREATE INDEX ON mixed USING ivfflat ((v::vector(2)));

-- Empty and tiny tables: the build says what it did, and later inserts are found.
CREATE TABLE empty (id int, v vector(2));
CREATE INDEX empty_idx ON empty USING ivfflat (v) WITH (lists = 4);
INSERT INTO empty VALUES (1, '[1,1]'), (2, '[2,2]'), (3, NULL), (4, '[-1,5]');
SET ivfflat.probes = 4;
SELECT id FROM empty ORDER BY v <-> '[0,0]' LIMIT 10;
CREATE TABLE tiny (id int, v vector(2));
INSERT INTO tiny VALUES (1, '[1,0]'), (2, '[1,2]');
CREATE INDEX ON tiny USING ivfflat (v vector_cosine_ops) WITH (lists = 3);
SELECT id FROM tiny ORDER BY v <=> '[1,1.5]' LIMIT 10;

-- Unlogged tables (the init fork holds an empty index).
CREATE UNLOGGED TABLE unlogged_items (id int, v vector(2));
INSERT INTO unlogged_items SELECT i, ARRAY[i, i % 7]::real[]::vector FROM generate_series(1, 200) i;
CREATE INDEX ON unlogged_items USING ivfflat (v) WITH (lists = 3);
SET ivfflat.probes = 3;
SELECT id FROM unlogged_items ORDER BY v <-> '[50,3]' LIMIT 3;
TRUNCATE unlogged_items;
INSERT INTO unlogged_items VALUES (1, '[1,1]');
SELECT id FROM unlogged_items ORDER BY v <-> '[50,3]' LIMIT 3;

-- Expression indexes work for flat lists.
CREATE INDEX ON mixed USING ivfflat ((v::vector(3))) WHERE vector_dims(v) = 3;

DROP TABLE items, nodims, bigdims, mixed, empty, tiny, unlogged_items;
DROP FUNCTION same_as_exact;
