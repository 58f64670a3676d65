/* setpgid/getpgid/setsid/getsid, done in children (our own role differs between hosts). */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait-on-fd") == 0) {
		/* exec'd: say so on argv[3], then wait for EOF on argv[2] */
		char c = 'r';
		ssize_t UNUSED w = write(atoi(argv[3]), &c, 1);
		ssize_t UNUSED r = read(atoi(argv[2]), &c, 1);
		return 0;
	}
	pid_t top = getpid();
	pid_t toppg = getpgrp();
	pid_t topsid = getsid(0);
	pid_t dead = fork(); /* a pid that no longer exists */
	if (dead == 0)
		_exit(0);
	reap(dead);

	pid_t a = fork();
	if (a == 0) {
		pid_t me = getpid();
		printf("A: pgid==parent's=%d sid==parent's=%d\n", getpgrp() == toppg, getsid(0) == topsid);
		EXPECT(setsid() == me);
		EXPECT(getsid(0) == me && getpgrp() == me);
		CHECK(setsid());
		CHECK(setpgid(0, 0));
		CHECK(setpgid(0, me));
		CHECK(getpgid(0) == me);

		int sync[2], back[2];
		MUST(pipe(sync));
		MUST(pipe(back));
		pid_t b = fork();
		if (b == 0) {
			pid_t bme = getpid();
			printf("B: sid==A=%d pgid==A=%d\n", getsid(0) == me, getpgrp() == me);
			CHECK(setpgid(0, 0)); /* own group in the same session */
			EXPECT(getpgrp() == bme);
			CHECK(setpgid(0, me)); /* back into A's group */
			EXPECT(getpgrp() == me);
			CHECK(setpgid(0, dead)); /* no such group in this session */
			CHECK(setsid() == bme ? 0 : -1);
			CHECK(setpgid(0, me)); /* A's group is in another session now */
			char c = 'x';
			ssize_t UNUSED w = write(back[1], &c, 1);
			ssize_t UNUSED r = read(sync[0], &c, 1);
			_exit(0);
		}
		char c;
		MUST(read(back[0], &c, 1));
		CHECK(setpgid(b, b)); /* b is in another session */
		CHECK(getsid(b) == b ? 0 : -1);
		MUST(write(sync[1], &c, 1));
		printf("B %s\n", wstatus(reap(b)));

		/* a parent may move its child, but not after the child has exec'd */
		int hold[2], ready[2];
		MUST(pipe(hold));
		MUST(pipe(ready));
		pid_t cpid = fork();
		if (cpid == 0) {
			close(hold[1]);
			close(ready[0]);
			char fdarg[16], readyarg[16];
			snprintf(fdarg, sizeof fdarg, "%d", hold[0]);
			snprintf(readyarg, sizeof readyarg, "%d", ready[1]);
			char *av[] = { argv[0], "wait-on-fd", fdarg, readyarg, NULL };
			char *ev[] = { NULL };
			execve(argv[0], av, ev);
			_exit(127);
		}
		close(hold[0]);
		close(ready[1]);
		pid_t dpid = fork();
		if (dpid == 0) {
			char c2;
			ssize_t UNUSED r = read(sync[0], &c2, 1);
			_exit(0);
		}
		CHECK(setpgid(dpid, dpid));
		EXPECT(getpgid(dpid) == dpid);
		CHECK(setpgid(dpid, me));
		EXPECT(getpgid(dpid) == me);
		/* wait until the exec has happened */
		MUST(read(ready[0], &c, 1));
		CHECK(setpgid(cpid, cpid));
		CHECK(setpgid(getppid(), 0)); /* not our child */
		CHECK(setpgid(0, -1));
		CHECK(getpgid(dead));
		CHECK(getsid(dead));
		CHECK(setpgid(dead, 0));
		close(hold[1]);
		MUST(write(sync[1], &c, 1));
		printf("exec'd child %s\n", wstatus(reap(cpid)));
		printf("D %s\n", wstatus(reap(dpid)));
		_exit(0);
	}
	printf("A %s\n", wstatus(reap(a)));
	/* we are unchanged */
	EXPECT(getpgrp() == toppg && getsid(0) == topsid && getpid() == top);
	return 0;
}
