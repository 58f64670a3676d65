/* Hostile input: bad pointers, huge lengths, invalid fds and flags to many syscalls.
 * Every call must fail cleanly with the same errno as on Linux, and we keep running. */
#include "common.h"
#include <sys/resource.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#define CLONE_THREAD_ALONE 0x00010000
#define KADDR ((void *)0xffff800000000000UL)
#define NONCANON ((void *)0x8000000000000000UL)
#define ONE ((void *)1)
/* R(args): raw syscall(args), printed with its arguments as written */
#define R(...) ({                                                   \
	errno = 0;                                                  \
	long _rr = syscall(__VA_ARGS__);                             \
	int _re = errno;                                             \
	conf_report("syscall(" #__VA_ARGS__ ")", _rr, _re);          \
	_rr; })
/* RAW_OK(args): same, but a non-negative result prints as "ok" (pids, lengths of host paths) */
#define RAW_OK(...) ({                                                \
	errno = 0;                                                  \
	long _rr = syscall(__VA_ARGS__);                             \
	int _re = errno;                                             \
	if (_rr == -1)                                               \
		printf("syscall(%s) = -1 %s\n", #__VA_ARGS__, errname(_re)); \
	else                                                         \
		printf("syscall(%s) = ok\n", #__VA_ARGS__);          \
	_rr; })

int main(int argc, char **argv)
{
	(void)argc;
	char buf[256];
	/* a string running into an unmapped page */
	char *edge = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MUST(munmap(edge + PAGE, PAGE));
	memset(edge, 'a', PAGE);
	char *unterminated = edge + 100;
	/* a read-only page */
	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* an address that was mapped and is not any more (nothing is mapped after this) */
	char *gone = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MUST(munmap(gone, 2 * PAGE));
	gid_t root_only = 0;
	MUST(setgroups(1, &root_only)); /* so that getgroups has something to copy */

	put_file("f", "hello", 0644);
	MUST(symlink("f", "l"));
	int fd = MUST(open("f", O_RDWR));
	int nul = MUST(open("/dev/null", O_RDWR));
	int p[2];
	MUST(pipe(p));
	int closed = MUST(dup(fd));
	close(closed);

	printf("-- read/write\n");
	R(SYS_read, fd, NULL, 10);
	R(SYS_read, fd, ONE, 10);
	R(SYS_read, fd, KADDR, 10);
	R(SYS_read, fd, NONCANON, 10);
	R(SYS_read, fd, gone, 10);
	R(SYS_lseek, fd, 0, SEEK_SET);
	R(SYS_read, fd, ro, 10);
	R(SYS_read, fd, NULL, 0);
	R(SYS_lseek, fd, 0, SEEK_SET);
	R(SYS_read, fd, buf, SIZE_MAX);
	R(SYS_read, fd, buf, (size_t)1 << 40); /* clamped; the file is only 5 bytes */
	R(SYS_read, -1, buf, 1);
	R(SYS_read, 9999, buf, 1);
	R(SYS_read, closed, buf, 1);
	R(SYS_read, INT_MAX, buf, 1);
	R(SYS_write, fd, NULL, 10);
	R(SYS_write, fd, KADDR, 10);
	R(SYS_write, fd, gone, 10);
	R(SYS_write, p[1], NULL, 10);
	R(SYS_write, p[1], KADDR, 4096);
	R(SYS_write, nul, buf, SIZE_MAX);
	R(SYS_write, nul, NULL, (size_t)1 << 40);
	R(SYS_write, -1, buf, 1);
	R(SYS_write, closed, buf, 1);
	R(SYS_pread64, fd, NULL, 10, 0);
	R(SYS_pread64, fd, buf, 10, -1);
	R(SYS_pread64, fd, buf, 10, LONG_MIN);
	R(SYS_pwrite64, fd, KADDR, 10, 0);
	R(SYS_pwrite64, fd, buf, 0, -5);
	R(SYS_pread64, 9999, buf, 10, 0);

	printf("-- readv/writev\n");
	struct iovec iov[2] = { { NULL, 10 }, { buf, 10 } };
	R(SYS_lseek, fd, 0, SEEK_SET);
	R(SYS_readv, fd, iov, 2);
	R(SYS_readv, fd, NULL, 1);
	R(SYS_readv, fd, KADDR, 1);
	R(SYS_readv, fd, gone, 1);
	R(SYS_readv, fd, iov, 100000);
	R(SYS_readv, fd, iov, -1);
	struct iovec huge[2] = { { buf, SIZE_MAX / 2 }, { buf, SIZE_MAX / 2 } };
	R(SYS_readv, fd, huge, 2);
	struct iovec neg[1] = { { buf, SIZE_MAX } };
	R(SYS_writev, fd, neg, 1);
	iov[0] = (struct iovec){ KADDR, 10 };
	R(SYS_writev, fd, iov, 2);
	R(SYS_writev, 9999, iov, 2);
	R(SYS_writev, nul, huge, 2);

	printf("-- open/stat and other paths\n");
	struct stat st;
	R(SYS_open, NULL, O_RDONLY);
	R(SYS_open, ONE, O_RDONLY);
	R(SYS_open, KADDR, O_RDONLY);
	R(SYS_open, gone, O_RDONLY);
	R(SYS_open, unterminated, O_RDONLY);
	R(SYS_open, edge, O_RDONLY); /* 4096 bytes, no NUL: too long first */
	R(SYS_openat, AT_FDCWD, NULL, O_RDONLY);
	R(SYS_openat, 9999, "f", O_RDONLY);
	R(SYS_openat, -100000, "f", O_RDONLY);
	R(SYS_open, "f", -1);
	R(SYS_open, "f", O_RDONLY | O_DIRECTORY | O_CREAT, 0644);
	R(SYS_stat, NULL, &st);
	R(SYS_stat, "f", NULL);
	R(SYS_stat, "f", ONE);
	R(SYS_stat, "f", KADDR);
	R(SYS_stat, "f", ro);
	R(SYS_lstat, KADDR, &st);
	R(SYS_fstat, fd, NULL);
	R(SYS_fstat, fd, KADDR);
	R(SYS_fstat, -1, NULL);
	R(SYS_fstat, 9999, &st);
	R(SYS_newfstatat, AT_FDCWD, "f", &st, -1);
	R(SYS_newfstatat, AT_FDCWD, unterminated, &st, 0);
	R(SYS_statx, AT_FDCWD, "f", 0, 0x7ff, NULL);
	R(SYS_statx, AT_FDCWD, "f", 0, 0x7ff, KADDR);
	R(SYS_access, NULL, F_OK);
	R(SYS_access, "f", 0x7fffffff);
	R(SYS_readlink, NULL, buf, sizeof buf);
	R(SYS_readlink, "l", NULL, sizeof buf);
	R(SYS_readlink, "l", KADDR, sizeof buf);
	R(SYS_readlink, "l", buf, 0);
	R(SYS_readlink, "l", buf, -1);
	R(SYS_readlinkat, 9999, "l", buf, sizeof buf);
	R(SYS_chdir, NULL);
	R(SYS_chdir, KADDR);
	R(SYS_mkdir, gone, 0755);
	R(SYS_unlink, KADDR);
	R(SYS_getdents64, fd, buf, sizeof buf);
	int dfd = MUST(open(".", O_RDONLY | O_DIRECTORY));
	R(SYS_getdents64, dfd, NULL, 4096);
	R(SYS_getdents64, dfd, KADDR, 4096);
	R(SYS_getdents64, dfd, buf, SIZE_MAX);

	printf("-- process info\n");
	R(SYS_getcwd, NULL, 100);
	R(SYS_getcwd, KADDR, 100);
	RAW_OK(SYS_getcwd, buf, SIZE_MAX);
	R(SYS_uname, NULL);
	R(SYS_uname, KADDR);
	R(SYS_uname, ro);
	R(SYS_sysinfo, KADDR);
	R(SYS_getrusage, RUSAGE_SELF, KADDR);
	R(SYS_getrlimit, RLIMIT_NOFILE, KADDR);
	R(SYS_setrlimit, RLIMIT_NOFILE, KADDR);
	R(SYS_prlimit64, 0, RLIMIT_NOFILE, KADDR, NULL);
	R(SYS_getgroups, 10, KADDR);
	R(SYS_getgroups, -1, buf);
	R(SYS_getresuid, NULL, NULL, NULL);
	R(SYS_arch_prctl, 0x1003, KADDR);
	R(SYS_arch_prctl, 0x1002, KADDR);
	RAW_OK(SYS_set_tid_address, KADDR); /* not checked until the thread exits */
	RAW_OK(SYS_set_tid_address, NULL);

	printf("-- fds\n");
	R(SYS_pipe, NULL);
	R(SYS_pipe, ONE);
	R(SYS_pipe, KADDR);
	R(SYS_pipe, ro);
	R(SYS_pipe2, NULL, 0);
	R(SYS_pipe2, buf, -1);
	int after = MUST(open("f", O_RDONLY)); /* the failed pipes leaked nothing */
	printf("next fd after failed pipes: %d\n", after);
	close(after);
	R(SYS_close, -1);
	R(SYS_close, INT_MAX);
	R(SYS_dup, -1);
	R(SYS_dup2, fd, -1);
	R(SYS_dup2, fd, 1 << 30);
	R(SYS_dup3, fd, fd, 0);
	R(SYS_dup3, fd, 100, -1);
	R(SYS_fcntl, fd, F_DUPFD, -1);
	R(SYS_fcntl, fd, F_DUPFD, 1 << 30);
	R(SYS_fcntl, fd, 0x7fffffff, 0);
	R(SYS_fcntl, 9999, F_GETFL);
	R(SYS_ioctl, fd, FIONREAD, NULL);
	R(SYS_ioctl, fd, FIONREAD, KADDR);
	R(SYS_ioctl, p[0], FIONREAD, ro);
	R(SYS_ioctl, 9999, FIONREAD, buf);
	R(SYS_lseek, fd, LONG_MIN, SEEK_CUR);
	R(SYS_lseek, fd, 0, 99);
	R(SYS_lseek, 9999, 0, SEEK_SET);

	printf("-- time\n");
	R(SYS_clock_gettime, CLOCK_MONOTONIC, NULL);
	R(SYS_clock_gettime, CLOCK_MONOTONIC, KADDR);
	R(SYS_clock_gettime, CLOCK_MONOTONIC, ro);
	R(SYS_clock_gettime, 999, NULL);
	R(SYS_clock_gettime, -999, buf);
	R(SYS_clock_getres, 999, buf);
	R(SYS_clock_getres, CLOCK_MONOTONIC, KADDR);
	R(SYS_gettimeofday, KADDR, NULL);
	R(SYS_gettimeofday, NULL, KADDR);
	R(SYS_time, KADDR);
	R(SYS_nanosleep, NULL, NULL);
	R(SYS_nanosleep, ONE, NULL);
	R(SYS_nanosleep, KADDR, NULL);
	struct timespec zero = { 0, 0 }, bad = { 0, -1 };
	R(SYS_nanosleep, &zero, KADDR);
	R(SYS_nanosleep, &bad, NULL);
	R(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL);
	R(SYS_clock_nanosleep, 999, 0, &zero, NULL);
	R(SYS_getrandom, NULL, 16, 0);
	R(SYS_getrandom, KADDR, 16, 0);
	R(SYS_getrandom, ro, 16, 0);
	R(SYS_getrandom, buf, 16, -1);
	R(SYS_futex, NULL, 0, 0, NULL, NULL, 0);
	R(SYS_futex, KADDR, 0, 0, NULL, NULL, 0);
	R(SYS_futex, buf, 0, 0, KADDR, NULL, 0);
	R(SYS_futex, buf, -1, 0, NULL, NULL, 0);

	printf("-- signals\n");
	R(SYS_rt_sigaction, SIGUSR1, ONE, NULL, 8);
	R(SYS_rt_sigaction, SIGUSR1, KADDR, NULL, 8);
	R(SYS_rt_sigaction, SIGUSR1, NULL, KADDR, 8);
	R(SYS_rt_sigaction, SIGUSR1, NULL, ro, 8);
	R(SYS_rt_sigaction, 0, NULL, NULL, 8);
	R(SYS_rt_sigaction, 1000, NULL, NULL, 8);
	R(SYS_rt_sigaction, SIGUSR1, NULL, NULL, SIZE_MAX);
	R(SYS_rt_sigprocmask, SIG_BLOCK, KADDR, NULL, 8);
	R(SYS_rt_sigprocmask, SIG_BLOCK, NULL, KADDR, 8);
	R(SYS_rt_sigprocmask, 99, buf, NULL, 8);
	R(SYS_rt_sigprocmask, SIG_BLOCK, buf, NULL, 0);
	R(SYS_rt_sigpending, KADDR, 8);
	R(SYS_rt_sigsuspend, KADDR, 8);
	R(SYS_rt_sigsuspend, buf, 4);
	R(SYS_sigaltstack, KADDR, NULL);
	R(SYS_kill, getpid(), 1000);
	R(SYS_kill, INT_MIN, 0);
	R(SYS_tgkill, -1, -1, SIGUSR1);
	R(SYS_tkill, INT_MAX, 0);

	printf("-- memory\n");
	CHECK_PTR(syscall(SYS_mmap, KADDR, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK_PTR(syscall(SYS_mmap, NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(syscall(SYS_mmap, NULL, (size_t)1 << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, 9999, 0));
	CHECK_PTR(syscall(SYS_mmap, NULL, PAGE, PROT_READ, 0xf, -1, 0));
	CHECK_PTR(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, -PAGE));
	R(SYS_munmap, KADDR, PAGE);
	R(SYS_munmap, NULL, SIZE_MAX);
	R(SYS_munmap, ONE, PAGE);
	R(SYS_mprotect, KADDR, PAGE, PROT_READ);
	R(SYS_mprotect, gone, PAGE, PROT_READ);
	R(SYS_mprotect, ro, SIZE_MAX, PROT_READ);
	CHECK_PTR(syscall(SYS_mremap, KADDR, PAGE, PAGE, 0));
	CHECK_PTR(syscall(SYS_mremap, gone, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	CHECK_PTR(syscall(SYS_mremap, ro, PAGE, SIZE_MAX, MREMAP_MAYMOVE));
	R(SYS_madvise, KADDR, PAGE, MADV_DONTNEED);
	R(SYS_madvise, ro, SIZE_MAX, MADV_DONTNEED);
	long brk0 = syscall(SYS_brk, 0);
	EXPECT(syscall(SYS_brk, KADDR) == brk0);
	EXPECT(syscall(SYS_brk, -1L) == brk0);

	printf("-- processes\n");
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	msleep(10);
	R(SYS_wait4, pid, ONE, 0, NULL); /* reaps the child, then fails to store the status */
	R(SYS_wait4, pid, buf, 0, NULL);
	pid = fork();
	if (pid == 0)
		_exit(8);
	msleep(10);
	R(SYS_wait4, pid, NULL, 0, KADDR);
	R(SYS_wait4, -1, NULL, -1, NULL);
	pid = fork();
	if (pid == 0)
		_exit(9);
	R(SYS_waitid, P_PID, pid, KADDR, WEXITED, NULL);
	R(SYS_waitid, P_PID, pid, NULL, WEXITED, NULL);
	char *bad_argv[] = { "x", (char *)KADDR, NULL };
	char *ok_argv[] = { "x", NULL };
	char *env[] = { NULL };
	R(SYS_execve, NULL, ok_argv, env);
	R(SYS_execve, KADDR, ok_argv, env);
	R(SYS_execve, unterminated, ok_argv, env);
	R(SYS_execve, argv[0], ONE, env);
	R(SYS_execve, argv[0], bad_argv, env);
	R(SYS_execve, argv[0], ok_argv, KADDR);
	R(SYS_execve, argv[0], ok_argv, bad_argv);
	R(SYS_clone, CLONE_THREAD_ALONE, NULL, NULL, NULL, 0);
	R(SYS_setpgid, -1, 0);
	R(SYS_getpgid, -1);
	R(SYS_getsid, -1);

	printf("-- unknown system calls\n");
	R(500);
	R(1000);
	R(-1);
	R(100000);

	/* still fully working */
	MUST(lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("file still reads %.5s\n", buf);
	pid = fork();
	if (pid == 0)
		_exit(0);
	printf("fork still works: %s\n", wstatus(reap(pid)));
	printf("survived\n");
	return 0;
}
