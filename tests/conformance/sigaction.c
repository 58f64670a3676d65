/* rt_sigaction: old/new handlers, masks and flags round trip, SA_RESETHAND/SA_NODEFER, EINVAL. */
#include "common.h"

static volatile int hits, depth, maxdepth;
static volatile int usr2_blocked_inside, self_blocked_inside;

static void h1(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr2_blocked_inside = sigismember(&cur, SIGUSR2);
	self_blocked_inside = sigismember(&cur, sig);
	hits++;
}

static void h2(int sig)
{
	(void)sig;
}

static volatile int calls;

static void nested(int sig)
{
	calls++;
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (calls < 3)
		kill(getpid(), sig);
	depth--;
}

#define FLAGS (SA_RESTART | SA_SIGINFO | SA_NODEFER | SA_RESETHAND | SA_ONSTACK | SA_NOCLDSTOP)

int main(void)
{
	struct sigaction sa, old;
	CHECK(sigaction(SIGUSR1, NULL, &old));
	printf("initial: %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "other");

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, &old));
	printf("old: %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
	CHECK(sigaction(SIGUSR1, NULL, &old));
	printf("now: handler=%s mask has USR2=%d has USR1=%d flags=%#x\n",
	       old.sa_handler == h1 ? "h1" : "other", sigismember(&old.sa_mask, SIGUSR2),
	       sigismember(&old.sa_mask, SIGUSR1), old.sa_flags & FLAGS);

	CHECK(kill(getpid(), SIGUSR1));
	printf("hits=%d, inside: USR2 blocked=%d USR1 blocked=%d\n", hits, usr2_blocked_inside,
	       self_blocked_inside);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("after: USR1 blocked=%d USR2 blocked=%d\n", sigismember(&cur, SIGUSR1), sigismember(&cur, SIGUSR2));

	/* replace, getting the previous one back */
	sa.sa_handler = h2;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	CHECK(sigaction(SIGUSR1, &sa, &old));
	printf("old: %s flags=%#x\n", old.sa_handler == h1 ? "h1" : "other", old.sa_flags & FLAGS);
	CHECK(sigaction(SIGUSR1, NULL, &old));
	printf("now flags=%#x\n", old.sa_flags & FLAGS);

	/* SA_RESETHAND: one shot, then SIG_DFL */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h1;
	sa.sa_flags = SA_RESETHAND;
	hits = 0;
	CHECK(sigaction(SIGUSR2, &sa, NULL));
	CHECK(kill(getpid(), SIGUSR2));
	CHECK(sigaction(SIGUSR2, NULL, &old));
	printf("after one-shot: hits=%d handler=%s self blocked inside=%d\n", hits,
	       old.sa_handler == SIG_DFL ? "SIG_DFL" : "other", self_blocked_inside);

	/* SA_NODEFER: the handler can be re-entered */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = nested;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGHUP, &sa, NULL);
	kill(getpid(), SIGHUP);
	printf("SA_NODEFER: calls=%d max depth=%d\n", calls, maxdepth);
	maxdepth = calls = 0;
	sa.sa_flags = 0;
	sigaction(SIGHUP, &sa, NULL);
	kill(getpid(), SIGHUP);
	printf("without SA_NODEFER: calls=%d max depth=%d\n", calls, maxdepth);

	/* SIG_IGN */
	sa.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGUSR2, &sa, NULL));
	CHECK(kill(getpid(), SIGUSR2));
	printf("ignored SIGUSR2: still here\n");

	/* SIGKILL and SIGSTOP cannot be caught or ignored, but can be queried */
	sa.sa_handler = h2;
	CHECK(sigaction(SIGKILL, &sa, NULL));
	CHECK(sigaction(SIGSTOP, &sa, NULL));
	sa.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGKILL, &sa, NULL));
	CHECK(sigaction(SIGKILL, NULL, &old));
	sa.sa_handler = SIG_DFL;
	CHECK(sigaction(SIGSTOP, &sa, NULL));

	/* raw syscall: bad numbers, bad sigsetsize, bad pointers */
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} k = { 0 }, ko;
	CHECK(syscall(SYS_rt_sigaction, 0, NULL, &ko, 8));
	CHECK(syscall(SYS_rt_sigaction, 65, NULL, &ko, 8));
	CHECK(syscall(SYS_rt_sigaction, -1, NULL, &ko, 8));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ko, 4));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ko, 16));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, (void *)1, NULL, 8));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)1, 8));
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 8));
	CHECK(syscall(SYS_rt_sigaction, 64, NULL, &ko, 8));
	k.handler = SIG_IGN;
	CHECK(syscall(SYS_rt_sigaction, 64, &k, &ko, 8));
	CHECK(syscall(SYS_rt_sigaction, 64, NULL, &ko, 8));
	printf("64: handler is SIG_IGN=%d\n", ko.handler == SIG_IGN);

	/* dispositions are inherited by fork */
	sa.sa_handler = h1;
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction c;
		sigaction(SIGUSR1, NULL, &c);
		hits = 0;
		kill(getpid(), SIGUSR1);
		_exit(c.sa_handler == h1 && hits == 1 ? 0 : 1);
	}
	printf("child inherits handler: %s\n", wstatus(reap(pid)));
	return 0;
}
