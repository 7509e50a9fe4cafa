# Fault injection: kill -9 of the whole server (postmaster and every backend, as a power cut
# short of losing the OS page cache) while an index is being built, while sessions insert rows
# one by one, and while VACUUM cleans the index, for each access method (hnsw, ivfflat, ivf).
# After each restart: every acknowledged row is in the table, every row of the table is returned
# once by an index scan that visits the whole index, vector_index_check finds nothing wrong, and
# a streaming standby that replayed the same WAL gives the primary's answers and passes the
# same check. A killed build leaves no index behind, and the build then succeeds.
#
# The kill during a build must never race with the build's end (a small build on a fast machine
# used to finish before the kill). So the killed build is held at a known point: it builds a
# partial index whose predicate, build_gate(), is evaluated for every table row the build reads
# and, at the Nth call, waits for an advisory lock that another session holds until the kill.
# The test kills the server only once pg_locks shows the build waiting for that lock, so the build
# is under way (N rows read, the index relation created) and cannot have finished. N is in the
# middle of the single table pass of hnsw and of the second pass of the IVF builds (the first one
# samples rows for k-means; the second writes the lists). An IVF build whose rows fit in
# maintenance_work_mem keeps them from its first pass and has no second one, so the IVF builds
# here run with 1MB, which cannot hold the 30,000 rows: the kill comes while the lists are being
# written. The index built after the restart is the ordinary, non-partial one.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use VectorIndexCheck;
use VectorInserters;
use VectorServerKill;
use VectorTestUtils;

srand(201);
my $dim = 32;
my $primary = PostgreSQL::Test::Cluster->new('fault_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', <<'CONF');
autovacuum = off
checkpoint_timeout = 30s
max_wal_size = 256MB
wal_keep_size = 1GB
shared_buffers = 32MB
CONF
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
$primary->safe_psql('postgres', <<"SQL");
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($dim) FROM generate_series(1, $dim) \$\$;
-- build_gate(): true; its Nth call (N = the setting fault.gate_at of the session) waits for the
-- advisory lock 201 while another session holds it. Declared IMMUTABLE so that it may stand in an
-- index predicate; it is not (it counts its calls with a sequence), which only this test relies on.
CREATE SEQUENCE build_gate_calls;
CREATE FUNCTION build_gate(id bigint) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
  \$\$
BEGIN
	IF nextval('build_gate_calls') = current_setting('fault.gate_at')::bigint THEN
		PERFORM pg_advisory_lock_shared(201);
		PERFORM pg_advisory_unlock_shared(201);
	END IF;
	RETURN true;
END
  \$\$;
SQL
$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('fault_standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;

my $dir = PostgreSQL::Test::Utils::tempdir;
my @connstr = ('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-d', $primary->connstr('postgres'));
my @queries = map { vector_literal($_) } @{ random_vectors(5, $dim, 4) };
my ($faults, $survived, $lost) = (0, 0, 0);

my %index_sql = (
	hnsw => 'USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32)',
	ivfflat => 'USING ivfflat (embedding vector_l2_ops) WITH (lists = 100)',
	ivf => "USING ivf (embedding vector_l2_ops) WITH (lists = 100, quantizer = 'sq8')");
# Calls of build_gate() at which the killed build stops: half-way through the last table pass.
my %gate_at = (hnsw => 15000, ivfflat => 45000, ivf => 45000);
# Settings of the killed build: the IVF builds scan the table twice (see above).
my %build_settings = (hnsw => '', ivfflat => "SET maintenance_work_mem = '1MB';", ivf => "SET maintenance_work_mem = '1MB';");
# Settings under which an ordered index scan visits the whole index.
my %full_scan = (
	hnsw => 'SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 10000000; SET hnsw.ef_search = 100;',
	ivfflat => 'SET ivfflat.probes = 100;',
	ivf => 'SET ivfflat.probes = 100;');

# kill_server(): the whole server killed (VectorServerKill::kill_cluster), counted as a fault.
sub kill_server
{
	my $children = kill_cluster($primary);
	note("killed the postmaster and $children processes it started");
	$faults++;
	return;
}

# check_after(AM, LABEL[, ACKED]): the checks after a restart. The full index scan must return
# every committed row: an element that no link reaches may only be one of an insert the kill
# interrupted (its row never committed); the check's count of unreachable elements is reported,
# never subtracted from what the scan must find.
my $unreachable_total = 0;
sub check_after
{
	my ($am, $label, $acked) = @_;
	my $table = "t_$am";
	my @ok;
	if ($acked)
	{
		my %present = map { $_ => 1 } split /\n/, $primary->safe_psql('postgres', "SELECT id FROM $table");
		my @missing = grep { !$present{$_} } @$acked;
		$lost += @missing;
		push @ok, is(scalar @missing, 0, "$am $label: all " . scalar(@$acked) . ' acknowledged rows are in the table');
	}
	my $rows = $primary->safe_psql('postgres', "SELECT count(*) FROM $table");
	my $summary = index_check_clean($primary, "${table}_idx", "$am $label: primary");
	push @ok, $summary =~ / 0 errors/;
	my ($unreachable) = $summary =~ /(\d+) unreachable/;
	$unreachable //= 0;
	$unreachable_total += $unreachable;
	my $scan = "SET enable_seqscan = off; $full_scan{$am} SELECT count(*) || ' ' || count(DISTINCT id) FROM "
	  . "(SELECT id FROM $table ORDER BY embedding <-> '$queries[0]' LIMIT 100000000) s";
	my ($found, $distinct) = split / /, $primary->safe_psql('postgres', $scan);
	push @ok, is($found, $distinct, "$am $label: a full index scan returns no row twice");
	push @ok, is($found, $rows,
		"$am $label: a full index scan returns every committed row ($unreachable elements unreachable)");
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	my $answers = join(';', map { "SELECT string_agg(id::text, ',') FROM (SELECT id FROM $table ORDER BY embedding <-> '$_' LIMIT 10) s;" } @queries);
	my $settings = "SET enable_seqscan = off; $full_scan{$am}";
	push @ok, is($standby->safe_psql('postgres', "$settings $answers"), $primary->safe_psql('postgres', "$settings $answers"),
		"$am $label: the standby gives the primary's answers");
	push @ok, index_check_clean($standby, "${table}_idx", "$am $label: standby") =~ / 0 errors/;
	return !grep { !$_ } @ok;
}

# session_errors(FILE): what a session printed on stderr other than the loss of its connection.
sub session_errors
{
	my $err = PostgreSQL::Test::Utils::slurp_file($_[0]);
	$err =~ s/^.*(terminat|connection|server closed|administrator command|no connection|while processing|lost synchronization|EOF|could not send).*\n?//mg;
	return $err;
}

for my $am (qw(hnsw ivfflat ivf))
{
	my $table = "t_$am";
	$primary->safe_psql('postgres', "CREATE TABLE $table (id bigserial PRIMARY KEY, embedding vector($dim));"
		  . "INSERT INTO $table (embedding) SELECT rand_vec() FROM generate_series(1, 30000)");

	# ------------------------------------------------------------ kill during the bulk build
	# A session takes the advisory lock and keeps it (it sleeps until the kill ends it).
	my ($lout, $lerr) = ('', '');
	my $holder = IPC::Run::start([ 'psql', @connstr, '-c', 'SELECT pg_advisory_lock(201)', '-c', 'SELECT pg_sleep(3600)' ],
		'<', \undef, '>', \$lout, '2>', \$lerr);
	my $lock_rows = "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = 201";
	$primary->poll_query_until('postgres', "$lock_rows AND granted AND mode = 'ExclusiveLock'")
	  or die "the advisory lock 201 was not taken";
	my ($out, $err) = ('', '');
	my $build = IPC::Run::start(
		[
			'psql', @connstr, '-c',
			"SET vector.build_threads = 1; $build_settings{$am} SET fault.gate_at = $gate_at{$am}; "
			  . "SELECT setval('build_gate_calls', 1, false); "
			  . "CREATE INDEX ${table}_idx ON $table $index_sql{$am} WHERE build_gate(id)"
		],
		'<', \undef, '>', \$out, '2>', \$err);
	# The build waits at the gate: it read $gate_at{$am} rows, and it cannot finish.
	my $held = $primary->poll_query_until('postgres', "$lock_rows AND NOT granted AND mode = 'ShareLock'");
	my $progress = $primary->safe_psql('postgres',
		"SELECT phase || ' ' || tuples_done || ' ' || blocks_done FROM pg_stat_progress_create_index WHERE relid = '$table'::regclass");
	kill_server();
	eval { $build->finish; };
	eval { $holder->finish; };
	note("$am: build killed while it waited at row $gate_at{$am}, progress '$progress'");
	ok($held && $progress =~ /\d/, "$am: the build was under way, held at a known point, when the server was killed")
	  or diag("build output: $out $err");
	$primary->start;
	my $gone = is($primary->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = '${table}_idx'"), '0',
		"$am: the killed build left no index");
	$primary->safe_psql('postgres', "CREATE INDEX ${table}_idx ON $table $index_sql{$am}");
	$survived++ if check_after($am, 'after a build killed midway and a new build') && $gone;

	# ------------------------------------------------------------ kill during concurrent inserts
	my @inserters;
	for my $s (1 .. 3)
	{
		my $script = "$dir/insert_${am}_$s.sql";
		open(my $fh, '>', $script) or die $!;
		print $fh "INSERT INTO $table (embedding) VALUES (rand_vec()) RETURNING id;\n" for 1 .. 4000;
		close $fh;
		push @inserters, start_inserter($primary, $script, "$dir/acked_${am}_$s.txt", "$dir/err_${am}_$s.txt");
	}
	my $acked = sub { return acked_ids(\@inserters); };
	my $deadline = time + 30;
	usleep(100_000) while @{ $acked->() } < 1500 && time < $deadline;
	kill_server();
	eval { $_->{h}->finish; } for @inserters;
	is(join('', map { session_errors($_->{err}) } @inserters), '', "$am: the inserting sessions saw no error but the crash");
	my $ids = $acked->();
	cmp_ok(scalar @$ids, '>=', 300, "$am: " . scalar(@$ids) . ' inserts were acknowledged before the kill');
	$primary->start;
	$survived++ if check_after($am, 'after a kill during concurrent inserts', $ids);

	# ------------------------------------------------------------ kill during VACUUM
	$primary->safe_psql('postgres', "DELETE FROM $table WHERE id % 3 = 0");
	my ($vout, $verr) = ('', '');
	my $vacuum = IPC::Run::start(
		[ 'psql', @connstr, '-c', 'SET vacuum_cost_delay = 5', '-c', 'SET vacuum_cost_limit = 20', '-c', "VACUUM $table" ],
		'<', \undef, '>', \$vout, '2>', \$verr);
	$deadline = time + 60;
	$progress = '';
	while (time < $deadline)
	{
		$progress = $primary->safe_psql('postgres', "SELECT phase FROM pg_stat_progress_vacuum WHERE relid = '$table'::regclass");
		last if $progress =~ /index/;
		usleep(20_000);
	}
	note("$am: VACUUM killed in phase '$progress'");
	like($progress, qr/vacuuming indexes/, "$am: VACUUM was cleaning the indexes when the server was killed");
	kill_server();
	eval { $vacuum->finish; };
	$primary->start;
	$survived++ if check_after($am, 'after a kill during VACUUM');
	# The index takes the same work again after recovery.
	$primary->safe_psql('postgres', "VACUUM $table; INSERT INTO $table (embedding) SELECT rand_vec() FROM generate_series(1, 500)");
	check_after($am, 'after VACUUM and inserts once recovered');
}

is($lost, 0, "no acknowledged row was lost in $faults kills");
is($survived, $faults, "the index survived $survived of $faults kills");
note("FIGURES fault_kill: faults=$faults survived=$survived lost=$lost unreachable_hnsw_elements=$unreachable_total");
$standby->stop;
$primary->stop;
done_testing();
