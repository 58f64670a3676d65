# trap: EXIT handlers, handlers for signals sent with kill, ignoring and resetting.
trap 'echo "EXIT trap ran, status $?"' EXIT
trap 'echo "got USR1"' USR1
kill -USR1 $$
echo "after USR1"
trap 'echo "got USR2"; usr2=1' USR2
kill -USR2 $$
echo "usr2=$usr2"
trap '' USR1
kill -USR1 $$
echo "USR1 ignored"
trap - USR1
# a trap in a background subshell, signalled by us
rm -f ready
(
	trap 'echo "child: got TERM"; exit 5' TERM
	echo ready > ready
	while :; do sleep 0.05; done
) &
child=$!
while [ ! -f ready ]; do sleep 0.02; done
kill -TERM $child
wait $child
echo "child exit status $?"
# EXIT trap in a subshell
( trap 'echo "subshell EXIT trap"' EXIT; echo "in subshell" )

# background jobs of a non-interactive shell ignore SIGINT (POSIX), not SIGTERM
rm -f ready
( echo > ready; exec sleep 5 ) &
p=$!
while [ ! -f ready ]; do sleep 0.02; done
kill -INT $p
sleep 0.1
kill -0 $p && echo "background job ignored INT"
kill -TERM $p
wait $p
echo "then TERM: $?"
exit 3
