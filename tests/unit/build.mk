# tests/unit/build.mk - unit tests that link real qkernel code compiled for the host
# (included by tests/build.mk). Other tests/unit/test_*.c build with the generic rule in
# userspace/build.mk; the explicit rules here take precedence for these two.
#
# The guest objects are built with qkernel's own GUEST_CFLAGS into $(BUILD)/unit-guest/
# (not shared with the qkernel build, so a unit test never races it), and the tests link
# with -no-pie because those flags say -fno-pie. The guest's memcpy/memset/strlen/
# vsnprintf... have standard semantics and override libc's inside the test binary.

ifneq ($(GUEST_CFLAGS),)

UNIT_GUEST_CFLAGS := $(GUEST_CFLAGS)
UNIT_HOST_CFLAGS = $(HOST_CFLAGS) -Iguest/include -Itests/unit -MMD -MP

# test_vma: the memory manager (page allocator, heap, page tables, VMAs, faults) and the
# library code it calls. kfree is wrapped so the test can poison freed objects.
UNIT_VMA_GUEST := mm/pmm mm/kmalloc mm/pgtable mm/vma mm/fault lib/string lib/printf lib/printk
UNIT_VMA_OBJS := $(UNIT_VMA_GUEST:%=$(BUILD)/unit-guest/%.o)

# test_elf: the pure ELF checks of execve.
UNIT_ELF_OBJS := $(BUILD)/unit-guest/kernel/elf.o

$(BUILD)/unit-guest/%.o: guest/%.c $(BUILD)/gen/syscall_names.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_GUEST_CFLAGS) -c $< -o $@

# Host objects are compiled one by one so that each gets its own dependency file.
UNIT_HOST_OBJS := $(BUILD)/unit/test_vma.o $(BUILD)/unit/mm_harness.o $(BUILD)/unit/test_elf.o
$(UNIT_HOST_OBJS): $(BUILD)/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_HOST_CFLAGS) -c $< -o $@

# (Objects named, not $^: dependency files may add headers as prerequisites.)
UNIT_VMA_LINK := $(BUILD)/unit/test_vma.o $(BUILD)/unit/mm_harness.o $(UNIT_VMA_OBJS)
$(BUILD)/unit/test_vma: $(UNIT_VMA_LINK)
	$(Q)$(CC) -no-pie -Wl,--wrap=kfree $(UNIT_VMA_LINK) -o $@

$(BUILD)/unit/test_elf: $(BUILD)/unit/test_elf.o $(UNIT_ELF_OBJS)
	$(Q)$(CC) -no-pie $(BUILD)/unit/test_elf.o $(UNIT_ELF_OBJS) -o $@

TEST_UNIT_DEPS += $(BUILD)/unit/test_vma $(BUILD)/unit/test_elf

-include $(UNIT_VMA_OBJS:.o=.d) $(UNIT_ELF_OBJS:.o=.d) $(UNIT_HOST_OBJS:.o=.d)

endif
