/* getpid/getppid/gettid relations (printed as equalities, never as numbers). */
#include "common.h"

int main(void)
{
	pid_t me = getpid();
	EXPECT(me > 0);
	EXPECT(me == syscall(SYS_getpid));
	EXPECT(me == syscall(SYS_gettid));
	EXPECT(getppid() == syscall(SYS_getppid));
	EXPECT(getpgrp() == getpgid(0));
	EXPECT(getsid(0) == getsid(me));
	EXPECT(getpgid(me) == getpgid(0));
	pid_t pp = getppid();
	EXPECT(getppid() == pp);

	int p[2];
	MUST(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		int r[6];
		r[0] = getppid() == me;
		r[1] = getpid() != me;
		r[2] = syscall(SYS_gettid) == getpid();
		r[3] = getpgrp() == getpgid(me);
		r[4] = getsid(0) == getsid(me);
		r[5] = getpid() > 0;
		ssize_t UNUSED w = write(p[1], r, sizeof r);
		_exit(0);
	}
	int r[6];
	MUST(read(p[0], r, sizeof r));
	reap(pid);
	printf("child: ppid==parent=%d own pid=%d tid==pid=%d same pgrp=%d same sid=%d positive=%d\n",
	       r[0], r[1], r[2], r[3], r[4], r[5]);

	/* the pid fork returned is the child's own getpid */
	pid = fork();
	if (pid == 0) {
		pid_t c = getpid();
		ssize_t UNUSED w = write(p[1], &c, sizeof c);
		_exit(0);
	}
	pid_t c;
	MUST(read(p[0], &c, sizeof c));
	reap(pid);
	EXPECT(c == pid);

	/* pids of successive children are distinct */
	pid_t a = fork();
	if (a == 0)
		_exit(0);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	EXPECT(a != b && a != me && b != me);
	reap(a);
	reap(b);

	/* grandchild's getppid is the child */
	pid = fork();
	if (pid == 0) {
		pid_t mid = getpid();
		pid_t g = fork();
		if (g == 0)
			_exit(getppid() == mid ? 0 : 1);
		int st;
		waitpid(g, &st, 0);
		_exit(WEXITSTATUS(st) == 0 && getppid() == me ? 0 : 1);
	}
	printf("grandchild chain: %s\n", wstatus(reap(pid)));
	return 0;
}
