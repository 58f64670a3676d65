/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userspace/sandbox/launch.h"
#include "userspace/util/cleanup.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

int quark_signals_block(sigset_t *old, quark_error_t *err)
{
	sigset_t set;

	wait_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return quark_make_error(err, errno, "block signals");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Child only: close every fd but stdio, pass_fds, the exec fd and the error pipe, by
 * closing the gaps between the sorted survivors. */
static int close_others(const struct quark_spawn *s, int errfd)
{
	int keep[s->npass + 5];
	size_t n = 0;
	unsigned int from = 0;

	keep[n++] = 0;
	keep[n++] = 1;
	keep[n++] = 2;
	keep[n++] = s->exec_fd;
	keep[n++] = errfd;
	for (size_t i = 0; i < s->npass; i++)
		keep[n++] = s->pass_fds[i];
	qsort(keep, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from && close_range(from, keep[i] - 1, 0) < 0)
			return -1;
		from = keep[i] + 1;
	}
	return close_range(from, ~0U, 0);
}

/* Child only: everything between fork and exec. Returns only on failure, with errno. */
static void child_exec(const struct quark_spawn *s, const sigset_t *mask, pid_t parent,
		       int errfd)
{
	static char *const empty_env[] = { NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* A sandbox outliving its `quark run` would hold a state dir nobody removes. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		return;
	if (close_others(s, errfd) < 0)
		return;
	for (size_t i = 0; i < s->npass; i++)
		if (s->pass_fds[i] >= 0 && fcntl(s->pass_fds[i], F_SETFD, 0) < 0)
			return;
	/* A clean slate: ignored signals would otherwise survive exec into the sandbox. */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	if (sigprocmask(SIG_SETMASK, mask, NULL) < 0)
		return;
	fexecve(s->exec_fd, s->argv, empty_env);
}

int quark_sandbox_spawn(const struct quark_spawn *s, const sigset_t *child_mask, pid_t *pid,
			quark_error_t *err)
{
	pid_t parent = getpid(), child;
	int pipefd[2], child_errno = 0, status;
	ssize_t n;

	/* The error pipe is close-on-exec: EOF without data means the exec succeeded. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return quark_make_error(err, errno, "pipe");
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return quark_make_error(err, errno, "fork sandbox");
	}
	if (child == 0) {
		/* Nobody to return to in the child: report errno through the pipe and go. */
		close(pipefd[0]);
		child_exec(s, child_mask, parent, pipefd[1]);
		child_errno = errno;
		n = write(pipefd[1], &child_errno, sizeof(child_errno));
		_exit(127);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == 0) {
		*pid = child;
		return 0;
	}
	waitpid(child, &status, 0);
	return quark_make_error(err, n > 0 ? child_errno : errno, "start sandbox %s", s->argv[0]);
}

/* Is a signal the terminal sent to our process group one the sandbox got as well? */
static int sandbox_got_it_too(pid_t pid, const siginfo_t *si)
{
	return si->si_code == SI_KERNEL && getpgid(pid) == getpgrp();
}

int quark_sandbox_wait(pid_t pid, int *status, quark_error_t *err)
{
	siginfo_t si;
	sigset_t set;
	int sig;

	wait_set(&set);
	for (;;) {
		sig = sigwaitinfo(&set, &si);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			return quark_make_error(err, errno, "sigwaitinfo");
		if (sig != SIGCHLD) {
			/* Forwarding a Ctrl-C the sandbox already received would deliver it twice. */
			if (!sandbox_got_it_too(pid, &si))
				kill(pid, sig);
			continue;
		}
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
	}
}

void quark_exit_like(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig;

	fflush(NULL);
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (sig) {
		/* The sandbox already dumped core if it had to; ours would only mislead. */
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
	}
	exit(128 + sig);	/* a signal whose default action is not fatal */
}
