# tests/build.mk: test programs and `make test` (included by the top-level Makefile).
#
#   make test                 make deps, then `check`: unit, conformance, scripts, escape
#   make check                the same without installing dependencies
#   make test-bins            only build the test programs
#   make test-conformance     conformance programs, native vs $(QUARK)
#   make test-scripts         busybox shell scripts, native vs $(QUARK)
#   make test-escape          escape tests (quark only; skipped under other runtimes)
#   make test-runc            conformance + scripts with runc as the runtime (validates the harness)
#
# QUARK=/path/to/runtime overrides the runtime (default build/quark); QUARK=runc works.
# Usable alone too: make -f tests/build.mk test-bins

BUILD ?= build
Q ?= @
TEST_GCC ?= gcc
TEST_MUSL_CC ?= musl-gcc
TEST_CFLAGS := -std=gnu11 -O1 -Wall -Wextra -D_GNU_SOURCE -static
PROVE ?= prove

CONF_SRCS := $(sort $(wildcard tests/conformance/*.c))
CONF_NAMES := $(patsubst tests/conformance/%.c,%,$(CONF_SRCS))
CONF_GCC_BINS := $(CONF_NAMES:%=$(BUILD)/conformance/gcc/%)
CONF_MUSL_BINS := $(CONF_NAMES:%=$(BUILD)/conformance/musl/%)
ESCAPE_BIN := $(BUILD)/escape/escape
TEST_BINS := $(CONF_GCC_BINS) $(CONF_MUSL_BINS) $(ESCAPE_BIN)
TEST_UNIT_T := $(sort $(wildcard tests/unit/*.t))
TEST_T := $(TEST_UNIT_T) tests/conformance/run.t tests/scripts/run.t tests/escape/run.t

# tests/unit/ may add its own rules and prerequisites (TEST_UNIT_DEPS) here.
-include tests/unit/build.mk

.PHONY: check test-bins test-conformance test-scripts test-escape test-runc

$(BUILD)/conformance/gcc/%: tests/conformance/%.c tests/conformance/common.h
	@mkdir -p $(@D)
	$(Q)$(TEST_GCC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/conformance/musl/%: tests/conformance/%.c tests/conformance/common.h
	@mkdir -p $(@D)
	@command -v $(TEST_MUSL_CC) >/dev/null || { echo "$(TEST_MUSL_CC) not found: apt-get install musl-tools (or make deps)" >&2; exit 1; }
	$(Q)$(TEST_MUSL_CC) $(TEST_CFLAGS) -o $@ $<

$(ESCAPE_BIN): tests/escape/escape.c
	@mkdir -p $(@D)
	$(Q)$(TEST_GCC) $(TEST_CFLAGS) -o $@ $<

test-bins: $(TEST_BINS)

check: $(BUILD)/quark $(BUILD)/gendoc $(TEST_BINS) $(TEST_UNIT_DEPS)
	$(PROVE) -v $(TEST_T)

test-conformance: $(CONF_GCC_BINS) $(CONF_MUSL_BINS)
	$(PROVE) -v tests/conformance/run.t

test-scripts:
	$(PROVE) -v tests/scripts/run.t

test-escape: $(ESCAPE_BIN)
	$(PROVE) -v tests/escape/run.t

test-runc: $(CONF_GCC_BINS) $(CONF_MUSL_BINS)
	QUARK=runc $(PROVE) -v tests/conformance/run.t tests/scripts/run.t tests/escape/run.t
