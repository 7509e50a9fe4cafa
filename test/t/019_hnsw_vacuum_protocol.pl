# The protocol between hnsw inserts, scans and VACUUM (src/pg/hnsw/hnsw_vacuum.cpp):
# 1. Inserts run while DELETE + VACUUM cycles run: after every VACUUM no live element links a
#    freed slot (the checker's stale links, counted with inserts held off by a SHARE lock so that
#    it reads one state of the index), and in the end every row is found by its own vector and
#    recall against an exact scan is high.
# 2. A VACUUM killed by a crash after marking dead elements (vacuum_cost_delay slows it down; the
#    test waits until the checker sees marks, then stops the server in immediate mode) leaves
#    marked elements: after recovery no scan returns them (an exhaustive iterative scan gets
#    exactly the unmarked elements from the index, counted by idx_tup_read), and the next VACUUM
#    frees them.
# 3. No bloat: four sessions inserting the same number of rows as one grow the index by about as
#    many pages.
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

my $dim = 32;
my $node = vector_node('main', "autovacuum = off\nmax_connections = 40");
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id bigserial PRIMARY KEY, embedding vector($dim));
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($dim) FROM generate_series(1, $dim) \$\$;
INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 3000);
CREATE INDEX t_idx ON t USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 40);
SQL

# The checker's summary of t_idx, with inserts (and VACUUM) held off for its duration.
sub summary
{
	my ($index, $table) = @_;
	return $node->safe_psql('postgres',
		"BEGIN; LOCK TABLE $table IN SHARE MODE; "
		  . "SELECT detail FROM vector_index_check('$index') WHERE severity = 'info'; COMMIT;");
}

sub stale_links
{
	my ($s) = @_;
	my ($stale) = $s =~ /\((\d+) stale\)/;
	return $stale // -1;
}

# ------------------------------------------------------------------ 1. inserts during VACUUM
my $dir = PostgreSQL::Test::Utils::tempdir;
open(my $fh, '>', "$dir/insert.sql") or die $!;
print $fh "INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 2);\n";
close $fh;
my ($pg_out, $pg_err) = ('', '');
my $inserts = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '3', '-j', '2', '-t', '600', '-f', "$dir/insert.sql", '-d', $node->connstr('postgres') ],
	'>', \$pg_out, '2>', \$pg_err);
my $cycles = 0;
my $worst = 0;
for my $cycle (1 .. 12)
{
	$node->safe_psql('postgres',
		'DELETE FROM t WHERE id IN (SELECT id FROM t WHERE id % 10 <> 3 ORDER BY random() LIMIT 150)');
	$node->safe_psql('postgres', 'VACUUM t');
	my $stale = stale_links(summary('t_idx', 't'));
	$worst = $stale if $stale > $worst || $stale < 0;
	$cycles++;
}
$inserts->finish;
is($worst, 0, "after each of $cycles VACUUMs run during inserts, no live element links a freed slot");
like($pg_out, qr/number of transactions actually processed: 1800/, 'all inserts ran') or diag($pg_err);

my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
my $missed = $node->safe_psql('postgres',
	'SET enable_seqscan = off; SET hnsw.ef_search = 200; '
	  . 'SELECT count(*) FROM t a WHERE a.id NOT IN (SELECT b.id FROM t b ORDER BY b.embedding <-> a.embedding LIMIT 5)');
cmp_ok($missed, '<=', $rows / 500, "$missed of the $rows rows are not found by their own vector at ef_search 200");
my @queries = map { [ map { 2 * rand() - 1 } 1 .. $dim ] } 1 .. 50;
my $want = exact_knn_ids($node, 't', '<->', \@queries, 10);
my $got = knn_ids($node, 't', '<->', \@queries, 10, 'SET enable_seqscan = off; SET hnsw.ef_search = 100;');
my $recall = recall_at_k($got, $want, 10);
cmp_ok($recall, '>=', 0.95, sprintf('recall@10 at ef_search 100 after the cycles is %.3f', $recall));
index_check_clean($node, 't_idx', 'after VACUUMs during inserts');

# ------------------------------------------------------------------ 2. a crash leaves marks
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
my $vacuum = IPC::Run::start(
	[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-c', 'SET vacuum_cost_delay = 20',
		'-c', 'SET vacuum_cost_limit = 1', '-c', 'VACUUM t' ],
	'>', \my $v_out, '2>', \my $v_err);
# The checker locks the table against VACUUM: marks are counted with pageinspect instead (element
# items start with kind 1, level, flags; kHnswElementDeleted is flag bit 0x01).
$node->safe_psql('postgres', 'CREATE EXTENSION pageinspect');
my $count_marks = <<'SQL';
SELECT count(*) FROM generate_series(1, (pg_relation_size('t_idx') / 8192)::int - 1) b,
  LATERAL (SELECT get_raw_page('t_idx', b) AS p) r, LATERAL heap_page_items(r.p) i
WHERE i.lp_flags = 1 AND get_byte(r.p, i.lp_off) = 1 AND (get_byte(r.p, i.lp_off + 2) & 1) = 1
SQL
my $marked = 0;
for (my $i = 0; $i < 1200 && !$marked; $i++)
{
	$marked = $node->safe_psql('postgres', $count_marks);
	usleep(50_000) unless $marked;
}
ok($marked > 0, "VACUUM marked dead elements before removing them ($marked seen)");
# A commit flushes the WAL up to its record, so the marks' records (written before the marks
# became visible) survive the crash.
$node->safe_psql('postgres', 'CREATE TABLE flush_wal (x int)');
$node->stop('immediate');
$vacuum->finish;
$node->start;

my $s = summary('t_idx', 't');
my ($elements) = $s =~ /(\d+) elements/;
($marked) = $s =~ /(\d+) marked deleted/;
$marked //= 0;
ok($marked > 0, "after the crash $marked of $elements elements are still marked");
$rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
# One session: the scan's counts are flushed (pg_stat_force_next_flush) before it reads them.
# (A constant query: ORDER BY a volatile expression would not use the index.)
my $query = '[' . join(',', map { sprintf('%.4f', 2 * rand() - 1) } 1 .. $dim) . ']';
my $tup_read = "SELECT 'read ' || idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 't_idx'";
my $out = $node->safe_psql('postgres', <<"SQL");
SELECT pg_stat_force_next_flush();
$tup_read;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SELECT 'returned ' || count(*) FROM (SELECT id FROM t ORDER BY embedding <-> '$query' LIMIT 1000000) s;
SELECT pg_stat_force_next_flush();
$tup_read;
SQL
my ($before, $after) = $out =~ /read (\d+).*read (\d+)/s;
my ($returned) = $out =~ /returned (\d+)/;
is($returned, $rows, 'an exhaustive scan returns every live row');
cmp_ok($after - $before, '>=', $rows, 'idx_tup_read counted the tuples the index returned');
cmp_ok($after - $before, '<=', $elements - $marked,
	'the index returned no marked element (tuples read <= unmarked elements)');

$node->safe_psql('postgres', 'VACUUM t');
$s = summary('t_idx', 't');
unlike($s, qr/marked deleted/, 'the next VACUUM freed the marked elements');
is(stale_links($s), 0, 'and no live element links a freed slot');
index_check_clean($node, 't_idx', 'after the crash and VACUUM');

# ------------------------------------------------------------------ 3. no bloat
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE one (id bigserial, embedding vector($dim));
CREATE INDEX one_idx ON one USING hnsw (embedding vector_l2_ops);
CREATE TABLE four (id bigserial, embedding vector($dim));
CREATE INDEX four_idx ON four USING hnsw (embedding vector_l2_ops);
SQL
for my $case ([ 'one', 1, 1200 ], [ 'four', 4, 300 ])
{
	my ($table, $clients, $tx) = @$case;
	open(my $f, '>', "$dir/$table.sql") or die $!;
	print $f "INSERT INTO $table (embedding) SELECT rand_vec() FROM generate_series(1, 5);\n";
	close $f;
	my ($out, $err);
	IPC::Run::run(
		[ 'pgbench', '-n', '-c', $clients, '-j', ($clients > 1 ? 2 : 1), '-t', $tx, '-f', "$dir/$table.sql",
			'-d', $node->connstr('postgres') ],
		'>', \$out, '2>', \$err) or diag($err);
}
my ($one, $four) = split /\|/,
  $node->safe_psql('postgres', "SELECT pg_relation_size('one_idx') / 8192, pg_relation_size('four_idx') / 8192");
note("6000 rows: $one pages from one session, $four from four");
cmp_ok($four, '<=', 1.3 * $one, "four inserting sessions grow the index about as much as one ($four vs $one pages)");
index_check_clean($node, 'four_idx', 'after four inserting sessions');

$node->stop;
done_testing();
