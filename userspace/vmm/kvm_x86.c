/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_x86.c - x86-64 boot state: the page tables, GDT and TSS qkernel enters with,
 * CPUID, and each vCPU's registers for a direct 64-bit entry (no firmware, no real-mode
 * trampoline). The contract is uapi/quark/kvm_layout.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "userspace/util/cleanup.h"
#include "userspace/vmm/kvm_internal.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define GIB		(1ULL << 30)
#define PAGE_2M		(2ULL << 20)
#define PML4_IDX(va)	(((va) >> 39) & 511)
#define PDPT_IDX(va)	(((va) >> 30) & 511)

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* GDT descriptors: flat 64-bit code (L=1), flat data, in the classic 8-byte encoding. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define TSS_LIMIT	103
#define TSS_TYPE_BUSY	11	/* 64-bit TSS, busy: what LTR leaves behind */

/* Both maps are built from whole PDPT entries, so their bases must be 1 GiB aligned. */
_Static_assert(QUARK_KVM_DIRECT_MAP_BASE % GIB == 0, "direct map alignment");
_Static_assert(QUARK_KVM_KERNEL_MAP_BASE % GIB == 0, "kernel map alignment");
_Static_assert(QUARK_KVM_KERNEL_MAP_SIZE == GIB, "kernel map is one PD");
_Static_assert(QUARK_KVM_BOOT_PD + (QUARK_KVM_MEM_MAX / GIB) * 0x1000 <= QUARK_KVM_BOOT_STACKS,
	       "boot page directories overlap the boot stacks");
_Static_assert(QUARK_KVM_BOOT_STACKS + QUARK_KVM_MAX_VCPUS * QUARK_KVM_BOOT_STACK_SIZE <=
	       QUARK_KVM_BOOT_INFO, "boot stacks overlap the boot info");

static void put64(uint8_t *table, unsigned idx, uint64_t v)
{
	memcpy(table + idx * 8, &v, 8);
}

/* The PDs map every 2 MiB page of guest memory once; the three maps share them. */
static void build_page_tables(uint8_t *pt, uint64_t mem_size)
{
	uint64_t ngib = (mem_size + GIB - 1) / GIB;
	uint8_t *pml4 = pt, *ident = pt + 0x1000, *direct = pt + 0x2000, *kernel = pt + 0x3000;
	uint8_t *pd = pt + (QUARK_KVM_BOOT_PD - QUARK_KVM_BOOT_PML4);

	for (uint64_t pa = 0; pa < mem_size; pa += PAGE_2M)
		put64(pd, pa / PAGE_2M, pa | PTE_P | PTE_W | PTE_PS);
	for (uint64_t g = 0; g < ngib; g++)
		put64(direct, g, (QUARK_KVM_BOOT_PD + g * 0x1000) | PTE_P | PTE_W);
	put64(ident, 0, QUARK_KVM_BOOT_PD | PTE_P | PTE_W);
	put64(kernel, PDPT_IDX(QUARK_KVM_KERNEL_MAP_BASE), QUARK_KVM_BOOT_PD | PTE_P | PTE_W);
	put64(pml4, 0, QUARK_KVM_BOOT_PDPT_IDENT | PTE_P | PTE_W);
	put64(pml4, PML4_IDX(QUARK_KVM_DIRECT_MAP_BASE), QUARK_KVM_BOOT_PDPT_DIRECT | PTE_P | PTE_W);
	put64(pml4, PML4_IDX(QUARK_KVM_KERNEL_MAP_BASE), QUARK_KVM_BOOT_PDPT_KERNEL | PTE_P | PTE_W);
}

/* The 16-byte system descriptor of a 64-bit TSS at `base`. */
static void tss_descriptor(uint8_t *d, uint64_t base)
{
	uint64_t lo = TSS_LIMIT | (base & 0xffffff) << 16 | (uint64_t)(0x80 | TSS_TYPE_BUSY) << 40 |
		      ((base >> 24) & 0xff) << 56;
	uint64_t hi = base >> 32;

	memcpy(d, &lo, 8);
	memcpy(d + 8, &hi, 8);
}

static void build_gdt(uint8_t *gdt, uint8_t *tss)
{
	uint16_t iomap = TSS_LIMIT + 1;	/* bitmap offset past the limit: no I/O bitmap */

	memset(gdt, 0, QUARK_KVM_SEL_TSS + 16);
	put64(gdt, QUARK_KVM_SEL_CODE / 8, GDT_CODE64);
	put64(gdt, QUARK_KVM_SEL_DATA / 8, GDT_DATA);
	tss_descriptor(gdt + QUARK_KVM_SEL_TSS, QUARK_KVM_DIRECT_MAP_BASE + QUARK_KVM_BOOT_TSS);
	memset(tss, 0, TSS_LIMIT + 1);
	memcpy(tss + 102, &iomap, 2);
}

int kvm_x86_build_tables(const struct kvm_gmem *m, quark_error_t *err)
{
	uint64_t pt_len = QUARK_KVM_BOOT_PD - QUARK_KVM_BOOT_PML4 + (m->size + GIB - 1) / GIB * 0x1000;
	uint8_t *pt, *gdt, *tss;

	if (m->size > QUARK_KVM_MEM_MAX || m->size % PAGE_2M || m->size < QUARK_KVM_KERNEL_PHYS_MIN)
		return quark_make_error(err, 0, "guest memory of %llu bytes: want a multiple of "
					"2 MiB in [2 MiB, %llu MiB]", (unsigned long long)m->size,
					QUARK_KVM_MEM_MAX >> 20);
	pt = gmem_ptr(m, QUARK_KVM_BOOT_PML4, pt_len);
	gdt = gmem_ptr(m, QUARK_KVM_BOOT_GDT, QUARK_KVM_SEL_TSS + 16);
	tss = gmem_ptr(m, QUARK_KVM_BOOT_TSS, TSS_LIMIT + 1);
	if (!pt || !gdt || !tss)
		return quark_make_error(err, 0, "boot tables do not fit in guest memory");
	memset(pt, 0, pt_len);
	build_page_tables(pt, m->size);
	build_gdt(gdt, tss);
	return 0;
}

uint64_t kvm_x86_stack_top(unsigned vcpu)
{
	return QUARK_KVM_DIRECT_MAP_BASE + QUARK_KVM_BOOT_STACKS +
	       (uint64_t)(vcpu + 1) * QUARK_KVM_BOOT_STACK_SIZE;
}

static struct kvm_cpuid2 *cpuid_alloc(unsigned nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (c)
		c->nent = nent;
	return c;
}

int kvm_x86_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out, quark_error_t *err)
{
	/* KVM says E2BIG until the array is large enough; grow it until it is. */
	for (unsigned nent = 64; nent <= 4096; nent *= 2) {
		cleanup_free struct kvm_cpuid2 *c = cpuid_alloc(nent);

		if (!c)
			return quark_make_error(err, ENOMEM, "allocate CPUID table");
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*out = steal_ptr(&c);
			return 0;
		}
		if (errno != E2BIG)
			return quark_make_error(err, errno, "KVM_GET_SUPPORTED_CPUID");
	}
	return quark_make_error(err, E2BIG, "KVM_GET_SUPPORTED_CPUID");
}

/* Each vCPU's CPUID names its own APIC ID (leaf 1 EBX[31:24], x2APIC leaves 0xb/0x1f). */
static void cpuid_set_apic_id(struct kvm_cpuid2 *c, unsigned id)
{
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | id << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
	}
}

int kvm_x86_vcpu_init(int vcpu_fd, unsigned id, const struct kvm_cpuid2 *cpuid,
		      quark_error_t *err)
{
	size_t size = sizeof(*cpuid) + cpuid->nent * sizeof(cpuid->entries[0]);
	cleanup_free struct kvm_cpuid2 *c = malloc(size);

	if (!c)
		return quark_make_error(err, ENOMEM, "allocate CPUID table");
	memcpy(c, cpuid, size);
	cpuid_set_apic_id(c, id);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		return quark_make_error(err, errno, "vcpu %u: KVM_SET_CPUID2", id);
	return 0;
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, bool code)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

static void boot_sregs(struct kvm_sregs *s)
{
	s->cs = flat_segment(QUARK_KVM_SEL_CODE, 11, true);	/* execute/read, accessed */
	s->ds = s->es = s->fs = s->gs = s->ss = flat_segment(QUARK_KVM_SEL_DATA, 3, false);
	s->tr = (struct kvm_segment){
		.base = QUARK_KVM_DIRECT_MAP_BASE + QUARK_KVM_BOOT_TSS, .limit = TSS_LIMIT,
		.selector = QUARK_KVM_SEL_TSS, .type = TSS_TYPE_BUSY, .present = 1,
	};
	s->ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	s->gdt.base = QUARK_KVM_DIRECT_MAP_BASE + QUARK_KVM_BOOT_GDT;
	s->gdt.limit = QUARK_KVM_SEL_TSS + 16 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = QUARK_KVM_BOOT_PML4;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

int kvm_x86_vcpu_boot(int vcpu_fd, unsigned id, uint64_t entry, quark_error_t *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = entry,
		.rsp = kvm_x86_stack_top(id),
		.rdi = QUARK_KVM_BOOT_INFO,
		.rsi = id,
		.rflags = 0x2,	/* bit 1 is always set; IF clear */
	};

	/* Start from KVM's own reset state so apic_base and the rest stay as KVM made them. */
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return quark_make_error(err, errno, "vcpu %u: KVM_GET_SREGS", id);
	boot_sregs(&sregs);
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return quark_make_error(err, errno, "vcpu %u: KVM_SET_SREGS", id);
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return quark_make_error(err, errno, "vcpu %u: KVM_SET_REGS", id);
	return 0;
}
