/* SIGCHLD: delivered on exit/kill/stop/continue; SA_NOCLDSTOP; SIG_IGN and SA_NOCLDWAIT auto-reap. */
#include "common.h"

static volatile int n_chld, last_code, last_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	n_chld++;
	last_code = si->si_code;
	last_status = si->si_status;
}

static const char *cld(int c)
{
	switch (c) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	default: return "other";
	}
}

static void install(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(SIGCHLD, &sa, NULL);
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
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	install(0);
	sigprocmask(SIG_BLOCK, &chld, &old);

	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	sigsuspend(&old);
	printf("exit: n=%d %s status=%d\n", n_chld, cld(last_code), last_status);
	printf("  reaped: %s\n", wstatus(reap(pid)));

	n_chld = 0;
	pid = sleeper();
	kill(pid, SIGTERM);
	sigsuspend(&old);
	printf("kill: n=%d %s status=%s\n", n_chld, cld(last_code), signame(last_status));
	reap(pid);

	/* stop/continue are reported unless SA_NOCLDSTOP */
	n_chld = 0;
	pid = sleeper();
	kill(pid, SIGSTOP);
	sigsuspend(&old);
	printf("stop: n=%d %s status=%s\n", n_chld, cld(last_code), signame(last_status));
	int st;
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	sigsuspend(&old);
	printf("cont: n=%d %s status=%s\n", n_chld, cld(last_code), signame(last_status));
	install(SA_NOCLDSTOP);
	n_chld = 0;
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("SA_NOCLDSTOP: stop+cont gave %d signals\n", n_chld);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	kill(pid, SIGKILL);
	sigsuspend(&old);
	printf("kill after: n=%d %s\n", n_chld, cld(last_code));
	reap(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* SIG_IGN: children are reaped automatically; wait blocks until all are gone, then ECHILD */
	signal(SIGCHLD, SIG_IGN);
	pid_t a = fork();
	if (a == 0) {
		msleep(30);
		_exit(1);
	}
	pid_t b = fork();
	if (b == 0)
		_exit(2);
	CHECK(wait(&st));
	CHECK(kill(a, 0));
	CHECK(kill(b, 0));

	/* SA_NOCLDWAIT with a handler: no zombies, but the signal still comes */
	install(SA_NOCLDWAIT);
	n_chld = 0;
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = fork();
	if (pid == 0)
		_exit(4);
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("SA_NOCLDWAIT: n=%d %s status=%d\n", n_chld, cld(last_code), last_status);
	CHECK(waitpid(pid, &st, 0));

	/* back to SIG_DFL: zombies again, no signal handler runs */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid == 0)
		_exit(5);
	msleep(20);
	CHECK(kill(pid, 0));
	printf("default: %s\n", wstatus(reap(pid)));
	return 0;
}
