/* SPDX-License-Identifier: MIT */
/*
 * uapi/quark/boot.h - the boot-info contract between the host side (quark) and qkernel.
 *
 * The host writes one blob: this header followed by NUL-terminated strings. Every
 * string is named by a byte offset from the start of the blob (0 = absent). On the
 * ptrace platform the blob is passed in a sealed memfd whose number is argv[1] of the
 * sandbox process; on the kvm platform it is copied into guest memory and its guest
 * physical address goes in RDI. Fixed-width fields only; qkernel validates every
 * offset against `size` before use.
 */
#ifndef QUARK_UAPI_BOOT_H
#define QUARK_UAPI_BOOT_H

#include <linux/types.h>

#define QUARK_BOOT_MAGIC	0x4b52415551ULL	/* "QUARK" */
#define QUARK_BOOT_VERSION	1
#define QUARK_BOOT_MAX_SIZE	(1u << 20)	/* whole blob, strings included */
#define QUARK_BOOT_MAX_MOUNTS	64

/* One mount the host prepared (bind mounts of host paths). */
struct quark_boot_mount {
	__u32 dest_off;		/* in: absolute guest path */
	__u32 type;		/* in: QUARK_MNT_* */
	__s32 host_fd;		/* in: ptrace: O_PATH fd of the source (BIND) */
	__u32 flags;		/* in: QUARK_MNTF_* */
};
_Static_assert(sizeof(struct quark_boot_mount) == 16, "ABI");

#define QUARK_MNT_BIND		1	/* host directory or file */
#define QUARK_MNT_TMPFS		2
#define QUARK_MNT_PROC		3
#define QUARK_MNT_DEV		4
#define QUARK_MNT_MAX		5	/* sentinel */

#define QUARK_MNTF_RDONLY	(1u << 0)
#define QUARK_MNTF_MAX_FLAG	(1u << 1)

#define QUARK_BOOTF_ROOT_RDONLY	(1u << 0)
#define QUARK_BOOTF_MAX_FLAG	(1u << 1)

struct quark_boot_info {
	__u64 magic;		/* in: QUARK_BOOT_MAGIC */
	__u32 version;		/* in: QUARK_BOOT_VERSION */
	__u32 size;		/* in: size of the whole blob in bytes */
	__u64 mem_size;		/* in: guest memory in bytes (multiple of 2 MiB) */
	__u32 ncpus;		/* in: CPUs qkernel may use (>= 1) */
	__u32 flags;		/* in: QUARK_BOOTF_* */
	__s32 rootfs_fd;	/* in: ptrace: O_PATH|O_DIRECTORY fd of the rootfs */
	__s32 log_fd;		/* in: ptrace: fd for qkernel's log lines, -1 = none */
	__u32 log_level;	/* in: 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace */
	__u32 uid;		/* in: process.user.uid */
	__u32 gid;		/* in: process.user.gid */
	__u32 umask;		/* in: process.user.umask (default 022) */
	__u32 argc;		/* in: >= 1 */
	__u32 envc;
	__u32 args_off;		/* in: argc consecutive NUL-terminated strings */
	__u32 env_off;		/* in: envc consecutive NUL-terminated strings */
	__u32 cwd_off;		/* in: absolute guest path */
	__u32 hostname_off;	/* in: may be 0 */
	__u32 nmounts;		/* in: <= QUARK_BOOT_MAX_MOUNTS */
	__u32 mounts_off;	/* in: array of struct quark_boot_mount */
	__u64 seed;		/* in: random seed for AT_RANDOM and getrandom */
	__u64 boot_time_ns;	/* in: CLOCK_REALTIME at boot, for uptime/sysinfo */
};
_Static_assert(sizeof(struct quark_boot_info) == 104, "ABI");

#endif
