/*
 * boot.c - the kvm boot image's main: check the boot info, set up this CPU, prove the
 * IDT with one int3, start the other vCPUs, shut down with status 0.
 *
 * argv[1] of the boot info selects a test mode, mostly failures on purpose so that the
 * VMM's error paths are tested against a real guest: "ud" (#UD -> exception report),
 * "triple" (no IDT, int3 -> triple fault), "badport" (an OUT to a port with no device),
 * "badconbuf" (a console buffer outside memory), "hang" (cli; hlt forever), and
 * "rawcon" (a line through the byte-wide console port, then a normal boot).
 */
#include <qk/lib.h>
#include <quark/boot.h>

#include "kvm.h"

#define BAD_PORT	0x510

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
