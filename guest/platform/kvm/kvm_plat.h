/*
 * kvm_plat.h - what the files of qkernel's kvm platform (not the test boot image) share.
 */
#ifndef QK_KVM_PLAT_H
#define QK_KVM_PLAT_H

#include <qk/types.h>
#include <quark/kvm_layout.h>

#include "kvm.h"

#define MSR_APIC_BASE		0x1b
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_LVT_TIMER	0x832
#define MSR_X2APIC_TMICT	0x838
#define MSR_X2APIC_TDCR		0x83e
#define MSR_X2APIC_ICR		0x830

struct pvclock {
	u32 version, pad0;
	u64 tsc_timestamp, system_time;
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags, pad[2];
} __attribute__((aligned(32)));

/* Per-CPU state of the platform (struct percpu in kvm.h is what entry.S needs). */
struct kvm_cpu {
	struct pvclock pvclock;		/* kvmclock, written by KVM */
	u64 timer_deadline;		/* when the armed one-shot fires, UINT64_MAX: none */
	struct task *fpu_owner;		/* whose user FPU state the registers hold */
	volatile bool halted;		/* in the idle loop's HLT (kick with an IPI) */
	volatile bool polling;		/* idle, in a host POLL without the kernel lock */
	volatile bool kicked;		/* a task became runnable meanwhile */
	/* the host call this CPU waits for (hostcall.c, under hc_lock) */
	u64 wait_tag;
	long wait_result;
	volatile bool wait_done;
	u64 late_irqs;			/* kvm_count_late_irq */
	u64 wake_nmis;			/* NMIs from the VMM that only woke this vCPU */
};
extern struct kvm_cpu kvm_cpus[QUARK_KVM_MAX_VCPUS];
static inline struct kvm_cpu *kvm_this_cpu(void)
{
	return &kvm_cpus[cpu_id()];
}

/* Spin locks. The big kernel lock (qk/sched.h's model) is held by the CPU that runs
 * kernel code; it is dropped only to run user code and to halt. */
struct spinlock {
	u32 locked;
};
static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			asm volatile("pause");
}
static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
extern struct spinlock kernel_lock;

void kvm_send_ipi(unsigned cpu);

/* main.c: CPU features chosen at boot */
extern u64 kvm_xsave_mask;	/* XCR0, 0 = no XSAVE (FXSAVE is used) */
extern u32 kvm_mxcsr_mask;
void kvm_irq(unsigned vector);		/* an interrupt: EOI and its work */
void kvm_timer_arm_user(void);		/* before user mode: the next tick */
void kvm_timer_arm_within(u64 ns);	/* the timer fires within ns from now */
void kvm_count_late_irq(void);		/* after a HLT that waited for the host */
#define IDLE_RECHECK_NS	100000000ULL	/* an idle halt looks at the ring at least this often */

/* hostcall.c */
void hc_init(void);
void hc_reap(void);			/* take completions off the ring */
bool hc_cq_nonempty(void);
bool hc_deliver_events(void);		/* forwarded host signals, at a safe point */
void hc_dump(void);			/* the ring as the guest sees it, on the console */
bool hc_nmi_dump_requested(void);	/* the VMM's NMI is a dump request */

#endif
