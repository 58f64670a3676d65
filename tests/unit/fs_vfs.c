/*
 * tests/unit/fs_vfs.c - qkernel's VFS (the guest/fs sources, unchanged) linked with a host
 * shim (fs_vfs_shim.c) and driven through its syscall handlers against a scratch
 * directory: argv[1] is the rootfs, argv[2] the source of a bind mount. Checks Linux
 * errnos and semantics of the path walk, hostfs, tmpfs, devfs, procfs, pipes, fd
 * tables and permission checks. Run by tests/unit/fs_vfs.t (built by tests/unit/fs.mk).
 */
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/host.h>
#include <qk/lib.h>
#include <quark/boot.h>
#include "hsyscall.h"
#include "internal.h"
#undef current
extern int sig_sent;

#define U(x) ((uaddr_t)(x))
long sys_openat(int, uaddr_t, int, u32); long sys_open(uaddr_t, int, u32); long sys_close(int);
long sys_read(int, uaddr_t, size_t); long sys_write(int, uaddr_t, size_t);
long sys_pread64(int, uaddr_t, size_t, loff_t); long sys_pwrite64(int, uaddr_t, size_t, loff_t);
long sys_lseek(int, loff_t, int); long sys_mkdir(uaddr_t, u32); long sys_rmdir(uaddr_t);
long sys_unlink(uaddr_t); long sys_rename(uaddr_t, uaddr_t); long sys_symlink(uaddr_t, uaddr_t);
long sys_readlink(uaddr_t, uaddr_t, int); long sys_link(uaddr_t, uaddr_t); long sys_stat(uaddr_t, uaddr_t);
long sys_lstat(uaddr_t, uaddr_t); long sys_fstat(int, uaddr_t); long sys_getdents64(int, uaddr_t, unsigned);
long sys_getcwd(uaddr_t, size_t); long sys_chdir(uaddr_t); long sys_fchdir(int); long sys_access(uaddr_t, int);
long sys_pipe2(uaddr_t, int); long sys_dup(int); long sys_dup2(int, int); long sys_dup3(int, int, int);
long sys_fcntl(int, int, unsigned long); long sys_ftruncate(int, loff_t); long sys_truncate(uaddr_t, loff_t);
long sys_chmod(uaddr_t, u32); long sys_poll(uaddr_t, unsigned, int); long sys_renameat2(int, uaddr_t, int, uaddr_t, unsigned);
long sys_unlinkat(int, uaddr_t, int); long sys_mkdirat(int, uaddr_t, u32); long sys_readv(int, uaddr_t, int);
long sys_writev(int, uaddr_t, int); long sys_ioctl(int, unsigned, uaddr_t); long sys_statx(int, uaddr_t, int, unsigned, uaddr_t);
long sys_newfstatat(int, uaddr_t, uaddr_t, int); long sys_utimensat(int, uaddr_t, uaddr_t, int);
long sys_faccessat2(int, uaddr_t, int, int); long sys_select(int, uaddr_t, uaddr_t, uaddr_t, uaddr_t);
long sys_statfs(uaddr_t, uaddr_t); long sys_close_range(unsigned, unsigned, unsigned); long sys_umask(u32);
long sys_creat(uaddr_t, u32); long sys_fchmod(int, u32); long sys_chown(uaddr_t, u32, u32);
long sys_symlinkat(uaddr_t, int, uaddr_t); long sys_linkat(int, uaddr_t, int, uaddr_t, int);

int fails, total;

/* TAP output on fd 1 through the guest's own snprintf. */
static void out(const char *fmt, ...) __printf(1, 2);
static void out(const char *fmt, ...)
{
	char b[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	host_write(1, b, (size_t)MIN(n, (int)sizeof(b) - 1));
}

#define T(expr, want) do { long __g = (long)(expr), __w = (long)(want); total++; \
	if (__g != __w) { fails++; out("not ok %d - line %d: %s = %ld, want %ld\n", total, __LINE__, #expr, __g, __w); } \
	else out("ok %d - %s == %s\n", total, #expr, #want); } while (0)
#define TS(buf, str) do { total++; if (strcmp((buf), (str))) { fails++; \
	out("not ok %d - line %d: \"%s\" != \"%s\"\n", total, __LINE__, (buf), (str)); } \
	else out("ok %d - \"%s\"\n", total, (str)); } while (0)

static char blob[8192];

static const char *strstr_(const char *h, const char *n)
{
	size_t l = strlen(n);

	for (; *h; h++)
		if (!strncmp(h, n, l))
			return h;
	return NULL;
}
extern struct cpu cpus[];

static void boot(const char *rootdir, const char *binddir)
{
	struct quark_boot_info *bi = (void *)blob;
	struct quark_boot_mount *m;
	u32 off = sizeof(*bi);
	const char *dests[] = { "/proc", "/dev", "/dev/shm", "/mnt/bind/deep", "/tmpfs" };
	u32 types[] = { QUARK_MNT_PROC, QUARK_MNT_TMPFS, QUARK_MNT_TMPFS, QUARK_MNT_BIND, QUARK_MNT_TMPFS };
	u32 doff[5];

	bi->magic = QUARK_BOOT_MAGIC;
	bi->rootfs_fd = hsyscall4(__NR_openat, AT_FDCWD_, rootdir, O_PATH | O_DIRECTORY, 0);
	for (int i = 0; i < 5; i++) { doff[i] = off; strlcpy(blob + off, dests[i], 64); off += strlen(dests[i]) + 1; }
	off = ALIGN_UP(off, 8);
	bi->mounts_off = off;
	bi->nmounts = 5;
	m = (void *)(blob + off);
	for (int i = 0; i < 5; i++) {
		m[i].dest_off = doff[i]; m[i].type = types[i];
		m[i].host_fd = types[i] == QUARK_MNT_BIND ? hsyscall4(__NR_openat, AT_FDCWD_, binddir, O_PATH | O_DIRECTORY, 0) : -1;
	}
	off += 5 * sizeof(*m);
	bi->size = off;
	T(vfs_init(bi, blob), 0);
}

static struct proc P;
static struct task Tk;

static void mkproc(void)
{
	P.pid = P.pgid = P.sid = 1;
	list_init(&P.threads); list_init(&P.children);
	list_add(&P.all_node, &all_procs);
	for (int i = 0; i < RLIM_NLIMITS_; i++)
		P.rlim[i] = (struct rlimit64){ RLIM64_INFINITY, RLIM64_INFINITY };
	P.rlim[RLIMIT_NOFILE].rlim_cur = 1024;
	P.files = files_create();
	P.fs = fs_ctx_create();
	strlcpy(P.comm, "driver", 16);
	Tk.proc = &P; Tk.tid = 1;
	list_add(&Tk.thread_node, &P.threads);
	this_cpu()->curr = &Tk;
	init_proc = &P;
	T(files_setup_stdio(P.files), 0);
}

static void t_basic(void)
{
	char buf[256]; struct stat st; long fd, fd2;

	T(sys_mkdir(U("/tmp/d1"), 0755), 0);
	T(sys_mkdir(U("/tmp/d1"), 0755), -EEXIST);
	T(sys_mkdir(U("/tmp/nope/x"), 0755), -ENOENT);
	fd = sys_open(U("/tmp/d1/f"), O_CREAT | O_RDWR | O_EXCL, 0644);
	T(fd >= 3, 1);
	T(sys_open(U("/tmp/d1/f"), O_CREAT | O_RDWR | O_EXCL, 0644), -EEXIST);
	T(sys_write(fd, U("hello world"), 11), 11);
	T(sys_lseek(fd, 0, SEEK_CUR), 11);
	T(sys_lseek(fd, 6, SEEK_SET), 6);
	memset(buf, 0, sizeof buf);
	T(sys_read(fd, U(buf), 100), 5);
	TS(buf, "world");
	T(sys_pread64(fd, U(buf), 5, 0), 5);
	T(sys_lseek(fd, -1, SEEK_SET), -EINVAL);
	T(sys_lseek(fd, 0, 7), -EINVAL);
	T(sys_fstat(fd, U(&st)), 0);
	T(st.st_size, 11);
	T(S_ISREG(st.st_mode), 1);
	T(st.st_mode & 0777, 0644 & ~022);
	T(sys_read(fd, 0, 0), 0);
	T(sys_read(fd, 1, 10), 0);
	T(sys_close(fd), 0);
	T(sys_close(fd), -EBADF);
	/* reopen read-only, write -> EBADF */
	fd = sys_open(U("/tmp/d1/f"), O_RDONLY, 0);
	T(sys_write(fd, U("x"), 1), -EBADF);
	T(sys_fcntl(fd, F_GETFL, 0), O_RDONLY | O_LARGEFILE);
	T(sys_fcntl(fd, F_GETFD, 0), 0);
	fd2 = sys_dup(fd);
	T(fd2, fd + 1);
	T(sys_dup2(fd, fd), fd);
	T(sys_dup2(99, 99), -EBADF);
	T(sys_dup3(fd, fd, 0), -EINVAL);
	T(sys_dup3(fd, 50, O_CLOEXEC), 50);
	T(sys_fcntl(50, F_GETFD, 0), FD_CLOEXEC);
	T(sys_fcntl(fd, F_DUPFD, 40), 40);
	T(sys_close_range(40, 60, 0), 0);
	T(sys_close(50), -EBADF);
	T(sys_close(fd2), 0);
	T(sys_close(fd), 0);
	/* O_TRUNC and O_APPEND */
	fd = sys_open(U("/tmp/d1/f"), O_WRONLY | O_APPEND, 0);
	T(sys_write(fd, U("!"), 1), 1);
	T(sys_close(fd), 0);
	T(sys_stat(U("/tmp/d1/f"), U(&st)), 0);
	T(st.st_size, 12);
	fd = sys_open(U("/tmp/d1/f"), O_WRONLY | O_TRUNC, 0);
	T(sys_close(fd), 0);
	T(sys_stat(U("/tmp/d1/f"), U(&st)), 0);
	T(st.st_size, 0);
	T(sys_open(U("/tmp/d1/f/"), O_RDONLY, 0), -ENOTDIR);
	T(sys_open(U("/tmp/d1/f"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	T(sys_open(U("/tmp/d1"), O_WRONLY, 0), -EISDIR);
	T(sys_open(U("/tmp/d1"), O_CREAT | O_RDONLY, 0), -EISDIR);
	T(sys_open(U("/tmp/d1/new/"), O_CREAT | O_RDONLY, 0), -EISDIR);
	T(sys_open(U(""), O_RDONLY, 0), -ENOENT);
	T(sys_open(0, O_RDONLY, 0), -EFAULT);
	fd = sys_open(U("/tmp/d1"), O_RDONLY, 0);
	T(sys_read(fd, U(buf), 10), -EISDIR);
	T(sys_close(fd), 0);
}

static void t_namespace(void)
{
	char buf[256]; struct stat st;

	T(sys_chdir(U("/tmp/d1")), 0);
	T(sys_getcwd(U(buf), sizeof buf), 8);
	TS(buf, "/tmp/d1");
	T(sys_getcwd(U(buf), 3), -ERANGE);
	T(sys_symlink(U("f"), U("lnk")), 0);
	T(sys_symlink(U("f"), U("lnk")), -EEXIST);
	T(sys_readlink(U("lnk"), U(buf), sizeof buf), 1);
	T(buf[0], 'f');
	T(sys_readlink(U("f"), U(buf), sizeof buf), -EINVAL);
	T(sys_readlink(U("lnk"), U(buf), 0), -EINVAL);
	T(sys_lstat(U("lnk"), U(&st)), 0);
	T(S_ISLNK(st.st_mode), 1);
	T(sys_stat(U("lnk"), U(&st)), 0);
	T(S_ISREG(st.st_mode), 1);
	T(sys_symlink(U("loop2"), U("loop1")), 0);
	T(sys_symlink(U("loop1"), U("loop2")), 0);
	T(sys_stat(U("loop1"), U(&st)), -ELOOP);
	T(sys_symlink(U("nonexist"), U("dangling")), 0);
	T(sys_stat(U("dangling"), U(&st)), -ENOENT);
	{ long fd = sys_open(U("dangling"), O_CREAT | O_WRONLY, 0600); T(fd >= 0, 1); sys_close(fd); }
	T(sys_stat(U("nonexist"), U(&st)), 0);
	T(sys_open(U("dangling"), O_CREAT | O_EXCL | O_WRONLY, 0600), -EEXIST);
	T(sys_open(U("lnk"), O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	T(sys_symlink(U("/tmp"), U("abs")), 0);
	T(sys_stat(U("abs/d1/f"), U(&st)), 0);
	T(sys_stat(U("abs/../tmp/d1/lnk/"), U(&st)), -ENOTDIR);
	T(sys_stat(U("../../../../.."), U(&st)), 0);
	T(sys_chdir(U("../../../..")), 0);
	T(sys_getcwd(U(buf), sizeof buf), 2);
	TS(buf, "/");
	T(sys_chdir(U("/tmp/d1")), 0);
	/* rename */
	T(sys_rename(U("f"), U("g")), 0);
	T(sys_stat(U("f"), U(&st)), -ENOENT);
	T(sys_stat(U("g"), U(&st)), 0);
	T(sys_mkdir(U("sub"), 0700), 0);
	T(sys_rename(U("sub"), U("sub/x")), -EINVAL);
	T(sys_rename(U("g"), U("sub")), -EISDIR);
	T(sys_rename(U("sub"), U("g")), -ENOTDIR);
	T(sys_rename(U("g"), U("g")), 0);
	T(sys_rename(U("."), U("zz")), -EBUSY);
	T(sys_rename(U("g"), U("/proc/x")), -EXDEV);
	T(sys_renameat2(AT_FDCWD_, U("g"), AT_FDCWD_, U("nonexist"), RENAME_NOREPLACE), -EEXIST);
	T(sys_link(U("g"), U("h")), 0);
	T(sys_stat(U("h"), U(&st)), 0);
	T(st.st_nlink, 2);
	T(sys_link(U("sub"), U("sub2")), -EPERM);
	T(sys_rename(U("g"), U("h")), 0);  /* same inode: no-op */
	T(sys_stat(U("g"), U(&st)), 0);
	T(sys_unlink(U("h")), 0);
	T(sys_unlink(U("sub")), -EISDIR);
	T(sys_unlink(U("g/")), -ENOTDIR);
	T(sys_rmdir(U("g")), -ENOTDIR);
	{ long fd = sys_open(U("sub/inner"), O_CREAT|O_WRONLY, 0600); sys_close(fd); }
	T(sys_rmdir(U("sub")), -ENOTEMPTY);
	T(sys_rmdir(U(".")), -EINVAL);
	T(sys_rmdir(U("sub/..")), -ENOTEMPTY);
	T(sys_unlink(U("sub/inner")), 0);
	T(sys_rmdir(U("sub")), 0);
	T(sys_rmdir(U("/proc")), -EBUSY);
	T(sys_mkdir(U("/proc"), 0755), -EEXIST);
	T(sys_access(U("g"), R_OK | W_OK), 0);
	T(sys_access(U("g"), X_OK), -EACCES);
	T(sys_access(U("g"), 8), -EINVAL);
	T(sys_access(U("/tmp"), X_OK), 0);
	T(sys_chmod(U("g"), 0755), 0);
	T(sys_access(U("g"), X_OK), 0);
	T(sys_truncate(U("g"), 100), 0);
	T(sys_stat(U("g"), U(&st)), 0);
	T(st.st_size, 100);
	T(sys_truncate(U("sub2"), 1), -ENOENT);
	T(sys_truncate(U("."), 1), -EISDIR);
	T(sys_truncate(U("g"), -1), -EINVAL);
	/* cwd removed */
	T(sys_mkdir(U("gone"), 0700), 0);
	T(sys_chdir(U("gone")), 0);
	T(sys_rmdir(U("../gone")), 0);
	T(sys_getcwd(U(buf), sizeof buf), -ENOENT);
	T(sys_chdir(U("/tmp/d1")), 0);
}

static void t_dirs(void)
{
	char buf[4096]; long fd, n; int count = 0, seen_g = 0;

	fd = sys_open(U("/tmp/d1"), O_RDONLY | O_DIRECTORY, 0);
	T(fd >= 0, 1);
	T(sys_getdents64(fd, U(buf), 10), -EINVAL);
	n = sys_getdents64(fd, U(buf), sizeof buf);
	T(n > 0, 1);
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (void *)(buf + off);
		count++;
		if (!strcmp(d->d_name, "g")) seen_g = 1;
		off += d->d_reclen;
	}
	T(seen_g, 1);
	T(sys_getdents64(fd, U(buf), sizeof buf), 0);
	T(sys_lseek(fd, 0, SEEK_SET), 0);
	T(sys_getdents64(fd, U(buf), sizeof buf), n);
	sys_close(fd);
	fd = sys_open(U("/tmp/d1/g"), O_RDONLY, 0);
	T(sys_getdents64(fd, U(buf), sizeof buf), -ENOTDIR);
	sys_close(fd);
	/* tmpfs dir listing */
	T(sys_mkdir(U("/tmpfs/a"), 0755), 0);
	fd = sys_open(U("/tmpfs/b"), O_CREAT | O_RDWR, 0644);
	T(sys_write(fd, U("tmpdata"), 7), 7);
	T(sys_pwrite64(fd, U("Z"), 1, 10000), 1);
	{ struct stat st; sys_fstat(fd, U(&st)); T(st.st_size, 10001); }
	T(sys_pread64(fd, U(buf), 4, 9998), 3);
	T(buf[0] == 0 && buf[1] == 0 && buf[2] == 'Z', 1);
	T(sys_ftruncate(fd, 3), 0);
	T(sys_pread64(fd, U(buf), 10, 0), 3);
	sys_close(fd);
	fd = sys_open(U("/tmpfs"), O_RDONLY | O_DIRECTORY, 0);
	n = sys_getdents64(fd, U(buf), sizeof buf);
	count = 0;
	for (long off = 0; off < n;) { struct linux_dirent64 *d = (void *)(buf + off); count++; off += d->d_reclen; }
	T(count, 4);
	T(sys_getdents64(fd, U(buf), 30), 0);
	T(sys_lseek(fd, 1, SEEK_SET), 1);
	n = sys_getdents64(fd, U(buf), 30);
	T(n, 24);
	T(strcmp(((struct linux_dirent64 *)buf)->d_name, ".."), 0);
	sys_close(fd);
	T(sys_rename(U("/tmpfs/b"), U("/tmpfs/a/c")), 0);
	T(sys_rmdir(U("/tmpfs/a")), -ENOTEMPTY);
	T(sys_rename(U("/tmpfs/a"), U("/tmpfs/a/c")), -EINVAL);
	T(sys_unlink(U("/tmpfs/a/c")), 0);
	T(sys_rmdir(U("/tmpfs/a")), 0);
	/* bind mount through stub dirs */
	{ struct stat st; T(sys_stat(U("/mnt/bind/deep/deep/hostfile"), U(&st)), 0); T(sys_stat(U("/mnt/bind/deep/.."), U(&st)), 0); }
	T(sys_rename(U("/mnt/bind/deep/deep/hostfile"), U("/tmp/hf")), -EXDEV);
}

static void t_dev_proc(void)
{
	char buf[512]; long fd; struct stat st;

	fd = sys_open(U("/dev/null"), O_RDWR, 0);
	T(fd >= 0, 1);
	T(sys_write(fd, U("abc"), 3), 3);
	T(sys_read(fd, U(buf), 3), 0);
	T(sys_fstat(fd, U(&st)), 0);
	T(S_ISCHR(st.st_mode), 1);
	T(st.st_rdev, (1 << 8) | 3);
	sys_close(fd);
	fd = sys_open(U("/dev/zero"), O_RDONLY, 0);
	buf[0] = 1;
	T(sys_read(fd, U(buf), 100), 100);
	T(buf[0], 0);
	sys_close(fd);
	fd = sys_open(U("/dev/full"), O_WRONLY, 0);
	T(sys_write(fd, U("x"), 1), -ENOSPC);
	sys_close(fd);
	fd = sys_open(U("/dev/urandom"), O_RDONLY, 0);
	T(sys_read(fd, U(buf), 16), 16);
	sys_close(fd);
	T(sys_readlink(U("/proc/self"), U(buf), sizeof buf), 1);
	T(buf[0], '1');
	T(sys_readlink(U("/dev/stdout"), U(buf), sizeof buf), 15);
	fd = sys_open(U("/tmp/d1/g"), O_RDONLY, 0);
	{ char p[32]; snprintf(p, sizeof p, "/proc/self/fd/%ld", fd);
	  long n = sys_readlink(U(p), U(buf), sizeof buf); T(n, 9); buf[n > 0 ? n : 0] = 0; TS(buf, "/tmp/d1/g");
	  long fd2 = sys_open(U(p), O_RDONLY, 0); T(fd2 >= 0, 1); T(sys_fstat(fd2, U(&st)), 0); T(st.st_size, 100); sys_close(fd2); }
	sys_close(fd);
	T(sys_stat(U("/proc/self/cwd/g"), U(&st)), 0);
	fd = sys_open(U("/proc/self/status"), O_RDONLY, 0);
	{ long n = sys_read(fd, U(buf), sizeof buf - 1); T(n > 50, 1); buf[n > 0 ? n : 0] = 0; T(strncmp(buf, "Name:\tdriver\n", 13), 0); }
	sys_close(fd);
	fd = sys_open(U("/proc/mounts"), O_RDONLY, 0);
	{ long n = sys_read(fd, U(buf), sizeof buf - 1); buf[n > 0 ? n : 0] = 0;
	  T(strstr_(buf, "bind /mnt/bind/deep hostfs rw 0 0\n") != NULL, 1); }
	sys_close(fd);
	fd = sys_open(U("/proc"), O_RDONLY | O_DIRECTORY, 0);
	{ long n = sys_getdents64(fd, U(buf), sizeof buf); int c = 0; for (long off = 0; off < n;) { struct linux_dirent64 *d = (void *)(buf + off); c++; off += d->d_reclen; } T(c, 13); }
	sys_close(fd);
	fd = sys_open(U("/proc/self/fd"), O_RDONLY | O_DIRECTORY, 0);
	{ long n = sys_getdents64(fd, U(buf), sizeof buf); int c = 0; for (long off = 0; off < n;) { struct linux_dirent64 *d = (void *)(buf + off); c++; off += d->d_reclen; } T(c, 2 + 4); }
	sys_close(fd);
	T(sys_stat(U("/proc/2"), U(&st)), -ENOENT);
	T(sys_stat(U("/proc/1/exe"), U(&st)), -ENOENT);
	fd = sys_open(U("/proc/sys/kernel/ostype"), O_RDONLY, 0);
	T(sys_read(fd, U(buf), 100), 6);
	sys_close(fd);
	T(sys_mkdir(U("/dev/shm/x"), 0700), 0);
	T(sys_stat(U("/dev/pts"), U(&st)), 0);
}

static void t_pipes(void)
{
	int fds[2]; char buf[70000]; struct pollfd pf[2]; long n;

	T(sys_pipe2(U(fds), O_NONBLOCK), 0);
	T(sys_read(fds[0], U(buf), 10), -EAGAIN);
	T(sys_write(fds[1], U("hi"), 2), 2);
	T(sys_ioctl(fds[0], FIONREAD, U(&n)), 0);
	T((int)n, 2);
	pf[0].fd = fds[0]; pf[0].events = POLLIN; pf[1].fd = fds[1]; pf[1].events = POLLOUT;
	T(sys_poll(U(pf), 2, 0), 2);
	T(sys_read(fds[0], U(buf), 10), 2);
	T(sys_poll(U(pf), 2, 0), 1);
	T(sys_lseek(fds[0], 0, SEEK_SET), -ESPIPE);
	T(sys_pread64(fds[0], U(buf), 1, 0), -ESPIPE);
	T(sys_read(fds[1], U(buf), 1), -EBADF);
	memset(buf, 'x', sizeof buf);
	T(sys_write(fds[1], U(buf), sizeof buf), 65536);
	T(sys_write(fds[1], U(buf), 1), -EAGAIN);
	T(sys_fcntl(fds[1], F_GETPIPE_SZ, 0), 65536);
	T(sys_fcntl(fds[0], F_GETFL, 0), O_RDONLY | O_NONBLOCK);
	T(sys_read(fds[0], U(buf), sizeof buf), 65536);
	{ char p[32]; long fd3; snprintf(p, sizeof p, "/proc/self/fd/%d", fds[1]);
	  T(sys_readlink(U(p), U(buf), 100) > 6, 1); T(strncmp(buf, "pipe:[", 6), 0);
	  fd3 = sys_open(U(p), O_WRONLY, 0); T(fd3 >= 0, 1); T(sys_write(fd3, U("via"), 3), 3); sys_close(fd3); }
	T(sys_read(fds[0], U(buf), 10), 3);
	T(sys_close(fds[1]), 0);
	T(sys_read(fds[0], U(buf), 10), 0);
	pf[0].fd = fds[0]; pf[0].events = POLLIN;
	T(sys_poll(U(pf), 1, 0), 1);
	T(pf[0].revents, POLLHUP);
	T(sys_close(fds[0]), 0);
	T(sys_pipe2(U(fds), 0), 0);
	sys_close(fds[0]);
	sig_sent = 0;
	T(sys_write(fds[1], U("x"), 1), -EPIPE);
	T(sig_sent, SIGPIPE);
	sys_close(fds[1]);
	T(sys_pipe2(U(fds), 0x1234), -EINVAL);
	T(sys_pipe2(U(1), 0), -EFAULT);
	{ struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } }; char r1[2], r2[10]; struct iovec rv[2] = { { r1, 2 }, { r2, 10 } };
	  T(sys_pipe2(U(fds), 0), 0); T(sys_writev(fds[1], U(iov), 2), 5); T(sys_readv(fds[0], U(rv), 2), 5);
	  T(r1[0] == 'a' && r2[2] == 'e', 1); T(sys_writev(fds[1], U(iov), -1), -EINVAL); T(sys_writev(fds[1], U(iov), 1025), -EINVAL);
	  sys_close(fds[0]); sys_close(fds[1]); }
}


long sys_fchownat(int, uaddr_t, u32, u32, int);
static void t_more(void)
{
	char buf[512]; struct stat st; long fd, n;

	T(sys_chdir(U("/tmp")), 0);
	T(sys_mkdir(U("newdir/"), 0755), 0);
	T(sys_mkdir(U("newdir/a"), 0755), 0);
	T(sys_chdir(U("newdir/a")), 0);
	T(sys_rename(U("/tmp/newdir"), U("/tmp/renamed")), 0);
	T(sys_getcwd(U(buf), sizeof buf), 15);
	TS(buf, "/tmp/renamed/a");
	T(sys_chdir(U("/tmpfs/..")), 0);
	T(sys_getcwd(U(buf), sizeof buf), 2);
	T(sys_chdir(U("/tmp")), 0);
	T(sys_symlink(U("renamed"), U("rl")), 0);
	fd = sys_open(U("rl/a/viasym"), O_CREAT | O_WRONLY, 0644);
	T(fd >= 0, 1);
	sys_close(fd);
	T(sys_stat(U("renamed/a/viasym"), U(&st)), 0);
	/* unlinked but open */
	fd = sys_open(U("renamed/a/viasym"), O_RDWR, 0);
	T(sys_unlink(U("renamed/a/viasym")), 0);
	{ char p[32]; snprintf(p, sizeof p, "/proc/self/fd/%ld", fd); n = sys_readlink(U(p), U(buf), sizeof buf);
	  buf[n > 0 ? n : 0] = 0; TS(buf, "/tmp/renamed/a/viasym (deleted)"); }
	T(sys_write(fd, U("still"), 5), 5);
	T(sys_fstat(fd, U(&st)), 0);
	T(st.st_nlink, 0);
	sys_close(fd);
	/* O_PATH */
	fd = sys_open(U("renamed"), O_PATH, 0);
	T(sys_read(fd, U(buf), 1), -EBADF);
	T(sys_fstat(fd, U(&st)), 0);
	T(sys_fchdir(fd), 0);
	T(sys_fcntl(fd, F_GETFL, 0), O_PATH | O_LARGEFILE);
	T(sys_fcntl(fd, F_SETFL, O_NONBLOCK), -EBADF);
	{ long f2 = sys_openat(fd, U("a"), O_RDONLY | O_DIRECTORY, 0); T(f2 >= 0, 1); sys_close(f2); }
	sys_close(fd);
	fd = sys_open(U("/tmp/rl"), O_PATH | O_NOFOLLOW, 0);
	T(sys_fstat(fd, U(&st)), 0);
	T(S_ISLNK(st.st_mode), 1);
	T(sys_newfstatat(fd, U(""), U(&st), AT_EMPTY_PATH), 0);
	T(S_ISLNK(st.st_mode), 1);
	{ extern long sys_readlinkat(int, uaddr_t, uaddr_t, int); T(sys_readlinkat(fd, U(""), U(buf), 100), 7); }
	sys_close(fd);
	T(sys_unlinkat(AT_FDCWD_, U("/tmp/rl"), AT_REMOVEDIR), -ENOTDIR);
	T(sys_unlinkat(AT_FDCWD_, U("/tmp/rl"), 1), -EINVAL);
	/* statx */
	{ struct statx sx; T(sys_statx(AT_FDCWD_, U("/tmp/d1/g"), 0, STATX_BASIC_STATS, U(&sx)), 0);
	  T(sx.stx_size, 100); T(sys_statx(AT_FDCWD_, U("/tmp/d1/g"), 0x8000, 0, U(&sx)), -EINVAL);
	  T(sys_statx(AT_FDCWD_, U("/tmp/d1/g"), 0, 0x80000000, U(&sx)), -EINVAL); }
	/* F_SETFL O_APPEND */
	fd = sys_open(U("/tmp/d1/g"), O_WRONLY, 0);
	T(sys_fcntl(fd, F_SETFL, O_APPEND), 0);
	T(sys_fcntl(fd, F_GETFL, 0), O_WRONLY | O_APPEND | O_LARGEFILE);
	T(sys_write(fd, U("E"), 1), 1);
	T(sys_fstat(fd, U(&st)), 0);
	T(st.st_size, 101);
	sys_close(fd);
	/* tmpfs symlinks and links */
	T(sys_symlink(U("target"), U("/tmpfs/sl")), 0);
	T(sys_readlink(U("/tmpfs/sl"), U(buf), 3), 3);
	T(memcmp(buf, "tar", 3), 0);
	fd = sys_open(U("/tmpfs/sl"), O_CREAT | O_WRONLY, 0600);
	T(fd >= 0, 1);
	sys_close(fd);
	T(sys_stat(U("/tmpfs/target"), U(&st)), 0);
	T(sys_link(U("/tmpfs/target"), U("/tmpfs/t2")), 0);
	T(sys_stat(U("/tmpfs/t2"), U(&st)), 0);
	T(st.st_nlink, 2);
	T(sys_unlink(U("/tmpfs/target")), 0);
	T(sys_stat(U("/tmpfs/t2"), U(&st)), 0);
	T(st.st_nlink, 1);
	T(sys_rename(U("/tmpfs/t2"), U("/tmpfs/sl")), 0);
	T(sys_lstat(U("/tmpfs/sl"), U(&st)), 0);
	T(S_ISREG(st.st_mode), 1);
	/* utimensat */
	{ struct __kernel_timespec ts[2] = { { 100, 0 }, { 200, 5 } };
	  T(sys_utimensat(AT_FDCWD_, U("/tmp/d1/g"), U(ts), 0), 0);
	  T(sys_stat(U("/tmp/d1/g"), U(&st)), 0); T(st.st_mtime, 200); T(st.st_atime, 100);
	  T(sys_utimensat(AT_FDCWD_, U("/tmpfs/sl"), U(ts), 0), 0);
	  T(sys_stat(U("/tmpfs/sl"), U(&st)), 0); T(st.st_mtime, 200); T(st.st_mtime_nsec, 5);
	  ts[0].tv_nsec = 2000000000; T(sys_utimensat(AT_FDCWD_, U("/tmp/d1/g"), U(ts), 0), -EINVAL); }
	/* select on a pipe */
	{ int fds[2]; u64 rs = 0, ws = 0; struct linux_timeval tv = { 0, 0 };
	  sys_pipe2(U(fds), 0); rs = 1ULL << fds[0]; ws = 1ULL << fds[1];
	  T(sys_select(fds[1] + 1, U(&rs), U(&ws), 0, U(&tv)), 1); T(rs, 0); T(ws, 1ULL << fds[1]);
	  sys_write(fds[1], U("x"), 1); rs = 1ULL << fds[0]; ws = 0;
	  T(sys_select(fds[1] + 1, U(&rs), U(&ws), 0, U(&tv)), 1); T(rs, 1ULL << fds[0]);
	  rs = 1ULL << 30; T(sys_select(31, U(&rs), 0, 0, U(&tv)), -EBADF);
	  tv.tv_usec = 1000000; T(sys_select(1, 0, 0, 0, U(&tv)), -EINVAL);
	  sys_close(fds[0]); sys_close(fds[1]); }
	/* many files: LRU eviction */
	T(sys_mkdir(U("/tmp/many"), 0755), 0);
	for (int i = 0; i < 3000; i++) { char p[64]; snprintf(p, sizeof p, "/tmp/many/f%d", i); fd = sys_open(U(p), O_CREAT | O_WRONLY, 0644); if (fd < 0) { T(fd, 0); break; } sys_close(fd); }
	for (int i = 0; i < 3000; i += 7) { char p[64]; snprintf(p, sizeof p, "/tmp/many/f%d", i); if (sys_stat(U(p), U(&st))) { T(1, 0); break; } }
	fd = sys_open(U("/tmp/many"), O_RDONLY | O_DIRECTORY, 0);
	{ int c = 0; char big[8192]; while ((n = sys_getdents64(fd, U(big), sizeof big)) > 0) for (long off = 0; off < n;) { struct linux_dirent64 *d = (void *)(big + off); c++; off += d->d_reclen; } T(c, 3002); }
	sys_close(fd);
	/* non-root permission checks */
	T(sys_chmod(U("/tmp/d1/g"), 0600), 0);
	P.cred.fsuid = P.cred.uid = P.cred.euid = 1000;
	P.cred.fsgid = P.cred.gid = P.cred.egid = 1000;
	T(sys_open(U("/tmp/d1/g"), O_RDONLY, 0), -EACCES);
	T(sys_access(U("/tmp/d1/g"), R_OK), -EACCES);
	T(sys_access(U("/tmp/d1/g"), F_OK), 0);
	T(sys_chmod(U("/tmp/d1/g"), 0777), -EPERM);
	T(sys_unlink(U("/tmp/d1/g")), -EACCES);
	fd = sys_open(U("/tmp/mine"), O_CREAT | O_WRONLY, 0400);
	T(fd >= 0, 1);
	T(sys_write(fd, U("ok"), 2), 2);
	sys_close(fd);
	T(sys_open(U("/tmp/mine"), O_WRONLY, 0), -EACCES);
	T(sys_chmod(U("/tmp/d1"), 0700), -EPERM);
	P.cred.fsuid = P.cred.uid = P.cred.euid = 0;
	P.cred.fsgid = P.cred.gid = P.cred.egid = 0;
	T(sys_chmod(U("/tmp/d1"), 0700), 0);
	P.cred.fsuid = P.cred.uid = 1000;
	T(sys_stat(U("/tmp/d1/g"), U(&st)), -EACCES);
	T(sys_unlink(U("/tmp/mine")), 0);  /* sticky /tmp, owner may */
	P.cred.fsuid = P.cred.uid = 0;
	T(sys_chmod(U("/tmp/d1"), 0755), 0);
	/* exec check */
	{ struct file *f = vfs_open_exec("/tmp/d1/g"); T(PTR_ERR(f), -EACCES); T(sys_chmod(U("/tmp/d1/g"), 0700), 0);
	  f = vfs_open_exec("/tmp/d1/g"); T(IS_ERR(f), 0); if (!IS_ERR(f)) { T(kernel_pread(f, buf, 3, 0), 3); file_put(f); }
	  f = vfs_open_exec("/tmp/d1"); T(PTR_ERR(f), -EACCES); }
	/* dev files via /dev/fd */
	T(sys_stat(U("/dev/fd/0"), U(&st)), 0);
	T(sys_umask(077), 022);
	fd = sys_creat(U("/tmp/um"), 0666);
	T(sys_fstat(fd, U(&st)), 0);
	T(st.st_mode & 0777, 0600);
	sys_close(fd);
	T(sys_umask(022), 077);
	{ struct statfs sf; T(sys_statfs(U("/proc"), U(&sf)), 0); T(sf.f_type, 0x9fa0); T(sys_statfs(U("/tmp"), U(&sf)), 0); }
	/* RLIMIT_FSIZE */
	P.rlim[RLIMIT_FSIZE].rlim_cur = 10;
	fd = sys_open(U("/tmp/fsz"), O_CREAT | O_WRONLY, 0600);
	T(sys_write(fd, U("0123456789abcdefghij"), 20), 10);
	sig_sent = 0;
	T(sys_write(fd, U("x"), 1), -EFBIG);
	T(sig_sent, SIGXFSZ);
	T(sys_pwrite64(fd, U("xy"), 2, 9), 1);
	sys_close(fd);
	P.rlim[RLIMIT_FSIZE].rlim_cur = RLIM64_INFINITY;
}

int main(int argc, char **argv)
{
	(void)argc;
	boot(argv[1], argv[2]);
	mkproc();
	t_basic();
	t_namespace();
	t_dirs();
	t_dev_proc();
	t_pipes();
	t_more();
	out("1..%d\n", total);
	return fails != 0;
}
