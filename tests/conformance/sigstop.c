/* SIGSTOP/SIGCONT with waitpid WUNTRACED/WCONTINUED and waitid WSTOPPED/WCONTINUED. */
#include "common.h"

static int pfd[2];

static void on_cont(int sig)
{
	(void)sig;
	ssize_t UNUSED w = write(pfd[1], "c", 1);
}

int main(void)
{
	MUST(pipe(pfd));
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCONT, on_cont);
		ssize_t UNUSED w = write(pfd[1], "r", 1);
		for (;;)
			pause();
	}
	int st;
	char c;
	MUST(read(pfd[0], &c, 1)); /* the child's handler is installed */
	CHECK(kill(pid, SIGSTOP));
	CHECK_OK(waitpid(pid, &st, WUNTRACED));
	printf("%s WIFSTOPPED=%d WSTOPSIG=%s\n", wstatus(st), WIFSTOPPED(st), signame(WSTOPSIG(st)));
	CHECK(waitpid(pid, &st, WUNTRACED | WNOHANG)); /* reported only once */
	CHECK(waitpid(pid, &st, WNOHANG));
	/* a stopped process still exists and takes non-KILL signals as pending */
	CHECK(kill(pid, 0));
	CHECK(kill(pid, SIGCONT));
	CHECK_OK(waitpid(pid, &st, WCONTINUED));
	printf("%s WIFCONTINUED=%d\n", wstatus(st), WIFCONTINUED(st));
	CHECK(read(pfd[0], &c, 1));
	printf("child's SIGCONT handler ran: %c\n", c);
	CHECK(waitpid(pid, &st, WCONTINUED | WNOHANG));

	/* the same through waitid */
	kill(pid, SIGSTOP);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WSTOPPED));
	printf("waitid: code=%s status=%s\n", si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other",
	       signame(si.si_status));
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_PID, (id_t)pid, &si, WCONTINUED));
	printf("waitid: code=%s status=%s\n", si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other",
	       signame(si.si_status));
	CHECK(read(pfd[0], &c, 1));

	/* SIGTERM to a stopped child stays pending until SIGCONT */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	CHECK(kill(pid, SIGTERM));
	msleep(20);
	CHECK(waitpid(pid, &st, WNOHANG));
	CHECK(kill(pid, SIGCONT));
	CHECK_OK(waitpid(pid, &st, 0));
	printf("%s\n", wstatus(st));

	/* SIGKILL ends a stopped child at once */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	CHECK(kill(pid, SIGKILL));
	CHECK_OK(waitpid(pid, &st, 0));
	printf("%s\n", wstatus(st));

	/* SIGCONT to a running process is harmless; a stop signal that is caught does not stop */
	pid = fork();
	if (pid == 0) {
		signal(SIGTSTP, on_cont);
		kill(getpid(), SIGCONT);
		kill(getpid(), SIGTSTP);
		_exit(6);
	}
	CHECK_OK(waitpid(pid, &st, WUNTRACED));
	printf("%s\n", wstatus(st));
	CHECK(read(pfd[0], &c, 1));
	return 0;
}
