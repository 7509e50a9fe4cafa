# WAL replay on a streaming standby: vectors inserted, updated and deleted on the primary
# (before and after the base backup) reach the standby, which then answers the same
# nearest-neighbour queries with the same rows. When the server has the hnsw or ivfflat
# access method, an index built and then modified on the primary must also give the
# standby the same index-scan answers.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;

my $dim = 32;
srand(20240601);



my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# The primary keeps 2 GB of WAL: a standby that lags on a loaded machine must still find
# the segments it has not streamed yet (without this, 012 once saw "requested WAL segment
# ... has already been removed" and timed out waiting for the standby).
$primary->append_conf('postgresql.conf', "wal_keep_size = '2GB'");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
$primary->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
$primary->safe_psql('postgres', insert_vectors_sql('items', 0, random_vectors(2000, $dim)));

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# Changes after the backup reach the standby only through streamed WAL.
$primary->safe_psql('postgres', insert_vectors_sql('items', 2000, random_vectors(1000, $dim)));
$primary->safe_psql('postgres', 'UPDATE items SET embedding = embedding + embedding WHERE id % 20 = 0');
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 30 = 1');

my $queries = random_vectors(5, $dim);

# answers(NODE, SETTINGS): the top 20 rows for each query and each operator, plus
# aggregates over the whole table, as one string.
sub answers
{
	my ($node, $settings) = @_;
	my $sql = ($settings // '') . "\n";
	for my $q (@$queries)
	{
		my $lit = vector_literal($q);
		for my $op ('<->', '<=>', '<#>')
		{
			$sql .= "SELECT id, embedding $op '$lit' FROM items ORDER BY embedding $op '$lit', id LIMIT 20;\n";
		}
	}
	$sql .= "SELECT count(*), avg(embedding), sum(embedding) FROM items;\n";
	return $node->safe_psql('postgres', $sql);
}

# check_same(WHAT, SETTINGS): primary and standby give the same answers.
sub check_same
{
	my ($what, $settings) = @_;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $on_primary = answers($primary, $settings);
	my $on_standby = answers($standby, $settings);
	isnt($on_primary, '', "$what: primary answers");
	is($on_standby, $on_primary, "$what: standby gives the primary's answers");
	return;
}

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'standby is in recovery');
check_same('sequential scan');
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
is($standby->safe_psql('postgres', 'SELECT count(*) FROM items'),
	$primary->safe_psql('postgres', 'SELECT count(*) FROM items'), 'standby has every row');
is( $standby->safe_psql('postgres', 'SELECT embedding FROM items WHERE id = 2040'),
	$primary->safe_psql('postgres', 'SELECT embedding FROM items WHERE id = 2040'),
	'an updated vector is replayed exactly');

# Indexes, when the server has them: build on the primary, change the table through the
# index (inserts after the build), and compare index-scan answers on both nodes.
my %index_options = (
	hnsw => 'USING hnsw (embedding vector_l2_ops)',
	ivfflat => 'USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)',);
my $next_id = 3000;
for my $am (sort keys %index_options)
{
	if ($primary->safe_psql('postgres', "SELECT count(*) FROM pg_am WHERE amname = '$am'") eq '0')
	{
		note("no $am access method yet: index replay not tested");
		next;
	}
	$primary->safe_psql('postgres', "CREATE INDEX items_${am}_idx ON items $index_options{$am}");
	$primary->safe_psql('postgres', insert_vectors_sql('items', $next_id, random_vectors(300, $dim)));
	$next_id += 300;
	$primary->safe_psql('postgres', "DELETE FROM items WHERE id % 50 = 7; VACUUM items");

	my $settings = 'SET enable_seqscan = off;';
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $lit = vector_literal($queries->[0]);
	like(
		$standby->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 5"),
		qr/Index Scan using items_${am}_idx/,
		"$am: the standby plans an index scan");
	my $ann = "SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 20";
	my $on_primary = $primary->safe_psql('postgres', "$settings $ann");
	is($standby->safe_psql('postgres', "$settings $ann"), $on_primary, "$am: standby index scan gives the primary's rows");
	index_check_clean($primary, "items_${am}_idx", "$am: primary");
	index_check_clean($standby, "items_${am}_idx", "$am: standby");
	$primary->safe_psql('postgres', "DROP INDEX items_${am}_idx");
}

$standby->stop;
$primary->stop;
done_testing();
