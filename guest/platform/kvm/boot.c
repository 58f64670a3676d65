/*
 * boot.c - the kvm boot image's main: check the boot info, set up this CPU, prove the
 * IDT with one int3, start the other vCPUs, shut down with status 0.
 *
 * argv[1] of the boot info selects a test mode, mostly failures on purpose so that the
 * VMM's error paths are tested against a real guest: "ud" (#UD -> exception report),
 * "triple" (no IDT, int3 -> triple fault), "badport" (an OUT to a port with no device),
 * "badconbuf" (a console buffer outside memory), "hang" (cli; hlt forever),
 * "rawcon" (a line through the byte-wide console port, then a normal boot), and
 * "hostcall" (a NOP and a WRITE to host fd 1 on the host-call ring, answered by the
 * VMM's host-call thread with a completion interrupt, then a normal boot).
 */
#include <qk/lib.h>
#include <quark/boot.h>
#include <quark/hostcall.h>

#include "kvm.h"

#define BAD_PORT	0x510

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EXTD		(1u << 10)	/* x2APIC mode */
#define APIC_BASE_EN		(1u << 11)
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define HC_WAIT_LOOPS		100000		/* halts before the hostcall mode gives up */

static volatile unsigned cpus_up;

/* The string at off, or NULL unless it is NUL-terminated inside the blob. */
static const char *blob_str(const struct quark_boot_info *h, u64 off)
{
	const char *s = (const char *)h + off;

	if (off < sizeof(*h) || off >= h->size || strnlen(s, h->size - off) == h->size - off)
		return NULL;
	return s;
}

/* Only the BSP reads the boot info, and checks it as boot.h asks before any use. */
static const struct quark_boot_info *boot_info(u64 gpa)
{
	const struct quark_boot_info *h = phys_to_virt(gpa);
	const char *why = NULL;

	if (gpa != QUARK_KVM_BOOT_INFO)
		why = "not at QUARK_KVM_BOOT_INFO";
	else if (h->magic != QUARK_BOOT_MAGIC || h->version != QUARK_BOOT_VERSION)
		why = "bad magic or version";
	else if (h->size < sizeof(*h) || h->size > QUARK_BOOT_MAX_SIZE)
		why = "bad size";
	else if (h->mem_size > QUARK_KVM_MEM_MAX || gpa + h->size > h->mem_size)
		why = "bad memory size";
	else if (!h->ncpus || h->ncpus > QUARK_KVM_MAX_VCPUS)
		why = "bad vCPU count";
	else if (!h->argc || !blob_str(h, h->args_off))
		why = "bad args";
	if (why) {
		kprintf("qkernel-kvm: boot info at %#llx: %s\n", (unsigned long long)gpa, why);
		kvm_shutdown(KVM_WSTATUS_BOOT_FAIL);
	}
	return h;
}

/* argv[1], or "" when there is none. */
static const char *boot_mode(const struct quark_boot_info *h)
{
	const char *argv0 = blob_str(h, h->args_off), *argv1;

	if (h->argc < 2)
		return "";
	argv1 = blob_str(h, h->args_off + strlen(argv0) + 1);
	return argv1 ? argv1 : "";
}

/* One int3 through our IDT and back: the handler counts it and iretq resumes here. */
static void bp_selftest(void)
{
	bp_armed = 1;
	asm volatile("int3" ::: "memory");
	bp_armed = 0;
	if (bp_hits != 1) {
		kprintf("qkernel-kvm: int3 self-test: %d hits\n", bp_hits);
		kvm_shutdown(KVM_WSTATUS_BOOT_FAIL);
	}
	kprintf("qkernel-kvm: #BP at %#llx handled, IDT works\n", (unsigned long long)bp_rip);
}

static void raw_console(const char *s)
{
	for (; *s; s++)
		asm volatile("outb %%al, %%dx" : : "a"(*s), "d"((u16)QUARK_KVM_PORT_CONSOLE));
}

static volatile unsigned hc_irqs;

static void hc_irq(unsigned vector)
{
	if (vector == VEC_HOSTCALL)
		hc_irqs++;
	wrmsr(MSR_X2APIC_EOI, 0);
}

static void hc_fail(const char *why)
{
	kprintf("qkernel-kvm: hostcall: %s\n", why);
	kvm_shutdown(KVM_WSTATUS_BOOT_FAIL);
}

/* The guest half of uapi/quark/hostcall.h, by hand: two requests, then halt with
 * interrupts on until both completions are in the cq. */
static void hostcall_mode(void)
{
	static const char line[] = "qkernel-kvm: hello from the guest through the host-call ring\n";
	struct quark_hc_ring *r = phys_to_virt(QUARK_KVM_HC_RING);
	u32 t = r->sq_tail, h = r->cq_head;
	s64 res[3] = { -1, -1, -1 };

	/* The LAPIC accepts the completion MSI only when enabled (x2APIC, SVR bit 8). */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr(MSR_X2APIC_SVR, 0x100 | VEC_SPURIOUS);
	kvm_irq_hook = hc_irq;
	__atomic_store_n(&r->guest_irq, 1, __ATOMIC_SEQ_CST);
	r->sq[t % QUARK_HC_SQ_SIZE] = (struct quark_hc_req){ .op = QUARK_HC_NOP, .tag = 1 };
	r->sq[(t + 1) % QUARK_HC_SQ_SIZE] = (struct quark_hc_req){
		.op = QUARK_HC_WRITE, .tag = 2,
		.args = { 1, (s64)virt_to_phys(line), (s64)sizeof(line) - 1 },
	};
	__atomic_store_n(&r->sq_tail, t + 2, __ATOMIC_RELEASE);
	__atomic_or_fetch(&r->pending, QUARK_HC_PENDING_SQ, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->host_sleeping, __ATOMIC_SEQ_CST))
		asm volatile("outl %%eax, %%dx" : : "a"(0), "d"((u16)QUARK_KVM_PORT_HC_DOORBELL));
	/* cli, look, sti;hlt: an interrupt between the look and the hlt still wakes it
	 * (kvm_safe_halt: even where STI's shadow is lost) */
	for (unsigned i = 0; i < HC_WAIT_LOOPS; i++) {
		asm volatile("cli" ::: "memory");
		if (__atomic_load_n(&r->cq_tail, __ATOMIC_ACQUIRE) - h >= 2)
			break;
		kvm_safe_halt();
	}
	asm volatile("cli" ::: "memory");
	if (__atomic_load_n(&r->cq_tail, __ATOMIC_ACQUIRE) - h < 2)
		hc_fail("no completions");
	/* Both completions may be seen before their interrupt is taken (the host raises it
	 * after posting them): wait for it. None at all hangs here, and the VMM's timeout
	 * fails the test. */
	while (!hc_irqs)
		kvm_safe_halt();
	for (u32 i = h; i < h + 2; i++) {
		struct quark_hc_cqe *c = &r->cq[i % QUARK_HC_CQ_SIZE];

		if (c->tag == 1 || c->tag == 2)
			res[c->tag] = c->result;
	}
	__atomic_store_n(&r->cq_head, h + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&r->guest_irq, 0, __ATOMIC_SEQ_CST);
	kprintf("qkernel-kvm: hostcall: NOP %lld, WRITE %lld, %u completion interrupt(s)\n",
		(long long)res[1], (long long)res[2], hc_irqs);
	if (res[1] != 0 || res[2] != (s64)sizeof(line) - 1 || !hc_irqs)
		hc_fail("wrong results");
}

static void run_mode(const char *mode)
{
	static const struct desc { u16 limit; u64 base; } __attribute__((packed)) no_idt;

	if (!strcmp(mode, "ud")) {
		asm volatile("ud2");
	} else if (!strcmp(mode, "triple")) {
		asm volatile("lidt %0; int3" : : "m"(no_idt));
	} else if (!strcmp(mode, "badport")) {
		asm volatile("outb %%al, %%dx" : : "a"(0), "d"((u16)BAD_PORT));
	} else if (!strcmp(mode, "badconbuf")) {
		asm volatile("outl %%eax, %%dx" : : "a"(0xfffffff8u), "d"((u16)QUARK_KVM_PORT_CONBUF));
	} else if (!strcmp(mode, "hostcall")) {
		hostcall_mode();
	} else if (!strcmp(mode, "rawcon")) {
		raw_console("qkernel-kvm: raw console works\n");
	} else if (!strcmp(mode, "hang")) {
		for (;;)
			asm volatile("cli; hlt");
	}
}

static void start_aps(unsigned ncpus)
{
	__atomic_add_fetch(&cpus_up, 1, __ATOMIC_SEQ_CST);
	for (unsigned cpu = 1; cpu < ncpus; cpu++)
		kvm_start_cpu(cpu);
	while (__atomic_load_n(&cpus_up, __ATOMIC_SEQ_CST) < ncpus)
		asm volatile("pause");
	kprintf("qkernel-kvm: %u/%u vCPUs up\n", ncpus, ncpus);
}

static __noreturn void ap_main(unsigned cpu)
{
	cpu_init(cpu);
	kprintf("qkernel-kvm: cpu %u up\n", cpu_id());
	__atomic_add_fetch(&cpus_up, 1, __ATOMIC_SEQ_CST);
	for (;;)	/* parked until the next milestone gives APs a scheduler */
		asm volatile("cli; hlt");
}

__noreturn void kvm_main(u64 boot_gpa, u64 cpu);
__noreturn void kvm_main(u64 boot_gpa, u64 cpu)
{
	const struct quark_boot_info *h;

	if (cpu)
		ap_main((unsigned)cpu);
	cpu_init(0);
	h = boot_info(boot_gpa);
	kprintf("qkernel-kvm: booted, %u vCPUs, %llu MiB, args: %s\n", h->ncpus,
		(unsigned long long)(h->mem_size >> 20), blob_str(h, h->args_off));
	bp_selftest();
	run_mode(boot_mode(h));
	start_aps(h->ncpus);
	kvm_shutdown(KVM_WSTATUS_OK);
}
