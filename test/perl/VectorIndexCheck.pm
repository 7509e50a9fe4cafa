# TAP helper around vector_index_check(): the structural check of an hnsw, ivfflat or ivf index
# (src/pg/admin/index_check.cpp) that every test stressing an index runs at its end.
package VectorIndexCheck;

use strict;
use warnings;

use Exporter 'import';
use Test::More ();

our @EXPORT = qw(index_check_clean index_check_rows);

# index_check_rows(NODE, INDEX[, DB[, HEAPALLINDEXED]]): the rows of vector_index_check as
# array refs [severity, problem, blkno, offnum, detail].
sub index_check_rows
{
	my ($node, $index, $db, $heap) = @_;
	$db //= 'postgres';
	$heap //= 'true';
	my $out = $node->safe_psql($db,
		"SELECT severity, problem, coalesce(blkno::text, ''), coalesce(offnum::text, ''), detail "
		  . "FROM vector_index_check('$index', $heap)");
	return [ map { [ split /\|/, $_, 5 ] } split /\n/, $out ];
}

# index_check_clean(NODE, INDEX, NAME[, %OPTS]): one assertion: the check of INDEX finds no
# error, and warnings (hnsw elements no link reaches, list pages no list reaches: legal, but a
# sign of a degraded index) are at most max_warning_share (default 1%) of the elements.
# Options: db, heapallindexed ('true'/'false'). Returns the summary line.
sub index_check_clean
{
	my ($node, $index, $name, %opts) = @_;
	my $rows = index_check_rows($node, $index, $opts{db}, $opts{heapallindexed});
	my @errors = grep { $_->[0] eq 'error' } @$rows;
	my @warnings = grep { $_->[0] eq 'warning' } @$rows;
	my ($summary) = map { $_->[4] } grep { $_->[0] eq 'info' } @$rows;
	$summary //= '(no summary row)';
	my ($elements) = $summary =~ /(\d+) (?:elements|entries)/;
	my ($warning_count) = $summary =~ /(\d+) warnings/;
	$elements //= 0;
	$warning_count //= scalar @warnings;
	my $share = $opts{max_warning_share} // 0.01;
	my $ok = Test::More::ok(@errors == 0 && $warning_count <= $share * $elements + 0.5,
		"$name: vector_index_check('$index') is clean");
	Test::More::note("$index: $summary");
	if (!$ok)
	{
		my @show = (@errors, @warnings);
		splice(@show, 20) if @show > 20;
		Test::More::diag(join('|', @$_)) for @show;
		Test::More::diag($summary);
	}
	return $summary;
}

1;
