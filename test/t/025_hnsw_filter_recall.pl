# Filter columns of hnsw indexes (issue 17) on GloVe rows (20,000 x 100, cosine): an index
# (embedding vector_cosine_ops, half, tenth, hundredth, thousandth) answers WHERE <filter column>
# = value ORDER BY embedding <=> query LIMIT 10 for the 100 dataset queries, with the filter
# evaluated by the index. At selectivities 1/2, 1/10 and 1/100 through the walk, and down to
# 1/1000 with the strategy chosen per search (vector.hnsw_filter_strategy = auto: the walk or the
# exact filtered scan), every query gets its 10 rows and recall@10 against the exact answer (a
# sequential scan with the same WHERE) stays above the bounds, after the build, and after
# inserts, deletes and VACUUM.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;
use VectorFilterRecall;

my $k = 10;
my ($node, $base, $queries, $dim) = glove_items_node();
# Filter values unrelated to the vectors (GloVe's rows are in word frequency order).
$node->safe_psql('postgres', <<'SQL');
ALTER TABLE items ADD half int2, ADD tenth int4, ADD hundredth int8, ADD thousandth int4;
UPDATE items SET half = (id * 7) % 2, tenth = (id * 7) % 10, hundredth = (id * 7) % 100, thousandth = (id * 7) % 1000;
CREATE INDEX items_idx ON items USING hnsw (embedding vector_cosine_ops, half, tenth, hundredth, thousandth);
ANALYZE items;
SQL

# The filters, their selectivity and the recall@10 they must keep at ef_search 40. Measured
# 0.988 .. 1.000 with relaxed_order (the more selective the filter, the more elements the walk
# passes through for its 10 rows); 0.95 is the issue's target.
my @filters = ([ 'half = 1', '1/2', 0.95 ], [ 'tenth = 3', '1/10', 0.95 ], [ 'hundredth = 42', '1/100', 0.95 ]);
# 20 rows of the 20,000 (25 after the inserts): a walk would visit most of the index for them, the
# exact filtered scan reads it once. Measured 1.000.
my @rare = ([ 'thousandth = 7', '1/1000', 0.95 ]);

# check_filters(WHEN): in each iterative-scan mode, every filter's queries use the index with the
# filter as an index condition, get 10 rows each, all passing the filter, and reach the recall
# bound: through the walk (vector.hnsw_filter_strategy = walk), and with the strategy chosen per
# search (auto, which on 20,000 rows takes the exact filtered scan at 1/100 already). (off and
# strict_order go on past the first search too, returning rows in distance order.)
sub check_filters
{
	my ($when) = @_;
	for my $mode (qw(relaxed_order off))
	{
		check_filter_recall($node, table => 'items', op => '<=>', queries => $queries, k => $k,
			filters => \@filters, settings => "SET hnsw.iterative_scan = $mode; SET vector.hnsw_filter_strategy = walk;",
			name => "$when, $mode, walk");
		check_filter_recall($node, table => 'items', op => '<=>', queries => $queries, k => $k,
			filters => [ @filters, @rare ], settings => "SET hnsw.iterative_scan = $mode;", name => "$when, $mode, auto");
	}
}

check_filters('after the build');

# Inserts, deletes, VACUUM.
my $path = PostgreSQL::Test::Utils::tempdir() . "/more.tsv";
write_copy_file($path, [ @{$base}[ 20000 .. 24999 ] ]);
$node->safe_psql('postgres', <<"SQL");
CREATE TEMP TABLE more (id int, embedding vector($dim));
COPY more FROM '$path';
INSERT INTO items SELECT id + 20000, embedding, ((id + 20000) * 7) % 2, ((id + 20000) * 7) % 10, ((id + 20000) * 7) % 100,
	((id + 20000) * 7) % 1000 FROM more;
DELETE FROM items WHERE id % 5 = 0;
VACUUM items;
SQL
is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), '20000', '25,000 rows in, 5,000 deleted');
check_filters('after inserts, deletes and VACUUM');
index_check_clean($node, 'items_idx', 'after inserts, deletes and VACUUM');

$node->stop;
done_testing();
