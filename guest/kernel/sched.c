/*
 * kernel/sched.c - tasks, the run queue, sleeping, timers and host-fd waits.
 * Round-robin over one global run queue (big kernel lock: see qk/sched.h). The boot
 * context of each CPU becomes its idle task.
 */
#include <qk/sched.h>
#include <qk/proc.h>
#include <qk/platform.h>
#include <qk/host.h>
#include <qk/lib.h>

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

static LIST_HEAD(runq);
static LIST_HEAD(sleepers);	/* struct task.timer_node, sorted by wake_at_ns */
static LIST_HEAD(ktimers);	/* struct ktimer.node, sorted by expires_ns */
static struct task idle_tasks[MAX_CPUS];

void __switch(u64 *save_sp, u64 new_sp);
void task_trampoline(void);

void sched_init(void)
{
	for (int i = 0; i < ncpus; i++) {
		cpus[i].id = i;
		idle_tasks[i].state = TASK_RUNNING;
		idle_tasks[i].tid = 0;
		list_init(&idle_tasks[i].sigqueue);
		cpus[i].idle = cpus[i].curr = &idle_tasks[i];
		idle_tasks[i].on_cpu = true;
	}
}

struct task *task_create(struct proc *p, void (*fn)(void *), void *arg)
{
	struct task *t = kzalloc(sizeof(*t));
	u64 *sp;

	if (!t)
		return NULL;
	t->kstack = kmalloc(KSTACK_SIZE);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->proc = p;
	if (plat_task_init(t)) {	/* with current = the creator (fork: the parent) */
		kfree(t->kstack);
		kfree(t);
		return NULL;
	}
	t->state = TASK_UNINTERRUPTIBLE;	/* wake_up() makes it runnable */
	list_init(&t->sigqueue);
	list_init(&t->timer_node);
	list_init(&t->run_node);
	sp = (u64 *)((u8 *)t->kstack + KSTACK_SIZE);
	*--sp = 0;				/* alignment slot */
	*--sp = (u64)task_trampoline;		/* return address of __switch */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (u64)fn;			/* r12 */
	*--sp = (u64)arg;			/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	t->ksp = (u64)sp;
	return t;
}

void task_free(struct task *t)
{
	struct sigq *q, *n;

	list_for_each_entry_safe(q, n, &t->sigqueue, node) {
		list_del(&q->node);
		kfree(q);
	}
	kfree(t->kstack);
	kfree(t);
}

static void runq_add(struct task *t)
{
	list_add_tail(&t->run_node, &runq);
	t->on_rq = true;
	plat_kick_cpu();
}

void wake_up(struct task *t)
{
	if (t->state == TASK_DEAD)
		return;
	t->state = TASK_RUNNING;
	if (!t->on_rq && !t->on_cpu)
		runq_add(t);
}

void schedule(void)
{
	struct cpu *c = this_cpu();
	struct task *prev = c->curr, *next;

	c->need_resched = false;
	if (prev->state == TASK_RUNNING && prev != c->idle && !prev->on_rq)
		runq_add(prev);
	if (list_empty(&runq)) {
		next = c->idle;
	} else {
		next = list_first_entry(&runq, struct task, run_node);
		list_del(&next->run_node);
		next->on_rq = false;
	}
	if (next == prev)
		return;
	if (prev->state == TASK_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	if (prev->state == TASK_DEAD)
		c->reap = prev;
	c->curr = next;
	c->slice_start_ns = clock_monotonic_ns();
	prev->on_cpu = false;
	next->on_cpu = true;
	plat_switch(prev, next);
	__switch(&prev->ksp, next->ksp);
	/* Back on our own stack (maybe on another CPU): free a dead task we switched away
	 * from. */
	c = this_cpu();
	if (c->reap && c->reap != c->curr) {
		task_free(c->reap);
		c->reap = NULL;
	}
}

void sched_yield_current(void)
{
	if (!list_empty(&runq))
		schedule();
}

long sys_sched_yield(void)
{
	sched_yield_current();
	return 0;
}

bool runq_has_other(void)
{
	return !list_empty(&runq);
}

/* --- wait queues --- */

void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}

void wake_up_all(struct waitq *wq)
{
	struct waiter *w;

	list_for_each_entry(w, &wq->waiters, node)
		if (w->task->state == TASK_INTERRUPTIBLE || w->task->state == TASK_UNINTERRUPTIBLE)
			wake_up(w->task);
}

long sleep_on(struct waitq *wq)
{
	struct waiter w = { .task = current };
	long r = 0;

	if (signal_pending(current))
		return -ERESTARTSYS;
	list_add_tail(&w.node, &wq->waiters);
	current->state = TASK_INTERRUPTIBLE;
	schedule();
	current->state = TASK_RUNNING;
	list_del(&w.node);
	if (signal_pending(current))
		r = -ERESTARTSYS;
	return r;
}

/* --- timed sleeps --- */

void timer_sleep_until(u64 deadline)
{
	struct task *t = current, *s;

	t->wake_at_ns = deadline;
	t->timed_out = false;
	if (deadline != UINT64_MAX) {
		list_for_each_entry(s, &sleepers, timer_node)
			if (s->wake_at_ns > deadline)
				break;
		list_add_tail(&t->timer_node, &s->timer_node);
	}
	schedule();
	list_del(&t->timer_node);
}

long sleep_timeout(u64 ns)
{
	u64 deadline = ns == UINT64_MAX ? UINT64_MAX : clock_monotonic_ns() + ns;

	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		if (signal_pending(current)) {
			current->state = TASK_RUNNING;
			return -ERESTARTSYS;
		}
		if (clock_monotonic_ns() >= deadline) {
			current->state = TASK_RUNNING;
			return 0;
		}
		timer_sleep_until(deadline);
	}
}

void ktimer_add(struct ktimer *t)
{
	struct ktimer *k;

	ktimer_del(t);
	list_for_each_entry(k, &ktimers, node)
		if (k->expires_ns > t->expires_ns)
			break;
	list_add_tail(&t->node, &k->node);
	t->armed = true;
}

void ktimer_del(struct ktimer *t)
{
	if (t->armed)
		list_del(&t->node);
	t->armed = false;
}

void run_timers(void)
{
	u64 now = clock_monotonic_ns();

	while (!list_empty(&sleepers)) {
		struct task *t = list_first_entry(&sleepers, struct task, timer_node);
		if (t->wake_at_ns > now)
			break;
		list_del(&t->timer_node);
		t->timed_out = true;
		if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE)
			wake_up(t);
	}
	while (!list_empty(&ktimers)) {
		struct ktimer *k = list_first_entry(&ktimers, struct ktimer, node);
		if (k->expires_ns > now)
			break;
		ktimer_del(k);
		k->fn(k);
	}
}

u64 next_timer_deadline(void)
{
	u64 d = UINT64_MAX;

	if (!list_empty(&sleepers))
		d = list_first_entry(&sleepers, struct task, timer_node)->wake_at_ns;
	if (!list_empty(&ktimers))
		d = MIN(d, list_first_entry(&ktimers, struct ktimer, node)->expires_ns);
	return d;
}

/* --- waiting for host fds --- */

struct host_wait {
	struct list_head node;
	int fd;
	short events;
	bool ready;
	struct task *task;
};
static LIST_HEAD(host_waits);

#define MAX_WATCH 8
static struct {
	int fd;
	short events;
	void (*cb)(int);
} watches[MAX_WATCH];
static int nwatches;

void host_watch_add(int fd, short events, void (*cb)(int))
{
	BUG_ON(nwatches == MAX_WATCH);
	watches[nwatches].fd = fd;
	watches[nwatches].events = events;
	watches[nwatches++].cb = cb;
}

long host_fd_wait(int fd, short events)
{
	struct host_wait w = { .fd = fd, .events = events, .task = current };
	long r = 0;

	list_add_tail(&w.node, &host_waits);
	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		if (w.ready)
			break;
		if (signal_pending(current)) {
			r = -ERESTARTSYS;
			break;
		}
		schedule();
	}
	current->state = TASK_RUNNING;
	list_del(&w.node);
	return r;
}

bool host_waits_active(void)
{
	return nwatches || !list_empty(&host_waits);
}

void host_waits_poll(u64 timeout_ns)
{
	struct pollfd fds[64];
	struct host_wait *w;
	unsigned n = 0;
	long r;

	for (int i = 0; i < nwatches; i++)
		fds[n++] = (struct pollfd){ .fd = watches[i].fd, .events = watches[i].events };
	list_for_each_entry(w, &host_waits, node) {
		if (n == ARRAY_SIZE(fds))
			break;
		fds[n++] = (struct pollfd){ .fd = w->fd, .events = w->events };
	}
	if (!n && !timeout_ns)
		return;
	r = host_poll(fds, n, timeout_ns == UINT64_MAX ? -1 : (s64)timeout_ns);
	if (r <= 0)
		return;
	for (int i = 0; i < nwatches; i++)
		if (fds[i].revents)
			watches[i].cb(fds[i].fd);
	n = nwatches;
	list_for_each_entry(w, &host_waits, node) {
		if (n == ARRAY_SIZE(fds))
			break;
		if (fds[n++].revents) {
			w->ready = true;
			wake_up(w->task);
		}
	}
}

void cpu_idle_loop(void)
{
	for (;;) {
		u64 deadline;

		run_timers();
		if (!list_empty(&runq)) {
			host_waits_poll(0);
			schedule();
			continue;
		}
		deadline = next_timer_deadline();
		plat_idle(deadline);
	}
}

/* --- state dump (debugging a hung guest) --- */

typedef void dump_emit_fn(const char *s, size_t n);

static void __printf(2, 3) dumpf(dump_emit_fn *emit, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit(buf, (size_t)MIN(MAX(n, 0), (int)sizeof(buf) - 1));
}

static const char *const state_names[] = { "R", "S", "D", "T", "X" };

/* The return addresses up a sleeping task's kernel stack: __switch saved r15 r14 r13 r12
 * rbx rbp and its return address at ksp (task_create builds the same frame); the rbp
 * chain goes on from there. Only addresses inside the task's stack are followed. */
static void kstack_dump(dump_emit_fn *emit, const struct task *t)
{
	uaddr_t lo = (uaddr_t)t->kstack, hi = lo + KSTACK_SIZE;
	const u64 *sw = (const u64 *)t->ksp;
	char line[200];
	int n = snprintf(line, sizeof(line), "  kstack:");
	u64 rbp;

	if (t->ksp < lo || t->ksp + 7 * 8 > hi)
		return;
	n += snprintf(line + n, sizeof(line) - n, " %llx", (unsigned long long)sw[6]);
	rbp = sw[5];
	for (int i = 0; i < 10 && rbp >= lo && rbp + 16 <= hi && n < (int)sizeof(line) - 20; i++) {
		const u64 *fr = (const u64 *)rbp;

		n += snprintf(line + n, sizeof(line) - n, " %llx", (unsigned long long)fr[1]);
		if (fr[0] <= rbp)
			break;
		rbp = fr[0];
	}
	dumpf(emit, "%s\n", line);
}

/*
 * sched_dump - every CPU, the run queue and every task, as text lines to emit. For a
 * guest that seems hung (the kvm platform runs it on an NMI from the VMM): it takes no
 * lock, since the holder may be what is stuck, so what it prints may be torn, and every
 * list walk is bounded.
 */
void sched_dump(dump_emit_fn *emit)
{
	u64 now = clock_monotonic_ns(), next = next_timer_deadline();
	struct task *t;
	struct proc *p;
	int n = 0;

	dumpf(emit, "sched: now %llu ns, next timer %s%lld ns from now, host waits %d\n",
	      (unsigned long long)now, next == UINT64_MAX ? "none " : "",
	      next == UINT64_MAX ? 0LL : (long long)(next - now), host_waits_active());
	for (int c = 0; c < ncpus; c++)
		dumpf(emit, "sched: cpu %d: curr tid %d%s\n", c,
		      cpus[c].curr ? cpus[c].curr->tid : -1, cpus[c].need_resched ? ", need_resched" : "");
	list_for_each_entry(t, &runq, run_node) {
		dumpf(emit, "sched: runq: tid %d\n", t->tid);
		if (++n == 32)
			break;
	}
	n = 0;
	for_each_proc(p) {
		list_for_each_entry(t, &p->threads, thread_node) {
			dumpf(emit, "sched: tid %d pid %d %s%s%s wchan %p syscall %lld (%llu made) "
			      "rip %#llx pending %#llx/%#llx blocked %#llx wake_at %lld\n", t->tid,
			      p->pid, t->state < ARRAY_SIZE(state_names) ? state_names[t->state] : "?",
			      t->on_rq ? " on_rq" : "", t->on_cpu ? " on_cpu" : "", t->wait_chan,
			      (long long)t->regs.orig_rax, (unsigned long long)t->syscall_count,
			      (unsigned long long)t->regs.rip, (unsigned long long)t->pending,
			      (unsigned long long)p->shared_pending, (unsigned long long)t->blocked,
			      t->wake_at_ns ? (long long)(t->wake_at_ns - now) : 0LL);
			if (!t->on_cpu)
				kstack_dump(emit, t);
			if (++n == 64)
				return;
		}
	}
}
