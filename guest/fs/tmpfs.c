/*
 * fs/tmpfs.c - a filesystem in guest memory (tmpfs mounts, /dev/shm, devfs). The
 * dentry tree is the directory structure: every linked dentry is pinned. Regular
 * files keep their data in guest pages (an array of page addresses, 0 = hole).
 */
#include "internal.h"
#include "pure.h"
#include <qk/mm.h>
#include <linux/magic.h>

#define TMPFS_MAX_PAGES	(1UL << 24)	/* 64 GiB per file */

extern bool vfs_booting;
static const struct inode_ops tmpfs_iops;
static const struct file_ops tmpfs_file_fops;
static const struct fs_type tmpfs_type = { .name = "tmpfs", .magic = TMPFS_MAGIC };

struct tdata {
	paddr_t *pages;
	size_t cap;	/* entries in pages */
};

struct super *tmpfs_new_super(void)
{
	struct super *sb = kzalloc(sizeof(*sb));

	if (sb) {
		sb->type = &tmpfs_type;
		sb->dev = anon_dev_alloc();
	}
	return sb;
}

static void tmpfs_destroy(struct inode *ino)
{
	struct tdata *td = ino->priv;

	if (S_ISREG(ino->mode) && td) {
		for (size_t i = 0; i < td->cap; i++)
			if (td->pages[i])
				page_put(td->pages[i]);
		kfree(td->pages);
		kfree(td);
	} else if (S_ISLNK(ino->mode)) {
		kfree(ino->priv);
	}
}

static struct inode *tmpfs_inode(struct super *sb, u32 mode, struct dentry *dir)
{
	struct inode *ino = inode_alloc(sb, mode, &tmpfs_iops);

	if (!ino)
		return NULL;
	ino->destroy = tmpfs_destroy;
	if (!vfs_booting && current && current->proc) {
		ino->uid = current->proc->cred.fsuid;
		ino->gid = current->proc->cred.fsgid;
	}
	if (dir && (dir->inode->mode & S_ISGID)) {
		ino->gid = dir->inode->gid;
		if (S_ISDIR(mode))
			ino->mode |= S_ISGID;
	}
	if (S_ISDIR(mode))
		ino->nlink = 2;
	if (S_ISREG(mode) && !(ino->priv = kzalloc(sizeof(struct tdata)))) {
		kfree(ino);
		return NULL;
	}
	return ino;
}

struct dentry *tmpfs_make_root(struct super *sb, u32 mode)
{
	struct inode *ino = tmpfs_inode(sb, mode, NULL);

	if (!ino)
		return NULL;
	ino->uid = ino->gid = 0;
	return dentry_root(sb, ino);
}

static void touch(struct inode *ino)
{
	time_now(&ino->mtime);
	ino->ctime = ino->mtime;
}

/* Link a new inode under dir; returns the dentry with one reference (plus the pin). */
static struct dentry *link_new(struct dentry *dir, const char *name, struct inode *ino)
{
	struct dentry *d = dentry_alloc(dir, name, ino);

	if (!d)
		return NULL;
	d_pin(d);
	if (S_ISDIR(ino->mode))
		dir->inode->nlink++;
	touch(dir->inode);
	return d;
}

struct dentry *tmpfs_add(struct dentry *dir, const char *name, u32 mode, u64 rdev,
			 const char *link_target, const struct devnode *dev)
{
	struct inode *ino = tmpfs_inode(dir->sb, mode, dir);
	struct dentry *d;

	if (!ino)
		return NULL;
	ino->rdev = rdev;
	if (S_ISLNK(mode)) {
		ino->priv = kstrdup(link_target);
		ino->size = (loff_t)strlen(link_target);
	} else if (S_ISCHR(mode)) {
		ino->priv = (void *)dev;
	}
	d = link_new(dir, name, ino);
	if (d)
		dput(d);	/* the pin keeps it */
	return d;
}

static int tmpfs_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	(void)dir;
	(void)name;
	(void)out;
	return -ENOENT;		/* every name is in the dcache */
}

static int tmpfs_create(struct dentry *dir, const char *name, u32 mode, u32 oflags,
			struct dentry **out)
{
	struct inode *ino = tmpfs_inode(dir->sb, mode, dir);

	(void)oflags;
	if (!ino)
		return -ENOMEM;
	*out = link_new(dir, name, ino);
	return *out ? 0 : -ENOMEM;
}

static int tmpfs_tmpfile(struct dentry *dir, u32 mode, u32 oflags, struct dentry **out)
{
	struct inode *ino = tmpfs_inode(dir->sb, mode, dir);

	(void)oflags;
	if (!ino)
		return -ENOMEM;
	ino->nlink = 0;
	*out = d_alloc_tmpfile(dir, ino);
	return *out ? 0 : -ENOMEM;
}

int tmpfs_mkdir(struct dentry *dir, const char *name, u32 mode)
{
	struct inode *ino = tmpfs_inode(dir->sb, S_IFDIR | (mode & 07777), dir);
	struct dentry *d;

	if (!ino)
		return -ENOMEM;
	d = link_new(dir, name, ino);
	if (!d)
		return -ENOMEM;
	dput(d);
	return 0;
}

static int tmpfs_symlink(struct dentry *dir, const char *name, const char *target)
{
	return tmpfs_add(dir, name, S_IFLNK | 0777, 0, target, NULL) ? 0 : -ENOMEM;
}

static int tmpfs_link(struct dentry *old, struct dentry *dir, const char *name)
{
	struct dentry *d;

	inode_get(old->inode);
	d = dentry_alloc(dir, name, old->inode);
	if (!d)
		return -ENOMEM;
	d_pin(d);
	dput(d);
	old->inode->nlink++;
	time_now(&old->inode->ctime);
	touch(dir->inode);
	return 0;
}

static void drop_link(struct dentry *dir, struct dentry *victim)
{
	struct inode *ino = victim->inode;

	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		dir->inode->nlink--;
	} else if (ino->nlink) {
		ino->nlink--;
	}
	time_now(&ino->ctime);
	touch(dir->inode);
	d_delete(victim);
}

static int tmpfs_unlink(struct dentry *dir, struct dentry *victim)
{
	drop_link(dir, victim);
	return 0;
}

static int tmpfs_rmdir(struct dentry *dir, struct dentry *victim)
{
	if (!list_empty(&victim->children))
		return -ENOTEMPTY;
	drop_link(dir, victim);
	return 0;
}

static int tmpfs_rename(struct dentry *odir, struct dentry *old, struct dentry *ndir,
			const char *newname, struct dentry *victim, unsigned flags)
{
	bool isdir = d_is_dir(old);
	char *oldname;

	if (victim && !(flags & RENAME_EXCHANGE)) {
		if (d_is_dir(victim) && !list_empty(&victim->children))
			return -ENOTEMPTY;
		drop_link(ndir, victim);
	}
	if (victim && (flags & RENAME_EXCHANGE)) {
		oldname = kstrdup(old->name);
		if (!oldname)
			return -ENOMEM;
		d_move(old, ndir, newname);
		d_move(victim, odir, oldname);
		kfree(oldname);
		if (isdir != d_is_dir(victim)) {
			odir->inode->nlink += isdir ? -1 : 1;
			ndir->inode->nlink += isdir ? 1 : -1;
		}
	} else {
		d_move(old, ndir, newname);
		if (isdir && odir != ndir) {
			odir->inode->nlink--;
			ndir->inode->nlink++;
		}
	}
	touch(odir->inode);
	touch(ndir->inode);
	time_now(&old->inode->ctime);
	return 0;
}

static long tmpfs_readlink(struct dentry *d, char *buf, size_t n)
{
	size_t len = strlen(d->inode->priv);

	len = MIN(len, n);
	memcpy(buf, d->inode->priv, len);
	return (long)len;
}

static int tmpfs_getattr(struct dentry *d, struct stat *st)
{
	generic_fillattr(d->inode, st);
	return 0;
}

/* ---- file data ---- */

static int tdata_grow(struct tdata *td, size_t need)
{
	size_t cap = MAX(MAX(td->cap * 2, (size_t)16), need);
	paddr_t *np;

	if (need <= td->cap)
		return 0;
	if (need > TMPFS_MAX_PAGES)
		return -EFBIG;
	cap = MIN(cap, (size_t)TMPFS_MAX_PAGES);
	np = kzalloc(cap * sizeof(*np));
	if (!np)
		return -ENOMEM;
	if (td->cap)
		memcpy(np, td->pages, td->cap * sizeof(*np));
	kfree(td->pages);
	td->pages = np;
	td->cap = cap;
	return 0;
}

static void tdata_truncate(struct inode *ino, loff_t len)
{
	struct tdata *td = ino->priv;
	size_t first = (size_t)((u64)(len + PAGE_SIZE - 1) >> PAGE_SHIFT);

	for (size_t i = first; i < td->cap; i++) {
		if (td->pages[i]) {
			page_put(td->pages[i]);
			td->pages[i] = 0;
		}
	}
	/* zero the tail of a partial last page so a later extension reads zeros */
	if ((len & (PAGE_SIZE - 1)) && first - 1 < td->cap && td->pages[first - 1])
		memset((u8 *)__va(td->pages[first - 1]) + (len & (PAGE_SIZE - 1)), 0,
		       PAGE_SIZE - (len & (PAGE_SIZE - 1)));
	ino->size = len;
	touch(ino);
}

static long tdata_read(struct inode *ino, void *buf, size_t n, loff_t off)
{
	struct tdata *td = ino->priv;
	size_t done = 0;

	if (off >= ino->size)
		return 0;
	n = MIN(n, (size_t)(ino->size - off));
	while (done < n) {
		u64 pos = (u64)off + done;
		size_t idx = pos >> PAGE_SHIFT, po = pos & (PAGE_SIZE - 1);
		size_t c = MIN(n - done, PAGE_SIZE - po);

		if (idx < td->cap && td->pages[idx])
			memcpy((u8 *)buf + done, (u8 *)__va(td->pages[idx]) + po, c);
		else
			memset((u8 *)buf + done, 0, c);
		done += c;
	}
	time_now(&ino->atime);
	return (long)done;
}

static long tdata_write(struct inode *ino, const void *buf, size_t n, loff_t off)
{
	struct tdata *td = ino->priv;
	size_t done = 0;
	int ret;

	if (off < 0 || (u64)off + n < (u64)off)
		return -EINVAL;
	ret = tdata_grow(td, (size_t)(((u64)off + n + PAGE_SIZE - 1) >> PAGE_SHIFT));
	if (ret)
		return ret;
	while (done < n) {
		u64 pos = (u64)off + done;
		size_t idx = pos >> PAGE_SHIFT, po = pos & (PAGE_SIZE - 1);
		size_t c = MIN(n - done, PAGE_SIZE - po);

		if (!td->pages[idx] && !(td->pages[idx] = page_alloc()))
			break;
		memcpy((u8 *)__va(td->pages[idx]) + po, (const u8 *)buf + done, c);
		done += c;
	}
	if ((loff_t)((u64)off + done) > ino->size)
		ino->size = (loff_t)((u64)off + done);
	if (done)
		touch(ino);
	return done ? (long)done : -ENOSPC;
}

static int tmpfs_setattr(struct dentry *d, const struct iattr *a)
{
	struct inode *ino = d->inode;

	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			return -EINVAL;
		if ((u64)a->size > (TMPFS_MAX_PAGES << PAGE_SHIFT))
			return -EFBIG;
		tdata_truncate(ino, a->size);
	}
	if (a->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & 07777);
	/* chown clears set-uid (and group-executable set-gid) on non-directories */
	if ((a->valid & (ATTR_UID | ATTR_GID)) && !S_ISDIR(ino->mode)) {
		ino->mode &= ~(u32)S_ISUID;
		if (ino->mode & S_IXGRP)
			ino->mode &= ~(u32)S_ISGID;
	}
	if (a->valid & ATTR_UID)
		ino->uid = a->uid;
	if (a->valid & ATTR_GID)
		ino->gid = a->gid;
	if (a->valid & ATTR_ATIME) {
		if (a->valid & ATTR_ATIME_NOW)
			time_now(&ino->atime);
		else
			ino->atime = a->atime;
	}
	if (a->valid & ATTR_MTIME) {
		if (a->valid & ATTR_MTIME_NOW)
			time_now(&ino->mtime);
		else
			ino->mtime = a->mtime;
	}
	time_now(&ino->ctime);
	return 0;
}

static int tmpfs_statfs(struct dentry *d, struct statfs *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->f_type = d->sb->type->magic;
	buf->f_bsize = PAGE_SIZE;
	buf->f_blocks = pmm_total_pages();
	buf->f_bfree = buf->f_bavail = pmm_free_pages();
	buf->f_files = 1 << 20;
	buf->f_ffree = (1 << 20) - 1;
	buf->f_namelen = NAME_MAX;
	buf->f_frsize = PAGE_SIZE;
	return 0;
}

static int tmpfs_open(struct dentry *d, struct file *f)
{
	struct inode *ino = d->inode;

	switch (ino->mode & S_IFMT) {
	case S_IFREG:
		if (f->flags & O_TRUNC)
			tdata_truncate(ino, 0);
		f->fop = &tmpfs_file_fops;
		return 0;
	case S_IFDIR:
		f->fop = &tmpfs_dir_fops;
		return 0;
	case S_IFIFO:
		return fifo_open(d, f);
	case S_IFCHR: {
		const struct devnode *dev = ino->priv;

		if (!dev)
			return -ENXIO;
		f->fop = dev->fop;
		return dev->open ? dev->open(f) : 0;
	}
	}
	return -ENXIO;
}

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.tmpfile = tmpfs_tmpfile,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.open = tmpfs_open,
	.statfs = tmpfs_statfs,
};

/* ---- open files ---- */

static long tf_read(struct file *f, void *buf, size_t n)
{
	long r = tdata_read(f->inode, buf, n, f->pos);

	if (r > 0)
		f->pos += r;
	return r;
}

static long tf_write(struct file *f, const void *buf, size_t n)
{
	long r;

	if (f->flags & O_APPEND)
		f->pos = f->inode->size;
	r = tdata_write(f->inode, buf, n, f->pos);
	if (r > 0)
		f->pos += r;
	return r;
}

static long tf_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	if (off < 0)
		return -EINVAL;
	return tdata_read(f->inode, buf, n, off);
}

static long tf_pwrite(struct file *f, const void *buf, size_t n, loff_t off)
{
	if (f->flags & O_APPEND)	/* Linux: pwrite on O_APPEND appends */
		off = f->inode->size;
	return tdata_write(f->inode, buf, n, off);
}

static loff_t tf_llseek(struct file *f, loff_t off, int whence)
{
	return generic_llseek(f, off, whence, f->inode->size);
}

static int tf_truncate(struct file *f, loff_t len)
{
	struct iattr a = { .valid = ATTR_SIZE, .size = len };

	return tmpfs_setattr(f->path.dentry, &a);
}

static int tf_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static const struct file_ops tmpfs_file_fops = {
	.read = tf_read,
	.write = tf_write,
	.pread = tf_pread,
	.pwrite = tf_pwrite,
	.llseek = tf_llseek,
	.truncate = tf_truncate,
	.fsync = tf_fsync,
	.mmap_ok = true,
};

/* ---- directories: ".", "..", then the children in creation order ---- */

long tmpfs_getdents(struct file *f, void *buf, size_t n)
{
	struct dentry *dir = f->path.dentry, *c;
	size_t used = 0;
	loff_t i = 0;

	list_for_each_entry(c, &dir->children, child_node) {
		if (i + 2 >= f->pos)
			break;
		i++;
	}
	while (f->pos < 2) {
		struct dentry *t = f->pos ? dir->parent : dir;

		if (!dirent_put(buf, n, &used, t->inode->ino, f->pos + 1, DT_DIR,
				f->pos ? ".." : ".", (size_t)f->pos + 1))
			return used ? (long)used : -EINVAL;
		f->pos++;
	}
	for (; &c->child_node != &dir->children; c = list_entry(c->child_node.next, struct dentry, child_node)) {
		if (!dirent_put(buf, n, &used, c->inode->ino, f->pos + 1, dirent_type(c->inode->mode),
				c->name, strlen(c->name)))
			return used ? (long)used : -EINVAL;
		f->pos++;
	}
	return (long)used;
}

static loff_t dir_llseek(struct file *f, loff_t off, int whence)
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

const struct file_ops tmpfs_dir_fops = {
	.getdents = tmpfs_getdents,
	.llseek = dir_llseek,
	.fsync = tf_fsync,
};
