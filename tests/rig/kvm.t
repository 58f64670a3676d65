#!/bin/bash
# tests/rig/kvm.t: real KVM in the rig VM (prove -v tests/rig/kvm.t, or make test-kvm).
#
# Boots Debian's 6.1 kernel under qemu-system-x86_64 -accel tcg -cpu max (emulated AMD SVM),
# loads kvm_amd and runs tests/rig/kvm_smoke inside: API version, capabilities, memslot,
# real-mode and long-mode vCPUs, irqchip/irqfd/ioeventfd. Its TAP comes back through run.sh.
# Skips (1..0 # SKIP reason) when QEMU, busybox-static or the 6.1 kernel and modules are not
# installed (make deps installs them; RIG_DEPS in tests/rig/rig.mk).
#
# Environment: RIG_KVM_SMOKE (prebuilt kvm_smoke), RIG_TIMEOUT (seconds, default 600),
# everything of tests/rig/lib.sh and run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/lib.sh
. "$here/lib.sh"

if ! rig_check_prereqs; then
	echo "1..0 # SKIP $RIG_SKIP_REASON"
	exit 0
fi

smoke=${RIG_KVM_SMOKE:-$RIG_BUILD/kvm_smoke}
src=$here/kvm_smoke.c
if [ ! -x "$smoke" ] || [ "$src" -nt "$smoke" ]; then
	mkdir -p "$(dirname "$smoke")"
	if ! ${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -static -pthread -o "$smoke" "$src" >&2; then
		echo "Bail out! cannot build $smoke from $src (static: needs libc6-dev)"
		exit 1
	fi
fi

initrd=$RIG_BUILD/kvm-smoke.cpio.gz
if ! "$here/build-initramfs.sh" -o "$initrd" "$smoke=/rig/kvm_smoke" >/dev/null; then
	echo "Bail out! tests/rig/build-initramfs.sh failed"
	exit 1
fi
exec "$here/run.sh" -i "$initrd" -g /rig/kvm_smoke
