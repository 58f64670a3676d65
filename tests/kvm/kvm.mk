# tests/kvm/kvm.mk - tests of the kvm platform's VMM (included by the top-level Makefile,
# after userspace/build.mk and guest/platform/kvm/kvm.mk, whose variables it uses).
#
#   make test-kvm-unit   host unit test of the VMM's pure parts (no /dev/kvm needed)
#   make test-kvm-vmm    boot build/kvm-bootimg.elf with the VMM inside the QEMU rig
#                        (real kvm_amd); skipped, with the reason, when the rig cannot run
#
# vmm_boot is static and carries the boot image (tests/kvm/embed.S): the rig copies one
# file into its VM, which has busybox and no libc.

PROVE ?= prove
KVM_TEST_CFLAGS = $(USR_CFLAGS) -Itests/unit -MMD -MP
KVM_VMM_BOOT := $(BUILD)/kvm/vmm_boot
KVM_UNIT := $(BUILD)/kvm/test_kvm_boot

# KVM_T: the prove-able tests, for `make check` (TEST_T) once the lead wires them in.
KVM_T := tests/kvm/unit.t tests/kvm/vmm_boot.t

.PHONY: test-kvm-unit test-kvm-vmm kvm-tests
all: $(KVM_UNIT)
kvm-tests: $(KVM_VMM_BOOT) $(KVM_UNIT)

$(BUILD)/kvm/embed.o: tests/kvm/embed.S $(BUILD)/kvm-bootimg.elf
	@mkdir -p $(@D)
	$(Q)$(CC) -c -DQKERNEL_KVM_PATH='"$(abspath $(BUILD)/kvm-bootimg.elf)"' $< -o $@

$(BUILD)/kvm/%.o: tests/kvm/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KVM_TEST_CFLAGS) -c $< -o $@

$(KVM_VMM_BOOT): $(BUILD)/kvm/vmm_boot.o $(BUILD)/kvm/embed.o $(USR_LIB)
	$(Q)$(CC) -static -o $@ $(BUILD)/kvm/vmm_boot.o $(BUILD)/kvm/embed.o $(USR_LIB) -luring -lpthread

$(KVM_UNIT): $(BUILD)/kvm/test_kvm_boot.o $(USR_LIB)
	$(Q)$(CC) -o $@ $(BUILD)/kvm/test_kvm_boot.o $(USR_LIB)

test-kvm-unit: $(KVM_UNIT)
	$(PROVE) -v tests/kvm/unit.t

test-kvm-vmm: $(KVM_VMM_BOOT)
	$(PROVE) -v tests/kvm/vmm_boot.t

-include $(BUILD)/kvm/vmm_boot.d $(BUILD)/kvm/test_kvm_boot.d
