#!/usr/bin/env bash
# Installs every Debian 12 package that building and testing the extension needs, including
# the client libraries of the client/ORM tests (Debian's python3-* packages; Node.js and npm,
# which scripts/demo.sh needs too, when `node` or `npm` is missing). Idempotent and quiet:
# when every package is already installed it returns at once, without apt-get update.
# The npm packages of test/clients/node are installed by scripts/test.sh (npm ci).
#
# Usage: scripts/install-deps.sh [--demo]   (--demo is accepted for compatibility)
set -euo pipefail

packages=(
	postgresql-15 postgresql-server-dev-15  # server, pg_config, PGXS, pg_regress, TAP modules
	libfaiss-dev libopenblas-dev            # FAISS (static) and the BLAS/LAPACK it links
	cmake g++ make git                      # build of vector.so and of the unit tests
	clang-14 libclang-rt-14-dev             # fuzz targets (libFuzzer, ASan, UBSan)
	clang-format clang-format-14            # the format stage (scripts/check-format.sh)
	googletest libgtest-dev                 # unit tests (CTest + GoogleTest)
	libipc-run-perl                         # TAP tests (PostgreSQL::Test::Cluster)
	python3 python3-psycopg2 python3-numpy  # tools and benchmarks
	python3-psycopg python3-asyncpg         # client tests (test/clients/python)
	python3-sqlalchemy python3-django
)

want_node=0
for arg in "$@"; do
	case "$arg" in
	--demo) want_node=1 ;;
	*) echo "usage: $0 [--demo]" >&2; exit 2 ;;
	esac
done
# The client tests and the demo need node and npm; a machine may already have them from another
# source (NodeSource's nodejs ships npm itself and conflicts with Debian's npm package).
want_node=1
if [[ $want_node == 1 ]] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
	packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "install-deps: apt-get failed" >&2
	exit 1
fi
rm -f "$log"
echo "install-deps: done"
