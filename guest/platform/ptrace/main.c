/*
 * platform/ptrace/main.c - the sandbox process of the ptrace platform: validates the
 * boot info, creates guest memory (a memfd mapped here as qkernel's physical memory),
 * forwards host signals to the container's init, and provides time, logging, idling
 * and shutdown to the core. One CPU: this thread runs qkernel and traces every stub.
 */
#include <qk/platform.h>
#include <qk/proc.h>
#include <qk/host.h>
#include <qk/vfs.h>
#include <qk/lib.h>
#include <quark/boot.h>
#include <linux/signalfd.h>
#include <linux/memfd.h>
#include "hsyscall.h"
#include "ptrace.h"

int guest_memfd = -1;
int stub_exec_fd = -1;
static int log_fd = -1;
static u64 boot_ns;
extern const u8 stub_image[], stub_image_end[];

struct cpu *this_cpu(void)
{
	return &cpus[0];
}

u64 clock_monotonic_ns(void)
{
	return ptrace_clock_ns(CLOCK_MONOTONIC);
}

u64 clock_realtime_ns(void)
{
	return ptrace_clock_ns(CLOCK_REALTIME);
}

u64 boot_time_ns(void)
{
	return boot_ns;
}

void plat_log_write(const char *buf, size_t n)
{
	if (log_fd >= 0)
		hsyscall3(__NR_write, log_fd, buf, n);
}

void plat_console_error(const char *msg, size_t n)
{
	hsyscall3(__NR_write, 2, msg, n);
}

static __noreturn void die(const char *msg)
{
	plat_console_error(msg, strlen(msg));
	hsyscall1(__NR_exit_group, 125);
	__builtin_unreachable();
}

void plat_shutdown(int wstatus)
{
	int sig = wstatus & 0x7f;

	if (sig && sig != 0x7f) {
		/* Die of the same signal, without a core dump of the sandbox. */
		struct k_sigaction dfl = { 0 };
		struct rlimit64 nocore = { 0, 0 };
		u64 mask = sigmask_of(sig);

		hsyscall4(__NR_prlimit64, 0, RLIMIT_CORE, &nocore, 0);
		hsyscall4(__NR_rt_sigaction, sig, &dfl, 0, 8);
		hsyscall4(__NR_rt_sigprocmask, SIG_UNBLOCK, &mask, 0, 8);
		hsyscall2(__NR_kill, hsyscall0(__NR_getpid), sig);
		hsyscall1(__NR_exit_group, 128 + sig);
	}
	hsyscall1(__NR_exit_group, (wstatus >> 8) & 0xff);
	__builtin_unreachable();
}

/* Host page faults are costly here: populate guest memory 2 MiB at a time as qkernel
 * first reaches it, with one madvise instead of a fault per page. */
void plat_mem_first_use(paddr_t start, paddr_t end)
{
	static paddr_t populated;
	const u64 chunk = 2UL << 20;

	if (end <= populated)
		return;
	start = MAX(start, populated);
	end = MIN(ALIGN_UP(end, chunk), phys_size);
	hsyscall3(__NR_madvise, phys_base + start, end - start, 23 /* MADV_POPULATE_WRITE */);
	populated = end;
}

/* One CPU: nothing to switch or kick (each stub process has its own address space and
 * FPU state). */
void plat_switch(struct task *prev, struct task *next)
{
	(void)prev;
	(void)next;
}

void plat_kick_cpu(void)
{
}

void plat_idle(u64 deadline)
{
	u64 now;

	stub_prepare_spare();
	now = clock_monotonic_ns();

	host_waits_poll(deadline == UINT64_MAX ? UINT64_MAX : deadline > now ? deadline - now : 0);
}

/* --- forwarded host signals --- */

#define FORWARDED (sigmask_of(SIGINT) | sigmask_of(SIGTERM) | sigmask_of(SIGHUP) | \
		   sigmask_of(SIGQUIT) | sigmask_of(SIGUSR1) | sigmask_of(SIGUSR2) | \
		   sigmask_of(SIGWINCH))

/* A keyboard signal: the host tty raised it (SI_KERNEL). */
static bool keyboard_signal(const struct signalfd_siginfo *si)
{
	return si->ssi_code == SI_KERNEL &&
	       (si->ssi_signo == SIGINT || si->ssi_signo == SIGQUIT || si->ssi_signo == SIGWINCH);
}

static void on_host_signal(int fd)
{
	struct signalfd_siginfo si;

	while (hsyscall3(__NR_read, fd, &si, sizeof(si)) == sizeof(si))
		host_signal_forward((int)si.ssi_signo, keyboard_signal(&si));
}

static void setup_signals(void)
{
	u64 mask = FORWARDED;
	long fd;

	struct k_sigaction ign = { .handler = (u64)SIG_IGN };

	/* tty ioctls passed through for the guest must not stop the sandbox when it runs
	 * in a background process group. */
	hsyscall4(__NR_rt_sigaction, SIGTTOU, &ign, 0, 8);
	hsyscall4(__NR_rt_sigprocmask, SIG_BLOCK, &mask, 0, 8);
	fd = hsyscall4(__NR_signalfd4, -1, &mask, 8, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		die("quark sandbox: signalfd failed\n");
	host_watch_add(fd, POLLIN, on_host_signal);
}

/* --- boot --- */

static int parse_int(const char *s)
{
	int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + *s - '0';
	}
	return v;
}

static long make_memfd(const char *name, u64 size, const void *data, size_t n)
{
	long fd = hsyscall2(__NR_memfd_create, name, MFD_CLOEXEC);

	if (fd < 0 || hsyscall2(__NR_ftruncate, fd, size) < 0)
		return -1;
	if (n && hsyscall3(__NR_write, fd, data, n) != (long)n)
		return -1;
	return fd;
}

void ptrace_main(u64 *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	struct quark_boot_info *bi;
	struct stat st;
	int bfd;
	const char *err;
	long r;

	vdso_init(sp);
	bfd = argc >= 2 ? parse_int(argv[1]) : -1;
	if (bfd < 0 || hsyscall2(__NR_fstat, bfd, &st) < 0)
		die("quark sandbox: usage: qkernel <boot-info fd>\n");
	if (st.st_size < (long)sizeof(*bi) || st.st_size > QUARK_BOOT_MAX_SIZE)
		die("quark sandbox: boot info has a bad size\n");
	r = hsyscall6(__NR_mmap, 0, st.st_size, PROT_READ, MAP_PRIVATE, bfd, 0);
	if (r < 0)
		die("quark sandbox: cannot map boot info\n");
	bi = (struct quark_boot_info *)r;
	err = boot_info_check(bi, st.st_size);
	if (err) {
		char msg[128];
		snprintf(msg, sizeof(msg), "quark sandbox: invalid boot info: %s\n", err);
		die(msg);
	}
	log_fd = bi->log_fd;
	boot_ns = bi->boot_time_ns;
	guest_memfd = make_memfd("quark-guest-memory", bi->mem_size, NULL, 0);
	stub_exec_fd = make_memfd("quark-stub", 0, stub_image, stub_image_end - stub_image);
	if (guest_memfd < 0 || stub_exec_fd < 0)
		die("quark sandbox: cannot create guest memory\n");
	r = hsyscall6(__NR_mmap, 0, bi->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, guest_memfd, 0);
	if (r < 0)
		die("quark sandbox: cannot map guest memory\n");
	phys_base = (u8 *)r;
	phys_size = bi->mem_size;
	setup_signals();
	kernel_main(bi, (const char *)bi, PAGE_SIZE);
}
