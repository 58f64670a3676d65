/*
 * trap.c - the kvm platform's half of qk/platform.h for running user code: address
 * spaces (CR3, TLB), entering ring 3, turning what left it (SYSCALL, exception,
 * interrupt) into a struct trap, and the user FPU state.
 *
 * CR3 follows the task a CPU runs (plat_switch): an idle CPU is on the boot page
 * tables, so an mm's page tables are loaded only where one of its tasks runs, and
 * freeing them (plat_mm_destroy, by its last task) cannot pull them from under another
 * CPU. Tasks do not share an mm across CPUs yet (no CLONE_THREAD; vfork's parent
 * sleeps), so TLB flushes are local.
 *
 * FPU: qkernel is built with -mgeneral-regs-only, so the FPU/SSE/AVX registers hold the
 * state of the last task that ran user code on this CPU (fpu_owner) until another task's
 * user code needs them; only then is the owner's state saved (XSAVE, or FXSAVE without
 * it) into its area, and the new task's restored. With more than one CPU the state is
 * saved when a task leaves its CPU, since it may run next on another.
 */
#include <qk/platform.h>
#include <qk/proc.h>
#include <qk/lib.h>

#include "kvm.h"
#include "kvm_plat.h"

/* Flags user code may hold: CF PF AF ZF SF TF DF OF RF AC ID (not IOPL, NT, VM, IF). */
#define EFLAGS_USER_MASK	(0x1UL | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | \
				 0x10000 | 0x40000 | 0x200000)
#define EFLAGS_IF	0x200UL
#define EFLAGS_FIXED	0x2UL

#define PF_WRITE	(1u << 1)
#define PF_INSN		(1u << 4)

struct fpu_area {
	u8 bytes[4096];		/* XSAVE area (64-byte aligned: it is a page) */
};

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* --- address spaces --- */

/* Every mm's PML4 carries the kernel half of the boot PML4 (direct map, kernel image),
 * without the user bit, so the kernel runs on any task's CR3. */
static void mm_load(struct mm *mm)
{
	pte_t *pml4 = __va(mm->pgd);
	const pte_t *boot = __va(QUARK_KVM_BOOT_PML4);

	if (pml4[511] != boot[511])
		for (int i = 256; i < 512; i++)
			pml4[i] = boot[i];
	if (read_cr3() != mm->pgd)
		write_cr3(mm->pgd);
}

void plat_mm_changed(struct mm *mm, uaddr_t start, uaddr_t end)
{
	if (read_cr3() != mm->pgd)
		return;		/* not loaded: loading it flushes */
	if (end - start > 32 * PAGE_SIZE) {
		write_cr3(mm->pgd);
		return;
	}
	for (uaddr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < end; va += PAGE_SIZE)
		asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Its page tables are about to be freed: never leave them in CR3. */
void plat_mm_destroy(struct mm *mm)
{
	if (read_cr3() == mm->pgd)
		write_cr3(QUARK_KVM_BOOT_PML4);
}

int plat_mm_attach(struct task *t, struct mm *old, struct mm *mm)
{
	(void)t;
	(void)old;
	(void)mm;
	return 0;
}

void plat_mem_first_use(paddr_t start, paddr_t end)
{
	(void)start;	/* guest memory is a memslot: KVM maps it as the guest touches it */
	(void)end;
}

/* --- FPU --- */

/* XSAVE is used while XCR0 still holds what boot put there. Under nested emulation
 * (the QEMU rig: L1 KVM on TCG's SVM) it was seen to fall back to x87-only after exits;
 * then FXSAVE from there on: its image is the XSAVE area's legacy part, so areas saved
 * either way restore either way (AVX upper halves are lost at the switch). */
static bool xsave_ok(void)
{
	u32 lo, hi;

	if (!kvm_xsave_mask)
		return false;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if (((u64)hi << 32 | lo) == kvm_xsave_mask)
		return true;
	pr_warn("kvm: XCR0 changed from %#llx to %#llx behind qkernel's back: using FXSAVE",
		(unsigned long long)kvm_xsave_mask, (unsigned long long)((u64)hi << 32 | lo));
	kvm_xsave_mask = 0;
	return false;
}

static void fpu_save(struct fpu_area *a)
{
	if (xsave_ok())
		asm volatile("xsave64 %0" : "=m"(*a) : "a"((u32)kvm_xsave_mask),
			     "d"((u32)(kvm_xsave_mask >> 32)) : "memory");
	else
		asm volatile("fxsave64 %0" : "=m"(*a) : : "memory");
}

static void fpu_restore(const struct fpu_area *a)
{
	if (xsave_ok())
		asm volatile("xrstor64 %0" : : "m"(*a), "a"((u32)kvm_xsave_mask),
			     "d"((u32)(kvm_xsave_mask >> 32)) : "memory");
	else
		asm volatile("fxrstor64 %0" : : "m"(*a) : "memory");
}

/* The XSAVE header's XSTATE_BV (bytes 512..519): which components hold non-init state. */
static u64 *xstate_bv(struct fpu_area *a)
{
	return (u64 *)(a->bytes + 512);
}

/* Make t's area current: its saved copy is stale while t owns this CPU's registers. */
static struct fpu_area *fpu_sync(struct task *t)
{
	struct fpu_area *a = t->plat;
	struct kvm_cpu *kc = kvm_this_cpu();

	if (a && kc->fpu_owner == t) {
		fpu_save(a);
		kc->fpu_owner = NULL;
	}
	return a;
}

int plat_get_fpu(struct task *t, struct fxregs *fx)
{
	struct fpu_area *a = fpu_sync(t);

	if (!a)
		return -ESRCH;
	memcpy(fx, a->bytes, sizeof(*fx));
	return 0;
}

int plat_set_fpu(struct task *t, const struct fxregs *fx)
{
	struct fpu_area *a = fpu_sync(t);

	if (!a)
		return -ESRCH;
	memcpy(a->bytes, fx, sizeof(*fx));
	((struct fxregs *)a->bytes)->mxcsr &= kvm_mxcsr_mask;
	if (kvm_xsave_mask)
		*xstate_bv(a) = 3 & kvm_xsave_mask;	/* x87, SSE from the image; AVX zero */
	return 0;
}

int plat_task_init(struct task *t)
{
	paddr_t pa = page_alloc();
	struct fpu_area *a = __va(pa);
	struct fxregs *fx;

	if (!pa)
		return -ENOMEM;
	if (current && current->plat && current != t) {
		/* clone/fork: the child starts with the parent's FPU state */
		memcpy(a, fpu_sync(current), sizeof(*a));
	} else {
		fx = (struct fxregs *)a->bytes;
		fx->cwd = 0x37f;
		fx->mxcsr = 0x1f80;
	}
	t->plat = a;
	return 0;
}

void plat_task_exit(struct task *t)
{
	for (int c = 0; c < ncpus; c++)
		if (kvm_cpus[c].fpu_owner == t)
			kvm_cpus[c].fpu_owner = NULL;
	if (t->plat)
		page_put(__pa(t->plat));
	t->plat = NULL;
}

static void fpu_switch_to(struct task *t)
{
	struct kvm_cpu *kc = kvm_this_cpu();

	if (kc->fpu_owner == t)
		return;
	if (kc->fpu_owner)
		fpu_save(kc->fpu_owner->plat);
	fpu_restore(t->plat);
	kc->fpu_owner = t;
}

void plat_switch(struct task *prev, struct task *next)
{
	struct mm *mm = next->proc ? next->proc->mm : NULL;

	if (ncpus > 1)
		fpu_sync(prev);
	if (mm)
		mm_load(mm);
	else if (read_cr3() != QUARK_KVM_BOOT_PML4)
		write_cr3(QUARK_KVM_BOOT_PML4);
}

/* --- running user code --- */

static bool canonical_user(u64 va)
{
	return va < 0x00007ffffffff000UL;
}

/* What an exception in user mode means to the core (the signals Linux sends). */
static void exception_trap(struct task *t, unsigned vec, u64 error, struct trap *tr)
{
	tr->kind = TRAP_SIGNAL;
	tr->addr = t->regs.rip;
	switch (vec) {
	case 14: {	/* #PF */
		u64 cr2;

		asm volatile("mov %%cr2, %0" : "=r"(cr2));
		tr->kind = TRAP_FAULT;
		tr->addr = cr2;
		tr->access = error & PF_WRITE ? FAULT_WRITE : error & PF_INSN ? FAULT_EXEC : FAULT_READ;
		return;
	}
	case 0:		/* #DE */
		tr->sig = SIGFPE, tr->code = FPE_INTDIV;
		return;
	case 1:		/* #DB */
	case 3:		/* #BP: Linux reports int3 as SI_KERNEL, rip past it */
		tr->sig = SIGTRAP, tr->code = SI_KERNEL, tr->addr = 0;
		return;
	case 6:		/* #UD */
		tr->sig = SIGILL, tr->code = ILL_ILLOPN;
		return;
	case 16:	/* #MF */
		tr->sig = SIGFPE, tr->code = FPE_FLTINV;
		return;
	case 19:	/* #XM: SIMD floating point */
		tr->sig = SIGFPE, tr->code = FPE_FLTINV;
		return;
	case 17:	/* #AC */
		tr->sig = SIGBUS, tr->code = BUS_ADRALN;
		return;
	default:	/* #GP (privileged instructions, bad segments, non-canonical), #SS, ... */
		tr->sig = SIGSEGV, tr->code = SI_KERNEL, tr->addr = 0;
		return;
	}
}

void plat_run_user(struct task *t, struct trap *tr)
{
	struct uregs *r = &t->regs;
	struct percpu *pc = percpu_of(cpu_id());
	bool sysret;
	int how;

	mm_load(t->proc->mm);
	fpu_switch_to(t);
	r->eflags = (r->eflags & EFLAGS_USER_MASK) | EFLAGS_IF | EFLAGS_FIXED;
	r->cs = USER_CS;
	r->ss = USER_DS;
	wrmsr(MSR_FS_BASE, r->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, r->gs_base);	/* SWAPGS makes it the user's GS base */
	kvm_timer_arm_user();
	spin_unlock(&kernel_lock);
	/* SYSRETQ loads RIP from RCX and RFLAGS from R11: usable when those hold them anyway
	 * (right after a syscall) and RIP is canonical (SYSRET #GPs in ring 0 otherwise). */
	sysret = r->rcx == r->rip && r->r11 == r->eflags && canonical_user(r->rip) &&
		 !(r->eflags & 0x10100);	/* not TF or RF */
	how = kvm_enter_user(r, sysret);
	/* An interrupt's own work first: a host-call completion may be what the CPU that
	 * holds the kernel lock waits for. */
	if (how == ENTER_TRAP && (pc->vector >= 32 || pc->vector == VEC_NMI))
		kvm_irq((unsigned)pc->vector);
	/* That path returns with RET: an NMI from user mode would block NMIs until some
	 * IRET, and a halt before then could not be woken by the VMM's next one. */
	if (how == ENTER_TRAP && pc->vector == VEC_NMI)
		kvm_iret_self();
	spin_lock(&kernel_lock);
	if (how == ENTER_SYSCALL) {
		tr->kind = TRAP_SYSCALL;
		return;
	}
	if (pc->vector < 32 && pc->vector != VEC_NMI) {
		exception_trap(t, (unsigned)pc->vector, pc->error, tr);
		return;
	}
	hc_deliver_events();
	tr->kind = TRAP_PREEMPT;
}
