/* SPDX-License-Identifier: MIT */
/*
 * oci/bootplan.h - turn a parsed config.json into boot parameters for qkernel, opening
 * the host fds the blob names (rootfs, bind sources, log): the ptrace platform passes them
 * to the sandbox's exec, the kvm platform's VMM holds them and serves host calls on them.
 */
#ifndef QUARK_OCI_BOOTPLAN_H
#define QUARK_OCI_BOOTPLAN_H

#include "userspace/oci/spec.h"
#include "userspace/vmm/bootinfo.h"
#include "userspace/vmm/platform.h"

struct quark_boot_plan {
	struct quark_boot_params params;	/* points into the spec and into mounts[] */
	struct quark_boot_mount_param mounts[QUARK_BOOT_MAX_MOUNTS];
	int fds[QUARK_BOOT_MAX_MOUNTS + 2];	/* every fd the blob names: pass them, then close */
	size_t nfds;
};

/* quark_boot_plan_build - fill *plan from spec, for `platform` (kvm or ptrace: the guest
 * memory each can give differs); spec must outlive the plan. On error every fd opened so
 * far is closed. */
int quark_boot_plan_build(const struct oci_spec *spec, enum quark_platform platform,
			  uint32_t log_level, struct quark_boot_plan *plan, quark_error_t *err);

/* quark_boot_plan_release - close the plan's fds (the sandbox has its own copies). */
void quark_boot_plan_release(struct quark_boot_plan *plan);

#endif
