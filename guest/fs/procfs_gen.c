/*
 * fs/procfs_gen.c - the contents of /proc files, generated at open time into a text
 * buffer, in the formats Linux uses (so ps, free, uptime and glibc's parsers work).
 */
#include "procfs.h"
#include <qk/uaccess.h>
#include <qk/mm.h>

/* kernel/ owns the uname fields; it may provide this accessor (weak until it does). */

#define CLK_TCK		100
#define NS_PER_TICK	(1000000000ULL / CLK_TCK)

static bool sb_grow(struct sbuf *sb, size_t need)
{
	size_t cap = MAX(sb->cap * 2, MAX(need, (size_t)512));
	char *nb;

	if (need <= sb->cap)
		return true;
	nb = kmalloc(cap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	if (sb->len)
		memcpy(nb, sb->buf, sb->len);
	kfree(sb->buf);
	sb->buf = nb;
	sb->cap = cap;
	return true;
}

void sb_write(struct sbuf *sb, const void *data, size_t n)
{
	if (!sb_grow(sb, sb->len + n))
		return;
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
}

void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int tries = 0; tries < 2; tries++) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		if (!sb_grow(sb, sb->len + (size_t)n + 1))
			return;
	}
}

static const char *uts_field(int which)
{
	const struct new_utsname *u = uts_get();

	return which == 0 ? u->sysname : which == 1 ? u->release : u->nodename;
}

static u64 uptime_ns(void)
{
	u64 now = clock_realtime_ns(), boot = boot_time_ns();

	return now > boot ? now - boot : 0;
}

static void gen_mounts(struct sbuf *sb)
{
	struct path root = { root_mount, root_mount->root };
	char path[256];
	struct mount *m;

	list_for_each_entry(m, &mount_list, node) {
		struct path mp = { m->parent, m->mountpoint };

		if (!m->parent)
			strlcpy(path, "/", sizeof(path));
		else if (d_path(&mp, &root, path, sizeof(path)) < 0)
			continue;
		sb_printf(sb, "%s %s %s %s 0 0\n", m->source, path, m->sb->type->name,
			  mnt_rdonly(m) ? "ro" : "rw");
	}
}

static void gen_meminfo(struct sbuf *sb)
{
	u64 total = pmm_total_pages() * (PAGE_SIZE / 1024), fr = pmm_free_pages() * (PAGE_SIZE / 1024);
	static const char *const zero[] = {
		"Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:", "Shmem:",
		"SwapTotal:", "SwapFree:", "Dirty:", "Mapped:",
	};

	sb_printf(sb, "%-16s%8llu kB\n", "MemTotal:", (unsigned long long)total);
	sb_printf(sb, "%-16s%8llu kB\n", "MemFree:", (unsigned long long)fr);
	sb_printf(sb, "%-16s%8llu kB\n", "MemAvailable:", (unsigned long long)fr);
	for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
		sb_printf(sb, "%-16s%8llu kB\n", zero[i], 0ULL);
}

static void gen_cpuinfo(struct sbuf *sb)
{
	for (int i = 0; i < ncpus; i++)
		sb_printf(sb, "processor\t: %d\nvendor_id\t: QuarkVirtual\nmodel name\t: "
			  "qkernel virtual CPU\ncpu MHz\t\t: 1000.000\ncache size\t: 0 KB\n"
			  "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
			  "flags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2 syscall lm\n\n",
			  i, ncpus, i, ncpus);
}

static void gen_loadavg(struct sbuf *sb)
{
	struct proc *p;
	int total = 0, running = 0, last = 0;

	for_each_proc(p) {
		struct task *t;

		if (p->state == PROC_REAPED)
			continue;
		list_for_each_entry(t, &p->threads, thread_node) {
			total++;
			running += t->state == TASK_RUNNING;
		}
		last = MAX(last, p->pid);
	}
	sb_printf(sb, "0.00 0.00 0.00 %d/%d %d\n", running, total, last);
}

static void gen_stat(struct sbuf *sb)
{
	u64 up = uptime_ns() / NS_PER_TICK, user = 0, sys = 0, ctxt = 0;
	struct proc *p;
	int nproc = 0;

	for_each_proc(p) {
		struct task *t;

		list_for_each_entry(t, &p->threads, thread_node) {
			user += t->utime_ns / NS_PER_TICK;
			sys += t->stime_ns / NS_PER_TICK;
			ctxt += t->nvcsw + t->nivcsw;
		}
		nproc++;
	}
	sb_printf(sb, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)user,
		  (unsigned long long)sys, (unsigned long long)(up > user + sys ? up - user - sys : 0));
	for (int i = 0; i < ncpus; i++)
		sb_printf(sb, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", i,
			  (unsigned long long)(i ? 0 : user), (unsigned long long)(i ? 0 : sys),
			  (unsigned long long)up);
	sb_printf(sb, "intr 0\nctxt %llu\nbtime %llu\nprocesses %d\nprocs_running 1\n"
		  "procs_blocked 0\nsoftirq 0\n", (unsigned long long)ctxt,
		  (unsigned long long)(boot_time_ns() / 1000000000ULL), nproc);
}

static char proc_state(struct proc *p, const char **name)
{
	struct task *t;

	if (p->state != PROC_ALIVE) {
		*name = "zombie";
		return 'Z';
	}
	if (p->stopped) {
		*name = "stopped";
		return 'T';
	}
	list_for_each_entry(t, &p->threads, thread_node) {
		if (t->state == TASK_RUNNING) {
			*name = "running";
			return 'R';
		}
	}
	*name = "sleeping";
	return 'S';
}

static u64 vm_size(struct mm *mm)
{
	struct vm_area *v;
	u64 s = 0;

	if (!mm)
		return 0;
	list_for_each_entry(v, &mm->vmas, node)
		s += v->end - v->start;
	return s;
}

static void proc_times(struct proc *p, u64 *ut, u64 *st)
{
	struct task *t;

	*ut = *st = 0;
	list_for_each_entry(t, &p->threads, thread_node) {
		*ut += t->utime_ns;
		*st += t->stime_ns;
	}
}

static void gen_pstat(struct sbuf *sb, struct proc *p)
{
	const char *sn;
	char st = proc_state(p, &sn);
	u64 ut, stm, start;
	struct mm *mm = p->state == PROC_ALIVE ? p->mm : NULL;
	u64 now = clock_monotonic_ns(), up = uptime_ns();
	u32 tty = 0;
	int tpgid = -1;

	if (init_proc && p->sid == init_proc->sid)
		console_info(&tty, &tpgid);
	proc_times(p, &ut, &stm);
	start = p->start_ns + up > now ? (p->start_ns + up - now) / NS_PER_TICK : 0;
	sb_printf(sb, "%d (%s) %c %d %d %d %u %d 4194304 0 0 0 0 %llu %llu %llu %llu 20 0 %d 0 %llu "
		  "%llu %llu 18446744073709551615 0 0 %llu 0 0 0 0 0 0 0 0 0 %d 0 0 0 0 0 0 0 0 0 "
		  "%llu %llu %llu %llu 0\n",
		  p->pid, p->comm, st, p->parent ? p->parent->pid : 0, p->pgid, p->sid, tty, tpgid,
		  (unsigned long long)(ut / NS_PER_TICK), (unsigned long long)(stm / NS_PER_TICK),
		  (unsigned long long)(p->cutime_ns / NS_PER_TICK),
		  (unsigned long long)(p->cstime_ns / NS_PER_TICK), p->nr_threads,
		  (unsigned long long)start, (unsigned long long)vm_size(mm),
		  (unsigned long long)(mm ? mm->rss : 0), (unsigned long long)(mm ? mm->stack_top : 0),
		  SIGCHLD, (unsigned long long)(mm ? mm->arg_start : 0),
		  (unsigned long long)(mm ? mm->arg_end : 0), (unsigned long long)(mm ? mm->env_start : 0),
		  (unsigned long long)(mm ? mm->env_end : 0));
}

static void sigsets(struct proc *p, u64 *ign, u64 *cgt)
{
	*ign = *cgt = 0;
	if (!p->sighand)
		return;
	for (int i = 0; i < NSIG_; i++) {
		u64 h = p->sighand->action[i].handler;

		if (h == (u64)SIG_IGN)
			*ign |= 1ULL << i;
		else if (h != (u64)SIG_DFL)
			*cgt |= 1ULL << i;
	}
}

static void gen_status(struct sbuf *sb, struct proc *p)
{
	const struct cred *c = &p->cred;
	const char *sn;
	char st = proc_state(p, &sn);
	struct mm *mm = p->state == PROC_ALIVE ? p->mm : NULL;
	struct task *t = list_empty(&p->threads) ? NULL : list_first_entry(&p->threads, struct task, thread_node);
	u64 ign, cgt, caps = c->euid == 0 ? 0x1ffffffffffULL : 0;

	sigsets(p, &ign, &cgt);
	sb_printf(sb, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		  "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		  "FDSize:\t%d\nGroups:\t", p->comm, p->fs ? p->fs->umask : 022, st, sn, p->pid,
		  p->pid, p->parent ? p->parent->pid : 0, c->uid, c->euid, c->suid, c->fsuid,
		  c->gid, c->egid, c->sgid, c->fsgid, p->files ? MAX(p->files->cap, 64) : 0);
	for (u32 i = 0; i < c->ngroups && i < ARRAY_SIZE(c->groups); i++)
		sb_printf(sb, "%u ", c->groups[i]);
	sb_printf(sb, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p->pid, p->pid,
		  p->pgid, p->sid);
	if (mm)
		sb_printf(sb, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmRSS:\t%8llu kB\n",
			  (unsigned long long)(vm_size(mm) >> 10), (unsigned long long)(vm_size(mm) >> 10),
			  (unsigned long long)(mm->rss * (PAGE_SIZE >> 10)));
	sb_printf(sb, "Threads:\t%d\nSigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		  "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n"
		  "CapInh:\t0000000000000000\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		  "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		  "Cpus_allowed_list:\t0-%d\nvoluntary_ctxt_switches:\t%llu\n"
		  "nonvoluntary_ctxt_switches:\t%llu\n",
		  p->nr_threads, (unsigned long long)p->rlim[RLIMIT_SIGPENDING].rlim_cur,
		  (unsigned long long)(t ? t->pending : 0), (unsigned long long)p->shared_pending,
		  (unsigned long long)(t ? t->blocked : 0), (unsigned long long)ign,
		  (unsigned long long)cgt, (unsigned long long)caps, (unsigned long long)caps,
		  0x1ffffffffffULL, ncpus - 1, (unsigned long long)(t ? t->nvcsw : 0),
		  (unsigned long long)(t ? t->nivcsw : 0));
}

static void gen_maps(struct sbuf *sb, struct proc *p)
{
	struct mm *mm = p->state == PROC_ALIVE ? p->mm : NULL;
	char *path = kmalloc(PATH_MAX);
	struct vm_area *v;

	if (!mm || !path) {
		kfree(path);
		return;
	}
	list_for_each_entry(v, &mm->vmas, node) {
		const char *name = NULL;
		struct stat st = { 0 };
		size_t start = sb->len;

		if (v->file) {
			vfs_getattr(&v->file->path, &st);
			if (file_path(v->file, path, PATH_MAX) >= 0)
				name = path;
		} else if (v->flags & VM_HEAP) {
			name = "[heap]";
		} else if (v->flags & VM_STACK) {
			name = "[stack]";
		}
		sb_printf(sb, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			  (unsigned long long)v->start, (unsigned long long)v->end,
			  (v->flags & VM_READ) ? 'r' : '-', (v->flags & VM_WRITE) ? 'w' : '-',
			  (v->flags & VM_EXEC) ? 'x' : '-', (v->flags & VM_SHARED) ? 's' : 'p',
			  (unsigned long long)(v->file ? v->off : 0), DEV_MAJOR(st.st_dev),
			  DEV_MINOR(st.st_dev), (unsigned long long)st.st_ino);
		if (name) {
			while (sb->len - start < 73 && !sb->oom)
				sb_write(sb, " ", 1);
			sb_printf(sb, "%s", name);
		}
		sb_write(sb, "\n", 1);
	}
	kfree(path);
}

/* mm/ may provide a copy out of another address space (weak until it does): then
 * /proc/PID/cmdline and environ work for every process, else only for the reader. */

static int gen_user_range(struct sbuf *sb, struct proc *p, uaddr_t start, uaddr_t end)
{
	size_t n;
	int ret;

	if (p->state != PROC_ALIVE || !p->mm || end <= start)
		return 0;
	n = MIN((size_t)(end - start), (size_t)(128 * 1024));
	if (!sb_grow(sb, n))
		return -ENOMEM;
	ret = copy_from_mm(p->mm, sb->buf, start, n);
	if (!ret)
		sb->len = n;
	return 0;
}

int proc_generate(int kind, struct proc *p, struct sbuf *sb)
{
	switch (kind) {
	case PK_MOUNTS:
		gen_mounts(sb);
		return 0;
	case PK_MEMINFO:
		gen_meminfo(sb);
		return 0;
	case PK_UPTIME: {
		u64 up = uptime_ns() / 10000000ULL;

		sb_printf(sb, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 100),
			  (unsigned long long)(up % 100), (unsigned long long)(up / 100),
			  (unsigned long long)(up % 100));
		return 0;
	}
	case PK_LOADAVG:
		gen_loadavg(sb);
		return 0;
	case PK_CPUINFO:
		gen_cpuinfo(sb);
		return 0;
	case PK_FILESYSTEMS:
		sb_printf(sb, "nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tpipefs\n\thostfs\n");
		return 0;
	case PK_VERSION:
		sb_printf(sb, "%s version %s (qkernel) #1 SMP\n", uts_field(0), uts_field(1));
		return 0;
	case PK_STAT:
		gen_stat(sb);
		return 0;
	case PK_HOSTNAME:
		sb_printf(sb, "%s\n", uts_field(2));
		return 0;
	case PK_OSTYPE:
		sb_printf(sb, "%s\n", uts_field(0));
		return 0;
	case PK_OSRELEASE:
		sb_printf(sb, "%s\n", uts_field(1));
		return 0;
	case PK_PID_MAX:
		sb_printf(sb, "4194304\n");
		return 0;
	}
	if (!p)
		return -ESRCH;
	switch (kind) {
	case PK_COMM:
		sb_printf(sb, "%s\n", p->comm);
		return 0;
	case PK_PSTAT:
		gen_pstat(sb, p);
		return 0;
	case PK_STATUS:
		gen_status(sb, p);
		return 0;
	case PK_STATM: {
		struct mm *mm = p->state == PROC_ALIVE ? p->mm : NULL;

		sb_printf(sb, "%llu %llu 0 0 0 0 0\n", (unsigned long long)(vm_size(mm) >> PAGE_SHIFT),
			  (unsigned long long)(mm ? mm->rss : 0));
		return 0;
	}
	case PK_MAPS:
		gen_maps(sb, p);
		return 0;
	case PK_CMDLINE:
		return p->mm ? gen_user_range(sb, p, p->mm->arg_start, p->mm->arg_end) : 0;
	case PK_ENVIRON:
		return p->mm ? gen_user_range(sb, p, p->mm->env_start, p->mm->env_end) : 0;
	}
	return -EINVAL;
}
