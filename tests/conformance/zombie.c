/* Zombies: an exited child stays (kill(pid,0) works) until reaped; statuses are kept. */
#include "common.h"

int main(void)
{
	pid_t me = getpid();
	int p[2];
	MUST(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		int ok = getppid() == me;
		ssize_t UNUSED r = write(p[1], &ok, sizeof ok);
		_exit(17);
	}
	int ok = 0;
	MUST(read(p[0], &ok, sizeof ok));
	printf("child's getppid == parent's getpid: %d\n", ok);
	/* wait until it is a zombie, without reaping */
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	CHECK(kill(pid, 0));
	CHECK(kill(pid, SIGKILL)); /* signalling a zombie succeeds and changes nothing */
	CHECK(getpgid(pid) == getpgrp());
	msleep(50);
	int st;
	CHECK_OK(waitpid(pid, &st, 0));
	printf("late reap: %s\n", wstatus(st));
	CHECK(kill(pid, 0));
	CHECK(getpgid(pid));
	CHECK(waitpid(pid, &st, WNOHANG));

	/* many zombies: each reaped once with its own status */
	enum { N = 8 };
	pid_t kids[N];
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(100 + i);
	}
	msleep(50);
	int seen[N] = { 0 };
	int good = 1;
	for (int i = 0; i < N; i++) {
		pid_t r = waitpid(-1, &st, 0);
		int j;
		for (j = 0; j < N && kids[j] != r; j++)
			;
		if (j == N || seen[j] || WEXITSTATUS(st) != 100 + j)
			good = 0;
		else
			seen[j] = 1;
	}
	printf("reaped %d zombies correctly: %s\n", N, good ? "yes" : "no");
	CHECK(waitpid(-1, &st, WNOHANG));

	/* a zombie child of a child is reaped by that child */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(1);
		msleep(20);
		int ok2 = kill(g, 0) == 0;
		int s2;
		waitpid(g, &s2, 0);
		_exit(ok2 ? 50 + WEXITSTATUS(s2) : 0);
	}
	printf("child reaped its zombie: %s\n", wstatus(reap(pid)));
	return 0;
}
