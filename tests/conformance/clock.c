/* clock_gettime/clock_getres/gettimeofday/time: monotonicity, consistency, EINVAL. */
#include "common.h"
#include <sys/time.h>

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	struct timespec a, b;
	int mono_ok = 1, nsec_ok = 1;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a));
	for (int i = 0; i < 2000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		mono_ok &= ns(&b) >= ns(&a);
		nsec_ok &= b.tv_nsec >= 0 && b.tv_nsec < 1000000000L;
		a = b;
	}
	EXPECT(mono_ok);
	EXPECT(nsec_ok);
	/* the raw syscall (not the vDSO) agrees and is monotonic too */
	struct timespec r;
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &r));
	EXPECT(ns(&r) >= ns(&a));

	/* realtime, gettimeofday and time agree within a few seconds */
	struct timespec rt;
	struct timeval tv;
	CHECK(clock_gettime(CLOCK_REALTIME, &rt));
	CHECK(gettimeofday(&tv, NULL));
	time_t t = time(NULL);
	time_t t2;
	CHECK_OK(time(&t2));
	EXPECT(rt.tv_sec > 1600000000);
	EXPECT(llabs((long long)tv.tv_sec - rt.tv_sec) <= 2 && llabs((long long)t - rt.tv_sec) <= 2);
	EXPECT(t2 >= t);
	EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK(syscall(SYS_gettimeofday, &tv, NULL));
	CHECK_OK(syscall(SYS_time, NULL));

	/* other clocks */
	CHECK(clock_gettime(CLOCK_BOOTTIME, &b));
	CHECK(clock_gettime(CLOCK_MONOTONIC_RAW, &b));
	CHECK(clock_gettime(CLOCK_REALTIME_COARSE, &b));
	CHECK(clock_gettime(CLOCK_MONOTONIC_COARSE, &b));
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b));
	CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b));
	/* CPU time advances while we burn CPU */
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 20000000UL; i++)
		x += i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	EXPECT(ns(&c1) > ns(&c0));

	/* monotonic advances across a sleep */
	clock_gettime(CLOCK_MONOTONIC, &a);
	msleep(20);
	clock_gettime(CLOCK_MONOTONIC, &b);
	EXPECT(ns(&b) - ns(&a) >= 20000000LL);

	/* resolution */
	struct timespec res;
	CHECK(clock_getres(CLOCK_MONOTONIC, &res));
	printf("monotonic res=%ld.%09ld\n", (long)res.tv_sec, res.tv_nsec);
	CHECK(clock_getres(CLOCK_REALTIME, &res));
	printf("realtime res=%ld.%09ld\n", (long)res.tv_sec, res.tv_nsec);
	CHECK(clock_getres(CLOCK_MONOTONIC, NULL));

	/* errors (raw: the vDSO path differs per libc) */
	CHECK(syscall(SYS_clock_gettime, 12345, &b));
	CHECK(syscall(SYS_clock_gettime, -1, &b));
	CHECK(syscall(SYS_clock_getres, 12345, &res));
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
	return 0;
}
