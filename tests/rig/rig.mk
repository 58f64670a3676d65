# tests/rig/rig.mk: the KVM rig (QEMU TCG VM with emulated AMD SVM running Debian's 6.1 kernel
# and kvm_amd). Included by the top-level Makefile with `-include tests/rig/rig.mk`.
#
#   make test-kvm        build kvm_smoke (static) and run prove -v tests/rig/kvm.t in the VM
#   make rig-initramfs   build/rig/initramfs.cpio.gz + build/rig/vmlinux-VER only
#   make rig-shell       boot the VM with an interactive shell on the console (debugging)
#
# RIG_DEPS: the Debian packages the rig needs, for `make deps`.
# RIG_T: the prove-able rig tests, for `make test`/`check`.

BUILD ?= build
Q ?= @
PROVE ?= prove
RIG_CC ?= gcc

RIG_DEPS := qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio xz-utils
RIG_T := tests/rig/kvm.t
RIG_SMOKE := $(BUILD)/rig/kvm_smoke

.PHONY: test-kvm rig-initramfs rig-shell

$(RIG_SMOKE): tests/rig/kvm_smoke.c
	@mkdir -p $(@D)
	$(Q)$(RIG_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread -o $@ $<

test-kvm: $(RIG_SMOKE)
	RIG_KVM_SMOKE=$(abspath $(RIG_SMOKE)) $(PROVE) -v $(RIG_T)

rig-initramfs:
	tests/rig/build-initramfs.sh
	tests/rig/extract-vmlinux.sh

rig-shell: rig-initramfs
	tests/rig/run.sh -s
