/* kill/tgkill/tkill: to self, to children, to process groups; EINVAL/ESRCH/EPERM. */
#include "common.h"

static volatile int got[65];

static void h(int sig)
{
	got[sig]++;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

int main(void)
{
	signal(SIGUSR1, h);
	signal(SIGUSR2, h);
	pid_t me = getpid();
	long tid = syscall(SYS_gettid);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	reap(dead);

	CHECK(kill(me, 0));
	CHECK(kill(me, SIGUSR1));
	printf("delivered before kill returned: %d\n", got[SIGUSR1]);
	CHECK(syscall(SYS_tgkill, me, tid, SIGUSR2));
	CHECK(syscall(SYS_tkill, tid, SIGUSR1));
	CHECK(syscall(SYS_tgkill, me, tid, 0));
	printf("got USR1=%d USR2=%d\n", got[SIGUSR1], got[SIGUSR2]);

	/* errors */
	CHECK(kill(me, 65));
	CHECK(kill(me, -1));
	CHECK(kill(dead, 0));
	CHECK(kill(dead, SIGTERM));
	CHECK(syscall(SYS_tgkill, me, tid, 65));
	CHECK(syscall(SYS_tgkill, 0, tid, SIGUSR1));
	CHECK(syscall(SYS_tgkill, me, 0, SIGUSR1));
	CHECK(syscall(SYS_tgkill, me, -1, SIGUSR1));
	CHECK(syscall(SYS_tgkill, dead, tid, SIGUSR1));
	CHECK(syscall(SYS_tgkill, me, dead, SIGUSR1));
	CHECK(syscall(SYS_tkill, 0, SIGUSR1));
	CHECK(syscall(SYS_tkill, dead, SIGUSR1));

	/* to a child */
	pid_t c = sleeper();
	CHECK(kill(c, 0));
	CHECK(kill(c, SIGTERM));
	printf("child %s\n", wstatus(reap(c)));
	c = sleeper();
	CHECK(syscall(SYS_tgkill, c, c, SIGKILL));
	printf("child %s\n", wstatus(reap(c)));

	/* to a process group: two children in a new group */
	pid_t a = sleeper();
	setpgid(a, a);
	pid_t b = fork();
	if (b == 0) {
		setpgid(0, a);
		for (;;)
			pause();
	}
	setpgid(b, a);
	CHECK(kill(-a, 0));
	CHECK(kill(-a, SIGHUP));
	printf("group member a %s\n", wstatus(reap(a)));
	printf("group member b %s\n", wstatus(reap(b)));
	CHECK(kill(-a, 0));

	/* kill(0, sig): the caller's own group (done inside a child with its own group) */
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		got[SIGUSR2] = 0;
		kill(0, SIGUSR2);
		_exit(got[SIGUSR2] == 1 ? 0 : 1);
	}
	printf("kill(0) in child: %s\n", wstatus(reap(g)));

	/* an unprivileged sender cannot signal root's processes */
	c = sleeper();
	pid_t u = fork();
	if (u == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(99);
		CHECK(kill(me, 0));
		CHECK(kill(c, SIGTERM));
		CHECK(kill(getpid(), 0));
		_exit(0);
	}
	reap(u);
	CHECK(kill(c, SIGKILL));
	printf("child %s\n", wstatus(reap(c)));
	return 0;
}
