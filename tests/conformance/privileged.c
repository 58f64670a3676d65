/* A hostile program against the guest kernel: privileged instructions, jumps into and
 * reads/writes of kernel addresses (where qkernel's kvm image, direct map and boot page
 * tables live), the kernel's own interrupt vectors. Each must end in a signal for this
 * process only (SIGSEGV/SIGILL, as Linux gives), and the kernel must go on working. */
#include "common.h"

#define KERNEL_IMAGE	0xffffffff80200000UL	/* qkernel-kvm text (uapi/quark/kvm_layout.h) */
#define DIRECT_MAP	0xffff888000000000UL	/* all guest memory on the kvm platform */

static void insn(int what)
{
	static const struct { unsigned short limit; unsigned long base; } __attribute__((packed)) d;
	unsigned long v = 0;

	switch (what) {
	case 0: __asm__ volatile("cli"); break;
	case 1: __asm__ volatile("sti"); break;
	case 2: __asm__ volatile("inb $0x80, %%al" : "=a"(v)); break;
	case 3: __asm__ volatile("outb %%al, $0x80" : : "a"(0)); break;
	case 4: __asm__ volatile("outl %%eax, %%dx" : : "a"(0), "d"(0x501)); break;	/* shutdown port */
	case 5: __asm__ volatile("rdmsr" : "=a"(v) : "c"(0xc0000082) : "rdx"); break;
	case 6: __asm__ volatile("wrmsr" : : "c"(0xc0000082), "a"(0), "d"(0)); break;
	case 7: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 8: __asm__ volatile("mov %0, %%cr3" : : "r"(v)); break;
	case 9: __asm__ volatile("lidt %0" : : "m"(d)); break;
	case 10: __asm__ volatile("lgdt %0" : : "m"(d)); break;
	case 11: __asm__ volatile("swapgs"); break;
	case 12: __asm__ volatile("invlpg (%0)" : : "r"(&v)); break;
	case 13: __asm__ volatile("wbinvd"); break;
	case 14: __asm__ volatile("int $0x40"); break;	/* host-call completion vector */
	case 15: __asm__ volatile("int $0x30"); break;	/* timer vector */
	case 16: __asm__ volatile("int $0x0e"); break;	/* #PF, raised by hand */
	case 17: __asm__ volatile("sysretq"); break;
	case 18: ((void (*)(void))KERNEL_IMAGE)(); break;
	case 19: ((void (*)(void))DIRECT_MAP)(); break;
	}
	(void)v;
}

static const char *in_child(int what)
{
	pid_t pid = fork();

	if (pid == 0) {
		insn(what);
		_exit(0);
	}
	return wstatus(reap(pid));
}

int main(void)
{
	static const char *const names[] = {
		"cli", "sti", "in", "out", "out to the VMM's shutdown port", "rdmsr", "wrmsr",
		"read cr3", "write cr3", "lidt", "lgdt", "swapgs", "invlpg", "wbinvd", "int $0x40",
		"int $0x30", "int $0x0e", "sysretq", "call kernel image", "call direct map",
	};
	/* (No IRETQ to ring 0: QEMU's TCG, where the rig runs these natively, lets it
	 * through and the rig's own kernel oopses.) */
	char buf[16];

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		printf("%-32s -> %s\n", names[i], in_child((int)i));
	fault_catch();
	printf("read kernel image: %s\n", touch((void *)KERNEL_IMAGE, 0));
	printf("write kernel image: %s\n", touch((void *)KERNEL_IMAGE, 1));
	printf("read direct map: %s\n", touch((void *)DIRECT_MAP, 0));
	printf("write direct map + 1 MiB: %s\n", touch((void *)(DIRECT_MAP + 0x100000), 1));
	printf("read boot page tables (low): %s\n", touch((void *)0x2000, 0));
	/* and the kernel still works */
	int p[2];
	if (pipe(p) == 0 && write(p[1], "alive", 6) == 6 && read(p[0], buf, sizeof(buf)) == 6)
		printf("after all that: %s\n", buf);
	return 0;
}
