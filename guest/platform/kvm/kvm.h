/*
 * kvm.h - private declarations of the kvm platform. Two images use these files:
 * build/qkernel-kvm.elf (qkernel: main.c, trap.c, hostcall.c, ... + the core) and
 * build/kvm-bootimg.elf (boot.c: the VMM's test guest). cpu.c, console.c and entry.S are
 * shared by both.
 */
#ifndef QK_KVM_PRIV_H
#define QK_KVM_PRIV_H

#include <quark/kvm_layout.h>

/* Our GDT (cpu.c). The user selectors are Linux's, and the order is what SYSCALL and
 * SYSRET need: STAR[47:32] = KERNEL_CS (SS = +8), STAR[63:48] = USER32_CS (SYSRET64:
 * CS = +16, SS = +8). The boot GDT's code and data selectors are the same. */
#define KERNEL_CS	QUARK_KVM_SEL_CODE	/* 0x08 */
#define KERNEL_DS	QUARK_KVM_SEL_DATA	/* 0x10 */
#define USER32_CS	0x23
#define USER_DS		0x2b
#define USER_CS		0x33
#define TSS_SEL		0x38
#define GDT_ENTRIES	9

/* Interrupt vectors besides the 32 exceptions. */
#define VEC_NMI		2	/* the VMM wakes a vCPU or asks for a state dump (kvm_irq) */
#define VEC_TIMER	0x30
#define VEC_HOSTCALL	QUARK_KVM_HC_VECTOR	/* 0x40 */
#define VEC_IPI		0x41			/* wake-up between CPUs */
#define VEC_SPURIOUS	0xff

#define MSR_GS_BASE	0xc0000101

/* struct percpu field offsets, for entry.S (GS base = this CPU's struct percpu). */
#define PC_ID		0
#define PC_KSP		8	/* kernel RSP saved by kvm_enter_user */
#define PC_USER_SP	16	/* user RSP at SYSCALL */
#define PC_UREGS	24	/* struct uregs * of the task in user mode */
#define PC_VECTOR	32	/* the exception or interrupt that left user mode */
#define PC_ERROR	40

/* struct uregs offsets (guest/include/qk/linux.h) */
#define UR_R15		0
#define UR_R14		8
#define UR_R13		16
#define UR_R12		24
#define UR_RBP		32
#define UR_RBX		40
#define UR_R11		48
#define UR_R10		56
#define UR_R9		64
#define UR_R8		72
#define UR_RAX		80
#define UR_RCX		88
#define UR_RDX		96
#define UR_RSI		104
#define UR_RDI		112
#define UR_ORIG_RAX	120
#define UR_RIP		128
#define UR_CS		136
#define UR_EFLAGS	144
#define UR_RSP		152
#define UR_SS		160

/* kvm_enter_user results */
#define ENTER_SYSCALL	0
#define ENTER_TRAP	1

#ifndef __ASSEMBLY__
#include <qk/types.h>

/* Wait statuses the images shut down with. */
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

struct percpu {
	u32 id;
	u32 pad;
	u64 ksp, user_sp, uregs, vector, error;
};
_Static_assert(__builtin_offsetof(struct percpu, error) == PC_ERROR, "entry.S offsets");

/* entry.S */
extern const u64 exc_stubs[32];
extern const u64 irq_stubs[4];		/* VEC_TIMER, VEC_HOSTCALL, VEC_IPI, VEC_SPURIOUS */
struct uregs;
int kvm_enter_user(struct uregs *r, int sysret);	/* ENTER_* */
void kvm_syscall_entry(void);

/* cpu.c */
void cpu_init(unsigned cpu);
unsigned cpu_id(void);
struct percpu *percpu_of(unsigned cpu);
void exc_handler(struct exc_frame *f);
void kvm_iret_self(void);		/* IRETQ to the caller: ends NMI blocking */
void kvm_safe_halt(void);		/* STI; HLT; CLI with no lost wake-up */
extern const char kvm_halt_insn[];	/* its HLT */
/* Interrupts (vector >= 32) taken in kernel mode go here; NULL: unexpected. */
extern void (*kvm_irq_hook)(unsigned vector);
extern const struct exc_frame *kvm_nmi_frame;	/* during an NMI taken in kernel mode */
extern volatile int bp_armed, bp_hits;
extern volatile u64 bp_rip;

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

/* console.c */
void kvm_puts(const char *s, size_t n);
void kprintf(const char *fmt, ...) __printf(1, 2);
__noreturn void kvm_shutdown(int wstatus);
void kvm_start_cpu(unsigned cpu);

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)(QUARK_KVM_DIRECT_MAP_BASE + pa);
}

/* Guest physical address of a kernel pointer (direct map or kernel image). */
static inline u64 virt_to_phys(const void *p)
{
	u64 v = (u64)p;

	return v >= QUARK_KVM_KERNEL_MAP_BASE ? v - QUARK_KVM_KERNEL_MAP_BASE
					      : v - QUARK_KVM_DIRECT_MAP_BASE;
}
#endif

#endif
