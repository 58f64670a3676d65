/* SPDX-License-Identifier: MIT */
/*
 * uapi/quark/hostcall.h - the host-call ring of the kvm platform: how qkernel, inside the
 * VM, asks the VMM for host operations (the ops of guest/include/qk/host.h) without a VM
 * exit while the VMM's host-call thread is awake.
 *
 * One ring per VM, in guest memory at QUARK_KVM_HC_RING (uapi/quark/kvm_layout.h), zeroed
 * by the VMM before boot. Two queues of fixed-size entries, single producer / single
 * consumer each (qkernel holds its big kernel lock while it touches the ring):
 *   sq: requests, written by qkernel (producer: sq_tail), taken by the host (sq_head).
 *   cq: completions, written by the host (cq_tail), taken by qkernel (cq_head).
 * Indices are free-running __u32 counters; the entry is index % size. qkernel never has
 * more than QUARK_HC_SQ_SIZE requests in flight, and the host posts an event completion
 * only while the cq has room, so the cq never overflows.
 *
 * Submission (guest):                     Service (host-call thread):
 *   fill sq[tail % SQ]; sq_tail = tail+1     loop: mask = xchg(pending, 0)
 *   (release store)                                take sq[sq_head..sq_tail), serve,
 *   atomic OR pending |= QUARK_HC_PENDING_SQ       post cq entries (release cq_tail),
 *   (a locked RMW: full barrier)                   interrupt the guest if guest_irq
 *   if host_sleeping: OUT to the doorbell       nothing to do: spin a while, then
 *                    port (an ioeventfd)            host_sleeping = 1; full barrier;
 *                                                   re-check pending; sleep on the
 *                                                   doorbell; host_sleeping = 0
 * No lost wake-up: the guest's OR and the host's store of host_sleeping are each
 * followed by a full barrier before the other side's word is read, so at least one side
 * sees the other (the guest rings, or the host finds pending set). quark.ko's WAIT
 * (uapi/quark/quark_dev.h) implements the host half of the same protocol in the kernel.
 *
 * Completions interrupt the guest through an irqfd (MSI, vector QUARK_KVM_HC_VECTOR, to
 * APIC id 0) when guest_irq is non-zero at the time the host posts them.
 *
 * Arguments are 64-bit. "gpa" arguments are guest physical addresses of kernel buffers
 * (physically contiguous); the host checks that [gpa, gpa + len) lies inside guest
 * memory and fails the request with -EFAULT otherwise. "name" arguments are the gpa of a
 * NUL-terminated single path component: at most QUARK_HC_NAME_MAX bytes before the NUL,
 * no '/', and not "..", or -EINVAL ("" is allowed where the host call takes
 * AT_EMPTY_PATH). Host fds are those the boot info names (rootfs, bind mounts, log,
 * stdio 0-2) and those the host returned; any other fd is -EBADF. The host never
 * follows a symlink in a name except through openat2(RESOLVE_IN_ROOT) with the dirfd as
 * the root. Results are what the host syscall returns: >= 0, or a negative errno.
 */
#ifndef QUARK_UAPI_HOSTCALL_H
#define QUARK_UAPI_HOSTCALL_H

#include <linux/types.h>

#define QUARK_HC_SQ_SIZE	64	/* power of two */
#define QUARK_HC_CQ_SIZE	128	/* power of two, >= 2 * SQ_SIZE (room for events) */
#define QUARK_HC_NAME_MAX	255
#define QUARK_HC_PATH_MAX	4095	/* symlink targets */
#define QUARK_HC_IO_MAX		(1u << 20)	/* read/write/getdents length per request */
#define QUARK_HC_POLL_MAX	64	/* pollfds per POLL */

/* pending bits (guest ORs them in) */
#define QUARK_HC_PENDING_SQ	(1u << 0)	/* new requests in the sq */
#define QUARK_HC_PENDING_CQ	(1u << 1)	/* the guest consumed cq entries (room for events) */
#define QUARK_HC_PENDING_HOST	(1u << 31)	/* reserved: the VMM wakes its own quark.ko WAIT with it */

/* Ops. Arguments: a0..a5 in order. */
enum quark_hc_op {
	QUARK_HC_NOP = 0,	/* -> 0 (round-trip benchmarks) */
	QUARK_HC_OPENAT,	/* dirfd, name, flags, mode -> new fd (O_CLOEXEC forced) */
	QUARK_HC_CLOSE,		/* fd */
	QUARK_HC_READ,		/* fd, buf gpa, len */
	QUARK_HC_WRITE,		/* fd, buf gpa, len */
	QUARK_HC_PREAD,		/* fd, buf gpa, len, off */
	QUARK_HC_PWRITE,	/* fd, buf gpa, len, off */
	QUARK_HC_LSEEK,		/* fd, off, whence */
	QUARK_HC_FSTAT,		/* fd, struct stat gpa (144 bytes) */
	QUARK_HC_FSTATAT,	/* dirfd, name, struct stat gpa, flags (AT_SYMLINK_NOFOLLOW forced) */
	QUARK_HC_GETDENTS64,	/* fd, buf gpa, len */
	QUARK_HC_READLINKAT,	/* dirfd, name, buf gpa, len */
	QUARK_HC_MKDIRAT,	/* dirfd, name, mode */
	QUARK_HC_MKNODAT,	/* dirfd, name, mode, dev */
	QUARK_HC_UNLINKAT,	/* dirfd, name, flags */
	QUARK_HC_RENAMEAT2,	/* olddirfd, oldname, newdirfd, newname, flags */
	QUARK_HC_LINKAT,	/* olddirfd, oldname, newdirfd, newname, flags (no AT_SYMLINK_FOLLOW) */
	QUARK_HC_SYMLINKAT,	/* target gpa (NUL-terminated, <= PATH_MAX), dirfd, name */
	QUARK_HC_FCHMOD,	/* fd, mode */
	QUARK_HC_FCHMODAT,	/* dirfd, name, mode (a symlink: -EOPNOTSUPP) */
	QUARK_HC_FCHOWNAT,	/* dirfd, name, uid, gid, flags (AT_SYMLINK_NOFOLLOW forced) */
	QUARK_HC_FTRUNCATE,	/* fd, len */
	QUARK_HC_FSYNC,		/* fd, datasync (0/1) */
	QUARK_HC_UTIMENSAT,	/* dirfd, name, times gpa (2 x struct timespec) or 0, flags */
	QUARK_HC_FSTATFS,	/* fd, struct statfs gpa (120 bytes) */
	QUARK_HC_IOCTL,		/* fd (0-2 only), cmd (tty ioctls only), arg gpa or value */
	QUARK_HC_FCNTL,		/* fd, cmd (F_GETFL, F_SETFL, F_GETFD, F_SETFD, F_DUPFD_CLOEXEC), arg */
	QUARK_HC_POLL,		/* struct pollfd gpa, n, timeout_ns (-1 = forever) */
	QUARK_HC_GETRANDOM,	/* buf gpa, len */
	QUARK_HC_REOPEN,	/* O_PATH fd, flags -> new fd (O_CLOEXEC forced) */
	QUARK_HC_CANCEL,	/* tag of an in-flight request: it completes with -ECANCELED */
	QUARK_HC_OP_MAX,	/* sentinel: larger ops are -ENOSYS */
};

struct quark_hc_req {
	__u32 op;		/* in: enum quark_hc_op */
	__u32 flags;		/* in: 0 (others: -EINVAL) */
	__u64 tag;		/* in: echoed in the completion; top bit clear */
	__s64 args[6];		/* in */
};
_Static_assert(sizeof(struct quark_hc_req) == 64, "ABI");

/* Completions of requests carry their tag. Host events carry a tag with the top bit
 * set; QUARK_HC_EV_SIGNAL: a signal sent to the sandbox, result = signo, plus
 * QUARK_HC_SIG_KEYBOARD when the host tty raised it (SIGINT/SIGQUIT/SIGWINCH, SI_KERNEL). */
#define QUARK_HC_EV_SIGNAL	(1ULL << 63)
#define QUARK_HC_SIG_KEYBOARD	0x100

struct quark_hc_cqe {
	__u64 tag;		/* out */
	__s64 result;		/* out */
};
_Static_assert(sizeof(struct quark_hc_cqe) == 16, "ABI");

struct quark_hc_ring {
	__u32 sq_tail;		/* guest */
	__u32 sq_head;		/* host */
	__u32 cq_tail;		/* host */
	__u32 cq_head;		/* guest */
	__u32 pending;		/* guest ORs QUARK_HC_PENDING_*; host swaps to 0 */
	__u32 host_sleeping;	/* host: non-zero while it sleeps on the doorbell */
	__u32 guest_irq;	/* guest: non-zero = interrupt me when completions arrive */
	__u32 nmi_dump;		/* host: non-zero = an NMI asks for qkernel's state dump (an
				 * NMI without it only wakes a vCPU) */
	__u32 rsv[8];		/* zero */
	struct quark_hc_req sq[QUARK_HC_SQ_SIZE];
	struct quark_hc_cqe cq[QUARK_HC_CQ_SIZE];
};
_Static_assert(sizeof(struct quark_hc_ring) == 64 + 64 * 64 + 16 * 128, "ABI");

#endif
