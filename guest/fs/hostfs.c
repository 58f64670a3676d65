/*
 * fs/hostfs.c - files served by the host: the container rootfs and bind mounts.
 * Each inode holds an O_PATH|O_NOFOLLOW host fd opened one name at a time from its
 * parent's fd, so no host call ever sees a '/' or "..": confinement to the rootfs
 * follows from qkernel's own path walk. I/O opens a separate host fd per open file
 * description (by name from the parent, or by reopening the O_PATH fd), and its host
 * file position is the description's position.
 */
#include "internal.h"
#include <linux/magic.h>

static const struct inode_ops hostfs_iops;
static const struct file_ops hostfs_file_fops, hostfs_dir_fops;
static const struct fs_type hostfs_type = {
	.name = "hostfs", .magic = 0, .cache_dentries = true,
};

static void fill_from_stat(struct inode *ino, const struct stat *st)
{
	ino->mode = (u32)st->st_mode;
	ino->uid = (u32)st->st_uid;
	ino->gid = (u32)st->st_gid;
	ino->nlink = (u32)st->st_nlink;
	ino->size = (loff_t)st->st_size;
	ino->rdev = st->st_rdev;
	ino->dev = st->st_dev;
	ino->ino = st->st_ino;
}

/* A new inode for O_PATH host fd (takes it over, also on failure). */
static struct inode *hostfs_inode(struct super *sb, int fd)
{
	struct stat st;
	struct inode *ino;
	long ret = host_fstat(fd, &st);

	if (ret < 0) {
		host_close(fd);
		return ERR_PTR(ret);
	}
	ino = inode_alloc(sb, (u32)st.st_mode, &hostfs_iops);
	if (!ino) {
		host_close(fd);
		return ERR_PTR(-ENOMEM);
	}
	ino->hostfd = fd;
	fill_from_stat(ino, &st);
	return ino;
}

int hostfs_mount_root(int hostfd, struct dentry **root, struct super **sbp)
{
	struct super *sb = kzalloc(sizeof(*sb));
	struct inode *ino;

	if (!sb)
		return -ENOMEM;
	sb->type = &hostfs_type;
	ino = hostfs_inode(sb, hostfd);
	if (IS_ERR(ino)) {
		kfree(sb);
		return (int)PTR_ERR(ino);
	}
	sb->dev = ino->dev;
	*root = dentry_root(sb, ino);
	*sbp = sb;
	return *root ? 0 : -ENOMEM;
}

/* Where host calls naming d go: its parent's fd and its name, or, for a mount root
 * or an unlinked file, its own O_PATH fd with "" (AT_EMPTY_PATH). */
static bool host_at(struct dentry *d, int *dfd, const char **name)
{
	if (d->parent != d && !(d->flags & D_DELETED) && d->parent->inode->hostfd >= 0 &&
	    d->parent->inode->iop == &hostfs_iops) {
		*dfd = d->parent->inode->hostfd;
		*name = d->name;
		return false;
	}
	*dfd = d->inode->hostfd;
	*name = "";
	return true;
}

/* Host fds ran out: give back the cached ones and let the caller retry once. */
static bool out_of_fds(long err)
{
	if (err != -EMFILE && err != -ENFILE)
		return false;
	dcache_shrink();
	return true;
}

static int hostfs_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	long fd = host_openat(dir->inode->hostfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	struct inode *ino;

	if (out_of_fds(fd))
		fd = host_openat(dir->inode->hostfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);

	if (fd < 0)
		return (int)fd;
	ino = hostfs_inode(dir->sb, (int)fd);
	if (IS_ERR(ino))
		return (int)PTR_ERR(ino);
	*out = dentry_alloc(dir, name, ino);
	return *out ? 0 : -ENOMEM;
}

/* New objects belong to the guest's fsuid/fsgid (the host made them as itself). */
static void set_owner(int dfd, const char *name, struct dentry *dir)
{
	const struct cred *c = &current->proc->cred;
	u32 gid = (dir->inode->mode & S_ISGID) ? dir->inode->gid : c->fsgid;

	if (c->fsuid != 0 || gid != 0)
		host_fchownat(dfd, name, c->fsuid, gid, *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
}

static int hostfs_create(struct dentry *dir, const char *name, u32 mode, u32 oflags,
			 struct dentry **out)
{
	int hflags = (int)(oflags & (O_ACCMODE | O_APPEND | O_SYNC | O_DSYNC | O_DIRECT | O_NOATIME));
	long fd = host_openat(dir->inode->hostfd, name,
			      hflags | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
			      (int)(mode & 07777));
	int ret;

	if (fd < 0)
		return (int)fd;
	set_owner(dir->inode->hostfd, name, dir);
	ret = hostfs_lookup(dir, name, out);
	if (ret) {
		host_close((int)fd);
		return ret;
	}
	(*out)->inode->pending_fd = (int)fd;
	return 0;
}

static int hostfs_tmpfile(struct dentry *dir, u32 mode, u32 oflags, struct dentry **out)
{
	long fd = host_openat(dir->inode->hostfd, ".",
			      (int)(oflags & (O_ACCMODE | O_EXCL)) | O_TMPFILE | O_CLOEXEC,
			      (int)(mode & 07777));
	long pfd;
	struct inode *ino;

	if (fd < 0)
		return (int)fd;
	pfd = host_fcntl((int)fd, F_DUPFD_CLOEXEC, 0);	/* the inode's own fd */
	if (pfd < 0) {
		host_close((int)fd);
		return (int)pfd;
	}
	set_owner((int)pfd, "", dir);
	ino = hostfs_inode(dir->sb, (int)pfd);
	if (IS_ERR(ino)) {
		host_close((int)fd);
		return (int)PTR_ERR(ino);
	}
	ino->pending_fd = (int)fd;
	*out = d_alloc_tmpfile(dir, ino);
	return *out ? 0 : -ENOMEM;
}

static int hostfs_mkdir(struct dentry *dir, const char *name, u32 mode)
{
	long ret = host_mkdirat(dir->inode->hostfd, name, (int)(mode & 07777));

	if (!ret)
		set_owner(dir->inode->hostfd, name, dir);
	return (int)ret;
}

static int hostfs_symlink(struct dentry *dir, const char *name, const char *target)
{
	long ret = host_symlinkat(target, dir->inode->hostfd, name);

	if (!ret)
		set_owner(dir->inode->hostfd, name, dir);
	return (int)ret;
}

static int hostfs_link(struct dentry *old, struct dentry *dir, const char *name)
{
	int odfd;
	const char *oname;
	bool empty = host_at(old, &odfd, &oname);

	return (int)host_linkat(odfd, oname, dir->inode->hostfd, name, empty ? AT_EMPTY_PATH : 0);
}

static int hostfs_unlink(struct dentry *dir, struct dentry *victim)
{
	long ret = host_unlinkat(dir->inode->hostfd, victim->name, 0);

	if (!ret)
		d_delete(victim);
	return (int)ret;
}

static int hostfs_rmdir(struct dentry *dir, struct dentry *victim)
{
	long ret = host_unlinkat(dir->inode->hostfd, victim->name, AT_REMOVEDIR);

	if (!ret)
		d_delete(victim);
	return (int)ret;
}

static int hostfs_rename(struct dentry *odir, struct dentry *old, struct dentry *ndir,
			 const char *newname, struct dentry *victim, unsigned flags)
{
	long ret = host_renameat2(odir->inode->hostfd, old->name, ndir->inode->hostfd, newname,
				  (int)flags);
	char *oldname;

	if (ret)
		return (int)ret;
	if (victim && (flags & RENAME_EXCHANGE)) {
		oldname = kstrdup(old->name);
		d_move(old, ndir, newname);
		if (oldname)
			d_move(victim, odir, oldname);
		else
			d_unhash(victim);
		kfree(oldname);
		return 0;
	}
	if (victim)
		d_delete(victim);
	d_move(old, ndir, newname);
	return 0;
}

static long hostfs_readlink(struct dentry *d, char *buf, size_t n)
{
	return host_readlinkat(d->inode->hostfd, "", buf, n);
}

static int hostfs_getattr(struct dentry *d, struct stat *st)
{
	long ret = host_fstat(d->inode->hostfd, st);

	if (ret)
		return (int)ret;
	fill_from_stat(d->inode, st);
	return 0;
}

static int truncate_at(struct dentry *d, loff_t len)
{
	int dfd;
	const char *name;
	long fd, ret;

	if (host_at(d, &dfd, &name))
		fd = host_reopen(d->inode->hostfd, O_WRONLY | O_CLOEXEC);
	else
		fd = host_openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	ret = host_ftruncate((int)fd, len);
	host_close((int)fd);
	return (int)ret;
}

static void to_ts(struct __kernel_timespec *ts, u32 valid, u32 set, u32 now,
		  const struct __kernel_timespec *v)
{
	if (!(valid & set))
		ts->tv_nsec = UTIME_OMIT;
	else if (valid & now)
		ts->tv_nsec = UTIME_NOW;
	else
		*ts = *v;
}

static int hostfs_setattr(struct dentry *d, const struct iattr *a)
{
	int dfd;
	const char *name;
	bool empty = host_at(d, &dfd, &name);
	struct __kernel_timespec ts[2];
	struct stat st;
	long ret = 0;

	if (a->valid & ATTR_SIZE)
		ret = truncate_at(d, a->size);
	if (!ret && (a->valid & (ATTR_UID | ATTR_GID)))
		ret = host_fchownat(dfd, name, (a->valid & ATTR_UID) ? a->uid : (u32)-1,
				    (a->valid & ATTR_GID) ? a->gid : (u32)-1,
				    empty ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW);
	if (!ret && (a->valid & ATTR_MODE))
		ret = host_fchmodat(dfd, name, (int)(a->mode & 07777));
	if (!ret && (a->valid & (ATTR_ATIME | ATTR_MTIME))) {
		to_ts(&ts[0], a->valid, ATTR_ATIME, ATTR_ATIME_NOW, &a->atime);
		to_ts(&ts[1], a->valid, ATTR_MTIME, ATTR_MTIME_NOW, &a->mtime);
		ret = host_utimensat(dfd, name, ts, empty ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW);
	}
	hostfs_getattr(d, &st);
	return (int)ret;
}

static int hostfs_statfs(struct dentry *d, struct statfs *buf)
{
	return (int)host_fstatfs(d->inode->hostfd, buf);
}

static long open_io(struct dentry *d, int flags)
{
	int dfd;
	const char *name;

	if (S_ISDIR(d->inode->mode))
		return host_openat(d->inode->hostfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (host_at(d, &dfd, &name))
		return host_reopen(d->inode->hostfd, flags | O_CLOEXEC);
	return host_openat(dfd, name, flags | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0);
}

static int hostfs_open(struct dentry *d, struct file *f)
{
	struct inode *ino = d->inode;
	int hflags = (int)(f->flags & (O_ACCMODE | O_APPEND | O_TRUNC | O_SYNC | O_DSYNC |
				       O_DIRECT | O_NOATIME));
	long fd;

	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode))
		return -EACCES;		/* like a nodev mount: no host devices */
	if (S_ISFIFO(ino->mode))
		return fifo_open(d, f);
	if (ino->pending_fd >= 0) {
		fd = ino->pending_fd;
		ino->pending_fd = -1;
	} else {
		fd = open_io(d, hflags);
		if (out_of_fds(fd))
			fd = open_io(d, hflags);
	}
	if (fd < 0)
		return (int)fd;
	f->hostfd = (int)fd;
	f->own_hostfd = true;
	f->fop = S_ISDIR(ino->mode) ? &hostfs_dir_fops : &hostfs_file_fops;
	return 0;
}

static const struct inode_ops hostfs_iops = {
	.lookup = hostfs_lookup,
	.create = hostfs_create,
	.tmpfile = hostfs_tmpfile,
	.mkdir = hostfs_mkdir,
	.symlink = hostfs_symlink,
	.link = hostfs_link,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.readlink = hostfs_readlink,
	.getattr = hostfs_getattr,
	.setattr = hostfs_setattr,
	.open = hostfs_open,
	.statfs = hostfs_statfs,
};

/* ---- open files ---- */

static long hf_read(struct file *f, void *buf, size_t n)
{
	return host_read(f->hostfd, buf, n);
}

static long hf_write(struct file *f, const void *buf, size_t n)
{
	return host_write(f->hostfd, buf, n);
}

static long hf_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	if (off < 0)
		return -EINVAL;
	return host_pread(f->hostfd, buf, n, off);
}

static long hf_pwrite(struct file *f, const void *buf, size_t n, loff_t off)
{
	if (off < 0)
		return -EINVAL;
	return host_pwrite(f->hostfd, buf, n, off);
}

static loff_t hf_llseek(struct file *f, loff_t off, int whence)
{
	return host_lseek(f->hostfd, off, whence);
}

static int hf_fsync(struct file *f, bool datasync)
{
	return (int)host_fsync(f->hostfd, datasync);
}

static int hf_setfl(struct file *f, u32 flags)
{
	long fl = host_fcntl(f->hostfd, F_GETFL, 0);

	if (fl < 0)
		return (int)fl;
	fl = (fl & ~(long)(O_APPEND | O_DIRECT | O_NOATIME)) |
	     (long)(flags & (O_APPEND | O_DIRECT | O_NOATIME));
	return (int)host_fcntl(f->hostfd, F_SETFL, fl);
}

static int hf_truncate(struct file *f, loff_t len)
{
	return (int)host_ftruncate(f->hostfd, len);
}

static long hf_getdents(struct file *f, void *buf, size_t n)
{
	return host_getdents64(f->hostfd, buf, n);
}

static const struct file_ops hostfs_file_fops = {
	.read = hf_read,
	.write = hf_write,
	.pread = hf_pread,
	.pwrite = hf_pwrite,
	.llseek = hf_llseek,
	.fsync = hf_fsync,
	.setfl = hf_setfl,
	.truncate = hf_truncate,
	.mmap_ok = true,
};

static const struct file_ops hostfs_dir_fops = {
	.getdents = hf_getdents,
	.llseek = hf_llseek,
	.fsync = hf_fsync,
};
