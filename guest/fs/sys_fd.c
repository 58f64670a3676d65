/*
 * fs/sys_fd.c - syscall handlers that create, copy and close fds: open family,
 * close, close_range, dup family, fcntl, pipe.
 */
#include "internal.h"
#include <qk/uaccess.h>

#define SETFL_MASK	(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | FASYNC)

long sys_openat(int dirfd, uaddr_t upath, int flags, u32 mode)
{
	char *name = getname(upath);
	struct file *f;

	if (IS_ERR(name))
		return PTR_ERR(name);
	f = do_open(dirfd, name, flags, mode);
	kfree(name);
	if (IS_ERR(f))
		return PTR_ERR(f);
	return fd_install(f, flags & O_CLOEXEC);
}

long sys_open(uaddr_t upath, int flags, u32 mode)
{
	return sys_openat(AT_FDCWD_, upath, flags, mode);
}

long sys_creat(uaddr_t upath, u32 mode)
{
	return sys_openat(AT_FDCWD_, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(int fd)
{
	return fd_close(fd);
}

long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return files_close_range(first, last, flags);
}

long sys_dup(int fd)
{
	return fd_dup_from(fd, 0, false);
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd < 0 || (u64)newfd >= fd_limit())
		return -EBADF;
	f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(newfd, f, flags & O_CLOEXEC);
}

long sys_dup2(int oldfd, int newfd)
{
	struct file *f;

	if (oldfd == newfd) {
		f = fd_get(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return sys_dup3(oldfd, newfd, 0);
}

/* Record locks are accepted and not enforced: validate like Linux, report unlocked. */
static long fcntl_lock(struct file *f, int cmd, uaddr_t arg)
{
	struct flock fl;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;

	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence < SEEK_SET || fl.l_whence > SEEK_END)
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (get) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		fl.l_type = F_UNLCK;
		return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	if ((fl.l_type == F_RDLCK && !file_readable(f)) || (fl.l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return 0;
}

static long fcntl_file(int fd, struct file *f, int cmd, unsigned long arg)
{
	u32 nf;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= fd_limit())
			return -EINVAL;
		return fd_dup_from(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	}
	if (f->fmode & FMODE_PATH)
		return -EBADF;
	switch (cmd) {
	case F_SETFL:
		nf = (f->flags & ~(u32)SETFL_MASK) | ((u32)arg & SETFL_MASK);
		if (f->fop->setfl) {
			long r = f->fop->setfl(f, nf);

			if (r)
				return r;
		}
		f->flags = nf;
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(f, cmd, arg);
	case F_GETOWN:
	case F_SETOWN:
	case F_GETSIG:
	case F_SETSIG:
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return pipe_fcntl(f, cmd, arg);
	}
	return -EINVAL;
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = fcntl_file(fd, f, cmd, arg);
	file_put(f);
	return ret;
}

long sys_pipe2(uaddr_t ufds, int flags)
{
	struct file *rd, *wr;
	int fds[2];
	long ret;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	ret = pipe_create(&rd, &wr, (u32)flags);
	if (ret)
		return ret;
	fds[0] = fd_install(rd, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(wr, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(uaddr_t ufds)
{
	return sys_pipe2(ufds, 0);
}
