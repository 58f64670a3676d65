/* SPDX-License-Identifier: MIT */
/*
 * uapi/quark/kvm_layout.h - the boot contract between the VMM (userspace/vmm/kvm*.c) and
 * qkernel on the kvm platform: guest physical layout, boot page tables, entry state and
 * the I/O ports qkernel uses to talk to the VMM. Mostly constants: both sides compute
 * addresses from these numbers. (__ASSEMBLY__ hides the one struct from entry code.)
 *
 * Guest physical memory is one flat range [0, mem_size), one memslot backed by a memfd.
 * mem_size is at most QUARK_KVM_MEM_MAX so that the range stays below the x86 MMIO hole
 * (IOAPIC 0xfec00000, LAPIC 0xfee00000, the VMX TSS pages at 0xfffbd000).
 *
 *   guest physical                        what the VMM puts there before entry
 *   0x000000 +----------------------+
 *            | unused               |     never written: a stray gpa 0 finds zeros
 *   0x001000 +----------------------+
 *            | boot GDT, boot TSS   |     GDT: null, code64 0x08, data 0x10, TSS 0x18
 *   0x002000 +----------------------+
 *            | PML4                 |
 *   0x003000 | PDPT identity        |     PML4[0]   -> 1st GiB identity mapped
 *   0x004000 | PDPT direct map      |     PML4[273] -> all memory at DIRECT_MAP_BASE
 *   0x005000 | PDPT kernel map      |     PML4[511] -> 1st GiB at KERNEL_MAP_BASE
 *   0x006000 | PD per GiB of memory |     2 MiB pages; the 1st-GiB PD is shared by the
 *            |   (up to 3 pages)    |     three maps (same pages, three addresses)
 *   0x009000 +----------------------+
 *            | free                 |
 *   0x080000 +----------------------+
 *            | boot stacks          |     4 KiB per vCPU, QUARK_KVM_MAX_VCPUS of them
 *   0x0c0000 +----------------------+
 *            | host-call ring       |     uapi/quark/hostcall.h, zeroed (8 KiB)
 *   0x0c2000 +----------------------+
 *            | free                 |
 *   0x100000 +----------------------+
 *            | boot info blob       |     uapi/quark/boot.h, at most 1 MiB
 *   0x200000 +----------------------+
 *            | kernel image         |     PT_LOAD segments at their p_paddr
 *            | ... free memory      |
 *   mem_size +----------------------+
 *
 * Virtual addresses at entry (4-level paging, 2 MiB pages, all RW, supervisor, no NX):
 *   [0, min(mem_size, 1 GiB))                        identity (for the AP trampoline era;
 *                                                    qkernel may drop it)
 *   KERNEL_MAP_BASE + [0, min(mem_size, 1 GiB))      the kernel image: linked at
 *                                                    KERNEL_MAP_BASE + its physical address
 *   DIRECT_MAP_BASE + [0, mem_size)                  every byte of guest memory
 */
#ifndef QUARK_UAPI_KVM_LAYOUT_H
#define QUARK_UAPI_KVM_LAYOUT_H

#define QUARK_KVM_MEM_MAX		0xc0000000ULL		/* 3 GiB, below the MMIO hole */
#define QUARK_KVM_MAX_VCPUS		64

#define QUARK_KVM_BOOT_GDT		0x1000ULL
#define QUARK_KVM_BOOT_TSS		0x1800ULL		/* 104 bytes, no I/O bitmap */
#define QUARK_KVM_BOOT_PML4		0x2000ULL
#define QUARK_KVM_BOOT_PDPT_IDENT	0x3000ULL
#define QUARK_KVM_BOOT_PDPT_DIRECT	0x4000ULL
#define QUARK_KVM_BOOT_PDPT_KERNEL	0x5000ULL
#define QUARK_KVM_BOOT_PD		0x6000ULL		/* + 0x1000 per GiB */
#define QUARK_KVM_BOOT_STACKS		0x80000ULL
#define QUARK_KVM_BOOT_STACK_SIZE	0x1000ULL
#define QUARK_KVM_HC_RING		0xc0000ULL		/* struct quark_hc_ring */
#define QUARK_KVM_HC_RING_SIZE		0x2000ULL
#define QUARK_KVM_BOOT_INFO		0x100000ULL		/* RDI at entry */
#define QUARK_KVM_KERNEL_PHYS_MIN	0x200000ULL		/* lowest p_paddr allowed */

#define QUARK_KVM_KERNEL_MAP_BASE	0xffffffff80000000ULL	/* virt = base + phys */
#define QUARK_KVM_KERNEL_MAP_SIZE	0x40000000ULL		/* 1 GiB */
#define QUARK_KVM_DIRECT_MAP_BASE	0xffff888000000000ULL	/* virt = base + phys */

/* Boot GDT selectors (also what qkernel's own GDT should use, so reloads are no-ops). */
#define QUARK_KVM_SEL_CODE		0x08
#define QUARK_KVM_SEL_DATA		0x10
#define QUARK_KVM_SEL_TSS		0x18

/*
 * Entry state of every vCPU (the BSP at boot; an AP when the BSP starts it):
 *   64-bit mode, CPL 0, CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE, EFER = LME|LMA,
 *   CR3 = QUARK_KVM_BOOT_PML4, CS = SEL_CODE, DS/ES/FS/GS/SS = SEL_DATA (base 0),
 *   GDTR = DIRECT_MAP_BASE + BOOT_GDT, TR = SEL_TSS, IDTR = {0, 0} (an exception before
 *   qkernel loads its IDT is a triple fault), RFLAGS = 0x2 (interrupts off),
 *   RIP = ELF e_entry, RSP = DIRECT_MAP_BASE + top of the vCPU's boot stack,
 *   RDI = QUARK_KVM_BOOT_INFO (guest physical), RSI = vCPU index (0 = BSP).
 * NX, SCE, FSGSBASE, OSFXSR... are off: qkernel turns on what it uses.
 */

/*
 * I/O ports (OUT only; any other port access stops the VM with an error and a dump).
 * QUARK_KVM_PORT_CONSOLE   out8 (rep outsb too, but KVM exits once per byte): raw bytes
 *                          of the debug console, for code that has nothing else yet.
 * QUARK_KVM_PORT_CONBUF    out32: guest physical address of a struct quark_kvm_console
 *                          (8-byte aligned) followed by its bytes: one exit per write.
 *                          A bad address, len or flags stops the VM with an error.
 * Console bytes go, line by line, to the VMM's console fd; control characters other
 * than newline and tab are shown as '?'.
 * QUARK_KVM_PORT_SHUTDOWN  out32: a wait status (exit code << 8, or a signal number);
 *                          the VMM stops every vCPU and reports it. Anything that is not
 *                          a wait status is an error.
 * QUARK_KVM_PORT_CPU_START out32: a vCPU index in [1, ncpus); the VMM starts that vCPU
 *                          at e_entry with the entry state above. Starting one twice or
 *                          an index out of range is an error.
 */
#define QUARK_KVM_PORT_CONSOLE		0x3f8
#define QUARK_KVM_PORT_SHUTDOWN		0x501
#define QUARK_KVM_PORT_CPU_START	0x502
#define QUARK_KVM_PORT_CONBUF		0x503
/* QUARK_KVM_PORT_HC_DOORBELL out32 (any value): the host-call doorbell, an ioeventfd
 *                          (no exit to the VMM's vCPU thread; see uapi/quark/hostcall.h). */
#define QUARK_KVM_PORT_HC_DOORBELL	0x504

/* Host-call completions arrive as this interrupt vector (an MSI routed from an irqfd on
 * GSI QUARK_KVM_HC_GSI to APIC id 0). qkernel uses x2APIC (MSRs, no MMIO). */
#define QUARK_KVM_HC_VECTOR		0x40
#define QUARK_KVM_HC_GSI		24

#ifndef __ASSEMBLY__
#include <linux/types.h>

#define QUARK_KVM_CONSOLE_MAX		4096	/* bytes per QUARK_KVM_PORT_CONBUF write */
#define QUARK_KVM_CONSOLEF_MAX_FLAG	(1u << 0)	/* no flags defined yet */

struct quark_kvm_console {
	__u32 len;		/* in: bytes that follow, <= QUARK_KVM_CONSOLE_MAX */
	__u32 flags;		/* in: < QUARK_KVM_CONSOLEF_MAX_FLAG */
	/* followed by len bytes of text */
};
_Static_assert(sizeof(struct quark_kvm_console) == 8, "ABI");
#endif

#endif
