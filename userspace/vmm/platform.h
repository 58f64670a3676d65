/* SPDX-License-Identifier: MIT */
/*
 * vmm/platform.h - which platform runs qkernel: kvm (hardware virtualization) or ptrace
 * (qkernel in a host process, guest address spaces as ptraced stub processes).
 */
#ifndef QUARK_VMM_PLATFORM_H
#define QUARK_VMM_PLATFORM_H

#include <stdbool.h>

#include "userspace/util/error.h"

enum quark_platform { QUARK_PLATFORM_AUTO, QUARK_PLATFORM_KVM, QUARK_PLATFORM_PTRACE };

/* The kvm platform's host side (vmm/kvm*.c, sandbox/kvm_sandbox.c) is built. Its guest
 * image may still be missing from a given quark: quark_host_probe.kvm_image says. */
#define QUARK_HAVE_KVM_PLATFORM 1

/* What the host (and this build) offers, probed once; a struct so tests can feed any host. */
struct quark_host_probe {
	bool dev_kvm;		/* /dev/kvm exists */
	bool kvm_pvm;		/* /sys/module/kvm_pvm exists: paravirtual KVM */
	bool cpu_hwvirt;	/* /proc/cpuinfo flags has vmx or svm */
	bool kvm_image;		/* quark carries qkernel-kvm; set by the caller, since only the
				 * quark binary links the images (quark_host_probe: false) */
};

int quark_platform_parse(const char *name, enum quark_platform *out, quark_error_t *err);
const char *quark_platform_name(enum quark_platform p);

void quark_host_probe(struct quark_host_probe *p);

/* quark_platform_select - resolve `want` against the host. auto picks kvm only where it is
 * real hardware virtualization and quark carries its image; an explicit kvm that cannot
 * work is an error that says why. */
int quark_platform_select(enum quark_platform want, const struct quark_host_probe *host,
			  enum quark_platform *out, quark_error_t *err);

#endif
