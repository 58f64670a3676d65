# Background jobs: $!, wait for one job and get its status, wait for all, kill jobs.
(sleep 0.1; exit 3) &
a=$!
(exit 5) &
b=$!
wait $a; echo "job a: $?"
wait $b; echo "job b: $?"
sleep 10 &
c=$!
kill $c
wait $c; echo "killed with TERM: $?"
sleep 10 &
c=$!
kill -9 $c
wait $c; echo "killed with KILL: $?"
# several jobs write to files; wait for all
for i in 1 2 3 4; do
	(sleep 0.0$i; echo "job $i" > job$i.txt) &
done
wait
cat job1.txt job2.txt job3.txt job4.txt
# output order of concurrent jobs made deterministic with wait
(echo first) & wait
(echo second) & wait
# wait on an unknown pid
wait 99999 2>/dev/null; echo "wait unknown: $?"
# a job that has already finished can still be waited for
(exit 9) &
d=$!
sleep 0.1
wait $d; echo "late wait: $?"
# kill -0 on a live and a finished job
sleep 10 &
e=$!
kill -0 $e && echo "alive"
kill $e; wait $e
kill -0 $e 2>/dev/null || echo "gone"
