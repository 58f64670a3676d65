/*
 * fs/ops.c - namespace and attribute operations (mkdir, rmdir, unlink, symlink, link,
 * rename, chmod, chown, truncate, utimes, readlink) with Linux's checks in Linux's
 * order, so errnos match when several apply: e.g. EEXIST before EROFS for mkdir, but
 * EROFS before ENOENT for unlink.
 */
#include "internal.h"

/* The dentry under a mount the lookup crossed (child.mnt differs from the parent's). */
static struct dentry *under_mount(const struct nameidata *nd, const struct path *child)
{
	struct mount *m = child->mnt;

	if (m == nd->cur.mnt)
		return child->dentry;
	while (m->parent && m->parent != nd->cur.mnt)
		m = m->parent;
	return m->mountpoint;
}

static u32 dir_mode(u32 mode)
{
	return S_IFDIR | (mode & (0777 | S_ISVTX) & ~current_umask());
}

int vfs_mkdir(int dirfd, const char *path, u32 mode)
{
	struct nameidata nd;
	struct path child;
	struct dentry *dir;
	int ret = namei_start(&nd, dirfd, path, 0);

	if (ret)
		goto out;
	ret = -EEXIST;
	if (nd.last_type != LAST_NORM)
		goto out;
	ret = namei_last(&nd, &child);
	if (!ret) {
		path_put(&child);
		ret = -EEXIST;
		goto out;
	}
	if (ret != -ENOENT)
		goto out;
	ret = -EROFS;
	if (mnt_rdonly(nd.cur.mnt))
		goto out;
	ret = may_create(&nd.cur);
	if (ret)
		goto out;
	dir = nd.cur.dentry;
	ret = dir->inode->iop->mkdir ? dir->inode->iop->mkdir(dir, nd.last, dir_mode(mode)) : -EPERM;
out:
	namei_end(&nd);
	return ret;
}

/* Find the victim of rmdir/unlink: checks shared by both. */
static int lookup_victim(struct nameidata *nd, struct path *child, struct dentry **victim)
{
	int ret;

	if (mnt_rdonly(nd->cur.mnt))
		return -EROFS;
	ret = namei_last(nd, child);
	if (ret)
		return ret;
	*victim = under_mount(nd, child);
	return 0;
}

int vfs_rmdir(int dirfd, const char *path)
{
	struct nameidata nd;
	struct path child = { 0 };
	struct dentry *v, *dir;
	int ret = namei_start(&nd, dirfd, path, 0);

	if (ret)
		goto out;
	switch (nd.last_type) {
	case LAST_DOTDOT:
		ret = -ENOTEMPTY;
		goto out;
	case LAST_DOT:
		ret = -EINVAL;
		goto out;
	case LAST_ROOT:
	case LAST_JUMP:
		ret = -EBUSY;
		goto out;
	}
	ret = lookup_victim(&nd, &child, &v);
	if (ret)
		goto out;
	ret = may_delete(&nd.cur, v, true);
	if (!ret && v->mounted)
		ret = -EBUSY;
	dir = nd.cur.dentry;
	if (!ret)
		ret = dir->inode->iop->rmdir ? dir->inode->iop->rmdir(dir, v) : -EPERM;
out:
	path_put(&child);
	namei_end(&nd);
	return ret;
}

int vfs_unlink(int dirfd, const char *path)
{
	struct nameidata nd;
	struct path child = { 0 };
	struct dentry *v, *dir;
	int ret = namei_start(&nd, dirfd, path, 0);

	if (ret)
		goto out;
	ret = -EISDIR;
	if (nd.last_type != LAST_NORM)
		goto out;
	ret = lookup_victim(&nd, &child, &v);
	if (ret)
		goto out;
	if (nd.trailing_slash) {
		ret = d_is_dir(v) ? -EISDIR : -ENOTDIR;
		goto out;
	}
	ret = may_delete(&nd.cur, v, false);
	if (!ret && v->mounted)
		ret = -EBUSY;
	dir = nd.cur.dentry;
	if (!ret)
		ret = dir->inode->iop->unlink ? dir->inode->iop->unlink(dir, v) : -EPERM;
out:
	path_put(&child);
	namei_end(&nd);
	return ret;
}

/* Common start of symlink/link: the new name must not exist. */
static int new_name(struct nameidata *nd, int dirfd, const char *path)
{
	struct path child;
	int ret = namei_start(nd, dirfd, path, 0);

	if (ret)
		return ret;
	if (nd->last_type != LAST_NORM)
		return -EEXIST;
	ret = namei_last(nd, &child);
	if (!ret) {
		path_put(&child);
		return -EEXIST;
	}
	if (ret != -ENOENT)
		return ret;
	if (nd->trailing_slash)
		return -ENOENT;
	if (mnt_rdonly(nd->cur.mnt))
		return -EROFS;
	return 0;
}

int vfs_symlink(const char *target, int dirfd, const char *path)
{
	struct nameidata nd;
	struct dentry *dir;
	int ret = new_name(&nd, dirfd, path);

	if (!ret)
		ret = may_create(&nd.cur);
	if (!ret) {
		dir = nd.cur.dentry;
		ret = dir->inode->iop->symlink ? dir->inode->iop->symlink(dir, nd.last, target) : -EPERM;
	}
	namei_end(&nd);
	return ret;
}

int vfs_link(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	unsigned lf = 0;
	struct nameidata nd;
	struct path old;
	struct dentry *dir;
	int ret;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	ret = path_lookup(olddirfd, oldpath, lf, &old);
	if (ret)
		return ret;
	ret = new_name(&nd, newdirfd, newpath);
	if (!ret && old.mnt != nd.cur.mnt)
		ret = -EXDEV;
	if (!ret)
		ret = may_create(&nd.cur);
	if (!ret && d_is_dir(old.dentry))
		ret = -EPERM;
	if (!ret) {
		dir = nd.cur.dentry;
		ret = dir->inode->iop->link ? dir->inode->iop->link(old.dentry, dir, nd.last) : -EPERM;
	}
	namei_end(&nd);
	path_put(&old);
	return ret;
}

static bool same_inode(const struct inode *a, const struct inode *b)
{
	u64 da = a->dev ? a->dev : a->sb->dev, db = b->dev ? b->dev : b->sb->dev;

	return a == b || (a->ino == b->ino && da == db);
}

/* The checks of rename after both names are looked up. */
static int rename_check(struct nameidata *o, struct dentry *old, struct nameidata *n,
			struct dentry *victim, unsigned flags)
{
	bool isdir = d_is_dir(old);
	int ret;

	if (d_is_ancestor(old, n->cur.dentry))
		return -EINVAL;
	if (victim && d_is_ancestor(victim, o->cur.dentry))
		return (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
	if (victim && same_inode(old->inode, victim->inode))
		return 1;
	ret = may_delete(&o->cur, old, isdir);
	if (ret)
		return ret;
	if (victim)
		ret = may_delete(&n->cur, victim, (flags & RENAME_EXCHANGE) ? d_is_dir(victim) : isdir);
	else
		ret = may_create(&n->cur);
	if (ret)
		return ret;
	if (old->mounted || (victim && victim->mounted))
		return -EBUSY;
	if (isdir && o->cur.dentry != n->cur.dentry)
		ret = inode_permission(old->inode, MAY_WRITE);
	return ret;
}

int vfs_rename(int odirfd, const char *oldpath, int ndirfd, const char *newpath, unsigned flags)
{
	struct nameidata o, n;
	struct path oc = { 0 }, nc = { 0 };
	struct dentry *old, *victim = NULL, *odir;
	int ret;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	ret = namei_start(&o, odirfd, oldpath, 0);
	if (ret) {
		namei_end(&o);
		return ret;
	}
	ret = namei_start(&n, ndirfd, newpath, 0);
	if (ret)
		goto out;
	ret = -EXDEV;
	if (o.cur.mnt != n.cur.mnt)
		goto out;
	ret = -EBUSY;
	if (o.last_type != LAST_NORM)
		goto out;
	if (n.last_type != LAST_NORM) {
		ret = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	ret = -EROFS;
	if (mnt_rdonly(o.cur.mnt))
		goto out;
	ret = namei_last(&o, &oc);
	if (ret)
		goto out;
	old = under_mount(&o, &oc);
	ret = -ENOTDIR;
	if (!d_is_dir(old) && (o.trailing_slash || (n.trailing_slash && !(flags & RENAME_EXCHANGE))))
		goto out;
	ret = namei_last(&n, &nc);
	if (ret && ret != -ENOENT)
		goto out;
	if (!ret)
		victim = under_mount(&n, &nc);
	ret = -EEXIST;
	if (victim && (flags & RENAME_NOREPLACE))
		goto out;
	ret = -ENOENT;
	if (!victim && (flags & RENAME_EXCHANGE))
		goto out;
	ret = rename_check(&o, old, &n, victim, flags);
	if (ret)
		goto out;
	odir = o.cur.dentry;
	ret = odir->inode->iop->rename ?
	      odir->inode->iop->rename(odir, old, n.cur.dentry, n.last, victim, flags) : -EPERM;
out:
	path_put(&oc);
	path_put(&nc);
	namei_end(&n);
	namei_end(&o);
	return ret == 1 ? 0 : ret;
}

int vfs_setattr(const struct path *p, struct iattr *a)
{
	struct inode *ino = p->dentry->inode;

	if (mnt_rdonly(p->mnt))
		return -EROFS;
	if (!ino->iop->setattr)
		return -EPERM;
	return ino->iop->setattr(p->dentry, a);
}

int vfs_truncate(const struct path *p, loff_t len)
{
	struct iattr a = { .valid = ATTR_SIZE, .size = len };
	u32 mode = p->dentry->inode->mode;
	int ret;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(mode))
		return -EISDIR;
	if (!S_ISREG(mode))
		return -EINVAL;
	if (mnt_rdonly(p->mnt))
		return -EROFS;
	ret = inode_permission(p->dentry->inode, MAY_WRITE);
	return ret ? ret : vfs_setattr(p, &a);
}

int vfs_chmod(const struct path *p, u32 mode)
{
	struct iattr a = { .valid = ATTR_MODE, .mode = mode & 07777 };
	struct inode *ino = p->dentry->inode;

	if (mnt_rdonly(p->mnt))
		return -EROFS;
	if (!is_owner_or_root(ino))
		return -EPERM;
	if (current->proc->cred.fsuid != 0 && !in_group(ino->gid))
		a.mode &= ~(u32)S_ISGID;
	return vfs_setattr(p, &a);
}

int vfs_chown(const struct path *p, u32 uid, u32 gid)
{
	struct iattr a = { 0 };
	struct inode *ino = p->dentry->inode;
	const struct cred *c = &current->proc->cred;

	if (mnt_rdonly(p->mnt))
		return -EROFS;
	if (uid != (u32)-1) {
		a.valid |= ATTR_UID;
		a.uid = uid;
		if (c->fsuid != 0 && (c->fsuid != ino->uid || uid != ino->uid))
			return -EPERM;
	}
	if (gid != (u32)-1) {
		a.valid |= ATTR_GID;
		a.gid = gid;
		if (c->fsuid != 0 && (c->fsuid != ino->uid || (gid != ino->gid && !in_group(gid))))
			return -EPERM;
	}
	return vfs_setattr(p, &a);
}

int vfs_utimes(const struct path *p, const struct __kernel_timespec *ts)
{
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME };
	struct inode *ino = p->dentry->inode;
	int ret;

	if (mnt_rdonly(p->mnt))
		return -EROFS;
	if (ts && ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
		ts = NULL;
	if (!ts) {
		a.valid |= ATTR_ATIME_NOW | ATTR_MTIME_NOW;
		if (!is_owner_or_root(ino) && (ret = inode_permission(ino, MAY_WRITE)))
			return ret;
		return vfs_setattr(p, &a);
	}
	if (!is_owner_or_root(ino)) {
		bool only_now = (ts[0].tv_nsec == UTIME_NOW || ts[0].tv_nsec == UTIME_OMIT) &&
				(ts[1].tv_nsec == UTIME_NOW || ts[1].tv_nsec == UTIME_OMIT);

		if (!only_now)
			return -EPERM;
		if ((ret = inode_permission(ino, MAY_WRITE)))
			return ret;
	}
	a.valid = 0;
	if (ts[0].tv_nsec != UTIME_OMIT) {
		a.valid |= ATTR_ATIME | (ts[0].tv_nsec == UTIME_NOW ? ATTR_ATIME_NOW : 0);
		a.atime = ts[0];
	}
	if (ts[1].tv_nsec != UTIME_OMIT) {
		a.valid |= ATTR_MTIME | (ts[1].tv_nsec == UTIME_NOW ? ATTR_MTIME_NOW : 0);
		a.mtime = ts[1];
	}
	return vfs_setattr(p, &a);
}

long vfs_readlink(const struct path *p, char *buf, size_t n)
{
	struct inode *ino = p->dentry->inode;

	if (!S_ISLNK(ino->mode) || !ino->iop->readlink)
		return -EINVAL;
	return ino->iop->readlink(p->dentry, buf, n);
}
