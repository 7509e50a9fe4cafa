#!/usr/bin/env bash
# Builds and installs vector.so and vector_build.so into the system PostgreSQL 15 (PGXS), then
# builds the unit tests of the pure C++ core with CMake into build/.
#
# Usage: scripts/build.sh [--extension-only]
#   --extension-only  skip the CMake unit-test build (used by scripts/demo.sh)
# Environment: VECTOR_WERROR=1 makes every compiler warning of the extension an error (the test
# suite sets it; the unit tests always build with -Werror).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

extension_only=0
for arg in "$@"; do
	case "$arg" in
	--extension-only) extension_only=1 ;;
	*) echo "usage: $0 [--extension-only]" >&2; exit 2 ;;
	esac
done

jobs=$(nproc 2>/dev/null || echo 2)
pg_config=${PG_CONFIG:-pg_config}

echo "build: vector.so, vector_build.so (PGXS, $("$pg_config" --version))"
make -s -j"$jobs" PG_CONFIG="$pg_config" VECTOR_WERROR="${VECTOR_WERROR:-0}"
# make install writes the server's lib and extension directories: root only.
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	sudo=(sudo)
fi
"${sudo[@]}" make -s install PG_CONFIG="$pg_config" >/dev/null

if [[ $extension_only == 0 ]]; then
	if [[ -f CMakeLists.txt ]]; then
		echo "build: unit tests (CMake, build/)"
		mkdir -p build
		cmake -S . -B build >build/configure.log 2>&1 || {
			cat build/configure.log >&2
			exit 1
		}
		cmake --build build -j"$jobs"
	else
		echo "build: no CMakeLists.txt, no unit tests to build"
	fi
fi
echo "build: done"
