/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/quark.h - internals of quark.ko (/dev/quark). The ABI is uapi/quark/quark_dev.h.
 *
 * Objects and who holds them:
 *   quark_ctx   one per open of /dev/quark (file->private_data); owns at most one doorbell.
 *   quark_shm   one per CREATE_SHM; refcounted: its fd and each doorbell using it hold one
 *               reference, and each mapping holds the fd's file (vma->vm_file).
 *   quark_db    the doorbell: an eventfd_ctx reference, a wait entry on the eventfd's wait
 *               queue, and a shm reference for the pending/host_sleeping words; the same
 *               for the optional wake eventfd.
 * Every fd's file_operations carry .owner = THIS_MODULE, so rmmod is refused while any of
 * them is open and works once the last one is closed.
 */
#ifndef QUARK_KMOD_QUARK_H
#define QUARK_KMOD_QUARK_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <quark/quark_dev.h>

struct file;
struct eventfd_ctx;

struct quark_shm {
	struct kref ref;
	unsigned long nr_pages;
	struct page **pages;
};

/* Our entry on an eventfd's wait queue, as KVM's irqfd has: the callback runs on every
 * signal of the eventfd. */
struct quark_efd {
	struct eventfd_ctx *ctx;	/* NULL: not bound */
	wait_queue_head_t *wqh;		/* inside *ctx, which we hold a reference on */
	wait_queue_entry_t wait;	/* our entry on wqh */
	poll_table pt;
};

struct quark_db {
	struct quark_efd doorbell;	/* the guest's doorbell (BIND_DOORBELL) */
	struct quark_efd wake;		/* the host's own wake-ups (BIND_WAKE), set once */
	wait_queue_head_t waiters;	/* WAIT callers sleep here */
	spinlock_t lock;		/* serializes nr_sleepers and the host_sleeping word */
	unsigned int nr_sleepers;
	bool hup;			/* the eventfd was closed */
	struct quark_shm *shm;
	u32 *pending;			/* TRUST: guest-writable words in shm's pages */
	u32 *sleeping;
};

struct quark_ctx {
	struct mutex lock;		/* serializes BIND_DOORBELL and BIND_WAKE */
	struct quark_db *db;		/* set once (smp_store_release), freed in .release */
};

/*
 * An fd a handler made that the dispatcher installs only after the reply reached user
 * space (or drops, if that copy failed), so a failed ioctl never leaves an fd behind.
 */
struct quark_newfd {
	struct file *file;
	int fd;
};

/* shm.c */
long quark_shm_create(struct quark_create_shm *req, struct quark_newfd *out);
struct quark_shm *quark_shm_get_fd(int fd, long *err);
void quark_shm_put(struct quark_shm *shm);
u32 *quark_shm_word(struct quark_shm *shm, u32 off);

/* doorbell.c */
long quark_db_bind(struct quark_ctx *ctx, const struct quark_bind_doorbell *req);
long quark_db_wait(struct quark_ctx *ctx, struct quark_wait *req);
long quark_db_bind_wake(struct quark_ctx *ctx, const struct quark_bind_wake *req);
void quark_db_free(struct quark_db *db);

#endif /* QUARK_KMOD_QUARK_H */
