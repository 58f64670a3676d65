/*
 * kernel/pgrp.c - process groups and sessions: setpgid, getpgid, getpgrp, setsid,
 * getsid, and the orphaned-group test that job-control stops depend on.
 * A process is a session leader when its sid is its pid (Linux signal->leader, which
 * only setsid sets; pid 1 starts as one). Zombies keep their group and session until
 * reaped, so they count as members, as in Linux.
 */
#include "signal_internal.h"
#include <qk/lib.h>

static bool pgrp_exists_in_session(int pgid, int sid)
{
	struct proc *p;

	for_each_proc(p)
		if (p->state != PROC_REAPED && p->pgid == pgid && p->sid == sid)
			return true;
	return false;
}

static bool pgrp_exists(int pgid)
{
	struct proc *p;

	for_each_proc(p)
		if (p->state != PROC_REAPED && p->pgid == pgid)
			return true;
	return false;
}

/* A group is orphaned when no member has a parent in another group of the same
 * session (will_become_orphaned_pgrp): nobody is left to resume it. */
bool pgrp_orphaned(struct proc *self)
{
	struct proc *p;

	for_each_proc(p) {
		struct proc *pp = p->parent;

		if (p->pgid != self->pgid || p->state != PROC_ALIVE || !pp)
			continue;
		if (pp->pgid != p->pgid && pp->sid == p->sid)
			return false;
	}
	return true;
}

long sys_setpgid(int pid, int pgid)
{
	struct proc *me = current->proc, *p;

	if (!pid)
		pid = me->pid;
	if (!pgid)
		pgid = pid;
	if (pgid < 0)
		return -EINVAL;
	p = proc_find(pid);
	if (!p)
		return -ESRCH;
	if (p->parent == me) {
		if (p->sid != me->sid)
			return -EPERM;
		if (p->exec_done)
			return -EACCES;
	} else if (p != me) {
		return -ESRCH;
	}
	if (p->sid == p->pid)
		return -EPERM;	/* a session leader stays in its group */
	if (pgid != pid && !pgrp_exists_in_session(pgid, me->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_getpgid(int pid)
{
	struct proc *p = pid ? proc_find(pid) : current->proc;

	return p ? p->pgid : -ESRCH;
}

long sys_getpgrp(void)
{
	return current->proc->pgid;
}

long sys_getsid(int pid)
{
	struct proc *p = pid ? proc_find(pid) : current->proc;

	return p ? p->sid : -ESRCH;
}

long sys_setsid(void)
{
	struct proc *me = current->proc;

	if (me->sid == me->pid || pgrp_exists(me->pid))
		return -EPERM;
	me->sid = me->pid;
	me->pgid = me->pid;
	return me->pid;
}
