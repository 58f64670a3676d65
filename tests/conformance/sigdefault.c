/* Default signal actions, each in a child that sends the signal to itself. */
#include "common.h"
#include <sys/resource.h>

static const char *fate(int sig, int setsid_first)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		if (setsid_first)
			setsid();
		syscall(SYS_kill, syscall(SYS_getpid), sig);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		static char buf[64];
		snprintf(buf, sizeof buf, "%s, then after SIGCONT: ", wstatus(st));
		kill(pid, SIGCONT);
		waitpid(pid, &st, 0);
		static char out[96];
		snprintf(out, sizeof out, "%s%s", buf, wstatus(st));
		return out;
	}
	return wstatus(st);
}

int main(void)
{
	for (int sig = 1; sig < 32; sig++) {
		if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			continue; /* depend on whether our process group is orphaned: below */
		printf("%-9s -> %s\n", signame(sig), fate(sig, 0));
	}
	/* real-time signals terminate by default */
	printf("%-9s -> %s\n", "SIG34", fate(34, 0));
	printf("%-9s -> %s\n", "SIG64", fate(64, 0));
	/* in an orphaned process group (a new session), tty stop signals are discarded */
	printf("SIGTSTP in new session -> %s\n", fate(SIGTSTP, 1));
	printf("SIGTTIN in new session -> %s\n", fate(SIGTTIN, 1));
	printf("SIGTTOU in new session -> %s\n", fate(SIGTTOU, 1));
	printf("SIGSTOP in new session -> %s\n", fate(SIGSTOP, 1));

	/* abort() */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		abort();
	}
	printf("abort() -> %s\n", wstatus(reap(pid)));
	/* abort() even with SIGABRT ignored */
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGABRT, SIG_IGN);
		abort();
	}
	printf("abort() with SIGABRT ignored -> %s\n", wstatus(reap(pid)));
	return 0;
}
