// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/doorbell.c - BIND_DOORBELL, BIND_WAKE and WAIT: the host-call thread's adaptive
 * spin-then-sleep on a ring's pending word, woken by the eventfd the guest's doorbell write
 * signals, or by the host's own wake eventfd.
 *
 * No lost wake-ups. The guest and WAIT run the store-buffering (Dekker) pattern:
 *
 *   guest (posting work)                  host (WAIT, before sleeping)
 *   pending |= bit      (locked OR)       host_sleeping = 1
 *   full barrier (the locked OR is one)   smp_mb()
 *   if (host_sleeping) ring doorbell      if (pending) do not sleep
 *
 * With a full barrier on both sides, at least one side sees the other's store: either WAIT
 * sees the bit and returns, or the guest sees host_sleeping and rings. The ring reaches
 * quark_db_wake() through KVM's ioeventfd -> eventfd_signal(), which does wake_up_all() on
 * db->waiters under its lock. The sleeper's wait_event re-reads pending after queueing
 * itself on db->waiters under that same lock (prepare_to_wait), so either the wake-up finds
 * it queued, or it runs after the wake-up and, through the lock, sees the guest's store of
 * pending (which precedes the ring in the guest's program order). Spurious wake-ups are
 * harmless: the condition is the pending word itself.
 *
 * host_sleeping counts sleepers: it is set when the first sleeper arrives and cleared when
 * the last leaves (db->lock), so one waiter leaving cannot hide another from the guest.
 * The words are guest-writable: a guest that clears host_sleeping or scribbles on pending
 * only delays or confuses its own host calls (the VMM checks the mask's bits).
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "quark.h"

/* Runs under the eventfd's wait-queue lock, from eventfd_signal() (atomic context). */
static int quark_db_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct quark_db *db = container_of(wait, struct quark_db, doorbell.wait);
	__poll_t events = key_to_poll(key);

	if (events & EPOLLHUP)
		WRITE_ONCE(db->hup, true);
	if (events & (EPOLLIN | EPOLLHUP))
		wake_up_all(&db->waiters);
	return 0;
}

/* The wake eventfd's callback (atomic context): the bit first, then the wake-up, so a
 * sleeper either is woken or, re-reading pending after it queued itself, sees the bit.
 * (The eventfd going away, EPOLLHUP, only means no more wake-ups from it.) */
static int quark_db_host_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct quark_db *db = container_of(wait, struct quark_db, wake.wait);
	u32 old = READ_ONCE(*db->pending), prev;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* TRUST: a guest-writable word; a locked cmpxchg loop ORs the bit in (full barrier). */
	while ((prev = cmpxchg(db->pending, old, old | QUARK_WAKE_PENDING)) != old)
		old = prev;
	wake_up_all(&db->waiters);
	return 0;
}

static void quark_efd_queue(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct quark_efd *e = container_of(pt, struct quark_efd, pt);

	e->wqh = wqh;
	add_wait_queue(wqh, &e->wait);
}

/* quark_efd_hook puts e on the eventfd's wait queue with callback fn (vfs_poll, as KVM's
 * irqfd does). */
static long quark_efd_hook(struct quark_efd *e, int eventfd, wait_queue_func_t fn)
{
	struct fd f = fdget(eventfd);
	long ret = 0;

	if (!f.file)
		return -EBADF;
	e->ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(e->ctx)) {
		ret = PTR_ERR(e->ctx);	/* -EINVAL: not an eventfd */
		e->ctx = NULL;
		goto put_file;
	}
	init_waitqueue_func_entry(&e->wait, fn);
	init_poll_funcptr(&e->pt, quark_efd_queue);
	vfs_poll(f.file, &e->pt);
	if (!e->wqh) {	/* cannot happen for an eventfd; be safe */
		eventfd_ctx_put(e->ctx);
		e->ctx = NULL;
		ret = -EINVAL;
	}
put_file:
	fdput(f);
	return ret;
}

static void quark_efd_unhook(struct quark_efd *e)
{
	if (!e->ctx)
		return;
	/* The wait queue lives in the eventfd_ctx, which our reference keeps alive. */
	remove_wait_queue(e->wqh, &e->wait);
	eventfd_ctx_put(e->ctx);
	e->ctx = NULL;
}

/* quark_db_free undoes quark_db_bind and quark_db_bind_wake; no WAIT can be running (the
 * context is released). */
void quark_db_free(struct quark_db *db)
{
	quark_efd_unhook(&db->wake);
	quark_efd_unhook(&db->doorbell);
	quark_shm_put(db->shm);
	kfree(db);
}

/* quark_db_bind implements QUARK_IOC_BIND_DOORBELL. */
long quark_db_bind(struct quark_ctx *ctx, const struct quark_bind_doorbell *req)
{
	struct quark_db *db;
	long ret = 0;

	if (req->flags & ~(QUARK_DOORBELL_MAX_FLAG - 1))
		return -EINVAL;
	db = kzalloc(sizeof(*db), GFP_KERNEL);
	if (!db)
		return -ENOMEM;
	init_waitqueue_head(&db->waiters);
	spin_lock_init(&db->lock);

	db->shm = quark_shm_get_fd(req->shm_fd, &ret);
	if (!db->shm)
		goto free_db;
	db->pending = quark_shm_word(db->shm, req->pending_off);
	db->sleeping = quark_shm_word(db->shm, req->sleeping_off);
	if (!db->pending || !db->sleeping || db->pending == db->sleeping) {
		ret = -EINVAL;
		goto put_shm;
	}

	mutex_lock(&ctx->lock);
	if (ctx->db) {
		ret = -EBUSY;
		goto unlock_ctx;
	}
	ret = quark_efd_hook(&db->doorbell, req->eventfd, quark_db_wake);
	if (ret)
		goto unlock_ctx;
	WRITE_ONCE(*db->sleeping, 0);
	smp_store_release(&ctx->db, db);	/* WAIT may run now */
	mutex_unlock(&ctx->lock);
	return 0;

unlock_ctx:
	mutex_unlock(&ctx->lock);
put_shm:
	quark_shm_put(db->shm);
free_db:
	kfree(db);
	return ret;
}

/* quark_db_bind_wake implements QUARK_IOC_BIND_WAKE. */
long quark_db_bind_wake(struct quark_ctx *ctx, const struct quark_bind_wake *req)
{
	struct quark_db *db;
	long ret;

	if (req->flags & ~(QUARK_WAKE_MAX_FLAG - 1) || req->reserved)
		return -EINVAL;
	mutex_lock(&ctx->lock);
	db = ctx->db;
	if (!db)
		ret = -ENOENT;
	else if (db->wake.ctx)
		ret = -EBUSY;
	else
		ret = quark_efd_hook(&db->wake, req->eventfd, quark_db_host_wake);
	mutex_unlock(&ctx->lock);
	return ret;
}

/* quark_db_take swaps the pending mask to 0 if it is non-zero. TRUST: guest-written. */
static u32 quark_db_take(struct quark_db *db)
{
	return READ_ONCE(*db->pending) ? xchg(db->pending, 0) : 0;
}

/* quark_db_spin busy-waits up to spin_ns for pending; -EINTR on a signal. */
static long quark_db_spin(struct quark_db *db, u64 spin_ns, u32 *mask)
{
	u64 end = ktime_get_ns() + spin_ns;

	while (!(*mask = quark_db_take(db))) {
		if (ktime_get_ns() >= end)
			return 0;
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
		cpu_relax();
	}
	return 0;
}

static void quark_db_sleepers_add(struct quark_db *db, int delta)
{
	spin_lock(&db->lock);
	db->nr_sleepers += delta;
	WRITE_ONCE(*db->sleeping, db->nr_sleepers ? 1 : 0);
	spin_unlock(&db->lock);
}

/* quark_db_sleep: sleep until pending, hup, a signal or the deadline (see the top comment). */
static long quark_db_sleep(struct quark_db *db, ktime_t deadline, u32 *mask)
{
	long ret = 0;

	quark_db_sleepers_add(db, 1);
	smp_mb();	/* host_sleeping = 1 before reading pending; pairs with the guest */
	while (!(*mask = quark_db_take(db)) && !READ_ONCE(db->hup)) {
		ktime_t left = KTIME_MAX;

		if (deadline != KTIME_MAX) {
			left = ktime_sub(deadline, ktime_get());
			if (left <= 0)
				break;
		}
		ret = wait_event_interruptible_hrtimeout(db->waiters,
				READ_ONCE(*db->pending) || READ_ONCE(db->hup), left);
		if (ret == -ETIME) {
			ret = 0;
			*mask = quark_db_take(db);
			break;
		}
		if (ret) {
			ret = -EINTR;
			break;
		}
	}
	quark_db_sleepers_add(db, -1);
	if (!ret && !*mask && READ_ONCE(db->hup))
		ret = -EPIPE;
	return ret;
}

/* quark_db_wait implements QUARK_IOC_WAIT. */
long quark_db_wait(struct quark_ctx *ctx, struct quark_wait *req)
{
	struct quark_db *db = smp_load_acquire(&ctx->db);
	ktime_t deadline;
	u32 mask = 0;
	long ret;

	if (req->flags & ~(QUARK_WAIT_MAX_FLAG - 1) || req->reserved)
		return -EINVAL;
	if (req->spin_ns > QUARK_WAIT_MAX_SPIN_NS)
		return -EINVAL;
	if (!db)
		return -ENOENT;

	ret = quark_db_spin(db, req->spin_ns, &mask);
	if (ret || mask)
		goto out;
	/* Anything beyond ~146 years is forever (and cannot overflow the ktime_t sum). */
	if (req->timeout_ns >= (u64)KTIME_MAX / 2)
		deadline = KTIME_MAX;
	else
		deadline = ktime_add_ns(ktime_get(), req->timeout_ns);
	ret = quark_db_sleep(db, deadline, &mask);
out:
	req->pending = mask;
	return ret;
}
