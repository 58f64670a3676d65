# userspace/build.mk - build/quark (the host-side runtime, one self-contained binary with
# the ptrace-platform qkernel embedded), its unit tests, and the `make run` demo.
# Included by the top-level Makefile, which defines BUILD, CC, HOST_CFLAGS, Q and deps.

# Recursively expanded on purpose: evaluated when a recipe runs, i.e. after `make deps`
# has installed libjson-c-dev in the same `make run`.
USR_CFLAGS = $(HOST_CFLAGS) $(shell pkg-config --cflags json-c 2>/dev/null)
USR_LIBS = $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

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

# .incbin reads the sandbox binary at assembly time, so quark is rebuilt when it changes.
$(BUILD)/userspace/embed.o: userspace/embed.S $(BUILD)/qkernel-ptrace
	@mkdir -p $(@D)
	$(Q)$(CC) -c -DQKERNEL_PTRACE_PATH='"$(abspath $(BUILD)/qkernel-ptrace)"' $< -o $@

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
