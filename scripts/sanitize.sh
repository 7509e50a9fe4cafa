#!/usr/bin/env bash
# The ASan + UBSan builds behind the test suite's "asan" stage (scripts/test.sh):
#   scripts/sanitize.sh unit      builds the unit tests with -DVECTOR_SANITIZE=ON into build-asan/unit
#                                 and runs them (ctest)
#   scripts/sanitize.sh install   builds vector.so and vector_build.so with -fsanitize=undefined
#                                 from a copy of the sources in build-asan/ext and installs them
#                                 in place of the normal ones
#   scripts/sanitize.sh restore   installs the normal build again (make install)
# Any report aborts the process (-fno-sanitize-recover), so a finding shows as a crashed
# backend and a failed test.
#
# Why the extension gets UBSan only: PostgreSQL is not instrumented, and an ASan runtime must
# then be preloaded into the server (LD_PRELOAD), but Debian 12's postgres binary deadlocks at
# start with libasan preloaded (in bindtextdomain, under glibc's _nl_state_lock), and without
# the preload libasan refuses to load. The pure C++ core, where the parsing and page decoding
# live, runs under ASan+UBSan in the unit tests and in the fuzz targets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pg_config=${PG_CONFIG:-pg_config}
jobs=$(nproc 2>/dev/null || echo 2)
[[ $jobs -le 2 ]] || jobs=2
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=undefined -fno-sanitize-recover=all"
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
	# A copy of the sources without the normal build's objects: PGXS builds objects next to
	# the sources, and the normal objects stay where they are.
	rm -rf build-asan/ext
	mkdir -p build-asan/ext
	tar --exclude='*.o' --exclude='*.d' --exclude='*.so' --exclude='*.bc' -cf - Makefile vector.control src sql | tar -C build-asan/ext -xf -
	make -s -C build-asan/ext -j"$jobs" PG_CONFIG="$pg_config" VECTOR_EXTRA_CXXFLAGS="$flags" \
		VECTOR_EXTRA_LDFLAGS="-fsanitize=undefined" >build-asan/ext-build.log 2>&1 || {
		tail -n 50 build-asan/ext-build.log >&2
		exit 1
	}
	"${sudo[@]}" make -s -C build-asan/ext install PG_CONFIG="$pg_config" >/dev/null
	echo "sanitize: installed the UBSan vector.so"
	;;
restore)
	make -s -j"$jobs" PG_CONFIG="$pg_config"
	"${sudo[@]}" make -s install PG_CONFIG="$pg_config" >/dev/null
	echo "sanitize: installed the normal vector.so again"
	;;
*)
	echo "usage: $0 unit|install|restore" >&2
	exit 2
	;;
esac
