/* SPDX-License-Identifier: MIT */
/*
 * sandbox/kvm_sandbox.h - the kvm platform's sandbox: a child of `quark run` that runs the
 * VMM (vmm/kvm.h) in-process with the embedded qkernel-kvm, and exits the way the guest's
 * init did.
 *
 * Unlike the ptrace sandbox it does not exec: the boot-info blob and the host fds it names
 * are simply still there after fork, with the same numbers, and the VMM holds them.
 */
#ifndef QUARK_SANDBOX_KVM_SANDBOX_H
#define QUARK_SANDBOX_KVM_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "userspace/util/error.h"

struct quark_kvm_sandbox {
	const char *id;			/* the container's, for error messages */
	const void *boot_info;		/* uapi/quark/boot.h blob, already validated */
	size_t boot_info_len;
	const int *host_fds;		/* the fds the blob names (rootfs, bind mounts, log);
					 * stdio 0-2 are added */
	size_t nhost_fds;
	int console_fd;			/* where the guest's debug console goes */
};

/* quark_kvm_sandbox_spawn - fork the sandbox. It boots the guest and exits with the
 * guest's wait status (exit code, or death by the same signal); when the VMM fails it
 * reports the error (stderr and the logs) and exits 125. */
int quark_kvm_sandbox_spawn(const struct quark_kvm_sandbox *s, pid_t *pid, quark_error_t *err);

#endif
