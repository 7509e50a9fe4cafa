# Sessions that insert rows while a test crashes the server: each runs a psql script of
# "INSERT ... RETURNING id;" statements (errors do not stop it) and writes the id of every
# acknowledged insert to its own file, so that the test knows which rows were committed.
package VectorInserters;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils ();
use Test::More ();

our @EXPORT = qw(start_inserter start_inserters acked_ids check_inserters_after_crash);

# start_inserter(NODE, SCRIPT, ACK, ERR): psql running SCRIPT against NODE's postgres database,
# its output (the acknowledged ids) into the file ACK and its errors into ERR. Returns
# { ack => ACK, err => ERR, h => the IPC::Run harness }.
sub start_inserter
{
	my ($node, $script, $ack, $err) = @_;
	my @connstr = ('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-d', $node->connstr('postgres'));
	return {
		ack => $ack,
		err => $err,
		h => IPC::Run::start([ 'psql', @connstr, '-f', $script ], '<', \undef, '>', $ack, '2>', $err)
	};
}

# acked_ids(\@INSERTERS): the ids acknowledged so far by all of them (array reference).
sub acked_ids
{
	my ($inserters) = @_;
	my @ids;
	for my $i (@$inserters)
	{
		open(my $fh, '<', $i->{ack}) or next;
		push @ids, grep { /^\d+$/ } map { s/\s+$//r } <$fh>;
		close $fh;
	}
	return \@ids;
}

# start_inserters(NODE, DIR, SESSIONS, COUNT, STATEMENT): SESSIONS inserting sessions, session s
# (1 ..) running COUNT times the statement STATEMENT->(s) ("INSERT ... RETURNING id;"), their
# scripts and files in DIR. Returns the inserters (array reference).
sub start_inserters
{
	my ($node, $dir, $sessions, $count, $statement) = @_;
	my @inserters;
	for my $s (1 .. $sessions)
	{
		my $script = "$dir/insert$s.sql";
		open(my $fh, '>', $script) or die $!;
		print $fh $statement->($s) . "\n" for 1 .. $count;
		close $fh;
		push @inserters, start_inserter($node, $script, "$dir/acked$s.txt", "$dir/err$s.txt");
	}
	return \@inserters;
}

# check_inserters_after_crash(\@INSERTERS, MIN): once the server was killed, waits for the
# sessions to end and asserts that none had an error other than losing its connection, and that at
# least MIN inserts were acknowledged. Returns the acknowledged ids (array reference).
sub check_inserters_after_crash
{
	my ($inserters, $min) = @_;
	eval { $_->{h}->finish; } for @$inserters;
	for my $s (1 .. scalar @$inserters)
	{
		my $err = PostgreSQL::Test::Utils::slurp_file($inserters->[ $s - 1 ]{err});
		$err =~
		  s/^.*(terminat|connection|server closed|administrator command|no connection|while processing|lost synchronization|EOF).*\n?//mg;
		Test::More::is($err, '', "inserting session $s had no error before the crash");
	}
	my $acked = acked_ids($inserters);
	Test::More::cmp_ok(scalar @$acked, '>=', $min, scalar(@$acked) . ' inserts were acknowledged before the crash');
	return $acked;
}

1;
