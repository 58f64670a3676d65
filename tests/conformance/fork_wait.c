/* fork + wait4: exit codes, signals, WNOHANG, ECHILD, specific pids, rusage. */
#include "common.h"
#include <sys/resource.h>

static pid_t child_exit(int code)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(code);
	return pid;
}

static pid_t child_sleep(void)
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
	int st;
	int codes[] = { 0, 1, 42, 127, 255, 256, 257, -1 };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		pid_t pid = child_exit(codes[i]);
		pid_t r = wait4(pid, &st, 0, NULL);
		printf("_exit(%d): same pid=%d %s raw=%#x\n", codes[i], r == pid, wstatus(st), st);
	}

	/* killed by signals */
	int sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGALRM };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		pid_t pid = child_sleep();
		kill(pid, sigs[i]);
		wait4(pid, &st, 0, NULL);
		printf("kill %s: %s WIFSIGNALED=%d WTERMSIG=%s\n", signame(sigs[i]), wstatus(st),
		       WIFSIGNALED(st), signame(WTERMSIG(st)));
	}
	/* a real segfault */
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile int *)8 = 1;
		_exit(0);
	}
	wait4(pid, &st, 0, NULL);
	printf("segfault: %s\n", wstatus(st));

	/* WNOHANG on a running child, then a blocking wait */
	pid = child_sleep();
	CHECK(wait4(pid, &st, WNOHANG, NULL));
	CHECK(kill(pid, SIGKILL));
	CHECK_OK(wait4(pid, &st, 0, NULL));
	printf("%s\n", wstatus(st));

	/* ECHILD: no children, or not our child */
	CHECK(wait4(-1, &st, 0, NULL));
	CHECK(wait4(-1, &st, WNOHANG, NULL));
	CHECK(wait4(pid, &st, 0, NULL));
	CHECK(wait4(1, &st, 0, NULL));
	CHECK(wait4(-1, &st, 0x12345678, NULL));
	CHECK(waitpid(-1, NULL, 0));

	/* wait for any child: each is reported exactly once */
	pid_t a = child_exit(1), b = child_exit(2), c = child_exit(3);
	int seen = 0, sum = 0;
	for (int i = 0; i < 3; i++) {
		pid_t r = wait(&st);
		seen |= (r == a) << 0 | (r == b) << 1 | (r == c) << 2;
		sum += WEXITSTATUS(st);
	}
	printf("any-child waits: seen=%#x sum=%d\n", seen, sum);
	CHECK(wait(&st));

	/* NULL status pointer and a rusage */
	pid = child_exit(9);
	struct rusage ru;
	CHECK_OK(wait4(pid, NULL, 0, &ru));
	EXPECT(ru.ru_utime.tv_usec >= 0);

	/* waitpid(0): same process group */
	pid = child_exit(4);
	CHECK_OK(waitpid(0, &st, 0));
	printf("%s\n", wstatus(st));

	/* a child's own children are not ours */
	pid = fork();
	if (pid == 0) {
		pid_t g = child_exit(5);
		int s2;
		waitpid(g, &s2, 0);
		_exit(WEXITSTATUS(s2) + 10);
	}
	wait4(pid, &st, 0, NULL);
	printf("grandchild via child: %s\n", wstatus(st));

	/* fork returns 0 in the child and the child's pid in the parent */
	int p[2];
	MUST(pipe(p));
	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();
		ssize_t UNUSED r = write(p[1], &me, sizeof me);
		_exit(0);
	}
	pid_t reported;
	MUST(read(p[0], &reported, sizeof reported));
	wait4(pid, &st, 0, NULL);
	EXPECT(reported == pid && pid != getpid() && pid > 0);
	return 0;
}
