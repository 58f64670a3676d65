# tests/rig/rig.mk: the KVM rig (QEMU TCG VM with emulated AMD SVM running Debian's 6.1 kernel
# and kvm_amd). Included by the top-level Makefile with `-include tests/rig/rig.mk`.
#
#   make test-kvm        build kvm_smoke (static) and run prove -v $(RIG_T) in the VM: kvm.t
#                        (real KVM works) and kvm_platform.t (quark --platform=kvm run: the
#                        conformance programs, busybox scripts and escape test vs native)
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
RIG_T := tests/rig/kvm.t tests/rig/kvm_platform.t
RIG_SMOKE := $(BUILD)/rig/kvm_smoke

.PHONY: test-kvm rig-initramfs rig-shell

$(RIG_SMOKE): tests/rig/kvm_smoke.c
	@mkdir -p $(@D)
	$(Q)$(RIG_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread -o $@ $<

# kvm_platform.t runs build/quark, and this one: the same objects with the VMM's test guest
# (build/kvm-bootimg.elf: boots, prints, shuts down) as its kvm image, which proves the
# run -> sandbox -> VMM -> exit status plumbing whatever state qkernel-kvm is in.
RIG_QUARK_VMMTEST := $(BUILD)/rig/quark-vmmtest

$(BUILD)/rig/embed-vmmtest.o: userspace/embed.S $(BUILD)/qkernel-ptrace $(BUILD)/kvm-bootimg.elf
	@mkdir -p $(@D)
	$(Q)$(CC) -c $(call embed_flags,$(BUILD)/qkernel-ptrace,$(BUILD)/kvm-bootimg.elf) $< -o $@

$(RIG_QUARK_VMMTEST): $(USR_CLI_OBJS) $(BUILD)/rig/embed-vmmtest.o $(USR_LIB)
	$(Q)$(CC) -o $@ $(USR_CLI_OBJS) $(BUILD)/rig/embed-vmmtest.o $(USR_LIB) $(USR_LIBS)

test-kvm: $(RIG_SMOKE)
	RIG_KVM_SMOKE=$(abspath $(RIG_SMOKE)) $(PROVE) -v $(RIG_T)

rig-initramfs:
	tests/rig/build-initramfs.sh
	tests/rig/extract-vmlinux.sh

rig-shell: rig-initramfs
	tests/rig/run.sh -s
