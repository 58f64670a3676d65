/*
 * kernel/signal_internal.h - what kernel/signal*.c, time.c, cred.c, pgrp.c and
 * sys_misc.c share beyond qk/proc.h: the send/dequeue primitives with their flags, the
 * default-action classes of Linux's kernel/signal.c, and the alternate-stack helpers.
 */
#ifndef QK_KERNEL_SIGNAL_INTERNAL_H
#define QK_KERNEL_SIGNAL_INTERNAL_H

#include <qk/proc.h>
#include <linux/signal.h>

#define KSIG_DFL	0ULL
#define KSIG_IGN	1ULL
#define SIGRTMIN_	32

#define SIGSET_KILLSTOP	(sigmask_of(SIGKILL) | sigmask_of(SIGSTOP))
#define SIGSET_STOP	(sigmask_of(SIGSTOP) | sigmask_of(SIGTSTP) | sigmask_of(SIGTTIN) | \
			 sigmask_of(SIGTTOU))
#define SIGSET_IGNORE	(sigmask_of(SIGCONT) | sigmask_of(SIGCHLD) | sigmask_of(SIGWINCH) | \
			 sigmask_of(SIGURG))
#define SIGSET_COREDUMP	(sigmask_of(SIGQUIT) | sigmask_of(SIGILL) | sigmask_of(SIGTRAP) | \
			 sigmask_of(SIGABRT) | sigmask_of(SIGFPE) | sigmask_of(SIGSEGV) | \
			 sigmask_of(SIGBUS) | sigmask_of(SIGSYS) | sigmask_of(SIGXCPU) | \
			 sigmask_of(SIGXFSZ))
#define SIGSET_SYNC	(sigmask_of(SIGSEGV) | sigmask_of(SIGBUS) | sigmask_of(SIGILL) | \
			 sigmask_of(SIGTRAP) | sigmask_of(SIGFPE) | sigmask_of(SIGSYS))

/* Default-action classes apply to the standard signals only (Linux siginmask()). */
static inline bool sig_in(int sig, ksigset_t set)
{
	return sig > 0 && sig < SIGRTMIN_ && (sigmask_of(sig) & set);
}
static inline bool valid_signal(int sig) { return sig >= 0 && sig <= NSIG_; }

/* signal_send() flags */
#define SEND_FROM_USER	0x1	/* kill/tgkill/sigqueue: pid 1 drops what it has at SIG_DFL */

/* Queue sig for process p (t == NULL) or for its thread t; info NULL means "as if the
 * current process sent it with kill()". 0, or -EAGAIN when a queued real-time signal
 * cannot be allocated. Dropped (returning 0) when the target ignores it. */
int signal_send(struct proc *p, struct task *t, int sig, const siginfo_t *info, int flags);
/* Take the next pending signal of t among the set allowed (thread-directed first). */
int signal_dequeue(struct task *t, ksigset_t allowed, siginfo_t *info, bool *from_user);
/* Discard the signals of mask pending anywhere in the live process p. */
void signal_flush(struct proc *p, ksigset_t mask);
/* Fill info as kill(2)/tkill(2) from the current process would (SI_USER, SI_TKILL). */
void siginfo_from_current(siginfo_t *info, int sig, int code);
/* Is p's pid-1 "unkillable from inside" protection still in force? */
bool init_protected(struct proc *p);
/* sigtimedwait: is sig blocked for t, counting the set it waits for (Linux real_blocked)? */
struct sigwaiter {
	struct list_head node;
	struct task *task;
	ksigset_t real_blocked;
};
bool sig_blocked_for_send(struct task *t, int sig);
void sigwait_begin(struct sigwaiter *w, struct task *t);	/* records t->blocked */
void sigwait_end(struct sigwaiter *w);
/* Fault-style delivery: to_default resets the handler even when caught (force_sigsegv). */
void force_signal_info(struct task *t, const siginfo_t *info, bool to_default);
/* Is the process group of p orphaned (job-control stops are not taken)? */
bool pgrp_orphaned(struct proc *p);

/* Alternate signal stack, as Linux's sas_ss_* helpers. A task with size 0 and flags 0
 * has never set one: that reads as SS_DISABLE. */
static inline int sas_raw_flags(struct task *t)
{
	return (t->altstack_size == 0 && t->altstack_flags == 0) ? SS_DISABLE : t->altstack_flags;
}
static inline bool __on_sig_stack(struct task *t, u64 sp)
{
	return sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}
static inline bool on_sig_stack(struct task *t, u64 sp)
{
	if (t->altstack_flags & SS_AUTODISARM)
		return false;
	return __on_sig_stack(t, sp);
}
static inline int sas_ss_flags(struct task *t, u64 sp)
{
	if (!t->altstack_size)
		return SS_DISABLE;
	return on_sig_stack(t, sp) ? SS_ONSTACK : 0;
}

/* CPU time of a process: its live threads plus what exited threads left behind. */
u64 proc_cpu_ns(struct proc *p, bool user, bool sys);

#endif
