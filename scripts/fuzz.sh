#!/usr/bin/env bash
# Builds the libFuzzer targets test/fuzz/fuzz_*.cpp with clang (ASan + UBSan + libFuzzer) from the
# pure C++ core, without PostgreSQL, and runs each one for FUZZ_SECONDS seconds starting from its
# seed corpus test/fuzz/corpus/<target>/ (every seed, including the inputs of past findings, runs
# first: they are the regression tests). New inputs go to a scratch directory, not to the repo.
# Prints one line per target: "fuzz: <target> ok|FAILED execs=<n> ..." and exits non-zero if any
# target crashed, leaked or tripped a sanitizer; the crashing input is kept under build-fuzz/.
#
# Usage: scripts/fuzz.sh [TARGET...]     (default: every test/fuzz/fuzz_*.cpp)
# Environment: FUZZ_SECONDS (default 60), CXX_FUZZ (default clang++-14, else clang++)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-60}
cxx=${CXX_FUZZ:-}
if [[ -z $cxx ]]; then
	for c in clang++-14 clang++; do
		if command -v "$c" >/dev/null; then cxx=$c; break; fi
	done
fi
if [[ -z $cxx ]]; then
	echo "fuzz: no clang++ found (scripts/install-deps.sh installs clang-14)" >&2
	exit 1
fi
out=build-fuzz
mkdir -p "$out"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	for f in test/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

failed=0
for t in "${targets[@]}"; do
	src=test/fuzz/$t.cpp
	# The core sources a target needs (paths below src/core) follow "// core-sources:" in its
	# leading comment, possibly continued on the next comment lines (clang-format wraps them).
	core=$(awk '/^\/\/ core-sources:/ { sub(/^\/\/ core-sources: */, ""); print; more = 1; next }
		more && /^\/\/ ([A-Za-z0-9_\/]+\.cpp ?)+$/ { sub(/^\/\/ */, ""); print; next } { more = 0 }' "$src")
	core_paths=()
	for c in $core; do core_paths+=("src/core/$c"); done
	if ! "$cxx" -std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Isrc -Itest/fuzz "$src" "${core_paths[@]}" -o "$out/$t" 2>"$out/$t.build.log"; then
		cat "$out/$t.build.log"
		echo "fuzz: $t FAILED (build)"
		failed=$((failed + 1))
		continue
	fi
	scratch=$(mktemp -d "$out/$t.corpus.XXXXXX")
	mkdir -p "test/fuzz/corpus/$t"
	log=$out/$t.log
	# -rss_limit_mb: the page checkers hold at most 16 pages; anything big is a bug.
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		"./$out/$t" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=1024 -timeout=10 \
		-max_len=131072 -artifact_prefix="$out/$t-" "$scratch" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | sed 's/cov: //')
	seeds=$(find "test/fuzz/corpus/$t" -type f | wc -l)
	rm -rf "$scratch"
	if [[ $rc -eq 0 ]]; then
		echo "fuzz: $t ok execs=${execs:-0} seconds=$seconds coverage=${cov:-?} seeds=$seeds"
	else
		grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" | head -n 20
		echo "fuzz: $t FAILED execs=${execs:-0} (log $out/$t.log)"
		failed=$((failed + 1))
	fi
done
exit $((failed > 0))
