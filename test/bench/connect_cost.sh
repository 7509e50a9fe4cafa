#!/bin/bash
# CPU time a new connection's backend spends to load vector.so and run one distance, split into the
# backend's own thread and any other threads of the process (read from /proc, so the server must
# run on this machine and its /proc be readable). Median of N connections.
#   test/bench/connect_cost.sh "host=/tmp port=5432 user=postgres dbname=postgres" [N]
set -euo pipefail
dsn=$1
n=${2:-7}
pidfile=$(mktemp)
trap 'rm -f "$pidfile"' EXIT
for _ in $(seq "$n"); do
	psql "$dsn" -X -q -At >/dev/null <<SQL &
SELECT pg_backend_pid() \g $pidfile
SELECT '[1,2]'::vector <-> '[3,4]';
SELECT pg_sleep(1.2);
SQL
	sleep 1.0
	pid=$(cat "$pidfile")
	main=0
	other=0
	for t in /proc/"$pid"/task/*; do
		c=$(cut -d' ' -f1 "$t"/schedstat)
		if [ "${t##*/}" = "$pid" ]; then main=$c; else other=$((other + c)); fi
	done
	echo "$main $other"
	wait
done | sort -n | awk '{m[NR] = $1 / 1e6; s += $2 / 1e6}
	END {printf "backend thread: median %.1f ms; other threads: mean %.1f ms (%d connections)\n", m[int((NR + 1) / 2)], s / NR, NR}'
