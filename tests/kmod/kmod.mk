# tests/kmod/kmod.mk: quark.ko (Kbuild, kmod/, uapi/quark/quark_dev.h, dkms.conf).
# Included by the top-level Makefile (`-include tests/kmod/kmod.mk`); also works alone:
# `make -f tests/kmod/kmod.mk modules`.
#
#   make modules        build $(BUILD)/kmod/src/quark.ko against KDIR
#   make dkms-install   stage the source in /usr/src/quark-VER, dkms add/build/install
#   make dkms-remove    dkms remove --all and drop /usr/src/quark-VER
#   make test-kmod      prove -v $(KMOD_T): the ioctl tests in the QEMU rig, the DKMS build
#
# KDIR defaults to /lib/modules/$(uname -r)/build; when the running kernel has none (this
# host's kernel has no modules at all), the newest installed Debian 6.1 headers
# (/lib/modules/6.1.*-amd64/build, linux-headers-amd64), which is what the rig boots.
# Kbuild writes its objects next to the sources, so the sources are staged (copied) into
# $(BUILD)/kmod/src first: the tree stays clean, and that copy is what DKMS gets too.

BUILD ?= build
Q ?= @
PROVE ?= prove
KMOD_CC ?= gcc

KMOD_RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KMOD_61_KDIR := $(lastword $(sort $(wildcard /lib/modules/6.1.*-amd64/build)))
KDIR ?= $(if $(wildcard $(KMOD_RUNNING_KDIR)/Makefile),$(KMOD_RUNNING_KDIR),$(KMOD_61_KDIR))
KMOD_KVER = $(notdir $(patsubst %/build,%,$(KDIR)))

KMOD_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf 2>/dev/null)
KMOD_SRC_FILES := Kbuild dkms.conf $(wildcard kmod/*.c kmod/*.h) uapi/quark/quark_dev.h
KMOD_STAGE := $(BUILD)/kmod/src
KMOD_KO := $(KMOD_STAGE)/quark.ko
KMOD_IOCTL_TEST := $(BUILD)/kmod/ioctl_test
KMOD_T := tests/kmod/ioctl.t tests/kmod/dkms.t

.PHONY: modules kmod-stage dkms-install dkms-remove test-kmod

# kmod-stage mirrors the sources into $(KMOD_STAGE) (rsync-like: only changed files).
kmod-stage:
	@mkdir -p $(KMOD_STAGE)/kmod $(KMOD_STAGE)/uapi/quark
	$(Q)for f in $(KMOD_SRC_FILES); do \
	  cmp -s $$f $(KMOD_STAGE)/$$f || cp $$f $(KMOD_STAGE)/$$f; \
	done

modules: kmod-stage
	@test -f "$(KDIR)/Makefile" || { echo "kmod: no kernel build dir (KDIR=$(KDIR)); apt-get install linux-headers-amd64"; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(abspath $(KMOD_STAGE)) W=1 modules

$(KMOD_IOCTL_TEST): tests/kmod/ioctl_test.c uapi/quark/quark_dev.h
	@mkdir -p $(@D)
	$(Q)$(KMOD_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iuapi -static -pthread -o $@ $<

dkms-install: kmod-stage
	rm -rf /usr/src/quark-$(KMOD_VERSION)
	cp -r $(KMOD_STAGE) /usr/src/quark-$(KMOD_VERSION)
	find /usr/src/quark-$(KMOD_VERSION) -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
	  -o -name '*.mod*' -o -name 'modules.order' -o -name 'Module.symvers' | xargs rm -f
	dkms add -m quark -v $(KMOD_VERSION)
	dkms build -m quark -v $(KMOD_VERSION) -k $(KMOD_KVER)
	dkms install -m quark -v $(KMOD_VERSION) -k $(KMOD_KVER)

dkms-remove:
	-dkms remove -m quark -v $(KMOD_VERSION) --all
	rm -rf /usr/src/quark-$(KMOD_VERSION)

test-kmod: modules $(KMOD_IOCTL_TEST)
	KDIR=$(KDIR) $(PROVE) -v $(KMOD_T)
