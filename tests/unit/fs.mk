# tests/unit/fs.mk - host test of qkernel's VFS: guest/fs objects (built by guest/build.mk's
# rule, same flags as the kernel) linked with a small host shim, run by tests/unit/fs_vfs.t.
# Works included from the top-level Makefile or alone: make -f tests/unit/fs.mk build/unit/fs_vfs
BUILD ?= build
Q ?= @
ifndef GUEST_CFLAGS
include guest/build.mk
endif

FS_VFS_GUEST := $(patsubst %.c,$(BUILD)/%.o,$(wildcard guest/fs/*.c) guest/lib/string.c \
	guest/lib/printf.c guest/platform/ptrace/host.c)
FS_VFS_OBJS := $(BUILD)/unit/fs_vfs.o $(BUILD)/unit/fs_vfs_shim.o

$(FS_VFS_OBJS): $(BUILD)/unit/%.o: tests/unit/%.c $(BUILD)/gen/syscall_names.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_CFLAGS) -Iguest/fs -Iguest/platform/ptrace -c $< -o $@

# libc only for malloc/free/abort: everything else is qkernel's own code.
$(BUILD)/unit/fs_vfs: $(FS_VFS_OBJS) $(FS_VFS_GUEST)
	$(Q)$(CC) -no-pie -o $@ $^

TEST_UNIT_DEPS += $(BUILD)/unit/fs_vfs
-include $(FS_VFS_OBJS:.o=.d)
