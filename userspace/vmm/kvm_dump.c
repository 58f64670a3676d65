/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_dump.c - names for exit reasons and a text dump of a vCPU, for the errors
 * quark_kvm_run returns when a guest stops in a way it should not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "userspace/vmm/kvm_internal.h"

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "EXCEPTION",
	[KVM_EXIT_IO] = "IO",
	[KVM_EXIT_HYPERCALL] = "HYPERCALL",
	[KVM_EXIT_DEBUG] = "DEBUG",
	[KVM_EXIT_HLT] = "HLT",
	[KVM_EXIT_MMIO] = "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[KVM_EXIT_INTR] = "INTR",
	[KVM_EXIT_SET_TPR] = "SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	[KVM_EXIT_NMI] = "NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	[KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
	[KVM_EXIT_HYPERV] = "HYPERV",
	[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
	[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	[KVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
	[KVM_EXIT_AP_RESET_HOLD] = "AP_RESET_HOLD",
	[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
	[KVM_EXIT_XEN] = "XEN",
	[KVM_EXIT_NOTIFY] = "NOTIFY",
};
_Static_assert(sizeof(exit_names) / sizeof(exit_names[0]) <= QUARK_KVM_EXIT_SLOTS,
	       "exit counters too few");

const char *quark_kvm_exit_name(unsigned reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return "?";
}

static void dump_regs(FILE *f, const struct kvm_regs *r)
{
	fprintf(f, "  rip %016llx rsp %016llx rflags %08llx\n"
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n"
		"  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n"
		"  r13 %016llx r14 %016llx r15 %016llx\n",
		r->rip, r->rsp, r->rflags, r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi,
		r->rbp, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
}

static void dump_sregs(FILE *f, const struct kvm_sregs *s)
{
	fprintf(f, "  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n"
		"  efer %llx apic_base %llx cs %04x (l=%u dpl=%u) ss %04x tr %04x\n"
		"  gdt %016llx/%04x idt %016llx/%04x\n",
		s->cr0, s->cr2, s->cr3, s->cr4, s->efer, s->apic_base, s->cs.selector,
		s->cs.l, s->cs.dpl, s->ss.selector, s->tr.selector, s->gdt.base, s->gdt.limit,
		s->idt.base, s->idt.limit);
}

/* A guest-virtual address to guest memory, through the vCPU's page tables. */
static const void *guest_va(const struct kvm_vcpu *vcpu, uint64_t va, size_t n)
{
	struct kvm_translation t = { .linear_address = va };

	if (ioctl(vcpu->fd, KVM_TRANSLATE, &t) < 0 || !t.valid ||
	    (t.physical_address & 4095) + n > 4096)
		return NULL;
	return gmem_ptr(&vcpu->vm->mem, t.physical_address, n);
}

/* The bytes at rip, through the guest's own page tables. */
static void dump_code(FILE *f, const struct kvm_vcpu *vcpu, uint64_t rip)
{
	const uint8_t *p = guest_va(vcpu, rip, 16);

	if (!p) {
		fprintf(f, "  code: rip is not mapped to guest memory\n");
		return;
	}
	fprintf(f, "  code:");
	for (int i = 0; i < 16; i++)
		fprintf(f, " %02x", p[i]);
	fprintf(f, "\n");
}

/* qkernel keeps frame pointers: the return addresses up the rbp chain of a vCPU in
 * ring 0 (addr2line -e build/qkernel-kvm.elf turns them into lines). */
static void dump_backtrace(FILE *f, const struct kvm_vcpu *vcpu, uint64_t rbp)
{
	fprintf(f, "  backtrace:");
	for (int i = 0; i < 16 && rbp && !(rbp & 7); i++) {
		/* TRUST: guest memory, read only, through checked translations. */
		const uint64_t *fr = guest_va(vcpu, rbp, 16);

		if (!fr)
			break;
		fprintf(f, " %llx", (unsigned long long)fr[1]);
		if (fr[0] <= rbp)
			break;	/* frames go up the stack */
		rbp = fr[0];
	}
	fprintf(f, "\n");
}

/* The local APIC's interrupt state: what is being serviced, what waits, the timer. */
static void dump_lapic(FILE *f, const struct kvm_vcpu *vcpu)
{
	struct kvm_lapic_state la;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &la) < 0) {
		fprintf(f, "  KVM_GET_LAPIC failed\n");
		return;
	}
#define APIC_REG(off) (*(const uint32_t *)(const void *)&la.regs[off])
	fprintf(f, "  lapic isr");
	for (int i = 7; i >= 0; i--)
		fprintf(f, " %08x", APIC_REG(0x100 + i * 16));
	fprintf(f, "\n  lapic irr");
	for (int i = 7; i >= 0; i--)
		fprintf(f, " %08x", APIC_REG(0x200 + i * 16));
	fprintf(f, "\n  lapic tpr %x lvt-timer %08x tmict %08x\n", APIC_REG(0x80),
		APIC_REG(0x320), APIC_REG(0x380));
#undef APIC_REG
}

char *kvm_vcpu_dump(const struct kvm_vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return strdup("  (no memory for a register dump)");
	memset(&regs, 0, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	fprintf(f, "vcpu %u state:\n", vcpu->id);
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0) {
		dump_regs(f, &regs);
		dump_code(f, vcpu, regs.rip);
	} else {
		fprintf(f, "  KVM_GET_REGS failed\n");
	}
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) == 0) {
		dump_sregs(f, &sregs);
		if (sregs.cs.dpl == 0 && (sregs.efer & (1u << 10)))	/* ring 0, long mode */
			dump_backtrace(f, vcpu, regs.rbp);
	} else {
		fprintf(f, "  KVM_GET_SREGS failed\n");
	}
	dump_lapic(f, vcpu);
	if (sregs.cs.selector == 0xf000 && regs.rip == 0xfff0)
		fprintf(f, "  (x86 reset state: a vCPU not started yet, or one KVM reset after a "
			"triple fault, as it does on AMD; the faulting state is lost)\n");
	fclose(f);
	return buf ? buf : strdup("");
}
