/*
 * platform/ptrace/space.c - guest address spaces as stub processes, and running user code.
 *
 * Each mm has one stub: a tiny static program (stub.S) started with nothing but the
 * guest-memory memfd open (fd 3). Its memory below TASK_SIZE mirrors qkernel's page tables
 * as MAP_SHARED mappings of that memfd; qkernel records changed ranges (plat_mm_changed)
 * and they are re-mirrored, coalesced into runs, just before the stub runs again. Syscalls
 * are intercepted with PTRACE_SYSEMU, so the application never executes one on the host;
 * the mirroring mmap/munmap calls are written into the stub's ops buffer and run by its
 * batch executor, one stop per sync (setup calls use its `syscall; int3` gadget).
 */
#include <qk/platform.h>
#include <qk/proc.h>
#include <qk/lib.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <linux/uio.h>
#include "hsyscall.h"
#include "ptrace.h"

#define MAX_DIRTY	16
#define SMALL_RANGE	(64 * PAGE_SIZE)

struct stub {
	int pid;
	int ndirty;
	struct { uaddr_t start, end; } dirty[MAX_DIRTY];
	uaddr_t last_fault;
	int spurious;
};

static long ptrace_(long req, long pid, long addr, long data)
{
	return hsyscall4(__NR_ptrace, req, pid, addr, data);
}

static long wait_stop(int pid, int *status)
{
	long r;

	do
		r = hsyscall4(__NR_wait4, pid, status, __WALL, 0);
	while (r == -EINTR);
	return r;
}

/* Child side of stub creation: runs in a fresh fork of the sandbox; never returns. */
static __noreturn void stub_child(void)
{
	struct rlimit64 stack = { 8 << 20, 8 << 20 };
	u64 nomask = 0;
	char *const nothing[] = { NULL };

	hsyscall4(__NR_ptrace, PT_TRACEME, 0, 0, 0);
	hsyscall2(__NR_setpgid, 0, 0);
	hsyscall1(__NR_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */);
	hsyscall4(__NR_prlimit64, 0, RLIMIT_STACK, &stack, 0);
	hsyscall4(__NR_rt_sigprocmask, SIG_SETMASK, &nomask, 0, 8);
	/* Keep exactly the guest memory (as fd 3) and the stub image (fd 4, close-on-exec). */
	if (hsyscall3(__NR_dup3, guest_memfd, 1000, 0) < 0 ||
	    hsyscall3(__NR_dup3, stub_exec_fd, 1001, 0) < 0 ||
	    hsyscall3(__NR_dup3, 1000, STUB_MEMFD, 0) < 0 ||
	    hsyscall3(__NR_dup3, 1001, 4, O_CLOEXEC) < 0)
		hsyscall1(__NR_exit_group, 127);
	hsyscall3(__NR_close_range, 0, 2, 0);
	hsyscall3(__NR_close_range, 5, ~0U, 0);
	hsyscall5(__NR_execveat, 4, "", nothing, nothing, AT_EMPTY_PATH);
	hsyscall1(__NR_exit_group, 127);
	__builtin_unreachable();
}

/* Run one host syscall inside the stopped stub. */
static long stub_syscall(struct stub *s, long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5)
{
	struct uregs r = { 0 };
	int status;

	r.rip = STUB_GADGET;
	r.rax = nr;
	r.orig_rax = (u64)-1;
	r.rdi = a0;
	r.rsi = a1;
	r.rdx = a2;
	r.r10 = a3;
	r.r8 = a4;
	r.r9 = a5;
	r.cs = 0x33;
	r.ss = 0x2b;
	r.eflags = 0x202;
	if (ptrace_(PT_SETREGS, s->pid, 0, (long)&r) < 0)
		return -ESRCH;
	for (;;) {
		if (ptrace_(PT_CONT, s->pid, 0, 0) < 0 || wait_stop(s->pid, &status) < 0 ||
		    !WSTOPPED_(status))
			return -ESRCH;
		if (WSTOPSIG_(status) == SIGTRAP)
			break;
		/* A tick (SIGVTALRM) during the injected call: suppress and go on. */
	}
	if (ptrace_(PT_GETREGS, s->pid, 0, (long)&r) < 0)
		return -ESRCH;
	return r.rax;
}

static void stub_destroy(struct stub *s);

/* The batch being built for the stub being synced (one CPU: syncs never interleave, and
 * every sync runs its batch before it returns). */
static struct stub_op ops[STUB_MAX_OPS];
static unsigned nops;

/* Run the queued ops inside the stopped stub with one stop: write them into its ops
 * buffer, point it at its batch executor, let it run to the int3. */
static long stub_batch_run(struct stub *s)
{
	struct iovec local = { ops, nops * sizeof(struct stub_op) };
	struct iovec remote = { (void *)STUB_OPS, local.iov_len };
	struct uregs r = { 0 };
	unsigned n = nops;
	int status;

	nops = 0;
	if (!n)
		return 0;
	if (hsyscall6(__NR_process_vm_writev, s->pid, (long)&local, 1, (long)&remote, 1, 0) !=
	    (long)local.iov_len)
		return -ESRCH;
	r.rip = STUB_BATCH;
	r.rdi = STUB_OPS;
	r.rsi = n;
	r.cs = 0x33;
	r.ss = 0x2b;
	r.eflags = 0x202;
	r.orig_rax = (u64)-1;
	if (ptrace_(PT_SETREGS, s->pid, 0, (long)&r) < 0)
		return -ESRCH;
	do {	/* a tick (SIGVTALRM) on the way is suppressed */
		if (ptrace_(PT_CONT, s->pid, 0, 0) < 0 || wait_stop(s->pid, &status) < 0 ||
		    !WSTOPPED_(status))
			return -ESRCH;
	} while (WSTOPSIG_(status) != SIGTRAP);
	if (ptrace_(PT_GETREGS, s->pid, 0, (long)&r) < 0)
		return -ESRCH;
	if (r.rax != n) {
		struct stub_op *op = &ops[r.rax];
		pr_err("stub %d: op %lu of %u (nr %lu, %#lx, %#lx) failed: %ld", s->pid,
		       (unsigned long)r.rax, n, (unsigned long)op->nr, (unsigned long)op->a[0],
		       (unsigned long)op->a[1], (long)r.rdx);
		return (long)r.rdx;
	}
	return 0;
}

/* Queue one mmap/munmap for the next batch (running the batch when it is full). */
static long stub_queue(struct stub *s, long nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	long r = 0;

	if (nops == STUB_MAX_OPS)
		r = stub_batch_run(s);
	ops[nops++] = (struct stub_op){ nr, { a0, a1, a2, a3, a4, a5 }, 0 };
	return r;
}

static struct stub *stub_create(void)
{
	struct stub *s = kzalloc(sizeof(*s));
	int status;
	long pid;

	if (!s)
		return NULL;
	pid = hsyscall5(__NR_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		stub_child();
	if (pid < 0 || wait_stop(pid, &status) < 0 || !WSTOPPED_(status)) {
		pr_err("cannot start a stub process (%ld)", pid);
		kfree(s);
		return NULL;
	}
	s->pid = pid;
	ptrace_(PT_SETOPTIONS, pid, 0, PT_O_EXITKILL | PT_O_TRACESYSGOOD);
	if (stub_syscall(s, __NR_setitimer, ITIMER_VIRTUAL, STUB_ITIMER, 0, 0, 0, 0) ||
	    stub_syscall(s, __NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) ||
	    stub_syscall(s, __NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, STUB_SECCOMP, 0, 0, 0)) {
		pr_err("cannot set up stub %ld", pid);
		stub_destroy(s);
		return NULL;
	}
	s->ndirty = 1;
	s->dirty[0].start = 0;
	s->dirty[0].end = TASK_SIZE;
	return s;
}

static void stub_destroy(struct stub *s)
{
	int status;

	if (s->pid > 0) {
		hsyscall2(__NR_kill, s->pid, SIGKILL);
		wait_stop(s->pid, &status);
	}
	kfree(s);
}

/* One stub made in advance while the CPU is idle (a shell waiting for its child), so
 * the next fork does not wait for a fork + execveat of the stub. */
static struct stub *spare;

void stub_prepare_spare(void)
{
	if (!spare)
		spare = stub_create();
}

static struct stub *stub_get(void)
{
	struct stub *s = spare;

	if (!s)
		return stub_create();
	spare = NULL;
	return s;
}

void plat_mm_changed(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct stub *s = mm->plat;

	if (!s)
		return;
	for (int i = 0; i < s->ndirty; i++) {
		if (start <= s->dirty[i].end && s->dirty[i].start <= end) {
			s->dirty[i].start = MIN(s->dirty[i].start, start);
			s->dirty[i].end = MAX(s->dirty[i].end, end);
			return;
		}
	}
	if (s->ndirty == MAX_DIRTY) {
		for (int i = 1; i < s->ndirty; i++) {
			s->dirty[0].start = MIN(s->dirty[0].start, s->dirty[i].start);
			s->dirty[0].end = MAX(s->dirty[0].end, s->dirty[i].end);
		}
		s->ndirty = 1;
	}
	s->dirty[s->ndirty].start = start;
	s->dirty[s->ndirty++].end = end;
}

void plat_mm_destroy(struct mm *mm)
{
	if (mm->plat)
		stub_destroy(mm->plat);
	mm->plat = NULL;
}

int plat_mm_attach(struct task *t, struct mm *old, struct mm *mm)
{
	struct stub *s = old ? old->plat : NULL;

	(void)t;
	/* execve of the only user of old: keep its stub, remap everything. */
	if (s && old->refs == 1) {
		old->plat = NULL;
		mm->plat = s;
		s->ndirty = 1;
		s->dirty[0].start = 0;
		s->dirty[0].end = TASK_SIZE;
	}
	return 0;
}

int plat_task_init(struct task *t)
{
	(void)t;
	return 0;
}

void plat_task_exit(struct task *t)
{
	(void)t;
}

/* --- mirroring page tables --- */

struct run {
	struct stub *s;
	uaddr_t va;
	paddr_t pa;
	u64 len;
	int prot;	/* -1: an unmapped run */
	int err;
};

static int pte_prot(pte_t pte)
{
	if (!(pte & PTE_U))
		return PROT_NONE;
	return PROT_READ | (pte & PTE_W ? PROT_WRITE : 0) | (pte & PTE_NX ? 0 : PROT_EXEC);
}

static void run_flush(struct run *r)
{
	long ret;

	if (!r->len)
		return;
	if (r->prot < 0)
		ret = stub_queue(r->s, __NR_munmap, r->va, r->len, 0, 0, 0, 0);
	else
		ret = stub_queue(r->s, __NR_mmap, r->va, r->len, r->prot,
				 MAP_SHARED | MAP_FIXED | MAP_POPULATE, STUB_MEMFD, r->pa);
	if (ret < 0 && !r->err)
		r->err = ret;
	r->len = 0;
}

/* Extend the current run with one page, or flush it and start a new one. */
static void run_add(struct run *r, uaddr_t va, paddr_t pa, int prot)
{
	if (r->len && r->va + r->len == va && r->prot == prot &&
	    (prot < 0 || r->pa + r->len == pa)) {
		r->len += PAGE_SIZE;
		return;
	}
	run_flush(r);
	r->va = va;
	r->pa = pa;
	r->prot = prot;
	r->len = PAGE_SIZE;
}

static void add_present(struct mm *mm, uaddr_t va, pte_t *pte, void *arg)
{
	(void)mm;
	run_add(arg, va, *pte & PTE_ADDR, pte_prot(*pte));
}

static int stub_sync(struct stub *s, struct mm *mm)
{
	struct run r = { .s = s };

	for (int i = 0; i < s->ndirty; i++) {
		uaddr_t start = s->dirty[i].start, end = s->dirty[i].end;

		if (end - start <= SMALL_RANGE) {
			for (uaddr_t va = start; va < end; va += PAGE_SIZE) {
				pte_t *pte = pte_walk(mm, va, false);
				if (pte && (*pte & PTE_P))
					run_add(&r, va, *pte & PTE_ADDR, pte_prot(*pte));
				else
					run_add(&r, va, 0, -1);
			}
		} else {
			r.va = start;
			r.len = end - start;
			r.prot = -1;
			run_flush(&r);
			pte_range_walk(mm, start, end, add_present, &r);
		}
		run_flush(&r);
	}
	s->ndirty = 0;
	if (!r.err)
		r.err = stub_batch_run(s);
	return r.err;
}

/* --- running user code --- */

static void classify_segv(struct task *t, struct stub *s, uaddr_t addr, struct trap *tr)
{
	pte_t *pte = pte_walk(t->proc->mm, addr, false);
	bool exec = addr >= t->regs.rip && addr < t->regs.rip + 16;

	tr->addr = addr;
	if (!pte || !(*pte & PTE_P)) {
		tr->kind = TRAP_FAULT;
		tr->access = exec ? FAULT_EXEC : FAULT_READ;
	} else if (!(*pte & PTE_U) || (exec && (*pte & PTE_NX))) {
		tr->kind = TRAP_SIGNAL;
		tr->sig = SIGSEGV;
		tr->code = SEGV_ACCERR;
	} else if (!(*pte & PTE_W)) {
		tr->kind = TRAP_FAULT;
		tr->access = FAULT_WRITE;
	} else {
		/* Mapped as allowed, yet it faulted: the mirror was stale. Remap it; give up
		 * if that keeps happening at the same address. */
		if (s->last_fault == addr && ++s->spurious > 3) {
			tr->kind = TRAP_SIGNAL;
			tr->sig = SIGSEGV;
			tr->code = SEGV_ACCERR;
			return;
		}
		if (s->last_fault != addr)
			s->spurious = 0;
		s->last_fault = addr;
		plat_mm_changed(t->proc->mm, ALIGN_DOWN(addr, PAGE_SIZE),
				ALIGN_DOWN(addr, PAGE_SIZE) + PAGE_SIZE);
		tr->kind = TRAP_PREEMPT;
	}
}

/* The stub cannot go on (it died, or the host refused an operation on it): the guest
 * process is killed, as a machine check would. what/val say why, for the log. */
static void stub_lost(struct task *t, struct trap *tr, const char *what, long val)
{
	struct mm *mm = t->proc->mm;

	pr_err("stub of pid %d is lost: %s (%ld)", t->tid, what, val);
	if (mm->plat) {
		((struct stub *)mm->plat)->pid = -1;
		plat_mm_destroy(mm);
	}
	tr->kind = TRAP_SIGNAL;
	tr->sig = SIGKILL;
	tr->code = SI_KERNEL;
	tr->addr = 0;
}

void plat_run_user(struct task *t, struct trap *tr)
{
	struct mm *mm = t->proc->mm;
	struct stub *s = mm->plat;
	siginfo_t si;
	int status, sig;
	long r;

	if (!s) {
		s = mm->plat = stub_get();
		if (!s) {
			stub_lost(t, tr, "cannot create a stub", 0);
			return;
		}
	}
	if (s->ndirty && (r = stub_sync(s, mm))) {
		stub_lost(t, tr, "page-table sync", r);
		return;
	}
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->regs.ds = t->regs.es = t->regs.fs = t->regs.gs = 0;
	if ((r = ptrace_(PT_SETREGS, s->pid, 0, (long)&t->regs)) < 0 ||
	    (r = ptrace_(PT_SYSEMU, s->pid, 0, 0)) < 0 || (r = wait_stop(s->pid, &status)) < 0) {
		stub_lost(t, tr, "ptrace", r);
		return;
	}
	if (!WSTOPPED_(status)) {
		stub_lost(t, tr, "stub ended, wait status", status);
		return;
	}
	if ((r = ptrace_(PT_GETREGS, s->pid, 0, (long)&t->regs)) < 0) {
		stub_lost(t, tr, "PTRACE_GETREGS", r);
		return;
	}
	sig = WSTOPSIG_(status);
	switch (sig) {
	case SIGTRAP | 0x80:
		tr->kind = TRAP_SYSCALL;
		return;
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		if ((r = ptrace_(PT_GETSIGINFO, s->pid, 0, (long)&si)) < 0) {
			stub_lost(t, tr, "PTRACE_GETSIGINFO", r);
			return;
		}
		if (sig == SIGSEGV && (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR)) {
			classify_segv(t, s, (uaddr_t)si.si_addr, tr);
			return;
		}
		tr->kind = TRAP_SIGNAL;
		tr->sig = sig;
		tr->code = si.si_code;
		tr->addr = sig == SIGSEGV && si.si_code == SI_KERNEL ? 0 : (uaddr_t)si.si_addr;
		return;
	default:
		/* SIGVTALRM: the time-slice tick. Anything else sent to the stub is dropped. */
		tr->kind = TRAP_PREEMPT;
		return;
	}
}

int plat_get_fpu(struct task *t, struct fxregs *fx)
{
	struct stub *s = t->proc->mm ? t->proc->mm->plat : NULL;

	if (!s || s->pid <= 0)
		return -ESRCH;
	return ptrace_(PT_GETFPREGS, s->pid, 0, (long)fx) < 0 ? -ESRCH : 0;
}

int plat_set_fpu(struct task *t, const struct fxregs *fx)
{
	struct stub *s = t->proc->mm ? t->proc->mm->plat : NULL;

	if (!s || s->pid <= 0)
		return 0;	/* a new stub starts with the default FPU state */
	return ptrace_(PT_SETFPREGS, s->pid, 0, (long)fx) < 0 ? -ESRCH : 0;
}
