-- The ivf build keeps the rows its sampling scan reads when they fit in maintenance_work_mem
-- (what the sample and the loading arrays leave of it) and loads the lists from them; otherwise a
-- second scan loads them. Both ways must give the lists the same entries: the same answers at
-- probes = 1 (a query reads one list) for every kind of entry (vector rows that are their floats,
-- halfvec rows stored apart, sq8 codes, filter columns, rows a cosine index skips).
SELECT setseed(0.25);
CREATE TABLE ibm (id int PRIMARY KEY, v vector(64), h halfvec(64), label int);
INSERT INTO ibm
SELECT i, x::vector, x::halfvec, i % 5
FROM (SELECT i, array_agg(round((random() * 2 - 1)::numeric, 3)::real ORDER BY j) AS x
      FROM generate_series(1, 3000) i, generate_series(1, 64) j GROUP BY i) s;
-- Zero rows: no direction, so a cosine index leaves them out.
UPDATE ibm SET v = array_fill(0, ARRAY[64])::vector WHERE id % 500 = 7;
CREATE TABLE ibm_q AS SELECT id AS q, v, h FROM ibm WHERE id % 150 = 1;
SET enable_seqscan = off;
SET jit = off;
SET ivfflat.probes = 1;

-- Answers of each index definition, built once with room to keep every row and once without.
-- With 1536kB the sample still holds all 3,000 rows (it may take half of maintenance_work_mem), so
-- both builds train the same centroids; what the sample and the loading arrays leave is too
-- little for the rows, so they are read again (the DEBUG1 lines say which way each build went).
CREATE TABLE ibm_answers (def text, mem text, q int, ids int[]);
CREATE FUNCTION ibm_build(def text, idx text, query text, mem text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SET LOCAL maintenance_work_mem = %L', mem);
	EXECUTE 'DROP INDEX IF EXISTS ibm_idx';
	EXECUTE 'CREATE INDEX ibm_idx ON ibm ' || idx;
	EXECUTE format('INSERT INTO ibm_answers SELECT %L, %L, q.q, ARRAY(%s) FROM ibm_q q', def, mem, query);
END $$;

SET client_min_messages = debug1;
SELECT ibm_build('vector l2', 'USING ivfflat (v vector_l2_ops) WITH (lists = 20)',
                 'SELECT t.id FROM ibm t ORDER BY t.v <-> q.v LIMIT 5', m) FROM unnest(ARRAY['64MB', '1536kB']) m;
SELECT ibm_build('vector cosine', 'USING ivfflat (v vector_cosine_ops) WITH (lists = 20)',
                 'SELECT t.id FROM ibm t ORDER BY t.v <=> q.v LIMIT 5', m) FROM unnest(ARRAY['64MB', '1536kB']) m;
SELECT ibm_build('halfvec l2', 'USING ivfflat (h halfvec_l2_ops) WITH (lists = 20)',
                 'SELECT t.id FROM ibm t ORDER BY t.h <-> q.h LIMIT 5', m) FROM unnest(ARRAY['64MB', '1536kB']) m;
SELECT ibm_build('vector sq8', 'USING ivf (v vector_l2_ops) WITH (lists = 20, quantizer = ''sq8'')',
                 'SELECT t.id FROM ibm t ORDER BY t.v <-> q.v LIMIT 5', m) FROM unnest(ARRAY['64MB', '1536kB']) m;
SELECT ibm_build('vector l2, label', 'USING ivfflat (v vector_l2_ops, label) WITH (lists = 20)',
                 'SELECT t.id FROM ibm t WHERE t.label = 3 ORDER BY t.v <-> q.v LIMIT 5', m)
FROM unnest(ARRAY['64MB', '1536kB']) m;
RESET client_min_messages;

-- Every query answered, and the same answers both ways.
SELECT def, count(*) AS queries, count(*) FILTER (WHERE cardinality(ids) = 5) AS full_answers
FROM ibm_answers WHERE mem = '64MB' GROUP BY def ORDER BY def;
SELECT a.def, count(*) AS queries, count(*) FILTER (WHERE a.ids = b.ids) AS same
FROM ibm_answers a JOIN ibm_answers b ON a.def = b.def AND a.q = b.q AND a.mem = '64MB' AND b.mem = '1536kB'
GROUP BY a.def ORDER BY a.def;
-- The label index returns label 3 rows only; the cosine index no zero row.
SELECT count(*) AS wrong_label FROM ibm_answers a, unnest(a.ids) AS u(rid) JOIN ibm t ON t.id = u.rid
WHERE a.def = 'vector l2, label' AND t.label <> 3;
SELECT count(*) AS zero_rows FROM ibm_answers a, unnest(a.ids) AS u(rid) WHERE a.def = 'vector cosine' AND u.rid % 500 = 7;
SELECT count(*) AS problems FROM vector_index_check('ibm_idx') WHERE severity = 'error';

DROP FUNCTION ibm_build;
DROP TABLE ibm, ibm_q, ibm_answers;
