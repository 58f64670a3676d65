/*
 * fs/poll.c - poll, ppoll, select, pselect6.
 *
 * Each pass asks every file for its ready mask (file_poll). When nothing is ready the
 * task sleeps on the wait queues the files registered (poll_wait: pipes), or until
 * the timeout. Host streams cannot register on a wait queue: a pass that involves
 * exactly one host fd and no timeout sleeps in host_fd_wait; any other mix re-polls
 * with a short, growing sleep (1 ms to 10 ms). Regular files are always ready.
 */
#include "internal.h"
#include <qk/uaccess.h>

#define POLL_BACKOFF_MIN	1000000ULL
#define POLL_BACKOFF_MAX	10000000ULL
#define POLLIN_SET	(POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET	(POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET	(POLLPRI)

struct poll_entry {
	struct waiter w;
};

struct poll_table {
	struct poll_entry *ent;
	int n, cap;
	struct file **files;	/* held while registered: their wait queues stay valid */
	unsigned nfiles;
	bool overflow;		/* more registrations than slots: re-poll on a timer */
	int nhost;
	int hostfd;
	short hostev;
};

void poll_wait(struct poll_table *pt, struct waitq *wq)
{
	struct poll_entry *e;

	if (!pt)
		return;
	if (pt->n >= pt->cap) {
		pt->overflow = true;
		return;
	}
	e = &pt->ent[pt->n++];
	e->w.task = current;
	list_add_tail(&e->w.node, &wq->waiters);
}

void poll_host(struct poll_table *pt, int hostfd, short events)
{
	if (!pt)
		return;
	pt->nhost++;
	pt->hostfd = hostfd;
	pt->hostev = events;
}

static void poll_unregister(struct poll_table *pt)
{
	for (int i = 0; i < pt->n; i++)
		list_del(&pt->ent[i].w.node);
	for (unsigned i = 0; i < pt->nfiles; i++)
		file_put(pt->files[i]);
	pt->nfiles = 0;
	pt->n = 0;
	pt->nhost = 0;
	pt->overflow = false;
}

unsigned file_poll(struct file *f, struct poll_table *pt)
{
	if (f->fop && f->fop->poll)
		return f->fop->poll(f, pt);
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int poll_scan(struct pollfd *fds, unsigned n, struct poll_table *pt, struct poll_table *hold)
{
	int count = 0;

	for (unsigned i = 0; i < n; i++) {
		struct file *f;
		unsigned mask;

		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		f = fd_get_io(fds[i].fd);
		if (!f) {
			mask = POLLNVAL;
		} else {
			mask = file_poll(f, pt) & ((u16)fds[i].events | POLLERR | POLLHUP);
			hold->files[hold->nfiles++] = f;
		}
		fds[i].revents = (short)mask;
		count += mask != 0;
	}
	return count;
}

/* Sleep after a pass found nothing ready. */
static void poll_sleep(struct poll_table *pt, u64 deadline, u64 *backoff)
{
	u64 now = clock_monotonic_ns();

	if (!pt->nhost && !pt->overflow) {
		if (deadline == UINT64_MAX)
			schedule();
		else
			timer_sleep_until(deadline);
	} else if (pt->nhost == 1 && !pt->n && !pt->overflow && deadline == UINT64_MAX) {
		current->state = TASK_RUNNING;
		host_fd_wait(pt->hostfd, pt->hostev);
	} else {
		timer_sleep_until(MIN(deadline, now + *backoff));
		*backoff = MIN(*backoff * 2, POLL_BACKOFF_MAX);
	}
}

/* Poll fds (kernel copy) until something is ready, the timeout (ns, UINT64_MAX =
 * forever; updated to the time left) passes, or a signal comes (-ERESTARTNOHAND). */
static long do_poll(struct pollfd *fds, unsigned n, u64 *timeout)
{
	u64 deadline = *timeout == UINT64_MAX ? UINT64_MAX : clock_monotonic_ns() + *timeout;
	u64 backoff = POLL_BACKOFF_MIN, now;
	struct poll_table pt = { .cap = (int)MIN(2 * n + 2, 4096u) };
	long ret;

	pt.ent = kmalloc((size_t)pt.cap * sizeof(*pt.ent));
	pt.files = kmalloc((n ? n : 1) * sizeof(*pt.files));
	if (!pt.ent || !pt.files) {
		kfree(pt.ent);
		kfree(pt.files);
		return -ENOMEM;
	}
	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		ret = poll_scan(fds, n, *timeout ? &pt : NULL, &pt);
		if (ret || !*timeout)
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTNOHAND;
			break;
		}
		if (deadline != UINT64_MAX && clock_monotonic_ns() >= deadline)
			break;
		poll_sleep(&pt, deadline, &backoff);
		current->state = TASK_RUNNING;
		poll_unregister(&pt);
	}
	current->state = TASK_RUNNING;
	poll_unregister(&pt);
	kfree(pt.ent);
	kfree(pt.files);
	if (deadline != UINT64_MAX) {
		now = clock_monotonic_ns();
		*timeout = now < deadline ? deadline - now : 0;
	}
	return ret;
}

/* ---- signal masks of ppoll/pselect6 ---- */

struct mask_save {
	bool set;
	ksigset_t old;
};

static int mask_apply(uaddr_t umask, size_t size, struct mask_save *s)
{
	ksigset_t m;

	s->set = false;
	if (!umask)
		return 0;
	if (size != sizeof(ksigset_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	s->old = current->blocked;
	s->set = true;
	current->blocked = m & ~(sigmask_of(SIGKILL) | sigmask_of(SIGSTOP));
	return 0;
}

/* Keep the temporary mask until the signal is delivered when interrupted. */
static void mask_restore(long ret, struct mask_save *s)
{
	if (!s->set)
		return;
	if (ret == -ERESTARTNOHAND || ret == -EINTR) {
		current->saved_sigmask = s->old;
		current->restore_sigmask = true;
	} else {
		current->blocked = s->old;
	}
}

static int ts_to_ns(uaddr_t uts, u64 *ns)
{
	struct __kernel_timespec ts;

	if (!uts) {
		*ns = UINT64_MAX;
		return 0;
	}
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	*ns = (u64)ts.tv_sec >= UINT64_MAX / 1000000000ULL - 1 ? UINT64_MAX - 1
	      : (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
	return 0;
}

static void ns_to_uts(uaddr_t uts, u64 ns)
{
	struct __kernel_timespec ts = { (s64)(ns / 1000000000ULL), (s64)(ns % 1000000000ULL) };

	if (uts)
		copy_to_user(uts, &ts, sizeof(ts));
}

static long poll_user(uaddr_t ufds, unsigned n, u64 *timeout)
{
	struct pollfd *fds;
	long ret;

	if (n > fd_limit())
		return -EINVAL;
	fds = kmalloc(n ? n * sizeof(*fds) : 1);
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(fds, ufds, n * sizeof(*fds))) {
		kfree(fds);
		return -EFAULT;
	}
	ret = do_poll(fds, n, timeout);
	if (ret >= 0 && copy_to_user(ufds, fds, n * sizeof(*fds)))
		ret = -EFAULT;
	kfree(fds);
	return ret;
}

long sys_poll(uaddr_t ufds, unsigned nfds, int timeout_ms)
{
	u64 t = timeout_ms < 0 ? UINT64_MAX : (u64)timeout_ms * 1000000ULL;

	return poll_user(ufds, nfds, &t);
}

long sys_ppoll(uaddr_t ufds, unsigned nfds, uaddr_t tsp, uaddr_t sigmask, size_t sigsetsize)
{
	struct mask_save ms;
	u64 t;
	long ret = ts_to_ns(tsp, &t);

	if (ret)
		return ret;
	ret = mask_apply(sigmask, sigsetsize, &ms);
	if (ret)
		return ret;
	ret = poll_user(ufds, nfds, &t);
	if (tsp)
		ns_to_uts(tsp, t);
	mask_restore(ret, &ms);
	return ret;
}

/* ---- select ---- */

#define NFDBITS_	64

static long do_select(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp, u64 *timeout)
{
	size_t words, bytes;
	u64 *in = NULL, *out = NULL, *ex = NULL, *sets[3];
	uaddr_t usets[3] = { inp, outp, exp };
	struct pollfd *fds = NULL;
	unsigned nfds = 0;
	long ret = -ENOMEM;

	if (n < 0)
		return -EINVAL;
	n = MIN(n, ALIGN_UP(MAX(current->proc->files->cap, 64), 64));
	words = ((size_t)n + NFDBITS_ - 1) / NFDBITS_;
	bytes = words * 8;
	sets[0] = in = kzalloc(bytes + 8);
	sets[1] = out = kzalloc(bytes + 8);
	sets[2] = ex = kzalloc(bytes + 8);
	fds = kmalloc(((size_t)n + 1) * sizeof(*fds));
	if (!in || !out || !ex || !fds)
		goto out;
	ret = -EFAULT;
	for (int s = 0; s < 3; s++)
		if (usets[s] && copy_from_user(sets[s], usets[s], bytes))
			goto out;
	for (int fd = 0; fd < n; fd++) {
		u64 bit = 1ULL << (fd % NFDBITS_);
		short ev = 0;

		if (in[fd / NFDBITS_] & bit)
			ev |= POLLIN_SET;
		if (out[fd / NFDBITS_] & bit)
			ev |= POLLOUT_SET;
		if (ex[fd / NFDBITS_] & bit)
			ev |= POLLEX_SET;
		if (ev)
			fds[nfds++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	ret = do_poll(fds, nfds, timeout);
	for (unsigned i = 0; ret >= 0 && i < nfds; i++)
		if (fds[i].revents & POLLNVAL)
			ret = -EBADF;
	if (ret < 0)
		goto out;
	memset(in, 0, bytes);
	memset(out, 0, bytes);
	memset(ex, 0, bytes);
	ret = 0;
	for (unsigned i = 0; i < nfds; i++) {
		int fd = fds[i].fd;
		u64 bit = 1ULL << (fd % NFDBITS_);
		short r = fds[i].revents, e = fds[i].events;

		if ((r & POLLIN_SET) && (e & POLLIN))
			in[fd / NFDBITS_] |= bit, ret++;
		if ((r & POLLOUT_SET) && (e & POLLOUT))
			out[fd / NFDBITS_] |= bit, ret++;
		if ((r & POLLEX_SET) && (e & POLLPRI))
			ex[fd / NFDBITS_] |= bit, ret++;
	}
	for (int s = 0; s < 3; s++)
		if (usets[s] && copy_to_user(usets[s], sets[s], bytes))
			ret = -EFAULT;
out:
	kfree(in);
	kfree(out);
	kfree(ex);
	kfree(fds);
	return ret;
}

long sys_select(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp, uaddr_t utv)
{
	struct linux_timeval tv;
	u64 t = UINT64_MAX;
	long ret;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		t = (u64)tv.tv_sec * 1000000000ULL + (u64)tv.tv_usec * 1000ULL;
	}
	ret = do_select(n, inp, outp, exp, &t);
	if (utv) {
		tv.tv_sec = (s64)(t / 1000000000ULL);
		tv.tv_usec = (s64)(t % 1000000000ULL / 1000ULL);
		copy_to_user(utv, &tv, sizeof(tv));
	}
	return ret;
}

long sys_pselect6(int n, uaddr_t inp, uaddr_t outp, uaddr_t exp, uaddr_t tsp, uaddr_t usig)
{
	struct { u64 ss; u64 len; } sig = { 0, 0 };
	struct mask_save ms;
	u64 t;
	long ret = ts_to_ns(tsp, &t);

	if (ret)
		return ret;
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	ret = mask_apply(sig.ss, sig.len, &ms);
	if (ret)
		return ret;
	ret = do_select(n, inp, outp, exp, &t);
	if (tsp)
		ns_to_uts(tsp, t);
	mask_restore(ret, &ms);
	return ret;
}
