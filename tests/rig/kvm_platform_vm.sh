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
RIG_SUITES=${RIG_SUITES:-conformance scripts escape}
RIG_SUITES=${RIG_SUITES//,/ }
export PATH=/rig/bin:/bin:/sbin:/usr/bin:/usr/sbin
export QT_ROOT=/rig/src QT_BUILD=/rig/src/build QT_TESTROOT=/rig/testroot
export QT_BUSYBOX=/bin/busybox QT_NO_SKIP=1 QT_TIMEOUT=${RIG_QT_TIMEOUT:-60}
# A guest that cannot echo within this is hung: each suite's cases then fail at once.
export QT_PROBE_TIMEOUT=${RIG_QT_PROBE_TIMEOUT:-20}
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
# the point checks the exit status and that stderr contains WANT_STDERR.
run_case() {
	local name=$1 rt=$2 want_rc=$3 want_err=$4 b st t0 good=0
	shift 4
	b=$(qt_new_bundle)
	qt_write_config "$b" / "$@"
	t0=${EPOCHREALTIME/./}
	QUARK=$rt qt_run_runtime "$b" "$b/out" "$b/err"
	st=$?
	if [ "$st" = "$want_rc" ] && { [ -z "$want_err" ] || grep -qF -- "$want_err" "$b/err"; }; then good=1; fi
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
echo "# plumbing and hello: $(ms_since "$t_start") ms"

# 3. The suites, renumbered into this TAP stream. A suite that skips is a failure here.
suite() { # suite NAME SCRIPT
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
	done < <(QUARK=/rig/bin/quark-kvm QT_ONLY="$RIG_QT_ONLY" bash "$2" 2>&1 </dev/null)
	[ $ran = 1 ] || point 0 "$name: no result"
	echo "# suite $name: $(ms_since "$t0") ms"
}
for s in $RIG_SUITES; do
	suite "$s" "/rig/src/tests/$s/run.t"
done
echo "1..$n"
echo "# total in the VM: $(ms_since "$t_start") ms"
