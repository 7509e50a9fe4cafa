# WAL of the ivf indexes on a streaming standby: indexes built on the primary (ivfflat,
# ivf sq8, ivf pq, ivf rabitq), then changed by inserts that fill pages and start new ones (and the
# first page of lists that were empty), deletes and VACUUM, must give the standby the
# primary's index-scan answers. wal_consistency_checking = 'generic' makes the standby
# compare every replayed page with the primary's full-page image.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;

my $dim = 16;
srand(4242);



my $primary = PostgreSQL::Test::Cluster->new('ivf_primary');
$primary->init(allows_streaming => 1);
# The primary keeps 2 GB of WAL: a standby that lags on a loaded machine must still find
# the segments it has not streamed yet (without this, 012 once saw "requested WAL segment
# ... has already been removed" and timed out waiting for the standby).
$primary->append_conf('postgresql.conf', "wal_keep_size = '2GB'");
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'generic'");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
# A copy of the vector column, so that a fourth index (rabitq, L2) has an ORDER BY of its own.
$primary->safe_psql('postgres',
	"CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim), copy vector($dim) GENERATED ALWAYS AS (embedding) STORED)");
$primary->safe_psql('postgres', insert_vectors_sql('items', 0, random_vectors(3000, $dim, 5)));

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('ivf_standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

my @indexes = (
	[ 'flat_l2', "USING ivfflat (embedding vector_l2_ops) WITH (lists = 20)", '<->' ],
	[ 'sq8_cos', "USING ivf (embedding vector_cosine_ops) WITH (lists = 20, quantizer = 'sq8')", '<=>' ],
	[ 'pq_ip', "USING ivf (embedding vector_ip_ops) WITH (lists = 20, quantizer = 'pq')", '<#>' ],
	[ 'rq_l2', "USING ivf (copy vector_l2_ops) WITH (lists = 20, quantizer = 'rabitq')", '<->', 'copy' ],);
# Built after the backup: the standby gets them only through the build's WAL.
for my $ix (@indexes)
{
	$primary->safe_psql('postgres', "CREATE INDEX $ix->[0] ON items $ix->[1]");
}
my $next_id = 3000;
# Inserts clustered far from the data land in a few lists and fill several new pages each.
for my $round (1 .. 3)
{
	my $far = [ map { [ map { $_ + 5 } @$_ ] } @{ random_vectors(700, $dim, 5) } ];
	$primary->safe_psql('postgres', insert_vectors_sql('items', $next_id, $far));
	$next_id += 700;
	$primary->safe_psql('postgres', insert_vectors_sql('items', $next_id, random_vectors(300, $dim, 5)));
	$next_id += 300;
}
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 1; VACUUM items');
# Inserts after VACUUM reuse the freed space.
$primary->safe_psql('postgres', insert_vectors_sql('items', $next_id, random_vectors(500, $dim, 5)));
$next_id += 500;

my $queries = random_vectors(5, $dim, 5);
push @$queries, [ (5) x $dim ];

# answers(NODE): the top 30 ids of every query through every index (all lists probed), and
# the number of rows each index returns.
sub answers
{
	my ($node) = @_;
	my $sql = "SET enable_seqscan = off; SET ivfflat.probes = 20;\n";
	for my $ix (@indexes)
	{
		my $op = $ix->[2];
		my $column = $ix->[3] // 'embedding';
		for my $q (@$queries)
		{
			my $lit = vector_literal($q);
			$sql .= "SELECT string_agg(id::text, ',') FROM (SELECT id FROM items ORDER BY $column $op '$lit' LIMIT 30) s;\n";
		}
		$sql .= "SELECT count(*) FROM (SELECT id FROM items ORDER BY $column $op '[" . join(',', (0) x $dim) . "]' LIMIT 100000) s;\n";
	}
	return $node->safe_psql('postgres', $sql);
}

# An index built on 5 rows has 15 empty lists: inserts then create their first pages.
$primary->safe_psql('postgres', "CREATE TABLE small (id int, embedding vector($dim))");
$primary->safe_psql('postgres', insert_vectors_sql('small', 0, random_vectors(5, $dim, 5)));
$primary->safe_psql('postgres', "CREATE INDEX small_idx ON small USING ivf (embedding vector_l2_ops) WITH (lists = 20, quantizer = 'sq8')");
$primary->safe_psql('postgres', insert_vectors_sql('small', 5, random_vectors(400, $dim, 5)));
my $small_sql = "SET enable_seqscan = off; SET ivfflat.probes = 20; SELECT string_agg(id::text, ',') FROM "
  . "(SELECT id FROM small ORDER BY embedding <-> '[" . join(',', (0) x $dim) . "]' LIMIT 1000) s";

$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
my $small_primary = $primary->safe_psql('postgres', $small_sql);
is(scalar(split /,/, $small_primary), 405, 'lists that started empty return all 405 rows');
is($standby->safe_psql('postgres', $small_sql), $small_primary, 'the standby answers like the primary for lists that started empty');
my $on_primary = answers($primary);
my $on_standby = answers($standby);
my $rows = $primary->safe_psql('postgres', 'SELECT count(*) FROM items');
my @counts = (split /\n/, $on_primary)[ map { $_ * (@$queries + 1) + @$queries } 0 .. $#indexes ];
is_deeply(\@counts, [ ($rows) x @indexes ], "every index returns all $rows rows on the primary");
is($on_standby, $on_primary, 'the standby answers like the primary through every index');
like(
	$standby->safe_psql('postgres',
		"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <=> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 5"),
	qr/Index Scan using sq8_cos/,
	'the standby plans the index scan');
# A replayed page that differed from the primary's image would have stopped the standby.
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is still replaying');
ok(!$standby->log_contains('inconsistent page found'), 'wal_consistency_checking found no difference');

for my $ix ((map { $_->[0] } @indexes), 'small_idx')
{
	index_check_clean($primary, $ix, 'primary');
	index_check_clean($standby, $ix, 'standby after replay');
}

$standby->stop;
$primary->stop;
done_testing();
