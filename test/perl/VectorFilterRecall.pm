# TAP helper of the filter-column tests (issue 17): a multicolumn index (hnsw, ivfflat, ivf) answers
# WHERE <filter> ORDER BY embedding <op> query LIMIT k with the filter as an index condition, every
# query gets its k rows, every row passes the filter, and recall@k against the exact answer (a
# sequential scan with the same WHERE) reaches a bound.
package VectorFilterRecall;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use Test::More;
use VectorTestUtils;

our @EXPORT = qw(glove_items_node check_filter_recall);

# glove_items_node(): the setup the filter-recall tests share. Reads GloVe's first 25,000 rows and
# 100 queries, starts a server (maintenance_work_mem 256MB, no autovacuum) with the extension, and
# loads rows 0 .. 19,999 into items (id int PRIMARY KEY, embedding vector). Returns (node, base
# rows, queries, dimensions); rows 20,000 .. 24,999 are left for the tests' inserts.
sub glove_items_node
{
	my $base = read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), 25000);
	my $queries = read_fvecs(dataset_file('glove-100/glove100_query.fvecs'), 100);
	my $dim = scalar @{ $base->[0] };
	my $node = vector_node('main', "maintenance_work_mem = '256MB'\nautovacuum = off");
	$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
	copy_vectors($node, 'items', [ @{$base}[ 0 .. 19999 ] ]);
	return ($node, $base, $queries, $dim);
}

# check_filter_recall(NODE, %ARGS): per filter [WHERE, NAME, MIN_RECALL] of ARGS{filters}, with the
# SQL ARGS{settings} run before the queries: the plan's index condition, no executor filter, k rows
# per query, rows passing the filter, recall@k >= MIN_RECALL. ARGS: table (columns id, embedding),
# op, queries, k, filters, settings, name. Returns the recalls by filter name.
sub check_filter_recall
{
	my ($node, %a) = @_;
	my ($table, $op, $queries, $k) = @a{qw(table op queries k)};
	my $settings = "SET enable_seqscan = off; SET enable_bitmapscan = off; $a{settings}";
	my %recalls;
	for my $f (@{ $a{filters} })
	{
		my ($where, $share, $min) = @$f;
		my $name = "$a{name}, $share";
		my $plan = $node->safe_psql('postgres',
			"$settings EXPLAIN (COSTS OFF) SELECT id FROM $table WHERE $where ORDER BY embedding $op '"
			  . vector_literal($queries->[0]) . "' LIMIT $k");
		like($plan, qr/Index Cond: \(+\w+ (?:=|&&|\@>|<\@) /, "$name: the filter is an index condition");
		unlike($plan, qr/Filter:/, "$name: no filter left to the executor");
		my $want = exact_knn_ids($node, $table, $op, $queries, $k, $where);
		my $got = knn_ids($node, $table, $op, $queries, $k, $settings, $where);
		my @short = grep { @{ $got->[$_] } < $k } 0 .. $#$got;
		is(scalar @short, 0, "$name: every query returns its $k rows") or diag("queries: @short");
		my $recall = recall_at_k($got, $want, $k);
		cmp_ok($recall, '>=', $min, sprintf('%s: recall@%d is %.3f (>= %.2f)', $name, $k, $recall, $min));
		my $ids = join(',', map { @$_ } @$got);
		is($node->safe_psql('postgres', "SELECT count(*) FROM $table WHERE id IN ($ids) AND NOT ($where)"),
			'0', "$name: every row returned passes the filter");
		$recalls{$share} = $recall;
	}
	return \%recalls;
}

1;
