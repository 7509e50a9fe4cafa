#!/bin/bash
# Throwaway PostgreSQL cluster of the system PostgreSQL (with this extension
# installed by `make install`) for the benchmark harness, on a unix socket.
#
#   test/bench/run_local.sh start          initdb (first time) and start
#   test/bench/run_local.sh stop [--keep]  stop and delete the data directory
#                                          (--keep: stop only, keep the loaded tables)
#   test/bench/run_local.sh dsn            print the libpq DSN for bench.py --dsn
#
# Runs the server as the `postgres` OS user when called as root (initdb refuses
# root), as the calling user otherwise. Settings are those of the reference
# cluster the benchmarks compare against. Environment overrides:
#   PG_CONFIG (default pg_config), BENCH_PORT (55435), BENCH_DATA (/tmp/vector-bench-$PORT)
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
BIN=$("$PG_CONFIG" --bindir)
SHAREDIR=$("$PG_CONFIG" --sharedir)
PORT=${BENCH_PORT:-55435}
SOCK=/tmp
DATA=${BENCH_DATA:-/tmp/vector-bench-$PORT}
LOG=$DATA.log

if [ "$(id -u)" = 0 ]; then
	RUNAS=postgres
	as_pg() { runuser -u "$RUNAS" -- "$@"; }
else
	RUNAS=$(id -un)
	as_pg() { "$@"; }
fi

running() { [ -s "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

case "${1:-}" in
start)
	if [ ! -f "$SHAREDIR/extension/vector.control" ]; then
		echo "warning: $SHAREDIR/extension/vector.control not found: run 'make install' first" >&2
	fi
	if [ ! -s "$DATA/PG_VERSION" ]; then
		mkdir -p "$DATA"
		[ "$(id -u)" = 0 ] && chown "$RUNAS" "$DATA"
		chmod 700 "$DATA"
		as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
		cat >>"$DATA/postgresql.conf" <<EOF
# run_local.sh settings (same as the reference cluster)
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
shared_buffers = 2GB
maintenance_work_mem = 4GB
max_parallel_maintenance_workers = 1
max_parallel_workers_per_gather = 0
jit = off
EOF
	fi
	touch "$LOG"
	[ "$(id -u)" = 0 ] && chown "$RUNAS" "$LOG"
	if running; then
		echo "already running: $("$0" dsn)"
	else
		as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w start >/dev/null
		echo "started: $("$0" dsn)"
	fi
	;;
stop)
	if running; then
		as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
		echo "stopped"
	else
		echo "not running"
	fi
	if [ "${2:-}" != "--keep" ]; then
		rm -rf "$DATA" "$LOG"
	fi
	;;
dsn)
	echo "host=$SOCK port=$PORT user=postgres dbname=postgres"
	;;
*)
	echo "usage: $0 start|stop [--keep]|dsn" >&2
	exit 2
	;;
esac
