# Sessions that insert rows while a test crashes the server: each runs a psql script of
# "INSERT ... RETURNING id;" statements (errors do not stop it) and writes the id of every
# acknowledged insert to its own file, so that the test knows which rows were committed.
package VectorInserters;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;

our @EXPORT = qw(start_inserter acked_ids);

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

1;
