/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "userspace/sandbox/kvm_sandbox.h"
#include "userspace/sandbox/launch.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/log.h"
#include "userspace/vmm/kvm.h"
#include "userspace/vmm/qkernel_image.h"

/* runc's code for "the runtime failed", as opposed to anything the container returned. */
#define EXIT_RUNTIME_ERROR	125

#define MAX_HOST_FDS	64

/* QUARK_KVM_TIMEOUT_MS: a debugging aid. A guest still running after that long is
 * stopped, and the error carries its vCPUs' registers, backtraces and the host-call
 * ring's state (the rig sets it, so that a hung test says where it hung). */
static unsigned guest_timeout_ms(void)
{
	const char *v = getenv("QUARK_KVM_TIMEOUT_MS");
	char *end;
	unsigned long ms;

	if (!v || !*v)
		return 0;
	errno = 0;
	ms = strtoul(v, &end, 10);
	if (errno || *end || ms > UINT_MAX) {
		quark_log(QUARK_LOG_WARN, "QUARK_KVM_TIMEOUT_MS=%s is not a number of ms; ignored", v);
		return 0;
	}
	return (unsigned)ms;
}

static int boot_and_wait(const struct quark_kvm_sandbox *s, int *wstatus, quark_error_t *err)
{
	int fds[MAX_HOST_FDS] = { 0, 1, 2 };
	struct quark_kvm_opts o = {
		.boot_info = s->boot_info, .boot_info_len = s->boot_info_len,
		.console_fd = s->console_fd, .host_fds = fds, .nhost_fds = 3,
		.timeout_ms = guest_timeout_ms(),
	};
	cleanup_close int sigfd = -1;
	struct quark_kvm_vm *vm = NULL;
	sigset_t set;
	int ret;

	if (s->nhost_fds > MAX_HOST_FDS - 3)
		return quark_make_error(err, 0, "%zu host fds; at most %d", s->nhost_fds,
					MAX_HOST_FDS - 3);
	memcpy(fds + 3, s->host_fds, s->nhost_fds * sizeof(int));
	o.nhost_fds += s->nhost_fds;
	/* quark_sandbox_fork blocked them already: none is lost before the VMM reads them. */
	quark_guest_signals(&set);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return quark_make_error(err, errno, "signalfd");
	o.signal_fd = sigfd;
	ret = quark_qkernel_kvm_image(&o.kernel, &o.kernel_len, err);
	if (ret < 0)
		return ret;
	ret = quark_kvm_create(&o, &vm, err);
	if (ret < 0)
		return ret;
	ret = quark_kvm_run(vm, wstatus, err);
	quark_kvm_destroy(vm);
	return ret;
}

/* The sandbox's body: runs in the forked child, so errors end here, reported once. */
static int sandbox_main(void *arg)
{
	const struct quark_kvm_sandbox *s = arg;
	quark_error_t err = NULL;
	int wstatus = 0;

	if (boot_and_wait(s, &wstatus, &err) < 0) {
		quark_error_prefix(&err, "container %s, kvm platform", s->id);
		quark_log_report_error(err && err->msg ? err->msg : "unknown error");
		quark_error_release(&err);
		return EXIT_RUNTIME_ERROR;
	}
	quark_log(QUARK_LOG_DEBUG, "kvm sandbox: guest wait status 0x%x", wstatus);
	quark_exit_like(wstatus);
}

int quark_kvm_sandbox_spawn(const struct quark_kvm_sandbox *s, pid_t *pid, quark_error_t *err)
{
	sigset_t mask;

	quark_guest_signals(&mask);
	return quark_sandbox_fork(sandbox_main, (void *)s, "(kvm)", &mask, pid, err);
}
