/* SPDX-License-Identifier: MIT */
/*
 * vmm/hostcall_internal.h - what hostcall.c (the thread, the ring protocol, io_uring)
 * and hostcall_ops.c (the checked operations) share.
 */
#ifndef QUARK_VMM_HOSTCALL_INTERNAL_H
#define QUARK_VMM_HOSTCALL_INTERNAL_H

#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>

#include "userspace/vmm/hostcall.h"
#include "userspace/vmm/kvm_internal.h"

/* An op handler's "no result yet": the request went to io_uring and completes later.
 * Never a real result (those are >= 0 or a small negative errno). */
#define HC_QUEUED	INT64_MIN

/* Requests in io_uring at once. Admission keeps it below the cq's free entries, so at most
 * QUARK_HC_CQ_SIZE - 1 are in flight; the rest of the slots hold requests whose completion
 * is posted but whose cancelled SQEs have not all come back yet. */
#define HC_SLOTS	(2 * QUARK_HC_CQ_SIZE)
#define HC_SUB_TIMEOUT	QUARK_HC_POLL_MAX	/* POLL: sub-request index of the timeout */

/* One request in io_uring: READ/WRITE/PREAD/PWRITE (one SQE, sub 0) or POLL (one
 * POLL_ADD per fd, sub = its index, plus a TIMEOUT). */
struct hc_slot {
	bool used;		/* allocated */
	bool done;		/* completion posted to the guest */
	bool cancel;		/* the guest's CANCEL asked for it */
	uint32_t op;
	uint64_t tag;
	uint32_t gen;		/* in each SQE's user_data, so a late cancel never hits
				 * the slot's next request */
	unsigned outstanding;	/* SQEs whose CQE has not arrived */
	unsigned nsub;		/* subs 0..nsub-1 were submitted (POLL: + HC_SUB_TIMEOUT) */
	bool has_timeout;
	uint64_t pfd_gpa;	/* POLL: where revents go */
	unsigned npfd;
	uint64_t nval;		/* POLL: fds the sandbox does not own (POLLNVAL) */
	struct pollfd pfd[QUARK_HC_POLL_MAX];	/* POLL: the host's copy (fd -1 = skip) */
	struct __kernel_timespec ts;
};

/* Per-fd state of the sandbox's fds, indexed by fd number. */
enum { FD_NONE = 0, FD_INLINE = 1, FD_ASYNC = 2, FD_KIND = 3, FD_INITIAL = 4 };

struct hc_server {
	struct kvm_gmem mem;
	struct quark_hc_ring *ring;
	int doorbell_fd, irq_fd, signal_fd;
	int kmod_fd;		/* /dev/quark with the doorbell bound, -1: poll(2) only */
	union {			/* the server's own fds (-1: none), closed by server_free */
		struct {
			int stop_fd;	/* eventfd: hc_server_stop wakes the thread with it */
			int wake_fd;	/* quark.ko: bound with BIND_WAKE; io_uring's eventfd */
			int relay_stop_fd;	/* quark.ko: ends the signal relay */
			int relay_epfd;	/* quark.ko: the relay's epoll set */
		};
		int own_fds[4];
	};
	uint64_t spin_ns;	/* hc_wait's current spin (HC_SPIN_NS..HC_SPIN_MAX_NS) */

	uint8_t *fds;		/* FD_* per fd number */
	size_t fds_len;

	struct io_uring uring;
	bool uring_ready;
	struct hc_slot slots[HC_SLOTS];
	unsigned inflight;	/* slots whose completion is not posted yet */

	uint32_t sq_head, cq_tail;	/* the host's own copies (the guest may scribble) */
	struct quark_hc_cqe last[8];	/* the last completions posted, for describe() */
	unsigned posted;		/* completions since the last interrupt check */
	void (*kick)(void *arg);
	void *kick_arg;
	/* hc_server_watch's, the VMM's main thread only */
	uint32_t watch_sq_head, watch_cq_head;
	bool watch_sq_waits, watch_cq_waits;
	uint64_t watch_doorbells, watch_kicks;
	bool stop;

	pthread_t thread, relay;
	bool thread_live, relay_live;
	struct hc_stats stats;	/* written by the thread only (relaxed stores) */
};

#define HC_STAT_ADD(s, field, n) \
	__atomic_store_n(&(s)->stats.field, (s)->stats.field + (n), __ATOMIC_RELAXED)

/* hostcall_ops.c */
typedef int64_t hc_op_fn(struct hc_server *s, const struct quark_hc_req *r,
			 struct hc_slot *slot);
struct hc_op {
	const char *name;
	hc_op_fn *fn;
};
extern const struct hc_op hc_ops[QUARK_HC_OP_MAX];
int hc_fd_kind(const struct hc_server *s, int64_t fd);	/* FD_INLINE/FD_ASYNC, or -EBADF */
int hc_fd_add(struct hc_server *s, int fd, bool initial);	/* 0 or -ENOMEM */

/* hostcall.c: io_uring submissions for the ops */
int64_t hc_queue_rw(struct hc_server *s, struct hc_slot *sl, const struct quark_hc_req *r,
		    void *buf, uint64_t len, int64_t off);
int64_t hc_queue_poll(struct hc_server *s, struct hc_slot *sl, const struct quark_hc_req *r);
int64_t hc_cancel(struct hc_server *s, uint64_t tag);

#endif
