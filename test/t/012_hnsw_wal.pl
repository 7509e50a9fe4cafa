# WAL of hnsw indexes, replayed by a streaming standby: an index built on the primary (its pages
# logged at the end of the build), then INSERTs, DELETEs and VACUUM (GenericXLog records), then
# INSERTs into the space VACUUM freed. After each step the standby's index scans return exactly the
# primary's rows and distances, for several queries and operator classes. The primary runs with
# wal_consistency_checking = 'generic', so the standby also compares every replayed page with the
# primary's image of it (a mismatch stops the standby with a PANIC).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;

my $dim = 24;
srand(20261121);



my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# The primary keeps 2 GB of WAL: a standby that lags on a loaded machine must still find
# the segments it has not streamed yet (without this, 012 once saw "requested WAL segment
# ... has already been removed" and timed out waiting for the standby).
$primary->append_conf('postgresql.conf', "wal_keep_size = '2GB'");
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'generic'\nautovacuum = off");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
$primary->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
$primary->safe_psql('postgres', "CREATE TABLE items_cos (id int PRIMARY KEY, embedding vector($dim))");
$primary->safe_psql('postgres', insert_vectors_sql('items', 0, random_vectors(3000, $dim, 4)));

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# Everything below reaches the standby through streamed WAL only.
$primary->safe_psql('postgres', 'CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops)');
$primary->safe_psql('postgres', 'CREATE INDEX items_cos_idx ON items_cos USING hnsw (embedding vector_cosine_ops) WITH (m = 6, ef_construction = 12)');
$primary->safe_psql('postgres', insert_vectors_sql('items_cos', 0, random_vectors(1500, $dim, 4)));

my $queries = random_vectors(8, $dim, 4);
my $settings = 'SET enable_seqscan = off; SET hnsw.ef_search = 60;';

# answers(NODE): the top 30 (id, distance) of each query, for both indexes, as one string; plus an
# iterative scan with a filter.
sub answers
{
	my ($node) = @_;
	my $sql = "$settings\n";
	for my $q (@$queries)
	{
		my $lit = vector_literal($q);
		$sql .= "SELECT id, embedding <-> '$lit' FROM items ORDER BY embedding <-> '$lit' LIMIT 30;\n";
		$sql .= "SELECT id, embedding <=> '$lit' FROM items_cos ORDER BY embedding <=> '$lit' LIMIT 30;\n";
	}
	my $lit = vector_literal($queries->[0]);
	$sql .= "SET hnsw.iterative_scan = strict_order; SELECT id FROM items WHERE id % 17 = 3 ORDER BY embedding <-> '$lit' LIMIT 15;\n";
	return $node->safe_psql('postgres', $sql);
}

# check_same(WHAT)
sub check_same
{
	my ($what) = @_;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $on_primary = answers($primary);
	my @lines = split /\n/, $on_primary;
	is(scalar @lines, 8 * 60 + 15, "$what: the primary answers every query in full");
	is(answers($standby), $on_primary, "$what: the standby's index scans give the primary's rows and distances");
	return;
}

my $lit0 = vector_literal($queries->[0]);
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
like($standby->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '$lit0' LIMIT 5"),
	qr/Index Scan using items_l2/, 'the standby scans the replayed index');
check_same('after the build');

$primary->safe_psql('postgres', insert_vectors_sql('items', 3000, random_vectors(1000, $dim, 4)));
$primary->safe_psql('postgres', insert_vectors_sql('items_cos', 1500, random_vectors(500, $dim, 4)));
check_same('after inserts');

$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0; DELETE FROM items_cos WHERE id % 2 = 0');
$primary->safe_psql('postgres', 'VACUUM items; VACUUM items_cos');
check_same('after deletes and VACUUM');

# New rows take the freed heap slots and index space.
$primary->safe_psql('postgres', insert_vectors_sql('items', 5000, random_vectors(800, $dim, 4)));
$primary->safe_psql('postgres', insert_vectors_sql('items_cos', 5000, random_vectors(800, $dim, 4)));
$primary->safe_psql('postgres', 'UPDATE items SET embedding = embedding + embedding WHERE id % 10 = 1');
check_same('after inserts into freed space and updates');

# A second VACUUM, then REINDEX: the rebuilt index is logged again.
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 5 = 2; VACUUM items');
check_same('after a second VACUUM');
$primary->safe_psql('postgres', 'REINDEX INDEX items_l2');
check_same('after REINDEX');

# The standby's answers are also right, not only equal: the first rows of an index scan are the
# exact nearest rows (ef_search 60 on 4,000 rows).
my $exact = $standby->safe_psql('postgres',
	"SET enable_indexscan = off; SELECT id FROM items ORDER BY embedding <-> '$lit0' LIMIT 5");
is($standby->safe_psql('postgres', "$settings SELECT id FROM items ORDER BY embedding <-> '$lit0' LIMIT 5"),
	$exact, 'the standby index scan finds the exact top 5');

# The standby never stopped on an inconsistent page.
unlike(PostgreSQL::Test::Utils::slurp_file($standby->logfile), qr/inconsistent page|PANIC/,
	'the standby replayed every record without a page mismatch');

# The replayed indexes are structurally sound on both sides.
for my $ix ('items_l2', 'items_cos_idx')
{
	index_check_clean($primary, $ix, "primary after REINDEX");
	index_check_clean($standby, $ix, "standby after replay");
}

# The promoted standby writes to the replayed indexes: inserts, VACUUM, then exact top 5.
$primary->stop;
$standby->promote;
$standby->safe_psql('postgres', insert_vectors_sql('items', 9000, random_vectors(300, $dim, 4)));
$standby->safe_psql('postgres', 'DELETE FROM items WHERE id % 7 = 4; VACUUM items');
for my $q (@$queries[ 1 .. 3 ])
{
	my $lit = vector_literal($q);
	is( $standby->safe_psql('postgres', "$settings SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 5"),
		$standby->safe_psql('postgres', "SET enable_indexscan = off; SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 5"),
		'after promotion, inserts and VACUUM the index scan finds the exact top 5');
}
index_check_clean($standby, 'items_l2', 'after promotion, inserts and VACUUM');

$standby->stop;
done_testing();
