/*
 * platform/ptrace/host.c - qk/host.h on the ptrace platform: each host operation is
 * one raw system call of the sandbox process (which is itself confined: pivot_root,
 * seccomp). Results are the raw syscall's: >= 0, or -errno.
 * Files are created with the mode the guest computed (its umask applied), so the
 * sandbox's own umask is cleared once before the first host call; the soft
 * RLIMIT_NOFILE is raised to the hard one, since every cached dentry holds a host fd;
 * SIGPIPE is ignored so that a write to a closed host pipe returns -EPIPE.
 *
 * Host syscalls used (for the sandbox's seccomp filter): openat, close, read, write,
 * pread64, pwrite64, lseek, newfstatat, getdents64, readlinkat, mkdirat, mknodat,
 * unlinkat, renameat2, linkat, symlinkat, fchmod, fchmodat, fchmodat2, fchownat,
 * ftruncate, fsync, fdatasync, utimensat, fstatfs, ioctl (tty ioctls on fds 0-2),
 * fcntl, ppoll, getrandom, clock_gettime, umask, prlimit64, rt_sigaction. host_reopen opens
 * /proc/self/fd/N, so the sandbox needs a /proc of its own pid namespace.
 */
#include <qk/host.h>
#include <qk/lib.h>
#include "hsyscall.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2	452
#endif

static void host_init_once(void)
{
	static bool done;
	struct rlimit64 lim;

	struct k_sigaction ign = { .handler = (u64)SIG_IGN };

	if (done)
		return;
	done = true;
	/* host_write must return -EPIPE (the guest gets its own SIGPIPE), not kill us */
	hsyscall4(__NR_rt_sigaction, SIGPIPE, &ign, NULL, 8);
	hsyscall1(__NR_umask, 0);
	if (hsyscall4(__NR_prlimit64, 0, RLIMIT_NOFILE, NULL, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		hsyscall4(__NR_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL);
	}
}

long host_openat(int dirfd, const char *name, int flags, int mode)
{
	host_init_once();
	return hsyscall4(__NR_openat, dirfd, name, flags, mode);
}

long host_close(int fd)
{
	return hsyscall1(__NR_close, fd);
}

long host_read(int fd, void *buf, size_t n)
{
	return hsyscall3(__NR_read, fd, buf, n);
}

long host_write(int fd, const void *buf, size_t n)
{
	host_init_once();
	return hsyscall3(__NR_write, fd, buf, n);
}

long host_pread(int fd, void *buf, size_t n, loff_t off)
{
	return hsyscall4(__NR_pread64, fd, buf, n, off);
}

long host_pwrite(int fd, const void *buf, size_t n, loff_t off)
{
	return hsyscall4(__NR_pwrite64, fd, buf, n, off);
}

long host_lseek(int fd, loff_t off, int whence)
{
	return hsyscall3(__NR_lseek, fd, off, whence);
}

long host_fstat(int fd, struct stat *st)
{
	return hsyscall4(__NR_newfstatat, fd, "", st, AT_EMPTY_PATH);
}

long host_fstatat(int dirfd, const char *name, struct stat *st, int flags)
{
	return hsyscall4(__NR_newfstatat, dirfd, name, st, flags);
}

long host_getdents64(int fd, void *buf, size_t n)
{
	return hsyscall3(__NR_getdents64, fd, buf, n);
}

long host_readlinkat(int dirfd, const char *name, char *buf, size_t n)
{
	return hsyscall4(__NR_readlinkat, dirfd, name, buf, n);
}

long host_mkdirat(int dirfd, const char *name, int mode)
{
	host_init_once();
	return hsyscall3(__NR_mkdirat, dirfd, name, mode);
}

long host_mknodat(int dirfd, const char *name, int mode, u64 dev)
{
	host_init_once();
	return hsyscall4(__NR_mknodat, dirfd, name, mode, dev);
}

long host_unlinkat(int dirfd, const char *name, int flags)
{
	return hsyscall3(__NR_unlinkat, dirfd, name, flags);
}

long host_renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags)
{
	return hsyscall5(__NR_renameat2, olddirfd, oldname, newdirfd, newname, flags);
}

long host_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags)
{
	return hsyscall5(__NR_linkat, olddirfd, oldname, newdirfd, newname, flags);
}

long host_symlinkat(const char *target, int dirfd, const char *name)
{
	return hsyscall3(__NR_symlinkat, target, dirfd, name);
}

long host_fchmod(int fd, int mode)
{
	return hsyscall2(__NR_fchmod, fd, mode);
}

/* An empty name means the fd itself (an O_PATH fd): fchmodat2 with AT_EMPTY_PATH
 * (Linux 6.6), else through a reopened fd. */
long host_fchmodat(int dirfd, const char *name, int mode)
{
	long ret, fd;

	if (*name)
		return hsyscall3(__NR_fchmodat, dirfd, name, mode);
	ret = hsyscall4(__NR_fchmodat2, dirfd, "", mode, AT_EMPTY_PATH);
	if (ret != -ENOSYS && ret != -EINVAL)
		return ret;
	fd = host_reopen(dirfd, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = host_fchmod((int)fd, mode);
	host_close((int)fd);
	return ret;
}

long host_fchownat(int dirfd, const char *name, u32 uid, u32 gid, int flags)
{
	return hsyscall5(__NR_fchownat, dirfd, name, uid, gid, flags);
}

long host_ftruncate(int fd, loff_t len)
{
	return hsyscall2(__NR_ftruncate, fd, len);
}

long host_fsync(int fd, bool datasync)
{
	return hsyscall1(datasync ? __NR_fdatasync : __NR_fsync, fd);
}

long host_utimensat(int dirfd, const char *name, const struct __kernel_timespec *ts, int flags)
{
	return hsyscall4(__NR_utimensat, dirfd, name, ts, flags);
}

long host_fstatfs(int fd, void *statfs_buf)
{
	return hsyscall2(__NR_fstatfs, fd, statfs_buf);
}

long host_ioctl(int fd, unsigned long cmd, void *arg)
{
	return hsyscall3(__NR_ioctl, fd, cmd, arg);
}

long host_fcntl(int fd, int cmd, long arg)
{
	return hsyscall3(__NR_fcntl, fd, cmd, arg);
}

long host_poll(struct pollfd *fds, unsigned n, s64 timeout_ns)
{
	struct __kernel_timespec ts = { timeout_ns / 1000000000LL, timeout_ns % 1000000000LL };

	return hsyscall5(__NR_ppoll, fds, n, timeout_ns < 0 ? NULL : &ts, NULL, 8);
}

long host_getrandom(void *buf, size_t n)
{
	return hsyscall3(__NR_getrandom, buf, n, 0);
}

u64 host_clock_ns(int clockid)
{
	struct __kernel_timespec ts;

	if (hsyscall2(__NR_clock_gettime, clockid, &ts) < 0)
		return 0;
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

long host_reopen(int opath_fd, int flags)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", opath_fd);
	return hsyscall4(__NR_openat, AT_FDCWD_, path, flags, 0);
}
