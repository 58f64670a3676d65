/* SPDX-License-Identifier: MIT */
/*
 * sandbox/launch.h - start the sandbox process and stand by it until it exits.
 *
 * Knows nothing of OCI or of the VMM: it gets an executable fd, an argv and the fds the
 * sandbox may keep (ptrace platform), or a function to run in a forked copy of quark (kvm
 * platform: the VMM runs in the sandbox process). stdio (0, 1, 2) passes through untouched.
 */
#ifndef QUARK_SANDBOX_LAUNCH_H
#define QUARK_SANDBOX_LAUNCH_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "userspace/util/error.h"

struct quark_spawn {
	int exec_fd;		/* fexecve'd; O_CLOEXEC so the sandbox does not keep it */
	char *const *argv;
	const int *pass_fds;	/* stay open across exec with these numbers; 0-2 always do */
	size_t npass;
};

/* quark_signals_block - block the signals quark forwards, plus SIGCHLD, so none is lost
 * between now and quark_sandbox_wait(); *old is the mask to give the child. */
int quark_signals_block(sigset_t *old, quark_error_t *err);

/* quark_sandbox_spawn - fork, keep only stdio and pass_fds, fexecve with an empty
 * environment. Returns once the exec has succeeded, or with the exec's error. */
int quark_sandbox_spawn(const struct quark_spawn *s, const sigset_t *child_mask, pid_t *pid,
			quark_error_t *err);

/* quark_sandbox_fork - fork a sandbox that runs body(arg) in this copy of quark and exits
 * with its return value. Before body: parent-death SIGKILL, fds inherited from quark's
 * caller (those without FD_CLOEXEC, above stdio) closed, default signal dispositions,
 * child_mask. Returns once that setup succeeded, or with its error ("start sandbox WHAT"). */
int quark_sandbox_fork(int (*body)(void *), void *arg, const char *what,
		       const sigset_t *child_mask, pid_t *pid, quark_error_t *err);

/* quark_guest_signals - the signals a VMM sandbox blocks and reads from a signalfd for the
 * guest: the ones quark_sandbox_wait forwards, plus SIGWINCH. */
void quark_guest_signals(sigset_t *set);

/* quark_sandbox_wait - forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to pid
 * until it exits; *status is its wait status. */
int quark_sandbox_wait(pid_t pid, int *status, quark_error_t *err);

/* quark_exit_like - exit the way the sandbox did: its exit code, or the same signal with
 * the default action (a shell then shows 128+N). Does not return. */
void quark_exit_like(int status) __attribute__((noreturn));

#endif
