#!/bin/bash
# tests/kmod/ioctl.t - quark.ko's ioctl tests (tests/kmod/ioctl_test.c) inside the QEMU rig:
# builds quark.ko against the rig kernel's own 6.1 headers and the static test program,
# checks that the module's vermagic names the rig kernel, then boots the rig with both in
# the initramfs; the program insmods, tests, rmmods and checks dmesg itself.
# Skips, with the reason, when the rig, the headers or a compiler is missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
case ${BUILD:-build} in /*) b=$BUILD ;; *) b=$top/${BUILD:-build} ;; esac

if [ ! -x tests/rig/run.sh ]; then
	echo "1..0 # SKIP the KVM rig (tests/rig/run.sh) is not there"
	exit 0
fi
# shellcheck source=tests/rig/lib.sh
. tests/rig/lib.sh
if ! rig_check_prereqs; then
	echo "1..0 # SKIP $RIG_SKIP_REASON"
	exit 0
fi
kver=$(rig_kver)
kdir=/lib/modules/$kver/build
if [ ! -f "$kdir/Makefile" ]; then
	echo "1..0 # SKIP no headers for the rig kernel $kver ($kdir; apt-get install linux-headers-$kver)"
	exit 0
fi
command -v gcc >/dev/null || { echo "1..0 # SKIP gcc is not installed"; exit 0; }

log=$b/kmod/build.log
mkdir -p "$b/kmod"
if ! make -s -f tests/kmod/kmod.mk BUILD="$b" KDIR="$kdir" modules "$b/kmod/ioctl_test" >"$log" 2>&1; then
	cat "$log" >&2
	echo "Bail out! quark.ko or ioctl_test did not build (log: $log)"
	exit 1
fi
# Kbuild output that is a compiler warning fails the test (the module must build clean).
if grep -E 'warning:|error:' "$log" >&2; then
	echo "Bail out! quark.ko built with warnings (log: $log)"
	exit 1
fi
ko=$b/kmod/src/quark.ko
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || strings "$ko" | sed -n 's/^vermagic=//p')
case $vermagic in
"$kver "*) ;;
*) echo "Bail out! $ko has vermagic '$vermagic', the rig boots $kver"; exit 1 ;;
esac

initrd=$b/kmod/rig-initramfs.cpio.gz
tests/rig/build-initramfs.sh -k "$kver" -o "$initrd" "$ko=/rig/quark.ko" \
	"$b/kmod/ioctl_test=/rig/ioctl_test" >/dev/null || { echo "Bail out! initramfs build failed"; exit 1; }
# run.sh runs one program; the module's path goes in through a tiny wrapper script.
wrap=$b/kmod/run-in-vm.sh
printf '#!/bin/sh\nexec /rig/ioctl_test /rig/quark.ko\n' >"$wrap"
exec tests/rig/run.sh -k "$kver" -t "${KMOD_RIG_TIMEOUT:-240}" -i "$initrd" "$wrap"
