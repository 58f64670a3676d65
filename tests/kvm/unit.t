#!/bin/sh
# tests/kvm/unit.t - the VMM's pure parts on the host (no /dev/kvm), for prove; the real
# boot image must pass the loader too. Built by `make kvm-tests` (tests/kvm/kvm.mk).
top=$(cd "$(dirname "$0")/../.." && pwd)
case ${BUILD:-build} in /*) b=$BUILD ;; *) b=$top/${BUILD:-build} ;; esac
if [ ! -x "$b/kvm/test_kvm_boot" ]; then
	echo "Bail out! $b/kvm/test_kvm_boot is not built; run make kvm-tests"
	exit 1
fi
exec "$b/kvm/test_kvm_boot" "$b/kvm-bootimg.elf"
