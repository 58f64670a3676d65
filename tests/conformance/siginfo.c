/* SA_SIGINFO: si_signo/si_code/si_pid/si_uid/si_status for kill, tgkill, children; ucontext. */
#include "common.h"
#include <ucontext.h>

static volatile int g_signo, g_code, g_pid, g_uid, g_status, g_errno, g_hup_saved;
static volatile int g_ucontext;
static volatile int g_seen[65];

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	g_signo = si->si_signo;
	g_code = si->si_code;
	g_pid = si->si_pid;
	g_uid = (int)si->si_uid;
	g_errno = si->si_errno;
	g_status = sig == SIGCHLD ? si->si_status : -1;
	g_ucontext = uc != NULL;
	g_hup_saved = uc ? sigismember(&uc->uc_sigmask, SIGHUP) : -1;
	g_seen[sig]++;
}

/* With the signals of interest blocked, wait until sig has been handled. */
static void wait_for(int sig, const sigset_t *waitmask)
{
	while (!g_seen[sig])
		sigsuspend(waitmask);
	g_seen[sig] = 0;
}

static const char *code(int c)
{
	switch (c) {
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_KERNEL: return "SI_KERNEL";
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	default: return "other";
	}
}

static void report(const char *what, pid_t expect_pid)
{
	printf("%s: signo=%s code=%s pid_ok=%d uid=%d errno=%d status=%d ucontext=%d\n", what,
	       signame(g_signo), code(g_code), g_pid == expect_pid, g_uid, g_errno, g_status, g_ucontext);
	g_signo = g_code = g_pid = g_uid = g_errno = g_status = g_ucontext = 0;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	kill(getpid(), SIGUSR1);
	report("kill self", getpid());
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
	report("tgkill self", getpid());
	syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1);
	report("tkill self", getpid());
	raise(SIGUSR2);
	report("raise", getpid());

	/* the ucontext's saved mask is the mask before delivery */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_BLOCK, &m, NULL);
	kill(getpid(), SIGUSR1);
	printf("saved mask has SIGHUP: %d\n", g_hup_saved);
	report("kill with SIGHUP blocked", getpid());
	sigprocmask(SIG_UNBLOCK, &m, NULL);

	/* from a child (the signals are blocked except while waiting for them) */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset((void *)g_seen, 0, sizeof g_seen);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR1);
		_exit(3);
	}
	wait_for(SIGUSR1, &old);
	wait_for(SIGCHLD, &old);
	printf("both arrived\n");
	reap(pid);

	/* SIGCHLD details, one at a time */
	pid = fork();
	if (pid == 0)
		_exit(3);
	wait_for(SIGCHLD, &old);
	report("child exit", pid);
	reap(pid);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	wait_for(SIGCHLD, &old);
	report("child killed", pid);
	reap(pid);
	/* a signal sent by the child */
	pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR2);
		for (;;)
			pause();
	}
	wait_for(SIGUSR2, &old);
	report("from child", pid);
	kill(pid, SIGKILL);
	reap(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
