# guest/platform/kvm/kvm.mk - build/qkernel-kvm.elf, the kvm platform's boot image
# (milestone 1: boot, descriptor tables, exceptions, console, SMP start; qkernel's core is
# not linked in yet). Included by the top-level Makefile after guest/build.mk.
#
# Everything is compiled again into $(BUILD)/guest-kvm/ with -mcmodel=kernel: the image
# runs in the top 2 GiB (QUARK_KVM_KERNEL_MAP_BASE), where the default small code model's
# 32-bit absolute relocations cannot reach. -ffunction-sections + --gc-sections drop what
# the image does not use from guest/lib (e.g. kstrdup, whose kmalloc is not linked).

KVM_GUEST_CFLAGS = $(GUEST_CFLAGS) -mcmodel=kernel -ffunction-sections -fdata-sections
KVM_GUEST_SRCS := $(wildcard guest/platform/kvm/*.c) guest/lib/printf.c guest/lib/string.c
KVM_GUEST_ASM := $(wildcard guest/platform/kvm/*.S)
KVM_GUEST_OBJS := $(KVM_GUEST_SRCS:%.c=$(BUILD)/guest-kvm/%.o) \
	$(KVM_GUEST_ASM:%.S=$(BUILD)/guest-kvm/%.o)
KVM_GUEST_LDS := guest/platform/kvm/kvm.lds

# In `all` so that a change that breaks the image fails the ordinary build.
.PHONY: qkernel-kvm
all: $(BUILD)/qkernel-kvm.elf
qkernel-kvm: $(BUILD)/qkernel-kvm.elf

$(BUILD)/guest-kvm/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KVM_GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest-kvm/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KVM_GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/qkernel-kvm.elf: $(KVM_GUEST_OBJS) $(KVM_GUEST_LDS)
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,-T,$(KVM_GUEST_LDS) -Wl,--gc-sections \
		-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none \
		-o $@ $(KVM_GUEST_OBJS) -lgcc

-include $(KVM_GUEST_OBJS:.o=.d)
