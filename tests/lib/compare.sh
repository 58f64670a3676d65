# tests/lib/compare.sh: run a list of test cases natively and under $QUARK,
# compare stdout and exit status, print TAP. Sourced by the run.t scripts
# after tests/lib/bundle.sh.
#
#   QT_CASES=( "name|native command...|guest command..." )   (fields split on '|',
#             commands split on spaces: no spaces inside arguments)
#   qt_compare_all
#
# Cases run QT_JOBS at a time (default: number of CPUs), results are printed in
# order. Each run gets a fresh empty cwd: build/scratch/n.* natively,
# build/testroot/scratch/s.* (guest /scratch/s.*) in the container.

QT_JOBS=${QT_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Run case $1 (index) into directory $2; writes status files there.
qt_compare_one() {
	local i=$1 res=$2 spec name native guest hd gd b
	spec=${QT_CASES[$i]}
	name=${spec%%|*}
	spec=${spec#*|}
	native=${spec%%|*}
	guest=${spec#*|}
	local t0=${EPOCHREALTIME/./} t1 t2
	mkdir -p "$res"
	hd=$(qt_new_host_scratch) && chmod 755 "$hd"
	# shellcheck disable=SC2086
	qt_run_native "$hd" "$res/n.out" "$res/n.err" $native
	echo $? >"$res/n.st"
	t1=${EPOCHREALTIME/./}
	gd=$(qt_new_guest_scratch)
	b=$(qt_new_bundle)
	# shellcheck disable=SC2086
	qt_write_config "$b" "$gd" $guest
	qt_run_runtime "$b" "$res/q.out" "$res/q.err"
	echo $? >"$res/q.st"
	if qt_guest_hung "$(cat "$res/q.st")" "$res/q.err"; then	# once more, in a fresh dir
		qt_note_hang "$name" "$res/q.err"
		[ -n "$gd" ] && rm -rf "${QT_TESTROOT:?}$gd"
		gd=$(qt_new_guest_scratch)
		# shellcheck disable=SC2086
		qt_write_config "$b" "$gd" $guest
		qt_run_runtime "$b" "$res/q.out" "$res/q.err"
		echo $? >"$res/q.st"
		: >"$res/retried"
	fi
	t2=${EPOCHREALTIME/./}
	echo "$(((t1 - t0) / 1000)) $(((t2 - t1) / 1000))" >"$res/ms"
	rm -rf "$hd" "$b"
	[ -n "$gd" ] && rm -rf "${QT_TESTROOT:?}$gd"
	echo "$name" >"$res/name"
}

# Print the TAP line (and diagnostics) for case $1 from directory $2.
qt_compare_report() {
	local n=$(($1 + 1)) res=$2 name nst qst
	name=$(cat "$res/name" 2>/dev/null || echo "case $n")
	nst=$(cat "$res/n.st" 2>/dev/null)
	qst=$(cat "$res/q.st" 2>/dev/null)
	if [ -n "$nst" ] && [ "$nst" = "$qst" ] && cmp -s "$res/n.out" "$res/q.out"; then
		local ms
		read -r ms <"$res/ms" 2>/dev/null
		echo "ok $n - $name (native ${ms% *} ms, runtime ${ms#* } ms)$([ -f "$res/retried" ] && echo ", retried once after a guest hang")"
		QT_PASSED=$((QT_PASSED + 1))
	else
		echo "not ok $n - $name"
		echo "# exit status: native=$nst runtime=$qst"
		[ -f "$res/retried" ] && echo "# (the second attempt: the first hung, see the hang log)"
		case $qst in 124 | 137) echo "# (runtime status $qst: killed after the ${QT_TIMEOUT}s timeout?)" ;; esac
		qt_tap_diff "$res/n.out" "$res/q.out" native runtime
		qt_tap_file "native stderr" "$res/n.err"
		qt_tap_file "runtime stderr" "$res/q.err"
		QT_FAILED+=("$name")
	fi
}

# Every case fails, not run: the runtime hung on the probe (QT_NO_SKIP=1).
qt_compare_fail_all() {
	local i spec
	echo "1..${#QT_CASES[@]}"
	for i in "${!QT_CASES[@]}"; do
		spec=${QT_CASES[$i]}
		echo "not ok $((i + 1)) - ${spec%%|*}"
		echo "# not run: the runtime timed out on a trivial container: $QT_PROBE_FAILED"
	done
	echo "# 0/${#QT_CASES[@]} passed (runtime: $QUARK hangs)"
	[ -z "${QT_PROBE_STDERR:-}" ] || { echo "# the trivial container's stderr:"; echo "$QT_PROBE_STDERR" | sed 's/^/#   /'; }
}

qt_compare_all() {
	local total=${#QT_CASES[@]} i j tmp start
	local -a pids=()
	if [ -n "${QT_PROBE_HUNG:-}" ]; then
		qt_compare_fail_all
		return
	fi
	[ -n "${QT_CAPS_JSON:-}" ] || QT_CAPS_JSON=$(qt_caps_json)
	QT_PASSED=0
	QT_FAILED=()
	tmp=$(mktemp -d "$QT_BUILD"/cmp.XXXXXX)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	start=$SECONDS
	echo "1..$total"
	j=0
	for ((i = 0; i < total; i++)); do
		qt_compare_one "$i" "$tmp/$i" </dev/null 2>/dev/null &
		pids[i]=$!
		if ((i - j + 1 >= QT_JOBS)); then
			wait "${pids[j]}"
			qt_compare_report "$j" "$tmp/$j"
			j=$((j + 1))
		fi
	done
	for (( ; j < total; j++)); do
		wait "${pids[j]}"
		qt_compare_report "$j" "$tmp/$j"
	done
	rm -rf "$tmp"
	echo "# $QT_PASSED/$total passed in $((SECONDS - start))s (runtime: $QUARK, jobs: $QT_JOBS)"
	if [ ${#QT_FAILED[@]} -gt 0 ]; then
		echo "# failed: ${QT_FAILED[*]}"
	fi
}
