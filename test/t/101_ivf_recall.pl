# Recall of the ivfflat and ivf indexes on siftsmall (10,000 x 128, 100 queries) for every
# quantizer and metric. With probes = lists every list is scanned, so recall@10 must be 1.0
# for flat lists and >= 0.99 for sq8 / pq / rabitq lists after exact re-ranking; at fewer probes it
# must stay reasonable. Exact neighbours come from a sequential scan (L2 is also checked
# against the dataset's ground truth). A returned row counts as a hit when its distance is
# at most the exact 10th distance, so ties cannot make the test flaky.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use IPC::Run;
use Time::HiRes qw(usleep gettimeofday tv_interval);

my $k = 10;
my $lists = 40;

my $base = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $truth = read_ivecs(dataset_file('siftsmall/siftsmall_groundtruth.ivecs'));
my $dim = scalar @{ $base->[0] };
my @qids = (0 .. $#$queries);

my $node = PostgreSQL::Test::Cluster->new('recall');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '64MB'\nshared_buffers = '64MB'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 'items', $base);

# top_k(SETTINGS, OP): { qid => [ distances of the top k rows ] } for every query, in one session.
sub top_k
{
	my ($settings, $op) = @_;
	my $sql = "$settings\n";
	for my $q (@qids)
	{
		my $lit = vector_literal($queries->[$q]);
		$sql .= "SELECT $q, id, embedding $op '$lit' FROM items ORDER BY embedding $op '$lit' LIMIT $k;\n";
	}
	my %res;
	for my $line (split /\n/, $node->safe_psql('postgres', $sql))
	{
		my ($q, $id, $d) = split /\|/, $line;
		push @{ $res{$q} }, [ $id, $d ];
	}
	return \%res;
}

my $exact_settings = 'SET enable_indexscan = off; SET enable_bitmapscan = off;';
my %exact;
$exact{$_} = top_k($exact_settings, $_) for ('<->', '<#>', '<=>');

# The sequential scan agrees with the dataset's ground truth for L2 (same distances).
my $gt_bad = 0;
for my $q (@qids)
{
	my $row = $exact{'<->'}{$q};
	my $tenth = l2_distance($queries->[$q], $base->[ $truth->[$q][ $k - 1 ] ]);
	$gt_bad++ unless close_enough($row->[ $k - 1 ][1], $tenth, 1e-5, 1e-6);
}
is($gt_bad, 0, 'exact L2 10th distances match the siftsmall ground truth');

# recall(OP, RESULT): mean fraction of the k rows within the exact k-th distance.
sub recall
{
	my ($op, $res) = @_;
	my ($hits, $total) = (0, 0);
	for my $q (@qids)
	{
		my $limit = $exact{$op}{$q}[ $k - 1 ][1];
		my $tol = 1e-6 * (abs($limit) + 1);
		my $rows = $res->{$q} // [];
		$hits += scalar grep { $_->[1] <= $limit + $tol } @$rows;
		$total += $k;
	}
	return $hits / $total;
}

# check_order(OP, RESULT): the rows of each query come in non-decreasing distance order.
sub check_order
{
	my ($res) = @_;
	my $bad = 0;
	for my $q (@qids)
	{
		my $rows = $res->{$q} // [];
		for my $i (1 .. $#$rows)
		{
			$bad++ if $rows->[$i][1] < $rows->[ $i - 1 ][1];
		}
	}
	return $bad;
}

my %ops = (l2 => '<->', ip => '<#>', cosine => '<=>');
my @kinds = (
	[ 'ivfflat', 'ivfflat', "lists = $lists", 1.0 ],
	[ 'ivf flat', 'ivf', "lists = $lists, quantizer = 'flat'", 1.0 ],
	[ 'ivf sq8', 'ivf', "lists = $lists, quantizer = 'sq8'", 0.99 ],
	[ 'ivf pq', 'ivf', "lists = $lists, quantizer = 'pq'", 0.99 ],
	[ 'ivf rabitq', 'ivf', "lists = $lists, quantizer = 'rabitq'", 0.99 ],);
for my $kind (@kinds)
{
	my ($name, $am, $with, $full_recall) = @$kind;
	for my $metric (sort keys %ops)
	{
		# ivf flat is the ivfflat code: one metric is enough.
		next if $name eq 'ivf flat' && $metric ne 'l2';
		my $op = $ops{$metric};
		$node->safe_psql('postgres', "CREATE INDEX idx ON items USING $am (embedding vector_${metric}_ops) WITH ($with)");
		my $settings = 'SET enable_seqscan = off;';  # default re-ranking
		my $all = top_k("$settings SET ivfflat.probes = $lists;", $op);
		my $r_all = recall($op, $all);
		cmp_ok($r_all, '>=', $full_recall, "$name $metric: recall\@$k at probes = lists is $r_all");
		is(check_order($all), 0, "$name $metric: rows come in distance order");
		my $some = top_k("$settings SET ivfflat.probes = 8;", $op);
		my $r_some = recall($op, $some);
		cmp_ok($r_some, '>=', 0.85, "$name $metric: recall\@$k at probes = 8 of $lists is $r_some");
		cmp_ok($r_some, '<=', $r_all, "$name $metric: more probes never lower recall");
		$node->safe_psql('postgres', 'DROP INDEX idx');
	}
}

# Progress and cancellation: a build with many lists spends seconds in k-means; it shows its
# phase in pg_stat_progress_create_index and stops promptly on pg_cancel_backend.
{
	my ($stdout, $stderr) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
		  'CREATE INDEX slow_idx ON items USING ivfflat (embedding) WITH (lists = 2000)' ],
		'<', \undef, '>', \$stdout, '2>', \$stderr);
	my $phase = '';
	my $pid = '';
	for (1 .. 400)
	{
		($pid, $phase) = split /\|/, $node->safe_psql('postgres',
			"SELECT pid, phase FROM pg_stat_progress_create_index WHERE command = 'CREATE INDEX'") . '|';
		last if $phase eq 'building index: performing k-means';
		usleep(25_000);
	}
	is($phase, 'building index: performing k-means', 'pg_stat_progress_create_index shows the k-means phase');
	my $t0 = [gettimeofday];
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)") if $pid ne '';
	$h->finish;
	my $elapsed = tv_interval($t0);
	like($stderr, qr/canceling statement due to user request/, 'the build is cancelled');
	cmp_ok($elapsed, '<', 2.5, "the cancel took effect within k-means ($elapsed s)");
	is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 'slow_idx'"), '0',
		'no index is left behind');
}

$node->stop;
done_testing();
