# Quark-C top-level Makefile. `make run`, `make test`, `make bench`, `make deps`.
# Each part of the tree owns a fragment: guest/build.mk, userspace/build.mk, tests/build.mk.

BUILD   := build
CC      ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -Iuapi -D_GNU_SOURCE
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

.PHONY: all run test bench deps clean
all: $(BUILD)/quark

-include guest/build.mk
-include userspace/build.mk
-include tests/build.mk
-include guest/platform/kvm/kvm.mk
-include tests/kvm/kvm.mk
-include tests/rig/rig.mk
-include tests/kmod/kmod.mk

# The kvm platform's and quark.ko's tests join `make check`: host unit tests, the VMM boot,
# the KVM smoke test and the module's ioctl test inside the QEMU rig, and a DKMS build
# (each skips, saying why, when the machine cannot run it).
TEST_T += $(KVM_T) $(RIG_T) $(KMOD_T)
# Seconds per rig VM (they take ~10 s): a hang must not eat CI's time.
export RIG_TIMEOUT ?= 240
check: kvm-tests $(RIG_SMOKE) modules $(KMOD_IOCTL_TEST)

DEPS := build-essential pkg-config libjson-c-dev libcap-dev libseccomp-dev liburing-dev \
	musl-tools busybox-static runc crun bc dkms $(RIG_DEPS)
deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all present"; fi

$(BUILD)/bench-micro: tests/bench/micro.c
	@mkdir -p $(@D)
	$(Q)$(CC) -static -O2 -Wall -Wextra -o $@ $<

bench: all $(BUILD)/bench-micro
	tests/bench/bench.sh

# `make test` installs what is missing first, like `make run`, so a fresh machine needs
# nothing else; `make check` (tests/build.mk) runs the suites alone.
test: deps
	$(Q)$(MAKE) --no-print-directory check

clean:
	rm -rf $(BUILD)
