#!/usr/bin/env bash
# The ASan + UBSan builds behind the test suite's "asan" stage (scripts/test.sh):
#   scripts/sanitize.sh unit      builds the unit tests with -DVECTOR_SANITIZE=ON into build-asan/unit
#                                 and runs them (ctest)
#   scripts/sanitize.sh install   builds vector.so with -fsanitize=address,undefined from a copy of
#                                 the sources in build-asan/ext and installs it in place of the
#                                 normal one; prints the LD_PRELOAD a server needs to load it
#   scripts/sanitize.sh restore   installs the normal build again (make install)
# PostgreSQL itself is not instrumented: the server runs with GCC's libasan preloaded
# (LD_PRELOAD, printed by "preload") and ASAN_OPTIONS=detect_leaks=0 (a backend's memory
# contexts are released at exit, not freed one by one). Any report aborts the process
# (-fno-sanitize-recover), so a finding shows as a crashed backend and a failed test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg_config=${PG_CONFIG:-pg_config}
jobs=$(nproc 2>/dev/null || echo 2)
[[ $jobs -le 2 ]] || jobs=2
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

case "${1:-}" in
unit)
	mkdir -p build-asan/unit
	cmake -S . -B build-asan/unit -DVECTOR_SANITIZE=ON >build-asan/unit-configure.log 2>&1 || {
		cat build-asan/unit-configure.log >&2
		exit 1
	}
	cmake --build build-asan/unit -j"$jobs" >build-asan/unit-build.log 2>&1 || {
		tail -n 50 build-asan/unit-build.log >&2
		exit 1
	}
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan/unit --output-on-failure -j"$jobs"
	;;
install)
	mkdir -p build-asan/ext
	# A copy of the sources: PGXS builds objects next to them, and the normal objects stay.
	cp -R Makefile vector.control src sql build-asan/ext/
	make -s -C build-asan/ext -j"$jobs" PG_CONFIG="$pg_config" VECTOR_EXTRA_CXXFLAGS="$flags" \
		VECTOR_EXTRA_LDFLAGS="-fsanitize=address,undefined" >build-asan/ext-build.log 2>&1 || {
		tail -n 50 build-asan/ext-build.log >&2
		exit 1
	}
	"${sudo[@]}" make -s -C build-asan/ext install PG_CONFIG="$pg_config" >/dev/null
	echo "sanitize: installed the ASan+UBSan vector.so"
	;;
preload)
	gcc -print-file-name=libasan.so
	;;
restore)
	make -s -j"$jobs" PG_CONFIG="$pg_config"
	"${sudo[@]}" make -s install PG_CONFIG="$pg_config" >/dev/null
	echo "sanitize: installed the normal vector.so again"
	;;
*)
	echo "usage: $0 unit|install|preload|restore" >&2
	exit 2
	;;
esac
