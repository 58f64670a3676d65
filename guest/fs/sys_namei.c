/*
 * fs/sys_namei.c - syscall handlers on paths: access, cwd, umask, mkdir, rmdir,
 * unlink, rename, link, symlink, readlink, chmod, chown, utimensat.
 */
#include "internal.h"
#include <qk/uaccess.h>

/* Run fn on a copied user path. */
#define WITH_NAME(upath, name, expr) ({					\
	char *name = getname(upath);					\
	long __r = IS_ERR(name) ? PTR_ERR(name) : (long)(expr);		\
	if (!IS_ERR(name))						\
		kfree(name);						\
	__r;								\
})

long sys_faccessat2(int dirfd, uaddr_t upath, int mode, int flags)
{
	char *name;
	long ret;

	if (mode & ~(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(upath) : getname(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = vfs_access(dirfd, name, mode, flags);
	kfree(name);
	return ret;
}

long sys_faccessat(int dirfd, uaddr_t upath, int mode)
{
	return sys_faccessat2(dirfd, upath, mode, 0);
}

long sys_access(uaddr_t upath, int mode)
{
	return sys_faccessat2(AT_FDCWD_, upath, mode, 0);
}

long sys_getcwd(uaddr_t ubuf, size_t size)
{
	struct fs_ctx *fs = cur_fs();
	char *buf = kmalloc(PATH_MAX);
	long len;

	if (!buf)
		return -ENOMEM;
	len = (fs->cwd.dentry->flags & D_DELETED) ? -ENOENT
						  : d_path(&fs->cwd, &fs->root, buf, PATH_MAX);
	if (len >= 0 && (size_t)len + 1 > size)
		len = -ERANGE;
	if (len >= 0 && copy_to_user(ubuf, buf, (size_t)len + 1))
		len = -EFAULT;
	kfree(buf);
	return len < 0 ? len : len + 1;
}

static long set_cwd(struct path *p)
{
	struct fs_ctx *fs = cur_fs();
	long ret;

	if (!d_is_dir(p->dentry)) {
		path_put(p);
		return -ENOTDIR;
	}
	ret = inode_permission(p->dentry->inode, MAY_EXEC);
	if (ret) {
		path_put(p);
		return ret;
	}
	path_put(&fs->cwd);
	fs->cwd = *p;
	return 0;
}

long sys_chdir(uaddr_t upath)
{
	struct path p;
	long ret = user_path_lookup(AT_FDCWD_, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);

	return ret ? ret : set_cwd(&p);
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	struct path p;

	if (!f)
		return -EBADF;
	p = f->path;
	path_get(&p);
	file_put(f);
	return set_cwd(&p);
}

long sys_umask(u32 mask)
{
	struct fs_ctx *fs = cur_fs();
	u32 old = fs->umask;

	fs->umask = mask & 0777;
	return old;
}

long sys_mkdirat(int dirfd, uaddr_t upath, u32 mode)
{
	return WITH_NAME(upath, name, vfs_mkdir(dirfd, name, mode));
}

long sys_mkdir(uaddr_t upath, u32 mode)
{
	return sys_mkdirat(AT_FDCWD_, upath, mode);
}

long sys_rmdir(uaddr_t upath)
{
	return WITH_NAME(upath, name, vfs_rmdir(AT_FDCWD_, name));
}

long sys_unlinkat(int dirfd, uaddr_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if (flags & AT_REMOVEDIR)
		return WITH_NAME(upath, name, vfs_rmdir(dirfd, name));
	return WITH_NAME(upath, name, vfs_unlink(dirfd, name));
}

long sys_unlink(uaddr_t upath)
{
	return sys_unlinkat(AT_FDCWD_, upath, 0);
}

long sys_renameat2(int odirfd, uaddr_t uold, int ndirfd, uaddr_t unew, unsigned flags)
{
	char *oldn = getname(uold), *newn;
	long ret;

	if (IS_ERR(oldn))
		return PTR_ERR(oldn);
	newn = getname(unew);
	if (IS_ERR(newn)) {
		kfree(oldn);
		return PTR_ERR(newn);
	}
	ret = vfs_rename(odirfd, oldn, ndirfd, newn, flags);
	kfree(oldn);
	kfree(newn);
	return ret;
}

long sys_renameat(int odirfd, uaddr_t uold, int ndirfd, uaddr_t unew)
{
	return sys_renameat2(odirfd, uold, ndirfd, unew, 0);
}

long sys_rename(uaddr_t uold, uaddr_t unew)
{
	return sys_renameat2(AT_FDCWD_, uold, AT_FDCWD_, unew, 0);
}

long sys_linkat(int odirfd, uaddr_t uold, int ndirfd, uaddr_t unew, int flags)
{
	char *oldn, *newn;
	long ret;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	oldn = (flags & AT_EMPTY_PATH) ? getname_empty_ok(uold) : getname(uold);
	if (IS_ERR(oldn))
		return PTR_ERR(oldn);
	newn = getname(unew);
	if (IS_ERR(newn)) {
		kfree(oldn);
		return PTR_ERR(newn);
	}
	ret = vfs_link(odirfd, oldn, ndirfd, newn, flags);
	kfree(oldn);
	kfree(newn);
	return ret;
}

long sys_link(uaddr_t uold, uaddr_t unew)
{
	return sys_linkat(AT_FDCWD_, uold, AT_FDCWD_, unew, 0);
}

long sys_symlinkat(uaddr_t utarget, int dirfd, uaddr_t upath)
{
	char *target = getname(utarget);
	long ret;

	if (IS_ERR(target))
		return PTR_ERR(target);
	ret = WITH_NAME(upath, name, vfs_symlink(target, dirfd, name));
	kfree(target);
	return ret;
}

long sys_symlink(uaddr_t utarget, uaddr_t upath)
{
	return sys_symlinkat(utarget, AT_FDCWD_, upath);
}

long sys_readlinkat(int dirfd, uaddr_t upath, uaddr_t ubuf, int bufsiz)
{
	char *name, *buf;
	struct path p;
	long ret;

	if (bufsiz <= 0)
		return -EINVAL;
	name = getname_empty_ok(upath);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = path_lookup(dirfd, name, LOOKUP_EMPTY, &p);
	if (ret)
		goto free_name;
	ret = -ENOMEM;
	buf = kmalloc((size_t)MIN(bufsiz, PATH_MAX));
	if (buf) {
		ret = vfs_readlink(&p, buf, (size_t)MIN(bufsiz, PATH_MAX));
		if (ret == -EINVAL && !*name)
			ret = -ENOENT;
		if (ret > 0 && copy_to_user(ubuf, buf, (size_t)ret))
			ret = -EFAULT;
		kfree(buf);
	}
	path_put(&p);
free_name:
	kfree(name);
	return ret;
}

long sys_readlink(uaddr_t upath, uaddr_t ubuf, int bufsiz)
{
	return sys_readlinkat(AT_FDCWD_, upath, ubuf, bufsiz);
}

long sys_fchmodat(int dirfd, uaddr_t upath, u32 mode)
{
	struct path p;
	long ret = user_path_lookup(dirfd, upath, LOOKUP_FOLLOW, &p);

	if (ret)
		return ret;
	ret = vfs_chmod(&p, mode);
	path_put(&p);
	return ret;
}

long sys_chmod(uaddr_t upath, u32 mode)
{
	return sys_fchmodat(AT_FDCWD_, upath, mode);
}

long sys_fchmod(int fd, u32 mode)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_chmod(&f->path, mode);
	file_put(f);
	return ret;
}

long sys_fchownat(int dirfd, uaddr_t upath, u32 uid, u32 gid, int flags)
{
	unsigned lf = 0;
	struct path p;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	ret = user_path_lookup(dirfd, upath, lf, &p);
	if (ret)
		return ret;
	ret = vfs_chown(&p, uid, gid);
	path_put(&p);
	return ret;
}

long sys_chown(uaddr_t upath, u32 uid, u32 gid)
{
	return sys_fchownat(AT_FDCWD_, upath, uid, gid, 0);
}

long sys_lchown(uaddr_t upath, u32 uid, u32 gid)
{
	return sys_fchownat(AT_FDCWD_, upath, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, u32 uid, u32 gid)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_chown(&f->path, uid, gid);
	file_put(f);
	return ret;
}

static bool nsec_valid(s64 ns)
{
	return ns == UTIME_NOW || ns == UTIME_OMIT || (ns >= 0 && ns < 1000000000L);
}

long sys_utimensat(int dirfd, uaddr_t upath, uaddr_t utimes, int flags)
{
	struct __kernel_timespec ts[2], *tsp = NULL;
	unsigned lf = 0;
	struct path p;
	struct file *f;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes) {
		if (copy_from_user(ts, utimes, sizeof(ts)))
			return -EFAULT;
		if (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec))
			return -EINVAL;
		tsp = ts;
	}
	if (!upath && dirfd != AT_FDCWD_) {
		if (flags)
			return -EINVAL;
		f = fd_get_io(dirfd);
		if (!f)
			return -EBADF;
		ret = vfs_utimes(&f->path, tsp);
		file_put(f);
		return ret;
	}
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	ret = user_path_lookup(dirfd, upath, lf, &p);
	if (ret)
		return ret;
	ret = vfs_utimes(&p, tsp);
	path_put(&p);
	return ret;
}
