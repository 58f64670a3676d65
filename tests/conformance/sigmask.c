/* rt_sigprocmask: block/pending/unblock, coalescing vs queueing, delivery order, sigsuspend. */
#include "common.h"

static volatile int order[32], norder;

static void rec(int sig)
{
	if (norder < 32)
		order[norder++] = sig;
}

static void show_order(const char *what)
{
	printf("%s:", what);
	for (int i = 0; i < norder; i++) {
		int s = order[i];
		if (s >= SIGRTMIN)
			printf(" RTMIN+%d", s - SIGRTMIN);
		else
			printf(" %s", signame(s));
	}
	printf("\n");
	norder = 0;
}

static void handle(int sig, int fullmask)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = rec;
	if (fullmask)
		sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	sigset_t set, old, pend;
	int sigs[] = { SIGUSR2, SIGRTMIN + 2, SIGUSR1, SIGRTMIN, SIGHUP };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		handle(sigs[i], 0);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old));
	printf("old mask had USR1: %d\n", sigismember(&old, SIGUSR1));
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	show_order("while blocked");
	CHECK(sigpending(&pend));
	printf("pending USR1=%d USR2=%d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL));
	show_order("after unblock (standard signals coalesce)");

	/* real-time signals queue */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGRTMIN);
	kill(getpid(), SIGRTMIN);
	kill(getpid(), SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	show_order("RT signals queue");

	/* several pending signals unblocked at once: lowest number dequeued first; with
	 * handlers that do not block each other, later frames run first (nesting) */
	sigfillset(&set);
	sigdelset(&set, SIGSEGV);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			handle(sigs[i], pass);
		sigprocmask(SIG_BLOCK, &set, &old);
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			kill(getpid(), sigs[i]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		show_order(pass ? "handlers with full sa_mask" : "handlers with empty sa_mask");
	}

	/* SIG_SETMASK, SIGKILL/SIGSTOP are silently never blocked */
	sigfillset(&set);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL));
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old));
	printf("KILL blocked=%d STOP blocked=%d TERM blocked=%d\n", sigismember(&old, SIGKILL),
	       sigismember(&old, SIGSTOP), sigismember(&old, SIGTERM));
	sigemptyset(&set);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL));
	CHECK(sigprocmask(12345, &set, NULL));
	CHECK(sigprocmask(12345, NULL, &old)); /* how is ignored without a set */
	unsigned long raw = 0;
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 4));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 16));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)1, NULL, 8));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, (void *)1, 8));
	CHECK(syscall(SYS_rt_sigpending, &raw, 4));

	/* the mask is inherited by fork, pending signals are not */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t m, p;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&p);
		printf("child: USR1 blocked=%d pending=%d\n", sigismember(&m, SIGUSR1), sigismember(&p, SIGUSR1));
		_exit(0);
	}
	reap(pid);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	show_order("parent's pending USR1 delivered");

	/* sigsuspend: wait with a temporary mask, the old mask comes back */
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t parent = getpid();
	pid = fork();
	if (pid == 0) {
		msleep(20);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	sigset_t empty;
	sigemptyset(&empty);
	CHECK(sigsuspend(&empty));
	show_order("sigsuspend woke by");
	sigprocmask(SIG_BLOCK, NULL, &pend);
	printf("mask restored: USR1 blocked=%d\n", sigismember(&pend, SIGUSR1));
	reap(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
