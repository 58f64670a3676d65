/*
 * fs/open.c - open(2) after path resolution, O_CREAT through dangling symlinks,
 * exec opens and access(2).
 */
#include "internal.h"

static const struct file_ops path_fops;		/* O_PATH files: no I/O at all */

/* The flags F_GETFL reports: creation-time flags are gone, O_LARGEFILE is always on
 * (x86-64 Linux forces it). */
static u32 status_flags(u32 flags)
{
	return (flags & ~(u32)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)) | O_LARGEFILE;
}

static int check_open(const struct path *p, u32 flags)
{
	u32 mode = p->dentry->inode->mode;
	int acc = 0;

	if (S_ISLNK(mode))
		return -ELOOP;
	if (S_ISDIR(mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	if (S_ISSOCK(mode))
		return -ENXIO;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		acc = MAY_READ;
		break;
	case O_WRONLY:
		acc = MAY_WRITE;
		break;
	default:
		acc = MAY_READ | MAY_WRITE;
	}
	if (flags & O_TRUNC)
		acc |= MAY_WRITE;
	if ((acc & MAY_WRITE) && mnt_rdonly(p->mnt) &&
	    (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
		return -EROFS;
	return inode_permission(p->dentry->inode, acc);
}

/* Open without permission checks (new files, exec). */
static struct file *open_nocheck(const struct path *p, u32 flags)
{
	struct inode *ino = p->dentry->inode;
	struct file *f;
	int ret;

	if (!ino->iop->open)
		return ERR_PTR(-ENXIO);
	f = file_alloc(p, flags);
	if (!f)
		return ERR_PTR(-ENOMEM);
	ret = ino->iop->open(p->dentry, f);
	if (ret) {
		f->fop = NULL;	/* nothing to release */
		file_put(f);
		return ERR_PTR(ret);
	}
	f->flags = status_flags(f->flags);
	return f;
}

struct file *vfs_open_path(const struct path *p, u32 flags)
{
	struct file *f;
	int ret;

	if (flags & O_PATH) {
		f = file_alloc(p, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW));
		if (!f)
			return ERR_PTR(-ENOMEM);
		f->fop = &path_fops;
		f->flags |= O_LARGEFILE;
		return f;
	}
	ret = check_open(p, flags);
	if (ret)
		return ERR_PTR(ret);
	return open_nocheck(p, flags);
}

/* Create the last component of nd (it does not exist). */
static int create_last(struct nameidata *nd, u32 mode, u32 oflags, struct path *out)
{
	struct dentry *dir = nd->cur.dentry, *d;
	int ret;

	if (mnt_rdonly(nd->cur.mnt))
		return -EROFS;
	ret = may_create(&nd->cur);
	if (ret)
		return ret;
	if (!dir->inode->iop->create)
		return -EACCES;
	ret = dir->inode->iop->create(dir, nd->last, S_IFREG | (mode & 07777 & ~current_umask()),
				     oflags, &d);
	if (ret)
		return ret;
	out->mnt = nd->cur.mnt;
	out->dentry = d;
	return 0;
}

static struct file *open_create(int dirfd, const char *path, u32 flags, u32 mode)
{
	struct nameidata nd;
	struct path child;
	bool created = false;
	struct file *f;
	int ret = namei_start(&nd, dirfd, path, 0);

	while (!ret) {
		if (nd.last_type != LAST_NORM && nd.last_type != LAST_JUMP) {
			ret = -EISDIR;
			break;
		}
		if (nd.last_type == LAST_NORM && nd.trailing_slash) {
			ret = -EISDIR;
			break;
		}
		ret = namei_last(&nd, &child);
		if (ret == -ENOENT) {
			ret = create_last(&nd, mode, flags, &child);
			created = !ret;
			break;
		}
		if (ret)
			break;
		if (d_is_lnk(child.dentry) && nd.last_type != LAST_JUMP) {
			if (flags & (O_EXCL | O_NOFOLLOW)) {
				path_put(&child);
				ret = (flags & O_EXCL) ? -EEXIST : -ELOOP;
				break;
			}
			ret = namei_follow(&nd, &child);
			continue;
		}
		if (flags & O_EXCL)
			ret = -EEXIST;
		else if (d_is_dir(child.dentry))
			ret = -EISDIR;
		if (ret)
			path_put(&child);
		break;
	}
	namei_end(&nd);
	if (ret)
		return ERR_PTR(ret);
	f = created ? open_nocheck(&child, flags & ~(u32)O_TRUNC) : vfs_open_path(&child, flags);
	path_put(&child);
	return f;
}

/* O_TMPFILE: an unnamed file in the directory path names, linkable later. */
static struct file *open_tmpfile(int dirfd, const char *path, u32 flags, u32 mode)
{
	struct path dir, p;
	struct file *f;
	int ret = path_lookup(dirfd, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);

	if (ret)
		return ERR_PTR(ret);
	if (mnt_rdonly(dir.mnt))
		ret = -EROFS;
	else if (!dir.dentry->inode->iop->tmpfile)
		ret = -EOPNOTSUPP;
	else
		ret = may_create(&dir);
	if (!ret)
		ret = dir.dentry->inode->iop->tmpfile(dir.dentry,
						      S_IFREG | (mode & 07777 & ~current_umask()),
						      flags, &p.dentry);
	if (ret) {
		path_put(&dir);
		return ERR_PTR(ret);
	}
	p.mnt = dir.mnt;
	f = open_nocheck(&p, flags & ~(u32)(__O_TMPFILE | O_DIRECTORY | O_CREAT));
	path_put(&p);
	path_put(&dir);
	return f;
}

struct file *do_open(int dirfd, const char *path, int oflags, u32 mode)
{
	u32 flags = (u32)oflags;
	unsigned lf = 0;
	struct path p;
	struct file *f;
	int ret;

	/* Linux's order: O_PATH drops the other flags, then the combinations are checked */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return ERR_PTR(-EINVAL);
	if (flags & __O_TMPFILE) {
		if (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY)
			return ERR_PTR(-EINVAL);
		return open_tmpfile(dirfd, path, flags, mode);
	}
	if (flags & O_CREAT)
		return open_create(dirfd, path, flags, mode);
	if (!(flags & O_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	ret = path_lookup(dirfd, path, lf, &p);
	if (ret)
		return ERR_PTR(ret);
	f = vfs_open_path(&p, flags);
	path_put(&p);
	return f;
}

struct file *vfs_open_exec(const char *path)
{
	struct path p;
	struct stat st;
	struct file *f;
	int ret = path_lookup(AT_FDCWD_, path, LOOKUP_FOLLOW, &p);

	if (ret)
		return ERR_PTR(ret);
	ret = vfs_getattr(&p, &st);		/* fresh mode bits */
	if (!ret && !S_ISREG(p.dentry->inode->mode))
		ret = -EACCES;
	if (!ret)
		ret = inode_permission(p.dentry->inode, MAY_EXEC);
	f = ret ? ERR_PTR(ret) : open_nocheck(&p, O_RDONLY);
	path_put(&p);
	return f;
}

int vfs_access(int dirfd, const char *path, int mode, int flags)
{
	unsigned lf = 0;
	struct stat st;
	struct path p;
	u32 m;
	int ret;

	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	ret = path_lookup(dirfd, path, lf, &p);
	if (ret)
		return ret;
	ret = vfs_getattr(&p, &st);
	m = p.dentry->inode->mode;
	if (!ret && (mode & W_OK) && mnt_rdonly(p.mnt) && (S_ISREG(m) || S_ISDIR(m) || S_ISLNK(m)))
		ret = -EROFS;
	if (!ret && mode != F_OK)
		ret = (flags & AT_EACCESS) ? inode_permission(p.dentry->inode, mode)
					   : inode_permission_real(p.dentry->inode, mode);
	path_put(&p);
	return ret;
}
