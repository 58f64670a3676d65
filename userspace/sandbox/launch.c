/* SPDX-License-Identifier: MIT */
#include <dirent.h>
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
/* What a sandbox that runs the VMM hands to the guest: the forwarded signals, plus the
 * terminal's SIGWINCH, which it receives itself as a member of the foreground group. */
static const int guest_bound[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
				    SIGWINCH };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void quark_guest_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(guest_bound) / sizeof(guest_bound[0]); i++)
		sigaddset(set, guest_bound[i]);
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

/* Child only: close what we inherited from our caller, i.e. every fd above stdio without
 * FD_CLOEXEC. quark opens all of its own fds close-on-exec, and those (boot plan fds, the
 * log) are what a sandbox that does not exec still needs. */
static int close_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd, flags;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		fd = atoi(e->d_name);
		if (fd <= 2 || fd == dirfd(d))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC))
			close(fd);
	}
	closedir(d);
	return 0;
}

/* Child only: a clean slate of signal dispositions (ignored signals would otherwise survive
 * into the sandbox), then its mask. */
static int reset_signals(const sigset_t *mask)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	return sigprocmask(SIG_SETMASK, mask, NULL);
}

/* Child only: a sandbox outliving its `quark run` would hold a state dir nobody removes. */
static int die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -1;
	if (getppid() != parent) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/* Child only: everything between fork and exec. Returns only on failure, with errno. */
static void child_exec(const struct quark_spawn *s, const sigset_t *mask, pid_t parent,
		       int errfd)
{
	static char *const empty_env[] = { NULL };

	if (die_with_parent(parent) < 0 || close_others(s, errfd) < 0)
		return;
	for (size_t i = 0; i < s->npass; i++)
		if (s->pass_fds[i] >= 0 && fcntl(s->pass_fds[i], F_SETFD, 0) < 0)
			return;
	if (reset_signals(mask) < 0)
		return;
	fexecve(s->exec_fd, s->argv, empty_env);
}

/* Child only: the setup of a sandbox that runs in this copy of quark. */
static int child_prepare(const sigset_t *mask, pid_t parent)
{
	if (die_with_parent(parent) < 0 || close_inherited() < 0)
		return -1;
	return reset_signals(mask);
}

/* The parent's half of both spawns: wait for the child's verdict on the error pipe (EOF
 * without data: it got going). */
static int await_child(pid_t child, int errfd, const char *what, pid_t *pid, quark_error_t *err)
{
	int child_errno = 0, status;
	ssize_t n;

	do
		n = read(errfd, &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(errfd);
	if (n == 0) {
		*pid = child;
		return 0;
	}
	waitpid(child, &status, 0);
	return quark_make_error(err, n > 0 ? child_errno : errno, "start sandbox %s", what);
}

/* Nobody to return to in the child: report errno through the pipe and go. */
static __attribute__((noreturn)) void child_failed(int errfd)
{
	int child_errno = errno;
	ssize_t n = write(errfd, &child_errno, sizeof(child_errno));

	(void)n;
	_exit(127);
}

/* Fork with the error pipe: close-on-exec, so EOF without data means the child's setup (and
 * exec, if it execs) succeeded. The child gets the write end, the parent the read end. */
static int fork_with_pipe(int *errfd, pid_t *child, quark_error_t *err)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return quark_make_error(err, errno, "pipe");
	*child = fork();
	if (*child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return quark_make_error(err, errno, "fork sandbox");
	}
	close(pipefd[*child == 0 ? 0 : 1]);
	*errfd = pipefd[*child == 0 ? 1 : 0];
	return 0;
}

int quark_sandbox_spawn(const struct quark_spawn *s, const sigset_t *child_mask, pid_t *pid,
			quark_error_t *err)
{
	pid_t parent = getpid(), child;
	int errfd, ret;

	ret = fork_with_pipe(&errfd, &child, err);
	if (ret < 0)
		return ret;
	if (child == 0) {
		child_exec(s, child_mask, parent, errfd);
		child_failed(errfd);
	}
	return await_child(child, errfd, s->argv[0], pid, err);
}

int quark_sandbox_fork(int (*body)(void *), void *arg, const char *what,
		       const sigset_t *child_mask, pid_t *pid, quark_error_t *err)
{
	pid_t parent = getpid(), child;
	int errfd, ret;

	ret = fork_with_pipe(&errfd, &child, err);
	if (ret < 0)
		return ret;
	if (child == 0) {
		if (child_prepare(child_mask, parent) < 0)
			child_failed(errfd);
		close(errfd);	/* EOF: set up, the body runs */
		fflush(NULL);
		_exit(body(arg));
	}
	return await_child(child, errfd, what, pid, err);
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
