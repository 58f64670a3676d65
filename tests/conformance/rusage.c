/* getrusage: SELF/CHILDREN/THREAD succeed, values are sane, EINVAL/EFAULT. */
#include "common.h"
#include <sys/resource.h>

static long us(struct timeval tv)
{
	return tv.tv_sec * 1000000L + tv.tv_usec;
}

int main(void)
{
	struct rusage ru, ch;
	CHECK(getrusage(RUSAGE_SELF, &ru));
	EXPECT(ru.ru_maxrss > 0);
	EXPECT(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK(getrusage(RUSAGE_THREAD, &ru));
	CHECK(getrusage(RUSAGE_CHILDREN, &ch));
	/* Not printed: RUSAGE_CHILDREN survives execve, so natively it holds whatever the
	 * test runner's own children used before it exec'd us. */
	long before = us(ch.ru_utime) + us(ch.ru_stime);

	/* a child that burns CPU shows up in RUSAGE_CHILDREN after it is reaped */
	pid_t pid = fork();
	if (pid == 0) {
		volatile unsigned long x = 0;
		for (unsigned long i = 0; i < 100000000UL; i++)
			x += i;
		_exit(0);
	}
	struct rusage w;
	int st;
	CHECK_OK(wait4(pid, &st, 0, &w));
	printf("child %s\n", wstatus(st));
	EXPECT(us(w.ru_utime) + us(w.ru_stime) > 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ch));
	EXPECT(us(ch.ru_utime) + us(ch.ru_stime) > before);

	/* CPU time of self advances */
	struct rusage a, b;
	getrusage(RUSAGE_SELF, &a);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 100000000UL; i++)
		x += i;
	getrusage(RUSAGE_SELF, &b);
	EXPECT(us(b.ru_utime) + us(b.ru_stime) > us(a.ru_utime) + us(a.ru_stime));

	/* errors */
	CHECK(getrusage(5, &ru));
	CHECK(getrusage(-3, &ru));
	CHECK(syscall(SYS_getrusage, RUSAGE_SELF, NULL));
	return 0;
}
