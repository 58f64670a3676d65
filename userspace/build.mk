# userspace/build.mk - build/quark (the host-side runtime, one self-contained binary with
# the qkernel images embedded), its unit tests, and the `make run` demo.
# Included by the top-level Makefile, which defines BUILD, CC, HOST_CFLAGS, Q and deps.

# Recursively expanded on purpose: evaluated when a recipe runs, i.e. after `make deps`
# has installed libjson-c-dev in the same `make run`.
USR_CFLAGS = $(HOST_CFLAGS) $(shell pkg-config --cflags json-c 2>/dev/null)
USR_LIBS = $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -luring -lpthread

# Everything but the CLI goes into one archive; unit tests link only what they use.
USR_LIB_SRCS := $(wildcard userspace/util/*.c userspace/oci/*.c userspace/vmm/*.c \
		userspace/sandbox/*.c)
USR_CLI_SRCS := $(wildcard userspace/cli/*.c)
USR_LIB_OBJS := $(USR_LIB_SRCS:%.c=$(BUILD)/%.o)
USR_CLI_OBJS := $(USR_CLI_SRCS:%.c=$(BUILD)/%.o)
USR_LIB := $(BUILD)/userspace/libquark.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

# `make` builds the unit tests too, so `prove tests/unit/*.t` works right after it;
# tests/build.mk's `test` waits for them through TEST_UNIT_DEPS.
.PHONY: unit-tests demo-bundle
all: $(UNIT_TESTS)
unit-tests: $(UNIT_TESTS)
TEST_UNIT_DEPS += $(UNIT_TESTS)

$(BUILD)/userspace/%.o: userspace/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(USR_CFLAGS) -MMD -MP -c $< -o $@

$(USR_LIB): $(USR_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# The kvm platform's qkernel goes into quark as soon as it links, which guest/platform/kvm/
# kvm.mk announces by putting qkernel-kvm.elf in `all`. Until then quark is built without
# it and `--platform=kvm` says so. Override: QUARK_KVM_IMAGE=FILE (any kvm image, e.g. the
# VMM's test guest) or QUARK_KVM_IMAGE= (none).
QUARK_KVM_IMAGE ?= $(if $(shell grep -s '^all:.*qkernel-kvm\.elf' guest/platform/kvm/kvm.mk),\
	$(BUILD)/qkernel-kvm.elf)
# embed_flags(ptrace image, kvm image or empty): the -D flags of userspace/embed.S.
embed_flags = -DQKERNEL_PTRACE_PATH='"$(abspath $(1))"' \
	$(if $(strip $(2)),-DQKERNEL_KVM_PATH='"$(abspath $(strip $(2)))"')

# .incbin reads the images at assembly time, so quark is rebuilt when they change.
$(BUILD)/userspace/embed.o: userspace/embed.S $(BUILD)/qkernel-ptrace $(strip $(QUARK_KVM_IMAGE))
	@mkdir -p $(@D)
	$(Q)$(CC) -c $(call embed_flags,$(BUILD)/qkernel-ptrace,$(QUARK_KVM_IMAGE)) $< -o $@

$(BUILD)/quark: $(USR_CLI_OBJS) $(BUILD)/userspace/embed.o $(USR_LIB)
	$(Q)$(CC) -o $@ $(USR_CLI_OBJS) $(BUILD)/userspace/embed.o $(USR_LIB) $(USR_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/tap.h $(USR_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USR_CFLAGS) -Itests/unit -MMD -MP $< -o $@ $(USR_LIB) $(USR_LIBS)

-include $(USR_LIB_OBJS:.o=.d) $(USR_CLI_OBJS:.o=.d) $(UNIT_TESTS:=.d)

# The demo bundle: a busybox-static rootfs and a script showing it runs inside qkernel.
demo-bundle: $(BUILD)/demo/config.json
$(BUILD)/demo/config.json: userspace/demo/mkdemo.sh
	$(Q)sh userspace/demo/mkdemo.sh $(BUILD)/demo

# `deps` first, then a sub-make, so the build sees packages deps just installed.
run: deps
	$(Q)$(MAKE) --no-print-directory all demo-bundle
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "make run: 'quark run' needs root (it keeps state in /run/quark); try: sudo make run" >&2; \
	  exit 1; fi
	$(BUILD)/quark run --bundle $(BUILD)/demo quark-demo-$$$$
