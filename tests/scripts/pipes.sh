# Pipelines: data through several processes, exit status of pipelines, negation.
printf '%s\n' pear apple fig apple banana fig apple | sort | uniq -c | sort -rn | head -n 2
seq 1 1000 | grep 7 | wc -l
printf 'a b c\nd e f\n' | tr ' ' '\n' | wc -l
echo hello world | sed 's/world/pipes/' | tr a-z A-Z
# status of a pipeline is the status of its last command
false | true; echo "false|true -> $?"
true | false; echo "true|false -> $?"
! false; echo "! false -> $?"
! true; echo "! true -> $?"
echo x | grep -q y; echo "grep miss -> $?"
# long pipeline
seq 1 200 | sed -n 'p' | cat | cat | cat | awk '{ s += $1 } END { print "sum", s }'
# a writer that outlives its reader gets SIGPIPE (yes never ends on its own)
yes | head -n 3
seq 1 100000 | head -n 1
# big data through a pipe
seq 1 50000 | md5sum | cut -c1-32
# pipe into a loop (runs in a subshell)
n=0
printf '1\n2\n3\n' | while read -r x; do n=$((n + x)); echo "running $n"; done
echo "outside: n=$n"
