// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kmod/ioctl_test.c - quark.ko's ioctl tests, TAP, run as a static binary as root
 * inside the QEMU rig (tests/kmod/ioctl.t): loads ./quark.ko (argv[1]) with finit_module,
 * drives every ioctl's success and error paths, the doorbell (playing the guest's side on
 * the mapped shm), concurrent waiters, close and SIGKILL while waiting, then unloads the
 * module and fails if the kernel log shows a WARN, BUG or Oops.
 */
#define _GNU_SOURCE	/* mremap */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <quark/quark_dev.h>

static int ntest, nfail;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		nfail++;
}

/* ioctl's result as 0 or -errno. */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

#define IS(expr, want, name) do { int r_ = (expr); \
	ok(r_ == (want), "%s (got %d %s, want %d)", name, r_, r_ < 0 ? strerror(-r_) : "", want); \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A context with a 2-page shm mapped and its doorbell bound. */
struct rig {
	int dev, shm, efd;
	volatile uint32_t *mem;	/* the shm, as the guest would see it */
	volatile uint32_t *pending, *sleeping;
};
#define SHM_SIZE	8192
#define PENDING_OFF	4096	/* second page: proves the page lookup */
#define SLEEPING_OFF	4160

static int rig_open(struct rig *r)
{
	struct quark_create_shm cs = { .size = SHM_SIZE };
	struct quark_bind_doorbell bd = { .pending_off = PENDING_OFF, .sleeping_off = SLEEPING_OFF };
	void *p;

	r->dev = open("/dev/quark", O_RDWR | O_CLOEXEC);
	if (r->dev < 0 || xioctl(r->dev, QUARK_IOC_CREATE_SHM, &cs))
		return -1;
	r->shm = cs.fd;
	p = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->shm, 0);
	if (p == MAP_FAILED)
		return -1;
	r->mem = p;
	r->pending = r->mem + PENDING_OFF / 4;
	r->sleeping = r->mem + SLEEPING_OFF / 4;
	r->efd = eventfd(0, EFD_CLOEXEC);
	bd.eventfd = r->efd;
	bd.shm_fd = r->shm;
	return xioctl(r->dev, QUARK_IOC_BIND_DOORBELL, &bd);
}

static void rig_close(struct rig *r)
{
	munmap((void *)r->mem, SHM_SIZE);
	close(r->efd);
	close(r->shm);
	close(r->dev);
}

/* The guest's side of the protocol: post work, then ring only if the host sleeps. */
static int guest_post(struct rig *r, uint32_t bit)
{
	uint64_t one = 1;

	__atomic_fetch_or(r->pending, bit, __ATOMIC_SEQ_CST);	/* locked OR: a full barrier */
	if (!__atomic_load_n(r->sleeping, __ATOMIC_SEQ_CST))
		return 0;
	return write(r->efd, &one, sizeof(one)) == sizeof(one) ? 1 : -1;
}

static int wait_for_sleeper(struct rig *r, int ms)
{
	while (!*r->sleeping && ms-- > 0)
		msleep(1);
	return *r->sleeping != 0;
}

struct waiter {
	pthread_t th;
	struct rig *r;
	int dev;
	uint64_t timeout_ns;
	int ret;
	uint32_t mask;
	double secs;
	volatile int done;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct quark_wait qw = { .spin_ns = 1000, .timeout_ns = w->timeout_ns };
	double t0 = now_s();

	w->ret = xioctl(w->dev, QUARK_IOC_WAIT, &qw);
	w->mask = qw.pending;
	w->secs = now_s() - t0;
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void waiter_start(struct waiter *w, struct rig *r, int dev, uint64_t timeout_ns)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->dev = dev;
	w->timeout_ns = timeout_ns;
	pthread_create(&w->th, NULL, waiter_main, w);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_version_and_errors(int dev)
{
	struct quark_version v;
	long bogus_size = _IOC(_IOC_READ, QUARK_IOC_MAGIC, 0x00, sizeof(v) + 8);

	memset(&v, 0xff, sizeof(v));
	IS(xioctl(dev, QUARK_IOC_GET_VERSION, &v), 0, "GET_VERSION");
	ok(v.abi_version == QUARK_ABI_VERSION && v.reserved == 0,
	   "ABI version %u (want %u), reserved 0", v.abi_version, QUARK_ABI_VERSION);
	ok((v.features & (QUARK_FEAT_SHM | QUARK_FEAT_DOORBELL | QUARK_FEAT_WAIT)) ==
	   (QUARK_FEAT_SHM | QUARK_FEAT_DOORBELL | QUARK_FEAT_WAIT),
	   "features 0x%llx have SHM, DOORBELL, WAIT", (unsigned long long)v.features);
	IS(xioctl(dev, bogus_size, &v), -ENOTTY, "GET_VERSION with a wrong size: ENOTTY");
	IS(xioctl(dev, _IOWR(QUARK_IOC_MAGIC, 0x7f, struct quark_wait), &v), -ENOTTY,
	   "unknown command nr: ENOTTY");
	IS(xioctl(dev, _IOR('X', 0x00, struct quark_version), &v), -ENOTTY,
	   "wrong magic: ENOTTY");
	IS(xioctl(dev, QUARK_IOC_GET_VERSION, (void *)16), -EFAULT,
	   "GET_VERSION to an unmapped pointer: EFAULT");
}

static void test_shm(int dev)
{
	struct quark_create_shm cs = { .size = 3 * 4096 };
	struct quark_create_shm bad;
	unsigned char *p, *q;
	int i, zero = 1, fdflags;

	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &cs), 0, "CREATE_SHM 12 KiB");
	fdflags = fcntl(cs.fd, F_GETFD);
	ok(cs.fd > 2 && fdflags >= 0 && (fdflags & FD_CLOEXEC), "shm fd %d is open and O_CLOEXEC", cs.fd);
	p = mmap(NULL, cs.size, PROT_READ | PROT_WRITE, MAP_SHARED, cs.fd, 0);
	ok(p != MAP_FAILED, "mmap MAP_SHARED of the whole shm");
	if (p == MAP_FAILED)
		return;
	for (i = 0; i < (int)cs.size; i++)
		zero &= p[i] == 0;
	ok(zero, "shm pages are zeroed");
	memset(p, 0xa5, cs.size);
	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, cs.fd, 2 * 4096);
	ok(q != MAP_FAILED && q[0] == 0xa5 && q[4095] == 0xa5,
	   "a second mapping at offset 8192 sees the first one's writes");
	if (q != MAP_FAILED)
		munmap(q, 4096);
	ok(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, cs.fd, 0) == MAP_FAILED &&
	   errno == EINVAL, "mmap MAP_PRIVATE: EINVAL");
	ok(mmap(NULL, 4096, PROT_READ, MAP_SHARED, cs.fd, 3 * 4096) == MAP_FAILED &&
	   errno == ENXIO, "mmap past the end: ENXIO");
	ok(mremap(p, cs.size, 2 * cs.size, MREMAP_MAYMOVE) == MAP_FAILED,
	   "mremap cannot grow the mapping (VM_DONTEXPAND)");
	munmap(p, cs.size);
	close(cs.fd);

	bad = (struct quark_create_shm){ .size = 4096, .flags = QUARK_SHM_MAX_FLAG };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM flag at MAX_FLAG: EINVAL");
	bad = (struct quark_create_shm){ .size = 4096, .flags = 1ULL << 63 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM flag bit 63: EINVAL");
	bad = (struct quark_create_shm){ .size = 4096, .flags = QUARK_SHM_HUGE };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EOPNOTSUPP, "CREATE_SHM HUGE: EOPNOTSUPP (not implemented)");
	bad = (struct quark_create_shm){ .size = 0 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM size 0: EINVAL");
	bad = (struct quark_create_shm){ .size = 4097 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM unaligned size: EINVAL");
	bad = (struct quark_create_shm){ .size = 1ULL << 40 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM 1 TiB: EINVAL");
	bad = (struct quark_create_shm){ .size = QUARK_SHM_MAX_SIZE + 4096 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM MAX_SIZE + 4 KiB: EINVAL");
	bad = (struct quark_create_shm){ .size = 4096, .reserved = 1 };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &bad), -EINVAL, "CREATE_SHM reserved != 0: EINVAL");
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, (void *)16), -EFAULT, "CREATE_SHM unmapped pointer: EFAULT");
	cs = (struct quark_create_shm){ .size = QUARK_SHM_MAX_SIZE };
	IS(xioctl(dev, QUARK_IOC_CREATE_SHM, &cs), 0, "CREATE_SHM of MAX_SIZE (64 MiB)");
	if (cs.fd > 0)
		close(cs.fd);
}

/* BD() below overrides the default fields of a compound literal on purpose. */
#pragma GCC diagnostic ignored "-Woverride-init"

static void test_bind(void)
{
	int dev = open("/dev/quark", O_RDWR), other = open("/dev/quark", O_RDWR);
	int efd = eventfd(0, 0);
	struct quark_create_shm cs = { .size = 4096 };
	struct quark_bind_doorbell bd;
	struct quark_wait qw = { .timeout_ns = 0 };

	xioctl(dev, QUARK_IOC_CREATE_SHM, &cs);
#define BD(...) (bd = (struct quark_bind_doorbell){ .eventfd = efd, .shm_fd = cs.fd, \
	.pending_off = 0, .sleeping_off = 4, __VA_ARGS__ }, xioctl(dev, QUARK_IOC_BIND_DOORBELL, &bd))
	IS(xioctl(dev, QUARK_IOC_WAIT, &qw), -ENOENT, "WAIT before BIND_DOORBELL: ENOENT");
	IS(BD(.eventfd = -1), -EBADF, "BIND_DOORBELL eventfd -1: EBADF");
	IS(BD(.eventfd = 999), -EBADF, "BIND_DOORBELL eventfd not open: EBADF");
	IS(BD(.shm_fd = 998), -EBADF, "BIND_DOORBELL shm_fd not open: EBADF");
	IS(BD(.eventfd = cs.fd), -EINVAL, "BIND_DOORBELL eventfd is not an eventfd: EINVAL");
	IS(BD(.shm_fd = efd), -EINVAL, "BIND_DOORBELL shm_fd is not a shm: EINVAL");
	IS(BD(.pending_off = 2), -EINVAL, "BIND_DOORBELL unaligned offset: EINVAL");
	IS(BD(.sleeping_off = 4096), -EINVAL, "BIND_DOORBELL offset past the shm: EINVAL");
	IS(BD(.sleeping_off = 0), -EINVAL, "BIND_DOORBELL pending == sleeping: EINVAL");
	IS(BD(.flags = QUARK_DOORBELL_MAX_FLAG), -EINVAL, "BIND_DOORBELL bad flags: EINVAL");
	IS(xioctl(dev, QUARK_IOC_BIND_DOORBELL, (void *)16), -EFAULT, "BIND_DOORBELL unmapped pointer: EFAULT");
	IS(BD(), 0, "BIND_DOORBELL");
	IS(BD(), -EBUSY, "second BIND_DOORBELL: EBUSY");
	qw = (struct quark_wait){ .flags = QUARK_WAIT_MAX_FLAG };
	IS(xioctl(dev, QUARK_IOC_WAIT, &qw), -EINVAL, "WAIT bad flags: EINVAL");
	qw = (struct quark_wait){ .spin_ns = QUARK_WAIT_MAX_SPIN_NS + 1 };
	IS(xioctl(dev, QUARK_IOC_WAIT, &qw), -EINVAL, "WAIT spin_ns > MAX: EINVAL");
	IS(xioctl(dev, QUARK_IOC_WAIT, (void *)16), -EFAULT, "WAIT unmapped pointer: EFAULT");
	/* The doorbell keeps its own references: the fds can go. */
	close(efd);
	close(cs.fd);
	qw = (struct quark_wait){ .timeout_ns = QUARK_WAIT_FOREVER };
	IS(xioctl(dev, QUARK_IOC_WAIT, &qw), -EPIPE, "WAIT after the eventfd was closed: EPIPE, not a hang");
	close(dev);
	close(other);
#undef BD
}

static void test_wait(void)
{
	struct rig r;
	struct quark_wait qw;
	struct waiter w[3];
	double t0;
	int i, rings = 0;
	uint32_t all = 0;

	IS(rig_open(&r), 0, "context with a mapped shm and a bound doorbell");
	*r.pending = 0x81;
	qw = (struct quark_wait){ .spin_ns = 0, .timeout_ns = 0 };
	IS(xioctl(r.dev, QUARK_IOC_WAIT, &qw), 0, "WAIT with work already pending");
	ok(qw.pending == 0x81 && *r.pending == 0, "returns mask 0x%x (want 0x81) and clears pending", qw.pending);

	t0 = now_s();
	qw = (struct quark_wait){ .spin_ns = 100000, .timeout_ns = 20000000 };
	IS(xioctl(r.dev, QUARK_IOC_WAIT, &qw), 0, "WAIT with nothing pending times out");
	ok(qw.pending == 0 && now_s() - t0 >= 0.019 && *r.sleeping == 0,
	   "mask 0 after %.3f s (>= 20 ms), host_sleeping back to 0", now_s() - t0);

	/* Doorbell: a sleeping WAIT is woken by the guest's post and gets its mask. */
	waiter_start(&w[0], &r, r.dev, 20ULL * 1000000000);
	ok(wait_for_sleeper(&r, 5000), "host_sleeping is 1 while WAIT sleeps");
	IS(guest_post(&r, 0x5), 1, "guest posts 0x5, sees host_sleeping, rings the eventfd");
	pthread_join(w[0].th, NULL);
	ok(w[0].ret == 0 && w[0].mask == 0x5 && w[0].secs < 10,
	   "doorbell wakes WAIT: ret %d mask 0x%x after %.3f s", w[0].ret, w[0].mask, w[0].secs);
	ok(*r.sleeping == 0 && *r.pending == 0, "host_sleeping and pending are 0 afterwards");

	/* Concurrent waiters: three sleep, three posts, each waiter gets one mask. */
	for (i = 0; i < 3; i++)
		waiter_start(&w[i], &r, r.dev, 20ULL * 1000000000);
	msleep(200);
	for (i = 0; i < 3; i++) {
		int before = w[0].done + w[1].done + w[2].done, ms = 5000;

		wait_for_sleeper(&r, 5000);
		rings += guest_post(&r, 1u << i) == 1;
		while (w[0].done + w[1].done + w[2].done == before && ms-- > 0)
			msleep(1);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(w[i].th, NULL);
		all |= w[i].mask;
	}
	ok(rings == 3 && all == 7 && !w[0].ret && !w[1].ret && !w[2].ret &&
	   __builtin_popcount(w[0].mask) == 1 && __builtin_popcount(w[1].mask) == 1 &&
	   __builtin_popcount(w[2].mask) == 1 && w[0].secs < 10 && w[1].secs < 10 && w[2].secs < 10,
	   "3 concurrent waiters: masks 0x%x 0x%x 0x%x, %d rings", w[0].mask, w[1].mask, w[2].mask, rings);
	ok(*r.sleeping == 0, "host_sleeping is 0 once the last waiter left");

	/* A signal ends a sleeping WAIT with EINTR. */
	waiter_start(&w[0], &r, r.dev, QUARK_WAIT_FOREVER);
	wait_for_sleeper(&r, 5000);
	pthread_kill(w[0].th, SIGUSR1);
	pthread_join(w[0].th, NULL);
	IS(w[0].ret, -EINTR, "SIGUSR1 interrupts a sleeping WAIT");

	/* Close while a thread waits: the context lives on until the WAIT returns. */
	waiter_start(&w[0], &r, r.dev, QUARK_WAIT_FOREVER);
	wait_for_sleeper(&r, 5000);
	close(r.dev);
	msleep(100);
	ok(!w[0].done, "closing /dev/quark's fd does not end a WAIT in progress");
	IS(guest_post(&r, 0x40), 1, "the doorbell still rings after the close");
	pthread_join(w[0].th, NULL);
	ok(w[0].ret == 0 && w[0].mask == 0x40, "that WAIT returns mask 0x%x, ret %d", w[0].mask, w[0].ret);

	r.dev = -1;
	rig_close(&r);

	IS(rig_open(&r), 0, "second context");
	waiter_start(&w[0], &r, r.dev, QUARK_WAIT_FOREVER);
	wait_for_sleeper(&r, 5000);
	close(r.dev);
	close(r.efd);
	pthread_join(w[0].th, NULL);
	IS(w[0].ret, -EPIPE, "closing the eventfd and the context under a WAIT: EPIPE");
	r.efd = -1;
	r.dev = -1;
	rig_close(&r);
}

/* BIND_WAKE: the host's own eventfd sets QUARK_WAKE_PENDING and wakes WAIT. */
static void test_wake(void)
{
	int dev = open("/dev/quark", O_RDWR | O_CLOEXEC), wfd = eventfd(0, EFD_CLOEXEC);
	struct quark_bind_wake bw;
	struct quark_wait qw;
	struct waiter w;
	struct rig r;
	uint64_t one = 1;

#define BW(d, ...) (bw = (struct quark_bind_wake){ .eventfd = wfd, __VA_ARGS__ }, 	xioctl(d, QUARK_IOC_BIND_WAKE, &bw))
	IS(BW(dev), -ENOENT, "BIND_WAKE before BIND_DOORBELL: ENOENT");
	close(dev);
	IS(rig_open(&r), 0, "context with a bound doorbell");
	IS(BW(r.dev, .eventfd = -1), -EBADF, "BIND_WAKE eventfd -1: EBADF");
	IS(BW(r.dev, .eventfd = r.shm), -EINVAL, "BIND_WAKE eventfd is not an eventfd: EINVAL");
	IS(BW(r.dev, .flags = QUARK_WAKE_MAX_FLAG), -EINVAL, "BIND_WAKE bad flags: EINVAL");
	IS(BW(r.dev, .reserved = 1), -EINVAL, "BIND_WAKE reserved != 0: EINVAL");
	IS(xioctl(r.dev, QUARK_IOC_BIND_WAKE, (void *)16), -EFAULT, "BIND_WAKE unmapped pointer: EFAULT");
	IS(BW(r.dev), 0, "BIND_WAKE");
	IS(BW(r.dev), -EBUSY, "second BIND_WAKE: EBUSY");
#undef BW

	/* A wake before the WAIT is not lost: the bit waits in pending. */
	IS((int)write(wfd, &one, sizeof(one)), 8, "write the wake eventfd while nobody waits");
	qw = (struct quark_wait){ .spin_ns = 0, .timeout_ns = QUARK_WAIT_FOREVER };
	IS(xioctl(r.dev, QUARK_IOC_WAIT, &qw), 0, "WAIT after that wake");
	ok(qw.pending == QUARK_WAKE_PENDING, "returns at once with mask 0x%x (want 0x%x)",
	   qw.pending, QUARK_WAKE_PENDING);

	/* A sleeping WAIT is woken by the wake eventfd, and still by the guest's doorbell. */
	waiter_start(&w, &r, r.dev, 20ULL * 1000000000);
	ok(wait_for_sleeper(&r, 5000), "WAIT sleeps");
	IS((int)write(wfd, &one, sizeof(one)), 8, "write the wake eventfd");
	pthread_join(w.th, NULL);
	ok(w.ret == 0 && w.mask == QUARK_WAKE_PENDING && w.secs < 10,
	   "the wake eventfd wakes WAIT: ret %d mask 0x%x after %.3f s", w.ret, w.mask, w.secs);
	waiter_start(&w, &r, r.dev, 20ULL * 1000000000);
	wait_for_sleeper(&r, 5000);
	IS(guest_post(&r, 0x2), 1, "guest rings the doorbell");
	pthread_join(w.th, NULL);
	ok(w.ret == 0 && w.mask == 0x2, "the doorbell still wakes WAIT alone: mask 0x%x", w.mask);

	/* The wake eventfd closed: WAIT goes on as before (no EPIPE: that is the doorbell's). */
	close(wfd);
	qw = (struct quark_wait){ .spin_ns = 0, .timeout_ns = 10000000 };
	IS(xioctl(r.dev, QUARK_IOC_WAIT, &qw), 0, "WAIT with the wake eventfd closed times out");
	rig_close(&r);
}

/* A VMM killed with SIGKILL in WAIT, holding a mapped shm: rmmod works after it. */
static void test_sigkill(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		struct rig r;
		struct quark_wait qw = { .timeout_ns = QUARK_WAIT_FOREVER };

		if (rig_open(&r))
			_exit(2);
		ioctl(r.dev, QUARK_IOC_WAIT, &qw);
		_exit(3);
	}
	msleep(500);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a child in WAIT dies of SIGKILL (status 0x%x)", st);
}

static void print_refcnt(void)
{
	char buf[32] = "?";
	FILE *f = fopen("/sys/module/quark/refcnt", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	printf("# /sys/module/quark/refcnt after closing everything: %s", buf);
}

static int dmesg_clean(void)
{
	static char buf[1 << 20];
	static const char *const bad[] = { "WARNING:", "BUG:", "Oops", "Call Trace", "quark: unknown" };
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1), clean = 1;
	unsigned int i;

	if (n < 0)
		return 0;
	buf[n] = 0;
	for (i = 0; i < 4; i++) {	/* the last entry is only reported, below */
		char *hit = strstr(buf, bad[i]);

		if (hit) {
			fprintf(stderr, "dmesg: %.200s\n", hit);
			clean = 0;
		}
	}
	if (!strstr(buf, bad[4]))
		fprintf(stderr, "dmesg: no 'unknown ioctl' notice\n");
	return clean;
}

int main(int argc, char **argv)
{
	const char *ko = argc > 1 ? argv[1] : "quark.ko";
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct utsname u;
	struct stat st;
	int kfd, dev;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	uname(&u);
	printf("# kernel %s, module %s\n", u.release, ko);
	kfd = open(ko, O_RDONLY | O_CLOEXEC);
	IS(kfd < 0 ? -errno : (int)syscall(SYS_finit_module, kfd, "", 0) ? -errno : 0, 0, "insmod quark.ko");
	close(kfd);
	if (nfail) {
		printf("Bail out! quark.ko did not load (see dmesg)\n");
		return 1;
	}
	memset(&st, 0, sizeof(st));
	stat("/dev/quark", &st);
	ok(S_ISCHR(st.st_mode) && (st.st_mode & 07777) == 0600 &&
	   st.st_uid == 0, "/dev/quark is a char device, mode 0%o (want 0600), uid %d",
	   st.st_mode & 07777, st.st_uid);
	dev = open("/dev/quark", O_RDWR | O_CLOEXEC);
	ok(dev >= 0, "open /dev/quark");

	test_version_and_errors(dev);
	test_shm(dev);
	test_bind();
	test_wait();
	test_wake();
	test_sigkill();

	IS(syscall(SYS_delete_module, "quark", O_NONBLOCK) ? -errno : 0, -EWOULDBLOCK,
	   "rmmod while /dev/quark is open: refused");
	close(dev);
	print_refcnt();
	IS(syscall(SYS_delete_module, "quark", O_NONBLOCK) ? -errno : 0, 0,
	   "rmmod after the last fd is closed");
	ok(stat("/dev/quark", &st) < 0, "/dev/quark is gone");
	ok(dmesg_clean(), "kernel log has no WARNING, BUG, Oops or Call Trace");
	printf("1..%d\n# %d/%d failed\n", ntest, nfail, ntest);
	return nfail ? 1 : 0;
}
