/*
 * kernel/entry.c - the user/kernel boundary as the core sees it: every user task runs
 * task_user_main(), which alternates between running user code (platform) and handling
 * what stopped it (syscall, fault, exception, tick). The kvm platform will call the same
 * syscall_entry/fault_entry/exit_to_user from its trap stubs instead of this loop.
 */
#include <qk/proc.h>
#include <qk/platform.h>
#include <qk/syscall.h>
#include <qk/uaccess.h>
#include <qk/lib.h>

bool runq_has_other(void);	/* kernel/sched.c */

#define TIME_SLICE_NS	10000000ULL

static void syscall_entry(struct task *t)
{
	struct uregs *r = &t->regs;
	u64 nr = r->orig_rax;

	t->syscall_count++;
	r->rax = syscall_dispatch(nr, r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
	pr_trace("[%d] %s(%#lx, %#lx, %#lx) = %ld", t->tid, syscall_name(nr),
		 (unsigned long)r->rdi, (unsigned long)r->rsi, (unsigned long)r->rdx, (long)r->rax);
}

static void fault_entry(struct task *t, uaddr_t addr, int access)
{
	int r = handle_mm_fault(t->proc->mm, addr, access);

	if (r == -ENOMEM)
		force_signal(t, SIGKILL, SI_KERNEL, 0);
	else if (r)
		force_signal(t, SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, addr);
}

/* Work before returning to user mode: rescheduling, then signals (which may restart
 * the syscall, build frames, stop or kill the process). */
static void exit_to_user(struct task *t, bool in_syscall)
{
	for (int i = 0; i < 32; i++) {
		if (this_cpu()->need_resched)
			schedule();
		do_signal(t, in_syscall);
		in_syscall = false;
		if (!signal_pending(t) && !this_cpu()->need_resched)
			break;
	}
}

static void tick(void)
{
	struct cpu *c = this_cpu();

	run_timers();
	host_waits_poll(0);
	if (runq_has_other() && clock_monotonic_ns() - c->slice_start_ns >= TIME_SLICE_NS)
		c->need_resched = true;
}

void task_user_main(void *arg)
{
	struct task *t = current;
	bool in_syscall = false;

	(void)arg;
	if (t->set_child_tid)
		put_user((s32)t->tid, t->set_child_tid);
	for (;;) {
		struct trap tr;
		u64 t0;

		exit_to_user(t, in_syscall);
		t0 = clock_monotonic_ns();
		plat_run_user(t, &tr);
		t->utime_ns += clock_monotonic_ns() - t0;
		in_syscall = false;
		switch (tr.kind) {
		case TRAP_SYSCALL:
			syscall_entry(t);
			in_syscall = true;
			break;
		case TRAP_FAULT:
			fault_entry(t, tr.addr, tr.access);
			break;
		case TRAP_SIGNAL:
			force_signal(t, tr.sig, tr.code, tr.addr);
			break;
		case TRAP_PREEMPT:
			tick();
			break;
		}
	}
}
