/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/vmm/platform.h"

static const char *const names[] = {
	[QUARK_PLATFORM_AUTO] = "auto",
	[QUARK_PLATFORM_KVM] = "kvm",
	[QUARK_PLATFORM_PTRACE] = "ptrace",
};

int quark_platform_parse(const char *name, enum quark_platform *out, quark_error_t *err)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum quark_platform)i;
			return 0;
		}
	}
	return quark_make_error(err, 0, "unknown platform '%s' (want auto, kvm or ptrace)",
				name);
}

const char *quark_platform_name(enum quark_platform p)
{
	return names[p];
}

/* The "flags" line of /proc/cpuinfo names vmx (Intel) or svm (AMD) on hosts with VT. */
static bool cpuinfo_has_hwvirt(void)
{
	cleanup_file FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];

	char *tok, *save;

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, "vmx") || !strcmp(tok, "svm"))
				return true;
		return false;
	}
	return false;
}

void quark_host_probe(struct quark_host_probe *p)
{
	p->dev_kvm = access("/dev/kvm", F_OK) == 0;
	p->kvm_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	p->cpu_hwvirt = cpuinfo_has_hwvirt();
	p->kvm_image = false;
}

/* Why kvm cannot run here, or NULL when it can. */
static const char *kvm_unusable(const struct quark_host_probe *h)
{
	if (!h->dev_kvm)
		return "/dev/kvm does not exist on this host";
	if (h->kvm_pvm)
		return "/dev/kvm is kvm_pvm (paravirtual, guest ring 0 is interpreted and "
		       "SYSCALL cannot enter ring 0)";
	if (!h->cpu_hwvirt)
		return "the CPU offers no hardware virtualization (no vmx or svm flag in "
		       "/proc/cpuinfo)";
	if (!QUARK_HAVE_KVM_PLATFORM)
		return "this quark is built without the kvm platform";
	if (!h->kvm_image)
		return "this quark was built without the kvm platform's qkernel "
		       "(build/qkernel-kvm.elf)";
	return NULL;
}

int quark_platform_select(enum quark_platform want, const struct quark_host_probe *host,
			  enum quark_platform *out, quark_error_t *err)
{
	const char *why = kvm_unusable(host);

	switch (want) {
	case QUARK_PLATFORM_PTRACE:
		*out = QUARK_PLATFORM_PTRACE;
		return 0;
	case QUARK_PLATFORM_AUTO:
		*out = why ? QUARK_PLATFORM_PTRACE : QUARK_PLATFORM_KVM;
		return 0;
	case QUARK_PLATFORM_KVM:
		if (why)
			return quark_make_error(err, 0, "platform kvm: %s; use --platform=ptrace "
						"or auto", why);
		*out = QUARK_PLATFORM_KVM;
		return 0;
	}
	return quark_make_error(err, 0, "platform %d", (int)want);
}
