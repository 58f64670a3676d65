/* waitid: WEXITED, WNOHANG, WNOWAIT, P_PID/P_ALL/P_PGID, siginfo contents, errnos. */
#include "common.h"

static const char *cld(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	case 0: return "0";
	default: return "other";
	}
}

static void show(const siginfo_t *si, pid_t expect)
{
	printf("  si_signo=%s si_code=%s si_status=%d si_pid_ok=%d si_uid=%d\n",
	       si->si_signo ? signame(si->si_signo) : "0", cld(si->si_code), si->si_status,
	       si->si_pid == expect, (int)si->si_uid);
}

static pid_t spawn_exit(int code, int delay_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (delay_ms)
			msleep(delay_ms);
		_exit(code);
	}
	return pid;
}

int main(void)
{
	siginfo_t si;
	pid_t pid = spawn_exit(3, 0);
	memset(&si, 0x55, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	show(&si, pid);

	/* killed */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGTERM);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	show(&si, pid);

	/* WNOHANG with a running child: 0 and a zeroed si_pid/si_signo */
	int hold[2];
	MUST(pipe(hold));
	pid = fork();
	if (pid == 0) {
		char c;
		close(hold[1]);
		ssize_t UNUSED r = read(hold[0], &c, 1); /* until the parent closes its end */
		_exit(4);
	}
	close(hold[0]);
	memset(&si, 0x55, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG));
	printf("  no child ready: si_pid=%d si_signo=%d\n", (int)si.si_pid, si.si_signo);
	close(hold[1]);
	/* WNOWAIT leaves the child waitable */
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	show(&si, pid);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	show(&si, pid);
	CHECK(waitid(P_ALL, 0, &si, WEXITED));
	show(&si, pid);
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	CHECK(waitid(P_ALL, 0, &si, WEXITED));
	CHECK(waitid(P_ALL, 0, &si, WEXITED | WNOHANG));

	/* P_PGID: our own process group */
	pid = spawn_exit(5, 0);
	CHECK(waitid(P_PGID, (id_t)getpgrp(), &si, WEXITED));
	show(&si, pid);
	pid = spawn_exit(6, 0);
	CHECK(waitid(P_PGID, 0, &si, WEXITED)); /* 0: the caller's group (Linux 5.4+) */
	show(&si, pid);

	/* a NULL infop is allowed */
	pid = spawn_exit(7, 0);
	CHECK(syscall(SYS_waitid, P_PID, pid, NULL, WEXITED, NULL));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED));

	/* errors */
	pid = spawn_exit(8, 0);
	CHECK(waitid(P_PID, (id_t)pid, &si, 0));
	CHECK(waitid(P_PID, (id_t)pid, &si, WNOHANG));
	CHECK(waitid((idtype_t)99, (id_t)pid, &si, WEXITED));
	CHECK(syscall(SYS_waitid, P_PID, 0, &si, WEXITED, NULL));
	CHECK(syscall(SYS_waitid, P_PID, -1, &si, WEXITED, NULL));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | 0x10000000));
	CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED));
	show(&si, pid);
	CHECK(waitid(P_PID, 1, &si, WEXITED | WNOHANG));
	return 0;
}
