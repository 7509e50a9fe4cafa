#!/bin/bash
# Rows with byte-identical vectors (copies of VALUES vectors, 20 each, an hnsw index with m = 4
# built on them, then INSERTS more copies in one session): does a query for each vector, LIMIT
# its row count, return every row that holds it (they all come first, at distance 0)? Repeated
# RUNS times (levels are random); prints how many runs came back short and the worst one.
#   test/bench/duplicates.sh DSN [RUNS] [VALUES] [INSERTS]
# The database needs the extension (CREATE EXTENSION vector); the script drops and creates the
# tables dup_t and dup_vals. Not a test: a graph may still split the copies of a vector into
# groups that link only each other (docs/benchmarks.md, "Copies of a vector").
set -euo pipefail
dsn=$1
runs=${2:-20}
values=${3:-60}
inserts=${4:-6000}
short=0
worst=""
for _ in $(seq "$runs"); do
	out=$(psql "$dsn" -X -q -At -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS dup_t, dup_vals;
CREATE TABLE dup_vals (k int, v vector(8));
INSERT INTO dup_vals SELECT k, ('[' || (SELECT string_agg(((k * 7 + i * 3) % 11 + k)::text, ',')
    FROM generate_series(1, 8) i) || ']')::vector FROM generate_series(0, $values - 1) k;
CREATE TABLE dup_t (id int PRIMARY KEY, k int, v vector(8));
INSERT INTO dup_t SELECT i, i % $values, (SELECT v FROM dup_vals WHERE k = i % $values)
    FROM generate_series(1, $values * 20) i;
CREATE INDEX ON dup_t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
INSERT INTO dup_t SELECT i, i % $values, (SELECT v FROM dup_vals WHERE k = i % $values)
    FROM generate_series($values * 20 + 1, $values * 20 + $inserts) i;
SET enable_seqscan = off;
SELECT count(*) || ' ' || (SELECT coalesce(sum(n), 0) FROM dup_vals, LATERAL (SELECT count(*) AS n
    FROM (SELECT k FROM dup_t ORDER BY v <-> dup_vals.v LIMIT (SELECT count(*) FROM dup_t
    WHERE dup_t.k = dup_vals.k)) s WHERE s.k = dup_vals.k) c) FROM dup_t;
SQL
	)
	read -r rows found <<<"$out"
	if [ "$found" != "$rows" ]; then
		short=$((short + 1))
		if [ -z "$worst" ] || [ "$found" -lt "${worst%% *}" ]; then
			worst="$found of $rows"
		fi
	fi
done
psql "$dsn" -X -q -c "DROP TABLE dup_t, dup_vals"
echo "runs $runs, values $values, inserts $inserts: $short runs short${worst:+, worst $worst rows found}"
