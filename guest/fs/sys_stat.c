/*
 * fs/sys_stat.c - syscall handlers of the stat family and statfs.
 */
#include "internal.h"
#include <qk/uaccess.h>

static long stat_path(const struct path *p, uaddr_t ubuf)
{
	struct stat st;
	long ret = vfs_getattr(p, &st);

	if (!ret && copy_to_user(ubuf, &st, sizeof(st)))
		ret = -EFAULT;
	return ret;
}

static long stat_fd(int fd, uaddr_t ubuf)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = stat_path(&f->path, ubuf);
	file_put(f);
	return ret;
}

long sys_newfstatat(int dirfd, uaddr_t upath, uaddr_t ubuf, int flags)
{
	unsigned lf = 0;
	struct path p;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	if (!upath && (flags & AT_EMPTY_PATH))
		return stat_fd(dirfd, ubuf);
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	ret = user_path_lookup(dirfd, upath, lf, &p);
	if (ret)
		return ret;
	ret = stat_path(&p, ubuf);
	path_put(&p);
	return ret;
}

long sys_stat(uaddr_t upath, uaddr_t ubuf)
{
	return sys_newfstatat(AT_FDCWD_, upath, ubuf, 0);
}

long sys_lstat(uaddr_t upath, uaddr_t ubuf)
{
	return sys_newfstatat(AT_FDCWD_, upath, ubuf, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, uaddr_t ubuf)
{
	return stat_fd(fd, ubuf);
}

static void fill_statx(struct statx *sx, const struct stat *st, const struct path *p)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	sx->stx_blksize = (u32)st->st_blksize;
	sx->stx_nlink = (u32)st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = (u16)st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = (u64)st->st_size;
	sx->stx_blocks = (u64)st->st_blocks;
	sx->stx_atime.tv_sec = (s64)st->st_atime;
	sx->stx_atime.tv_nsec = (u32)st->st_atime_nsec;
	sx->stx_mtime.tv_sec = (s64)st->st_mtime;
	sx->stx_mtime.tv_nsec = (u32)st->st_mtime_nsec;
	sx->stx_ctime.tv_sec = (s64)st->st_ctime;
	sx->stx_ctime.tv_nsec = (u32)st->st_ctime_nsec;
	sx->stx_rdev_major = DEV_MAJOR(st->st_rdev);
	sx->stx_rdev_minor = DEV_MINOR(st->st_rdev);
	sx->stx_dev_major = DEV_MAJOR(st->st_dev);
	sx->stx_dev_minor = DEV_MINOR(st->st_dev);
	sx->stx_mnt_id = (u64)p->mnt->id;
	if (p->dentry == p->mnt->root && p->mnt != anon_mount)
		sx->stx_attributes |= STATX_ATTR_MOUNT_ROOT;
	sx->stx_attributes_mask = STATX_ATTR_MOUNT_ROOT;
}

long sys_statx(int dirfd, uaddr_t upath, int flags, unsigned mask, uaddr_t ubuf)
{
	unsigned lf = 0;
	struct statx sx;
	struct stat st;
	struct path p;
	long ret;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if (!upath && (flags & AT_EMPTY_PATH)) {
		struct file *f = fd_get(dirfd);

		if (!f)
			return -EBADF;
		p = f->path;
		path_get(&p);
		file_put(f);
	} else {
		if (!(flags & AT_SYMLINK_NOFOLLOW))
			lf |= LOOKUP_FOLLOW;
		if (flags & AT_EMPTY_PATH)
			lf |= LOOKUP_EMPTY;
		ret = user_path_lookup(dirfd, upath, lf, &p);
		if (ret)
			return ret;
	}
	ret = vfs_getattr(&p, &st);
	if (!ret) {
		fill_statx(&sx, &st, &p);
		if (copy_to_user(ubuf, &sx, sizeof(sx)))
			ret = -EFAULT;
	}
	path_put(&p);
	return ret;
}

static long statfs_path(const struct path *p, uaddr_t ubuf)
{
	struct statfs sf;
	long ret = vfs_statfs(p, &sf);

	if (!ret && copy_to_user(ubuf, &sf, sizeof(sf)))
		ret = -EFAULT;
	return ret;
}

long sys_statfs(uaddr_t upath, uaddr_t ubuf)
{
	struct path p;
	long ret = user_path_lookup(AT_FDCWD_, upath, LOOKUP_FOLLOW, &p);

	if (ret)
		return ret;
	ret = statfs_path(&p, ubuf);
	path_put(&p);
	return ret;
}

long sys_fstatfs(int fd, uaddr_t ubuf)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = statfs_path(&f->path, ubuf);
	file_put(f);
	return ret;
}
