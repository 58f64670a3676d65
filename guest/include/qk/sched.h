/*
 * qk/sched.h - CPUs, tasks, the scheduler, wait queues and timers.
 *
 * Concurrency model: one big kernel lock. Any number of CPUs may run user code at once,
 * but only one runs qkernel code at a time, and kernel code is never preempted: a task
 * gives up the CPU only in schedule(). So kernel data needs no finer locks; a sleeping
 * caller must re-check its condition after schedule() returns.
 * (ptrace platform today: 1 CPU, the sandbox's main thread.)
 */
#ifndef QK_SCHED_H
#define QK_SCHED_H

#include <qk/types.h>
#include <qk/list.h>
#include <qk/linux.h>

struct task;
struct proc;

#define MAX_CPUS	64
struct cpu {
	int id;
	struct task *curr;
	struct task *idle;
	u64 slice_start_ns;	/* when current last started its time slice */
	bool need_resched;
	struct task *reap;	/* dead task whose stack this CPU just left */
};
extern struct cpu cpus[MAX_CPUS];
extern int ncpus;
struct cpu *this_cpu(void);	/* platform */
#define current (this_cpu()->curr)

enum task_state {
	TASK_RUNNING,		/* runnable or running */
	TASK_INTERRUPTIBLE,	/* sleeping; signals wake it */
	TASK_UNINTERRUPTIBLE,
	TASK_STOPPED,		/* job-control stop */
	TASK_DEAD,
};

struct task {
	int tid;
	struct proc *proc;
	struct list_head thread_node;	/* in proc->threads */
	enum task_state state;
	struct list_head run_node;	/* in the run queue when runnable */
	bool on_rq;
	bool on_cpu;			/* some CPU's curr (never also on the run queue) */
	u64 ksp;			/* saved kernel stack pointer (switch_to) */
	void *kstack;			/* KSTACK_SIZE bytes */
	struct uregs regs;		/* user registers while in the kernel */
	struct fxregs fpu;		/* user FPU state when fpu_valid (signal frames) */
	bool fpu_valid;
	/* signals */
	ksigset_t blocked;
	ksigset_t saved_sigmask;	/* restored after sigsuspend-like waits */
	bool restore_sigmask;
	ksigset_t pending;		/* thread-directed */
	struct list_head sigqueue;	/* struct sigq, thread-directed */
	u64 altstack_sp, altstack_size;
	int altstack_flags;
	/* misc */
	uaddr_t set_child_tid, clear_child_tid;
	uaddr_t robust_list;
	u64 robust_len;
	struct list_head timer_node;	/* sleep timeout */
	u64 wake_at_ns;
	bool timed_out;
	void *wait_chan;		/* what it sleeps on, for debugging */
	u64 utime_ns, stime_ns;		/* CPU time in user and kernel */
	u64 nvcsw, nivcsw;
	int exit_signal;
	void *plat;			/* platform private (ptrace: stub thread) */
	u64 syscall_count;
};

#define KSTACK_SIZE	(16 * 1024)

/* Create a task whose first kernel code is fn(arg) on a fresh kernel stack. */
struct task *task_create(struct proc *p, void (*fn)(void *), void *arg);
void task_free(struct task *t);		/* after it is dead and off every CPU */

void sched_init(void);
void schedule(void);			/* give up the CPU; returns when picked again */
void wake_up(struct task *t);		/* make runnable (no-op if running/runnable/dead) */
void sched_yield_current(void);
void cpu_idle_loop(void) __noreturn;	/* the boot context becomes the idle task */
void switch_to(struct task *prev, struct task *next);	/* asm: swap kernel stacks */

/* Wait queues. */
struct waitq {
	struct list_head waiters;
};
struct waiter {
	struct list_head node;
	struct task *task;
};
void waitq_init(struct waitq *wq);
/* Sleep once on wq (interruptibly) until woken: 0, or -ERESTARTSYS if a signal is
 * pending. Callers re-check their condition in a loop. */
long sleep_on(struct waitq *wq);
void wake_up_all(struct waitq *wq);
/* Sleep interruptibly for at most timeout_ns (U64_MAX = forever) or until woken.
 * Returns 0 when the time elapsed, -ERESTARTSYS on a signal, 1 when woken early. */
long sleep_timeout(u64 timeout_ns);
/* Same, but waits on wq until cond; -ETIMEDOUT when time runs out. */
#define wait_event_interruptible_timeout(wq, cond, ns) ({		\
	long __r = 0;							\
	u64 __deadline = (ns) == UINT64_MAX ? UINT64_MAX : clock_monotonic_ns() + (ns); \
	struct waiter __w = { .task = current };			\
	list_add_tail(&__w.node, &(wq)->waiters);			\
	for (;;) {							\
		current->state = TASK_INTERRUPTIBLE;			\
		if (cond)						\
			break;						\
		if (signal_pending(current)) {				\
			__r = -ERESTARTSYS;				\
			break;						\
		}							\
		if (clock_monotonic_ns() >= __deadline) {		\
			__r = -ETIMEDOUT;				\
			break;						\
		}							\
		timer_sleep_until(__deadline);				\
	}								\
	current->state = TASK_RUNNING;					\
	list_del(&__w.node);						\
	__r;								\
})
/* Sleep interruptibly on wq until cond is true: 0, or -ERESTARTSYS when a signal is
 * pending (the caller returns it; syscall exit turns it into EINTR or a restart). */
#define wait_event_interruptible(wq, cond) \
	wait_event_interruptible_timeout(wq, cond, UINT64_MAX)
/* schedule() with a wake-up at deadline (absolute monotonic ns); caller sets state. */
void timer_sleep_until(u64 deadline_ns);
void run_timers(void);			/* wake tasks whose deadline passed */
u64 next_timer_deadline(void);		/* UINT64_MAX if none */
/* Every CPU, the run queue and every task as text lines (no lock: for a hung guest). */
void sched_dump(void (*emit)(const char *s, size_t n));

/* Callback timers (alarm/itimers). fn runs from run_timers() in kernel context. */
struct ktimer {
	struct list_head node;
	u64 expires_ns;			/* absolute CLOCK_MONOTONIC */
	void (*fn)(struct ktimer *t);
	bool armed;
};
void ktimer_add(struct ktimer *t);	/* (re)arm at t->expires_ns */
void ktimer_del(struct ktimer *t);	/* no-op if not armed */

/* Permanent host-fd watchers owned by the platform (e.g. forwarded host signals):
 * cb runs from host_waits_poll() when fd is ready. */
void host_watch_add(int hostfd, short events, void (*cb)(int hostfd));

/* Time (platform-backed). */
u64 clock_monotonic_ns(void);
u64 clock_realtime_ns(void);
u64 boot_time_ns(void);

/* Sleep until host fd becomes ready for events (POLLIN/POLLOUT). 0, or -ERESTARTSYS. */
long host_fd_wait(int hostfd, short events);
/* Called by the platform: poll the host fds tasks wait on (timeout_ns 0 = just check). */
void host_waits_poll(u64 timeout_ns);
bool host_waits_active(void);	/* any host fd watched or waited on? */

bool signal_pending(struct task *t);	/* kernel/signal.c */

#endif
