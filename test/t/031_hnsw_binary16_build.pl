# hnsw builds at 256 dimensions and more build their graph on binary16 copies of the rows (vector
# rows, and halfvec rows widened to floats) when the copies rank neighbors as the floats do
# (core/hnsw/hnsw_binary16_rows.h); the index stores and searches the rows themselves. On GloVe
# rows made 300-dimensional ([x, x / 2 + 3, -x]: the neighbor structure of GloVe, with a common
# offset of 3 in a third of the components, which the L2 copies remove by centering), 20,000 rows
# and the 100 dataset queries, for L2, cosine and inner product (and L1 on halfvec): the build
# says which rows its graph compared, and recall@10 against the exact answer (a sequential scan)
# stays above the bounds, as with a graph of the floats. The rows the index returns are the
# table's rows, in exact distance order.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $k = 10;
my $lift = sub { my ($x) = @_; return [ @$x, (map { $_ / 2 + 3 } @$x), (map { -$_ } @$x) ]; };
my $base = [ map { $lift->($_) } @{ read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), 20000) } ];
my $queries = [ map { $lift->($_) } @{ read_fvecs(dataset_file('glove-100/glove100_query.fvecs'), 100) } ];
my $dim = scalar @{ $base->[0] };

my $node = vector_node('main', "maintenance_work_mem = '512MB'\nautovacuum = off");
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 'items', $base);

# build_index(TABLE, OPCLASS): builds TABLE_idx; returns what the build's DEBUG1 line says its
# graph compared ('binary16 copies of the rows' or 'the float rows'), undef without that line.
sub build_index
{
	my ($table, $opclass, $settings) = @_;
	$settings //= '';
	my ($stdout, $stderr) = ('', '');
	$node->psql('postgres',
		"$settings SET client_min_messages = debug1; CREATE INDEX ${table}_idx ON $table USING hnsw (embedding $opclass)",
		stdout => \$stdout, stderr => \$stderr, on_error_die => 1);
	my ($what) = $stderr =~ /hnsw build: graph over (binary16 copies of the rows|the float rows(?: \(no room[^)]*\))?)/;
	diag($stderr) unless defined $what;
	return wantarray ? ($what, $stderr) : $what;
}

# [opclass, operator, recall bound at ef_search 40]. Measured with the copies: L2 0.990, cosine
# 0.995, inner product 0.990; with a graph of the floats (the same build with the copies turned
# off): 0.990, 0.995, 0.991.
# halfvec rows (the same rows rounded to binary16) take the same way from their widened floats:
# measured with the copies 0.990 / 0.994 / 0.991 / 0.990 (L1), with a graph of the floats 0.990 /
# 0.995 / 0.991 / 0.990.
$node->safe_psql('postgres',
	"CREATE TABLE items_half AS SELECT id, embedding::halfvec($dim) AS embedding FROM items; ANALYZE items_half");
my @cases = (
	[ 'items', 'vector_l2_ops', '<->', 0.97 ],
	[ 'items', 'vector_cosine_ops', '<=>', 0.97 ],
	[ 'items', 'vector_ip_ops', '<#>', 0.96 ],
	[ 'items_half', 'halfvec_l2_ops', '<->', 0.97 ],
	[ 'items_half', 'halfvec_cosine_ops', '<=>', 0.97 ],
	[ 'items_half', 'halfvec_ip_ops', '<#>', 0.96 ],
	[ 'items_half', 'halfvec_l1_ops', '<+>', 0.95 ]);
for my $case (@cases)
{
	my ($table, $opclass, $op, $min) = @$case;
	my $what = build_index($table, $opclass);
	ok(defined $what, "$opclass: the build says which rows its graph compared");
	$what //= '';
	is($what, 'binary16 copies of the rows', "$opclass: graph over binary16 copies");
	my $want = exact_knn_ids($node, $table, $op, $queries, $k);
	my $got = knn_ids($node, $table, $op, $queries, $k, 'SET enable_seqscan = off; SET hnsw.ef_search = 40;');
	my $recall = recall_at_k($got, $want, $k);
	cmp_ok($recall, '>=', $min, sprintf('%s: recall@%d at ef_search 40 is %.3f (>= %.2f)', $opclass, $k, $recall, $min));
	# Exact order: the distances of the rows returned never decrease.
	my $q = vector_literal($queries->[7]);
	is( $node->safe_psql('postgres',
			"SET enable_seqscan = off; SELECT count(*) FROM (SELECT d, lag(d) OVER () AS p FROM "
			  . "(SELECT embedding $op '$q' AS d FROM $table ORDER BY embedding $op '$q' LIMIT 100) s) t WHERE d < p"),
		'0', "$opclass: rows in distance order");
	$node->safe_psql('postgres', "DROP INDEX ${table}_idx");
}

# A halfvec build whose rows fit in maintenance_work_mem but whose copies would not (measured on
# these 20,000 rows: from 50 MB the rows stay in memory, from 66 MB the copies fit too): it says
# so, compares the floats, and stays in memory (no "no longer fits" NOTICE).
{
	my ($what, $stderr) = build_index('items_half', 'halfvec_l2_ops', "SET maintenance_work_mem = '57MB';");
	is($what // '', 'the float rows (no room for binary16 copies in maintenance_work_mem)',
		'halfvec at 57MB: no room for the copies');
	unlike($stderr, qr/no longer fits/, 'halfvec at 57MB: the rows stay in memory');
	my $want = exact_knn_ids($node, 'items_half', '<->', $queries, $k);
	my $got = knn_ids($node, 'items_half', '<->', $queries, $k, 'SET enable_seqscan = off; SET hnsw.ef_search = 40;');
	my $recall = recall_at_k($got, $want, $k);
	cmp_ok($recall, '>=', 0.97, sprintf('halfvec at 57MB: recall@%d at ef_search 40 is %.3f (>= 0.97)', $k, $recall));
	$node->safe_psql('postgres', 'DROP INDEX items_half_idx');
}

# The same rows moved by 1,000 in every component, where binary16 spaces its values 0.5 apart: L2
# copies are centered (the offset is gone) and kept; inner-product ones cannot be centered, are
# refused, and that graph compares the floats. Both find the sequential scan's answers.
$node->safe_psql('postgres', "CREATE TABLE offsets (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 'offsets', [ map { [ map { $_ + 1000 } @$_ ] } @{$base}[ 0 .. 4999 ] ]);
for my $case ([ 'vector_l2_ops', '<->', 'binary16 copies of the rows' ], [ 'vector_ip_ops', '<#>', 'the float rows' ])
{
	my ($opclass, $op, $expected) = @$case;
	is(build_index('offsets', $opclass) // '', $expected, "offset rows, $opclass: graph over $expected");
	# recall@10 of 20 queries (rows of the table) against the sequential scan
	my $recall = $node->safe_psql('postgres', <<"SQL");
SET enable_seqscan = off;
SET hnsw.ef_search = 100;
SELECT round(sum((SELECT count(*) FROM
	((SELECT id FROM offsets ORDER BY embedding $op (SELECT embedding FROM offsets WHERE id = q) LIMIT 10)
	 INTERSECT
	 (SELECT id FROM offsets ORDER BY (embedding $op (SELECT embedding FROM offsets WHERE id = q)) + 0 LIMIT 10)) s)) / 200.0, 3)
	FROM generate_series(1, 5000, 250) q
SQL
	cmp_ok($recall, '>=', 0.95, "offset rows, $opclass: recall\@10 at ef_search 100 is $recall (>= 0.95)");
	$node->safe_psql('postgres', 'DROP INDEX offsets_idx');
}

$node->stop;
done_testing();
