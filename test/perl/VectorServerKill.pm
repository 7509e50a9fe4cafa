# kill_cluster(NODE): the crash of a whole server as the TAP tests stage it. SIGSTOP to the
# postmaster (so that it forks nothing meanwhile), SIGKILL to it and to every process it started,
# then a wait until they are all gone (a backend left behind would keep the shared memory
# attached); the node is marked as not running. Returns the number of processes the postmaster
# had started.
package VectorServerKill;

use strict;
use warnings;

use Exporter 'import';
use Time::HiRes qw(usleep);

our @EXPORT = qw(kill_cluster);

# children_of(PID): the processes whose parent is PID (from /proc).
sub children_of
{
	my ($pid) = @_;
	my @children;
	for my $stat (glob('/proc/[0-9]*/stat'))
	{
		open(my $fh, '<', $stat) or next;
		my $line = <$fh> // '';
		close $fh;
		# pid (comm) state ppid ...: comm may hold spaces and parentheses.
		push @children, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $pid;
	}
	return @children;
}

sub kill_cluster
{
	my ($node) = @_;
	my $pid = $node->{_pid};
	die "kill_cluster: no postmaster pid" unless $pid;
	kill 'STOP', $pid;
	my @children = children_of($pid);
	kill 'KILL', @children, $pid;
	for (1 .. 200)
	{
		last unless grep { kill 0, $_ } ($pid, @children);
		usleep(50_000);
	}
	$node->{_pid} = undef;
	return scalar @children;
}

1;
