/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "quark/kvm_layout.h"
#include "userspace/oci/bootplan.h"
#include "userspace/util/log.h"

static int keep_fd(struct quark_boot_plan *plan, int fd)
{
	plan->fds[plan->nfds++] = fd;
	return fd;
}

/* What qkernel makes of an OCI mount: a QUARK_MNT_* type, or 0 for "not supported". */
static uint32_t guest_mount_type(const struct oci_mount *m)
{
	switch (m->kind) {
	case OCI_MOUNT_BIND:
		return QUARK_MNT_BIND;
	case OCI_MOUNT_PROC:
		return QUARK_MNT_PROC;
	case OCI_MOUNT_TMPFS:
		/* Every runtime mounts a tmpfs on /dev and fills it; qkernel provides its own. */
		return strcmp(m->destination, "/dev") ? QUARK_MNT_TMPFS : QUARK_MNT_DEV;
	default:
		return 0;
	}
}

static int plan_mount(struct quark_boot_plan *plan, const struct oci_mount *m,
		      quark_error_t *err)
{
	struct quark_boot_mount_param *bm;
	uint32_t type = guest_mount_type(m);
	int fd = -1;

	if (!type) {
		quark_log(QUARK_LOG_INFO, "mount %s (type %s) is not supported by qkernel; skipped",
			  m->destination, m->type ? m->type : "none");
		return 0;
	}
	if (plan->params.nmounts == QUARK_BOOT_MAX_MOUNTS)
		return quark_make_error(err, 0, "config.json: more than %d mounts qkernel can use",
					QUARK_BOOT_MAX_MOUNTS);
	if (type == QUARK_MNT_BIND) {
		/* O_PATH: the sandbox gets a handle on the source, not the right to read it yet. */
		fd = open(m->source, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return quark_make_error(err, errno, "open source '%s' of bind mount '%s'",
						m->source, m->destination);
		keep_fd(plan, fd);
	}
	bm = &plan->mounts[plan->params.nmounts++];
	bm->dest = m->destination;
	bm->type = type;
	bm->host_fd = fd;
	bm->flags = m->readonly ? QUARK_MNTF_RDONLY : 0;
	return 0;
}

/* Guest memory for the spec's limit; a VM's must also stay below the MMIO hole, and a
 * limit above what the platform can give gets the most it can (still within the limit). */
static uint64_t plan_mem_size(const struct oci_spec *spec, enum quark_platform platform)
{
	uint64_t mem = quark_boot_mem_size(spec->memory_limit);

	if (platform == QUARK_PLATFORM_KVM && mem > QUARK_KVM_MEM_MAX)
		mem = QUARK_KVM_MEM_MAX;
	return mem;
}

static void plan_process(struct quark_boot_params *p, const struct oci_spec *spec,
			 enum quark_platform platform)
{
	struct timespec now;

	p->args = spec->process.args;
	p->argc = spec->process.nargs;
	p->env = spec->process.env;
	p->envc = spec->process.nenv;
	p->cwd = spec->process.cwd;
	p->hostname = spec->hostname;
	p->uid = spec->process.uid;
	p->gid = spec->process.gid;
	p->umask = spec->process.umask;
	p->mem_size = plan_mem_size(spec, platform);
	/* the ptrace platform runs one CPU */
	p->ncpus = platform == QUARK_PLATFORM_KVM ?
		   quark_boot_vcpus(spec->cpu_quota, spec->cpu_period) : 1;
	p->flags = spec->root_readonly ? QUARK_BOOTF_ROOT_RDONLY : 0;
	clock_gettime(CLOCK_REALTIME, &now);
	p->boot_time_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

int quark_boot_plan_build(const struct oci_spec *spec, enum quark_platform platform,
			  uint32_t log_level, struct quark_boot_plan *plan, quark_error_t *err)
{
	struct quark_boot_params *p = &plan->params;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan_process(p, spec, platform);
	if (p->mem_size < QUARK_BOOT_MEM_MIN)
		return quark_make_error(err, 0, "config.json: linux.resources.memory.limit %lld is "
					"below the %llu MiB qkernel needs", (long long)spec->memory_limit,
					QUARK_BOOT_MEM_MIN >> 20);
	p->mounts = plan->mounts;
	p->log_level = log_level;
	if (getrandom(&p->seed, sizeof(p->seed), 0) != sizeof(p->seed))
		return quark_make_error(err, errno, "getrandom for the boot seed");
	p->rootfs_fd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (p->rootfs_fd < 0)
		return quark_make_error(err, errno, "open rootfs '%s'", spec->root_path);
	keep_fd(plan, p->rootfs_fd);
	for (size_t i = 0; i < spec->nmounts; i++) {
		ret = plan_mount(plan, &spec->mounts[i], err);
		if (ret < 0) {
			quark_boot_plan_release(plan);
			return ret;
		}
	}
	p->log_fd = log_level ? quark_log_sandbox_fd() : -1;
	if (p->log_fd >= 0)
		keep_fd(plan, p->log_fd);
	return 0;
}

void quark_boot_plan_release(struct quark_boot_plan *plan)
{
	for (size_t i = 0; i < plan->nfds; i++)
		close(plan->fds[i]);
	plan->nfds = 0;
}
