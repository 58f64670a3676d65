/* SPDX-License-Identifier: MIT */
/*
 * oci/container.h - container lifecycle. `run` is create + start + wait in one process:
 * the sandbox is quark's child, and quark exits the way the container's init did.
 */
#ifndef QUARK_OCI_CONTAINER_H
#define QUARK_OCI_CONTAINER_H

#include "userspace/util/error.h"
#include "userspace/vmm/platform.h"

struct quark_run_opts {
	const char *root;	/* state root, e.g. /run/quark */
	const char *id;
	const char *bundle;	/* NULL: the current directory */
	const char *pid_file;	/* NULL: none */
	enum quark_platform platform;
	int log_level;		/* for qkernel's own log lines */
};

/* quark_container_run - run the container to completion; *status is the sandbox's wait
 * status. The state dir exists exactly while the container does. */
int quark_container_run(const struct quark_run_opts *o, int *status, quark_error_t *err);

#endif
