/*
 * qk/host.h - host operations: the one interface through which qkernel's core reaches
 * host resources (files of the rootfs and bind mounts, stdio streams, time, entropy).
 * ptrace platform: direct host syscalls from the sandbox process (platform/ptrace/host.c).
 * kvm platform (later): requests on the host-call ring, served and validated by the VMM.
 * Every call returns >= 0 or a negative Linux errno. Buffers are kernel memory. Names
 * passed to *at() calls are single path components (no '/'), so a lookup can never
 * leave the directory it starts from: path walking and `..` are done by qkernel's VFS.
 */
#ifndef QK_HOST_H
#define QK_HOST_H

#include <qk/linux.h>

long host_openat(int dirfd, const char *name, int flags, int mode);
long host_close(int fd);
long host_read(int fd, void *buf, size_t n);
long host_write(int fd, const void *buf, size_t n);
long host_pread(int fd, void *buf, size_t n, loff_t off);
long host_pwrite(int fd, const void *buf, size_t n, loff_t off);
long host_lseek(int fd, loff_t off, int whence);
long host_fstat(int fd, struct stat *st);
long host_fstatat(int dirfd, const char *name, struct stat *st, int flags);
long host_getdents64(int fd, void *buf, size_t n);
long host_readlinkat(int dirfd, const char *name, char *buf, size_t n);
long host_mkdirat(int dirfd, const char *name, int mode);
long host_mknodat(int dirfd, const char *name, int mode, u64 dev);
long host_unlinkat(int dirfd, const char *name, int flags);
long host_renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags);
long host_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags);
long host_symlinkat(const char *target, int dirfd, const char *name);
long host_fchmod(int fd, int mode);
long host_fchmodat(int dirfd, const char *name, int mode);
long host_fchownat(int dirfd, const char *name, u32 uid, u32 gid, int flags);
long host_ftruncate(int fd, loff_t len);
long host_fsync(int fd, bool datasync);
long host_utimensat(int dirfd, const char *name, const struct __kernel_timespec *ts, int flags);
long host_fstatfs(int fd, void *statfs_buf);	/* struct statfs, 120 bytes */
long host_ioctl(int fd, unsigned long cmd, void *arg);	/* tty ioctls on stdio only */
long host_fcntl(int fd, int cmd, long arg);
long host_poll(struct pollfd *fds, unsigned n, s64 timeout_ns);	/* -1 = forever */
long host_getrandom(void *buf, size_t n);
u64 host_clock_ns(int clockid);

/* ADDED by the fs/ helper (not in the lead's first contract): open the file an O_PATH
 * fd refers to, with flags (O_ACCMODE, O_APPEND, O_TRUNC, O_DIRECTORY...). Used only
 * when a file has no parent directory to open it from by name: the root of a bind
 * mount of a single file, or a file already unlinked. ptrace: /proc/self/fd/N. */
long host_reopen(int opath_fd, int flags);

#endif
