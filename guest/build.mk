# guest/build.mk - qkernel. The core (kernel/ mm/ fs/ sys/ lib/) is freestanding C with
# no libc; the ptrace platform links it into a static sandbox binary that uses raw host
# syscalls, with the stub program (the home of guest address spaces) embedded in it.

GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pie -fno-pic -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-strict-aliasing -fcf-protection=none \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-isystem /usr/include/x86_64-linux-gnu -isystem /usr/include \
	-Iguest/include -Iuapi -I$(BUILD)/gen -Iguest/sys -MMD -MP

GUEST_CORE_SRCS := $(filter-out guest/sys/gendoc.c,$(wildcard guest/kernel/*.c guest/mm/*.c guest/fs/*.c guest/sys/*.c guest/lib/*.c))
GUEST_PTRACE_SRCS := $(wildcard guest/platform/ptrace/*.c)
GUEST_PTRACE_ASM := $(wildcard guest/platform/ptrace/*.S) $(wildcard guest/kernel/*.S)
GUEST_CORE_OBJS := $(GUEST_CORE_SRCS:%.c=$(BUILD)/%.o)
GUEST_PTRACE_OBJS := $(GUEST_PTRACE_SRCS:%.c=$(BUILD)/%.o) \
	$(filter-out $(BUILD)/guest/platform/ptrace/stub.o,$(GUEST_PTRACE_ASM:%.S=$(BUILD)/%.o))

$(BUILD)/gen/syscall_names.h: /usr/include/x86_64-linux-gnu/asm/unistd_64.h
	@mkdir -p $(@D)
	$(Q)sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\t[\2] = "\1",/p' $< > $@

$(BUILD)/guest/%.o: guest/%.c $(BUILD)/gen/syscall_names.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/%.o: guest/%.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The stub: a tiny static program at the top of the user address space (above TASK_SIZE).
$(BUILD)/stub: guest/platform/ptrace/stub.S
	@mkdir -p $(@D)
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,-Ttext=0x7fff00001000 -Wl,--build-id=none \
		-Wl,-z,noexecstack -o $@ $<
	$(Q)nm $@ | grep -q '^00007fff00001010 T stub_itimer' && \
	  nm $@ | grep -q '^00007fff00001030 T stub_seccomp_prog' && \
	  nm $@ | grep -q '^00007fff00001100 T stub_batch' && \
	  nm $@ | grep -q '^00007fff00002000 B stub_ops' || \
	  { echo "stub layout changed: update guest/platform/ptrace/ptrace.h"; rm -f $@; exit 1; }

$(BUILD)/guest/platform/ptrace/embed.o: $(BUILD)/stub

$(BUILD)/qkernel-ptrace: $(GUEST_CORE_OBJS) $(GUEST_PTRACE_OBJS)
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,-z,noexecstack -o $@ $^ -lgcc
	$(Q)if nm $@ | grep -q ' w sys_'; then \
		echo "qkernel: syscalls.def lists handlers that do not exist:"; \
		nm $@ | grep ' w sys_'; rm -f $@; exit 1; fi

-include $(GUEST_CORE_OBJS:.o=.d) $(GUEST_PTRACE_OBJS:.o=.d)

# docs/syscalls.md is generated from the syscall table; tests check it is current.
$(BUILD)/gendoc: guest/sys/gendoc.c guest/sys/syscalls.def
	@mkdir -p $(@D)
	$(Q)$(CC) -O1 -Iguest/sys -o $@ $<

.PHONY: docs
docs: $(BUILD)/gendoc
	$(Q)$(BUILD)/gendoc > docs/syscalls.md
