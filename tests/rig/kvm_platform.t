#!/bin/bash
# tests/rig/kvm_platform.t: `quark --platform=kvm run` on real KVM, in the rig VM
# (prove -v tests/rig/kvm_platform.t, or make test-kvm).
#
# Builds build/quark, build/rig/quark-vmmtest (quark with the VMM's test guest as its kvm
# image) and the test programs, stages an initramfs with them, the test suites' scripts and
# a test rootfs, and boots the rig once: tests/rig/kvm_platform_vm.sh runs every case there
# natively and in a kvm-platform container and prints one TAP point per case. quark.ko,
# built for the rig kernel, goes in too: the last suite ("kmod") loads it and runs the kvm
# cases again with it (everything before runs without it).
# Skips (1..0 # SKIP reason) only when the rig itself cannot run (no QEMU, busybox-static or
# 6.1 kernel): a kvm platform that fails is a failure, case by case.
#
# Environment: RIG_PLATFORM_TIMEOUT (seconds for the VM, default 900), RIG_MEM (default
# 2048 here), RIG_SMP (run.sh's default 1; the SMP case gets 2 vCPUs either way), RIG_QT_TIMEOUT (seconds per container run, default 60),
# RIG_QT_PROBE_TIMEOUT (default 20),
# RIG_QT_ONLY="rw pipe" (a subset of the conformance programs), RIG_SUITES, and everything
# of tests/rig/lib.sh and run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/lib.sh
. "$here/lib.sh"

if ! rig_check_prereqs; then
	echo "1..0 # SKIP $RIG_SKIP_REASON"
	exit 0
fi
for f in /bin/bash /usr/bin/timeout /usr/bin/env; do
	[ -x "$f" ] || { echo "1..0 # SKIP $f not found (bash, coreutils)"; exit 0; }
done

root=$RIG_ROOT
build=$root/build
mkdir -p "$RIG_BUILD"
log=$RIG_BUILD/kvm-platform-build.log
t0=$SECONDS
if ! make -s -C "$root" Q= build/rig/quark-vmmtest build/bench-micro test-bins >"$log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build quark-vmmtest and the test programs (make, see $log)"
	tail -n 30 "$log" | sed 's/^/# /'
	exit 0
fi
# build/quark needs build/qkernel-kvm.elf: when that does not link, the VM still runs the
# plumbing cases, and reports the build failure as its first point.
# quark.ko for the rig kernel (the "kmod" suite loads it); a failure is that suite's point.
kmod_log=$RIG_BUILD/kvm-platform-kmod.log
kver=$(rig_kver)
kmod_arg="$build/kmod/src/quark.ko=/rig/quark.ko"
if ! make -s -C "$root" -f tests/kmod/kmod.mk Q= BUILD="$build" KDIR="/lib/modules/$kver/build" \
	modules >"$kmod_log" 2>&1 || [ ! -f "$build/kmod/src/quark.ko" ]; then
	kmod_arg="$kmod_log=/rig/kmod-build-failed.txt"
fi
quark_log=$RIG_BUILD/kvm-platform-quark.log
quark_ok=1
make -s -C "$root" Q= build/quark >"$quark_log" 2>&1 || quark_ok=0

# The staged tree: /rig/src (the suites as they are in the repo, prebuilt programs),
# /rig/testroot, /rig/bin (tools, quark and its wrappers).
stage=$RIG_BUILD/kvm-platform.stage
rm -rf "$stage"
mkdir -p "$stage"/src/tests "$stage"/src/build "$stage"/bin
cp -a "$root"/tests/lib "$stage"/src/tests/
for s in conformance scripts escape; do
	mkdir -p "$stage/src/tests/$s"
	cp -a "$root/tests/$s"/run.t "$stage/src/tests/$s/"
done
cp -a "$root"/tests/conformance/*.c "$stage"/src/tests/conformance/	# run.t takes the names from them
cp -a "$root"/tests/scripts/*.sh "$stage"/src/tests/scripts/
cp -a "$build"/escape "$build"/bench-micro "$stage"/src/build/
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -o "$stage"/src/build/smp "$here"/smp.c ||
	{ echo "Bail out! cannot build tests/rig/smp.c"; exit 1; }
# Native runs take the programs from the rootfs's copy: one copy of them in the VM's RAM.
ln -s /rig/testroot/conf "$stage"/src/build/conformance
# The suites build what is missing with make; everything is prebuilt, so make is a no-op.
printf '#!/bin/sh\n# the programs are prebuilt (tests/rig/kvm_platform.t)\nexit 0\n' >"$stage"/bin/make
printf '#!/bin/sh\nexec /rig/bin/quark --platform=kvm "$@"\n' >"$stage"/bin/quark-kvm
printf '#!/bin/sh\nexec /rig/bin/quark-vmmtest --platform=kvm "$@"\n' >"$stage"/bin/vmmtest-kvm
chmod 755 "$stage"/bin/*
quark_arg="$build/quark=/rig/bin/quark"
if [ $quark_ok = 0 ]; then
	tail -n 30 "$quark_log" >"$stage"/build-quark-failed.txt
	quark_arg="$stage/build-quark-failed.txt=/rig/build-quark-failed.txt"
fi
# The containers' rootfs, assembled here once (in the VM the suites only top it up).
(QT_ROOT=$stage/src QT_BUILD=$build QT_TESTROOT=$stage/testroot
	# shellcheck source=tests/lib/bundle.sh
	. "$root"/tests/lib/bundle.sh && qt_assemble_testroot) ||
	{ echo "Bail out! cannot assemble the test rootfs in $stage/testroot"; exit 1; }

initrd=$RIG_BUILD/kvm-platform.cpio.gz
if ! "$here/build-initramfs.sh" -o "$initrd" "$stage/bin=/rig/bin" "$stage/src=/rig/src" \
	"$stage/testroot=/rig/testroot" "$quark_arg" "$kmod_arg" \
	"$build/rig/quark-vmmtest=/rig/bin/quark-vmmtest" /bin/bash=/rig/bin/bash \
	/usr/bin/timeout=/rig/bin/timeout /usr/bin/env=/rig/bin/env \
	"$here/kvm_platform_vm.sh=/rig/kvm_platform_vm.sh" >/dev/null; then
	echo "Bail out! tests/rig/build-initramfs.sh failed"
	exit 1
fi
rm -rf "$stage"
echo "# staged in $((SECONDS - t0)) s: $(du -h "$initrd" | cut -f1) initramfs" >&2

export RIG_MEM=${RIG_MEM:-2048}
# The knobs reach the VM's /init as environment: the kernel hands init every unknown
# KEY=VALUE parameter without a dot. Spaces become commas on the way (kvm_platform_vm.sh).
append=""
for v in RIG_QT_TIMEOUT RIG_QT_PROBE_TIMEOUT RIG_QT_ONLY RIG_SUITES RIG_BENCH_GETPID RIG_BENCH_READ RIG_BENCH_WAKE RIG_KMOD_QT_ONLY; do
	[ -n "${!v:-}" ] && append="$append $v=${!v// /,}"
done
exec "$here/run.sh" -t "${RIG_PLATFORM_TIMEOUT:-900}" -i "$initrd" ${append:+-a "$append"} \
	-g /rig/kvm_platform_vm.sh
