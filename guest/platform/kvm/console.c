/*
 * console.c - the ports the VMM gives qkernel (uapi/quark/kvm_layout.h): debug console
 * (by reference, one exit per write), shutdown, CPU start.
 */
#include <qk/lib.h>

#include "kvm.h"

#define CONBUF_SIZE	256

/* One per CPU: the OUT is synchronous, so a buffer is free again when it returns. */
static struct conbuf {
	struct quark_kvm_console h;
	char text[CONBUF_SIZE];
} conbuf[QUARK_KVM_MAX_VCPUS] __attribute__((aligned(8)));

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

/* The image is linked at KERNEL_MAP_BASE + phys and lies in the first GiB, so the
 * physical address of its data fits the 32-bit port value. */
static u32 image_phys(const void *p)
{
	return (u32)((u64)p - QUARK_KVM_KERNEL_MAP_BASE);
}

void kvm_puts(const char *s, size_t n)
{
	struct conbuf *b = &conbuf[cpu_id() % QUARK_KVM_MAX_VCPUS];

	while (n) {
		size_t chunk = MIN(n, sizeof(b->text));

		memcpy(b->text, s, chunk);
		b->h.len = (u32)chunk;
		b->h.flags = 0;
		outl(QUARK_KVM_PORT_CONBUF, image_phys(b));
		s += chunk;
		n -= chunk;
	}
}

void kprintf(const char *fmt, ...)
{
	char buf[CONBUF_SIZE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0)
		kvm_puts(buf, (size_t)n);
}

__noreturn void kvm_shutdown(int wstatus)
{
	outl(QUARK_KVM_PORT_SHUTDOWN, (u32)wstatus);
	for (;;)	/* the VMM stops us; never run on if it did not */
		asm volatile("cli; hlt");
}

void kvm_start_cpu(unsigned cpu)
{
	outl(QUARK_KVM_PORT_CPU_START, cpu);
}
