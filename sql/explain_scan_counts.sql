-- EXPLAIN (ANALYZE, VERBOSE) ends with what each vector index scan did, counted by the scans:
-- searches, rounds or lists read, elements or entries read, those the filter columns rejected,
-- rows returned, and for hnsw whether the exact filtered scan ran. (Counts that depend on the
-- graph's shape are checked, not printed.)
CREATE TABLE ec (id int PRIMARY KEY, embedding vector(3), label int, tags int[]);
INSERT INTO ec SELECT i, ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector,
	i % 10, ARRAY[i % 10] FROM generate_series(1, 3000) i;
CREATE INDEX ec_hnsw ON ec USING hnsw (embedding vector_l2_ops, label, tags);
-- The counts line of a query's EXPLAIN (ANALYZE, VERBOSE), with its numbers checked (the elements
-- visited cover those rejected and the rows returned) and, unless raw, those that depend on the
-- index's shape replaced by N.
CREATE FUNCTION ec_counts(query text, raw bool DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	counts text := '(no counts line)';
	m text[];
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
		IF line ~ '^    .*(walk|list scan|exact filtered scan): ' THEN
			counts := btrim(line);
		END IF;
	END LOOP;
	m := regexp_match(counts, '(\d+) (?:elements visited|entries read|elements read)(?:, \d+ exact scans? of (\d+) elements)?(?:, (\d+) rejected by the filter columns)?(?:, \d+ re-ranked from the table)?, (\d+) rows returned');
	IF m IS NULL AND counts <> '(no counts line)' THEN
		RETURN 'counts line not understood: ' || counts;
	END IF;
	IF m IS NOT NULL AND m[1]::int + coalesce(m[2]::int, 0) < coalesce(m[3]::int, 0) + m[4]::int THEN
		RETURN 'read fewer than rejected + returned: ' || counts;
	END IF;
	IF raw THEN
		RETURN counts;
	END IF;
	counts := regexp_replace(counts, '\d+ rounds?', 'N rounds');
	counts := regexp_replace(counts, '\d+ (elements visited|entries read)', 'N \1');
	RETURN regexp_replace(counts, '(\d+) rejected', CASE WHEN coalesce(m[3]::int, 0) > 0 THEN 'N rejected' ELSE '0 rejected' END);
END $$;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
-- (the walk; on an index this small the exact filtered scan is cheaper, see below)
SET vector.hnsw_filter_strategy = walk;
SELECT ec_counts($$SELECT id FROM ec ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$);
SELECT ec_counts($$SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$);
SELECT ec_counts($$SELECT id FROM ec WHERE tags && '{8}' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 12$$);
-- The signatures of 4 and 7 share their bit: the index returns the rows of both, the executor's
-- recheck keeps those of 7 (and the result is exact).
SELECT (regexp_match(ec_counts($$SELECT id FROM ec WHERE tags && '{7}' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 40$$),
	'(\d+) rows returned'))[1]::int > 40 AS more_rows_than_the_limit;
SET hnsw.ef_search = 1000;
SELECT array(SELECT id FROM ec WHERE tags && '{7}' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 40)
	= array(SELECT id FROM ec WHERE tags && '{7}' ORDER BY (embedding <-> '[0.5,0.5,0.5]') + 0 LIMIT 40) AS exact;
RESET hnsw.ef_search;
-- A nested loop rescans the index: every search is counted.
SELECT ec_counts($$SELECT (SELECT b.id FROM ec b WHERE b.label = a.label ORDER BY b.embedding <-> a.embedding LIMIT 1)
	FROM ec a WHERE a.id <= 4$$);
-- Without ANALYZE, or without VERBOSE, no counts line.
CREATE FUNCTION ec_has_counts(options text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (' || options || ') SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> ''[0.5,0.5,0.5]'' LIMIT 5' LOOP
		IF line ~ '(walk|list scan|exact filtered scan): ' THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END $$;
SELECT ec_has_counts('VERBOSE, COSTS OFF') AS verbose, ec_has_counts('ANALYZE, COSTS OFF, TIMING OFF') AS analyze,
	ec_has_counts('ANALYZE, VERBOSE, COSTS OFF, TIMING OFF') AS both;
-- The exact filtered scan reads every element (3,000) and scores those that pass: exact counts.
SET vector.hnsw_filter_strategy = exact;
SELECT ec_counts($$SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true);
-- auto chooses it too here: the index is small (its pages cost less than the walk's visits).
SET vector.hnsw_filter_strategy = auto;
SELECT ec_counts($$SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true);
-- Without quals on filter columns there is nothing to choose: a walk.
SELECT ec_counts($$SELECT id FROM ec ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$);
-- A walk that stops (hnsw.max_scan_tuples) before it finds its rows is finished by the exact
-- filtered scan of the elements it did not visit. Label 50 is that of 7 rows in 10, all of them
-- farther than 0.5 from the query: auto walks (it expects a row every 1.4 elements), and the
-- walk's first 200 elements, the query's neighbors, all fail the filter.
UPDATE ec SET label = 50 WHERE embedding <-> '[0.5,0.5,0.5]' > 0.5;
SET hnsw.max_scan_tuples = 200;
SELECT regexp_replace(regexp_replace(c, '\d+ rounds?', 'N rounds'), '\d+ (elements visited|rejected)', 'N \1', 'g') AS counts,
	(regexp_match(c, '(\d+) elements visited'))[1]::int BETWEEN 200 AND 400 AS walk_stopped
	FROM ec_counts($$SELECT id FROM ec WHERE label = 50 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true) c;
SELECT array(SELECT id FROM ec WHERE label = 50 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5)
	= array(SELECT id FROM ec WHERE label = 50 ORDER BY (embedding <-> '[0.5,0.5,0.5]') + 0 LIMIT 5) AS exact_rows;
-- With walk, the walk stops there: no rows.
SET vector.hnsw_filter_strategy = walk;
SELECT count(*) FROM (SELECT id FROM ec WHERE label = 50 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5) s;
RESET vector.hnsw_filter_strategy;
RESET hnsw.max_scan_tuples;
DROP INDEX ec_hnsw;
CREATE INDEX ec_ivf ON ec USING ivfflat (embedding vector_l2_ops, label) WITH (lists = 10);
SET ivfflat.probes = 3;
SELECT ec_counts($$SELECT id FROM ec ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true) ~
	'^list scan: 1 search, 3 lists read, \d+ entries read, 5 rows returned$' AS unfiltered;
SELECT ec_counts($$SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true) ~
	'^filtered list scan: 1 search, 3 lists read, \d+ entries read, \d+ rejected by the filter columns, 5 rows returned$' AS filtered;
-- The filter (label = 3, one row in ten) rejected about 9 in 10 of the entries read.
SELECT (regexp_match(c, '(\d+) rejected'))[1]::float / (regexp_match(c, '(\d+) entries read'))[1]::int
	BETWEEN 0.8 AND 0.97 AS rejected_share
	FROM ec_counts($$SELECT id FROM ec WHERE label = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true) c;
-- Quantized lists say how many table rows they read for exact distances: RaBitQ re-ranks rows
-- until its bounds prove the order, at least the 5 returned.
DROP INDEX ec_ivf;
CREATE INDEX ec_rq ON ec USING ivf (embedding vector_l2_ops) WITH (lists = 10, quantizer = 'rabitq');
SELECT (regexp_match(c, '^list scan: 1 search, 3 lists read, \d+ entries read, (\d+) re-ranked from the table, 5 rows returned$'))[1]::int
	BETWEEN 5 AND 1000 AS reranked
	FROM ec_counts($$SELECT id FROM ec ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5$$, true) c;
DROP TABLE ec;
DROP FUNCTION ec_counts, ec_has_counts;
