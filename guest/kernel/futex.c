/*
 * kernel/futex.c - FUTEX_WAIT/WAKE (and the BITSET variants). A futex is keyed by
 * (mm, address) for private mappings and by the physical address for shared ones, so
 * processes sharing a MAP_SHARED page meet on the same key.
 */
#include <qk/proc.h>
#include <qk/uaccess.h>
#include <qk/lib.h>

struct futex_waiter {
	struct list_head node;
	struct mm *mm;		/* NULL for a physical key */
	u64 key;
	u32 bitset;
	bool woken;
	struct task *task;
};
static LIST_HEAD(futex_waiters);

static int futex_key(struct mm *mm, uaddr_t uaddr, bool private, struct mm **kmm, u64 *key)
{
	struct vm_area *v = vma_find(mm, uaddr);
	pte_t *pte;

	if (!v)
		return -EFAULT;
	if (private || !(v->flags & VM_SHARED)) {
		*kmm = mm;
		*key = uaddr;
		return 0;
	}
	pte = pte_walk(mm, uaddr, false);
	if (!pte || !(*pte & PTE_P))
		return -EFAULT;
	*kmm = NULL;
	*key = (*pte & PTE_ADDR) | (uaddr & (PAGE_SIZE - 1));
	return 0;
}

static long futex_wake(struct mm *mm, uaddr_t uaddr, bool private, int n, u32 bitset)
{
	struct futex_waiter *w;
	struct mm *kmm;
	u64 key;
	int woken = 0;

	if (futex_key(mm, uaddr, private, &kmm, &key))
		return -EFAULT;
	list_for_each_entry(w, &futex_waiters, node) {
		if (woken >= n)
			break;
		if (w->woken || w->mm != kmm || w->key != key || !(w->bitset & bitset))
			continue;
		w->woken = true;
		wake_up(w->task);
		woken++;
	}
	return woken;
}

long futex_wake_addr(struct mm *mm, uaddr_t uaddr, int n)
{
	return futex_wake(mm, uaddr, false, n, FUTEX_BITSET_MATCH_ANY);
}

static long futex_wait(uaddr_t uaddr, bool private, u32 val, u64 deadline, u32 bitset)
{
	struct futex_waiter w = { .bitset = bitset, .task = current };
	u32 cur;
	long r = 0;

	if (futex_key(current->proc->mm, uaddr, private, &w.mm, &w.key))
		return -EFAULT;
	if (get_user(cur, uaddr))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	list_add_tail(&w.node, &futex_waiters);
	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		if (w.woken)
			break;
		if (signal_pending(current)) {
			r = -ERESTARTSYS;
			break;
		}
		if (clock_monotonic_ns() >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		timer_sleep_until(deadline);
	}
	current->state = TASK_RUNNING;
	list_del(&w.node);
	return r;
}

static int timeout_to_deadline(uaddr_t uts, bool absolute, bool realtime, u64 *deadline)
{
	struct __kernel_timespec ts;
	u64 ns;

	*deadline = UINT64_MAX;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	ns = (u64)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (!absolute)
		*deadline = clock_monotonic_ns() + ns;
	else if (realtime)
		*deadline = clock_monotonic_ns() + (ns > clock_realtime_ns() ? ns - clock_realtime_ns() : 0);
	else
		*deadline = ns;
	return 0;
}

long sys_futex(uaddr_t uaddr, int op, u32 val, uaddr_t utimeout, uaddr_t uaddr2, u32 val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
	u64 deadline;
	long r;

	(void)uaddr2;
	if (uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		r = timeout_to_deadline(utimeout, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (r)
			return r;
		return futex_wait(uaddr, private, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(current->proc->mm, uaddr, private, (int)val, val3);
	default:
		return -ENOSYS;
	}
}
