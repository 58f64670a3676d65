/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uapi/quark/quark_dev.h - ioctl ABI of /dev/quark (quark.ko, kmod/).
 *
 * open("/dev/quark") gives a context. On it:
 *   QUARK_IOC_GET_VERSION    ABI version and feature bits.
 *   QUARK_IOC_CREATE_SHM     a new fd whose mmap(MAP_SHARED) gives pinned, zeroed pages.
 *   QUARK_IOC_BIND_DOORBELL  hook an eventfd (the one registered with KVM_IOEVENTFD) and
 *                            name the ring's `pending` and `host_sleeping` words in a shm.
 *   QUARK_IOC_WAIT           spin on `pending`, then set `host_sleeping` and sleep until the
 *                            doorbell, a signal or the timeout; returns `pending` (swapped to 0).
 *   QUARK_IOC_BIND_WAKE      hook a second eventfd, for the host's own wake-ups: each signal
 *                            of it sets QUARK_WAKE_PENDING in `pending` and wakes WAIT.
 * Everything hangs off file descriptors: closing them (or SIGKILL) frees it all.
 *
 * Rules of this header: fixed-width fields only, each marked (in) or (out); every command
 * lists its errnos; flags are checked against *_MAX_FLAG (a bit at or above it: -EINVAL);
 * reserved fields must be 0 (in) and are written as 0 (out). The size of each struct is part
 * of the command number, so a caller built against another layout gets -ENOTTY.
 * Every command may also return -EFAULT (the argument pointer is not readable/writable) and
 * -ENOTTY (unknown command or wrong size).
 */
#ifndef QUARK_UAPI_QUARK_DEV_H
#define QUARK_UAPI_QUARK_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define QUARK_DEV_NAME		"quark"		/* /dev/quark, mode 0600 */
#define QUARK_ABI_VERSION	1
#define QUARK_IOC_MAGIC		0xB7

/* Feature bits reported by GET_VERSION. */
#define QUARK_FEAT_SHM		(1ULL << 0)	/* CREATE_SHM */
#define QUARK_FEAT_SHM_HUGE	(1ULL << 1)	/* CREATE_SHM with QUARK_SHM_HUGE (not yet) */
#define QUARK_FEAT_DOORBELL	(1ULL << 2)	/* BIND_DOORBELL */
#define QUARK_FEAT_WAIT		(1ULL << 3)	/* WAIT */
#define QUARK_FEAT_WAKE		(1ULL << 4)	/* BIND_WAKE */

/*
 * QUARK_IOC_GET_VERSION - ABI version and features of the loaded module.
 * Return: 0; -EFAULT.
 */
struct quark_version {
	__u32 abi_version;	/* out: QUARK_ABI_VERSION */
	__u32 reserved;		/* out: 0 */
	__u64 features;		/* out: QUARK_FEAT_* */
};
_Static_assert(sizeof(struct quark_version) == 16, "quark ABI: struct quark_version");
#define QUARK_IOC_GET_VERSION	_IOR(QUARK_IOC_MAGIC, 0x00, struct quark_version)

/*
 * QUARK_IOC_CREATE_SHM - allocate `size` bytes of pinned, zeroed pages; returns a new fd
 * (O_RDWR | O_CLOEXEC). mmap(MAP_SHARED) of that fd maps the pages (offset and length
 * within `size`); the mapping cannot grow (mremap) and is left out of core dumps. The pages
 * are not on the LRU (never swapped or migrated) and are charged to the caller's memory
 * cgroup; they are freed when the fd, every mapping and every doorbell using them are gone.
 * Return: 0; -EINVAL (bad flags, size 0, not a multiple of 4096, or > QUARK_SHM_MAX_SIZE,
 * reserved != 0), -EOPNOTSUPP (QUARK_SHM_HUGE: not implemented yet), -ENOMEM,
 * -EMFILE/-ENFILE (no fd), -EFAULT.
 * mmap of the fd: -EINVAL without MAP_SHARED, -ENXIO outside [0, size).
 */
#define QUARK_SHM_HUGE		(1ULL << 0)	/* back with 2 MiB pages (-EOPNOTSUPP for now) */
#define QUARK_SHM_MAX_FLAG	(1ULL << 1)
#define QUARK_SHM_MAX_SIZE	(64ULL << 20)

struct quark_create_shm {
	__u64 size;		/* in: bytes, multiple of 4096, <= QUARK_SHM_MAX_SIZE */
	__u64 flags;		/* in: QUARK_SHM_*, < QUARK_SHM_MAX_FLAG */
	__s32 fd;		/* out: the new shm fd */
	__u32 reserved;		/* in: 0 */
};
_Static_assert(sizeof(struct quark_create_shm) == 24, "quark ABI: struct quark_create_shm");
#define QUARK_IOC_CREATE_SHM	_IOWR(QUARK_IOC_MAGIC, 0x01, struct quark_create_shm)

/*
 * QUARK_IOC_BIND_DOORBELL - bind this context's (single) doorbell: `eventfd` is the fd the
 * guest's doorbell write signals (KVM_IOEVENTFD); `pending_off` and `sleeping_off` are the
 * byte offsets, inside the shm behind `shm_fd`, of two __u32 words:
 *   pending        bit mask the guest ORs work into (atomically) before it checks sleeping;
 *   host_sleeping  non-zero while a WAIT sleeps (written by the module only).
 * The context keeps references on the eventfd and the shm; closing those fds later is fine.
 * Return: 0; -EBADF (eventfd or shm_fd is not an open fd), -EINVAL (bad flags, eventfd is
 * not an eventfd, shm_fd is not a quark shm, offsets not 4-aligned, outside the shm or equal,
 * reserved != 0), -EBUSY (this context already has a doorbell), -EFAULT.
 */
#define QUARK_DOORBELL_MAX_FLAG	(1ULL << 0)	/* no flags yet */

struct quark_bind_doorbell {
	__s32 eventfd;		/* in: eventfd fd */
	__s32 shm_fd;		/* in: fd from QUARK_IOC_CREATE_SHM */
	__u32 pending_off;	/* in: offset of the __u32 pending mask in the shm */
	__u32 sleeping_off;	/* in: offset of the __u32 host_sleeping word in the shm */
	__u64 flags;		/* in: < QUARK_DOORBELL_MAX_FLAG */
};
_Static_assert(sizeof(struct quark_bind_doorbell) == 24, "quark ABI: struct quark_bind_doorbell");
#define QUARK_IOC_BIND_DOORBELL	_IOW(QUARK_IOC_MAGIC, 0x02, struct quark_bind_doorbell)

/*
 * QUARK_IOC_WAIT - wait for work on the bound doorbell: spin up to `spin_ns` reading
 * `pending`; then set `host_sleeping`, re-check `pending`, and sleep until the doorbell
 * fires, a signal arrives, or `timeout_ns` (from the start of the sleep) passes. `pending`
 * is swapped to 0 and returned. Several threads may wait: each wake-up gives the mask to
 * one of them and the others sleep on. `host_sleeping` is 1 while any waiter sleeps.
 * timeout_ns == 0: never sleep (spin, then one check); QUARK_WAIT_FOREVER: no timeout.
 * Return: 0 with `pending` set (0: the timeout passed with nothing pending);
 * -EINTR (a signal; never restarted: the caller loops), -EPIPE (the eventfd was closed and
 * nothing is pending), -ENOENT (no doorbell bound), -EINVAL (bad flags, spin_ns >
 * QUARK_WAIT_MAX_SPIN_NS, reserved != 0), -EFAULT.
 */
#define QUARK_WAIT_MAX_FLAG	(1ULL << 0)	/* no flags yet */
#define QUARK_WAIT_FOREVER	(~0ULL)
#define QUARK_WAIT_MAX_SPIN_NS	10000000ULL	/* 10 ms */

struct quark_wait {
	__u64 spin_ns;		/* in: busy-wait budget before sleeping */
	__u64 timeout_ns;	/* in: sleep limit, or QUARK_WAIT_FOREVER */
	__u64 flags;		/* in: < QUARK_WAIT_MAX_FLAG */
	__u32 pending;		/* out: the pending mask, swapped to 0 */
	__u32 reserved;		/* in: 0; out: 0 */
};
_Static_assert(sizeof(struct quark_wait) == 32, "quark ABI: struct quark_wait");
#define QUARK_IOC_WAIT		_IOWR(QUARK_IOC_MAGIC, 0x03, struct quark_wait)

/*
 * QUARK_IOC_BIND_WAKE - bind this context's wake eventfd: from now on every signal of
 * `eventfd` (eventfd_write, an io_uring's registered eventfd, ...) atomically ORs
 * QUARK_WAKE_PENDING into the doorbell's `pending` word and wakes WAIT. So one WAIT sleeps
 * until the guest rings or the host itself has work (an io_uring completion, a signal, a
 * stop request), and nothing is lost: the bit is set before the wake-up, and a WAIT that
 * starts later finds it in `pending`. The context keeps a reference on the eventfd; its
 * count is never read here (the caller may drain it). Needs a bound doorbell.
 * Return: 0; -ENOENT (no doorbell bound), -EBUSY (a wake eventfd is bound already),
 * -EBADF (eventfd is not an open fd), -EINVAL (not an eventfd, bad flags, reserved != 0),
 * -ENOMEM, -EFAULT.
 */
#define QUARK_WAKE_MAX_FLAG	(1ULL << 0)	/* no flags yet */
#define QUARK_WAKE_PENDING	(1U << 31)	/* the bit a wake sets in `pending` */

struct quark_bind_wake {
	__s32 eventfd;		/* in: eventfd fd */
	__u32 reserved;		/* in: 0 */
	__u64 flags;		/* in: < QUARK_WAKE_MAX_FLAG */
};
_Static_assert(sizeof(struct quark_bind_wake) == 16, "quark ABI: struct quark_bind_wake");
#define QUARK_IOC_BIND_WAKE	_IOW(QUARK_IOC_MAGIC, 0x04, struct quark_bind_wake)

#endif /* QUARK_UAPI_QUARK_DEV_H */
