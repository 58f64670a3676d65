/* nanosleep/clock_nanosleep: durations, TIMER_ABSTIME, EINVAL, EINTR with remaining time. */
#include "common.h"

static long long now_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A child that sends SIGUSR1 to target every 20 ms until killed (so the
 * signal arrives while the target sleeps, however slowly it gets there). */
static pid_t pester(pid_t target)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			msleep(20);
			kill(target, SIGUSR1);
		}
	}
	return pid;
}

int main(void)
{
	struct timespec ts = { 0, 20000000 }, rem;
	long long t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(nanosleep(&ts, NULL));
	EXPECT(now_ns(CLOCK_MONOTONIC) - t0 >= 20000000LL);
	ts = (struct timespec){ 0, 0 };
	CHECK(nanosleep(&ts, &rem));

	/* invalid values */
	ts = (struct timespec){ 0, 1000000000 };
	CHECK(nanosleep(&ts, NULL));
	ts = (struct timespec){ 0, -1 };
	CHECK(nanosleep(&ts, NULL));
	ts = (struct timespec){ -1, 0 };
	CHECK(nanosleep(&ts, NULL));
	CHECK(syscall(SYS_nanosleep, NULL, NULL));

	/* clock_nanosleep returns the error number instead of setting errno */
	ts = (struct timespec){ 0, 10000000 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_ERR(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
	EXPECT(now_ns(CLOCK_MONOTONIC) - t0 >= 10000000LL);
	CHECK_ERR(clock_nanosleep(CLOCK_REALTIME, 0, &ts, NULL));
	/* absolute deadline: 15 ms from now; one in the past returns at once */
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	t0 = (long long)dl.tv_sec * 1000000000LL + dl.tv_nsec;
	dl.tv_nsec += 15000000;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	CHECK_ERR(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL));
	EXPECT(now_ns(CLOCK_MONOTONIC) - t0 >= 15000000LL);
	dl = (struct timespec){ 1, 0 };
	CHECK_ERR(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL));
	ts = (struct timespec){ 0, 1000000000 };
	CHECK_ERR(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
	ts = (struct timespec){ 0, 1000 };
	CHECK(syscall(SYS_clock_nanosleep, 12345, 0, &ts, NULL));
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL));
	CHECK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0x10, &ts, NULL));

	/* interrupted by a signal from a child: EINTR and the remaining time */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t pid = pester(getpid());
	ts = (struct timespec){ 5, 0 };
	rem = (struct timespec){ 0, 0 };
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(nanosleep(&ts, &rem));
	EXPECT(now_ns(CLOCK_MONOTONIC) - t0 < 4000000000LL);
	EXPECT(rem.tv_sec >= 1 && rem.tv_sec <= 5 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L);
	kill(pid, SIGKILL);
	reap(pid);
	/* same with clock_nanosleep */
	pid = pester(getpid());
	ts = (struct timespec){ 5, 0 };
	CHECK_ERR(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem));
	EXPECT(rem.tv_sec >= 1 && rem.tv_sec <= 5);
	kill(pid, SIGKILL);
	reap(pid);
	return 0;
}
