/* Writing to a pipe with no readers: SIGPIPE by default, EPIPE when ignored/handled. */
#include "common.h"

static volatile sig_atomic_t got;

static void on_pipe(int sig)
{
	got = sig;
}

int main(void)
{
	int p[2];
	/* default action: killed by SIGPIPE (in a child) */
	MUST(pipe(p));
	close(p[0]);
	pid_t pid = fork();
	if (pid == 0) {
		ssize_t UNUSED r = write(p[1], "x", 1);
		printf("child survived write\n");
		_exit(0);
	}
	printf("default: child %s\n", wstatus(reap(pid)));

	/* ignored: EPIPE */
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1));
	/* handled: handler runs, then EPIPE */
	signal(SIGPIPE, on_pipe);
	CHECK(write(p[1], "x", 1));
	printf("handler got %s\n", signame(got));
	close(p[1]);

	/* data written before the reader went away is lost; the writer learns via EPIPE */
	MUST(pipe(p));
	CHECK(write(p[1], "abc", 3));
	close(p[0]);
	got = 0;
	CHECK(write(p[1], "d", 1));
	printf("handler got %s\n", signame(got));
	close(p[1]);

	/* blocked SIGPIPE stays pending after EPIPE */
	MUST(pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_DFL);
	sigset_t set, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(write(p[1], "x", 1));
	sigpending(&pend);
	printf("pending SIGPIPE: %d\n", sigismember(&pend, SIGPIPE));
	signal(SIGPIPE, SIG_IGN); /* discards the pending one */
	sigpending(&pend);
	printf("pending after ignore: %d\n", sigismember(&pend, SIGPIPE));
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	/* a reader in another process closing its end also counts */
	signal(SIGPIPE, SIG_DFL);
	MUST(pipe(p));
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (;;) {
			if (write(p[1], "y", 1) < 0) {
				printf("child write: %s\n", errname(errno));
				_exit(1);
			}
			msleep(1);
		}
	}
	close(p[1]);
	char c;
	MUST(read(p[0], &c, 1));
	close(p[0]);
	printf("writer child %s\n", wstatus(reap(pid)));
	return 0;
}
