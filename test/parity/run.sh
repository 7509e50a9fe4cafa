#!/bin/bash
# Runs the pending parity tests of issue 14 (test/parity/sql) with pg_regress against a running
# server: test/parity/run.sh [pg_regress options such as --host, --port, --user].
# PG_CONFIG selects the PostgreSQL installation (default: pg_config on PATH).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pg_config=${PG_CONFIG:-pg_config}
out=${PARITY_OUT:-$(mktemp -d /tmp/vector-parity-XXXXXX)}
mkdir -p "$out" && chmod a+rwx "$out"
cd "$here"
tests=$(ls sql/*.sql 2>/dev/null | sed 's|sql/||; s|\.sql$||')
if [[ -z $tests ]]; then
	echo "no pending parity tests (test/parity/sql is empty)"
	exit 0
fi
"$("$pg_config" --pkglibdir)/pgxs/src/test/regress/pg_regress" --inputdir=. --outputdir="$out" \
	--load-extension=vector --bindir="$("$pg_config" --bindir)" "$@" $tests
