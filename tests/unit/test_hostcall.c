/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_hostcall.c - the VMM's host-call server (userspace/vmm/hostcall*.c)
 * without KVM: guest memory is a plain mapping, the doorbell and the completion
 * interrupt are plain eventfds, and this thread plays qkernel with the exact submission
 * protocol of uapi/quark/hostcall.h. Every op on a scratch directory, the checks
 * (-EFAULT, -EBADF, -EINVAL, -ENOSYS), symlinks that point out of the root, blocking
 * ops in io_uring, CANCEL, a stress of sleeps and wake-ups, signal events.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "quark/kvm_layout.h"
#include "userspace/vmm/hostcall.h"

#define MEM_SIZE	(16u << 20)
#define SCRATCH		0x200000u	/* the test's guest buffers start here */
#define WAIT_MS		10000		/* no completion within this: the test fails */
#define KERNEL_O_LARGEFILE 0100000	/* glibc's O_LARGEFILE is 0 on x86-64 */

struct guest {
	uint8_t *mem;
	struct quark_hc_ring *ring;
	int doorbell, irq, sigfd;
	struct hc_server *srv;
	uint32_t sq_tail, cq_head;
	uint64_t next_tag, brk;
	uint64_t spin_ns;		/* the guest looks this long before it halts */
	struct quark_hc_cqe held[512];	/* completions taken while waiting for another */
	unsigned nheld;
};

static struct guest G;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the guest side of the protocol ---- */

static uint64_t galloc(size_t len)
{
	uint64_t gpa = G.brk;

	G.brk = (G.brk + len + 63) & ~63ull;
	if (G.brk > MEM_SIZE)
		G.brk = SCRATCH, gpa = SCRATCH;
	return gpa;
}

static uint64_t gput(const void *p, size_t len)
{
	uint64_t gpa = galloc(len);

	memcpy(G.mem + gpa, p, len);
	return gpa;
}

static uint64_t gstr(const char *s)
{
	return gput(s, strlen(s) + 1);
}

static void *gp(uint64_t gpa)
{
	return G.mem + gpa;
}

static void kick_if_sleeping(void)
{
	uint64_t one = 1;

	if (__atomic_load_n(&G.ring->host_sleeping, __ATOMIC_SEQ_CST))
		if (write(G.doorbell, &one, sizeof(one)) != sizeof(one))
			abort();
}

/* fill sq[tail]; release sq_tail; locked OR of pending; doorbell if the host sleeps */
static bool wait_until(bool (*cond)(void), int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000u;

	while (!cond())
		if (now_ns() > end || usleep(50) < 0)
			return false;
	return true;
}

static bool sq_has_room(void)
{
	return G.sq_tail - __atomic_load_n(&G.ring->sq_head, __ATOMIC_ACQUIRE) < QUARK_HC_SQ_SIZE;
}

static bool sq_empty(void)
{
	return G.sq_tail == __atomic_load_n(&G.ring->sq_head, __ATOMIC_ACQUIRE);
}

static bool cq_full(void)
{
	return __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE) - G.cq_head == QUARK_HC_CQ_SIZE;
}

static uint64_t submit_raw(uint32_t op, uint32_t flags, const int64_t a[6])
{
	struct quark_hc_req *r = &G.ring->sq[G.sq_tail % QUARK_HC_SQ_SIZE];
	uint64_t tag = ++G.next_tag;

	if (!wait_until(sq_has_room, WAIT_MS)) {
		printf("Bail out! the host does not take requests from a full sq\n");
		exit(1);
	}
	r->op = op;
	r->flags = flags;
	r->tag = tag;
	memcpy(r->args, a, sizeof(r->args));
	__atomic_store_n(&G.ring->sq_tail, ++G.sq_tail, __ATOMIC_RELEASE);
	__atomic_or_fetch(&G.ring->pending, QUARK_HC_PENDING_SQ, __ATOMIC_SEQ_CST);
	kick_if_sleeping();
	return tag;
}

#define SUBMIT(op, ...) submit_raw(op, 0, (const int64_t[6]){ __VA_ARGS__ })

/* Take one completion, sleeping on the irq eventfd (guest_irq = 1) when there is none.
 * false after timeout_ms without one. */
static bool take_cqe(struct quark_hc_cqe *out, int timeout_ms)
{
	uint64_t start = now_ns(), end = start + (uint64_t)timeout_ms * 1000000u, v;

	for (;;) {
		while (G.cq_head == __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE) &&
		       now_ns() - start < G.spin_ns)
			__builtin_ia32_pause();
		if (G.cq_head != __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE)) {
			*out = G.ring->cq[G.cq_head % QUARK_HC_CQ_SIZE];
			__atomic_store_n(&G.ring->cq_head, ++G.cq_head, __ATOMIC_RELEASE);
			__atomic_or_fetch(&G.ring->pending, QUARK_HC_PENDING_CQ, __ATOMIC_SEQ_CST);
			kick_if_sleeping();
			return true;
		}
		__atomic_store_n(&G.ring->guest_irq, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (G.cq_head == __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE)) {
			struct pollfd p = { .fd = G.irq, .events = POLLIN };
			int64_t left = (int64_t)(end - now_ns()) / 1000000;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
				__atomic_store_n(&G.ring->guest_irq, 0, __ATOMIC_RELAXED);
				if (G.cq_head != __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE))
					continue;
				return false;
			}
			if (read(G.irq, &v, sizeof(v)) < 0)
				abort();
		}
		__atomic_store_n(&G.ring->guest_irq, 0, __ATOMIC_RELAXED);
	}
}

/* The result of request `tag` (INT64_MIN on timeout); other completions are held. */
static int64_t wait_tag(uint64_t tag, int timeout_ms)
{
	struct quark_hc_cqe c;

	for (unsigned i = 0; i < G.nheld; i++)
		if (G.held[i].tag == tag) {
			int64_t r = G.held[i].result;

			G.held[i] = G.held[--G.nheld];
			return r;
		}
	while (take_cqe(&c, timeout_ms)) {
		if (c.tag == tag)
			return c.result;
		if (G.nheld < sizeof(G.held) / sizeof(G.held[0]))
			G.held[G.nheld++] = c;
	}
	return INT64_MIN;
}

#define CALL(op, ...) wait_tag(SUBMIT(op, __VA_ARGS__), WAIT_MS)

/* ---- set-up ---- */

static char dir[64], outside[96];
static int rootfd, pipefd[2], ptym, ptys;

static unsigned kicks;	/* (hc_server_watch runs on this thread) */

static void count_kick(void *arg)
{
	(void)arg;
	kicks++;
}

static void start_server(void)
{
	int fds[] = { 0, 1, 2, rootfd, pipefd[0], pipefd[1], ptys };
	struct hc_server_opts o = {
		.gmem = G.mem, .gmem_size = MEM_SIZE, .ring_gpa = QUARK_KVM_HC_RING,
		.doorbell_fd = G.doorbell, .irq_fd = G.irq, .host_fds = fds,
		.nhost_fds = sizeof(fds) / sizeof(fds[0]), .signal_fd = G.sigfd,
		.kick = count_kick,
	};
	quark_error_t err = NULL;

	if (hc_server_start(&o, &G.srv, &err) < 0) {
		printf("Bail out! %s\n", err->msg);
		exit(1);
	}
}

static void setup(void)
{
	sigset_t ss;
	char path[160];
	int fd;

	G.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	G.ring = (struct quark_hc_ring *)(G.mem + QUARK_KVM_HC_RING);
	G.brk = SCRATCH;
	G.doorbell = eventfd(0, EFD_CLOEXEC);
	G.irq = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGWINCH);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	G.sigfd = signalfd(-1, &ss, SFD_CLOEXEC);
	snprintf(dir, sizeof(dir), "/tmp/hc-test-XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/hc-outside-%d", (int)getpid());
	if (G.mem == MAP_FAILED || G.doorbell < 0 || G.irq < 0 || G.sigfd < 0 || !mkdtemp(dir) ||
	    pipe2(pipefd, O_CLOEXEC) < 0 || openpty(&ptym, &ptys, NULL, NULL, NULL) < 0) {
		printf("Bail out! set-up: %s\n", strerror(errno));
		exit(1);
	}
	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* a host file outside the root, and links to it from inside */
	fd = open(outside, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	if (rootfd < 0 || fd < 0 || write(fd, "OUTSIDE", 7) != 7) {
		printf("Bail out! set-up files: %s\n", strerror(errno));
		exit(1);
	}
	close(fd);
	utimensat(AT_FDCWD, outside, (struct timespec[2]){ { 1000, 0 }, { 1000, 0 } }, 0);
	snprintf(path, sizeof(path), "%s/in", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "INSIDE", 6) != 6 || symlinkat(outside, rootfd, "esc") < 0 ||
	    symlinkat("/in", rootfd, "abs-in") < 0 || symlinkat("../../../../in", rootfd, "dotdot") < 0) {
		printf("Bail out! set-up links: %s\n", strerror(errno));
		exit(1);
	}
	close(fd);
	start_server();
}

/* ---- tests ---- */

static void test_files(void)
{
	uint64_t buf = galloc(4096), st = galloc(sizeof(struct stat));
	struct stat *s = gp(st);
	int64_t fd, fd2, r;

	ok(CALL(QUARK_HC_NOP) == 0, "NOP -> 0");
	umask(022);
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("f"), O_CREAT | O_RDWR | O_EXCL, 0666);
	ok(fd > 2, "OPENAT creates a file: fd %lld", (long long)fd);
	ok(fd > 2 && (fcntl((int)fd, F_GETFD) & FD_CLOEXEC), "OPENAT forces O_CLOEXEC");
	ok(CALL(QUARK_HC_WRITE, fd, gstr("hello world"), 11) == 11, "WRITE");
	ok(CALL(QUARK_HC_PWRITE, fd, gstr("W"), 1, 6) == 1, "PWRITE");
	ok(CALL(QUARK_HC_LSEEK, fd, 0, SEEK_SET) == 0, "LSEEK");
	r = CALL(QUARK_HC_READ, fd, buf, 100);
	ok(r == 11 && !memcmp(gp(buf), "hello World", 11), "READ reads what was written");
	r = CALL(QUARK_HC_PREAD, fd, buf, 5, 6);
	ok(r == 5 && !memcmp(gp(buf), "World", 5), "PREAD");
	ok(CALL(QUARK_HC_FSTAT, fd, st) == 0 && s->st_size == 11 && (s->st_mode & 0777) == 0666,
	   "FSTAT: size 11, mode 0666: the guest's mode, the VMM's umask 022 not applied");
	ok(CALL(QUARK_HC_FTRUNCATE, fd, 3) == 0 && CALL(QUARK_HC_FSTAT, fd, st) == 0 &&
	   s->st_size == 3, "FTRUNCATE");
	ok(CALL(QUARK_HC_FSYNC, fd, 0) == 0 && CALL(QUARK_HC_FSYNC, fd, 1) == 0, "FSYNC, datasync");
	ok(CALL(QUARK_HC_FSYNC, fd, 2) == -EINVAL, "FSYNC datasync 2 -> -EINVAL");
	ok(CALL(QUARK_HC_FCHMOD, fd, 0600) == 0 && CALL(QUARK_HC_FSTAT, fd, st) == 0 &&
	   (s->st_mode & 0777) == 0600, "FCHMOD");
	r = CALL(QUARK_HC_FCNTL, fd, F_GETFL, 0);
	ok(r == (O_RDWR | KERNEL_O_LARGEFILE), "FCNTL F_GETFL: O_RDWR|O_LARGEFILE, as openat(2) "
	   "gives (%#llx)", (long long)r);
	ok(CALL(QUARK_HC_FCNTL, fd, F_SETFL, O_APPEND) == 0 &&
	   (fcntl((int)fd, F_GETFL) & O_APPEND), "FCNTL F_SETFL");
	ok(CALL(QUARK_HC_FCNTL, fd, F_GETFD, 0) == FD_CLOEXEC, "FCNTL F_GETFD");
	ok(CALL(QUARK_HC_FCNTL, fd, F_SETFD, 0) == 0 && CALL(QUARK_HC_FCNTL, fd, F_GETFD, 0) == 0,
	   "FCNTL F_SETFD");
	fd2 = CALL(QUARK_HC_FCNTL, fd, F_DUPFD_CLOEXEC, 100);
	ok(fd2 >= 100 && CALL(QUARK_HC_FSTAT, fd2, st) == 0, "FCNTL F_DUPFD_CLOEXEC: a new owned "
	   "fd %lld", (long long)fd2);
	ok(CALL(QUARK_HC_FCNTL, fd, F_SETOWN, 1) == -EINVAL, "FCNTL F_SETOWN -> -EINVAL");
	ok(CALL(QUARK_HC_CLOSE, fd2) == 0, "CLOSE");
	ok(CALL(QUARK_HC_FSTAT, fd2, st) == -EBADF, "a closed fd -> -EBADF");
	ok(CALL(QUARK_HC_CLOSE, fd2) == -EBADF, "CLOSE twice -> -EBADF");
	ok(CALL(QUARK_HC_FSTATFS, fd, galloc(sizeof(struct statfs))) == 0, "FSTATFS");
	ok(CALL(QUARK_HC_CLOSE, fd) == 0, "CLOSE");

	ok(CALL(QUARK_HC_MKDIRAT, rootfd, gstr("d"), 0750) == 0, "MKDIRAT");
	ok(CALL(QUARK_HC_FSTATAT, rootfd, gstr("d"), st, 0) == 0 && S_ISDIR(s->st_mode) &&
	   (s->st_mode & 0777) == 0750, "FSTATAT sees the directory, mode 0750");
	ok(CALL(QUARK_HC_MKNODAT, rootfd, gstr("fifo"), S_IFIFO | 0600, 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("fifo"), st, 0) == 0 && S_ISFIFO(s->st_mode),
	   "MKNODAT makes a fifo");
	ok(CALL(QUARK_HC_MKNODAT, rootfd, gstr("sda"), S_IFBLK | 0600, makedev(8, 0)) == -EPERM &&
	   CALL(QUARK_HC_MKNODAT, rootfd, gstr("mem"), S_IFCHR | 0600, makedev(1, 1)) == -EPERM &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("sda"), st, 0) == -ENOENT,
	   "MKNODAT refuses device nodes (EPERM), nothing created");
	ok(CALL(QUARK_HC_SYMLINKAT, gstr("some/target"), rootfd, gstr("ln")) == 0, "SYMLINKAT");
	r = CALL(QUARK_HC_READLINKAT, rootfd, gstr("ln"), buf, 100);
	ok(r == 11 && !memcmp(gp(buf), "some/target", 11), "READLINKAT");
	ok(CALL(QUARK_HC_LINKAT, rootfd, gstr("f"), rootfd, gstr("f2"), 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("f"), st, 0) == 0 && s->st_nlink == 2, "LINKAT");
	ok(CALL(QUARK_HC_LINKAT, rootfd, gstr("f"), rootfd, gstr("f3"), AT_SYMLINK_FOLLOW) == -EINVAL,
	   "LINKAT with AT_SYMLINK_FOLLOW -> -EINVAL");
	ok(CALL(QUARK_HC_RENAMEAT2, rootfd, gstr("f2"), rootfd, gstr("g"), 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("g"), st, 0) == 0, "RENAMEAT2");
	ok(CALL(QUARK_HC_RENAMEAT2, rootfd, gstr("g"), rootfd, gstr("f"), RENAME_NOREPLACE) == -EEXIST,
	   "RENAMEAT2 RENAME_NOREPLACE -> -EEXIST");
	ok(CALL(QUARK_HC_UNLINKAT, rootfd, gstr("g"), 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("g"), st, 0) == -ENOENT, "UNLINKAT");
	ok(CALL(QUARK_HC_UNLINKAT, rootfd, gstr("d"), AT_REMOVEDIR) == 0, "UNLINKAT AT_REMOVEDIR");
	ok(CALL(QUARK_HC_FCHMODAT, rootfd, gstr("f"), 0604) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("f"), st, 0) == 0 && (s->st_mode & 0777) == 0604,
	   "FCHMODAT");
	ok(CALL(QUARK_HC_FCHOWNAT, rootfd, gstr("f"), getuid(), getgid(), 0) == 0, "FCHOWNAT");
	ok(CALL(QUARK_HC_UTIMENSAT, rootfd, gstr("f"),
		gput((struct timespec[2]){ { 5, 0 }, { 7, 0 } }, 32), 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("f"), st, 0) == 0 && s->st_mtime == 7 &&
	   s->st_atime == 5, "UTIMENSAT sets the times");
	ok(CALL(QUARK_HC_UTIMENSAT, rootfd, gstr("f"), 0, 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("f"), st, 0) == 0 && s->st_mtime > 7,
	   "UTIMENSAT times 0: now");
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("."), O_RDONLY | O_DIRECTORY, 0);
	r = fd >= 0 ? CALL(QUARK_HC_GETDENTS64, fd, buf, 4096) : -1;
	ok(r > 0, "OPENAT \".\" and GETDENTS64: %lld bytes", (long long)r);
	CALL(QUARK_HC_CLOSE, fd);
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("f"), O_PATH, 0);
	fd2 = fd >= 0 ? CALL(QUARK_HC_REOPEN, fd, O_RDONLY) : -1;
	ok(fd2 > 0 && CALL(QUARK_HC_READ, fd2, buf, 10) == 3 && !memcmp(gp(buf), "hel", 3),
	   "REOPEN an O_PATH fd for reading");
	ok(fd2 > 0 && (fcntl((int)fd2, F_GETFD) & FD_CLOEXEC), "REOPEN forces O_CLOEXEC");
	CALL(QUARK_HC_CLOSE, fd);
	CALL(QUARK_HC_CLOSE, fd2);
	r = CALL(QUARK_HC_GETRANDOM, buf, 64);
	ok(r == 64, "GETRANDOM");
}

static void test_ioctl(void)
{
	uint64_t t = galloc(64), ws = gput(&(struct winsize){ .ws_row = 33, .ws_col = 77 }, 8);
	uint64_t n = galloc(4);
	int saved = dup(0);

	/* fd 0 is the pty's slave for this test: a real tty, and one of the sandbox's fds */
	dup2(ptys, 0);
	ok(CALL(QUARK_HC_IOCTL, 0, TCGETS, t) == 0, "IOCTL TCGETS on fd 0");
	ok(CALL(QUARK_HC_IOCTL, 0, TCSETS, t) == 0, "IOCTL TCSETS on fd 0");
	ok(CALL(QUARK_HC_IOCTL, 0, TIOCSWINSZ, ws) == 0 &&
	   CALL(QUARK_HC_IOCTL, 0, TIOCGWINSZ, t) == 0 &&
	   ((struct winsize *)gp(t))->ws_col == 77, "IOCTL TIOCSWINSZ, TIOCGWINSZ");
	ok(write(ptym, "abc\n", 4) == 4 && (usleep(20000), CALL(QUARK_HC_IOCTL, 0, FIONREAD, n)) == 0 &&
	   *(int *)gp(n) == 4, "IOCTL FIONREAD");
	ok(CALL(QUARK_HC_IOCTL, 0, TCFLSH, TCIFLUSH) == 0, "IOCTL TCFLSH (a value argument)");
	ok(CALL(QUARK_HC_IOCTL, 0, TIOCSTI, gstr("x")) == -ENOTTY, "IOCTL TIOCSTI -> -ENOTTY");
	ok(CALL(QUARK_HC_IOCTL, 0, TCGETS, MEM_SIZE - 8) == -EFAULT, "IOCTL: arg outside memory");
	ok(CALL(QUARK_HC_IOCTL, ptys, TCGETS, t) == -ENOTTY, "IOCTL on a tty fd > 2 -> -ENOTTY");
	dup2(saved, 0);
	close(saved);
}

static void test_checks(void)
{
	uint64_t st = galloc(sizeof(struct stat));
	char name[300];
	uint64_t big;

	ok(CALL(QUARK_HC_READ, rootfd, MEM_SIZE - 10, 100) == -EFAULT, "buffer past the end -> -EFAULT");
	ok(CALL(QUARK_HC_READ, pipefd[0], UINT64_MAX - 5, 100) == -EFAULT,
	   "buffer wrapping around -> -EFAULT");
	ok(CALL(QUARK_HC_FSTAT, rootfd, MEM_SIZE) == -EFAULT, "stat buffer at the end -> -EFAULT");
	ok(CALL(QUARK_HC_FSTATAT, rootfd, MEM_SIZE + 4096, st, 0) == -EFAULT,
	   "name outside memory -> -EFAULT");
	memset(G.mem + MEM_SIZE - 3, 'a', 3);
	ok(CALL(QUARK_HC_FSTATAT, rootfd, MEM_SIZE - 3, st, 0) == -EFAULT,
	   "name running off the end of memory -> -EFAULT");
	ok(CALL(QUARK_HC_POLL, UINT64_MAX - 7, 2, 0) == -EFAULT, "POLL array wrapping -> -EFAULT");
	ok(CALL(QUARK_HC_READ, rootfd, SCRATCH, QUARK_HC_IO_MAX + 1) == -EINVAL,
	   "READ longer than QUARK_HC_IO_MAX -> -EINVAL");

	ok(CALL(QUARK_HC_FSTAT, G.doorbell, st) == -EBADF, "the doorbell eventfd -> -EBADF");
	ok(CALL(QUARK_HC_WRITE, G.irq, gput(&(uint64_t){ 1 }, 8), 8) == -EBADF,
	   "the irq eventfd -> -EBADF");
	ok(CALL(QUARK_HC_CLOSE, G.sigfd) == -EBADF && fcntl(G.sigfd, F_GETFD) >= 0,
	   "CLOSE of the signalfd -> -EBADF, and it stays open");
	ok(CALL(QUARK_HC_FSTAT, 987654, st) == -EBADF, "a never-opened fd -> -EBADF");
	ok(CALL(QUARK_HC_FSTAT, -1, st) == -EBADF, "fd -1 -> -EBADF");
	ok(CALL(QUARK_HC_FSTATAT, AT_FDCWD, gstr("etc"), st, 0) == -EBADF, "AT_FDCWD -> -EBADF");
	ok(CALL(QUARK_HC_FSTAT, (int64_t)1 << 32 | rootfd, st) == -EBADF,
	   "an fd with high bits set -> -EBADF");

	ok(CALL(QUARK_HC_FSTATAT, rootfd, gstr("in/x"), st, 0) == -EINVAL, "name with '/' -> -EINVAL");
	ok(CALL(QUARK_HC_OPENAT, rootfd, gstr(".."), O_RDONLY, 0) == -EINVAL, "\"..\" -> -EINVAL");
	ok(CALL(QUARK_HC_MKDIRAT, rootfd, gstr("/abs"), 0700) == -EINVAL, "\"/abs\" -> -EINVAL");
	memset(name, 'n', sizeof(name));
	big = gput(name, QUARK_HC_NAME_MAX + 1);
	ok(CALL(QUARK_HC_FSTATAT, rootfd, big, st, 0) == -EINVAL, "unterminated name -> -EINVAL");
	name[QUARK_HC_NAME_MAX + 1] = 0;
	ok(CALL(QUARK_HC_FSTATAT, rootfd, gput(name, QUARK_HC_NAME_MAX + 2), st, 0) == -EINVAL,
	   "a 256-byte name -> -EINVAL");
	name[QUARK_HC_NAME_MAX] = 0;
	ok(CALL(QUARK_HC_FSTATAT, rootfd, gput(name, QUARK_HC_NAME_MAX + 1), st, 0) == -ENOENT,
	   "a 255-byte name is accepted (-ENOENT from the host)");
	{
		static char target[QUARK_HC_PATH_MAX + 1];

		memset(target, 't', sizeof(target));
		ok(CALL(QUARK_HC_SYMLINKAT, gput(target, sizeof(target)), rootfd, gstr("x")) == -EINVAL,
		   "SYMLINKAT target without a NUL in PATH_MAX + 1 bytes -> -EINVAL");
	}

	ok(wait_tag(submit_raw(QUARK_HC_NOP, 1, (int64_t[6]){ 0 }), WAIT_MS) == -EINVAL,
	   "flags != 0 -> -EINVAL");
	ok(wait_tag(submit_raw(QUARK_HC_OP_MAX, 0, (int64_t[6]){ 0 }), WAIT_MS) == -ENOSYS,
	   "op QUARK_HC_OP_MAX -> -ENOSYS");
	ok(wait_tag(submit_raw(0xffffffffu, 0, (int64_t[6]){ 0 }), WAIT_MS) == -ENOSYS,
	   "op 0xffffffff -> -ENOSYS");
}

/* Links in the root that point at a host file outside it: nothing may reach that file. */
static void test_symlinks(void)
{
	uint64_t st = galloc(sizeof(struct stat)), buf = galloc(64);
	struct stat *s = gp(st), before, after;
	int64_t fd;

	stat(outside, &before);
	ok(CALL(QUARK_HC_FSTATAT, rootfd, gstr("esc"), st, 0) == 0 && S_ISLNK(s->st_mode),
	   "FSTATAT of the link: the link itself (AT_SYMLINK_NOFOLLOW forced)");
	ok(CALL(QUARK_HC_FCHMODAT, rootfd, gstr("esc"), 0777) == -EOPNOTSUPP,
	   "FCHMODAT on a symlink -> -EOPNOTSUPP");
	ok(CALL(QUARK_HC_FCHOWNAT, rootfd, gstr("esc"), 4321, 4321, 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("esc"), st, 0) == 0 && s->st_uid == 4321,
	   "FCHOWNAT changes the link itself");
	ok(CALL(QUARK_HC_UTIMENSAT, rootfd, gstr("esc"),
		gput((struct timespec[2]){ { 99, 0 }, { 99, 0 } }, 32), 0) == 0 &&
	   CALL(QUARK_HC_FSTATAT, rootfd, gstr("esc"), st, 0) == 0 && s->st_mtime == 99,
	   "UTIMENSAT changes the link itself");
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("esc"), O_RDWR, 0);
	ok(fd == -ENOENT, "OPENAT through the link resolves inside the root: -ENOENT (got %lld)",
	   (long long)fd);
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("abs-in"), O_RDONLY, 0);
	ok(fd >= 0 && CALL(QUARK_HC_READ, fd, buf, 64) == 6 && !memcmp(gp(buf), "INSIDE", 6),
	   "OPENAT of a link to \"/in\" opens the root's /in");
	CALL(QUARK_HC_CLOSE, fd);
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("dotdot"), O_RDONLY, 0);
	ok(fd >= 0 && CALL(QUARK_HC_READ, fd, buf, 64) == 6 && !memcmp(gp(buf), "INSIDE", 6),
	   "OPENAT of a link to \"../../../../in\" stays in the root");
	CALL(QUARK_HC_CLOSE, fd);
	fd = CALL(QUARK_HC_OPENAT, rootfd, gstr("esc"), O_PATH | O_NOFOLLOW, 0);
	ok(fd >= 0 && CALL(QUARK_HC_FSTAT, fd, st) == 0 && S_ISLNK(s->st_mode),
	   "OPENAT O_PATH|O_NOFOLLOW opens the link");
	ok(CALL(QUARK_HC_FCHMODAT, fd, gstr(""), 0777) == -EOPNOTSUPP,
	   "FCHMODAT \"\" on an O_PATH fd of a link -> -EOPNOTSUPP");
	ok(CALL(QUARK_HC_REOPEN, fd, O_RDWR) < 0, "REOPEN of the link's O_PATH fd fails");
	CALL(QUARK_HC_CLOSE, fd);
	ok(CALL(QUARK_HC_OPENAT, rootfd, gstr("esc"), O_CREAT | O_WRONLY | O_TRUNC, 0666) == -ENOENT,
	   "OPENAT O_CREAT|O_TRUNC through the link: resolved in the root, -ENOENT");
	stat(outside, &after);
	ok(after.st_mode == before.st_mode && after.st_uid == before.st_uid &&
	   after.st_mtime == 1000 && after.st_size == 7,
	   "the outside file is untouched (mode %o, uid %d, mtime %lld, size %lld)",
	   after.st_mode & 07777, (int)after.st_uid, (long long)after.st_mtime,
	   (long long)after.st_size);
}

static void test_async(void)
{
	uint64_t pfd = gput(&(struct pollfd){ .fd = pipefd[0], .events = POLLIN }, 8);
	uint64_t buf = galloc(64), t0, tpoll, tread, tcan, nv;
	struct pollfd *p = gp(pfd);
	int64_t r;
	char c;

	tpoll = SUBMIT(QUARK_HC_POLL, pfd, 1, 10 * 1000000000ll);
	t0 = now_ns();
	ok(CALL(QUARK_HC_NOP) == 0 && now_ns() - t0 < 1000000000u,
	   "a blocked POLL (10 s) does not delay a NOP (%llu us)",
	   (unsigned long long)(now_ns() - t0) / 1000);
	ok(write(pipefd[1], "x", 1) == 1 && wait_tag(tpoll, WAIT_MS) == 1 && (p->revents & POLLIN),
	   "the POLL completes when the pipe gets data: 1, POLLIN");
	ok(read(pipefd[0], &c, 1) == 1, "(drain)");
	t0 = now_ns();
	r = CALL(QUARK_HC_POLL, pfd, 1, 50 * 1000000ll);
	ok(r == 0 && now_ns() - t0 >= 50000000u, "POLL timeout 50 ms -> 0 after %llu ms",
	   (unsigned long long)(now_ns() - t0) / 1000000);
	nv = gput((struct pollfd[2]){ { .fd = 987654, .events = POLLIN }, { .fd = -1 } }, 16);
	r = CALL(QUARK_HC_POLL, nv, 2, -1);
	ok(r == 1 && ((struct pollfd *)gp(nv))[0].revents == POLLNVAL &&
	   ((struct pollfd *)gp(nv))[1].revents == 0,
	   "POLL of an fd not owned: POLLNVAL, never polled on the host; fd -1 skipped");

	tread = SUBMIT(QUARK_HC_READ, pipefd[0], buf, 64);
	ok(CALL(QUARK_HC_NOP) == 0, "a blocked READ on a pipe does not delay a NOP");
	tcan = SUBMIT(QUARK_HC_CANCEL, tread);
	ok(wait_tag(tcan, WAIT_MS) == 0, "CANCEL of the READ -> 0");
	ok(wait_tag(tread, WAIT_MS) == -ECANCELED, "the READ completes with -ECANCELED");
	ok(CALL(QUARK_HC_CANCEL, 123456789) == -ENOENT, "CANCEL of an unknown tag -> -ENOENT");
	tpoll = SUBMIT(QUARK_HC_POLL, pfd, 1, -1);
	ok(CALL(QUARK_HC_CANCEL, tpoll) == 0 && wait_tag(tpoll, WAIT_MS) == -ECANCELED,
	   "CANCEL of a POLL without timeout -> -ECANCELED");
	tread = SUBMIT(QUARK_HC_READ, pipefd[0], buf, 64);
	ok(write(pipefd[1], "data", 4) == 4 && wait_tag(tread, WAIT_MS) == 4 &&
	   !memcmp(gp(buf), "data", 4), "a READ in io_uring gets the pipe's data");
	ok(CALL(QUARK_HC_WRITE, pipefd[1], gstr("zz"), 2) == 2 &&
	   CALL(QUARK_HC_READ, pipefd[0], buf, 64) == 2, "WRITE and READ of a pipe via io_uring");
}

/* Bursts with pauses, some long enough for the host to fall asleep whatever its adaptive
 * spin (at most HC_SPIN_MAX_NS, 2 ms): every request completes. */
static void test_stress(void)
{
	struct hc_stats a, b;
	unsigned done = 0, total = 5000, bad = 0, bursts = 0;
	uint64_t t0 = now_ns();
	unsigned seed = 1;

	hc_server_stats(G.srv, &a);
	while (done < total) {
		unsigned n = 1 + rand_r(&seed) % QUARK_HC_SQ_SIZE, got = 0;
		uint64_t first = G.next_tag + 1;
		struct quark_hc_cqe c;

		if (n > total - done)
			n = total - done;
		for (unsigned i = 0; i < n; i++)
			SUBMIT(QUARK_HC_NOP);
		while (got < n && take_cqe(&c, WAIT_MS)) {
			bad += c.tag < first || c.tag >= first + n || c.result != 0;
			got++;
		}
		if (got < n)
			break;
		done += n;
		if (++bursts % 20 == 0)
			usleep(5000);
		else if (rand_r(&seed) % 3 == 0)
			usleep(100 + rand_r(&seed) % 300);
	}
	hc_server_stats(G.srv, &b);
	ok(done == total && !bad, "stress: %u/%u NOPs in bursts, %u wrong, %.0f ms", done, total,
	   bad, (now_ns() - t0) / 1e6);
	ok(b.doorbells > a.doorbells && b.sleeps > a.sleeps,
	   "stress: the host slept (%llu) and was woken by the doorbell (%llu)",
	   (unsigned long long)(b.sleeps - a.sleeps), (unsigned long long)(b.doorbells - a.doorbells));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median round trip of a NOP; pause_us > 0 lets the host fall asleep before each. */
static double nop_us(unsigned n, unsigned pause_us, uint64_t guest_spin_ns)
{
	uint64_t t[2001];

	G.spin_ns = guest_spin_ns;
	for (unsigned i = 0; i < n; i++) {
		if (pause_us)
			usleep(pause_us);
		t[i] = now_ns();
		CALL(QUARK_HC_NOP);
		t[i] = now_ns() - t[i];
	}
	qsort(t, n, sizeof(t[0]), cmp_u64);
	return t[n / 2] / 1e3;
}

static void measure(void)
{
	double awake = nop_us(2001, 0, 50000), asleep = nop_us(201, 1000, 0);
	double both = nop_us(201, 1000, 50000);

	diag("NOP round trip, median: host awake, guest spinning %.2f us; host asleep (doorbell), "
	     "guest halted (irq) %.2f us; host asleep, guest spinning %.2f us", awake, asleep, both);
	G.spin_ns = 0;
}

static void test_signals(void)
{
	struct quark_hc_cqe c;
	uint64_t first;
	bool got;

	ok(hc_signal_result(SIGINT, SI_KERNEL) == (SIGINT | QUARK_HC_SIG_KEYBOARD) &&
	   hc_signal_result(SIGQUIT, SI_KERNEL) == (SIGQUIT | QUARK_HC_SIG_KEYBOARD) &&
	   hc_signal_result(SIGWINCH, SI_KERNEL) == (SIGWINCH | QUARK_HC_SIG_KEYBOARD) &&
	   hc_signal_result(SIGINT, SI_USER) == SIGINT &&
	   hc_signal_result(SIGTERM, SI_KERNEL) == SIGTERM &&
	   hc_signal_result(SIGINT, SI_QUEUE) == SIGINT, "signal results: keyboard flag only for "
	   "SIGINT/SIGQUIT/SIGWINCH from the kernel");
	kill(getpid(), SIGUSR1);
	got = take_cqe(&c, WAIT_MS);
	ok(got && c.tag == QUARK_HC_EV_SIGNAL && c.result == SIGUSR1,
	   "kill(SIGUSR1) -> an event, result SIGUSR1 (no keyboard flag)");

	/* fill the cq: 2 x 64 NOPs, none taken */
	first = G.next_tag + 1;
	for (int i = 0; i < 2 * QUARK_HC_SQ_SIZE; i++)
		SUBMIT(QUARK_HC_NOP);
	ok(wait_until(cq_full, WAIT_MS), "128 NOPs fill the cq");
	SUBMIT(QUARK_HC_NOP);	/* the 129th: no room for it yet */
	kill(getpid(), SIGWINCH);
	usleep(50000);
	ok(cq_full() && !sq_empty(), "a full cq: neither the 129th request nor the signal is "
	   "posted (the request is taken from the sq only once there is room for it)");
	got = true;
	for (int i = 0; i < QUARK_HC_CQ_SIZE && got; i++)
		got = take_cqe(&c, WAIT_MS) && c.tag == first + (uint64_t)i;
	if (!ok(got, "the 128 completions, in order"))
		diag("tag %llu result %lld, first %llu", (unsigned long long)c.tag,
		     (long long)c.result, (unsigned long long)first);
	got = take_cqe(&c, WAIT_MS);
	ok(got && ((c.tag == first + 128 && c.result == 0) ||
		   (c.tag == QUARK_HC_EV_SIGNAL && c.result == SIGWINCH)), "then the rest");
	got = got && take_cqe(&c, WAIT_MS);
	ok(got && ((c.tag == first + 128 && c.result == 0) ||
		   (c.tag == QUARK_HC_EV_SIGNAL && c.result == SIGWINCH)),
	   "both the 129th NOP and the SIGWINCH event arrive once there is room");
}

/* hc_server_watch (the VMM's main thread, every HC_WATCH_MS): completions the guest has
 * not taken while it asked for interrupts, in two calls in a row, make it wake vCPU 0
 * (opts.kick); once they are taken, no more. Nothing is rung for a host that keeps up. */
static bool cq_nonempty(void)
{
	return G.cq_head != __atomic_load_n(&G.ring->cq_tail, __ATOMIC_ACQUIRE);
}

static void test_watch(void)
{
	struct pollfd p = { .fd = G.irq, .events = POLLIN };
	struct quark_hc_cqe c;
	uint64_t tag, v;
	unsigned k0 = kicks;

	hc_server_watch(G.srv);
	ok(kicks == k0, "watch: nothing outstanding, no kick");
	__atomic_store_n(&G.ring->guest_irq, 1, __ATOMIC_SEQ_CST);
	tag = SUBMIT(QUARK_HC_NOP);
	ok(wait_until(cq_nonempty, WAIT_MS), "watch: the completion is posted (and an interrupt)");
	hc_server_watch(G.srv);
	hc_server_watch(G.srv);
	ok(kicks == k0 + 1, "watch: completions not taken over a whole period: vCPU 0 is woken "
	   "(%u kicks)", kicks - k0);
	ok(take_cqe(&c, WAIT_MS) && c.tag == tag, "watch: the completion waited on the cq");
	__atomic_store_n(&G.ring->guest_irq, 0, __ATOMIC_SEQ_CST);
	if (poll(&p, 1, 0) == 1 && read(G.irq, &v, sizeof(v)) < 0)
		abort();
	hc_server_watch(G.srv);
	hc_server_watch(G.srv);
	ok(kicks == k0 + 1, "watch: no kick once they are taken");
}

int main(void)
{
	struct hc_stats st;
	char line[1024];

	setvbuf(stdout, NULL, _IOLBF, 0);
	setup();
	test_files();
	test_ioctl();
	test_checks();
	test_symlinks();
	test_async();
	test_stress();
	test_signals();
	test_watch();
	measure();
	hc_server_stop(G.srv, &st, NULL);
	hc_stats_format(&st, line, sizeof(line));
	diag("%s", line);
	ok(st.calls[QUARK_HC_NOP] > 7000 && st.irqs > 0 && st.uring_sqes > 0 && st.events == 2 &&
	   st.lost_irqs == 1 && st.lost_doorbells == 0,
	   "counters: NOPs, interrupts, io_uring submissions, 2 events, 1 wake of vCPU 0, no "
	   "doorbell rung again");
	tap_plan(tap_n);
	return tap_done();
}
