# Text and integer-array filter columns (issue 17: tags and short text) on GloVe rows (20,000 x
# 100, cosine): an index (embedding vector_cosine_ops, tags, category) answers WHERE tags && / @>
# ARRAY[...] and WHERE category = '...' ORDER BY embedding <=> query LIMIT 10 for the 100 dataset
# queries, with the filter evaluated by the index (on the signature of the tags and the hash of the
# category; the executor rechecks the rows it returns). At selectivities 1/2, 1/10 and 1/100 (and
# 1/1,000 through a walk bound high enough, or the planner's GIN plan) every
# query gets its 10 rows, every row passes the filter, and recall@10 against the exact answer (a
# sequential scan with the same WHERE) stays above the bounds, after the build and after inserts,
# deletes and VACUUM; hnsw, then ivfflat.
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
# Filter values unrelated to the vectors (GloVe's rows are in word frequency order). Every row
# has four tags: 100 or 101 (1/2 each), one of 200..209 (1/10), one of 300..399 (1/100), and one
# of 10,000..10,999 (1/1,000, so that the signatures hold rare values too); the category names
# the row's tag of 1/100.
my $tags_of = sub {
	my ($id) = @_;
	return "ARRAY[100 + ($id * 7) % 2, 200 + ($id * 7) % 10, 300 + ($id * 7) % 100, 10000 + ($id * 7) % 1000]";
};
my $category_of = sub { my ($id) = @_; return "'cat-' || ($id * 7) % 100"; };
$node->safe_psql('postgres', sprintf(<<'SQL', $tags_of->('id'), $category_of->('id')));
ALTER TABLE items ADD tags int[], ADD category text;
UPDATE items SET tags = %s, category = %s;
CREATE INDEX items_idx ON items USING hnsw (embedding vector_cosine_ops, tags, category);
ANALYZE items;
SQL

# The filters, their selectivity and the recall@10 they must keep: hnsw at ef_search 40, as the
# integer filter columns of 025 (0.95, the issue's target); ivfflat at probes 10 of 100 lists, as
# the integer filter columns of 027 (the filter does not change which lists are read, so the
# recall is that of the one-column index with an executor filter).
my @hnsw_filters = (
	[ "tags && '{101}'", '1/2', 0.95 ],
	[ "tags && '{203}'", '1/10', 0.95 ],
	[ "tags \@> '{342}'", '1/100', 0.95 ],
	[ "category = 'cat-57'", '1/100 text', 0.95 ],
	[ "tags \@> '{101,203}'", '1/10 both', 0.95 ]);
my @ivf_filters = (
	[ "tags && '{101}'", '1/2', 0.92 ],
	[ "tags && '{203}'", '1/10', 0.87 ],
	[ "tags \@> '{342}'", '1/100', 0.73 ],
	[ "category = 'cat-57'", '1/100 text', 0.73 ],
	[ "tags \@> '{101,203}'", '1/10 both', 0.87 ]);

# check_filters(WHEN, AM, INDEX): in each iterative-scan mode, every filter's queries use the index
# with the filter as an index condition, get 10 rows each, all passing the filter, and reach the
# recall bound; then the checker finds nothing wrong with the index.
sub check_filters
{
	my ($when, $am, $index) = @_;
	for my $mode (qw(relaxed_order off))
	{
		my $settings =
		  $am eq 'hnsw'
		  ? "SET hnsw.iterative_scan = $mode;"
		  : "SET ivfflat.probes = 10; SET ivfflat.iterative_scan = $mode;";
		my $r = check_filter_recall($node, table => 'items', op => '<=>', queries => $queries, k => $k,
			filters => $am eq 'hnsw' ? \@hnsw_filters : \@ivf_filters, settings => $settings,
			name => "$am $when, $mode");
		note("$am $when, $mode: recall " . join(', ', map { "$_ $r->{$_}" } sort keys %$r));
	}
	index_check_clean($node, $index, "$am $when");
}

check_filters('after the build', 'hnsw', 'items_idx');

# 1/1,000 (20 rows): through the index, with a scan bound high enough for the walk to reach them
# all, every query gets its 10 rows and finds the exact answer; with the planner free, a GIN index
# on the tags and a sort serve it (exact by construction).
my $rare = [ [ "tags && '{10042}'", '1/1000', 0.95 ] ];
my $r = check_filter_recall($node, table => 'items', op => '<=>', queries => $queries, k => $k, filters => $rare,
	settings => 'SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 100000;',
	name => 'hnsw after the build, relaxed_order, walk bound 100,000');
note("hnsw after the build, 1/1000: recall $r->{'1/1000'}");
$node->safe_psql('postgres', 'CREATE INDEX items_tags ON items USING gin (tags); ANALYZE items');
my $plan = $node->safe_psql('postgres',
	"EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tags && '{10042}' ORDER BY embedding <=> '"
	  . vector_literal($queries->[0]) . "' LIMIT $k");
like($plan, qr/Bitmap Index Scan on items_tags/, '1/1000 with the planner free: the GIN index and a sort');
my $want = exact_knn_ids($node, 'items', '<=>', $queries, $k, "tags && '{10042}'");
my $got = knn_ids($node, 'items', '<=>', $queries, $k, '', "tags && '{10042}'");
is(recall_at_k($got, $want, $k), 1, '1/1000 with the planner free: the exact answer');
$node->safe_psql('postgres', 'DROP INDEX items_tags');

# Inserts, deletes, VACUUM.
my $path = PostgreSQL::Test::Utils::tempdir() . "/more.tsv";
write_copy_file($path, [ @{$base}[ 20000 .. 24999 ] ]);
$node->safe_psql('postgres', sprintf(<<"SQL", $tags_of->('(id + 20000)'), $category_of->('(id + 20000)')));
CREATE TEMP TABLE more (id int, embedding vector($dim));
COPY more FROM '$path';
INSERT INTO items SELECT id + 20000, embedding, %s, %s FROM more;
DELETE FROM items WHERE id % 5 = 0;
VACUUM items;
SQL
is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), '20000', '25,000 rows in, 5,000 deleted');
check_filters('after inserts, deletes and VACUUM', 'hnsw', 'items_idx');

# ivfflat on the same rows.
$node->safe_psql('postgres', <<'SQL');
DROP INDEX items_idx;
CREATE INDEX items_ivf ON items USING ivfflat (embedding vector_cosine_ops, tags, category) WITH (lists = 100);
SQL
check_filters('after the build', 'ivfflat', 'items_ivf');

$node->stop;
done_testing();
