/*
 * kernel/signal_sys.c - the signal syscalls: rt_sigaction, rt_sigprocmask,
 * rt_sigpending, rt_sigsuspend, pause, rt_sigtimedwait, kill, tkill, tgkill and
 * rt_sigqueueinfo. Argument checks follow Linux's order so errnos match.
 */
#include "signal_internal.h"
#include <qk/uaccess.h>
#include <qk/lib.h>

/* The flags rt_sigaction keeps and reports (Linux UAPI_SA_FLAGS on x86-64). */
#define UAPI_SA_FLAGS	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | \
			 SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER)
#define KSIGINFO_SIZE	48	/* the part of siginfo_t the kernel keeps (kernel_siginfo) */

static long do_sigaction(int sig, struct k_sigaction *act, struct k_sigaction *oact)
{
	struct proc *p = current->proc;
	struct k_sigaction *k;

	if (sig < 1 || sig > NSIG_ || (act && sig_in(sig, SIGSET_KILLSTOP)))
		return -EINVAL;
	k = &p->sighand->action[sig - 1];
	if (oact) {
		*oact = *k;
		oact->flags &= UAPI_SA_FLAGS;
	}
	if (act) {
		act->flags &= UAPI_SA_FLAGS;
		act->mask &= ~SIGSET_KILLSTOP;
		*k = *act;
		/* POSIX: setting SIG_IGN (or SIG_DFL where the default is to ignore)
		 * discards the pending instances, blocked or not. */
		if (k->handler == KSIG_IGN || (k->handler == KSIG_DFL && sig_in(sig, SIGSET_IGNORE)))
			signal_flush(p, sigmask_of(sig));
	}
	return 0;
}

long sys_rt_sigaction(int sig, uaddr_t uact, uaddr_t uoact, size_t sigsetsize)
{
	struct k_sigaction act, old;
	long r;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)))
		return -EFAULT;
	r = do_sigaction(sig, uact ? &act : NULL, uoact ? &old : NULL);
	if (!r && uoact && copy_to_user(uoact, &old, sizeof(old)))
		return -EFAULT;
	return r;
}

long sys_rt_sigprocmask(int how, uaddr_t unset, uaddr_t uoset, size_t sigsetsize)
{
	struct task *t = current;
	ksigset_t old = t->blocked, set;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (unset) {
		if (copy_from_user(&set, unset, sizeof(set)))
			return -EFAULT;
		set &= ~SIGSET_KILLSTOP;	/* silently, as Linux */
		switch (how) {
		case SIG_BLOCK:
			t->blocked |= set;
			break;
		case SIG_UNBLOCK:
			t->blocked &= ~set;
			break;
		case SIG_SETMASK:
			t->blocked = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uaddr_t uset, size_t sigsetsize)
{
	struct task *t = current;
	ksigset_t set = (t->pending | t->proc->shared_pending) & t->blocked;

	if (sigsetsize > sizeof(set))
		return -EINVAL;
	if (copy_to_user(uset, &set, sigsetsize))
		return -EFAULT;
	return 0;
}

/* Sleep until a signal is pending for t (with its current mask). */
static void sleep_until_signal(struct task *t)
{
	for (;;) {
		t->state = TASK_INTERRUPTIBLE;
		if (signal_pending(t))
			break;
		schedule();
	}
	t->state = TASK_RUNNING;
}

long sys_pause(void)
{
	sleep_until_signal(current);
	return -ERESTARTNOHAND;
}

/* The mask applies until a handler has run: do_signal puts the saved one in the frame
 * (or back at once when only stops/ignored signals came, and the call restarts). */
long sys_rt_sigsuspend(uaddr_t umask, size_t sigsetsize)
{
	struct task *t = current;
	ksigset_t set;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&set, umask, sizeof(set)))
		return -EFAULT;
	t->saved_sigmask = t->blocked;
	t->blocked = set & ~SIGSET_KILLSTOP;
	sleep_until_signal(t);
	t->restore_sigmask = true;
	return -ERESTARTNOHAND;
}

static bool timespec_ok(const struct __kernel_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000LL;
}

static u64 timespec_ns(const struct __kernel_timespec *ts)
{
	if ((u64)ts->tv_sec >= UINT64_MAX / 1000000000ULL - 1)
		return UINT64_MAX;
	return (u64)ts->tv_sec * 1000000000ULL + (u64)ts->tv_nsec;
}

long sys_rt_sigtimedwait(uaddr_t uthese, uaddr_t uinfo, uaddr_t uts, size_t sigsetsize)
{
	struct task *t = current;
	struct __kernel_timespec ts;
	struct sigwaiter w;
	u64 timeout = UINT64_MAX;
	ksigset_t want;
	siginfo_t info;
	bool from_user;
	long r = 0;
	int sig;

	if (sigsetsize != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&want, uthese, sizeof(want)))
		return -EFAULT;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (!timespec_ok(&ts))
			return -EINVAL;
		timeout = timespec_ns(&ts);
	}
	want &= ~SIGSET_KILLSTOP;
	sig = signal_dequeue(t, want, &info, &from_user);
	if (!sig && timeout) {
		/* Unblock the awaited set while asleep so its arrival wakes us. */
		sigwait_begin(&w, t);
		t->blocked &= ~want;
		r = sleep_timeout(timeout);
		t->blocked = w.real_blocked;
		sigwait_end(&w);
		sig = signal_dequeue(t, want, &info, &from_user);
	}
	if (!sig)
		return r ? -EINTR : -EAGAIN;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

/* --- sending: permission and targets --- */

/* check_kill_permission(): root, or a real/effective uid matching the target's real or
 * saved uid; SIGCONT within the session; kernel-coded siginfo skips the uid test. */
static int kill_permission(struct proc *p, int sig, const siginfo_t *info)
{
	struct proc *me = current->proc;
	const struct cred *c = &me->cred, *tc = &p->cred;

	if (!valid_signal(sig))
		return -EINVAL;
	if (info->si_code > 0)
		return 0;
	if (p == me || c->euid == 0 || c->euid == tc->suid || c->euid == tc->uid ||
	    c->uid == tc->suid || c->uid == tc->uid)
		return 0;
	if (sig == SIGCONT && p->sid == me->sid)
		return 0;
	return -EPERM;
}

static int kill_proc(struct proc *p, int sig, const siginfo_t *info)
{
	int r = kill_permission(p, sig, info);

	if (r || !sig)
		return r;
	return signal_send(p, NULL, sig, info, SEND_FROM_USER);
}

static int kill_pgrp(int pgid, int sig, const siginfo_t *info)
{
	struct proc *p;
	int r = -ESRCH;
	bool success = false;

	for_each_proc(p) {
		if (p->pgid != pgid || p->state == PROC_REAPED)
			continue;
		r = kill_proc(p, sig, info);
		success |= !r;
	}
	return success ? 0 : r;
}

/* kill(-1): everything but init and ourselves; EPERM alone still counts as success. */
static int kill_all(int sig, const siginfo_t *info)
{
	struct proc *me = current->proc, *p;
	int r = 0, count = 0;

	for_each_proc(p) {
		int err;

		if (p->pid <= 1 || p == me || p->state == PROC_REAPED)
			continue;
		err = kill_proc(p, sig, info);
		count++;
		if (err != -EPERM)
			r = err;
	}
	return count ? r : -ESRCH;
}

long sys_kill(int pid, int sig)
{
	siginfo_t info;
	struct proc *p;

	siginfo_from_current(&info, sig, SI_USER);
	if (pid > 0) {
		p = proc_find(pid);
		return p ? kill_proc(p, sig, &info) : -ESRCH;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid == -1)
		return kill_all(sig, &info);
	return kill_pgrp(pid ? -pid : current->proc->pgid, sig, &info);
}

static long do_tkill(int tgid, int tid, int sig)
{
	struct proc *p = proc_find(tid);
	struct task *t = NULL;
	siginfo_t info;
	int r;

	siginfo_from_current(&info, sig, SI_TKILL);
	if (!p || p->state == PROC_ALIVE) {
		t = task_find(tid);
		p = t ? t->proc : NULL;
	}
	if (!p || (tgid > 0 && p->pid != tgid))
		return -ESRCH;
	r = kill_permission(p, sig, &info);
	if (r || !sig || !t)
		return r;	/* a zombie thread takes the signal and drops it */
	return signal_send(p, t, sig, &info, SEND_FROM_USER);
}

long sys_tkill(int tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return do_tkill(0, tid, sig);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

/* known_siginfo_layout(): codes whose siginfo fits in the kernel's 48 bytes. */
static bool known_siginfo_layout(int sig, int code)
{
	static const int limits[] = { [SIGILL] = NSIGILL, [SIGFPE] = NSIGFPE,
		[SIGSEGV] = NSIGSEGV, [SIGBUS] = NSIGBUS, [SIGTRAP] = NSIGTRAP,
		[SIGCHLD] = NSIGCHLD, [SIGPOLL] = NSIGPOLL, [SIGSYS] = NSIGSYS };

	if (code == SI_KERNEL)
		return true;
	if (code > SI_USER) {
		if (sig > 0 && sig < (int)ARRAY_SIZE(limits) && limits[sig])
			return code <= limits[sig];
		return code <= NSIGPOLL;
	}
	return code >= SI_DETHREAD || code == SI_ASYNCNL;
}

long sys_rt_sigqueueinfo(int pid, int sig, uaddr_t uinfo)
{
	siginfo_t info;
	struct proc *p;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	info.si_signo = sig;
	if (!known_siginfo_layout(sig, info.si_code)) {
		for (size_t i = KSIGINFO_SIZE; i < sizeof(info); i++)
			if (((u8 *)&info)[i])
				return -E2BIG;
	}
	memset((u8 *)&info + KSIGINFO_SIZE, 0, sizeof(info) - KSIGINFO_SIZE);
	/* Nobody may forge kernel or kill()/tkill() siginfo for another process. */
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && pid != current->tid)
		return -EPERM;
	p = pid > 0 ? proc_find(pid) : NULL;
	if (!p)
		return -ESRCH;
	return kill_proc(p, sig, &info);
}
