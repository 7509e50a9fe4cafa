#!/usr/bin/env bash
# The project's test command (.ci/run runs it). Installs the dependencies, builds and
# installs vector.so (-Wall -Wextra -Werror), then runs these stages and counts their tests:
#   0. the dialect of the C++ sources        scripts/check-format.sh: clang-format 14 and the
#                                            include order, per file
#   1. unit tests of the pure C++ core       ctest --test-dir build
#   2. fuzzing of the input parsers and      scripts/fuzz.sh: libFuzzer targets test/fuzz/*.cpp,
#      index page decoders                   FUZZ_SECONDS each (default 60), from their corpus
#   3. SQL regression tests                  pg_regress on sql/NAME.sql vs expected/NAME.out
#   4. TAP tests (servers, standby, data)    prove test/t/*.pl with PostgreSQL::Test::Cluster
#   5. client and ORM tests                  test/clients/{node,python} against a private server
#   6. sanitizers                            scripts/sanitize.sh: unit tests again with ASan+UBSan,
#                                            regression tests against a UBSan build of vector.so
# PostgreSQL refuses to run as root, so when run as root the server-side stages run as
# the `postgres` OS user inside a private directory under /tmp that this script creates
# and removes again (the checkout itself may be unreadable for that user).
# Ends with a line "N passed, N failed"; exits non-zero if anything failed.
#
# Environment:
#   VECTOR_DATASETS_SRC  where the datasets are (default: <repo>/../shared/datasets)
#   VECTOR_TEST_STAGES   stages to run, default "format unit fuzz regress tap clients asan"
#   VECTOR_CLIENTS_PORT  first TCP port (on 127.0.0.1) tried for the clients stage's server
#   FUZZ_SECONDS         seconds per fuzz target (default 60)
#   PROVE_FLAGS          extra flags for prove (for example --verbose)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
started=$SECONDS
stages=${VECTOR_TEST_STAGES:-format unit fuzz regress tap clients asan}

declare -A n_pass=() n_fail=() note=()
total_pass=0
total_fail=0

banner() { printf '\n=== %s ===\n' "$*"; }

# record STAGE PASSED FAILED NOTE: adds one stage's counts to the summary.
record() {
	n_pass[$1]=$2
	n_fail[$1]=$3
	note[$1]=$4
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
}

# summary: prints the per-stage table and the closing count line, then exits.
summary() {
	local elapsed=$((SECONDS - started)) s
	banner "summary"
	for s in deps build format unit fuzz regress tap clients asan-unit ubsan-regress asan-restore; do
		[[ -v "n_pass[$s]" ]] || continue
		printf '%-12s passed %-4s failed %-4s %s\n' "$s" "${n_pass[$s]}" "${n_fail[$s]}" "${note[$s]}"
	done
	printf 'time     %dm%02ds\n' $((elapsed / 60)) $((elapsed % 60))
	if [[ $total_fail -eq 0 ]]; then
		echo "RESULT: all tests passed"
	else
		echo "RESULT: FAILED"
	fi
	echo "$total_pass passed, $total_fail failed"
	[[ $total_fail -eq 0 ]]
	exit
}

banner "dependencies"
if ! bash scripts/install-deps.sh; then
	record deps 0 1 "scripts/install-deps.sh failed"
	summary
fi

banner "build"
# The extension is built with -Wall -Wextra -Werror here (see the Makefile): a warning fails.
if ! VECTOR_WERROR=1 bash scripts/build.sh; then
	record build 0 1 "scripts/build.sh failed"
	summary
fi

pg_config=${PG_CONFIG:-pg_config}
bindir=$("$pg_config" --bindir)
pkglibdir=$("$pg_config" --pkglibdir)
pg_regress=$pkglibdir/pgxs/src/test/regress/pg_regress
pg_perl=$pkglibdir/pgxs/src/test/perl

# The server-side stages run in a private directory as the postgres user (or as the
# invoking user when that is not root).
work=$(mktemp -d /tmp/vector-test.XXXXXX)
run_as=()
if [[ $(id -u) -eq 0 ]]; then
	chown postgres:postgres "$work"
	run_as=(runuser -u postgres --)
fi
chmod 700 "$work"

# cleanup: stops every server still running under $work, then removes it.
cleanup() {
	local pidfile
	if [[ -d $work ]]; then
		while IFS= read -r pidfile; do
			"${run_as[@]}" "$bindir/pg_ctl" stop -D "$(dirname "$pidfile")" -m immediate -w >/dev/null 2>&1 || true
		done < <(find "$work" -name postmaster.pid 2>/dev/null)
		rm -rf "$work"
	fi
}

# run_stage LOG LIMIT CMD...: runs CMD in $work with its output shown and saved in LOG, as a
# job in its own process group (so that an interrupt stops the whole stage, whatever user it runs
# as), stopped after LIMIT seconds; returns CMD's exit status (124 on time-out).
stage_pgid=
run_stage() {
	local log=$1 limit=$2 rc
	shift 2
	set -m
	{ cd "$work" && timeout -k 30 "$limit" "$@" </dev/null 2>&1 | tee "$log"; } &
	stage_pgid=$!
	set +m
	wait "$stage_pgid"
	rc=$?
	stage_pgid=
	if [[ $rc -eq 124 ]]; then
		echo "test.sh: stage stopped after its time limit of $limit s" | tee -a "$log"
	fi
	return $rc
}

# on_signal: stops the running stage; the EXIT trap then stops its servers.
on_signal() {
	[[ -z $stage_pgid ]] || kill -TERM -- -"$stage_pgid" 2>/dev/null
	echo "test.sh: interrupted" >&2
	exit 130
}
trap cleanup EXIT
trap on_signal INT TERM HUP

# copy_to_work SRC... DEST: copies files into $work, owned by the server user.
copy_to_work() {
	local dest=${*: -1}
	mkdir -p "$dest"
	cp -R "${@:1:$#-1}" "$dest"/
	[[ ${#run_as[@]} -eq 0 ]] || chown -R postgres:postgres "$work"
}

# ---------------------------------------------------------------- 0. format
if [[ " $stages " == *" format "* ]]; then
	banner "format (clang-format 14, include order)"
	log=$work/format.log
	# Runs as the invoking user in the checkout (no server involved).
	{ bash scripts/check-format.sh 2>&1; echo "check-format.sh exit $?"; } | tee "$log"
	line=$(grep -E '^format: [0-9]+ files, [0-9]+ not formatted, include order' "$log" | tail -n 1)
	if [[ -n $line ]]; then
		files=$(sed -E 's/^format: ([0-9]+) files.*/\1/' <<<"$line")
		bad=$(sed -E 's/^format: [0-9]+ files, ([0-9]+) not formatted.*/\1/' <<<"$line")
		bad=$((bad + $(grep -c ': include order: ' "$log")))
		if ! grep -q '^check-format.sh exit 0$' "$log" && [[ $bad -eq 0 ]]; then bad=1; fi
		record format $((files - bad)) "$bad" "C++ files formatted, includes in order"
	else
		record format 0 1 "scripts/check-format.sh failed to run"
	fi
fi

# ---------------------------------------------------------------- 1. unit tests
if [[ " $stages " == *" unit "* ]]; then
	banner "unit tests (ctest)"
	if [[ ! -d build ]]; then
		echo "no build/ directory (no CMakeLists.txt): no unit tests"
		record unit 0 0 "no unit tests"
	else
		log=$work/ctest.log
		run_stage "$log" 600 ctest --test-dir "$repo/build" --output-on-failure -j2
		rc=$?
		line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
		if [[ -n $line ]]; then
			failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
			total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
			if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
			record unit $((total - failed)) "$failed" "ctest cases"
		elif grep -q 'No tests were found' "$log" && [[ $rc -eq 0 ]]; then
			record unit 0 0 "no unit tests registered"
		else
			record unit 0 1 "ctest failed to run (exit $rc)"
		fi
	fi
fi

# ---------------------------------------------------------------- 2. fuzzing
if [[ " $stages " == *" fuzz "* ]]; then
	banner "fuzzing (libFuzzer, ${FUZZ_SECONDS:-60} s per target)"
	log=$work/fuzz.log
	# Runs as the invoking user in the checkout (no server involved).
	{ bash scripts/fuzz.sh 2>&1; echo "fuzz.sh exit $?"; } | tee "$log"
	ok=$(grep -cE '^fuzz: [^ ]+ ok ' "$log")
	bad=$(grep -cE '^fuzz: [^ ]+ FAILED' "$log")
	if ! grep -q '^fuzz.sh exit 0$' "$log" && [[ $bad -eq 0 ]]; then bad=1; fi
	record fuzz "$ok" "$bad" "fuzz targets ($(sed -nE 's/^fuzz: ([^ ]+) ok execs=([0-9]+).*/\1 \2/p' "$log" | awk '{s += $2} END {print s + 0}') executions)"
fi

# run_regress STAGE DIR: runs pg_regress on sql/*.sql in $work/DIR (its own temporary instance)
# and records the counts as STAGE.
run_regress() {
	local stage=$1 dir=$work/$2 t rc ok bad log
	local tests=()
	for f in sql/*.sql; do
		[[ -e $f ]] && tests+=("$(basename "$f" .sql)")
	done
	if [[ ${#tests[@]} -eq 0 ]]; then
		echo "no sql/*.sql: no regression tests"
		record "$stage" 0 0 "no regression tests"
		return
	fi
	for t in "${tests[@]}"; do
		[[ -f expected/$t.out ]] || echo "warning: expected/$t.out is missing: $t will fail"
	done
	copy_to_work sql/*.sql "$dir/sql"
	mkdir -p "$dir/expected" "$dir/log"
	if compgen -G 'expected/*.out' >/dev/null; then
		copy_to_work expected/*.out "$dir/expected"
	fi
	[[ ! -d data ]] || copy_to_work data "$dir"
	[[ ${#run_as[@]} -eq 0 ]] || chown -R postgres:postgres "$work"
	log=$work/$stage.log
	local postmaster_log=$dir/log/postmaster.log
	run_stage "$log" 900 "${run_as[@]}" "$pg_regress" \
		--temp-instance="$dir/tmp_check" \
		--bindir="$bindir" \
		--inputdir="$dir" --outputdir="$dir" \
		--load-extension=vector \
		"${tests[@]}"
	rc=$?
	ok=$(grep -cE '\.\.\. ok( |$)' "$log")
	bad=$(grep -cE '\.\.\. FAILED' "$log")
	if [[ $rc -ne 0 && $bad -eq 0 ]]; then bad=1; fi
	# A sanitizer report in the server's log fails the stage even if no test noticed.
	if [[ -f $postmaster_log ]] && grep -qE 'ERROR: AddressSanitizer|runtime error:' "$postmaster_log"; then
		echo "--- sanitizer reports in the server log ---"
		grep -E -A 30 'ERROR: AddressSanitizer|runtime error:' "$postmaster_log" | head -n 120
		bad=$((bad + 1))
	fi
	record "$stage" "$ok" "$bad" "sql/*.sql files"
	if [[ -s $dir/regression.diffs ]]; then
		echo "--- regression.diffs (first 400 lines) ---"
		head -n 400 "$dir/regression.diffs"
	fi
	# A crashed backend or a server that did not start: show the server's log.
	if [[ $rc -ne 0 && -f $postmaster_log ]] &&
		{ [[ ! -s $dir/regression.diffs ]] || grep -qE 'terminated by signal|PANIC' "$postmaster_log"; }; then
		echo "--- server log (last 60 lines) ---"
		tail -n 60 "$postmaster_log"
	fi
}

# ---------------------------------------------------------------- 3. pg_regress
if [[ " $stages " == *" regress "* ]]; then
	banner "regression tests (pg_regress)"
	run_regress regress regress
fi

# ---------------------------------------------------------------- 4. TAP tests
if [[ " $stages " == *" tap "* ]]; then
	banner "TAP tests (prove)"
	if ! compgen -G 'test/t/*.pl' >/dev/null; then
		echo "no test/t/*.pl: no TAP tests"
		record tap 0 0 "no TAP tests"
	else
		copy_to_work test/t/*.pl "$work/tap/t"
		[[ ! -d test/perl ]] || copy_to_work test/perl "$work/tap"
		# Datasets the TAP tests read (small ones only). A test whose dataset is
		# missing fails with a message naming it.
		datasets_src=${VECTOR_DATASETS_SRC:-$repo/../shared/datasets}
		mkdir -p "$work/datasets"
		tap_datasets=(siftsmall glove-100)
		for ds in "${tap_datasets[@]}"; do
			if [[ -d $datasets_src/$ds ]]; then
				copy_to_work "$datasets_src/$ds" "$work/datasets"
			else
				echo "warning: dataset $datasets_src/$ds not found: tests that need it will fail"
			fi
		done
		[[ ${#run_as[@]} -eq 0 ]] || chown -R postgres:postgres "$work"
		log=$work/prove.log
		# shellcheck disable=SC2086
		run_stage "$log" 2400 "${run_as[@]}" env \
			PATH="$bindir:$PATH" \
			PERL5LIB="$pg_perl:$work/tap/perl${PERL5LIB:+:$PERL5LIB}" \
			TESTDIR="$work/tap" \
			PG_REGRESS="$pg_regress" \
			VECTOR_DATASETS="$work/datasets" \
			bash -c 'cd "$TESTDIR" && exec prove '"${PROVE_FLAGS:-}"' t/*.pl'
		rc=$?
		files=$(compgen -G 'test/t/*.pl' | wc -l)
		if grep -q '^All tests successful' "$log" && [[ $rc -eq 0 ]]; then
			record tap "$files" 0 "test/t/*.pl files"
		else
			# Failed programs are listed in prove's "Test Summary Report".
			bad=$(grep -cE '^t/[^ ]+\.pl +\(Wstat' "$log")
			[[ $bad -gt 0 ]] || bad=$files
			record tap $((files - bad)) "$bad" "test/t/*.pl files"
			# Show the logs of the failed test programs (named in prove's summary report).
			for name in $(sed -nE 's/^t\/([^ ]+)\.pl +\(Wstat.*/\1/p' "$log" | sort -u); do
				echo "--- tmp_check/log/regress_log_$name (last 150 lines) ---"
				tail -n 150 "$work/tap/tmp_check/log/regress_log_$name" 2>/dev/null
				for nodelog in "$work/tap/tmp_check/log/${name}"_*.log; do
					[[ -f $nodelog ]] || continue
					echo "--- $(basename "$nodelog") (last 40 lines) ---"
					tail -n 40 "$nodelog"
				done
			done
		fi
	fi
fi

# ---------------------------------------------------------------- 5. client and ORM tests
if [[ " $stages " == *" clients "* ]]; then
	banner "client and ORM tests (node --test, python3 unittest)"
	# One private server on 127.0.0.1 (trust authentication); every test file makes and drops
	# its own database, so the extension is created by the client library under test.
	cdir=$work/clients
	mkdir -p "$cdir"
	[[ ${#run_as[@]} -eq 0 ]] || chown postgres:postgres "$cdir"
	port=${VECTOR_CLIENTS_PORT:-56230}
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
	log=$cdir/server-setup.log
	if ! (cd "$cdir" && "${run_as[@]}" "$bindir/initdb" -D "$cdir/data" -A trust -U postgres --no-sync &&
		"${run_as[@]}" "$bindir/pg_ctl" start -w -D "$cdir/data" -l "$cdir/server.log" \
			-o "-p $port -k $cdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40") >"$log" 2>&1; then
		cat "$log" "$cdir/server.log" 2>/dev/null
		record clients 0 1 "server for the client tests did not start"
	else
		c_pass=0
		c_fail=0
		# Node.js: exact versions from package-lock.json (npm ci), node's own test runner.
		nlog=$cdir/node.log
		if ! (cd test/clients/node && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$nlog.install" 2>&1; then
			cat "$nlog.install"
			echo "clients: npm ci failed"
			c_fail=$((c_fail + 1))
		else
			run_stage "$nlog" 600 env -C "$repo/test/clients/node" PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres \
				node --test --test-reporter=tap
			rc=$?
			np=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$nlog" | tail -n 1)
			nf=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$nlog" | tail -n 1)
			np=${np:-0}
			nf=${nf:-0}
			if [[ $rc -ne 0 && $nf -eq 0 ]] || [[ $np -eq 0 ]]; then nf=$((nf + 1)); fi
			c_pass=$((c_pass + np))
			c_fail=$((c_fail + nf))
		fi
		# Python: Debian's python3-* packages only (/usr/bin/python3, not a python3 elsewhere on PATH).
		plog=$cdir/python.log
		run_stage "$plog" 600 env PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres \
			/usr/bin/python3 "$repo/test/clients/python/run.py"
		rc=$?
		pp=$(sed -nE 's/^python clients passed=([0-9]+) failed=([0-9]+)$/\1/p' "$plog" | tail -n 1)
		pf=$(sed -nE 's/^python clients passed=([0-9]+) failed=([0-9]+)$/\2/p' "$plog" | tail -n 1)
		pp=${pp:-0}
		pf=${pf:-0}
		if [[ $rc -ne 0 && $pf -eq 0 ]] || [[ $pp -eq 0 ]]; then pf=$((pf + 1)); fi
		c_pass=$((c_pass + pp))
		c_fail=$((c_fail + pf))
		"${run_as[@]}" "$bindir/pg_ctl" stop -D "$cdir/data" -m fast -w >/dev/null 2>&1
		if [[ $c_fail -gt 0 ]]; then
			echo "--- server log of the client tests (last 60 lines) ---"
			tail -n 60 "$cdir/server.log"
		fi
		record clients "$c_pass" "$c_fail" "client/ORM test files (node, python)"
	fi
fi

# ---------------------------------------------------------------- 6. sanitizers
# The unit tests built with ASan+UBSan, then the regression tests against a UBSan build of
# vector.so (scripts/sanitize.sh explains why not ASan there); the normal vector.so is
# installed again afterwards.
if [[ " $stages " == *" asan "* ]]; then
	banner "sanitizers (ASan + UBSan): unit tests"
	log=$work/asan-unit.log
	{ bash scripts/sanitize.sh unit 2>&1; echo "sanitize.sh exit $?"; } | tee "$log"
	line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
	if [[ -n $line ]]; then
		failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
		total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
		if ! grep -q '^sanitize.sh exit 0$' "$log" && [[ $failed -eq 0 ]]; then failed=1; fi
		record asan-unit $((total - failed)) "$failed" "ctest cases, ASan+UBSan"
	else
		record asan-unit 0 1 "sanitized unit tests failed to build or run"
	fi
	banner "sanitizers (UBSan vector.so): regression tests"
	if bash scripts/sanitize.sh install; then
		run_regress ubsan-regress regress-ubsan
	else
		record ubsan-regress 0 1 "UBSan vector.so failed to build"
	fi
	bash scripts/sanitize.sh restore || record asan-restore 0 1 "reinstalling the normal vector.so failed"
fi

summary
