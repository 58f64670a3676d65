/* sysinfo succeeds with sane values; sched_yield returns 0. */
#include "common.h"
#include <sched.h>
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo si;
	CHECK(sysinfo(&si));
	EXPECT(si.mem_unit >= 1);
	EXPECT(si.totalram > 0 && si.freeram <= si.totalram);
	EXPECT(si.procs >= 1);
	CHECK(syscall(SYS_sysinfo, NULL));
	CHECK(syscall(SYS_sysinfo, (void *)1));
	CHECK(sched_yield());
	for (int i = 0; i < 100; i++)
		sched_yield();
	CHECK(syscall(SYS_sched_yield));
	/* yielding with a runnable child still completes both */
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 100; i++)
			sched_yield();
		_exit(3);
	}
	for (int i = 0; i < 100; i++)
		sched_yield();
	printf("child %s\n", wstatus(reap(pid)));
	return 0;
}
