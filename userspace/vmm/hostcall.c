/* SPDX-License-Identifier: MIT */
/*
 * vmm/hostcall.c - the host-call thread: the host half of the ring protocol of
 * uapi/quark/hostcall.h, io_uring for the operations that may block, signal events.
 *
 * One loop: swap `pending` to 0; take requests from the sq while the cq has room for
 * their completions (inline ops complete at once, blocking ones go to io_uring); reap
 * io_uring completions; turn signals into events while the cq has room; after posting,
 * interrupt the guest if it asked (guest_irq). With nothing to do, hc_wait spins a while
 * and then sleeps on the doorbell, io_uring and the signalfd at once; with quark.ko it
 * spins and sleeps in QUARK_IOC_WAIT instead, which the host's own wake eventfd also ends
 * (io_uring signals it for every completion, a relay thread for every signal).
 *
 * Admission: a request is taken only when the cq's free entries exceed the requests in
 * flight, so every completion has a place and the cq never overflows, even for a guest
 * that ignores the sq limit; events need the same margin, so they never take a place a
 * request needs. The host keeps its own sq_head and cq_tail: the guest may scribble on
 * the ring, but then only the guest gets wrong answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "quark/quark_dev.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/log.h"
#include "userspace/vmm/hostcall_internal.h"

/* Spin before sleeping: a guest that submits again within the spin (the common case for
 * a burst of host calls) costs no doorbell exit and no host wake-up. The spin adapts,
 * like KVM's halt polling: it doubles (up to HC_SPIN_MAX_NS) after a sleep the doorbell
 * ended sooner than that, and halves (down to HC_SPIN_NS) after a longer one, so a busy
 * guest keeps the thread awake and an idle one costs no CPU. */
#define HC_SPIN_NS	50000
#define HC_SPIN_MAX_NS	2000000
_Static_assert(HC_SPIN_MAX_NS <= QUARK_WAIT_MAX_SPIN_NS, "WAIT's spin limit");
_Static_assert(QUARK_WAKE_PENDING == QUARK_HC_PENDING_HOST, "the ring reserves WAKE's bit");
#define HC_URING_SQ	256
#define HC_URING_CQ	2048

/* user_data of an SQE: slot generation, slot index, sub-request. UD_IGNORE: cancels. */
#define UD_IGNORE	UINT64_MAX
#define UD(gen, slot, sub)	((uint64_t)(gen) << 32 | (uint64_t)(slot) << 8 | (sub))

/* ---- ring ---- */

static uint32_t ring_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Free cq entries (0 when the guest's cq_head makes no sense). */
static uint32_t cq_room(const struct hc_server *s)
{
	uint32_t used = s->cq_tail - ring_load(&s->ring->cq_head);

	return used > QUARK_HC_CQ_SIZE ? 0 : QUARK_HC_CQ_SIZE - used;
}

static void cq_post(struct hc_server *s, uint64_t tag, int64_t result)
{
	struct quark_hc_cqe *e = &s->ring->cq[s->cq_tail % QUARK_HC_CQ_SIZE];

	/* TRUST: the index is the host's own, masked; the guest's memory gets the entry. */
	__atomic_store_n(&e->tag, tag, __ATOMIC_RELAXED);
	__atomic_store_n(&e->result, result, __ATOMIC_RELAXED);
	s->last[s->cq_tail % 8] = (struct quark_hc_cqe){ .tag = tag, .result = result };
	s->cq_tail++;
	__atomic_store_n(&s->ring->cq_tail, s->cq_tail, __ATOMIC_RELEASE);
	s->posted++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* After posting: interrupt the guest if it asked. The fence pairs with the guest's
 * between setting guest_irq and its last look at cq_tail before it halts. */
static void maybe_interrupt(struct hc_server *s)
{
	uint64_t one = 1;

	if (!s->posted)
		return;
	s->posted = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&s->ring->guest_irq, __ATOMIC_RELAXED))
		return;
	if (write(s->irq_fd, &one, sizeof(one)) == sizeof(one))
		HC_STAT_ADD(s, irqs, 1);
}

/* ---- io_uring slots ---- */

static struct hc_slot *slot_get(struct hc_server *s)
{
	for (unsigned i = 0; i < HC_SLOTS; i++)
		if (!s->slots[i].used)
			return &s->slots[i];
	return NULL;
}

static unsigned slot_index(const struct hc_server *s, const struct hc_slot *sl)
{
	return (unsigned)(sl - s->slots);
}

static struct io_uring_sqe *sqe_get(struct hc_server *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->uring);

	if (!sqe) {	/* the SQ ring is full: hand it to the kernel and take a new one */
		io_uring_submit(&s->uring);
		sqe = io_uring_get_sqe(&s->uring);
	}
	if (sqe)
		HC_STAT_ADD(s, uring_sqes, 1);
	return sqe;
}

/* A slot takes the request; sub-requests are added with slot_sqe. */
static void slot_begin(struct hc_slot *sl, const struct quark_hc_req *r)
{
	uint32_t gen = sl->gen + 1;

	memset(sl, 0, sizeof(*sl));
	sl->gen = gen;
	sl->used = true;
	sl->op = r->op;
	sl->tag = r->tag;
}

static struct io_uring_sqe *slot_sqe(struct hc_server *s, struct hc_slot *sl, unsigned sub)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	if (sqe) {
		sl->outstanding++;
		io_uring_sqe_set_data64(sqe, UD(sl->gen, slot_index(s, sl), sub));
	}
	return sqe;
}

/* Ask io_uring to cancel the slot's sub-requests (all but `except`). A cancel that
 * finds nothing (the sub already finished) is harmless: its CQE is ignored. */
static void slot_cancel(struct hc_server *s, struct hc_slot *sl, unsigned except)
{
	unsigned idx = slot_index(s, sl);

	for (unsigned sub = 0; sub <= HC_SUB_TIMEOUT; sub++) {
		struct io_uring_sqe *sqe;

		if (sub == except || (sub >= sl->nsub && !(sub == HC_SUB_TIMEOUT && sl->has_timeout)))
			continue;
		sqe = sqe_get(s);
		if (!sqe)
			return;
		io_uring_prep_cancel64(sqe, UD(sl->gen, idx, sub), 0);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
	}
}

/* Submission failed half-way (no SQE): what was submitted is cancelled, the guest gets
 * -EAGAIN once everything comes back. */
static int64_t slot_abort(struct hc_server *s, struct hc_slot *sl)
{
	if (!sl->outstanding) {
		sl->used = false;
		return -EAGAIN;
	}
	s->inflight++;
	sl->cancel = true;
	slot_cancel(s, sl, UINT32_MAX);
	return HC_QUEUED;
}

int64_t hc_queue_rw(struct hc_server *s, struct hc_slot *sl, const struct quark_hc_req *r,
		    void *buf, uint64_t len, int64_t off)
{
	struct io_uring_sqe *sqe;
	int fd = (int)r->args[0];

	slot_begin(sl, r);
	sqe = slot_sqe(s, sl, 0);
	if (!sqe)
		return slot_abort(s, sl);
	sl->nsub = 1;
	/* off -1: the file position, as read(2)/write(2) */
	if (r->op == QUARK_HC_READ || r->op == QUARK_HC_PREAD)
		io_uring_prep_read(sqe, fd, buf, (unsigned)len, (uint64_t)off);
	else
		io_uring_prep_write(sqe, fd, buf, (unsigned)len, (uint64_t)off);
	s->inflight++;
	return HC_QUEUED;
}

/* The poll(2) answer now, without waiting: the count, and revents into guest memory. */
static int64_t poll_now(struct hc_server *s, struct hc_slot *sl)
{
	struct pollfd pfd[QUARK_HC_POLL_MAX];
	struct pollfd *g = gmem_ptr(&s->mem, sl->pfd_gpa, sl->npfd * sizeof(*g));
	int64_t n = 0;

	memcpy(pfd, sl->pfd, sl->npfd * sizeof(pfd[0]));
	if (poll(pfd, sl->npfd, 0) < 0)
		return -(int64_t)errno;
	for (unsigned i = 0; i < sl->npfd; i++) {
		short rev = pfd[i].revents;

		if (sl->nval & (1ULL << i))
			rev = POLLNVAL;	/* a guest fd the sandbox does not own */
		n += rev != 0;
		/* TRUST: checked range (the ring's memory never moves); only revents. */
		__atomic_store_n(&g[i].revents, rev, __ATOMIC_RELAXED);
	}
	return n;
}

/* POLL: answered inline when something is ready or the timeout is 0; else one POLL_ADD
 * per fd and a TIMEOUT in io_uring, the first to finish answers (poll_now again) and
 * the others are cancelled. Fds the sandbox does not own get POLLNVAL, like closed fds
 * in poll(2); negative fds are skipped. */
int64_t hc_queue_poll(struct hc_server *s, struct hc_slot *sl, const struct quark_hc_req *r)
{
	uint64_t n = (uint64_t)r->args[1];
	int64_t tmo = r->args[2], ready;
	const struct pollfd *g;

	if (n > QUARK_HC_POLL_MAX)
		return -EINVAL;
	g = gmem_ptr(&s->mem, (uint64_t)r->args[0], n * sizeof(*g));
	if (!g)
		return -EFAULT;
	slot_begin(sl, r);
	sl->pfd_gpa = (uint64_t)r->args[0];
	sl->npfd = (unsigned)n;
	memcpy(sl->pfd, g, n * sizeof(*g));	/* TRUST: one copy, then only the copy */
	for (unsigned i = 0; i < n; i++) {
		sl->pfd[i].revents = 0;
		if (sl->pfd[i].fd >= 0 && hc_fd_kind(s, sl->pfd[i].fd) < 0) {
			sl->pfd[i].fd = -1;	/* never polled on the host */
			sl->nval |= 1ULL << i;
		}
	}
	ready = poll_now(s, sl);
	if (ready != 0 || tmo == 0) {
		sl->used = false;
		return ready;
	}
	for (unsigned i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;

		sl->nsub = i + 1;
		if (sl->pfd[i].fd < 0)
			continue;
		sqe = slot_sqe(s, sl, i);
		if (!sqe)
			return slot_abort(s, sl);
		io_uring_prep_poll_add(sqe, sl->pfd[i].fd, (unsigned)(uint16_t)sl->pfd[i].events);
	}
	if (tmo > 0) {
		struct io_uring_sqe *sqe = slot_sqe(s, sl, HC_SUB_TIMEOUT);

		if (!sqe)
			return slot_abort(s, sl);
		sl->has_timeout = true;
		sl->ts.tv_sec = tmo / 1000000000;
		sl->ts.tv_nsec = tmo % 1000000000;
		io_uring_prep_timeout(sqe, &sl->ts, 0, 0);
	}
	s->inflight++;
	return HC_QUEUED;
}

/* The first CQE of a slot answers the guest. */
static void slot_complete(struct hc_server *s, struct hc_slot *sl, unsigned sub, int64_t res)
{
	if (sl->cancel)
		res = -ECANCELED;	/* (a blocked read interrupted by the cancel says -EINTR) */
	else if (sl->op == QUARK_HC_POLL)
		res = poll_now(s, sl);
	cq_post(s, sl->tag, res);
	sl->done = true;
	s->inflight--;
	if (sl->op == QUARK_HC_POLL)
		slot_cancel(s, sl, sub);
}

int64_t hc_cancel(struct hc_server *s, uint64_t tag)
{
	int64_t ret = -ENOENT;

	for (unsigned i = 0; i < HC_SLOTS; i++) {
		struct hc_slot *sl = &s->slots[i];

		if (!sl->used || sl->done || sl->cancel || sl->tag != tag)
			continue;
		sl->cancel = true;
		ret = 0;
		if (sl->outstanding) {
			slot_cancel(s, sl, UINT32_MAX);
			continue;
		}
		slot_complete(s, sl, UINT32_MAX, -ECANCELED);	/* POLL of no fd, forever */
		sl->used = false;
	}
	return ret;
}

static bool reap_uring(struct hc_server *s)
{
	struct io_uring_cqe *cqe;
	bool did = false;

	while (io_uring_peek_cqe(&s->uring, &cqe) == 0) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);
		int64_t res = cqe->res;
		struct hc_slot *sl;

		io_uring_cqe_seen(&s->uring, cqe);
		did = true;
		if (ud == UD_IGNORE || ((ud >> 8) & 0xffffff) >= HC_SLOTS)
			continue;
		sl = &s->slots[(ud >> 8) & 0xffffff];
		if (!sl->used || sl->gen != (uint32_t)(ud >> 32) || !sl->outstanding)
			continue;
		sl->outstanding--;
		if (!sl->done)
			slot_complete(s, sl, (unsigned)(ud & 0xff), res);
		if (!sl->outstanding)
			sl->used = false;
	}
	return did;
}

/* ---- requests and events ---- */

static void serve(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	unsigned op = r->op < QUARK_HC_OP_MAX ? r->op : QUARK_HC_OP_MAX;
	int64_t res;

	HC_STAT_ADD(s, calls[op], 1);
	if (op == QUARK_HC_OP_MAX)
		res = -ENOSYS;
	else if (r->flags || (r->tag & QUARK_HC_EV_SIGNAL))
		res = -EINVAL;
	else
		res = hc_ops[op].fn(s, r, sl);
	if (res != HC_QUEUED)
		cq_post(s, r->tag, res);
}

static bool drain_sq(struct hc_server *s)
{
	uint32_t tail = ring_load(&s->ring->sq_tail);
	bool did = false;

	while (s->sq_head != tail) {
		struct hc_slot *sl = slot_get(s);
		struct quark_hc_req r;

		if (!sl || cq_room(s) <= s->inflight)
			break;	/* the guest's PENDING_CQ or an io_uring CQE wakes us */
		/* TRUST: the guest may rewrite the entry meanwhile: copy it once. */
		memcpy(&r, &s->ring->sq[s->sq_head % QUARK_HC_SQ_SIZE], sizeof(r));
		s->sq_head++;
		__atomic_store_n(&s->ring->sq_head, s->sq_head, __ATOMIC_RELEASE);
		serve(s, &r, sl);
		did = true;
	}
	return did;
}

int64_t hc_signal_result(uint32_t signo, int32_t si_code)
{
	bool kbd = si_code == SI_KERNEL &&
		   (signo == SIGINT || signo == SIGQUIT || signo == SIGWINCH);

	return (int64_t)signo | (kbd ? QUARK_HC_SIG_KEYBOARD : 0);
}

/* Signals stay queued in the kernel until the cq has room for them. */
static bool post_signals(struct hc_server *s)
{
	struct signalfd_siginfo si;
	bool did = false;

	while (s->signal_fd >= 0 && cq_room(s) > s->inflight) {
		if (read(s->signal_fd, &si, sizeof(si)) != sizeof(si))
			break;
		cq_post(s, QUARK_HC_EV_SIGNAL, hc_signal_result(si.ssi_signo, si.ssi_code));
		HC_STAT_ADD(s, events, 1);
		did = true;
	}
	return did;
}

/* ---- waiting ---- */

static bool work_visible(struct hc_server *s)
{
	return __atomic_load_n(&s->ring->pending, __ATOMIC_RELAXED) ||
	       io_uring_cq_ready(&s->uring);
}

/* The spin adapts to how long the sleep was (t0: when the wait began, after the spin). */
static void adapt_spin(struct hc_server *s, uint64_t t0)
{
	if (!s->spin_ns)
		;	/* one host CPU: never spin */
	else if (now_ns() - t0 < HC_SPIN_MAX_NS)
		s->spin_ns = s->spin_ns * 2 > HC_SPIN_MAX_NS ? HC_SPIN_MAX_NS : s->spin_ns * 2;
	else if (s->spin_ns / 2 >= HC_SPIN_NS)
		s->spin_ns /= 2;
}

/* The doorbell eventfd's count: how many doorbell writes the guest made. */
static bool doorbell_drain(struct hc_server *s)
{
	uint64_t v;

	if (read(s->doorbell_fd, &v, sizeof(v)) != sizeof(v))
		return false;
	HC_STAT_ADD(s, doorbells, v);
	return true;
}

/*
 * hc_wait_poll - the host's idle half of the protocol: spin (s->spin_ns) watching `pending`
 * (and io_uring), then host_sleeping = 1, a full barrier, one more look at `pending`,
 * and sleep until the doorbell, an io_uring completion, a signal (only while the cq has
 * room for it) or the stop eventfd. The barrier pairs with the guest's locked OR of
 * `pending` before it reads host_sleeping: one of the two sides always sees the other,
 * so no doorbell is lost.
 */
static void hc_wait_poll(struct hc_server *s)
{
	struct pollfd pfd[4] = {
		{ .fd = s->doorbell_fd, .events = POLLIN },
		{ .fd = s->uring.ring_fd, .events = POLLIN },
		{ .fd = s->stop_fd, .events = POLLIN },
		{ .fd = cq_room(s) > s->inflight ? s->signal_fd : -1, .events = POLLIN },
	};
	uint64_t t = now_ns(), end = t + s->spin_ns;

	do {
		if (work_visible(s))
			return;
		__builtin_ia32_pause();
	} while ((t = now_ns()) < end);
	__atomic_store_n(&s->ring->host_sleeping, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!work_visible(s)) {
		HC_STAT_ADD(s, sleeps, 1);
		while (poll(pfd, 4, -1) < 0 && errno == EINTR)
			;
	}
	__atomic_store_n(&s->ring->host_sleeping, 0, __ATOMIC_RELAXED);
	if ((pfd[0].revents & POLLIN) && doorbell_drain(s))
		adapt_spin(s, t);
	if (pfd[2].revents & POLLIN)
		s->stop = true;
}

/* The wake eventfd's bit, wherever `pending` is swapped: drain its count (which means
 * nothing), and see whether it was the stop request. */
static void host_woken(struct hc_server *s, uint32_t pending)
{
	uint64_t v;

	if (!(pending & QUARK_WAKE_PENDING) || s->wake_fd < 0)
		return;
	(void)!read(s->wake_fd, &v, sizeof(v));
	if (read(s->stop_fd, &v, sizeof(v)) == sizeof(v))
		s->stop = true;
}

/*
 * hc_wait_kmod - the same idle half in quark.ko: QUARK_IOC_WAIT spins on `pending`, sets
 * host_sleeping, re-checks and sleeps (kmod/doorbell.c), and returns `pending` swapped to
 * 0. The loop's own swap at the top of each round then finds 0 or newer bits; either way
 * it re-reads sq_tail and cq_head, so no request is lost to the double swap.
 * The host's own work ends WAIT through the wake eventfd (BIND_WAKE), which sets
 * QUARK_WAKE_PENDING: io_uring signals it for each completion (io_uring_register_eventfd),
 * the relay thread for each signal, hc_server_stop for the stop. (A completion that
 * io_uring hands to this thread as task work ends WAIT with EINTR instead.) The module
 * reads neither eventfd's count: the doorbell's is the doorbell statistic, drained here.
 */
static void hc_wait_kmod(struct hc_server *s)
{
	struct quark_wait w = { .spin_ns = s->spin_ns, .timeout_ns = QUARK_WAIT_FOREVER };
	uint64_t t = now_ns();

	if (ioctl(s->kmod_fd, QUARK_IOC_WAIT, &w) < 0 && errno != EINTR) {
		/* (-EPIPE: the eventfd is gone.) Never spin on a broken WAIT: poll from now on. */
		quark_log(QUARK_LOG_WARN, "host calls: QUARK_IOC_WAIT: %s; waiting with poll(2) "
			  "from now on", strerror(errno));
		s->kmod_fd = -1;
		return;
	}
	if (now_ns() - t > s->spin_ns)
		HC_STAT_ADD(s, sleeps, 1);	/* (about: the spin may have ended just so) */
	if (doorbell_drain(s))
		adapt_spin(s, t + s->spin_ns);
	host_woken(s, w.pending);
}

/* hc_wait - wait for work: the one function quark.ko's QUARK_IOC_WAIT replaces. */
static void hc_wait(struct hc_server *s)
{
	if (s->kmod_fd >= 0)
		hc_wait_kmod(s);
	else
		hc_wait_poll(s);
}

/* With quark.ko, signals reach WAIT through this thread: it sleeps on the signalfd
 * (edge-triggered: it only notices, the host-call thread reads them) and rings the wake
 * eventfd for each arrival. */
static void *relay_thread(void *arg)
{
	struct hc_server *s = arg;
	struct epoll_event ev;
	uint64_t one = 1;

	pthread_setname_np(pthread_self(), "quark-hcsignal");
	for (;;) {
		int n = epoll_wait(s->relay_epfd, &ev, 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || ev.data.fd == s->relay_stop_fd)
			return NULL;
		if (write(s->wake_fd, &one, sizeof(one)) != sizeof(one))
			return NULL;	/* (cannot happen: a count far from its limit) */
	}
}

static void *hc_thread(void *arg)
{
	struct hc_server *s = arg;

	pthread_setname_np(pthread_self(), "quark-hostcall");
	/* Files get the mode the guest computed (its umask applied), as on the ptrace
	 * platform: umask 0, for this thread only (its own fs_struct). */
	if (unshare(CLONE_FS) == 0)
		umask(0);
	while (!s->stop) {
		bool did;

		/* (After a WAIT this usually swaps 0: WAIT swapped the bits it returned.) A
		 * stop's wake bit may be taken here, not by WAIT: host_woken sees to it. */
		host_woken(s, __atomic_exchange_n(&s->ring->pending, 0, __ATOMIC_SEQ_CST));
		did = drain_sq(s);
		did |= reap_uring(s);
		did |= post_signals(s);
		if (io_uring_sq_ready(&s->uring))
			io_uring_submit(&s->uring);
		maybe_interrupt(s);
		if (!did && !s->stop)
			hc_wait(s);
	}
	{
		struct timespec ts;

		if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
			HC_STAT_ADD(s, cpu_ns, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	}
	return NULL;
}

/* ---- the watch ---- */

/*
 * hc_server_watch - the VMM's main thread calls this every HC_WATCH_MS while the VM runs.
 * Requests the host has not taken, or completions the guest has not taken while it asked
 * for interrupts, already there at the last call with the head unchanged since, mean a
 * wake-up was lost: the doorbell is rung for the host-call thread, opts.kick wakes vCPU 0
 * (an NMI). Each is a few microseconds on real hardware. A safety net: built while the
 * QEMU rig hung with halted vCPUs that only an NMI woke (the STI/HLT gap kvm_safe_halt in
 * qkernel now closes) and once with a host-call thread asleep beside a request. Only
 * this thread reads the watch_* fields.
 */
void hc_server_watch(struct hc_server *s)
{
	const struct quark_hc_ring *r = s->ring;
	uint32_t sq_head = ring_load(&r->sq_head), cq_head = ring_load(&r->cq_head);
	bool sq_waits = sq_head != ring_load(&r->sq_tail);
	bool cq_waits = cq_head != ring_load(&r->cq_tail) && ring_load(&r->guest_irq);
	uint64_t one = 1;

	if (sq_waits && s->watch_sq_waits && sq_head == s->watch_sq_head &&
	    write(s->doorbell_fd, &one, sizeof(one)) == sizeof(one))
		s->watch_doorbells++;
	if (cq_waits && s->watch_cq_waits && cq_head == s->watch_cq_head) {
		if (s->kick)
			s->kick(s->kick_arg);
		s->watch_kicks++;
	}
	s->watch_sq_head = sq_head;
	s->watch_cq_head = cq_head;
	s->watch_sq_waits = sq_waits;
	s->watch_cq_waits = cq_waits;
}

/* ---- lifetime ---- */

static int set_nonblock(int fd, const char *what, quark_error_t *err)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return quark_make_error(err, errno, "host calls: %s fd %d", what, fd);
	return 0;
}

static int check_opts(const struct hc_server_opts *o, struct hc_server *s, quark_error_t *err)
{
	int ret;

	s->mem = (struct kvm_gmem){ .base = o->gmem, .size = o->gmem_size, .fd = -1 };
	s->ring = o->ring ? o->ring : gmem_ptr(&s->mem, o->ring_gpa, sizeof(*s->ring));
	s->kmod_fd = o->ring ? o->kmod_fd : -1;
	if (!s->ring || o->ring_gpa % 64 || (uintptr_t)s->ring % 64)
		return quark_make_error(err, 0, "host calls: ring at %#" PRIx64 " is not a "
					"64-byte aligned range of guest memory", o->ring_gpa);
	s->doorbell_fd = o->doorbell_fd;
	s->irq_fd = o->irq_fd;
	s->kick = o->kick;
	s->kick_arg = o->kick_arg;
	s->signal_fd = o->signal_fd;
	ret = set_nonblock(o->doorbell_fd, "doorbell", err);
	if (ret == 0 && o->signal_fd >= 0)
		ret = set_nonblock(o->signal_fd, "signal", err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < o->nhost_fds; i++) {
		int fd = o->host_fds[i];

		if (fd < 0 || fcntl(fd, F_GETFD) < 0)
			return quark_make_error(err, EBADF, "host calls: guest fd %d", fd);
		if (hc_fd_add(s, fd, true) < 0)
			return quark_make_error(err, ENOMEM, "host calls: fd table");
	}
	return 0;
}

/* quark.ko: the wake eventfd bound to the doorbell (QUARK_IOC_BIND_WAKE), registered with
 * io_uring, and the signal relay's epoll set (signalfd edge-triggered, its stop eventfd). */
static int kmod_wake_setup(struct hc_server *s, quark_error_t *err)
{
	struct quark_bind_wake bw = { 0 };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ret;

	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0)
		return quark_make_error(err, errno, "host calls: wake eventfd");
	bw.eventfd = s->wake_fd;
	if (ioctl(s->kmod_fd, QUARK_IOC_BIND_WAKE, &bw) < 0)
		return quark_make_error(err, errno, "host calls: QUARK_IOC_BIND_WAKE");
	ret = io_uring_register_eventfd(&s->uring, s->wake_fd);
	if (ret < 0)
		return quark_make_error(err, -ret, "host calls: io_uring_register_eventfd");
	if (s->signal_fd < 0)
		return 0;
	s->relay_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->relay_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->relay_stop_fd < 0 || s->relay_epfd < 0)
		return quark_make_error(err, errno, "host calls: signal relay");
	ev.data.fd = s->signal_fd;
	if (epoll_ctl(s->relay_epfd, EPOLL_CTL_ADD, s->signal_fd, &ev) < 0)
		return quark_make_error(err, errno, "host calls: epoll_ctl signalfd");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = s->relay_stop_fd };
	if (epoll_ctl(s->relay_epfd, EPOLL_CTL_ADD, s->relay_stop_fd, &ev) < 0)
		return quark_make_error(err, errno, "host calls: epoll_ctl relay stop");
	return 0;
}

static int start(struct hc_server *s, const struct hc_server_opts *o, quark_error_t *err)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE, .cq_entries = HC_URING_CQ };
	sigset_t all, old;
	int ret;

	ret = check_opts(o, s, err);
	if (ret < 0)
		return ret;
	/* On one host CPU a spinning host thread only keeps the vCPU off it. */
	s->spin_ns = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? HC_SPIN_NS : 0;
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0)
		return quark_make_error(err, errno, "host calls: stop eventfd");
	ret = io_uring_queue_init_params(HC_URING_SQ, &s->uring, &p);
	if (ret < 0)
		return quark_make_error(err, -ret, "host calls: io_uring_queue_init");
	s->uring_ready = true;
	if (s->kmod_fd >= 0) {
		quark_error_t why = NULL;

		if (kmod_wake_setup(s, &why) < 0) {	/* poll(2) works with the module's ring too */
			quark_log(QUARK_LOG_WARN, "%s; waiting with poll(2) instead of QUARK_IOC_WAIT",
				  why && why->msg ? why->msg : "host calls: quark.ko wake-ups");
			quark_error_release(&why);
			s->kmod_fd = -1;
		}
	}
	/* No signal is for these threads: the signalfd reads the sandbox's, and a write to a
	 * closed pipe must fail with EPIPE instead of killing the VMM. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = s->relay_epfd >= 0 ? pthread_create(&s->relay, NULL, relay_thread, s) : 0;
	s->relay_live = !ret && s->relay_epfd >= 0;
	if (!ret)
		ret = pthread_create(&s->thread, NULL, hc_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return quark_make_error(err, ret, "host calls: start the threads");
	s->thread_live = true;
	return 0;
}

static void stop_threads(struct hc_server *s)
{
	uint64_t one = 1;

	if (s->relay_live) {
		if (write(s->relay_stop_fd, &one, sizeof(one)) != sizeof(one))
			abort();
		pthread_join(s->relay, NULL);
		s->relay_live = false;
	}
	if (!s->thread_live)
		return;
	/* (An eventfd write of 1 cannot fail: never hang here.) The wake eventfd ends a WAIT
	 * (a kmod_fd of -1 may only mean WAIT broke: the eventfd is there all the same). */
	if (write(s->stop_fd, &one, sizeof(one)) != sizeof(one) ||
	    (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof(one)) != sizeof(one)))
		abort();
	pthread_join(s->thread, NULL);
	s->thread_live = false;
}

static void server_free(struct hc_server *s)
{
	stop_threads(s);
	if (s->uring_ready)
		io_uring_queue_exit(&s->uring);	/* cancels and waits for what is in flight */
	for (size_t fd = 0; fd < s->fds_len; fd++)
		if ((s->fds[fd] & FD_KIND) && !(s->fds[fd] & FD_INITIAL))
			close((int)fd);
	for (size_t i = 0; i < sizeof(s->own_fds) / sizeof(s->own_fds[0]); i++)
		if (s->own_fds[i] >= 0)
			close(s->own_fds[i]);
	free(s->fds);
	free(s);
}

int hc_server_start(const struct hc_server_opts *o, struct hc_server **out,
		    quark_error_t *err)
{
	struct hc_server *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return quark_make_error(err, ENOMEM, "host calls: allocate the server");
	s->kmod_fd = -1;
	for (size_t i = 0; i < sizeof(s->own_fds) / sizeof(s->own_fds[0]); i++)
		s->own_fds[i] = -1;
	ret = start(s, o, err);
	if (ret < 0) {
		server_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void hc_server_stats(const struct hc_server *s, struct hc_stats *st)
{
	const uint64_t *src = (const uint64_t *)&s->stats;
	uint64_t *dst = (uint64_t *)st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* What a hung guest left behind: the ring's words and the requests the host holds. */
static void describe(const struct hc_server *s, FILE *f)
{
	const struct quark_hc_ring *r = s->ring;

	fprintf(f, "host calls: ring sq %u/%u (host head %u), cq %u/%u (host tail %u), pending "
		"%#x, host_sleeping %u, guest_irq %u; %u in flight; last completions (tag result):",
		ring_load(&r->sq_head), ring_load(&r->sq_tail), s->sq_head, ring_load(&r->cq_head),
		ring_load(&r->cq_tail), s->cq_tail, ring_load(&r->pending),
		ring_load(&r->host_sleeping), ring_load(&r->guest_irq), s->inflight);
	for (uint32_t i = s->cq_tail < 8 ? 0 : s->cq_tail - 8; i != s->cq_tail; i++)
		fprintf(f, " %#llx %lld", (unsigned long long)s->last[i % 8].tag,
			(long long)s->last[i % 8].result);
	fprintf(f, "\n");
	for (unsigned i = 0; i < HC_SLOTS; i++) {
		const struct hc_slot *sl = &s->slots[i];

		if (sl->used)
			fprintf(f, "  slot %u: %s tag %" PRIu64 "%s%s, %u SQEs out\n", i,
				hc_op_name(sl->op), sl->tag, sl->done ? " done" : "",
				sl->cancel ? " cancelled" : "", sl->outstanding);
	}
}

void hc_server_stop(struct hc_server *s, struct hc_stats *final, FILE *state)
{
	if (!s)
		return;
	stop_threads(s);
	s->stats.lost_doorbells = s->watch_doorbells;
	s->stats.lost_irqs = s->watch_kicks;
	if (final)
		*final = s->stats;
	if (state)
		describe(s, state);
	server_free(s);
}

void hc_stats_format(const struct hc_stats *st, char *buf, size_t size)
{
	size_t n = 0;
	int w;

	buf[0] = 0;
	for (unsigned op = 0; op <= QUARK_HC_OP_MAX && n < size; op++) {
		if (!st->calls[op])
			continue;
		w = snprintf(buf + n, size - n, "%s%s %" PRIu64, n ? ", " : "",
			     op < QUARK_HC_OP_MAX ? hc_op_name(op) : "bad op", st->calls[op]);
		n += w > 0 ? (size_t)w : 0;
	}
	if (n < size)
		snprintf(buf + n, size - n, "%ssleeps %" PRIu64 ", doorbells %" PRIu64
			 ", irqs %" PRIu64 ", io_uring %" PRIu64 ", events %" PRIu64,
			 n ? "; " : "", st->sleeps, st->doorbells, st->irqs, st->uring_sqes,
			 st->events);
}
