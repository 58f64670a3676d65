/* SPDX-License-Identifier: MIT */
/*
 * vmm/bootinfo.h - build and check the boot-info blob of uapi/quark/boot.h.
 *
 * Layout we produce (offsets from the blob start):
 *   0                    struct quark_boot_info (104 bytes)
 *   104                  nmounts x struct quark_boot_mount (16 bytes each)
 *   104 + 16*nmounts     strings: args..., env..., cwd, hostname, mount dests
 * The validator checks what qkernel checks, so a blob it accepts boots.
 */
#ifndef QUARK_VMM_BOOTINFO_H
#define QUARK_VMM_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "quark/boot.h"
#include "userspace/util/error.h"

#define QUARK_BOOT_MEM_DEFAULT	(512ull << 20)
#define QUARK_BOOT_MEM_ALIGN	(2ull << 20)
/* The range qkernel boots in (guest/platform/ptrace/main.c refuses anything else). */
#define QUARK_BOOT_MEM_MIN	(16ull << 20)
#define QUARK_BOOT_MEM_MAX	(64ull << 30)

struct quark_boot_mount_param {
	const char *dest;
	uint32_t type;		/* QUARK_MNT_* */
	int host_fd;		/* BIND: O_PATH fd of the source; -1 otherwise */
	uint32_t flags;		/* QUARK_MNTF_* */
};

struct quark_boot_params {
	uint64_t mem_size;
	uint32_t ncpus, flags;
	int rootfs_fd, log_fd;
	uint32_t log_level, uid, gid, umask;
	char *const *args;
	size_t argc;
	char *const *env;
	size_t envc;
	const char *cwd, *hostname;
	const struct quark_boot_mount_param *mounts;
	size_t nmounts;
	uint64_t seed, boot_time_ns;
};

/* quark_boot_mem_size - guest memory for a memory limit: the limit rounded up to 2 MiB,
 * or 512 MiB when there is none (limit <= 0). A limit above QUARK_BOOT_MEM_MAX gives the
 * maximum (still within the limit); one below QUARK_BOOT_MEM_MIN is the caller's error. */
uint64_t quark_boot_mem_size(int64_t limit);

/* quark_boot_vcpus - vCPUs of a VM for a CPU limit (linux.resources.cpu quota and period,
 * in us; quota <= 0: none): the limit rounded up (--cpus=1.5 gives 2), 1 without one,
 * at most QUARK_KVM_MAX_VCPUS. A period <= 0 means the default 100000. */
uint32_t quark_boot_vcpus(int64_t quota, int64_t period);

/* quark_boot_serialize - the blob for `p` in a malloc'ed buffer (caller frees). */
int quark_boot_serialize(const struct quark_boot_params *p, void **blob, size_t *len,
			 quark_error_t *err);

/* quark_boot_validate - every check qkernel makes before trusting a blob. */
int quark_boot_validate(const void *blob, size_t len, quark_error_t *err);

/* quark_boot_string - the NUL-terminated string at `off`, or NULL if it leaves the blob. */
const char *quark_boot_string(const void *blob, size_t len, uint32_t off);

/* quark_boot_memfd - the blob in a sealed memfd (MFD_CLOEXEC: the child clears it). */
int quark_boot_memfd(const void *blob, size_t len, int *fd, quark_error_t *err);

#endif
