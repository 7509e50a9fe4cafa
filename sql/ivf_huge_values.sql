-- Rows whose squared norm overflows a float (values near 3.4e38) next to ordinary ones. FAISS's
-- k-means computes squared distances in float, and on such rows its assignment of points failed an
-- assertion that aborted the backend (the server then restarted every session). The build trains
-- on the sample scaled by a power of two instead: every index below builds, checks clean and
-- answers, with the rows kept in memory (64MB) and with a second scan (1MB).
CREATE TABLE ihv (id int, v vector(3));
INSERT INTO ihv
SELECT i, CASE WHEN i % 7 = 0 THEN '[0,0,0]'::vector
               WHEN i % 11 = 0 THEN '[3e38,-3e38,3e38]'::vector
               WHEN i % 13 = 0 THEN '[-1e20,2e20,1e-30]'::vector
               ELSE ARRAY[(i % 101) - 50, (i % 37) * 1e-30, (i % 17) / 17.0]::vector END
FROM generate_series(1, 30000) i;
CREATE FUNCTION ihv_build(idx text, mem text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	summary text;
BEGIN
	EXECUTE format('SET LOCAL maintenance_work_mem = %L', mem);
	EXECUTE 'DROP INDEX IF EXISTS ihv_idx';
	EXECUTE 'CREATE INDEX ihv_idx ON ihv ' || idx;
	SELECT regexp_replace(detail, '^ivf index: \d+ pages, ', '') INTO summary
	FROM vector_index_check('ihv_idx') WHERE problem = 'summary';
	RETURN summary;
END $$;
SELECT d, m, ihv_build(d, m)
FROM unnest(ARRAY['USING ivfflat (v vector_l2_ops) WITH (lists = 50)',
                  'USING ivfflat (v vector_ip_ops) WITH (lists = 50)',
                  'USING ivfflat (v vector_cosine_ops) WITH (lists = 50)',
                  'USING ivf (v vector_l2_ops) WITH (lists = 50, quantizer = ''sq8'')',
                  'USING ivf (v vector_l2_ops) WITH (lists = 50, quantizer = ''pq'', pq_m = 1)',
                  'USING ivf (v vector_ip_ops) WITH (lists = 50, quantizer = ''pq'', pq_m = 3)']) d,
     unnest(ARRAY['64MB', '1MB']) m;

-- A scan of the last index answers in full.
SET enable_seqscan = off;
SET ivfflat.probes = 5;
SELECT count(*) FROM (SELECT id FROM ihv ORDER BY v <#> '[1,0,0]' LIMIT 100) s;
-- RaBitQ codes of rows whose residual overflows: their bounds are unknown, so they are re-ranked
-- first, and the rows still come in order (NaN last, as ORDER BY puts it).
CREATE FUNCTION ihv_order(op text) RETURNS TABLE (rows bigint, out_of_order bigint) LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL ivfflat.probes = 50;
	RETURN QUERY EXECUTE format(
		'SELECT count(*), count(*) FILTER (WHERE prev IS NOT NULL AND dist < prev)
		 FROM (SELECT dist, lag(dist) OVER (ORDER BY n) AS prev
		       FROM (SELECT row_number() OVER () AS n, dist
		             FROM (SELECT v %1$s %2$L AS dist FROM ihv ORDER BY v %1$s %2$L LIMIT 40000) s) s2) s3',
		op, '[1,2,0]');
END $$;
SELECT ihv_build('USING ivf (v vector_l2_ops) WITH (lists = 50, quantizer = ''rabitq'')', '64MB');
SELECT * FROM ihv_order('<->');
SELECT ihv_build('USING ivf (v vector_ip_ops) WITH (lists = 50, quantizer = ''rabitq'')', '64MB');
SELECT * FROM ihv_order('<#>');
RESET enable_seqscan;
RESET ivfflat.probes;
DROP TABLE ihv;
DROP FUNCTION ihv_build(text, text), ihv_order(text);
