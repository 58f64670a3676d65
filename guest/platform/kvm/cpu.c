/*
 * cpu.c - per-CPU descriptor tables and CPU exceptions.
 *
 * Each CPU gets its own GDT (its TSS descriptor goes busy on LTR, so it cannot be shared)
 * and TSS: RSP0 is the CPU's small entry stack, where an exception or interrupt from user
 * mode lands before entry.S moves it into the task's registers; IST1 takes #DF and #MC
 * so that even a kernel stack overflow is reported instead of triple faulting, and IST2
 * the NMI, which may come in ring 0 while RSP is still the user's (the first instructions
 * of the SYSCALL entry, the last before SYSRETQ). The IDT
 * is shared. GS base points at the CPU's struct percpu while in the kernel (SWAPGS swaps
 * it with the user's on every user/kernel crossing). The kernel selectors are the boot
 * GDT's (kvm_layout.h), so the switch from the VMM's GDT to ours changes no segment.
 */
#include <qk/lib.h>

#include "kvm.h"

#define IST_SIZE	4096
#define ENTRY_STACK	1024
#define GATE_INTR	0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTR_USER	0xee	/* the same, and user code may raise it (int3) */
#define TSS_AVAIL	0x89	/* present, 64-bit TSS, available */

struct tss64 {
	u32 rsv0;
	u64 rsp[3];
	u64 rsv1;
	u64 ist[7];
	u64 rsv2;
	u16 rsv3;
	u16 iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, rsv;
};
_Static_assert(sizeof(struct idt_gate) == 16, "gate layout");

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static u64 gdt[QUARK_KVM_MAX_VCPUS][GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss[QUARK_KVM_MAX_VCPUS] __attribute__((aligned(16)));
static u8 ist_stacks[QUARK_KVM_MAX_VCPUS][IST_SIZE] __attribute__((aligned(16)));
static u8 nmi_stacks[QUARK_KVM_MAX_VCPUS][IST_SIZE] __attribute__((aligned(16)));
static u8 entry_stacks[QUARK_KVM_MAX_VCPUS][ENTRY_STACK] __attribute__((aligned(16)));
static struct percpu percpu[QUARK_KVM_MAX_VCPUS];
static struct idt_gate idt[256] __attribute__((aligned(16)));

void (*kvm_irq_hook)(unsigned vector);
const struct exc_frame *kvm_nmi_frame;
volatile int bp_armed, bp_hits;
volatile u64 bp_rip;

static void build_gdt(unsigned cpu)
{
	u64 base = (u64)&tss[cpu];
	u64 *g = gdt[cpu];

	g[0] = 0;
	g[KERNEL_CS >> 3] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	g[KERNEL_DS >> 3] = 0x00cf93000000ffffULL;	/* data, DPL 0 */
	g[3] = 0;
	g[USER32_CS >> 3] = 0x00cffb000000ffffULL;	/* 32-bit code, DPL 3 (SYSRET's base) */
	g[USER_DS >> 3] = 0x00cff3000000ffffULL;	/* data, DPL 3 */
	g[USER_CS >> 3] = 0x00affb000000ffffULL;	/* 64-bit code, DPL 3 */
	g[TSS_SEL >> 3] = (sizeof(struct tss64) - 1) | (base & 0xffffff) << 16 |
			  (u64)TSS_AVAIL << 40 | ((base >> 24) & 0xff) << 56;
	g[(TSS_SEL >> 3) + 1] = base >> 32;
	tss[cpu].rsp[0] = (u64)&entry_stacks[cpu][ENTRY_STACK];
	tss[cpu].ist[0] = (u64)&ist_stacks[cpu][IST_SIZE];
	tss[cpu].ist[1] = (u64)&nmi_stacks[cpu][IST_SIZE];
	tss[cpu].iomap = sizeof(struct tss64);	/* no I/O bitmap: user IN/OUT is #GP */
}

/* Load our GDT, reload CS with a far return and the data segments, then TR. */
static void load_gdt(unsigned cpu)
{
	struct desc_ptr p = { sizeof(gdt[cpu]) - 1, (u64)gdt[cpu] };
	u64 tmp;

	asm volatile("lgdt %0" : : "m"(p));
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %[tmp]\n\t"
		     "pushq %[tmp]\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %[ds], %k[tmp]\n\t"
		     "movl %k[tmp], %%ds\n\t"
		     "movl %k[tmp], %%es\n\t"
		     "movl %k[tmp], %%ss\n\t"
		     "movl %k[tmp], %%fs\n\t"
		     "movl %k[tmp], %%gs"
		     : [tmp] "=&r"(tmp)
		     : [cs] "i"(QUARK_KVM_SEL_CODE), [ds] "i"(QUARK_KVM_SEL_DATA)
		     : "memory");
	asm volatile("ltr %w0" : : "r"(TSS_SEL));
}

static void set_gate(unsigned v, u64 a, u8 type)
{
	idt[v] = (struct idt_gate){
		.off0 = (u16)a, .sel = KERNEL_CS, .type = type,
		.off1 = (u16)(a >> 16), .off2 = (u32)(a >> 32),
		.ist = (v == 8 || v == 18) ? 1 : v == 2 ? 2 : 0,	/* #DF, #MC; NMI */
	};
}

static void build_idt(void)
{
	static const u8 irq_vec[] = { VEC_TIMER, VEC_HOSTCALL, VEC_IPI, VEC_SPURIOUS };

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, exc_stubs[v], v == 3 ? GATE_INTR_USER : GATE_INTR);
	for (unsigned i = 0; i < ARRAY_SIZE(irq_vec); i++)
		set_gate(irq_vec[i], irq_stubs[i], GATE_INTR);
}

void cpu_init(unsigned cpu)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)idt };

	if (cpu == 0)
		build_idt();
	build_gdt(cpu);
	load_gdt(cpu);
	asm volatile("lidt %0" : : "m"(p));
	percpu[cpu].id = cpu;
	/* After the segment reload: writing GS zeroes the base the MSR sets. */
	wrmsr(MSR_GS_BASE, (u64)&percpu[cpu]);
}

struct percpu *percpu_of(unsigned cpu)
{
	return &percpu[cpu];
}

unsigned cpu_id(void)
{
	u32 id;

	asm volatile("movl %%gs:0, %0" : "=r"(id));
	return id;
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?", "#TS", "#NP",
	"#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void exc_handler(struct exc_frame *f)
{
	u64 cr2;

	/* Taken just before kvm_safe_halt's HLT (STI's shadow not honoured): do not return
	 * to it, or the CPU would halt with this wake-up already spent. */
	if (f->rip == (u64)kvm_halt_insn)
		f->rip++;

	if ((f->vector >= 32 || f->vector == VEC_NMI) && kvm_irq_hook) {
		if (f->vector == VEC_NMI)
			kvm_nmi_frame = f;
		kvm_irq_hook((unsigned)f->vector);
		kvm_nmi_frame = NULL;
		return;
	}
	/* The boot self-test's int3: a trap, so iretq resumes after it. */
	if (f->vector == 3 && bp_armed) {
		bp_hits++;
		bp_rip = f->rip;
		return;
	}
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	kprintf("qkernel-kvm: cpu %u: exception %llu (%s) error %#llx at rip %#llx rsp %#llx "
		"cr2 %#llx\n", cpu_id(), (unsigned long long)f->vector,
		f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?",
		(unsigned long long)f->error, (unsigned long long)f->rip,
		(unsigned long long)f->rsp, (unsigned long long)cr2);
	kvm_shutdown(KVM_WSTATUS_EXC(f->vector));
}
