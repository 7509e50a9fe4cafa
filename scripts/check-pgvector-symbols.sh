#!/usr/bin/env bash
# Checks that vector.so exports every C function that a pgvector install script binds to, so that
# a database created by pgvector keeps working when our vector.so replaces pgvector's (its catalog
# names the C symbols; see "Moving from pgvector" in README.md). For each
# CREATE FUNCTION ... AS 'MODULE_PATHNAME'[, 'symbol'] ... of the script, the symbol (by default the
# function's name) and its pg_finfo_ companion (the version-1 calling convention) must be defined.
#
# Usage: scripts/check-pgvector-symbols.sh PGVECTOR_INSTALL_SCRIPT.sql [vector.so]
# Prints the missing symbols with the SQL functions that need them; exits 1 if any is missing.
set -euo pipefail

sql=${1:?usage: $0 PGVECTOR_INSTALL_SCRIPT.sql [vector.so]}
so=${2:-$(dirname "${BASH_SOURCE[0]}")/../vector.so}

needed=$(perl -0ne '
	while (/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(([^)]*)\)(.*?);/sg) {
		my ($name, $args, $rest) = ($1, $2, $3);
		next unless $rest =~ /MODULE_PATHNAME/;
		my $sym = $rest =~ /MODULE_PATHNAME\x27\s*,\s*\x27(\w+)\x27/ ? $1 : $name;
		$args =~ s/\s+/ /g;
		print "$sym $name($args)\n";
	}' "$sql" | sort -u)
exported=$(nm -D --defined-only "$so" | awk '{print $NF}' | sort -u)

missing=0
total=0
while read -r sym fn; do
	[[ -n $sym ]] || continue
	total=$((total + 1))
	for s in "$sym" "pg_finfo_$sym"; do
		if ! grep -qxF "$s" <<<"$exported"; then
			echo "missing: $s (for $fn)"
			missing=$((missing + 1))
		fi
	done
done <<<"$needed"
echo "$total C functions in $(basename "$sql"); $missing symbols missing from $so"
[[ $missing -eq 0 ]]
