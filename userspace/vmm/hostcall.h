/* SPDX-License-Identifier: MIT */
/*
 * vmm/hostcall.h - the VMM's host-call server: one thread that serves qkernel's host
 * operations from the ring in guest memory (uapi/quark/hostcall.h). Internal to the VMM;
 * kvm.c starts it with the VM's memory, doorbell ioeventfd and completion irqfd, and the
 * unit test (tests/unit/test_hostcall.c) starts it on plain memory and plain eventfds.
 *
 * Every request is checked before the host acts on it: guest ranges against guest
 * memory, fds against the set this sandbox owns, names as single components, and
 * nothing ever follows a symlink outside the directory fd it starts from. Operations
 * that may block (POLL with a timeout, I/O on pipes, sockets, ttys) go through io_uring,
 * so one of them never holds up the others.
 */
#ifndef QUARK_VMM_HOSTCALL_H
#define QUARK_VMM_HOSTCALL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "quark/hostcall.h"
#include "userspace/util/error.h"

struct hc_server;

struct hc_server_opts {
	uint8_t *gmem;		/* guest physical memory [0, gmem_size), mapped here */
	uint64_t gmem_size;
	uint64_t ring_gpa;	/* struct quark_hc_ring, zeroed by the caller */
	struct quark_hc_ring *ring;	/* or, when not NULL, the ring here (quark.ko's shm,
					 * its own memslot at ring_gpa); gmem_ptr still
					 * translates every request buffer */
	int kmod_fd;		/* with `ring`: the /dev/quark context whose doorbell is bound
				 * to doorbell_fd and the ring's words; idle waits are then
				 * QUARK_IOC_WAIT. Ignored without `ring`. */
	int doorbell_fd;	/* eventfd the guest's doorbell signals (set O_NONBLOCK here) */
	int irq_fd;		/* eventfd that interrupts the guest (written with 1) */
	const int *host_fds;	/* fds the guest may name from the start; the server never
				 * closes them itself, but the guest may (CLOSE) */
	size_t nhost_fds;
	int signal_fd;		/* signalfd whose signals become QUARK_HC_EV_SIGNAL events, or
				 * -1 (set O_NONBLOCK here) */
	void (*kick)(void *arg);	/* or NULL: wake the vCPU that takes completion
					 * interrupts, which slept through one (hc_server_watch) */
	void *kick_arg;
};

/* Counters; calls[QUARK_HC_OP_MAX] counts requests with an unknown op. */
struct hc_stats {
	uint64_t calls[QUARK_HC_OP_MAX + 1];
	uint64_t sleeps;	/* times the thread slept (after spinning) */
	uint64_t doorbells;	/* sleeps ended by the guest's doorbell */
	uint64_t irqs;		/* completion interrupts raised */
	uint64_t uring_sqes;	/* io_uring submissions (one per SQE) */
	uint64_t events;	/* signal events posted */
	uint64_t cpu_ns;	/* CPU time the thread used (set when it ends) */
	uint64_t lost_irqs;	/* hc_server_watch: completions not taken: vCPU 0 woken */
	uint64_t lost_doorbells;	/* hc_server_watch: requests not taken: doorbell rung */
};

/* hc_server_start - check the options, set up io_uring and start the thread. */
int hc_server_start(const struct hc_server_opts *o, struct hc_server **srv,
		    quark_error_t *err);

/* hc_server_stats - a snapshot of the counters (any time; exact once stopped). */
void hc_server_stats(const struct hc_server *srv, struct hc_stats *st);

/* hc_server_stop - end the thread, cancel what is in flight, close the fds the guest
 * opened and left open, free the server. *final (may be NULL) gets the counters; state
 * (may be NULL) a description of the ring and of the requests still held (for a hang). */
void hc_server_stop(struct hc_server *srv, struct hc_stats *final, FILE *state);

/* hc_server_watch - call every HC_WATCH_MS (and from one thread): wake whichever side
 * sleeps through work the other left it, since the last call. */
#define HC_WATCH_MS	100
void hc_server_watch(struct hc_server *srv);

/* hc_op_name - "NOP", "OPENAT"... ("?" for an unknown op). */
const char *hc_op_name(unsigned op);

/* hc_signal_result - the result of a signal event: signo, plus QUARK_HC_SIG_KEYBOARD when
 * the host tty raised it (si_code SI_KERNEL and SIGINT, SIGQUIT or SIGWINCH). */
int64_t hc_signal_result(uint32_t signo, int32_t si_code);

/* hc_stats_format - "NOP 1, WRITE 1; sleeps 2, doorbells 1, irqs 2, io_uring 0, events 0"
 * into buf (always NUL-terminated). */
void hc_stats_format(const struct hc_stats *st, char *buf, size_t size);

#endif
