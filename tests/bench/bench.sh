#!/usr/bin/env bash
# tests/bench/bench.sh - `make bench`: quark against runc and crun on this machine, in one
# run, as ratios. Start-to-exit of a static hello bundle (median of $RUNS runs each) and
# micro-benchmarks natively vs under quark, then the kvm platform's counts and ratios from
# the QEMU rig (BENCH_RIG=0 skips that). Needs root (runc, crun).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build/bench
QUARK=${QUARK:-$top/build/quark}
RUNS=${RUNS:-15}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (runc/crun/quark run)"; exit 1; }

mkdir -p "$B/rootfs/work"
cp "$top/build/bench-micro" "$B/rootfs/micro"
write_config() {	# args as JSON array elements
	cat > "$B/config.json" <<JSON
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},
"args":[$1],"env":["PATH=/bin"],"cwd":"/work"},
"root":{"path":"rootfs","readonly":false},"hostname":"bench",
"mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
"linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}]}}
JSON
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }
time_runtime() {	# name, command...: prints the median wall time in ms
	local name=$1; shift
	for i in $(seq "$RUNS"); do
		t0=$(now_ms); "$@" "bench-$name-$$-$i" >/dev/null; t1=$(now_ms)
		echo "$t1 - $t0" | bc
	done | median
}
runc_run() { runc run --bundle "$B" "$1"; }
crun_run() { unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle "$0" "$1"' "$B" "$1"; }
quark_run() { "$QUARK" run --bundle "$B" "$1"; }

write_config '"/micro","nop"'
q=$(time_runtime quark quark_run); r=$(time_runtime runc runc_run); c=$(time_runtime crun crun_run)
printf '\n%-34s %10s %10s %10s %12s %12s\n' "benchmark" "quark" "runc" "crun" "quark/runc" "quark/crun"
printf '%-34s %8.1fms %8.1fms %8.1fms %12.2f %12.2f\n' "start-to-exit (static, median $RUNS)" \
	"$q" "$r" "$c" "$(echo "$q / $r" | bc -l)" "$(echo "$q / $c" | bc -l)"

printf '\n%-34s %10s %10s %12s\n' "micro-benchmark (ns/op)" "quark" "native" "quark/native"
for spec in "getpid 100000" "pipe 5000" "fileio 5000" "forkexec 100"; do
	set -- $spec
	write_config "\"/micro\",\"$1\",\"$2\""
	qn=$(quark_run "bench-micro-$$" | awk '{print $2}')
	nn=$(cd "$B/rootfs/work" && "$B/rootfs/micro" "$1" "$2" | awk '{print $2}')
	printf '%-34s %10s %10s %12.1f\n' "$1" "$qn" "$nn" "$(echo "$qn / $nn" | bc -l)"
done

# The kvm platform runs only inside the QEMU rig here (this host's /dev/kvm is absent or
# paravirtual): its counts and micro-benchmarks come from there (tests/rig/kvm_platform.t).
if [ "${BENCH_RIG:-1}" = 1 ]; then
	printf '\nkvm platform, in the QEMU rig (tests/rig/kvm_platform.t, RIG_SUITES="bench kmodbench"):\n'
	# RIG_SMP=1: with 2 CPUs the rig VM itself froze now and then (TCG, both threads busy,
	# no console); on 1 the host-call thread never spins, so every read rings the doorbell.
	RIG_SMP=${RIG_SMP:-1} RIG_SUITES="bench kmodbench" "$top/tests/rig/kvm_platform.t" 2>/dev/null |
		grep -E '^# (micro|op|getpid|read4k|doorbells|host calls|round trip|wake-up|host-call thread| +quark.ko)|counts:' |
		sed 's/^# //'
fi
