-- Issue 14, "index statistics": every scan of an hnsw, ivfflat or ivf index counts in
-- pg_stat_user_indexes.idx_scan (and so in pg_stat_user_tables.idx_scan), as core index access
-- methods do; otherwise "unused index" queries tell DBAs to drop them. pg_stat_force_next_flush()
-- makes this backend's counts visible at the end of the statement that calls it.
SET enable_seqscan = off;
CREATE TABLE st_hnsw (id int, v vector(3));
CREATE TABLE st_ivfflat (id int, v vector(3));
CREATE TABLE st_ivf (id int, v vector(3));
INSERT INTO st_hnsw SELECT i, ARRAY[sin(i), cos(i), i % 7]::real[]::vector FROM generate_series(1, 1000) i;
INSERT INTO st_ivfflat SELECT * FROM st_hnsw;
INSERT INTO st_ivf SELECT * FROM st_hnsw;
CREATE INDEX st_hnsw_v ON st_hnsw USING hnsw (v vector_l2_ops);
CREATE INDEX st_ivfflat_v ON st_ivfflat USING ivfflat (v vector_l2_ops) WITH (lists = 4);
CREATE INDEX st_ivf_v ON st_ivf USING ivf (v vector_l2_ops) WITH (lists = 4, quantizer = 'sq8');
SELECT count(*) FROM (SELECT id FROM st_hnsw ORDER BY v <-> '[0,0,0]' LIMIT 5) s;
SELECT count(*) FROM (SELECT id FROM st_ivfflat ORDER BY v <-> '[0,0,0]' LIMIT 5) s;
SELECT count(*) FROM (SELECT id FROM st_ivf ORDER BY v <-> '[0,0,0]' LIMIT 5) s;
-- a second scan of each, through a rescan (a nested loop over two query vectors)
SELECT count(*) FROM (VALUES ('[0,0,0]'::vector), ('[1,1,1]')) q(x),
	LATERAL (SELECT id FROM st_hnsw ORDER BY v <-> q.x LIMIT 3) s;
SELECT count(*) FROM (VALUES ('[0,0,0]'::vector), ('[1,1,1]')) q(x),
	LATERAL (SELECT id FROM st_ivfflat ORDER BY v <-> q.x LIMIT 3) s;
SELECT count(*) FROM (VALUES ('[0,0,0]'::vector), ('[1,1,1]')) q(x),
	LATERAL (SELECT id FROM st_ivf ORDER BY v <-> q.x LIMIT 3) s;
SELECT pg_stat_force_next_flush();
SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname LIKE 'st\_%' ORDER BY 1;
DROP TABLE st_hnsw, st_ivfflat, st_ivf;
