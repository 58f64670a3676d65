#!/rig/bin/bash
# tests/rig/kvm_platform_vm.sh: the inside of tests/rig/kvm_platform.t, run as the rig VM's
# test (/rig/kvm_platform_vm.sh) with real KVM (kvm_amd). Prints TAP, one point per case:
#
#   plumbing  build/rig/quark-vmmtest (quark with the VMM's test guest as its kvm image):
#             `quark --platform=kvm run` boots it, the guest's console reaches stderr, its
#             exit status comes back, a VMM error is exit 125 with the error; `auto` = kvm
#   quark     build/quark: features, a hello bundle whose exit code must come back
#   suites    tests/conformance/run.t (gcc and musl), tests/scripts/run.t and
#             tests/escape/run.t, unchanged, with QUARK=quark --platform=kvm: each case
#             runs natively in this VM and in a container, stdout and status must match
#   kmod      last (everything before runs without quark.ko): insmod /rig/quark.ko, the
#             VMM uses it (features, the Debug log; QUARK_KVM_NO_KMOD=1 still falls back),
#             a read4k round trip with and without it, and the conformance suite again
#
# Layout (made by kvm_platform.t): /rig/bin (bash, coreutils timeout and env, quark,
# quark-vmmtest, the wrappers quark-kvm and vmmtest-kvm that add --platform=kvm, a no-op
# make), /rig/src (tests/ and the
# prebuilt build/conformance, build/escape), /rig/testroot (the containers' rootfs).
# Environment: RIG_QT_TIMEOUT (seconds per run, default 60), RIG_QT_PROBE_TIMEOUT (the
# suites' trivial probe container, default 20), RIG_QT_ONLY (names of the conformance
# programs to run; default all), RIG_SUITES (default "conformance scripts escape").
set -u
# From the kernel command line (kvm_platform.t), with commas for spaces.
RIG_QT_ONLY=${RIG_QT_ONLY:-}
RIG_QT_ONLY=${RIG_QT_ONLY//,/ }
RIG_SUITES=${RIG_SUITES:-smp bench conformance scripts escape kmod}
RIG_SUITES=${RIG_SUITES//,/ }
export PATH=/rig/bin:/bin:/sbin:/usr/bin:/usr/sbin
export QT_ROOT=/rig/src QT_BUILD=/rig/src/build QT_TESTROOT=/rig/testroot
export QT_BUSYBOX=/bin/busybox QT_NO_SKIP=1 QT_TIMEOUT=${RIG_QT_TIMEOUT:-60}
# A guest that cannot echo within this is hung: each suite's cases then fail at once.
export QT_PROBE_TIMEOUT=${RIG_QT_PROBE_TIMEOUT:-20}
# A guest still running 5 s before the probe's timeout (the shortest) is stopped by its
# VMM, whose error (in the case's runtime stderr) carries qkernel's NMI dump and its own:
# where it hung. No test container needs that long; bench_run lifts it.
export QUARK_KVM_TIMEOUT_MS=$(((QT_PROBE_TIMEOUT - 5) * 1000))
# Such a hang gets one more attempt (tests/lib/bundle.sh, qt_guest_hung); the first one's
# dump goes to this log, printed at the end with their count. Under this rig's emulated
# SVM, L1 KVM was seen to leave a halted vCPU asleep through its interrupts and timer
# (docs/architecture.md, "Host operations"); a case that hangs twice fails.
export QT_RETRY_GUEST_HANG=/tmp/guest-hangs.log
: >"$QT_RETRY_GUEST_HANG"
mkdir -p /var/log/quark /run/quark
# shellcheck source=tests/lib/bundle.sh
. /rig/src/tests/lib/bundle.sh

n=0
point() { # point OK NAME: one TAP line
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
diag_file() { # diag_file HEADING FILE
	[ -s "$2" ] || return 0
	echo "# $1:"
	head -n 25 "$2" | sed 's/^/#   /'
}
ms_since() { echo $(((${EPOCHREALTIME/./} - $1) / 1000)); }

# run_case NAME RUNTIME WANT_RC WANT_STDERR ARG...: one container with the test rootfs;
# the point checks the exit status and that stderr contains each '|'-separated part of
# WANT_STDERR.
run_case() {
	local name=$1 rt=$2 want_rc=$3 want_err=$4 b st t0 good=0 w rest
	shift 4
	b=$(qt_new_bundle)
	qt_write_config "$b" / "$@"
	t0=${EPOCHREALTIME/./}
	QUARK=$rt qt_run_runtime "$b" "$b/out" "$b/err"
	st=$?
	[ "$st" = "$want_rc" ] && good=1
	rest=$want_err
	while [ -n "$rest" ]; do
		w=${rest%%|*}
		if [ "$w" = "$rest" ]; then rest=""; else rest=${rest#*|}; fi
		grep -qF -- "$w" "$b/err" || good=0
	done
	point $good "$name ($(ms_since "$t0") ms)"
	if [ $good = 0 ]; then
		echo "# exit status $st (want $want_rc); stderr should contain: $want_err"
		diag_file stdout "$b/out"
		diag_file stderr "$b/err"
	fi
	RUN_OUT=$(cat "$b/out")
	rm -rf "$b"
}

qt_assemble_testroot || echo "Bail out! cannot assemble $QT_TESTROOT"

# A quark process alive for longer than the probe's timeout minus 2 s (the VMM's own
# QUARK_KVM_TIMEOUT_MS dump comes before that) is stuck on the host side: its threads'
# kernel state goes to the TAP stream once, as comments (bench runs may be listed too).
watchdog() {
	local seen=" " p t up st age hz=100	# USER_HZ (/proc/PID/stat's unit) on x86
	while sleep 3; do
		read -r up _ </proc/uptime
		for p in /proc/[0-9]*; do
			[ "$(cat "$p/comm" 2>/dev/null)" = quark ] || continue
			grep -q bench- "$p/cmdline" 2>/dev/null && continue	# (long on purpose)
			st=$(cat "$p/stat" 2>/dev/null) || continue
			st=${st##*) }	# fields from 3 on: starttime is the 20th of these
			read -r -a st <<<"$st"
			age=$((${up%.*} - st[19] / hz))
			[ $age -ge $((QT_PROBE_TIMEOUT - 2)) ] && [[ $seen != *" ${p#/proc/} "* ]] || continue
			seen+="${p#/proc/} "
			for t in "$p"/task/*; do
				echo "# watchdog: quark pid ${p#/proc/} (${age} s) thread ${t##*/} $(cat "$t/comm")" \
					"wchan $(cat "$t/wchan" 2>/dev/null) syscall $(cut -d' ' -f1 "$t/syscall" 2>/dev/null)"
				sed 's/^/# watchdog:     /' "$t/stack" 2>/dev/null
			done
		done
	done
}
watchdog &
watchdog_pid=$!

# 1. Plumbing, with the VMM's test guest (guest/platform/kvm/boot.c; argv[1] is its mode).
t_start=${EPOCHREALTIME/./}
run_case "plumbing: --platform=kvm boots the VMM test guest, its console on stderr, exit 0" \
	vmmtest-kvm 0 "qkernel-kvm: booted, 1 vCPUs, 512 MiB" /bin/vmm-test
run_case "plumbing: auto picks kvm here" quark-vmmtest 0 "qkernel-kvm: booted" /bin/vmm-test
run_case "plumbing: the guest's exit status comes back (#UD: 64+6)" \
	vmmtest-kvm 70 "exception 6 (#UD)" /bin/vmm-test ud
run_case "plumbing: a VMM error is exit 125 with the error and its context" \
	vmmtest-kvm 125 "kvm platform: " /bin/vmm-test badport

# 2. build/quark itself (kvm_platform.t leaves the make output instead when it failed).
if [ -f /rig/build-quark-failed.txt ]; then
	point 0 "build/quark builds (with build/qkernel-kvm.elf)"
	sed 's/^/# /' /rig/build-quark-failed.txt
else
	point 1 "build/quark builds (with build/qkernel-kvm.elf)"
fi
f=$(quark features 2>&1)
good=0
case $f in *'"io.quark.platforms": "kvm,ptrace"'*'"io.quark.platform.auto": "kvm"'*) good=1 ;; esac
point $good "quark features: carries kvm, auto picks kvm here"
[ $good = 1 ] || echo "$f" | grep platform | sed 's/^/# /'
run_case "hello bundle: quark --platform=kvm run reports the guest's exit code (7)" \
	quark-kvm 7 "" /bin/sh -c "echo hello from the kvm platform; exit 7"
good=0
[ "$RUN_OUT" = "hello from the kvm platform" ] && good=1
point $good "hello bundle: its stdout"
[ $good = 1 ] || echo "# stdout: $RUN_OUT"
# A hung guest says where: past QUARK_KVM_TIMEOUT_MS the VMM sends an NMI, qkernel prints
# every CPU and task (its sleep in nanosleep here), then the VMM stops it and dumps the
# vCPUs and the host-call ring.
QUARK_KVM_TIMEOUT_MS=3000 run_case "a guest past QUARK_KVM_TIMEOUT_MS: exit 125 with qkernel's and the VMM's state dumps" \
	quark-kvm 125 "did not shut down within 3000 ms|qkernel-kvm: NMI on cpu 0: halted|qkernel-kvm: cpu 0 was at rip 0xffffffff8|sched: tid 1 pid 1 S wchan|  kstack: ffffffff8|qkernel-kvm: ring sq |vcpu 0 state:|host calls: ring sq " \
	/bin/sleep 1000
echo "# plumbing and hello: $(ms_since "$t_start") ms"

# 3. The suites, renumbered into this TAP stream. A suite that skips is a failure here.
suite() { # suite NAME SCRIPT [QT_ONLY (default RIG_QT_ONLY)]
	local name=$1 line t0=${EPOCHREALTIME/./} ran=0
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			ran=1
			n=$((n + 1))
			line=$(echo "$line" | sed -E "s/^(not )?ok [0-9]+ -? ?/\\1ok $n - $name /")
			echo "$line" ;;
		1..0*)
			point 0 "$name: the suite did not run: ${line#*# }"
			ran=1 ;;
		1..*) ;;
		"Bail out!"*) point 0 "$name: ${line#Bail out! }" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <(QUARK=/rig/bin/quark-kvm QT_ONLY="${3-$RIG_QT_ONLY}" bash "$2" 2>&1 </dev/null)
	[ $ran = 1 ] || point 0 "$name: no result"
	echo "# suite $name: $(ms_since "$t0") ms"
}
# 4. Counts (issue targets, checked) and speed (printed, never asserted): /micro (the
# bench-micro program of tests/bench) natively, and in containers on kvm and ptrace; the
# VMM's counters come from quark's Debug log. Each count is the difference between N
# operations and none, so boot and exit cancel out.
bench_run() { # bench_run PLATFORM OP N: sets B_NS B_EXITS B_KEXITS B_PREAD B_DOORBELLS B_HCCPU B_SLEEPS
	local b d log=/var/log/quark/quark.log hc
	b=$(qt_new_bundle)
	d=$(qt_new_guest_scratch)
	qt_write_config "$b" "$d" /micro "$2" "$3"
	: >"$log"
	timeout -k 5 600 env -u QUARK_KVM_TIMEOUT_MS quark --platform="$1" --debug run --bundle "$b" "bench-$$-$RANDOM" \
		</dev/null >"$b/out" 2>"$b/err"
	B_NS=$(awk '{print $2}' "$b/out")
	hc=$(grep 'kvm: host calls' "$log" | tail -n 1)
	B_EXITS=$(grep -o 'exits to the VMM: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	B_KEXITS=$(grep -o "KVM's count): [0-9]*" "$log" | tail -n 1 | grep -o '[0-9]*$')
	B_PREAD=$(echo "$hc" | grep -o 'PREAD [0-9]*' | grep -o '[0-9]*$')
	B_DOORBELLS=$(echo "$hc" | grep -o 'doorbells [0-9]*' | grep -o '[0-9]*$')
	B_HCCPU=$(echo "$hc" | grep -o 'thread CPU [0-9]*' | grep -o '[0-9]*$')
	B_SLEEPS=$(echo "$hc" | grep -o 'sleeps [0-9]*' | grep -o '[0-9]*$')
	[ -n "$B_NS" ] || diag_file "$2 $3 on $1: stderr" "$b/err"
	rm -rf "$b"
}
per_op() { awk -v a="${1:-0}" -v b="${2:-0}" -v n="$3" 'BEGIN { printf "%.4f", (a - b) / n }'; }
bench() {
	local n_getpid=${RIG_BENCH_GETPID:-200000} n_read=${RIG_BENCH_READ:-20000} e0 k0 p0 d0
	cp /rig/src/build/bench-micro /rig/testroot/micro
	bench_run kvm getpid 0
	e0=$B_EXITS k0=$B_KEXITS
	bench_run kvm getpid "$n_getpid"
	local kvm_getpid=$B_NS x_getpid k_getpid
	x_getpid=$(per_op "$B_EXITS" "$e0" "$n_getpid")
	k_getpid=$(per_op "$B_KEXITS" "$k0" "$n_getpid")
	good=0
	awk -v x="$x_getpid" -v k="$k_getpid" 'BEGIN { exit !(x == 0 && k < 0.01) }' && good=1
	point $good "counts: getpid causes no VM exit (per call: $x_getpid to the VMM, $k_getpid in all, the timer's ticks included)"
	bench_run kvm read4k 0
	p0=$B_PREAD d0=$B_DOORBELLS
	bench_run kvm read4k "$n_read"
	local kvm_read=$B_NS hc_read db_read
	hc_read=$(per_op "$B_PREAD" "$p0" "$n_read")
	db_read=$(per_op "$B_DOORBELLS" "$d0" "$n_read")
	good=0
	[ "$hc_read" = 1.0000 ] && good=1
	point $good "counts: a 4 KiB read of a host file is 1 host call ($hc_read PREAD per read)"
	echo "# doorbells per 4 KiB read: $db_read (0 while the host-call thread is awake)"
	bench_run ptrace getpid "$n_getpid"
	local pt_getpid=$B_NS
	bench_run ptrace read4k "$n_read"
	local pt_read=$B_NS nat_getpid nat_read
	nat_getpid=$(cd /rig/testroot/scratch && /rig/testroot/micro getpid "$n_getpid" | awk '{print $2}')
	nat_read=$(cd /rig/testroot/scratch && /rig/testroot/micro read4k "$n_read" | awk '{print $2}')
	echo "# micro-benchmark in the rig (ns/op; QEMU TCG emulates the CPU, so only ratios mean anything)"
	printf '# %-10s %10s %10s %10s %12s %12s\n' op native kvm ptrace kvm/native ptrace/kvm
	printf '# %-10s %10s %10s %10s %12s %12s\n' getpid "$nat_getpid" "$kvm_getpid" "$pt_getpid" \
		"$(per_op "$kvm_getpid" 0 "$nat_getpid")" "$(per_op "$pt_getpid" 0 "$kvm_getpid")"
	printf '# %-10s %10s %10s %10s %12s %12s\n' read4k "$nat_read" "$kvm_read" "$pt_read" \
		"$(per_op "$kvm_read" 0 "$nat_read")" "$(per_op "$pt_read" 0 "$kvm_read")"
}

# 5. SMP: 2 vCPUs (a CPU limit of 2 in config.json), tests/rig/smp.c: 4 CPU-bound
# processes and a pipe ping-pong. The program checks its own results (the rig VM may have
# one CPU, so there is no native output to compare with): every worker's value as
# expected, no wrong pong, 2 CPUs seen and more than one used.
smp() {
	local b st t0=${EPOCHREALTIME/./} good=0
	cp /rig/src/build/smp /rig/testroot/smp
	b=$(qt_new_bundle)
	qt_write_config "$b" / /smp
	sed -i 's/"linux": {/"linux": { "resources": { "cpu": { "quota": 200000, "period": 100000 } },/' \
		"$b/config.json"
	QUARK=/rig/bin/quark-kvm qt_run_runtime "$b" "$b/out" "$b/err"
	st=$?
	if [ $st = 0 ] && grep -q '^ping-pong: 2000 round trips, final 4000, 0 wrong$' "$b/out" &&
	   [ "$(grep -cE '^worker [0-9]: ([0-9a-f]{16}) \(expected \1\)$' "$b/out")" = 4 ] &&
	   grep -q '^CPUs: 2; the workers ran on more than one: yes$' "$b/out"; then
		good=1
	fi
	point $good "smp: 2 vCPUs, 4 CPU-bound processes and a pipe ping-pong ($(ms_since "$t0") ms)"
	if [ $good = 0 ]; then
		echo "# exit status $st"
		diag_file "stdout" "$b/out"
		diag_file "stderr" "$b/err"
	fi
	rm -rf "$b"
}

# 6. quark.ko (kvm_platform.t builds it for this kernel): loaded here, and from now on the
# kvm platform's host calls use it. hostcalls_log RUNTIME_ENV...: the "kvm: host calls:"
# line of a --debug run of the hello bundle.
hostcalls_log() {
	local b log=/var/log/quark/quark.log
	b=$(qt_new_bundle)
	qt_write_config "$b" / /bin/sh -c true
	: >"$log"
	env "$@" timeout -k 5 60 quark --platform=kvm --debug run --bundle "$b" "hc-$$-$RANDOM" \
		</dev/null >"$b/out" 2>"$b/err"
	grep -o 'kvm: host calls: [a-z.+]*' "$log" | head -n 1
	rm -rf "$b"
}
# kmod_load: insmod quark.ko (once); fails with a point when it cannot.
kmod_load() {
	local out good=0
	[ -c /dev/quark ] && return 0
	if [ ! -f /rig/quark.ko ]; then
		point 0 "kmod: quark.ko was built for this kernel"
		sed 's/^/# /' /rig/kmod-build-failed.txt 2>/dev/null
		return 1
	fi
	out=$(insmod /rig/quark.ko 2>&1) && [ -c /dev/quark ] && good=1
	point $good "kmod: insmod quark.ko gives /dev/quark"
	[ $good = 1 ] || { echo "# $out"; return 1; }
}
# kmod_bench: host calls with quark.ko and with memfd+eventfd, same run (issue 4's
# numbers; printed, never asserted): round trip (read4k), wake-up of a sleeping host-call
# thread (wake4k: each read after 5 ms idle), and the host-call thread's CPU time while
# the container does nothing for 3 s (a run of `idle 3000` minus one of `idle 0`), with the
# times it slept and woke meanwhile (deterministic, unlike the CPU time of two runs).
kmod_bench() {
	local n_read=${RIG_BENCH_READ:-20000} n_wake=${RIG_BENCH_WAKE:-200} x r=() w=() c=() z=()
	cp /rig/src/build/bench-micro /rig/testroot/micro
	for x in 0 1; do
		QUARK_KVM_NO_KMOD=$x bench_run kvm read4k "$n_read"
		r[x]=$B_NS
		QUARK_KVM_NO_KMOD=$x bench_run kvm wake4k "$n_wake"
		w[x]=$B_NS
		QUARK_KVM_NO_KMOD=$x bench_run kvm idle 0
		c[x]=$B_HCCPU z[x]=$B_SLEEPS
		QUARK_KVM_NO_KMOD=$x bench_run kvm idle 3000
		c[x]=$((B_HCCPU - c[x])) z[x]=$((B_SLEEPS - z[x]))	# the 3 s of idleness only
	done
	echo "# host calls, quark.ko vs memfd+eventfd (QEMU TCG: ratios only)"
	printf '# %-36s %10s %14s %8s\n' "" quark.ko memfd+eventfd ratio
	printf '# %-36s %10s %14s %8s\n' "round trip, 4 KiB read (ns)" "${r[0]}" "${r[1]}" \
		"$(per_op "${r[0]}" 0 "${r[1]}")"
	printf '# %-36s %10s %14s %8s\n' "wake-up round trip, 4 KiB read (ns)" "${w[0]}" "${w[1]}" \
		"$(per_op "${w[0]}" 0 "${w[1]}")"
	printf '# %-36s %10s %14s\n' "host-call thread CPU, 3 s idle (us)" "${c[0]}" "${c[1]}"
	printf '# %-36s %10s %14s\n' "host-call thread sleeps, 3 s idle" "${z[0]}" "${z[1]}"
}
kmod() {
	local out good=0 f t0=${EPOCHREALTIME/./}
	kmod_load || return
	f=$(quark features 2>&1)
	good=0
	case $f in *'"io.quark.kvm.hostcalls": "quark.ko"'*) good=1 ;; esac
	point $good "kmod: quark features says host calls use quark.ko"
	[ $good = 1 ] || echo "$f" | grep -i 'hostcalls\|platform' | sed 's/^/# /'
	out=$(hostcalls_log)
	good=0
	[ "$out" = "kvm: host calls: quark.ko" ] && good=1
	point $good "kmod: quark --platform=kvm --debug run logs '$out'"
	out=$(hostcalls_log QUARK_KVM_NO_KMOD=1)
	good=0
	[ "$out" = "kvm: host calls: memfd+eventfd" ] && good=1
	point $good "kmod: QUARK_KVM_NO_KMOD=1 falls back: '$out'"
	run_case "kmod: hello bundle with quark.ko (exit code 7, stdout)" \
		quark-kvm 7 "" /bin/sh -c "echo hello from the kvm platform; exit 7"
	good=0
	[ "$RUN_OUT" = "hello from the kvm platform" ] && good=1
	point $good "kmod: hello bundle stdout with quark.ko"
	kmod_bench
	echo "# kmod setup and bench: $(ms_since "$t0") ms"
	# A cross-section of the conformance programs with the module (RIG_KMOD_QT_ONLY=all:
	# every one). Once in 278 points the whole suite with the module saw one program time
	# out (notes of issue 4), so make test runs this part, until that is understood.
	local only=${RIG_KMOD_QT_ONLY:-rw pipe pipe_signal fork_wait execve vfork mmap_file getdents open stat sigchld hostile cwd futex}
	only=${only//,/ }
	[ "$only" = all ] && only=$RIG_QT_ONLY
	suite "kmod conformance" /rig/src/tests/conformance/run.t "$only"
}

for s in $RIG_SUITES; do
	if [ "$s" = kmod ]; then
		kmod
		continue
	fi
	if [ "$s" = kmodbench ]; then	# make bench: the numbers only
		kmod_load && kmod_bench
		continue
	fi
	if [ "$s" = smp ]; then
		smp
		continue
	fi
	if [ "$s" = bench ]; then
		bench
		continue
	fi
	suite "$s" "/rig/src/tests/$s/run.t"
done
kill "$watchdog_pid" 2>/dev/null
echo "1..$n"
echo "# guest hangs retried: $(grep -c '^== ' "$QT_RETRY_GUEST_HANG")"
head -c 65536 "$QT_RETRY_GUEST_HANG" | sed 's/^/#   /'
# (the VMM's Warn line; see hc_server_watch in userspace/vmm/hostcall.c)
late=$(grep -c "kvm: lost wake-ups" /var/log/quark/quark.log 2>/dev/null)
echo "# container runs whose VMM saw lost wake-ups (since the last bench): ${late:-0}"
echo "# total in the VM: $(ms_since "$t_start") ms"
