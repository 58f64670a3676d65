/*
 * kernel/sys_misc.c - identity and resource syscalls: uname, sethostname, getrlimit,
 * setrlimit, prlimit64, getrusage, sysinfo, getrandom, getcpu, getpriority,
 * setpriority, prctl and sched_getaffinity. The UTS names live here; the host name
 * comes from the boot info through uts_set_hostname().
 */
#include "signal_internal.h"
#include <qk/uaccess.h>
#include <qk/host.h>
#include <qk/lib.h>
#include <linux/prctl.h>
#include <linux/capability.h>

#define UTS_LEN		64
#define NR_OPEN_MAX	1048576ULL		/* fs.nr_open: RLIMIT_NOFILE's ceiling */
#define MAX_RW_COUNT	0x7ffff000UL		/* INT_MAX & PAGE_MASK */

static struct new_utsname uts = {
	.sysname = "Linux",
	.nodename = "localhost",
	.release = "6.1.0-qkernel",
	.version = "#1 SMP qkernel",
	.machine = "x86_64",
	.domainname = "(none)",
};

void uts_set_hostname(const char *name)
{
	memset(uts.nodename, 0, sizeof(uts.nodename));
	strlcpy(uts.nodename, name, sizeof(uts.nodename));
}

const struct new_utsname *uts_get(void)
{
	return &uts;
}

long sys_uname(uaddr_t ubuf)
{
	return copy_to_user(ubuf, &uts, sizeof(uts)) ? -EFAULT : 0;
}

long sys_sethostname(uaddr_t uname, int len)
{
	char buf[UTS_LEN + 1];

	if (!capable_root(current->proc))
		return -EPERM;
	if (len < 0 || len > UTS_LEN)
		return -EINVAL;
	if (copy_from_user(buf, uname, len))
		return -EFAULT;
	memset(uts.nodename, 0, sizeof(uts.nodename));
	memcpy(uts.nodename, buf, len);
	return 0;
}

/* --- resource limits --- */

/* prlimit on another process needs all its uids and gids to be ours, or root. */
static int prlimit_permission(struct proc *p)
{
	const struct cred *c = &current->proc->cred, *t = &p->cred;

	if (p == current->proc || capable_root(current->proc))
		return 0;
	if (c->uid == t->euid && c->uid == t->suid && c->uid == t->uid &&
	    c->gid == t->egid && c->gid == t->sgid && c->gid == t->gid)
		return 0;
	return -EPERM;
}

/* do_prlimit(): raising a hard limit needs root; RLIMIT_NOFILE stops at nr_open. */
static long do_prlimit(struct proc *p, unsigned res, const struct rlimit64 *new,
		       struct rlimit64 *old)
{
	struct rlimit64 *r;

	if (res >= RLIM_NLIMITS_)
		return -EINVAL;
	if (new) {
		if (new->rlim_cur > new->rlim_max)
			return -EINVAL;
		if (res == RLIMIT_NOFILE && new->rlim_max > NR_OPEN_MAX)
			return -EPERM;
	}
	r = &p->rlim[res];
	if (new && new->rlim_max > r->rlim_max && !capable_root(current->proc))
		return -EPERM;
	if (old)
		*old = *r;
	if (new)
		*r = *new;
	return 0;
}

long sys_getrlimit(unsigned res, uaddr_t ulim)
{
	struct rlimit64 old;
	long r = do_prlimit(current->proc, res, NULL, &old);

	if (!r && copy_to_user(ulim, &old, sizeof(old)))
		return -EFAULT;
	return r;
}

long sys_setrlimit(unsigned res, uaddr_t ulim)
{
	struct rlimit64 new;

	if (copy_from_user(&new, ulim, sizeof(new)))
		return -EFAULT;
	return do_prlimit(current->proc, res, &new, NULL);
}

long sys_prlimit64(int pid, unsigned res, uaddr_t unew, uaddr_t uold)
{
	struct rlimit64 new, old;
	struct proc *p;
	long r;

	if (unew && copy_from_user(&new, unew, sizeof(new)))
		return -EFAULT;
	p = pid ? proc_find(pid) : current->proc;
	if (!p)
		return -ESRCH;
	r = prlimit_permission(p);
	if (r)
		return r;
	r = do_prlimit(p, res, unew ? &new : NULL, uold ? &old : NULL);
	if (!r && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return r;
}

/* --- usage and system information --- */

static struct linux_timeval ns_to_tv(u64 ns)
{
	return (struct linux_timeval){ (s64)(ns / 1000000000ULL), (s64)(ns % 1000000000ULL / 1000) };
}

long sys_getrusage(int who, uaddr_t uru)
{
	struct task *t = current, *thr;
	struct proc *p = t->proc;
	struct linux_rusage ru;

	memset(&ru, 0, sizeof(ru));
	switch (who) {
	case RUSAGE_SELF:
		ru.ru_utime = ns_to_tv(proc_cpu_ns(p, true, false));
		ru.ru_stime = ns_to_tv(proc_cpu_ns(p, false, true));
		list_for_each_entry(thr, &p->threads, thread_node) {
			ru.ru_nvcsw += thr->nvcsw;
			ru.ru_nivcsw += thr->nivcsw;
		}
		ru.ru_maxrss = p->mm ? p->mm->rss * (PAGE_SIZE / 1024) : 0;
		break;
	case RUSAGE_THREAD:
		ru.ru_utime = ns_to_tv(t->utime_ns);
		ru.ru_stime = ns_to_tv(t->stime_ns);
		ru.ru_nvcsw = t->nvcsw;
		ru.ru_nivcsw = t->nivcsw;
		ru.ru_maxrss = p->mm ? p->mm->rss * (PAGE_SIZE / 1024) : 0;
		break;
	case RUSAGE_CHILDREN:
		ru.ru_utime = ns_to_tv(p->cutime_ns);
		ru.ru_stime = ns_to_tv(p->cstime_ns);
		break;
	default:
		return -EINVAL;
	}
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

long sys_sysinfo(uaddr_t uinfo)
{
	u64 up = clock_monotonic_ns();
	struct sysinfo si;
	struct proc *p;
	u64 tasks = 0;

	memset(&si, 0, sizeof(si));
	si.uptime = up / 1000000000ULL + (up % 1000000000ULL ? 1 : 0);
	si.totalram = pmm_total_pages() * PAGE_SIZE;
	si.freeram = pmm_free_pages() * PAGE_SIZE;
	for_each_proc(p)
		if (p->state != PROC_REAPED)
			tasks += p->state == PROC_ALIVE ? (u64)p->nr_threads : 1;
	si.procs = tasks > 0xffff ? 0xffff : tasks;
	si.mem_unit = 1;
	return copy_to_user(uinfo, &si, sizeof(si)) ? -EFAULT : 0;
}

/* getrandom(2): host entropy through a bounce page. Copies go page by page of the user
 * buffer so a fault part-way returns the bytes before it, like Linux. */
long sys_getrandom(uaddr_t ubuf, size_t len, unsigned flags)
{
	size_t done = 0;
	u8 *buf;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, MAX_RW_COUNT);
	if (!len)
		return 0;
	if (!access_ok(ubuf, len))
		return -EFAULT;
	buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - ((ubuf + done) & (PAGE_SIZE - 1)));
		size_t got = 0;
		while (got < n) {
			long r = host_getrandom(buf + got, n - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got < n || copy_to_user(ubuf + done, buf, n))
			break;
		done += n;
		if (done < len && signal_pending(current))
			break;
	}
	memset(buf, 0, PAGE_SIZE);
	kfree(buf);
	return done ? (long)done : -EFAULT;
}

long sys_getcpu(uaddr_t ucpu, uaddr_t unode, uaddr_t unused)
{
	u32 cpu = this_cpu()->id, node = 0;
	int err = 0;

	(void)unused;
	if (ucpu)
		err |= put_user(cpu, ucpu);
	if (unode)
		err |= put_user(node, unode);
	return err ? -EFAULT : 0;
}

/* --- scheduling knobs: every process runs at nice 0 (PARTIAL) --- */

/* Does p match (which, who) of get/setpriority? who 0 means the caller's own. */
static bool prio_match(struct proc *p, int which, int who)
{
	struct proc *me = current->proc;

	if (p->state == PROC_REAPED)
		return false;
	switch (which) {
	case PRIO_PROCESS:
		return p->state == PROC_ALIVE && p->pid == (who ? who : me->pid);
	case PRIO_PGRP:
		return p->state == PROC_ALIVE && p->pgid == (who ? who : me->pgid);
	default:
		return p->state == PROC_ALIVE && p->cred.uid == (who ? (u32)who : me->cred.uid);
	}
}

long sys_getpriority(int which, int who)
{
	struct proc *p;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	for_each_proc(p)
		if (prio_match(p, which, who))
			return 20;	/* 20 - nice, as the raw syscall reports it */
	return -ESRCH;
}

long sys_setpriority(int which, int who, int niceval)
{
	const struct cred *c = &current->proc->cred;
	struct proc *p;
	long err = -ESRCH;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	niceval = MAX(-20, MIN(19, niceval));
	for_each_proc(p) {
		if (!prio_match(p, which, who))
			continue;
		if (p->cred.uid != c->euid && p->cred.euid != c->euid && c->euid != 0)
			err = -EPERM;
		else if (niceval < 0 && c->euid != 0)
			err = -EACCES;	/* lowering nice needs CAP_SYS_NICE */
		else if (err == -ESRCH)
			err = 0;
	}
	return err;
}

long sys_prctl(int option, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct proc *p = current->proc;
	char comm[sizeof(p->comm)];
	long r;

	switch (option) {
	case PR_SET_NAME:
		memset(comm, 0, sizeof(comm));
		r = strncpy_from_user(comm, a2, sizeof(comm) - 1);
		if (r == -EFAULT)
			return -EFAULT;
		/* Longer names are truncated, not refused; the rest is zero padding. */
		memset(comm + strnlen(comm, sizeof(comm) - 1), 0,
		       sizeof(comm) - strnlen(comm, sizeof(comm) - 1));
		memcpy(p->comm, comm, sizeof(comm));
		return 0;
	case PR_GET_NAME:
		memcpy(comm, p->comm, sizeof(comm));
		comm[sizeof(comm) - 1] = 0;
		return copy_to_user(a2, comm, sizeof(comm)) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		return a2 <= NSIG_ ? 0 : -EINVAL;	/* accepted, not acted on */
	case PR_GET_PDEATHSIG:
		return put_user((int)0, a2) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a2 == 0 || a2 == 1 ? 0 : -EINVAL;
	case PR_SET_NO_NEW_PRIVS:
		return a2 == 1 && !a3 && !a4 && !a5 ? 0 : -EINVAL;
	case PR_GET_SECCOMP:
		return 0;
	case PR_CAPBSET_READ:
		return a2 <= CAP_LAST_CAP ? 1 : -EINVAL;
	default:
		return -EINVAL;
	}
}

long sys_sched_getaffinity(int pid, unsigned len, uaddr_t umask)
{
	u64 mask = ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
	unsigned size = (ncpus + 63) / 64 * 8;	/* cpumask_size() */

	if ((u64)len * 8 < (u64)ncpus || (len & 7))
		return -EINVAL;
	if (pid && !proc_find(pid))
		return -ESRCH;
	size = MIN(len, size);
	return copy_to_user(umask, &mask, size) ? -EFAULT : (long)size;
}
