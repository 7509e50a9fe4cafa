#!/usr/bin/env bash
# Checks the dialect of the C++ sources (src/, test/unit/, test/fuzz/): every file as clang-format
# 14 formats it with the checked-in .clang-format, and includes in the order of
# scripts/check-include-order.py. The test suite runs it as its "format" stage.
#
# Usage: scripts/check-format.sh [--fix]
#   --fix  reformat the files in place instead (the include order must still be fixed by hand)
# Prints "format: <file> not formatted" per file, then "format: N files, M not formatted, include
# order ok|FAILED" and exits non-zero if anything is off.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=0
case "${1:-}" in
--fix) fix=1 ;;
"") ;;
*) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

# The formatting depends on the clang-format version: 14, Debian 12's (scripts/install-deps.sh).
formatter=
for c in clang-format-14 clang-format; do
	if command -v "$c" >/dev/null && "$c" --version | grep -q 'version 14\.'; then
		formatter=$c
		break
	fi
done
if [[ -z $formatter ]]; then
	echo "format: clang-format 14 not found (scripts/install-deps.sh installs it)" >&2
	exit 1
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'test/unit/*.cpp' 'test/unit/*.h' 'test/fuzz/*.cpp' 'test/fuzz/*.h')
else
	mapfile -t files < <(find src test/unit test/fuzz -name '*.cpp' -o -name '*.h' | sort)
fi

bad=0
for f in "${files[@]}"; do
	if [[ $fix == 1 ]]; then
		"$formatter" -i "$f"
	elif ! "$formatter" --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format: $f not formatted (scripts/check-format.sh --fix)"
		bad=$((bad + 1))
	fi
done

order=ok
python3 scripts/check-include-order.py "${files[@]}" || order=FAILED
echo "format: ${#files[@]} files, $bad not formatted, include order $order"
[[ $bad -eq 0 && $order == ok ]]
