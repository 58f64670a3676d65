# guest/platform/kvm/kvm.mk - the kvm platform's images. Included by the top-level
# Makefile after guest/build.mk.
#
#   build/qkernel-kvm.elf   qkernel: the core (kernel/ mm/ fs/ sys/ lib/) + platform/kvm
#   build/kvm-bootimg.elf   the VMM's test guest (tests/kvm/vmm_boot.t): boot.c's main with
#                           the platform's descriptor tables, exceptions and console only
#
# Everything is compiled again into $(BUILD)/guest-kvm/ with -mcmodel=kernel: the images
# run in the top 2 GiB (QUARK_KVM_KERNEL_MAP_BASE), where the default small code model's
# 32-bit absolute relocations cannot reach. -ffunction-sections + --gc-sections drop what
# an image does not use.

KVM_GUEST_CFLAGS = $(GUEST_CFLAGS) -mcmodel=kernel -ffunction-sections -fdata-sections
KVM_GUEST_LDS := guest/platform/kvm/kvm.lds
kvm_objs = $(patsubst %.S,$(BUILD)/guest-kvm/%.o,$(patsubst %.c,$(BUILD)/guest-kvm/%.o,$(1)))

KVM_PLAT_SHARED := guest/platform/kvm/cpu.c guest/platform/kvm/console.c guest/platform/kvm/entry.S
KVM_BOOTIMG_OBJS := $(call kvm_objs,$(KVM_PLAT_SHARED) guest/platform/kvm/boot.c \
	guest/lib/printf.c guest/lib/string.c)
KVM_QKERNEL_OBJS := $(call kvm_objs,$(GUEST_CORE_SRCS) $(wildcard guest/kernel/*.S) \
	$(filter-out guest/platform/kvm/boot.c,$(wildcard guest/platform/kvm/*.c guest/platform/kvm/*.S)))

# In `all` so that a change that breaks an image fails the ordinary build.
.PHONY: qkernel-kvm
all: $(BUILD)/qkernel-kvm.elf $(BUILD)/kvm-bootimg.elf
qkernel-kvm: $(BUILD)/qkernel-kvm.elf

$(BUILD)/guest-kvm/%.o: %.c $(BUILD)/gen/syscall_names.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(KVM_GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest-kvm/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KVM_GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

KVM_LINK = $(CC) -nostdlib -static -no-pie -Wl,-T,$(KVM_GUEST_LDS) -Wl,--gc-sections \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none

$(BUILD)/kvm-bootimg.elf: $(KVM_BOOTIMG_OBJS) $(KVM_GUEST_LDS)
	$(Q)$(KVM_LINK) -o $@ $(KVM_BOOTIMG_OBJS) -lgcc

$(BUILD)/qkernel-kvm.elf: $(KVM_QKERNEL_OBJS) $(KVM_GUEST_LDS)
	$(Q)$(KVM_LINK) -o $@ $(KVM_QKERNEL_OBJS) -lgcc
	$(Q)if nm $@ | grep -q ' w sys_'; then \
		echo "qkernel-kvm: syscalls.def lists handlers that do not exist:"; \
		nm $@ | grep ' w sys_'; rm -f $@; exit 1; fi

-include $(KVM_QKERNEL_OBJS:.o=.d) $(KVM_BOOTIMG_OBJS:.o=.d)
