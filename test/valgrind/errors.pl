#!/usr/bin/perl
# errors.pl SRC LOG...: reads valgrind's text logs, one per process, prints on
# standard error every memcheck error that is ours (and with VALGRIND_SHOW_ALL=1
# the others too, each with its suppression), and prints on standard output how
# many are ours.
#
# In a log, an error is a headline ("==pid== Invalid read of size 4") followed by
# indented lines: its stacks, and what the address or value was. Suppressions are
# already applied; --gen-suppressions=all prints after each error the suppression
# that would silence it, unprefixed, between braces. An error is ours when a
# frame of any of its stacks (where it happened, and where the memory came from)
# is in mycelium.so. Code with debugging information shows its source file, which
# for our code is under SRC, the clone's src/ (valgrind runs with --fullpath-after=
# and the installed library was built from the clone); code without it shows the
# library's path.
use strict;
use warnings;

my $src = shift @ARGV or die "usage: errors.pl SRC LOG...\n";
my ($ours, $others) = (0, 0);
for my $file (@ARGV) {
    open my $fh, '<', $file or die "$file: $!\n";
    my @errors;
    my $in_suppression = 0;
    while (my $line = <$fh>) {
        if ($in_suppression) {
            $errors[-1]{suppression} .= $line if @errors;
            $in_suppression = 0 if $line =~ /^\}/;
        } elsif ($line =~ /^\{/) {
            $in_suppression = 1;
            $errors[-1]{suppression} .= $line if @errors;
        } elsif ($line =~ /^==\d+== \S/) {
            push @errors, {text => $line, open => 1, suppression => ''};
        } elsif ($line =~ /^==\d+==\s\s+\S/ && @errors && $errors[-1]{open}) {
            $errors[-1]{text} .= $line;
        } else {
            $errors[-1]{open} = 0 if @errors;
        }
    }
    my $name = $file =~ s{.*/}{}r;
    for my $error (@errors) {
        next unless $error->{text} =~ /^==\d+==\s+(?:at|by) 0x/m;
        my $mine = $error->{text} =~ m{^==\d+==\s+(?:at|by) 0x\S+: .*\((?:in \S*/mycelium\.so|\Q$src\E)}m;
        $mine ? $ours++ : $others++;
        next unless $mine || $ENV{VALGRIND_SHOW_ALL};
        print STDERR "\n== ", ($mine ? 'in mycelium.so' : 'in PostgreSQL'), " ($name):\n",
            $error->{text}, $error->{suppression};
    }
}
print STDERR "\n# memcheck errors: $ours with a frame in mycelium.so, $others elsewhere",
    " (in PostgreSQL; VALGRIND_SHOW_ALL=1 shows them)\n";
print "$ours\n";
