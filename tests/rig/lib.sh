# tests/rig/lib.sh: shared helpers for the KVM rig scripts (bash; sourced).
# shellcheck shell=bash disable=SC2034  # RIG_* variables are read by the scripts that source this
#
#   . tests/rig/lib.sh
#   rig_kver            print the Debian 6.1 kernel version to use (6.1.0-NN-amd64), or fail
#   rig_check_prereqs   0 if everything the rig needs is installed; reason in RIG_SKIP_REASON
#
# Environment:
#   RIG_KVER     kernel version to use (default: the newest 6.1.*-amd64 that has both
#                /boot/vmlinuz-VER and /lib/modules/VER)
#   RIG_BUILD    output directory (default: <repo>/build/rig)
#   RIG_QEMU     QEMU binary (default: qemu-system-x86_64)
#   RIG_BUSYBOX  static busybox for the initramfs (default: /bin/busybox, busybox-static)

RIG_ROOT=${RIG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RIG_DIR=$RIG_ROOT/tests/rig
RIG_BUILD=${RIG_BUILD:-$RIG_ROOT/build/rig}
RIG_QEMU=${RIG_QEMU:-qemu-system-x86_64}
RIG_BUSYBOX=${RIG_BUSYBOX:-/bin/busybox}
# The modules /dev/kvm needs on AMD (kvm_amd pulls the rest in through modules.dep).
RIG_MODULES=${RIG_MODULES:-kvm-amd}
# Debian packages the rig needs (kept in sync with RIG_DEPS in tests/rig/rig.mk).
RIG_PACKAGES="qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio xz-utils"

rig_log() { echo "rig: $*" >&2; }
rig_die() { echo "rig: error: $*" >&2; exit 1; }

rig_kver() {
	if [ -n "${RIG_KVER:-}" ]; then
		echo "$RIG_KVER"
		return 0
	fi
	local v best=""
	for d in /lib/modules/6.1.*-amd64; do
		[ -d "$d" ] || continue
		v=${d##*/}
		[ -f "/boot/vmlinuz-$v" ] || continue
		[ -f "$d/modules.dep" ] || continue
		best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# Is the rig runnable here? Sets RIG_SKIP_REASON when not.
rig_check_prereqs() {
	RIG_SKIP_REASON=""
	local missing="" t
	command -v "$RIG_QEMU" >/dev/null 2>&1 || missing="$missing $RIG_QEMU(qemu-system-x86)"
	for t in xz cpio gzip; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -x "$RIG_BUSYBOX" ] || missing="$missing $RIG_BUSYBOX(busybox-static)"
	local kv
	if ! kv=$(rig_kver); then
		missing="$missing linux-6.1-kernel+modules(linux-image-amd64: no /boot/vmlinuz-6.1.*-amd64 with /lib/modules)"
	elif [ ! -f "/boot/vmlinuz-$kv" ] || [ ! -f "/lib/modules/$kv/modules.dep" ]; then
		missing="$missing /boot/vmlinuz-$kv+/lib/modules/$kv(linux-image-amd64)"
	fi
	if [ -n "$missing" ]; then
		RIG_SKIP_REASON="KVM rig needs:$missing (make deps installs: $RIG_PACKAGES)"
		return 1
	fi
	return 0
}
