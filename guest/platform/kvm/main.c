/*
 * main.c - qkernel on the kvm platform: boot (entry.S calls kvm_main on every vCPU),
 * CPU features, time (kvmclock), the x2APIC timer, idling, logging and shutdown.
 *
 * SMP: the boot CPU takes the big kernel lock, starts the other vCPUs (they wait for
 * the lock, then become idle CPUs of the scheduler) and enters the core. A CPU drops
 * the lock only to run user code (trap.c) and to halt (plat_idle, and an idle CPU's
 * host POLL in hostcall.c); a task made runnable kicks a halted CPU with an IPI.
 */
#include <qk/platform.h>
#include <qk/proc.h>
#include <qk/host.h>
#include <qk/lib.h>
#include <quark/boot.h>

#include "kvm.h"
#include "kvm_plat.h"

#define CR4_OSFXSR	(1UL << 9)
#define CR4_OSXMMEXCPT	(1UL << 10)
#define CR4_OSXSAVE	(1UL << 18)
#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)
#define EFER_SCE	(1UL << 0)
#define EFER_NXE	(1UL << 11)
#define XCR0_WANTED	0x7UL		/* x87, SSE, AVX */
#define APIC_EN		(1UL << 11)
#define APIC_EXTD	(1UL << 10)	/* x2APIC mode */
#define SFMASK_FLAGS	0x47700UL	/* TF DF IF IOPL NT AC cleared at SYSCALL */
#define TICK_NS		10000000ULL	/* user-mode tick: timers, time slices */

u64 kvm_xsave_mask;
u32 kvm_mxcsr_mask = 0xffbf;
struct kvm_cpu kvm_cpus[QUARK_KVM_MAX_VCPUS];
struct spinlock kernel_lock;
static u64 boot_realtime_ns, boot_mono_ns;
static int log_fd = -1;
static bool hc_up;
extern char _end[];

static void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static __noreturn void boot_fail(const char *why)
{
	kprintf("qkernel-kvm: %s\n", why);
	kvm_shutdown(WSTATUS_PANIC);
}

/* --- time --- */

/* kvmclock: KVM keeps (tsc_timestamp, system_time, scale) current for this vCPU; the
 * version is odd while it writes. No exit. */
u64 clock_monotonic_ns(void)
{
	const struct pvclock *pv = &kvm_this_cpu()->pvclock;
	u32 v;
	u64 ns;

	do {
		u64 delta;
		u32 lo, hi;

		v = __atomic_load_n(&pv->version, __ATOMIC_ACQUIRE);
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
		delta = ((u64)hi << 32 | lo) - pv->tsc_timestamp;
		if (pv->tsc_shift < 0)
			delta >>= -pv->tsc_shift;
		else
			delta <<= pv->tsc_shift;
		ns = pv->system_time +
		     (u64)(((unsigned __int128)delta * pv->tsc_to_system_mul) >> 32);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != __atomic_load_n(&pv->version, __ATOMIC_RELAXED));
	return ns;
}

u64 clock_realtime_ns(void)
{
	return boot_realtime_ns + (clock_monotonic_ns() - boot_mono_ns);
}

u64 boot_time_ns(void)
{
	return boot_realtime_ns;
}

/* --- CPU setup --- */

static void fpu_init(void)
{
	u32 r[4];
	u64 cr4;
	u8 fx[512] __attribute__((aligned(16))) = { 0 };

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	cpuid(1, 0, r);
	if (r[2] & (1u << 26)) {	/* XSAVE */
		cpuid(0xd, 0, r);
		kvm_xsave_mask = (((u64)r[3] << 32) | r[0]) & XCR0_WANTED;
		cr4 |= CR4_OSXSAVE;
	}
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	if (kvm_xsave_mask) {
		u32 lo, hi;

		asm volatile("xsetbv" : : "c"(0), "a"((u32)kvm_xsave_mask), "d"(0));
		/* Trust what XCR0 reads back: under nested emulation (the QEMU rig) it was
		 * seen to stay x87-only. Without SSE in it, XSAVE buys nothing: FXSAVE. */
		asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		if (((u64)hi << 32 | lo) != kvm_xsave_mask)
			kvm_xsave_mask = 0;
		cpuid(0xd, 0, r);
		if (r[1] > 4096)
			boot_fail("XSAVE area larger than a page");
	}
	asm volatile("fninit; fxsave64 %0" : "=m"(fx));
	if (((struct fxregs *)fx)->mxcsr_mask)
		kvm_mxcsr_mask = ((struct fxregs *)fx)->mxcsr_mask;
}

static void cpu_features_init(void)
{
	u32 r[4];
	u64 cr4, efer = rdmsr(MSR_EFER) | EFER_SCE;

	cpuid(0x80000001, 0, r);
	if (r[3] & (1u << 20))
		efer |= EFER_NXE;	/* the core's page tables set NX on non-exec pages */
	else
		boot_fail("the CPU has no NX bit");
	wrmsr(MSR_EFER, efer);
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cpuid(7, 0, r);
	/* The kernel touches user memory only through the direct map (mm/uaccess.c), so
	 * SMEP and SMAP cost nothing and stop any stray kernel use of a user address. */
	if (r[1] & (1u << 7))
		cr4 |= CR4_SMEP;
	if (r[1] & (1u << 20))
		cr4 |= CR4_SMAP;
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	fpu_init();
	wrmsr(MSR_STAR, (u64)USER32_CS << 48 | (u64)KERNEL_CS << 32);
	wrmsr(MSR_LSTAR, (u64)kvm_syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_FLAGS);
}

static void kvmclock_init(void)
{
	u32 r[4];

	cpuid(0x40000000, 0, r);
	if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d)	/* "KVMKVMKVM" */
		boot_fail("no KVM paravirtual CPUID leaves (kvmclock)");
	cpuid(0x40000001, 0, r);
	if (!(r[0] & (1u << 3)))	/* KVM_FEATURE_CLOCKSOURCE2 */
		boot_fail("no kvmclock");
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, virt_to_phys(&kvm_this_cpu()->pvclock) | 1);
}

static void lapic_init(void)
{
	u32 r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 21)))
		boot_fail("no x2APIC");
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_EN | APIC_EXTD);
	wrmsr(MSR_X2APIC_SVR, 0x100 | VEC_SPURIOUS);
	wrmsr(MSR_X2APIC_TDCR, 0xb);		/* divide by 1: KVM counts 1 ns per tick */
	wrmsr(MSR_X2APIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
}

/* --- timer and interrupts --- */

/* A TMICT write is an MSR exit (handled inside KVM), so it is skipped when the armed
 * tick (kvm_cpu.timer_deadline) comes soon enough anyway. */
static void timer_arm(u64 now, u64 deadline)
{
	struct kvm_cpu *kc = kvm_this_cpu();
	u64 ns;

	if (deadline == UINT64_MAX) {
		if (kc->timer_deadline != UINT64_MAX)
			wrmsr(MSR_X2APIC_TMICT, 0);	/* stop */
		kc->timer_deadline = UINT64_MAX;
		return;
	}
	ns = deadline > now ? deadline - now : 1;
	ns = MIN(ns, 0xffffffffULL);
	kc->timer_deadline = now + ns;
	wrmsr(MSR_X2APIC_TMICT, ns);
}

/* The timer fires by `want`: armed only when it would not anyway. */
static void timer_arm_by(u64 now, u64 want)
{
	u64 armed = kvm_this_cpu()->timer_deadline;

	if (armed > now && armed <= want)
		return;
	timer_arm(now, want);
}

void kvm_timer_arm_user(void)
{
	u64 now = clock_monotonic_ns();

	timer_arm_by(now, MIN(next_timer_deadline(), now + TICK_NS));
}

void kvm_timer_arm_within(u64 ns)
{
	u64 now = clock_monotonic_ns();

	timer_arm_by(now, now + ns);
}

/* After a HLT that waited for the host: completions still on the ring mean their interrupt
 * has not come (its handler reaps them). Under the QEMU rig's emulated SVM such an
 * interrupt was seen to stay undelivered until the vCPU left KVM_RUN, so no halt waiting
 * for the host is unbounded: the recheck timer finds them, and they are counted. */
void kvm_count_late_irq(void)
{
	if (hc_cq_nonempty())
		kvm_this_cpu()->late_irqs++;
}

void kvm_send_ipi(unsigned cpu)
{
	wrmsr(MSR_X2APIC_ICR, (u64)cpu << 32 | VEC_IPI);	/* fixed, physical: x2APIC id */
}

void plat_kick_cpu(void)
{
	unsigned self = cpu_id();

	for (int c = 0; c < ncpus; c++) {
		if ((unsigned)c == self)
			continue;
		if (kvm_cpus[c].halted) {
			kvm_send_ipi(c);
			return;
		}
	}
	for (int c = 0; c < ncpus; c++) {
		if ((unsigned)c != self && kvm_cpus[c].polling) {
			kvm_cpus[c].kicked = true;
			kvm_send_ipi(c);
			return;
		}
	}
}

/* The VMM's NMI, sent when its guest timeout (QUARK_KVM_TIMEOUT_MS) passes: what each CPU
 * and the scheduler are doing, straight to the console port (no lock, no host call). */
static void nmi_dump(void)
{
	struct kvm_cpu *kc = kvm_this_cpu();
	u64 now = clock_monotonic_ns();

	kprintf("qkernel-kvm: NMI on cpu %u:%s%s%s wait_tag %llu%s, timer %lld ns from now, "
		"%llu late interrupts, %llu wake-up NMIs\n", cpu_id(), kc->halted ? " halted" : "",
		kc->polling ? " polling" : "", kc->kicked ? " kicked" : "",
		(unsigned long long)kc->wait_tag, kc->wait_done ? " done" : "",
		kc->timer_deadline == UINT64_MAX ? -1LL : (long long)(kc->timer_deadline - now),
		(unsigned long long)kc->late_irqs, (unsigned long long)kc->wake_nmis);
	if (kvm_nmi_frame) {	/* the kernel code it stopped, and its callers */
		const struct exc_frame *f = kvm_nmi_frame;
		u64 rbp = f->rbp;

		kprintf("qkernel-kvm: cpu %u was at rip %#llx rflags %#llx, called from:", cpu_id(),
			(unsigned long long)f->rip, (unsigned long long)f->rflags);
		for (int i = 0; i < 12 && rbp > f->rsp && rbp < f->rsp + 16384 && !(rbp & 7); i++) {
			const u64 *fr = (const u64 *)rbp;

			kprintf(" %llx", (unsigned long long)fr[1]);
			rbp = fr[0];
		}
		kprintf("\n");
	}
	if (cpu_id() == 0) {
		hc_dump();
		sched_dump(kvm_puts);
	}
}

/* The VMM's NMI wakes a vCPU that slept through its interrupts (hc_server_watch in the
 * VMM): after it the interrupts are taken as usual. Or it asks for the dump. */
static void nmi(void)
{
	if (hc_nmi_dump_requested())
		nmi_dump();
	else
		kvm_this_cpu()->wake_nmis++;
}

void kvm_irq(unsigned vector)
{
	if (vector == VEC_NMI) {
		nmi();
		return;
	}
	if (vector == VEC_SPURIOUS)
		return;
	wrmsr(MSR_X2APIC_EOI, 0);
	if (vector == VEC_TIMER)
		kvm_this_cpu()->timer_deadline = UINT64_MAX;
	if (vector == VEC_HOSTCALL)
		hc_reap();
}

struct cpu *this_cpu(void)
{
	return &cpus[cpu_id()];
}

void plat_idle(u64 deadline)
{
	struct kvm_cpu *kc = kvm_this_cpu();
	u64 now;

	/* A signal may wake a task: then the scheduler, not a halt, is next. */
	if (hc_deliver_events())
		return;
	/* CPU 0 waits for host fds in a host POLL (the host-call interrupt goes to it). */
	if (cpu_id() == 0 && host_waits_active()) {
		now = clock_monotonic_ns();
		host_waits_poll(deadline == UINT64_MAX ? UINT64_MAX : deadline > now ? deadline - now : 0);
		return;
	}
	now = clock_monotonic_ns();
	timer_arm(now, MIN(deadline, now + IDLE_RECHECK_NS));
	kc->halted = true;
	spin_unlock(&kernel_lock);
	if (!hc_cq_nonempty()) {
		kvm_safe_halt();
		kvm_count_late_irq();
	}
	spin_lock(&kernel_lock);
	kc->halted = false;
	hc_deliver_events();
}

/* --- output, shutdown --- */

void plat_log_write(const char *buf, size_t n)
{
	if (hc_up && log_fd >= 0)
		host_write(log_fd, buf, n);
	else
		kvm_puts(buf, n);
}

void plat_console_error(const char *msg, size_t n)
{
	if (hc_up)
		host_write(2, msg, n);
	else
		kvm_puts(msg, n);
}

void plat_shutdown(int wstatus)
{
	u64 late = 0, nmis = 0;

	for (int c = 0; c < ncpus; c++) {
		late += kvm_cpus[c].late_irqs;
		nmis += kvm_cpus[c].wake_nmis;
	}
	if (late || nmis)	/* (late ones are usually benign: the interrupt was on its way) */
		pr_debug("kvm: %llu host-call interrupts came late: the recheck timer found their "
			 "completions on the ring; %llu wake-up NMIs", (unsigned long long)late,
			 (unsigned long long)nmis);
	kvm_shutdown(wstatus);
}

/* --- boot --- */

/* After cpu_init (descriptor tables): features, time, APIC. */
static void cpu_setup(unsigned cpu)
{
	kvm_cpus[cpu].timer_deadline = UINT64_MAX;
	cpu_features_init();
	kvmclock_init();
	lapic_init();
}

/* Another vCPU: set up, then wait for the kernel lock and idle (sched_init ran: the
 * boot CPU holds the lock from boot until it first runs user code or halts). */
static __noreturn void ap_main(unsigned cpu)
{
	cpu_init(cpu);
	cpu_setup(cpu);
	spin_lock(&kernel_lock);
	cpu_idle_loop();
}

__noreturn void kvm_main(u64 boot_gpa, u64 cpu);
__noreturn void kvm_main(u64 boot_gpa, u64 cpu)
{
	const struct quark_boot_info *bi = phys_to_virt(boot_gpa);
	const char *err;

	if (cpu)
		ap_main((unsigned)cpu);
	spin_lock(&kernel_lock);
	cpu_init(0);
	if (boot_gpa != QUARK_KVM_BOOT_INFO || bi->size > QUARK_BOOT_MAX_SIZE)
		boot_fail("boot info is not where kvm_layout.h puts it");
	err = boot_info_check(bi, bi->size);
	if (!err && (bi->mem_size > QUARK_KVM_MEM_MAX || boot_gpa + bi->size > bi->mem_size))
		err = "bad mem_size";
	if (err) {
		kprintf("qkernel-kvm: invalid boot info: %s\n", err);
		kvm_shutdown(WSTATUS_PANIC);
	}
	cpu_setup(0);
	kvm_irq_hook = kvm_irq;
	boot_realtime_ns = bi->boot_time_ns;
	boot_mono_ns = clock_monotonic_ns();
	log_fd = bi->log_fd;
	hc_init();
	hc_up = true;
	phys_base = (u8 *)QUARK_KVM_DIRECT_MAP_BASE;
	phys_size = bi->mem_size;
	ncpus = (int)bi->ncpus;
	for (int c = 1; c < ncpus; c++)
		kvm_start_cpu(c);
	kernel_main(bi, (const char *)bi, ALIGN_UP(virt_to_phys(_end), PAGE_SIZE));
	__builtin_unreachable();
}
