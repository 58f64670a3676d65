/* SPDX-License-Identifier: MIT */
/* tests/unit/test_platform.c - platform choice for every kind of host. */
#include "tap.h"
#include "userspace/vmm/platform.h"

#define P_AUTO QUARK_PLATFORM_AUTO
#define P_KVM QUARK_PLATFORM_KVM
#define P_PTRACE QUARK_PLATFORM_PTRACE

static const struct row {
	const char *name;
	enum quark_platform want;
	struct quark_host_probe host;	/* dev_kvm, kvm_pvm, cpu_hwvirt, kvm_image */
	enum quark_platform expect;
	const char *err;
} rows[] = {
	{ "auto, no kvm", P_AUTO, { false, false, false, true }, P_PTRACE, NULL },
	{ "auto, kvm_pvm", P_AUTO, { true, true, false, true }, P_PTRACE, NULL },
	{ "auto, kvm_pvm module but no /dev/kvm", P_AUTO, { false, true, false, true }, P_PTRACE,
	  NULL },
	{ "auto, real kvm", P_AUTO, { true, false, true, true }, P_KVM, NULL },
	{ "auto, real kvm, quark without qkernel-kvm", P_AUTO, { true, false, true, false },
	  P_PTRACE, NULL },
	{ "ptrace, real kvm", P_PTRACE, { true, false, true, true }, P_PTRACE, NULL },
	{ "kvm, no /dev/kvm", P_KVM, { false, true, false, true }, 0,
	  "platform kvm: /dev/kvm does not exist on this host; use --platform=ptrace or auto" },
	{ "kvm, kvm_pvm", P_KVM, { true, true, false, true }, 0,
	  "platform kvm: /dev/kvm is kvm_pvm (paravirtual, guest ring 0 is interpreted and "
	  "SYSCALL cannot enter ring 0); use --platform=ptrace or auto" },
	{ "kvm, kvm_pvm, no qkernel-kvm: kvm_pvm is the reason", P_KVM, { true, true, false, false },
	  0, "platform kvm: /dev/kvm is kvm_pvm" },
	{ "kvm, no vmx/svm", P_KVM, { true, false, false, true }, 0, "no hardware virtualization" },
	{ "kvm, real kvm", P_KVM, { true, false, true, true }, P_KVM, NULL },
	{ "kvm, real kvm, quark without qkernel-kvm", P_KVM, { true, false, true, false }, 0,
	  "platform kvm: this quark was built without the kvm platform's qkernel" },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

int main(void)
{
	enum quark_platform p;
	quark_error_t err = NULL;

	tap_plan(NROWS + 3);
	for (int i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		int ret = quark_platform_select(r->want, &r->host, &p, &err);

		if (!r->err)
			ok(ret == 0 && p == r->expect, "%s -> %s", r->name, quark_platform_name(r->expect));
		else if (!ok(ret < 0 && contains(err->msg, r->err), "%s refused", r->name))
			diag("got '%s'", err ? err->msg : "(success)");
		quark_error_release(&err);
	}
	ok(quark_platform_parse("ptrace", &p, &err) == 0 && p == P_PTRACE, "parse ptrace");
	ok(quark_platform_parse("auto", &p, &err) == 0 && p == P_AUTO, "parse auto");
	ok(quark_platform_parse("qemu", &p, &err) < 0 && contains(err->msg, "unknown platform 'qemu'"),
	   "parse rejects unknown names");
	quark_error_release(&err);
	return tap_done();
}
