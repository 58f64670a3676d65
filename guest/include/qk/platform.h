/*
 * qk/platform.h - what qkernel's core asks of a platform (ptrace or kvm).
 */
#ifndef QK_PLATFORM_H
#define QK_PLATFORM_H

#include <qk/sched.h>
#include <qk/mm.h>

/* Why user code stopped running. */
enum trap_kind {
	TRAP_SYSCALL,		/* regs.orig_rax = nr, args in regs */
	TRAP_FAULT,		/* page fault at addr, access FAULT_* (may be a guess) */
	TRAP_SIGNAL,		/* a synchronous CPU exception: sig/code/addr */
	TRAP_PREEMPT,		/* time slice tick or host event: just reschedule */
};
struct trap {
	enum trap_kind kind;
	int sig, code;		/* TRAP_SIGNAL */
	uaddr_t addr;		/* TRAP_FAULT, TRAP_SIGNAL */
	int access;		/* TRAP_FAULT */
};

/* Run t's user code from t->regs until it traps; t->regs holds the state after. */
void plat_run_user(struct task *t, struct trap *tr);
/* Create (from task_create, with current = the creator: fork copies its FPU state) and
 * destroy a task's platform state. */
int plat_task_init(struct task *t);
void plat_task_exit(struct task *t);
/* execve replaced old by mm for t (the platform may reuse old's resources). */
int plat_mm_attach(struct task *t, struct mm *old, struct mm *mm);
/* FPU state for signal frames. */
int plat_get_fpu(struct task *t, struct fxregs *fx);
int plat_set_fpu(struct task *t, const struct fxregs *fx);
/* schedule() is about to switch this CPU from prev to next (under the kernel lock). */
void plat_switch(struct task *prev, struct task *next);
/* A task was queued to run: wake a halted CPU that could take it (SMP). */
void plat_kick_cpu(void);
/* Nothing runnable: wait for a host event or until deadline (absolute monotonic ns). */
void plat_idle(u64 deadline_ns);
/* Wait status the sandbox exits with when qkernel panics (exit code 125, as runtimes
 * report their own failures). */
#define WSTATUS_PANIC	(125 << 8)
/* Stop the whole sandbox with the exit status of init (wait-status encoding). */
__noreturn void plat_shutdown(int wstatus);
/* Print a runtime error where the user sees it (the sandbox's stderr). */
void plat_console_error(const char *msg, size_t n);
/* Write one log line (already formatted, no newline needed). */
void plat_log_write(const char *buf, size_t n);
/* Boot (platforms call these). boot_info_check: NULL when the blob of `size` bytes is
 * well formed (offsets, strings, counts, flags), else what is wrong with it. */
struct quark_boot_info;
const char *boot_info_check(const struct quark_boot_info *bi, u64 size);
void kernel_main(const struct quark_boot_info *bi, const char *blob, paddr_t free_start);

/* Host page size units of user-visible "syscall instruction" length for restarts. */
#define SYSCALL_INSN_LEN 2

#endif
