# WAL of indexes on halfvec, sparsevec and bit: a streaming standby replays the builds, inserts,
# deletes and VACUUMs of hnsw (halfvec_l2_ops, sparsevec_ip_ops, bit_hamming_ops) and ivfflat
# (halfvec_cosine_ops, bit_hamming_ops) indexes and answers queries exactly as the primary; then
# the primary is killed (immediate stop) while three sessions insert rows one by one, and after
# recovery every acknowledged row is in the table and reachable through every index, and the
# standby, having replayed the same WAL, still gives the primary's answers.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use VectorTestUtils;
use VectorIndexCheck;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# (wal_keep_size: the standby must find the WAL it missed while the primary was down after the
# crash; checkpoints during the inserts would otherwise recycle it)
$primary->append_conf('postgresql.conf',
	"autovacuum = off\nwal_consistency_checking = 'generic'\ncheckpoint_timeout = 30s\nwal_keep_size = '1GB'");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

$primary->safe_psql('postgres', <<'SQL');
CREATE FUNCTION rand_half() RETURNS halfvec LANGUAGE sql VOLATILE AS
  $$ SELECT array_agg(random() * 2 - 1)::halfvec(24) FROM generate_series(1, 24) $$;
CREATE FUNCTION rand_sparse() RETURNS sparsevec LANGUAGE sql VOLATILE AS
  $$ SELECT ('{' || string_agg(i || ':' || round((random() * 2 - 1)::numeric, 3), ',' ORDER BY i) || '}/1000')::sparsevec(1000)
     FROM (SELECT DISTINCT (random() * 999)::int + 1 AS i FROM generate_series(1, 12)) s $$;
CREATE FUNCTION rand_bits() RETURNS bit LANGUAGE sql VOLATILE AS
  $$ SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '')::bit(96) FROM generate_series(1, 96) $$;
CREATE TABLE h (id bigserial PRIMARY KEY, embedding halfvec(24));
CREATE TABLE s (id bigserial PRIMARY KEY, embedding sparsevec(1000));
CREATE TABLE b (id bigserial PRIMARY KEY, embedding bit(96));
INSERT INTO h (embedding) SELECT rand_half() FROM generate_series(1, 2000);
INSERT INTO s (embedding) SELECT rand_sparse() FROM generate_series(1, 2000);
INSERT INTO b (embedding) SELECT rand_bits() FROM generate_series(1, 2000);
CREATE INDEX h_hnsw ON h USING hnsw (embedding halfvec_l2_ops);
CREATE INDEX h_ivf ON h USING ivfflat (embedding halfvec_cosine_ops) WITH (lists = 20);
CREATE INDEX s_hnsw ON s USING hnsw (embedding sparsevec_ip_ops);
CREATE INDEX b_hnsw ON b USING hnsw (embedding bit_hamming_ops);
CREATE INDEX b_ivf ON b USING ivfflat (embedding bit_hamming_ops) WITH (lists = 20);
INSERT INTO h (embedding) SELECT rand_half() FROM generate_series(1, 500);
INSERT INTO s (embedding) SELECT rand_sparse() FROM generate_series(1, 500);
INSERT INTO b (embedding) SELECT rand_bits() FROM generate_series(1, 500);
DELETE FROM h WHERE id % 5 = 0; DELETE FROM s WHERE id % 5 = 0; DELETE FROM b WHERE id % 5 = 0;
VACUUM h; VACUUM s; VACUUM b;
CREATE TABLE queries AS SELECT i, rand_half() AS qh, rand_sparse() AS qs, rand_bits() AS qb FROM generate_series(1, 20) i;
SQL

# answers(NODE): the top 10 of every query through every index, as one string.
my @probes = (
	[ 'h', 'qh', '<->', 'SET hnsw.ef_search = 40;' ],
	[ 'h', 'qh', '<=>', 'SET ivfflat.probes = 3;' ],
	[ 's', 'qs', '<#>', 'SET hnsw.ef_search = 40;' ],
	[ 'b', 'qb', '<~>', 'SET hnsw.ef_search = 40;' ],
);
sub answers
{
	my ($node) = @_;
	my $out = '';
	for my $p (@probes)
	{
		my ($t, $q, $op, $set) = @$p;
		$out .= $node->safe_psql('postgres',
			"SET enable_seqscan = off; $set SELECT i, (SELECT string_agg(id::text, ',') FROM "
			  . "(SELECT id FROM $t ORDER BY embedding $op queries.$q LIMIT 10) x) FROM queries ORDER BY i") . "\n";
	}
	return $out;
}

$primary->wait_for_catchup($standby);
my $on_primary = answers($primary);
is(answers($standby), $on_primary, 'the standby answers as the primary after builds, inserts, deletes and VACUUM');
like($on_primary, qr/^1\|\d+(,\d+){9}$/m, 'the queries return 10 rows');

# Crash during concurrent inserts into the three tables.
my $dir = PostgreSQL::Test::Utils::tempdir;
my @connstr = ('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-d', $primary->connstr('postgres'));
my %func = (h => 'rand_half', s => 'rand_sparse', b => 'rand_bits');
my @sessions;
for my $t (qw(h s b))
{
	my $script = "$dir/insert_$t.sql";
	open(my $fh, '>', $script) or die $!;
	print $fh "INSERT INTO $t (embedding) VALUES ($func{$t}()) RETURNING id;\n" for 1 .. 4000;
	close $fh;
	push @sessions,
	  {
		table => $t,
		out => "$dir/acked_$t.txt",
		h => IPC::Run::start([ 'psql', @connstr, '-f', $script ], '<', \undef, '>', "$dir/acked_$t.txt", '2>', "$dir/err_$t.txt")
	  };
}
# acked(T): ids acknowledged by the session inserting into T.
sub acked
{
	my ($file) = @_;
	open(my $fh, '<', $file) or return ();
	my @ids = grep { /^\d+$/ } map { chomp; $_ } <$fh>;
	close $fh;
	return @ids;
}
my $deadline = time + 20;
usleep(200_000) while (grep { scalar(acked($_->{out})) < 300 } @sessions) && time < $deadline;
$primary->stop('immediate');
$_->{h}->finish for @sessions;
$primary->start;

for my $sess (@sessions)
{
	my $t = $sess->{table};
	my @ids = acked($sess->{out});
	cmp_ok(scalar @ids, '>=', 50, "$t: " . scalar(@ids) . ' inserts acknowledged before the crash');
	my %present = map { $_ => 1 } split /\n/, $primary->safe_psql('postgres', "SELECT id FROM $t");
	my @lost = grep { !$present{$_} } @ids;
	is(scalar @lost, 0, "$t: every acknowledged row is in the table after recovery");
}

# Every row is reachable through every index: an unbounded scan returns each row once.
my $rows_h = $primary->safe_psql('postgres', 'SELECT count(*) FROM h');
my $rows_s = $primary->safe_psql('postgres', 'SELECT count(*) FROM s');
my $rows_b = $primary->safe_psql('postgres', 'SELECT count(*) FROM b');
my $hnsw_all = 'SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; SET hnsw.scan_mem_multiplier = 100;';
my $ivf_all = 'SET enable_seqscan = off; SET ivfflat.probes = 20;';
my @reach = (
	[ 'h', '<->', 'rand_half()', $hnsw_all, $rows_h, 'hnsw halfvec_l2_ops' ],
	[ 'h', '<=>', 'rand_half()', $ivf_all, $rows_h, 'ivfflat halfvec_cosine_ops' ],
	[ 's', '<#>', 'rand_sparse()', $hnsw_all, $rows_s, 'hnsw sparsevec_ip_ops' ],
	[ 'b', '<~>', 'rand_bits()', $hnsw_all, $rows_b, 'hnsw bit_hamming_ops' ],
);
for my $r (@reach)
{
	my ($t, $op, $q, $set, $rows, $name) = @$r;
	is( $primary->safe_psql('postgres',
			"$set SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM $t ORDER BY embedding $op $q LIMIT 1000000) x"),
		"$rows $rows", "$name: every row is reachable after recovery");
}
# The ivfflat bit index, alone.
$primary->safe_psql('postgres', 'DROP INDEX b_hnsw');
is( $primary->safe_psql('postgres',
		"$ivf_all SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM b ORDER BY embedding <~> rand_bits() LIMIT 1000000) x"),
	"$rows_b $rows_b", 'ivfflat bit_hamming_ops: every row is reachable after recovery');
$primary->safe_psql('postgres', 'CREATE INDEX b_hnsw ON b USING hnsw (embedding bit_hamming_ops)');

# The standby replayed the same WAL (crash included): same answers, and both copies of every
# index pass the check.
$primary->wait_for_catchup($standby);
is(answers($standby), answers($primary), 'the standby answers as the primary after the crash and recovery');
for my $ix (qw(h_hnsw h_ivf s_hnsw b_hnsw b_ivf))
{
	index_check_clean($primary, $ix, "primary $ix after recovery");
	index_check_clean($standby, $ix, "standby $ix after replay");
}

$standby->stop;
$primary->stop;
done_testing();
