#!/bin/bash
# tests/kvm/vmm_boot.t - boot the kvm boot image with our VMM on a real /dev/kvm: inside
# the QEMU rig (tests/rig/run.sh, AMD SVM emulated, kvm_amd), or directly when this
# already is the rig's VM. Skips, with the reason, where the rig cannot run.
top=$(cd "$(dirname "$0")/../.." && pwd)
case ${BUILD:-build} in /*) b=$BUILD ;; *) b=$top/${BUILD:-build} ;; esac
bin=$b/kvm/vmm_boot
if [ ! -x "$bin" ]; then
	echo "Bail out! $bin is not built; run make kvm-tests"
	exit 1
fi
[ "${RIG_GUEST:-0}" = 1 ] && exec "$bin"
if [ ! -x "$top/tests/rig/run.sh" ]; then
	echo "1..0 # SKIP the KVM rig (tests/rig/run.sh) is not there"
	exit 0
fi
# shellcheck source=tests/rig/lib.sh
. "$top/tests/rig/lib.sh"
if ! rig_check_prereqs; then
	echo "1..0 # SKIP $RIG_SKIP_REASON"
	exit 0
fi
if [ ! -f "$RIG_BUILD/initramfs.cpio.gz" ]; then
	"$top/tests/rig/build-initramfs.sh" >&2 || { echo "Bail out! rig initramfs build failed"; exit 1; }
fi
exec "$top/tests/rig/run.sh" "$bin"
