/*
 * kernel/time.c - clocks, sleeps and interval timers: clock_gettime, clock_getres,
 * gettimeofday, time, times, nanosleep, clock_nanosleep, alarm, setitimer, getitimer.
 *
 * Clocks are the platform's CLOCK_REALTIME and CLOCK_MONOTONIC (the host's, as in a
 * container: no time namespace); BOOTTIME, MONOTONIC_RAW and the coarse clocks read
 * the same sources. CPU clocks come from the tasks' accounted user/system time.
 * Resolutions are those of a HZ=250 Linux (Debian's): 1 ns, coarse 4 ms.
 */
#include "signal_internal.h"
#include <qk/uaccess.h>
#include <qk/lib.h>
#include <linux/time.h>
#include <linux/times.h>

#define NSEC_PER_SEC	1000000000ULL
#define TICK_NSEC	4000000ULL	/* HZ = 250 */
#define USER_HZ		100

/* CPU-time clock ids (posix-cpu-timers): ~pid << 3 | perthread << 2 | which. */
#define CPUCLOCK_PID(c)		(~((c) >> 3))
#define CPUCLOCK_PERTHREAD(c)	(((c) & 4) != 0)
#define CPUCLOCK_WHICH(c)	((c) & 3)
enum { CPUCLOCK_PROF, CPUCLOCK_VIRT, CPUCLOCK_SCHED, CPUCLOCK_FD };
#define CPUCLOCK_SELF_PROCESS	(-8 | CPUCLOCK_SCHED)		/* CLOCK_PROCESS_CPUTIME_ID */
#define CPUCLOCK_SELF_THREAD	(-8 | 4 | CPUCLOCK_SCHED)	/* CLOCK_THREAD_CPUTIME_ID */

static struct __kernel_timespec ns_to_ts(u64 ns)
{
	return (struct __kernel_timespec){ (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };
}

static bool ts_valid(const struct __kernel_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && (u64)ts->tv_nsec < NSEC_PER_SEC;
}

/* Saturating: far-future requests become "forever" (UINT64_MAX). */
static u64 ts_to_ns(const struct __kernel_timespec *ts)
{
	if ((u64)ts->tv_sec >= UINT64_MAX / NSEC_PER_SEC - 1)
		return UINT64_MAX;
	return (u64)ts->tv_sec * NSEC_PER_SEC + (u64)ts->tv_nsec;
}

static u64 add_sat(u64 a, u64 b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* A CPU-time clock: 0 and the time in *ns, or -EINVAL (posix_cpu_clock_get). */
static int cpu_clock_ns(int clk, u64 *ns)
{
	int pid = CPUCLOCK_PID(clk), which = CPUCLOCK_WHICH(clk);
	struct task *t = current;
	bool user = true, sys = which != CPUCLOCK_VIRT;	/* VIRT: user time only */

	if (which == CPUCLOCK_FD)
		return -EINVAL;
	if (CPUCLOCK_PERTHREAD(clk)) {
		if (pid && pid != t->tid)
			return -EINVAL;	/* only threads of our own group (we have one) */
		*ns = (user ? t->utime_ns : 0) + (sys ? t->stime_ns : 0);
		return 0;
	}
	{
		struct proc *p = pid ? proc_find(pid) : t->proc;
		if (!p)
			return -EINVAL;
		*ns = proc_cpu_ns(p, user, sys);
	}
	return 0;
}

/* Read a clock: 0, -EINVAL (unknown), -EOPNOTSUPP (alarm clocks: no RTC). */
static int clock_read(int clk, u64 *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = clock_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		return cpu_clock_ns(CPUCLOCK_SELF_PROCESS, ns);
	case CLOCK_THREAD_CPUTIME_ID:
		return cpu_clock_ns(CPUCLOCK_SELF_THREAD, ns);
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return -EOPNOTSUPP;
	default:
		return clk < 0 ? cpu_clock_ns(clk, ns) : -EINVAL;
	}
}

static int clock_res(int clk, u64 *res)
{
	u64 dummy;
	int r = clock_read(clk, &dummy);

	if (r)
		return r;
	if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		*res = TICK_NSEC;
	else if (clk < 0 && CPUCLOCK_WHICH(clk) != CPUCLOCK_SCHED)
		*res = TICK_NSEC;
	else
		*res = 1;
	return 0;
}

long sys_clock_gettime(int clk, uaddr_t utp)
{
	struct __kernel_timespec ts;
	u64 ns;
	int r = clock_read(clk, &ns);

	if (r)
		return r;
	ts = ns_to_ts(ns);
	return copy_to_user(utp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

long sys_clock_getres(int clk, uaddr_t utp)
{
	struct __kernel_timespec ts;
	u64 res;
	int r = clock_res(clk, &res);

	if (r)
		return r;
	ts = ns_to_ts(res);
	if (utp && copy_to_user(utp, &ts, sizeof(ts)))
		return -EFAULT;
	return 0;
}

long sys_gettimeofday(uaddr_t utv, uaddr_t utz)
{
	if (utv) {
		u64 ns = clock_realtime_ns();
		struct __kernel_old_timeval tv = { (long)(ns / NSEC_PER_SEC),
						   (long)(ns % NSEC_PER_SEC / 1000) };
		if (copy_to_user(utv, &tv, sizeof(tv)))
			return -EFAULT;
	}
	if (utz) {
		struct timezone tz = { 0, 0 };	/* sys_tz: nobody sets it in a container */
		if (copy_to_user(utz, &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(uaddr_t tloc)
{
	long t = (long)(clock_realtime_ns() / NSEC_PER_SEC);

	if (tloc && put_user(t, tloc))
		return -EFAULT;
	return t;
}

static long ns_to_clock_t(u64 ns)
{
	return (long)(ns / (NSEC_PER_SEC / USER_HZ));
}

long sys_times(uaddr_t ubuf)
{
	struct proc *p = current->proc;

	if (ubuf) {
		struct tms tms = {
			.tms_utime = ns_to_clock_t(proc_cpu_ns(p, true, false)),
			.tms_stime = ns_to_clock_t(proc_cpu_ns(p, false, true)),
			.tms_cutime = ns_to_clock_t(p->cutime_ns),
			.tms_cstime = ns_to_clock_t(p->cstime_ns),
		};
		if (copy_to_user(ubuf, &tms, sizeof(tms)))
			return -EFAULT;
	}
	/* Linux's jiffies start 5 minutes before wrapping 32 bits (INITIAL_JIFFIES). */
	return (long)((0x100000000ULL - 300 * 250) * USER_HZ / 250) +
	       ns_to_clock_t(clock_monotonic_ns());
}

/* --- sleeping --- */

/* Sleep until the monotonic deadline: 0 once it has passed (even if a signal came at
 * the same time, as Linux), or -ERESTARTSYS. */
static long sleep_until(u64 deadline)
{
	for (;;) {
		u64 now = clock_monotonic_ns();
		long r;

		if (now >= deadline)
			return 0;
		r = sleep_timeout(deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
		if (r < 0)
			return clock_monotonic_ns() >= deadline ? 0 : r;
	}
}

/* Interrupted sleeps return -ERESTARTNOHAND: EINTR when a handler runs, a transparent
 * restart after a stop or an ignored signal (re-sleeping the whole request; Linux's
 * restart block would sleep only the rest). urem gets the time left, if given. */
static long do_nanosleep(u64 deadline, uaddr_t urem)
{
	struct __kernel_timespec rem;

	if (!sleep_until(deadline))
		return 0;
	if (urem) {
		u64 now = clock_monotonic_ns();
		rem = ns_to_ts(deadline == UINT64_MAX ? UINT64_MAX : deadline > now ? deadline - now : 0);
		if (copy_to_user(urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	return -ERESTARTNOHAND;
}

static long get_sleep_request(uaddr_t ureq, u64 *ns)
{
	struct __kernel_timespec ts;

	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (!ts_valid(&ts))
		return -EINVAL;
	*ns = ts_to_ns(&ts);
	return 0;
}

long sys_nanosleep(uaddr_t ureq, uaddr_t urem)
{
	u64 ns;
	long r = get_sleep_request(ureq, &ns);

	if (r)
		return r;
	return do_nanosleep(add_sat(clock_monotonic_ns(), ns), urem);
}

/* Sleeping on a CPU clock of our own single-threaded process never ends before a
 * signal (our CPU time does not advance while we sleep). */
static long cpu_clock_nanosleep(int clk, bool abs, u64 ns)
{
	u64 now;
	int r;

	if (CPUCLOCK_PERTHREAD(clk))
		return -EINVAL;
	r = cpu_clock_ns(clk, &now);
	if (r)
		return r;
	if (abs ? ns <= now : ns == 0)
		return 0;
	return sleep_until(UINT64_MAX) ? -ERESTARTNOHAND : 0;
}

long sys_clock_nanosleep(int clk, int flags, uaddr_t ureq, uaddr_t urem)
{
	bool abs = flags & TIMER_ABSTIME;
	u64 ns, now, deadline;
	long r;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return -EOPNOTSUPP;
	default:
		if (clk >= 0 || CPUCLOCK_WHICH(clk) == CPUCLOCK_FD)
			return -EINVAL;
	}
	r = get_sleep_request(ureq, &ns);
	if (r)
		return r;
	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk < 0)
		return cpu_clock_nanosleep(clk < 0 ? clk : CPUCLOCK_SELF_PROCESS, abs, ns);
	if (!abs)
		return do_nanosleep(add_sat(clock_monotonic_ns(), ns), urem);
	/* Absolute: convert the target to a monotonic deadline; no remaining time. */
	clock_read(clk, &now);
	if (ns <= now)
		return 0;
	if (clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME)
		deadline = ns;
	else
		deadline = add_sat(clock_monotonic_ns(), ns - now);
	return do_nanosleep(deadline, 0);
}

/* --- ITIMER_REAL and alarm --- */

/* One armed real-time interval timer. It names its process by pid and start time, so
 * a process that exits with a timer armed needs no cleanup: the timer finds it gone. */
struct itimer {
	struct ktimer kt;
	struct list_head node;	/* in itimers */
	int pid;
	u64 start_ns;
	u64 interval_ns;
};
static LIST_HEAD(itimers);

static struct itimer *itimer_find(struct proc *p)
{
	struct itimer *it;

	list_for_each_entry(it, &itimers, node)
		if (it->pid == p->pid && it->start_ns == p->start_ns)
			return it;
	return NULL;
}

static void itimer_free(struct itimer *it)
{
	ktimer_del(&it->kt);
	list_del(&it->node);
	kfree(it);
}

/* it_real_fn(): SIGALRM (SI_KERNEL) to the process, then re-arm if periodic. */
static void itimer_fire(struct ktimer *kt)
{
	struct itimer *it = container_of(kt, struct itimer, kt);
	struct proc *p = proc_find(it->pid);
	siginfo_t info;
	u64 now;

	if (!p || p->start_ns != it->start_ns || p->state != PROC_ALIVE) {
		itimer_free(it);
		return;
	}
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGALRM;
	info.si_code = SI_KERNEL;
	send_signal_proc(p, SIGALRM, &info);
	if (!it->interval_ns) {
		itimer_free(it);
		return;
	}
	now = clock_monotonic_ns();
	while (kt->expires_ns <= now)	/* hrtimer_forward: skip missed periods */
		kt->expires_ns = add_sat(kt->expires_ns, it->interval_ns);
	ktimer_add(kt);
}

/* Current value of p's ITIMER_REAL in ns: remaining (at least 1 us while armed) and
 * interval. */
static void itimer_get(struct proc *p, u64 *value, u64 *interval)
{
	struct itimer *it = itimer_find(p);
	u64 now = clock_monotonic_ns();

	*value = *interval = 0;
	if (!it)
		return;
	*value = it->kt.expires_ns > now ? it->kt.expires_ns - now : 1000;
	*interval = it->interval_ns;
}

static int itimer_set(struct proc *p, u64 value, u64 interval)
{
	struct itimer *it = itimer_find(p);

	if (!value) {
		if (it)
			itimer_free(it);
		return 0;
	}
	if (!it) {
		it = kzalloc(sizeof(*it));
		if (!it)
			return -ENOMEM;
		it->pid = p->pid;
		it->start_ns = p->start_ns;
		it->kt.fn = itimer_fire;
		list_init(&it->kt.node);
		list_add(&it->node, &itimers);
	}
	it->interval_ns = interval;
	it->kt.expires_ns = add_sat(clock_monotonic_ns(), value);
	ktimer_add(&it->kt);
	return 0;
}

static bool tv_valid(const struct __kernel_old_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static u64 tv_to_ns(const struct __kernel_old_timeval *tv)
{
	if ((u64)tv->tv_sec >= UINT64_MAX / NSEC_PER_SEC - 1)
		return UINT64_MAX;
	return (u64)tv->tv_sec * NSEC_PER_SEC + (u64)tv->tv_usec * 1000;
}

static struct __kernel_old_timeval ns_to_tv(u64 ns)
{
	return (struct __kernel_old_timeval){ (long)(ns / NSEC_PER_SEC),
					      (long)(ns % NSEC_PER_SEC / 1000) };
}

/* ITIMER_VIRTUAL and ITIMER_PROF are accepted and never fire (PARTIAL). */
static long itimer_which_ok(int which)
{
	return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF ? 0 : -EINVAL;
}

long sys_getitimer(int which, uaddr_t uval)
{
	struct __kernel_old_itimerval v = { { 0, 0 }, { 0, 0 } };
	u64 value, interval;

	if (itimer_which_ok(which))
		return -EINVAL;
	if (which == ITIMER_REAL) {
		itimer_get(current->proc, &value, &interval);
		v.it_value = ns_to_tv(value);
		v.it_interval = ns_to_tv(interval);
	}
	return copy_to_user(uval, &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_setitimer(int which, uaddr_t unew, uaddr_t uold)
{
	struct __kernel_old_itimerval nv = { { 0, 0 }, { 0, 0 } }, ov = { { 0, 0 }, { 0, 0 } };
	struct proc *p = current->proc;
	u64 value, interval;
	long r;

	if (unew) {
		if (copy_from_user(&nv, unew, sizeof(nv)))
			return -EFAULT;
		if (!tv_valid(&nv.it_value) || !tv_valid(&nv.it_interval))
			return -EINVAL;
	}
	if (itimer_which_ok(which))
		return -EINVAL;
	if (which != ITIMER_REAL)
		return uold && copy_to_user(uold, &ov, sizeof(ov)) ? -EFAULT : 0;
	itimer_get(p, &value, &interval);
	ov.it_value = ns_to_tv(value);
	ov.it_interval = ns_to_tv(interval);
	r = itimer_set(p, tv_to_ns(&nv.it_value), tv_to_ns(&nv.it_interval));
	if (r)
		return r;
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

/* alarm(): seconds left on the previous alarm, rounded so a pending one never reads 0. */
long sys_alarm(unsigned int seconds)
{
	struct proc *p = current->proc;
	u64 value, interval, sec, nsec;

	itimer_get(p, &value, &interval);
	itimer_set(p, (u64)seconds * NSEC_PER_SEC, 0);
	sec = value / NSEC_PER_SEC;
	nsec = value % NSEC_PER_SEC;
	if ((!sec && nsec) || nsec >= NSEC_PER_SEC / 2)
		sec++;
	return (long)sec;
}
