/*
 * kernel/proc.c - processes: the pid table, fork/vfork/clone, exit, wait4/waitid, and
 * the small process-identity syscalls. A process is a thread group; today each has one
 * task (threads come with CLONE_THREAD later).
 */
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/uaccess.h>
#include <qk/platform.h>
#include <qk/lib.h>

LIST_HEAD(all_procs);
struct proc *init_proc;
static int last_pid;

#define PID_MAX 4194304

struct proc *proc_find(int pid)
{
	struct proc *p;

	for_each_proc(p)
		if (p->pid == pid && p->state != PROC_REAPED)
			return p;
	return NULL;
}

struct task *task_find(int tid)
{
	struct proc *p = proc_find(tid);

	if (!p || list_empty(&p->threads))
		return NULL;
	return list_first_entry(&p->threads, struct task, thread_node);
}

int pid_alloc(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int pid = last_pid + 1 >= PID_MAX ? 2 : last_pid + 1;
		struct proc *p;
		bool used = false;

		last_pid = pid;
		for_each_proc(p)
			if (p->pid == pid || p->pgid == pid || p->sid == pid)
				used = true;
		if (!used)
			return pid;
	}
	return -EAGAIN;
}

struct proc *proc_alloc(void)
{
	struct proc *p = kzalloc(sizeof(*p));
	int pid;

	if (!p)
		return NULL;
	pid = pid_alloc();
	if (pid < 0) {
		kfree(p);
		return NULL;
	}
	p->pid = pid;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	list_init(&p->shared_sigqueue);
	waitq_init(&p->child_wait);
	waitq_init(&p->vfork_wait);
	p->start_ns = clock_monotonic_ns();
	list_add_tail(&p->all_node, &all_procs);
	return p;
}

void proc_add_task(struct proc *p, struct task *t)
{
	t->tid = p->pid;
	list_add_tail(&t->thread_node, &p->threads);
	p->nr_threads++;
}

/* --- fork --- */

void task_user_main(void *arg);	/* kernel/entry.c */

static int copy_resources(struct proc *c, struct proc *p, u64 flags)
{
	if (flags & CLONE_VM) {
		c->mm = p->mm;
		mm_get(c->mm);
	} else if (!(c->mm = mm_fork(p->mm))) {
		return -ENOMEM;
	}
	if (flags & CLONE_FILES) {
		c->files = p->files;
		files_get(c->files);
	} else if (!(c->files = files_fork(p->files))) {
		return -ENOMEM;
	}
	if (!(c->fs = fs_ctx_fork(p->fs)))
		return -ENOMEM;
	if (flags & CLONE_SIGHAND) {
		c->sighand = p->sighand;
		c->sighand->refs++;
	} else {
		signals_fork(c, p);
		if (!c->sighand)
			return -ENOMEM;
	}
	return 0;
}

static void proc_release(struct proc *p)
{
	if (p->mm)
		mm_put(p->mm);
	if (p->files)
		files_put(p->files);
	if (p->fs)
		fs_ctx_put(p->fs);
	p->mm = NULL;
	p->files = NULL;
	p->fs = NULL;
}

static void proc_free(struct proc *p)
{
	struct sigq *q, *n;

	list_for_each_entry_safe(q, n, &p->shared_sigqueue, node) {
		list_del(&q->node);
		kfree(q);
	}
	if (p->sighand)
		sighand_put(p->sighand);
	list_del(&p->all_node);
	kfree(p->exe_path);
	kfree(p);
}

long do_clone(u64 flags, uaddr_t newsp, uaddr_t ptid, uaddr_t ctid, uaddr_t tls)
{
	struct proc *parent = current->proc, *c;
	struct task *t;
	long err;

	if ((flags & CLONE_THREAD) || ((flags & CLONE_VM) && !(flags & CLONE_VFORK))) {
		pr_warn("clone: threads are not supported yet (flags %#lx)", (unsigned long)flags);
		return -EINVAL;
	}
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_FS) && (flags & (CLONE_NEWNS | CLONE_NEWUSER)))
		return -EINVAL;
	if (flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
		     CLONE_NEWNET | CLONE_NEWCGROUP))
		return -EPERM;
	c = proc_alloc();
	if (!c)
		return -EAGAIN;
	c->parent = (flags & CLONE_PARENT) && parent->parent ? parent->parent : parent;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->cred = parent->cred;
	memcpy(c->rlim, parent->rlim, sizeof(c->rlim));
	memcpy(c->comm, parent->comm, sizeof(c->comm));
	c->exe_path = parent->exe_path ? kstrdup(parent->exe_path) : NULL;
	err = copy_resources(c, parent, flags);
	if (err)
		goto fail;
	t = task_create(c, task_user_main, NULL);
	if (!t) {
		err = -ENOMEM;
		goto fail;
	}
	proc_add_task(c, t);
	t->regs = current->regs;
	t->regs.rax = 0;
	if (newsp)
		t->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		t->regs.fs_base = tls;
	t->blocked = current->blocked;
	t->altstack_sp = current->altstack_sp;
	t->altstack_size = current->altstack_size;
	t->altstack_flags = current->altstack_flags;
	t->exit_signal = c->exit_signal = flags & CSIGNAL;
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = ctid;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if ((flags & CLONE_PARENT_SETTID) && put_user((s32)c->pid, ptid)) {
		/* Linux ignores a bad ptid as well; the child still starts. */
	}
	list_add_tail(&c->sibling, &c->parent->children);
	wake_up(t);
	if (flags & CLONE_VFORK) {
		/* The parent sleeps until the child execs or exits (uninterruptibly, as
		 * Linux does except for fatal signals). */
		int pid = c->pid;
		while (!c->vfork_done) {
			struct waiter w = { .node = {0}, .task = current };
			list_add_tail(&w.node, &c->vfork_wait.waiters);
			current->state = TASK_UNINTERRUPTIBLE;
			if (!c->vfork_done)
				schedule();
			current->state = TASK_RUNNING;
			list_del(&w.node);
		}
		return pid;
	}
	return c->pid;
fail:
	proc_release(c);
	proc_free(c);
	return err;
}

long sys_clone(u64 flags, uaddr_t newsp, uaddr_t ptid, uaddr_t ctid, uaddr_t tls)
{
	return do_clone(flags, newsp, ptid, ctid, tls);
}

long sys_fork(void)
{
	return do_clone(SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(void)
{
	return do_clone(CLONE_VFORK | CLONE_VM | SIGCHLD, 0, 0, 0, 0);
}

/* Release a vfork parent (at exec or exit of the child). */
void vfork_release(struct proc *p)
{
	if (!p->vfork_done) {
		p->vfork_done = true;
		wake_up_all(&p->vfork_wait);
	}
}

/* --- exit --- */

long futex_wake_addr(struct mm *mm, uaddr_t uaddr, int n);	/* kernel/futex.c */

static void reparent_children(struct proc *p)
{
	struct proc *c, *n;

	list_for_each_entry_safe(c, n, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = init_proc;
		c->exit_signal = SIGCHLD;
		list_add_tail(&c->sibling, &init_proc->children);
		if (c->state == PROC_ZOMBIE)
			notify_parent(c, CLD_EXITED, 0);
	}
}

static void reap(struct proc *p)
{
	if (p->parent) {
		p->parent->cutime_ns += p->cutime_ns;
		p->parent->cstime_ns += p->cstime_ns;
	}
	list_del(&p->sibling);
	p->state = PROC_REAPED;
	proc_free(p);
}

void do_exit_task(int status)
{
	do_exit_group(status);
}

void do_exit_group(int status)
{
	struct task *t = current;
	struct proc *p = t->proc;
	int code;

	if (p == init_proc)
		plat_shutdown(status);
	p->group_exiting = true;
	/* As Linux's mm_release: only when another task still uses the memory. */
	if (t->clear_child_tid && p->mm && p->mm->refs > 1) {
		put_user((s32)0, t->clear_child_tid);
		futex_wake_addr(p->mm, t->clear_child_tid, 1);
	}
	p->cutime_ns += t->utime_ns;
	p->cstime_ns += t->stime_ns;
	plat_task_exit(t);
	vfork_release(p);
	proc_release(p);
	reparent_children(p);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	t->state = TASK_DEAD;
	list_del(&t->thread_node);	/* the task is freed once we leave its stack */
	p->nr_threads--;
	if ((status & 0x7f) == 0)
		code = CLD_EXITED;
	else
		code = (status & W_COREFLAG) ? CLD_DUMPED : CLD_KILLED;
	notify_parent(p, code, status);
	if (sigchld_autoreap(p->parent))
		reap(p);
	schedule();
	panic("dead task %d scheduled again", t->tid);
}

long sys_exit(int code)
{
	do_exit_task(W_EXITCODE(code, 0));
}

long sys_exit_group(int code)
{
	do_exit_group(W_EXITCODE(code, 0));
}

/* --- wait --- */

struct wait_req {
	int idtype;		/* P_ALL, P_PID, P_PGID */
	int id;
	int options;
	/* result */
	int pid, status, code;	/* code: CLD_* */
	u32 uid;
	u64 utime_ns, stime_ns;
};

static bool wait_match(struct proc *c, struct wait_req *w)
{
	/* Without __WALL, __WCLONE selects exactly the children that do not report
	 * with SIGCHLD. */
	if (!(w->options & __WALL) &&
	    !!(w->options & __WCLONE) != (c->exit_signal != SIGCHLD))
		return false;
	switch (w->idtype) {
	case P_PID:
		return c->pid == w->id;
	case P_PGID:
		return c->pgid == w->id;
	default:
		return true;
	}
}

/* One scan of the children: 1 = found an event, 0 = none yet, -ECHILD = no child. */
static int wait_scan(struct wait_req *w)
{
	struct proc *self = current->proc, *c;
	bool any = false;

	list_for_each_entry(c, &self->children, sibling) {
		if (!wait_match(c, w))
			continue;
		any = true;
		w->pid = c->pid;
		w->uid = c->cred.uid;
		if (c->state == PROC_ZOMBIE && (w->options & WEXITED)) {
			int st = c->exit_status;
			w->status = st;
			w->code = (st & 0x7f) == 0 ? CLD_EXITED :
				  (st & W_COREFLAG) ? CLD_DUMPED : CLD_KILLED;
			w->utime_ns = c->cutime_ns;
			w->stime_ns = c->cstime_ns;
			if (!(w->options & WNOWAIT))
				reap(c);
			return 1;
		}
		if (c->stop_report && (w->options & WSTOPPED)) {
			w->status = W_STOPCODE(c->stop_sig);
			w->code = CLD_STOPPED;
			if (!(w->options & WNOWAIT))
				c->stop_report = false;
			return 1;
		}
		if (c->cont_report && (w->options & WCONTINUED)) {
			w->status = W_CONTINUED;
			w->code = CLD_CONTINUED;
			if (!(w->options & WNOWAIT))
				c->cont_report = false;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

static long do_wait(struct wait_req *w)
{
	struct proc *self = current->proc;
	int r;

	for (;;) {
		r = wait_scan(w);
		if (r)
			return r;
		if (w->options & WNOHANG)
			return 0;
		r = sleep_on(&self->child_wait);
		if (r)
			return r;
	}
}

/* The reaped child's CPU times as a struct rusage (the rest is zero); ua may be 0. */
static int put_wait_rusage(uaddr_t ua, const struct wait_req *w)
{
	struct linux_rusage ru;

	if (!ua)
		return 0;
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = w->utime_ns / 1000000000;
	ru.ru_utime.tv_usec = w->utime_ns % 1000000000 / 1000;
	ru.ru_stime.tv_sec = w->stime_ns / 1000000000;
	ru.ru_stime.tv_usec = w->stime_ns % 1000000000 / 1000;
	return copy_to_user(ua, &ru, sizeof(ru));
}

long sys_wait4(int pid, uaddr_t ustatus, int options, uaddr_t urusage)
{
	struct wait_req w = { .options = options };
	long r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid < -1) {
		w.idtype = P_PGID;
		w.id = -pid;
	} else if (pid == 0) {
		w.idtype = P_PGID;
		w.id = current->proc->pgid;
	} else if (pid > 0) {
		w.idtype = P_PID;
		w.id = pid;
	} else {
		w.idtype = P_ALL;
	}
	w.options |= WEXITED;
	r = do_wait(&w);
	if (r <= 0)
		return r;
	if (ustatus && put_user((s32)w.status, ustatus))
		return -EFAULT;
	if (put_wait_rusage(urusage, &w))
		return -EFAULT;
	return w.pid;
}

long sys_waitid(int idtype, int id, uaddr_t uinfo, int options, uaddr_t urusage)
{
	struct wait_req w = { .idtype = idtype, .id = id, .options = options };
	siginfo_t si;
	long r;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
	case P_PGID:
		if (id <= 0 && !(idtype == P_PGID && id == 0))
			return -EINVAL;
		if (idtype == P_PGID && id == 0)
			w.id = current->proc->pgid;
		break;
	default:
		return -EINVAL;
	}
	r = do_wait(&w);
	if (r < 0)
		return r;
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.si_code = w.code;
		si.si_pid = w.pid;
		si.si_uid = w.uid;
		si.si_status = w.code == CLD_EXITED ? (w.status >> 8) & 0xff :
			       w.code == CLD_CONTINUED ? SIGCONT :
			       w.code == CLD_STOPPED ? (w.status >> 8) & 0xff : w.status & 0x7f;
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof(si)))
		return -EFAULT;
	if (put_wait_rusage(urusage, &w))
		return -EFAULT;
	return 0;
}

/* --- identity --- */

long sys_getpid(void)
{
	return current->proc->pid;
}

long sys_gettid(void)
{
	return current->tid;
}

long sys_getppid(void)
{
	struct proc *pp = current->proc->parent;

	return pp ? pp->pid : 0;
}

long sys_set_tid_address(uaddr_t tidptr)
{
	current->clear_child_tid = tidptr;
	return current->tid;
}

long sys_set_robust_list(uaddr_t head, u64 len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = head;
	current->robust_len = len;
	return 0;
}

long sys_get_robust_list(int pid, uaddr_t uhead, uaddr_t ulen)
{
	struct task *t = pid ? task_find(pid) : current;

	if (!t)
		return -ESRCH;
	if (put_user(t->robust_list, uhead) || put_user(t->robust_len, ulen))
		return -EFAULT;
	return 0;
}
