#!/bin/bash
# Index build time against a reference server, the two builds alternating.
#
#   test/bench/build_time.sh DSN REF_DSN TABLE "USING ivfflat (embedding vector_l2_ops) WITH (lists = 250)" [PAIRS]
#
# Each pair runs DROP INDEX; CHECKPOINT; CREATE INDEX on our server, then the same on the
# reference, so that drift of the machine hits both alike; the first pair's order is ours first.
# Both servers need the table (bench.py loads it: tables named bench_<dataset>) and the same
# settings. Prints each pair's times and ratio, then the median ratio. Times are psql's \timing of
# CREATE INDEX alone.
set -euo pipefail
if [ $# -lt 4 ]; then
	sed -n '2,10p' "$0" >&2
	exit 2
fi
dsn=$1 ref=$2 table=$3 clause=$4 pairs=${5:-5}
index=bench_build_time_idx

build_ms() {
	psql -X -q -v ON_ERROR_STOP=1 "$1" -c "DROP INDEX IF EXISTS $index" -c CHECKPOINT -c '\timing on' \
		-c "CREATE INDEX $index ON $table $clause" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}

ratios=()
for i in $(seq 1 "$pairs"); do
	ours=$(build_ms "$dsn")
	theirs=$(build_ms "$ref")
	ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
	ratios+=("$ratio")
	printf 'pair %d: ours %.0f ms, reference %.0f ms, ratio %s\n' "$i" "$ours" "$theirs" "$ratio"
done
for dsn_ in "$dsn" "$ref"; do
	psql -X -q "$dsn_" -c "DROP INDEX IF EXISTS $index"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median ratio %.3f over %d pairs\n", m, NR }'
