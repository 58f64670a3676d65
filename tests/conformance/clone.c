/* clone for processes (no threads): SIGCHLD, other exit signals, SETTID flags, EINVAL. */
#include "common.h"
#include <sched.h>

#ifndef CLONE_PARENT_SETTID
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_SETTID 0x01000000
#endif
#define WALL 0x40000000

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

static long rclone(unsigned long flags, void *ptid, void *ctid)
{
	/* x86-64 argument order: flags, stack, parent_tid, child_tid, tls */
	return syscall(SYS_clone, flags, NULL, ptid, ctid, 0UL);
}

int main(void)
{
	int st;
	long pid = rclone(SIGCHLD, NULL, NULL);
	if (pid == 0)
		_exit(5);
	printf("clone(SIGCHLD): pid>0=%d\n", pid > 0);
	CHECK_OK(waitpid((pid_t)pid, &st, 0));
	printf("%s\n", wstatus(st));

	/* the child has its own memory (no CLONE_VM) */
	static int mem = 1;
	pid = rclone(SIGCHLD, NULL, NULL);
	if (pid == 0) {
		mem = 99;
		_exit(mem);
	}
	waitpid((pid_t)pid, &st, 0);
	printf("child %s, parent mem=%d\n", wstatus(st), mem);

	/* CLONE_PARENT_SETTID writes the child's tid into the parent */
	pid_t ptid = 0;
	pid = rclone(SIGCHLD | CLONE_PARENT_SETTID, &ptid, NULL);
	if (pid == 0)
		_exit(0);
	waitpid((pid_t)pid, &st, 0);
	EXPECT(ptid == pid);

	/* CLONE_CHILD_SETTID writes it in the child's copy only */
	static pid_t ctid = 0;
	int p[2];
	MUST(pipe(p));
	pid = rclone(SIGCHLD | CLONE_CHILD_SETTID, NULL, &ctid);
	if (pid == 0) {
		int ok = ctid == getpid();
		ssize_t UNUSED r = write(p[1], &ok, sizeof ok);
		_exit(0);
	}
	int ok = 0;
	MUST(read(p[0], &ok, sizeof ok));
	waitpid((pid_t)pid, &st, 0);
	printf("child saw its tid: %d, parent copy still 0: %d\n", ok, ctid == 0);

	/* exit signal other than SIGCHLD: only __WALL/__WCLONE waits see the child */
	signal(SIGUSR1, on_usr1);
	pid = rclone(SIGUSR1, NULL, NULL);
	if (pid == 0)
		_exit(6);
	CHECK(waitpid((pid_t)pid, &st, WNOHANG));
	CHECK_OK(waitpid((pid_t)pid, &st, WALL));
	printf("%s, parent got %s\n", wstatus(st), signame(got));
	/* exit signal 0 */
	pid = rclone(0, NULL, NULL);
	if (pid == 0)
		_exit(8);
	CHECK_OK(waitpid((pid_t)pid, &st, WALL));
	printf("%s\n", wstatus(st));

	/* invalid combinations */
	CHECK(rclone(CLONE_SIGHAND | SIGCHLD, NULL, NULL));
	CHECK(rclone(CLONE_THREAD | SIGCHLD, NULL, NULL));
	CHECK(rclone(CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL, NULL));
	CHECK(waitpid(-1, &st, WALL | WNOHANG));
	return 0;
}
