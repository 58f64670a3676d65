/*
 * fs/sys_rw.c - syscall handlers for I/O on open files: read/write family, lseek,
 * getdents64, ioctl, fsync, truncate, fadvise64, flock, sync.
 */
#include "internal.h"
#include <qk/uaccess.h>

/* sys_read implements read(2). */
long sys_read(int fd, uaddr_t buf, size_t count)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_read(f, buf, count);
	file_put(f);
	return ret;
}

long sys_write(int fd, uaddr_t buf, size_t count)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_write(f, buf, count);
	file_put(f);
	return ret;
}

long sys_pread64(int fd, uaddr_t buf, size_t count, loff_t pos)
{
	struct file *f;
	long ret;

	if (pos < 0)
		return -EINVAL;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	ret = vfs_pread(f, buf, count, pos);
	file_put(f);
	return ret;
}

long sys_pwrite64(int fd, uaddr_t buf, size_t count, loff_t pos)
{
	struct file *f;
	long ret;

	if (pos < 0)
		return -EINVAL;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	ret = vfs_pwrite(f, buf, count, pos);
	file_put(f);
	return ret;
}

long sys_readv(int fd, uaddr_t iov, int iovcnt)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_readv(f, iov, iovcnt, 0, false);
	file_put(f);
	return ret;
}

long sys_writev(int fd, uaddr_t iov, int iovcnt)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_writev(f, iov, iovcnt, 0, false);
	file_put(f);
	return ret;
}

long sys_lseek(int fd, loff_t off, int whence)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_llseek(f, off, whence);
	file_put(f);
	return ret;
}

long sys_getdents64(int fd, uaddr_t dirp, unsigned count)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_getdents(f, dirp, count);
	file_put(f);
	return ret;
}

long sys_ioctl(int fd, unsigned cmd, uaddr_t arg)
{
	struct file *f = fd_get_io(fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	if (cmd == FIOCLEX || cmd == FIONCLEX)
		fd_set_cloexec(fd, cmd == FIOCLEX);
	else
		ret = vfs_ioctl(f, cmd, arg);
	file_put(f);
	return ret;
}

static long do_fsync(int fd, bool datasync)
{
	struct file *f = fd_get_io(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->fop->fsync ? f->fop->fsync(f, datasync) : -EINVAL;
	file_put(f);
	return ret;
}

long sys_fsync(int fd)
{
	return do_fsync(fd, false);
}

long sys_fdatasync(int fd)
{
	return do_fsync(fd, true);
}

long sys_sync(void)
{
	return 0;
}

long sys_ftruncate(int fd, loff_t len)
{
	struct file *f;
	long ret;

	if (len < 0)
		return -EINVAL;
	f = fd_get_io(fd);
	if (!f)
		return -EBADF;
	if (!S_ISREG(f->inode->mode) || !file_writable(f))
		ret = -EINVAL;
	else if (f->fop->truncate)
		ret = f->fop->truncate(f, len);
	else
		ret = vfs_truncate(&f->path, len);
	file_put(f);
	return ret;
}

long sys_truncate(uaddr_t upath, loff_t len)
{
	struct path p;
	long ret = user_path_lookup(AT_FDCWD_, upath, LOOKUP_FOLLOW, &p);

	if (ret)
		return ret;
	ret = vfs_truncate(&p, len);
	path_put(&p);
	return ret;
}

long sys_fadvise64(int fd, loff_t off, loff_t len, int advice)
{
	struct file *f = fd_get_io(fd);
	long ret = 0;

	(void)off;
	if (!f)
		return -EBADF;
	if (S_ISFIFO(f->inode->mode))
		ret = -ESPIPE;
	else if (advice < 0 || advice > 5 || len < 0)
		ret = -EINVAL;
	file_put(f);
	return ret;
}

long sys_flock(int fd, unsigned op)
{
	struct file *f = fd_get_io(fd);
	unsigned kind = op & ~(unsigned)LOCK_NB;

	if (!f)
		return -EBADF;
	file_put(f);
	if (op & LOCK_MAND)	/* obsolete: Linux ignores it */
		return 0;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	return 0;
}
