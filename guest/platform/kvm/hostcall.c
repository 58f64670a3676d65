/*
 * hostcall.c - qk/host.h on the kvm platform: every host operation is a request on the
 * host-call ring (uapi/quark/hostcall.h), served by the VMM's host-call thread. Buffers
 * and names are passed by guest physical address; the VMM checks them and the fds.
 *
 * Calls are synchronous for the calling CPU: it posts the request, spins a little
 * (a host-call thread that is awake answers in microseconds, with no VM exit at all),
 * then halts until the completion interrupt. The core treats host operations as atomic,
 * which this keeps true: the caller keeps the kernel lock, except an idle CPU waiting in
 * a host POLL for host fds (it holds nothing). Such a POLL is cancelled when a host
 * signal arrives or a task becomes runnable, so that either is handled at once.
 *
 * The ring is shared by all CPUs under hc_lock. Completion interrupts go to CPU 0;
 * whoever takes a completion off the ring hands it to the waiting CPU (an IPI wakes it
 * from HLT; only CPU 0 halts in a call, the others spin). Host signals come as event completions; hc_reap only records them, and
 * hc_deliver_events hands them to the core at a safe point (trap exit, idle).
 */
#include <qk/host.h>
#include <qk/proc.h>
#include <qk/lib.h>
#include <quark/hostcall.h>

#include "kvm.h"
#include "kvm_plat.h"

#define SPIN_NS		200000	/* spin this long for a completion before halting */
#define RECHECK_NS	1000000	/* then look at the ring at least this often (kvm_count_late_irq) */

static struct quark_hc_ring *ring;
static struct spinlock hc_lock;	/* the ring, next_tag, sig_*, kvm_cpu.wait_* */
static u64 next_tag = 1;
static u64 sig_pending, sig_keyboard;	/* forwarded host signals not yet delivered */
static int spinners;		/* CPUs spinning for a completion: no interrupts wanted */

void hc_init(void)
{
	ring = phys_to_virt(QUARK_KVM_HC_RING);
	__atomic_store_n(&ring->guest_irq, 1, __ATOMIC_SEQ_CST);
}

bool hc_cq_nonempty(void)
{
	return ring->cq_head != __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE);
}

/* The CPU waiting for tag, or -1. */
static int waiter_of(u64 tag)
{
	for (int c = 0; c < ncpus; c++)
		if (kvm_cpus[c].wait_tag == tag)
			return c;
	return -1;
}

void hc_reap(void)
{
	u32 head, tail;

	if (!hc_cq_nonempty())
		return;
	spin_lock(&hc_lock);
	head = ring->cq_head;
	tail = __atomic_load_n(&ring->cq_tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++) {
		const struct quark_hc_cqe *c = &ring->cq[head % QUARK_HC_CQ_SIZE];

		if (c->tag & QUARK_HC_EV_SIGNAL) {
			int sig = (int)(c->result & 0xff);

			if (sig >= 1 && sig <= NSIG_) {
				sig_pending |= sigmask_of(sig);
				if (c->result & QUARK_HC_SIG_KEYBOARD)
					sig_keyboard |= sigmask_of(sig);
			}
		} else {
			int w = waiter_of(c->tag);	/* -1: the completion of a CANCEL */

			if (w >= 0) {
				kvm_cpus[w].wait_result = c->result;
				kvm_cpus[w].wait_tag = 0;
				kvm_cpus[w].wait_done = true;
				if ((unsigned)w != cpu_id())
					kvm_send_ipi(w);
			}
		}
	}
	__atomic_store_n(&ring->cq_head, head, __ATOMIC_RELEASE);
	/* The host may hold events back for lack of room: tell it there is some. */
	__atomic_fetch_or(&ring->pending, QUARK_HC_PENDING_CQ, __ATOMIC_SEQ_CST);
	spin_unlock(&hc_lock);
}

/* Under the kernel lock. True when it delivered something (a task may have woken). */
bool hc_deliver_events(void)
{
	bool any = false;

	while (__atomic_load_n(&sig_pending, __ATOMIC_RELAXED)) {
		int sig;
		bool kb;

		spin_lock(&hc_lock);
		sig = __builtin_ctzll(sig_pending) + 1;
		kb = sig_keyboard & sigmask_of(sig);
		sig_pending &= ~sigmask_of(sig);
		sig_keyboard &= ~sigmask_of(sig);
		spin_unlock(&hc_lock);
		host_signal_forward(sig, kb);
		any = true;
	}
	return any;
}

/* Did the VMM's NMI ask for a state dump (or only wake this vCPU)? */
bool hc_nmi_dump_requested(void)
{
	return ring && __atomic_load_n(&ring->nmi_dump, __ATOMIC_ACQUIRE) != 0;	/* (boot: none) */
}

/* For nmi_dump: no lock (its holder may be what is stuck). */
void hc_dump(void)
{
	if (!ring)
		return;
	kprintf("qkernel-kvm: ring sq %u/%u cq %u/%u pending %#x host_sleeping %u guest_irq %u; "
		"next tag %llu, spinners %d, signals %#llx\n", ring->sq_head, ring->sq_tail,
		ring->cq_head, ring->cq_tail, ring->pending, ring->host_sleeping, ring->guest_irq,
		(unsigned long long)next_tag, spinners, (unsigned long long)sig_pending);
}

/* Under hc_lock. */
static void submit(u32 op, u64 tag, const s64 args[6])
{
	u32 tail = ring->sq_tail;
	struct quark_hc_req *q;

	/* At most two requests per CPU are in flight (a call and its CANCEL). */
	while (tail - __atomic_load_n(&ring->sq_head, __ATOMIC_ACQUIRE) >= QUARK_HC_SQ_SIZE)
		asm volatile("pause");
	q = &ring->sq[tail % QUARK_HC_SQ_SIZE];
	q->op = op;
	q->flags = 0;
	q->tag = tag;
	memcpy(q->args, args, sizeof(q->args));
	__atomic_store_n(&ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	/* A locked RMW, a full barrier: the host sees pending, or we see it sleeping. */
	__atomic_fetch_or(&ring->pending, QUARK_HC_PENDING_SQ, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ring->host_sleeping, __ATOMIC_SEQ_CST))
		asm volatile("outl %0, %1" : : "a"(0), "Nd"((u16)QUARK_KVM_PORT_HC_DOORBELL));
}

/* While some CPU spins for its completion the host need not interrupt anyone: that CPU
 * takes every completion off the ring (and hands them out). guest_irq is the host's
 * cue; when it turns back on, completions posted meanwhile are taken here. */
static void spinning(bool on)
{
	spin_lock(&hc_lock);
	spinners += on ? 1 : -1;
	__atomic_store_n(&ring->guest_irq, spinners == 0, __ATOMIC_SEQ_CST);
	spin_unlock(&hc_lock);
	if (!on)
		hc_reap();
}

static long hc_call(u32 op, s64 a0, s64 a1, s64 a2, s64 a3, s64 a4)
{
	const s64 args[6] = { a0, a1, a2, a3, a4, 0 };
	struct kvm_cpu *kc = kvm_this_cpu();
	bool idle_poll = op == QUARK_HC_POLL && current == this_cpu()->idle;
	bool cancelled = false;
	u64 tag;

	spin_lock(&hc_lock);
	tag = next_tag++;
	kc->wait_tag = tag;
	kc->wait_done = false;
	submit(op, tag, args);
	spin_unlock(&hc_lock);
	if (idle_poll) {
		kc->polling = true;
		spin_unlock(&kernel_lock);
	}
	if (!kc->wait_done) {
		u64 end = clock_monotonic_ns() + SPIN_NS;

		spinning(true);
		while (!kc->wait_done && clock_monotonic_ns() < end) {
			hc_reap();
			asm volatile("pause");
		}
		spinning(false);
	}
	while (!kc->wait_done) {
		hc_reap();
		if (kc->wait_done)
			break;
		if (idle_poll && !cancelled && (__atomic_load_n(&sig_pending, __ATOMIC_RELAXED) ||
						 kc->kicked)) {
			const s64 c[6] = { (s64)tag };

			spin_lock(&hc_lock);
			submit(QUARK_HC_CANCEL, next_tag++, c);
			spin_unlock(&hc_lock);
			cancelled = true;
		}
		/* Completion interrupts go to CPU 0, which may be spinning for the kernel lock
		 * we hold (interrupts off): other CPUs take their completions themselves. */
		if (cpu_id() != 0) {
			asm volatile("pause");
		} else if (!hc_cq_nonempty() && !kc->wait_done) {
			kvm_timer_arm_within(idle_poll ? IDLE_RECHECK_NS : RECHECK_NS);
			kvm_safe_halt();	/* completion IRQ or IPI */
			kvm_count_late_irq();
		}
	}
	if (idle_poll) {
		spin_lock(&kernel_lock);
		kc->polling = false;
		kc->kicked = false;
	}
	return kc->wait_result;
}

static s64 pa(const void *p)
{
	return p ? (s64)virt_to_phys(p) : 0;
}

long host_openat(int dirfd, const char *name, int flags, int mode)
{
	return hc_call(QUARK_HC_OPENAT, dirfd, pa(name), flags, mode, 0);
}

long host_close(int fd)
{
	return hc_call(QUARK_HC_CLOSE, fd, 0, 0, 0, 0);
}

long host_read(int fd, void *buf, size_t n)
{
	return hc_call(QUARK_HC_READ, fd, pa(buf), (s64)n, 0, 0);
}

long host_write(int fd, const void *buf, size_t n)
{
	return hc_call(QUARK_HC_WRITE, fd, pa(buf), (s64)n, 0, 0);
}

long host_pread(int fd, void *buf, size_t n, loff_t off)
{
	return hc_call(QUARK_HC_PREAD, fd, pa(buf), (s64)n, off, 0);
}

long host_pwrite(int fd, const void *buf, size_t n, loff_t off)
{
	return hc_call(QUARK_HC_PWRITE, fd, pa(buf), (s64)n, off, 0);
}

long host_lseek(int fd, loff_t off, int whence)
{
	return hc_call(QUARK_HC_LSEEK, fd, off, whence, 0, 0);
}

long host_fstat(int fd, struct stat *st)
{
	return hc_call(QUARK_HC_FSTAT, fd, pa(st), 0, 0, 0);
}

long host_fstatat(int dirfd, const char *name, struct stat *st, int flags)
{
	return hc_call(QUARK_HC_FSTATAT, dirfd, pa(name), pa(st), flags, 0);
}

long host_getdents64(int fd, void *buf, size_t n)
{
	return hc_call(QUARK_HC_GETDENTS64, fd, pa(buf), (s64)n, 0, 0);
}

long host_readlinkat(int dirfd, const char *name, char *buf, size_t n)
{
	return hc_call(QUARK_HC_READLINKAT, dirfd, pa(name), pa(buf), (s64)n, 0);
}

long host_mkdirat(int dirfd, const char *name, int mode)
{
	return hc_call(QUARK_HC_MKDIRAT, dirfd, pa(name), mode, 0, 0);
}

long host_mknodat(int dirfd, const char *name, int mode, u64 dev)
{
	return hc_call(QUARK_HC_MKNODAT, dirfd, pa(name), mode, (s64)dev, 0);
}

long host_unlinkat(int dirfd, const char *name, int flags)
{
	return hc_call(QUARK_HC_UNLINKAT, dirfd, pa(name), flags, 0, 0);
}

long host_renameat2(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags)
{
	return hc_call(QUARK_HC_RENAMEAT2, olddirfd, pa(oldname), newdirfd, pa(newname), flags);
}

long host_linkat(int olddirfd, const char *oldname, int newdirfd, const char *newname, int flags)
{
	return hc_call(QUARK_HC_LINKAT, olddirfd, pa(oldname), newdirfd, pa(newname), flags);
}

long host_symlinkat(const char *target, int dirfd, const char *name)
{
	return hc_call(QUARK_HC_SYMLINKAT, pa(target), dirfd, pa(name), 0, 0);
}

long host_fchmod(int fd, int mode)
{
	return hc_call(QUARK_HC_FCHMOD, fd, mode, 0, 0, 0);
}

long host_fchmodat(int dirfd, const char *name, int mode)
{
	return hc_call(QUARK_HC_FCHMODAT, dirfd, pa(name), mode, 0, 0);
}

long host_fchownat(int dirfd, const char *name, u32 uid, u32 gid, int flags)
{
	return hc_call(QUARK_HC_FCHOWNAT, dirfd, pa(name), uid, gid, flags);
}

long host_ftruncate(int fd, loff_t len)
{
	return hc_call(QUARK_HC_FTRUNCATE, fd, len, 0, 0, 0);
}

long host_fsync(int fd, bool datasync)
{
	return hc_call(QUARK_HC_FSYNC, fd, datasync, 0, 0, 0);
}

long host_utimensat(int dirfd, const char *name, const struct __kernel_timespec *ts, int flags)
{
	return hc_call(QUARK_HC_UTIMENSAT, dirfd, pa(name), pa(ts), flags, 0);
}

long host_fstatfs(int fd, void *statfs_buf)
{
	return hc_call(QUARK_HC_FSTATFS, fd, pa(statfs_buf), 0, 0, 0);
}

/* Tty ioctls pass a pointer (to kernel memory here, sent as its guest physical
 * address) or, for these, a value; the VMM knows which from cmd. */
static bool ioctl_by_value(unsigned long cmd)
{
	return cmd == TCFLSH || cmd == TCXONC || cmd == TCSBRK || cmd == TCSBRKP;
}

long host_ioctl(int fd, unsigned long cmd, void *arg)
{
	return hc_call(QUARK_HC_IOCTL, fd, (s64)cmd, ioctl_by_value(cmd) ? (s64)arg : pa(arg), 0, 0);
}

long host_fcntl(int fd, int cmd, long arg)
{
	return hc_call(QUARK_HC_FCNTL, fd, cmd, arg, 0, 0);
}

long host_poll(struct pollfd *fds, unsigned n, s64 timeout_ns)
{
	return hc_call(QUARK_HC_POLL, pa(fds), n, timeout_ns, 0, 0);
}

long host_getrandom(void *buf, size_t n)
{
	return hc_call(QUARK_HC_GETRANDOM, pa(buf), (s64)n, 0, 0, 0);
}

long host_reopen(int opath_fd, int flags)
{
	return hc_call(QUARK_HC_REOPEN, opath_fd, flags, 0, 0, 0);
}

u64 host_clock_ns(int clockid)
{
	return clockid == CLOCK_REALTIME ? clock_realtime_ns() : clock_monotonic_ns();
}
