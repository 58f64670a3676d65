/*
 * kernel/signal.c - signal state and generation, after Linux's kernel/signal.c:
 * handler tables (struct sighand), pending sets with queued siginfo, sending (with the
 * SIGCONT/stop interplay and "ignored signals are never queued"), dequeueing, faults,
 * job-control stop/continue and SIGCHLD to the parent.
 * Delivery (frames, sigreturn, default actions) is in signal_deliver.c; the syscalls
 * are in signal_sys.c.
 *
 * Model: the pending bit is the source of truth; each queued instance carries its
 * siginfo in a struct sigq (standard signals queue at most once, real-time ones once per
 * instance, in order). Everything runs under the big kernel lock.
 */
#include "signal_internal.h"
#include <qk/lib.h>
#include <qk/vfs.h>

/* A queued signal plus what only this file needs to know about it. The struct sigq is
 * first, so kfree() of a struct sigq * (proc.c, sched.c) frees the whole thing. */
struct ksigq {
	struct sigq q;
	bool from_user;
};

static LIST_HEAD(sigwaiters);	/* struct sigwaiter: tasks inside rt_sigtimedwait */
static bool init_killable;	/* a fault hit pid 1 at SIG_DFL (Linux clears SIGNAL_UNKILLABLE) */

static struct task *first_thread(struct proc *p)
{
	if (list_empty(&p->threads))
		return NULL;
	return list_first_entry(&p->threads, struct task, thread_node);
}

/* --- handler tables --- */

struct sighand *sighand_alloc(void)
{
	struct sighand *sh = kzalloc(sizeof(*sh));

	if (sh)
		sh->refs = 1;
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refs <= 0)
		kfree(sh);
}

/* fork: the child gets its own copy of the handlers and nothing pending. The lead's
 * do_clone copies the task's blocked mask and alternate stack. */
void signals_fork(struct proc *child, struct proc *parent)
{
	child->sighand = kmalloc(sizeof(*child->sighand));
	if (child->sighand) {
		memcpy(child->sighand, parent->sighand, sizeof(*child->sighand));
		child->sighand->refs = 1;
	}
	child->shared_pending = 0;
	list_init(&child->shared_sigqueue);
}

/* execve: caught signals go back to SIG_DFL, ignored ones stay ignored, flags, masks and
 * restorers are cleared (flush_signal_handlers); pending signals and the blocked mask
 * survive; the alternate stack does not. */
void signals_exec(struct proc *p)
{
	struct sighand *sh = p->sighand;

	if (sh->refs > 1) {
		struct sighand *n = kmalloc(sizeof(*n));
		if (n) {
			memcpy(n, sh, sizeof(*n));
			n->refs = 1;
			sh->refs--;
			p->sighand = sh = n;
		}
	}
	for (int i = 0; i < NSIG_; i++) {
		struct k_sigaction *ka = &sh->action[i];
		if (ka->handler != KSIG_IGN)
			ka->handler = KSIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	if (current && current->proc == p) {
		current->altstack_sp = 0;
		current->altstack_size = 0;
		current->altstack_flags = SS_DISABLE;
	}
}

bool sigchld_autoreap(struct proc *parent)
{
	struct k_sigaction *ka;

	if (!parent || !parent->sighand)
		return false;
	ka = &parent->sighand->action[SIGCHLD - 1];
	return ka->handler == KSIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

/* --- pending sets --- */

bool signal_pending(struct task *t)
{
	struct proc *p = t ? t->proc : NULL;

	if (!p)
		return false;
	if ((t->pending | p->shared_pending) & ~t->blocked)
		return true;
	return p->stopped;	/* the task must come back to do_signal to stop */
}

static void flush_queue(ksigset_t *pending, struct list_head *queue, ksigset_t mask)
{
	struct ksigq *q, *n;

	if (!(*pending & mask))
		return;
	*pending &= ~mask;
	list_for_each_entry_safe(q, n, queue, q.node) {
		if (sigmask_of(q->q.info.si_signo) & mask) {
			list_del(&q->q.node);
			kfree(q);
		}
	}
}

/* Discard the signals of mask pending anywhere in p (flush_sigqueue_mask). */
void signal_flush(struct proc *p, ksigset_t mask)
{
	struct task *t;

	flush_queue(&p->shared_pending, &p->shared_sigqueue, mask);
	list_for_each_entry(t, &p->threads, thread_node)
		flush_queue(&t->pending, &t->sigqueue, mask);
}

void siginfo_from_current(siginfo_t *info, int sig, int code)
{
	struct task *t = current;

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	if (t && t->proc) {
		info->si_pid = t->proc->pid;
		info->si_uid = t->proc->cred.uid;
	}
}

bool init_protected(struct proc *p)
{
	return p->pid == 1 && !init_killable;
}

/* --- sigtimedwait bookkeeping: its set counts as blocked for "never ignore blocked" --- */

void sigwait_begin(struct sigwaiter *w, struct task *t)
{
	w->task = t;
	w->real_blocked = t->blocked;
	list_add(&w->node, &sigwaiters);
}

void sigwait_end(struct sigwaiter *w)
{
	list_del(&w->node);
}

bool sig_blocked_for_send(struct task *t, int sig)
{
	struct sigwaiter *w;

	if (t->blocked & sigmask_of(sig))
		return true;
	list_for_each_entry(w, &sigwaiters, node)
		if (w->task == t && (w->real_blocked & sigmask_of(sig)))
			return true;
	return false;
}

/* --- sending --- */

/* sig_ignored(): blocked signals are never ignored (the handler may change before they
 * are unblocked); pid 1 drops signals from inside that it has at SIG_DFL. */
static bool sig_ignored(struct proc *p, struct task *t, int sig, int flags)
{
	u64 h = p->sighand->action[sig - 1].handler;
	struct task *bt = t ? t : first_thread(p);

	if (bt && sig_blocked_for_send(bt, sig))
		return false;
	if ((flags & SEND_FROM_USER) && h == KSIG_DFL && init_protected(p))
		return true;
	return h == KSIG_IGN || (h == KSIG_DFL && sig_in(sig, SIGSET_IGNORE));
}

static void wake_for(struct task *t, int sig)
{
	if (t->state == TASK_STOPPED) {
		if (sig == SIGKILL)
			wake_up(t);
		return;
	}
	if (t->state == TASK_INTERRUPTIBLE && (sig == SIGKILL || !(t->blocked & sigmask_of(sig))))
		wake_up(t);
}

/* Wake a thread that can take the signal now (complete_signal). */
static void complete_signal(struct proc *p, struct task *t, int sig)
{
	struct task *thr;

	if (t) {
		wake_for(t, sig);
		return;
	}
	list_for_each_entry(thr, &p->threads, thread_node) {
		if (sig == SIGKILL) {
			wake_for(thr, sig);
		} else if (!(thr->blocked & sigmask_of(sig))) {
			wake_for(thr, sig);
			return;
		}
	}
}

static int sigq_add(struct list_head *queue, int sig, const siginfo_t *info, int flags)
{
	struct ksigq *q = kzalloc(sizeof(*q));

	if (!q) {
		/* Out of memory: a standard signal is still pending (its info reads as a
		 * plain SI_USER); a real-time one with data cannot be. */
		if (sig >= SIGRTMIN_ && info && info->si_code != SI_USER)
			return -EAGAIN;
		return 0;
	}
	if (info)
		q->q.info = *info;
	else
		siginfo_from_current(&q->q.info, sig, SI_USER);
	q->q.info.si_signo = sig;
	q->from_user = flags & SEND_FROM_USER;
	list_add_tail(&q->q.node, queue);
	return 0;
}

int signal_send(struct proc *p, struct task *t, int sig, const siginfo_t *info, int flags)
{
	ksigset_t *pending;
	struct list_head *queue;
	int r;

	if (sig < 1 || sig > NSIG_)
		return -EINVAL;
	if (p->state != PROC_ALIVE || p->group_exiting || !p->sighand)
		return 0;	/* dying or dead: the signal is lost, as in Linux */
	/* prepare_signal(): stop and continue signals cancel each other at generation. */
	if (sig_in(sig, SIGSET_STOP)) {
		signal_flush(p, sigmask_of(SIGCONT));
	} else if (sig == SIGCONT) {
		signal_flush(p, SIGSET_STOP);
		proc_continue(p);
	}
	if (sig_ignored(p, t, sig, flags))
		return 0;
	pending = t ? &t->pending : &p->shared_pending;
	queue = t ? &t->sigqueue : &p->shared_sigqueue;
	if (sig < SIGRTMIN_ && (*pending & sigmask_of(sig)))
		return 0;	/* standard signals do not queue */
	r = sigq_add(queue, sig, info, flags);
	if (r)
		return r;
	*pending |= sigmask_of(sig);
	complete_signal(p, t, sig);
	return 0;
}

int send_signal_proc(struct proc *p, int sig, siginfo_t *info)
{
	return signal_send(p, NULL, sig, info, 0);
}

int send_signal_task(struct task *t, int sig, siginfo_t *info)
{
	return signal_send(t->proc, t, sig, info, 0);
}

/* force_sig_info_to_task(): a signal the task cannot refuse. If blocked or ignored, the
 * handler goes back to SIG_DFL and the signal is unblocked; that also lifts pid 1's
 * protection (a fault kills init). */
void force_signal_info(struct task *t, const siginfo_t *info, bool to_default)
{
	struct proc *p = t->proc;
	int sig = info->si_signo;
	struct k_sigaction *ka = &p->sighand->action[sig - 1];
	bool blocked = t->blocked & sigmask_of(sig);

	if (blocked || ka->handler == KSIG_IGN || to_default) {
		ka->handler = KSIG_DFL;
		t->blocked &= ~sigmask_of(sig);
	}
	if (ka->handler == KSIG_DFL && p->pid == 1)
		init_killable = true;
	signal_send(p, t, sig, info, 0);
}

void force_signal(struct task *t, int sig, int code, uaddr_t addr)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	if (sig_in(sig, SIGSET_SYNC))
		info.si_addr = (void *)addr;
	force_signal_info(t, &info, false);
}

/* --- dequeueing --- */

/* Which pending signal goes first: SIGKILL, then synchronous faults, then the lowest. */
static int next_signal(ksigset_t pending)
{
	if (!pending)
		return 0;
	if (pending & sigmask_of(SIGKILL))
		return SIGKILL;
	if (pending & SIGSET_SYNC)
		pending &= SIGSET_SYNC;
	return __builtin_ctzll(pending) + 1;
}

static void collect_signal(int sig, ksigset_t *pending, struct list_head *queue,
			   siginfo_t *info, bool *from_user)
{
	struct ksigq *q, *first = NULL;
	bool more = false;

	list_for_each_entry(q, queue, q.node) {
		if (q->q.info.si_signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = q;
	}
	if (!more)
		*pending &= ~sigmask_of(sig);
	if (first) {
		*info = first->q.info;
		*from_user = first->from_user;
		list_del(&first->q.node);
		kfree(first);
	} else {
		/* Queued without info (allocation failed): zero sender, as Linux. */
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
		*from_user = false;
	}
}

int signal_dequeue(struct task *t, ksigset_t allowed, siginfo_t *info, bool *from_user)
{
	struct proc *p = t->proc;
	int sig = next_signal(t->pending & allowed);

	if (sig) {
		collect_signal(sig, &t->pending, &t->sigqueue, info, from_user);
		return sig;
	}
	sig = next_signal(p->shared_pending & allowed);
	if (sig)
		collect_signal(sig, &p->shared_pending, &p->shared_sigqueue, info, from_user);
	return sig;
}

/* --- job control and the parent --- */

static u64 ns_to_clock_t(u64 ns)
{
	return ns / 10000000ULL;	/* USER_HZ = 100 */
}

u64 proc_cpu_ns(struct proc *p, bool user, bool sys)
{
	struct task *t;
	u64 ns = 0;

	if (p->state != PROC_ALIVE)	/* exit folded the threads' time into cutime/cstime */
		return (user ? p->cutime_ns : 0) + (sys ? p->cstime_ns : 0);
	list_for_each_entry(t, &p->threads, thread_node) {
		if (t->state == TASK_DEAD)
			continue;
		ns += (user ? t->utime_ns : 0) + (sys ? t->stime_ns : 0);
	}
	return ns;
}

/* Which signal an exiting child sends: its exit_signal (clone's CSIGNAL), SIGCHLD when
 * we cannot tell (e.g. a zombie reparented to init, which Linux also resets). */
static int exit_signal_of(struct proc *c)
{
	if (current && current->proc == c && c->state == PROC_ZOMBIE)
		return current->exit_signal;
	return SIGCHLD;
}

/* why_code: CLD_EXITED/KILLED/DUMPED (status: the wait status; refined from the child's
 * exit_status once it is a zombie), CLD_STOPPED (status: the stop signal or its
 * W_STOPCODE) or CLD_CONTINUED. */
void notify_parent(struct proc *c, int why, int status)
{
	struct proc *pp = c->parent;
	struct k_sigaction *ka;
	siginfo_t info;
	int sig = SIGCHLD;

	if (!pp)
		return;
	memset(&info, 0, sizeof(info));
	info.si_pid = c->pid;
	info.si_uid = c->cred.uid;
	info.si_utime = ns_to_clock_t(proc_cpu_ns(c, true, false));
	info.si_stime = ns_to_clock_t(proc_cpu_ns(c, false, true));
	if (why == CLD_STOPPED) {
		info.si_code = CLD_STOPPED;
		info.si_status = (status & 0xff) == 0x7f ? (status >> 8) & 0xff : status & 0x7f;
	} else if (why == CLD_CONTINUED) {
		info.si_code = CLD_CONTINUED;
		info.si_status = SIGCONT;
	} else {
		if (c->state == PROC_ZOMBIE)
			status = c->exit_status;
		if (status & 0x7f) {
			info.si_code = (status & W_COREFLAG) ? CLD_DUMPED : CLD_KILLED;
			info.si_status = status & 0x7f;
		} else {
			info.si_code = CLD_EXITED;
			info.si_status = (status >> 8) & 0xff;
		}
		sig = exit_signal_of(c);
	}
	info.si_signo = sig;
	if (pp->sighand && pp->state == PROC_ALIVE && valid_signal(sig) && sig) {
		ka = &pp->sighand->action[SIGCHLD - 1];
		if (why == CLD_STOPPED || why == CLD_CONTINUED) {
			if (ka->handler != KSIG_IGN && !(ka->flags & SA_NOCLDSTOP))
				signal_send(pp, NULL, SIGCHLD, &info, 0);
		} else if (!(sig == SIGCHLD && ka->handler == KSIG_IGN)) {
			signal_send(pp, NULL, sig, &info, 0);
		}
	}
	wake_up_all(&pp->child_wait);	/* even without SIGCHLD: wait4 may now succeed */
}

/* Job-control stop of the whole process; each thread parks itself in do_signal. */
void proc_stop(struct proc *p, int sig)
{
	struct task *t;

	if (p->stopped)
		return;
	p->stopped = true;
	p->stop_sig = sig;
	p->stop_report = true;
	p->cont_report = false;
	list_for_each_entry(t, &p->threads, thread_node)
		if (t != current && t->state == TASK_INTERRUPTIBLE)
			wake_up(t);
	notify_parent(p, CLD_STOPPED, sig);
}

void proc_continue(struct proc *p)
{
	struct task *t;

	if (!p->stopped)
		return;
	p->stopped = false;
	p->stop_sig = 0;
	p->stop_report = false;
	p->cont_report = true;
	list_for_each_entry(t, &p->threads, thread_node)
		if (t->state == TASK_STOPPED)
			wake_up(t);
	notify_parent(p, CLD_CONTINUED, SIGCONT);
}

/* A signal sent to the sandbox from the host (platforms call this). A keyboard signal
 * (raised by the host tty) goes to the guest console's foreground process group, as the
 * tty would deliver it inside; any other goes to the container's init, which (like a
 * pid-namespace init seen from outside) ignores it unless it installed a handler. */
void host_signal_forward(int sig, bool keyboard)
{
	siginfo_t info = { .si_signo = sig, .si_code = SI_KERNEL };
	struct proc *p;
	u64 h;

	if (sig < 1 || sig > NSIG_ || !init_proc || init_proc->state != PROC_ALIVE)
		return;
	if (keyboard) {
		int pgid = console_foreground_pgrp();

		for_each_proc(p)
			if (p->pgid == pgid && p->state == PROC_ALIVE)
				send_signal_proc(p, sig, &info);
		return;
	}
	h = init_proc->sighand->action[sig - 1].handler;
	if (h == (u64)SIG_DFL || h == (u64)SIG_IGN)
		return;
	info.si_code = SI_USER;
	send_signal_proc(init_proc, sig, &info);
}
