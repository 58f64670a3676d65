#!/bin/bash
# tests/rig/run.sh: boot the KVM rig VM and run one test in it; its TAP comes out on stdout.
#
#   tests/rig/run.sh [options] TEST        TEST: host file (script or static binary), put in
#                                          the VM as /rig/test and run by /init
#   tests/rig/run.sh [options] -g PATH     run PATH, already inside the initramfs
#   tests/rig/run.sh -s [options]          interactive shell on the serial console (debugging)
#
#   -i INITRD   base initramfs (default build/rig/initramfs.cpio.gz; build-initramfs.sh)
#   -k KVER     kernel version (default: the newest 6.1.*-amd64 installed)
#   -t SECS     wall-clock limit; QEMU is killed after it (default $RIG_TIMEOUT or 600)
#   -a ARGS     extra kernel command line
#   -l LOG      serial console log file (default build/rig/run-PID.log, removed on success
#               unless RIG_KEEP_LOG=1)
#   env RIG_MEM (MiB, default 1024), RIG_SMP (default 1), RIG_QEMU, RIG_QEMU_ARGS (extra args)
#
# The VM: qemu-system-x86_64 -accel tcg -M pc -cpu max (TCG emulates AMD SVM, so Debian's
# kvm_amd loads inside and gives a real /dev/kvm), PVH direct boot of the uncompressed
# vmlinux (extract-vmlinux.sh), serial console on QEMU's stdout. /init (tests/rig/init)
# prints the test's output between @@RIG-TAP-BEGIN@@ and @@RIG-TAP-END rc=N@@; this script
# relays those lines to stdout as they arrive and exits with N. Progress ("rig: ...") goes
# to stderr; on failure also the console lines outside the TAP (boot, dmesg) and QEMU's stderr.
# If the VM never delivers the end marker (timeout, crash, panic) a "Bail out!" line is
# printed and the exit status is non-zero (124 for the timeout).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/lib.sh
. "$here/lib.sh"

initrd="" kver="" timeout=${RIG_TIMEOUT:-600} append="" log="" guest_test="" shell=0
while getopts "i:k:t:a:l:g:s" opt; do
	case $opt in
	i) initrd=$OPTARG ;;
	k) kver=$OPTARG ;;
	t) timeout=$OPTARG ;;
	a) append=$OPTARG ;;
	l) log=$OPTARG ;;
	g) guest_test=$OPTARG ;;
	s) shell=1 ;;
	*) sed -n '2,25p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
host_test=${1:-}
if [ "$shell" = 0 ] && [ -z "$host_test" ] && [ -z "$guest_test" ]; then
	echo "usage: $0 [-i INITRD] [-t SECS] [-a ARGS] (TEST | -g GUEST_PATH | -s)" >&2
	exit 2
fi
[ -n "$kver" ] || kver=$(rig_kver) || rig_die "no Debian 6.1 kernel found (apt-get install linux-image-amd64)"
command -v "$RIG_QEMU" >/dev/null 2>&1 || rig_die "$RIG_QEMU not found (apt-get install qemu-system-x86)"
initrd=${initrd:-$RIG_BUILD/initramfs.cpio.gz}
[ -f "$initrd" ] || rig_die "$initrd not found (run tests/rig/build-initramfs.sh)"
vmlinux=$("$here/extract-vmlinux.sh" -k "$kver") || exit 1

mkdir -p "$RIG_BUILD"
tmpd=$(mktemp -d "$RIG_BUILD/run.XXXXXX")
qpid="" wpid=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null
	rm -rf "$tmpd"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The test goes in as a second (concatenated) cpio archive; the kernel unpacks both.
if [ -n "$host_test" ]; then
	[ -f "$host_test" ] || rig_die "test not found: $host_test"
	mkdir -p "$tmpd/stage/rig"
	cp -L --preserve=mode "$host_test" "$tmpd/stage/rig/test"
	chmod +x "$tmpd/stage/rig/test"
	(cd "$tmpd/stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -n -1 >"$tmpd/test.cpio.gz"
	cp "$initrd" "$tmpd/initrd"
	pad=$(( (4 - $(stat -c %s "$tmpd/initrd") % 4) % 4 ))
	[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero >>"$tmpd/initrd"
	cat "$tmpd/test.cpio.gz" >>"$tmpd/initrd"
	initrd=$tmpd/initrd
	guest_test=/rig/test
fi

cmdline="console=ttyS0 quiet panic=-1"
[ -n "$guest_test" ] && cmdline="$cmdline rig.test=$guest_test"
[ "$shell" = 1 ] && cmdline="$cmdline rig.shell=1"
[ -n "$append" ] && cmdline="$cmdline $append"
# shellcheck disable=SC2206
# One CPU by default: with two, the VM was seen to freeze now and then (both TCG vCPU
# threads busy, no console output, no soft-lockup report) while KVM VMs came and went
# inside it; in about 300 VM boots with one CPU it never did. Tests that want more ask.
qemu=("$RIG_QEMU" -accel tcg -M pc -cpu max -m "${RIG_MEM:-1024}" -smp "${RIG_SMP:-1}"
	-nodefaults -no-user-config -display none -serial stdio -no-reboot
	-kernel "$vmlinux" -initrd "$initrd" -append "$cmdline" ${RIG_QEMU_ARGS:-})

if [ "$shell" = 1 ]; then
	rig_log "interactive: ${qemu[*]}"
	"${qemu[@]}"
	exit $?
fi

# QEMU dies with this script (pdeathsig) even if the script is SIGKILLed.
pdeath=()
setpriv --help 2>/dev/null | grep -q -- --pdeathsig && pdeath=(setpriv --pdeathsig KILL --)
keep_log=${RIG_KEEP_LOG:-0}
if [ -z "$log" ]; then log=$RIG_BUILD/run-$$.log; else keep_log=1; fi
: >"$log"
qerr=$tmpd/qemu.err
t0=$EPOCHREALTIME
# stdin from /dev/null: QEMU's stdio chardev leaves a terminal alone then, and reads nothing.
"${pdeath[@]}" "${qemu[@]}" </dev/null >"$log" 2>"$qerr" &
qpid=$!
# Watchdog: kills QEMU at the deadline, and goes away by itself within a second once QEMU is
# gone (even if this script was SIGKILLed). Its fds are not the caller's: a child holding
# stdout open would keep prove waiting.
(
	exec </dev/null >/dev/null 2>&1
	end=$((SECONDS + timeout))
	while kill -0 "$qpid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo timeout >"$tmpd/timedout"
			kill -KILL "$qpid"
			exit 0
		fi
		sleep 1
	done
) &
wpid=$!
rig_log "booting $kver (vmlinux PVH, $(stat -c %s "$initrd") byte initramfs, timeout ${timeout}s)"

elapsed() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
state=pre rc="" init_seen=0
while IFS= read -r line || [ -n "$line" ]; do
	line=${line//$'\r'/}
	case $state in
	pre)
		if [[ $line == *@@RIG-INIT* ]]; then
			up=${line#*uptime=}; up=${up%%@@*}
			rig_log "/init reached after $(elapsed) s wall (guest uptime ${up} s)"
			init_seen=1
		elif [[ $line == *@@RIG-TAP-BEGIN@@* ]]; then
			state=tap
			tap_t0=$EPOCHREALTIME
		fi
		;;
	tap)
		if [[ $line == *@@RIG-TAP-END* ]]; then
			before=${line%%@@RIG-TAP-END*}
			[ -n "$before" ] && printf '%s\n' "$before"
			rc=${line#*@@RIG-TAP-END rc=}; rc=${rc%%@@*}
			state=post
			rig_log "test finished with status $rc after $(elapsed) s wall ($(awk -v a="$tap_t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s in the test)"
		else
			printf '%s\n' "$line"
		fi
		;;
	post) ;;
	esac
done < <(tail -n +1 -f --pid="$qpid" "$log" 2>/dev/null)
wait "$qpid" 2>/dev/null
qst=$?
qpid=""
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
wpid=""

status=0
if [ -e "$tmpd/timedout" ] && [ "$state" != post ]; then
	echo "Bail out! rig: VM killed after the ${timeout}s timeout ($([ "$init_seen" = 1 ] && echo "in the test" || echo "before /init"))"
	status=124
elif [ "$state" != post ]; then
	echo "Bail out! rig: VM ended (QEMU status $qst) without the end-of-test marker; see the console log"
	status=1
elif ! [[ $rc =~ ^[0-9]+$ ]]; then
	status=1
else
	status=$rc
fi
[ "$status" = 0 ] && [ "$qst" != 0 ] && rig_log "note: QEMU exited with status $qst after the test"
rig_log "total $(elapsed) s wall"

if [ "$status" != 0 ]; then
	{
		echo "rig: ---- console outside the TAP (last 80 lines) ----"
		tr -d '\r' <"$log" | sed '/@@RIG-TAP-BEGIN@@/,/@@RIG-TAP-END/d' | tail -n 80
		if [ -s "$qerr" ]; then
			echo "rig: ---- QEMU stderr ----"
			cat "$qerr"
		fi
		echo "rig: full console log: $log"
	} >&2
elif [ "$keep_log" != 1 ]; then
	rm -f "$log"
fi
exit "$status"
