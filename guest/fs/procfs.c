/*
 * fs/procfs.c - /proc as qkernel sees its own processes: /proc/self, /proc/PID/{exe,
 * cwd, root, fd/, cmdline, comm, stat, status, environ, maps, mounts, statm} and the
 * global files (mounts, meminfo, uptime, loadavg, cpuinfo, filesystems, version, stat,
 * sys/kernel/...). Names are made on lookup from tables, cached like any dentry and
 * revalidated against the pid table; file contents are generated at open
 * (procfs_gen.c). fd, cwd and root are magic links: following them jumps to the
 * open file or directory itself, so /dev/stdout works on pipes too.
 */
#include "procfs.h"
#include "pure.h"
#include <linux/magic.h>

struct pinfo {
	int kind;
	int pid;
	int fd;
};

struct pent {
	const char *name;
	int kind;
	u32 mode;
};

static const struct pent root_ents[] = {
	{ "self", PK_SELF, S_IFLNK | 0777 },
	{ "mounts", PK_MOUNTS, S_IFREG | 0444 },
	{ "meminfo", PK_MEMINFO, S_IFREG | 0444 },
	{ "uptime", PK_UPTIME, S_IFREG | 0444 },
	{ "loadavg", PK_LOADAVG, S_IFREG | 0444 },
	{ "cpuinfo", PK_CPUINFO, S_IFREG | 0444 },
	{ "filesystems", PK_FILESYSTEMS, S_IFREG | 0444 },
	{ "version", PK_VERSION, S_IFREG | 0444 },
	{ "stat", PK_STAT, S_IFREG | 0444 },
	{ "sys", PK_SYS, S_IFDIR | 0555 },
};
static const struct pent sys_ents[] = {
	{ "kernel", PK_SYS_KERNEL, S_IFDIR | 0555 },
};
static const struct pent kern_ents[] = {
	{ "hostname", PK_HOSTNAME, S_IFREG | 0444 },
	{ "ostype", PK_OSTYPE, S_IFREG | 0444 },
	{ "osrelease", PK_OSRELEASE, S_IFREG | 0444 },
	{ "pid_max", PK_PID_MAX, S_IFREG | 0444 },
};
static const struct pent pid_ents[] = {
	{ "cmdline", PK_CMDLINE, S_IFREG | 0444 },
	{ "comm", PK_COMM, S_IFREG | 0644 },
	{ "cwd", PK_CWD, S_IFLNK | 0777 },
	{ "environ", PK_ENVIRON, S_IFREG | 0400 },
	{ "exe", PK_EXE, S_IFLNK | 0777 },
	{ "fd", PK_FDDIR, S_IFDIR | 0500 },
	{ "maps", PK_MAPS, S_IFREG | 0444 },
	{ "mounts", PK_MOUNTS, S_IFREG | 0444 },
	{ "root", PK_ROOTLNK, S_IFLNK | 0777 },
	{ "stat", PK_PSTAT, S_IFREG | 0444 },
	{ "statm", PK_STATM, S_IFREG | 0444 },
	{ "status", PK_STATUS, S_IFREG | 0444 },
};

static const struct inode_ops proc_iops;
static const struct file_ops proc_file_fops, proc_dir_fops;
static const struct fs_type proc_type = {
	.name = "proc", .magic = PROC_SUPER_MAGIC, .cache_dentries = true,
};

static struct pinfo *PI(struct dentry *d)
{
	return d->inode->priv;
}

static void proc_inode_destroy(struct inode *ino)
{
	kfree(ino->priv);
}

static struct inode *proc_inode(struct super *sb, int kind, u32 mode, int pid, int fd)
{
	struct inode *ino = inode_alloc(sb, mode, &proc_iops);
	struct pinfo *pi = kzalloc(sizeof(*pi));
	struct proc *p = pid ? proc_find(pid) : NULL;

	if (!ino || !pi) {
		kfree(ino);
		kfree(pi);
		return NULL;
	}
	pi->kind = kind;
	pi->pid = pid;
	pi->fd = fd;
	ino->priv = pi;
	ino->destroy = proc_inode_destroy;
	if (S_ISDIR(mode))
		ino->nlink = 2;
	if (p) {
		ino->uid = p->cred.euid;
		ino->gid = p->cred.egid;
	}
	return ino;
}

struct dentry *procfs_create(struct super **sbp)
{
	struct super *sb = kzalloc(sizeof(*sb));
	struct inode *ino;

	if (!sb)
		return NULL;
	sb->type = &proc_type;
	sb->dev = anon_dev_alloc();
	ino = proc_inode(sb, PK_ROOT, S_IFDIR | 0555, 0, 0);
	if (!ino)
		return NULL;
	*sbp = sb;
	return dentry_root(sb, ino);
}

/* Decimal without sign or leading zeros, like Linux's name_to_int; -1 otherwise. */
static int name_to_int(const char *s)
{
	long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	return (int)v;
}

static struct proc *pinfo_proc(const struct pinfo *pi)
{
	return pi->pid ? proc_find(pi->pid) : NULL;
}

static int attach(struct dentry *dir, const char *name, int kind, u32 mode, int pid, int fd,
		  struct dentry **out)
{
	struct inode *ino = proc_inode(dir->sb, kind, mode, pid, fd);

	if (!ino)
		return -ENOMEM;
	*out = dentry_alloc(dir, name, ino);
	return *out ? 0 : -ENOMEM;
}

static int lookup_table(struct dentry *dir, const char *name, const struct pent *t, size_t n,
			int pid, struct dentry **out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return attach(dir, name, t[i].kind, t[i].mode, pid, 0, out);
	return -ENOENT;
}

static u32 fd_link_mode(const struct file *f)
{
	u32 m = S_IFLNK;

	if (f->fmode & FMODE_READ)
		m |= 0500;
	if (f->fmode & FMODE_WRITE)
		m |= 0300;
	return m;
}

static int proc_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct pinfo *pi = PI(dir);
	struct proc *p;
	struct file *f;
	int n;

	switch (pi->kind) {
	case PK_ROOT:
		if (lookup_table(dir, name, root_ents, ARRAY_SIZE(root_ents), 0, out) == 0)
			return 0;
		n = name_to_int(name);
		if (n <= 0 || !proc_find(n))
			return -ENOENT;
		return attach(dir, name, PK_PID, S_IFDIR | 0555, n, 0, out);
	case PK_SYS:
		return lookup_table(dir, name, sys_ents, ARRAY_SIZE(sys_ents), 0, out);
	case PK_SYS_KERNEL:
		return lookup_table(dir, name, kern_ents, ARRAY_SIZE(kern_ents), 0, out);
	case PK_PID:
		return lookup_table(dir, name, pid_ents, ARRAY_SIZE(pid_ents), pi->pid, out);
	case PK_FDDIR:
		p = pinfo_proc(pi);
		n = name_to_int(name);
		f = p && n >= 0 ? files_lookup(p->files, n) : NULL;
		if (!f)
			return -ENOENT;
		return attach(dir, name, PK_FD, fd_link_mode(f), pi->pid, n, out);
	}
	return -ENOTDIR;
}

static bool proc_revalidate(struct dentry *d)
{
	struct pinfo *pi = PI(d);
	struct proc *p;

	if (!pi->pid)
		return true;
	p = pinfo_proc(pi);
	if (!p)
		return false;
	if (pi->kind == PK_FD)
		return files_lookup(p->files, pi->fd) != NULL;
	return true;
}

/* Looking at another process's links needs its uid (or root), like ptrace access. */
static int may_inspect(struct proc *p)
{
	const struct cred *c = &current->proc->cred;

	if (p == current->proc || c->euid == 0 || c->uid == p->cred.uid)
		return 0;
	return -EACCES;
}

/* The path a magic link points to (refs held). */
static int link_path(struct dentry *d, struct path *out)
{
	struct pinfo *pi = PI(d);
	struct proc *p = pinfo_proc(pi);
	struct file *f;
	int ret;

	if (!p || p->state != PROC_ALIVE || !p->fs)
		return -ENOENT;
	ret = may_inspect(p);
	if (ret)
		return ret;
	switch (pi->kind) {
	case PK_CWD:
		*out = p->fs->cwd;
		break;
	case PK_ROOTLNK:
		*out = p->fs->root;
		break;
	case PK_FD:
		f = files_lookup(p->files, pi->fd);
		if (!f)
			return -ENOENT;
		*out = f->path;
		break;
	default:
		return -EINVAL;
	}
	path_get(out);
	return 0;
}

static int proc_get_link(struct dentry *d, struct path *jump)
{
	int kind = PI(d)->kind;
	int ret;

	if (kind != PK_CWD && kind != PK_ROOTLNK && kind != PK_FD)
		return 0;
	ret = link_path(d, jump);
	return ret ? ret : 1;
}

static long copy_link(char *buf, size_t n, const char *s)
{
	size_t len = MIN(strlen(s), n);

	memcpy(buf, s, len);
	return (long)len;
}

static long proc_readlink(struct dentry *d, char *buf, size_t n)
{
	struct pinfo *pi = PI(d);
	struct proc *p = pinfo_proc(pi);
	char *tmp;
	struct path target;
	long ret;

	if (pi->kind == PK_SELF) {
		char s[16];

		snprintf(s, sizeof(s), "%d", current->proc->pid);
		return copy_link(buf, n, s);
	}
	if (pi->kind == PK_EXE) {
		if (!p || !p->exe_path)
			return -ENOENT;
		ret = may_inspect(p);
		return ret ? ret : copy_link(buf, n, p->exe_path);
	}
	if (pi->kind == PK_FD && p && may_inspect(p) == 0) {
		struct file *f = files_lookup(p->files, pi->fd);

		if (!f)
			return -ENOENT;
		tmp = kmalloc(PATH_MAX);
		if (!tmp)
			return -ENOMEM;
		ret = file_path(f, tmp, PATH_MAX);
		if (ret >= 0)
			ret = copy_link(buf, n, tmp);
		kfree(tmp);
		return ret;
	}
	ret = link_path(d, &target);
	if (ret)
		return ret;
	tmp = kmalloc(PATH_MAX);
	ret = -ENOMEM;
	if (tmp) {
		ret = d_path(&target, &current->proc->fs->root, tmp, PATH_MAX);
		if (ret >= 0)
			ret = copy_link(buf, n, tmp);
		kfree(tmp);
	}
	path_put(&target);
	return ret;
}

static int proc_getattr(struct dentry *d, struct stat *st)
{
	generic_fillattr(d->inode, st);
	if (S_ISLNK(d->inode->mode))
		st->st_size = 64;
	return 0;
}

static int proc_statfs(struct dentry *d, struct statfs *buf)
{
	(void)d;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = PROC_SUPER_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_namelen = NAME_MAX;
	buf->f_frsize = PAGE_SIZE;
	return 0;
}

static int proc_open(struct dentry *d, struct file *f)
{
	struct pinfo *pi = PI(d);
	struct proc *p = pinfo_proc(pi);
	struct sbuf *sb;
	int ret;

	if (S_ISDIR(d->inode->mode)) {
		f->fop = &proc_dir_fops;
		return 0;
	}
	if (file_writable(f))
		return -EACCES;
	if (pi->pid && !p)
		return -ESRCH;
	sb = kzalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	ret = proc_generate(pi->kind, p, sb);
	if (!ret && sb->oom)
		ret = -ENOMEM;
	if (ret) {
		kfree(sb->buf);
		kfree(sb);
		return ret;
	}
	f->priv = sb;
	f->fop = &proc_file_fops;
	return 0;
}

/* Linux's proc lookup fails before any creation is tried: ENOENT. */
static int proc_create(struct dentry *dir, const char *name, u32 mode, u32 oflags,
		       struct dentry **out)
{
	(void)dir, (void)name, (void)mode, (void)oflags, (void)out;
	return -ENOENT;
}

static int proc_mkdir(struct dentry *dir, const char *name, u32 mode)
{
	(void)dir, (void)name, (void)mode;
	return -ENOENT;
}

static int proc_symlink(struct dentry *dir, const char *name, const char *target)
{
	(void)dir, (void)name, (void)target;
	return -ENOENT;
}

static int proc_link(struct dentry *old, struct dentry *dir, const char *name)
{
	(void)old, (void)dir, (void)name;
	return -ENOENT;
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.create = proc_create,
	.mkdir = proc_mkdir,
	.symlink = proc_symlink,
	.link = proc_link,
	.readlink = proc_readlink,
	.get_link = proc_get_link,
	.getattr = proc_getattr,
	.open = proc_open,
	.statfs = proc_statfs,
	.revalidate = proc_revalidate,
};

/* ---- generated files ---- */

static long pf_read(struct file *f, void *buf, size_t n)
{
	struct sbuf *sb = f->priv;

	return buffer_read(f, sb->buf, sb->len, buf, n);
}

static long pf_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	struct sbuf *sb = f->priv;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= sb->len)
		return 0;
	n = MIN(n, sb->len - (size_t)off);
	memcpy(buf, sb->buf + off, n);
	return (long)n;
}

static loff_t pf_llseek(struct file *f, loff_t off, int whence)
{
	struct sbuf *sb = f->priv;

	return generic_llseek(f, off, whence, (loff_t)sb->len);
}

static void pf_release(struct file *f)
{
	struct sbuf *sb = f->priv;

	if (sb) {
		kfree(sb->buf);
		kfree(sb);
	}
}

static const struct file_ops proc_file_fops = {
	.read = pf_read,
	.pread = pf_pread,
	.llseek = pf_llseek,
	.release = pf_release,
};

/* ---- directories: every entry is generated in order; the first f->pos are skipped ---- */

struct dctx {
	struct file *f;
	void *buf;
	size_t n, used;
	loff_t idx;
	bool full;
};

static bool emit(struct dctx *c, const char *name, u64 ino, u32 mode)
{
	if (c->full)
		return false;
	if (c->idx++ < c->f->pos)
		return true;
	if (!dirent_put(c->buf, c->n, &c->used, ino, c->idx, dirent_type(mode), name, strlen(name))) {
		c->full = true;
		return false;
	}
	c->f->pos = c->idx;
	return true;
}

static u64 pino(const char *name, int pid)
{
	return ((u64)(u32)pid << 16) ^ name_hash(name) ^ 0x1000;
}

static void emit_table(struct dctx *c, const struct pent *t, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		emit(c, t[i].name, pino(t[i].name, pid), t[i].mode);
}

static long proc_getdents(struct file *f, void *buf, size_t n)
{
	struct dentry *d = f->path.dentry;
	struct pinfo *pi = PI(d);
	struct dctx c = { .f = f, .buf = buf, .n = n };
	struct proc *p;
	char num[16];

	emit(&c, ".", d->inode->ino, S_IFDIR);
	emit(&c, "..", d->parent->inode->ino, S_IFDIR);
	switch (pi->kind) {
	case PK_ROOT:
		emit_table(&c, root_ents, ARRAY_SIZE(root_ents), 0);
		for_each_proc(p) {
			if (p->state == PROC_REAPED)
				continue;
			snprintf(num, sizeof(num), "%d", p->pid);
			if (!emit(&c, num, pino("", p->pid), S_IFDIR))
				break;
		}
		break;
	case PK_SYS:
		emit_table(&c, sys_ents, ARRAY_SIZE(sys_ents), 0);
		break;
	case PK_SYS_KERNEL:
		emit_table(&c, kern_ents, ARRAY_SIZE(kern_ents), 0);
		break;
	case PK_PID:
		emit_table(&c, pid_ents, ARRAY_SIZE(pid_ents), pi->pid);
		break;
	case PK_FDDIR:
		p = pinfo_proc(pi);
		for (int fd = 0; p && p->files && fd < p->files->cap; fd++) {
			struct file *of = p->files->fd[fd];

			if (!of)
				continue;
			snprintf(num, sizeof(num), "%d", fd);
			if (!emit(&c, num, pino(num, pi->pid), S_IFLNK))
				break;
		}
		break;
	}
	if (c.full && !c.used)
		return -EINVAL;
	return (long)c.used;
}

static loff_t proc_dir_llseek(struct file *f, loff_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

static const struct file_ops proc_dir_fops = {
	.getdents = proc_getdents,
	.llseek = proc_dir_llseek,
};
