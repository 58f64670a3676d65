/*
 * kvm.h - private declarations of the kvm platform's boot image (milestone 1: boot,
 * descriptor tables, exceptions, console, SMP start; not yet linked with qkernel's core).
 */
#ifndef QK_KVM_PRIV_H
#define QK_KVM_PRIV_H

#include <qk/types.h>
#include <quark/kvm_layout.h>

/* Wait statuses the boot image shuts down with. */
#define KVM_WSTATUS_OK		0
#define KVM_WSTATUS_BOOT_FAIL	(125 << 8)		/* bad boot info, failed self-test */
#define KVM_WSTATUS_EXC(vec)	((64 + (int)(vec)) << 8)	/* unexpected CPU exception */

/* What the exception stubs in entry.S push, lowest address first. */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

extern const u64 exc_stubs[32];		/* entry.S */

/* cpu.c */
void cpu_init(unsigned cpu);
unsigned cpu_id(void);
void exc_handler(struct exc_frame *f);
extern volatile int bp_armed, bp_hits;
extern volatile u64 bp_rip;

/* console.c */
void kvm_puts(const char *s, size_t n);
void kprintf(const char *fmt, ...) __printf(1, 2);
__noreturn void kvm_shutdown(int wstatus);
void kvm_start_cpu(unsigned cpu);

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)(QUARK_KVM_DIRECT_MAP_BASE + pa);
}

#endif
