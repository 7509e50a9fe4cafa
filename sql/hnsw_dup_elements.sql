-- Identical rows share one element (hnsw format version 2, issue 13): a build puts up to 10
-- byte-identical rows into one element, an insert joins an identical element with a free heap
-- TID slot, VACUUM removes dead TIDs one by one and an element goes only with its last TID;
-- scans return every TID. For vector, halfvec, sparsevec and bit. Shown: the elements and heap
-- TIDs vector_index_check counts (the heap tids only when they differ from the elements), the
-- rows a scan returns, and the index's reltuples after VACUUM (heap TIDs, not elements).
SET enable_seqscan = off;
CREATE TABLE de (id int, v vector(3), h halfvec(3), s sparsevec(3), b bit(3));
INSERT INTO de SELECT i, '[1,1,1]', '[1,1,1]', '{1:1,2:1,3:1}/3', '111' FROM generate_series(1, 20) i;
INSERT INTO de VALUES (101, '[2,0,0]', '[2,0,0]', '{1:2}/3', '000'), (102, '[3,0,0]', '[3,0,0]', '{1:3}/3', '001'),
	(103, '[4,0,0]', '[4,0,0]', '{1:4}/3', '010'), (104, '[5,0,0]', '[5,0,0]', '{1:5}/3', '100'),
	(105, '[6,0,0]', '[6,0,0]', '{1:6}/3', '110');
CREATE INDEX de_v ON de USING hnsw (v vector_l2_ops);
CREATE INDEX de_h ON de USING hnsw (h halfvec_l2_ops);
CREATE INDEX de_s ON de USING hnsw (s sparsevec_l2_ops);
CREATE INDEX de_b ON de USING hnsw (b bit_hamming_ops);
CREATE FUNCTION pg_temp.shape() RETURNS TABLE (idx text, elements int, heap_tids int, errors int, scanned bigint, distinct_ids bigint)
LANGUAGE plpgsql AS $$
DECLARE
	d text;
	q text;
BEGIN
	FOR idx, q IN VALUES ('de_b', 'b <~> ''111'''), ('de_h', 'h <-> ''[1,1,1]'''),
		('de_s', 's <-> ''{1:1,2:1,3:1}/3'''), ('de_v', 'v <-> ''[1,1,1]''') LOOP
		SELECT detail INTO d FROM vector_index_check(idx::regclass, true) WHERE problem = 'summary';
		elements := substring(d FROM '(\d+) elements');
		heap_tids := substring(d FROM '(\d+) heap tids');
		errors := substring(d FROM '(\d+) errors');
		EXECUTE format('SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM de ORDER BY %s) x WHERE id < 100', q)
			INTO scanned, distinct_ids;
		RETURN NEXT;
	END LOOP;
END
$$;
EXPLAIN (COSTS OFF) SELECT id FROM de ORDER BY v <-> '[1,1,1]';
-- After the build: 20 identical rows in 2 elements of 10, and 5 others.
SELECT * FROM pg_temp.shape();
-- Inserted copies: the first finds both elements full and gets 10 slots, the next 9 join it, and
-- so on: 15 copies in 2 more elements.
INSERT INTO de SELECT i, '[1,1,1]', '[1,1,1]', '{1:1,2:1,3:1}/3', '111' FROM generate_series(21, 35) i;
SELECT * FROM pg_temp.shape();
-- Half of the copies deleted: VACUUM removes their TIDs, every element keeps some; the other
-- half is still returned.
DELETE FROM de WHERE id % 2 = 0 AND id <= 35;
VACUUM de;
SELECT * FROM pg_temp.shape();
SELECT relname, reltuples FROM pg_class WHERE relname IN ('de_v', 'de_h', 'de_s', 'de_b') ORDER BY 1;
-- The rest of the first element's rows deleted: that element goes.
DELETE FROM de WHERE id <= 10;
VACUUM de;
SELECT * FROM pg_temp.shape();
SELECT relname, reltuples FROM pg_class WHERE relname IN ('de_v', 'de_h', 'de_s', 'de_b') ORDER BY 1;
-- New copies join the elements VACUUM left room in: no new element.
INSERT INTO de SELECT i, '[1,1,1]', '[1,1,1]', '{1:1,2:1,3:1}/3', '111' FROM generate_series(36, 38) i;
SELECT * FROM pg_temp.shape();
-- Cosine: rows normalised to the same bytes share an element too (same distance to any query).
CREATE TABLE dc (id int, v vector(2));
INSERT INTO dc SELECT i, '[3,4]' FROM generate_series(1, 12) i;
INSERT INTO dc SELECT i, '[6,8]' FROM generate_series(13, 15) i;
CREATE INDEX dc_v ON dc USING hnsw (v vector_cosine_ops);
SELECT substring(detail FROM '(\d+) elements') AS elements, substring(detail FROM '(\d+) heap tids') AS heap_tids
	FROM vector_index_check('dc_v', true) WHERE problem = 'summary';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM dc ORDER BY v <=> '[1,1]') x;
DROP TABLE de, dc;
