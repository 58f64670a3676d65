/*
 * kernel/signal_deliver.c - delivering signals on the way back to user mode, after
 * Linux's arch/x86/kernel/signal.c and get_signal(): syscall restarts, job-control
 * stops, default actions, the x86-64 rt_sigframe, rt_sigreturn and sigaltstack.
 *
 * The frame, from high to low addresses (the user stack grows down):
 *
 *   original rsp - 128        red zone skipped (or the top of the alternate stack)
 *   fxsave image (512 bytes)  64-byte aligned; uc.uc_mcontext.fpstate points here
 *   struct rt_sigframe        pretcode | ucontext | siginfo; rsp at handler entry,
 *                             with (rsp + 8) 16-byte aligned as after a call
 */
#include "signal_internal.h"
#include <qk/platform.h>
#include <qk/uaccess.h>
#include <qk/lib.h>

struct rt_sigframe {
	u64 pretcode;		/* sa_restorer: the handler's return address */
	struct ucontext uc;
	siginfo_t info;		/* written only with SA_SIGINFO, as Linux */
};
_Static_assert(sizeof(struct rt_sigframe) == 440, "ABI");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "ABI");

/* eflags bits sigreturn may change (Linux FIX_EFLAGS): AC OF DF TF SF ZF AF PF CF RF */
#define FIX_EFLAGS	0x50dd5ULL
#define EFLAGS_TF	0x100ULL
#define EFLAGS_DF	0x400ULL
#define EFLAGS_RF	0x10000ULL
#define MXCSR_MASK	0xffffU

static void fpu_init_image(struct fxregs *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->cwd = 0x37f;
	fx->mxcsr = 0x1f80;
	fx->mxcsr_mask = MXCSR_MASK;
}

/* --- syscall restart --- */

static bool restart_code(long rax)
{
	return rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND ||
	       rax == -ERESTART_RESTARTBLOCK;
}

static void restart_syscall(struct task *t)
{
	t->regs.rax = t->regs.orig_rax;
	t->regs.rip -= SYSCALL_INSN_LEN;
}

/* A handler is about to run: only ERESTARTNOINTR, and ERESTARTSYS with SA_RESTART,
 * re-execute the syscall after it; the rest fail with EINTR. */
static void restart_for_handler(struct task *t, const struct k_sigaction *ka)
{
	switch ((long)t->regs.rax) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		t->regs.rax = (u64)-EINTR;
		break;
	case -ERESTARTSYS:
		if (!(ka->flags & SA_RESTART)) {
			t->regs.rax = (u64)-EINTR;
			break;
		}
		/* fallthrough */
	case -ERESTARTNOINTR:
		restart_syscall(t);
		break;
	}
}

/* --- the frame --- */

/* Fault signals tell the handler about the trap in the sigcontext too. */
static void fill_trap_info(struct sigcontext *sc, int sig, const siginfo_t *info)
{
	if (info->si_code <= 0 || info->si_code == SI_KERNEL)
		return;
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
		sc->trapno = 14;
		sc->cr2 = (u64)info->si_addr;
		sc->err = 4 | (info->si_code == SEGV_ACCERR ? 1 : 0);
		break;
	case SIGILL:
		sc->trapno = 6;
		break;
	case SIGFPE:
		sc->trapno = 0;
		break;
	case SIGTRAP:
		sc->trapno = 3;
		break;
	}
}

static void fill_sigcontext(struct sigcontext *sc, const struct uregs *r, u64 fpstate,
			    ksigset_t mask)
{
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->eflags;
	sc->cs = r->cs;
	sc->ss = r->ss;
	sc->fpstate = (struct _fpstate *)fpstate;
	sc->oldmask = mask;
}

/* get_sigframe(): where the frame goes; 0 when it would overflow the alternate stack. */
static u64 frame_address(struct task *t, const struct k_sigaction *ka, u64 *fx_addr)
{
	u64 sp = t->regs.rsp;
	bool nested = on_sig_stack(t, sp), entering = false;
	u64 frame;

	sp -= 128;
	if ((ka->flags & SA_ONSTACK) && sas_ss_flags(t, sp) == 0) {
		sp = t->altstack_sp + t->altstack_size;
		entering = true;
	}
	*fx_addr = ALIGN_DOWN(sp - sizeof(struct fxregs), 64);
	frame = ALIGN_DOWN(*fx_addr - sizeof(struct rt_sigframe), 16) - 8;
	if ((nested || entering) && !__on_sig_stack(t, frame))
		return 0;
	return frame;
}

static int setup_rt_frame(struct task *t, int sig, const struct k_sigaction *ka,
			  const siginfo_t *info, ksigset_t saved)
{
	struct rt_sigframe f;
	struct fxregs fx;
	u64 fx_addr, frame;

	if (!(ka->flags & SA_RESTORER))
		return -EFAULT;		/* x86-64 requires a restorer (Linux) */
	frame = frame_address(t, ka, &fx_addr);
	if (!frame)
		return -EFAULT;
	if (plat_get_fpu(t, &fx))
		fpu_init_image(&fx);
	memset(fx.padding, 0, sizeof(fx.padding));
	if (copy_to_user(fx_addr, &fx, sizeof(fx)))
		return -EFAULT;

	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = (void *)t->altstack_sp;
	f.uc.uc_stack.ss_flags = sas_raw_flags(t);
	f.uc.uc_stack.ss_size = t->altstack_size;
	fill_sigcontext(&f.uc.uc_mcontext, &t->regs, fx_addr, saved);
	fill_trap_info(&f.uc.uc_mcontext, sig, info);
	f.uc.uc_sigmask = saved;
	if (ka->flags & SA_SIGINFO) {
		f.info = *info;
		if (copy_to_user(frame, &f, sizeof(f)))
			return -EFAULT;
	} else if (copy_to_user(frame, &f, offsetof(struct rt_sigframe, info))) {
		return -EFAULT;
	}

	t->regs.rdi = sig;
	t->regs.rsi = frame + offsetof(struct rt_sigframe, info);
	t->regs.rdx = frame + offsetof(struct rt_sigframe, uc);
	t->regs.rax = 0;
	t->regs.rip = ka->handler;
	t->regs.rsp = frame;
	t->regs.eflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	fpu_init_image(&fx);
	plat_set_fpu(t, &fx);	/* the handler starts with a clean FPU, as on Linux */
	return 0;
}

/* signal_delivered(): the handler runs with its mask (and itself unless SA_NODEFER);
 * the mask saved in the frame is the one sigreturn will restore. */
static void signal_delivered(struct task *t, int sig, const struct k_sigaction *ka)
{
	ksigset_t blocked = t->blocked | ka->mask;

	if (!(ka->flags & SA_NODEFER))
		blocked |= sigmask_of(sig);
	t->blocked = blocked & ~SIGSET_KILLSTOP;
	t->restore_sigmask = false;
	if (t->altstack_flags & SS_AUTODISARM) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
	}
}

/* --- get_signal(): stops, ignores, default actions --- */

static bool sigkill_pending(struct task *t)
{
	return ((t->pending | t->proc->shared_pending) & sigmask_of(SIGKILL)) != 0;
}

static void stop_wait(struct task *t)
{
	struct proc *p = t->proc;

	while (p->stopped && !sigkill_pending(t)) {
		t->state = TASK_STOPPED;
		schedule();
	}
	t->state = TASK_RUNNING;
}

static __noreturn void die_by_signal(struct task *t, int sig)
{
	struct proc *p = t->proc;
	int status = sig;

	/* Linux sets the core flag only when it wrote a core; with core_pattern "core"
	 * that follows RLIMIT_CORE. We never write the file. */
	if (sig_in(sig, SIGSET_COREDUMP) && p->rlim[RLIMIT_CORE].rlim_cur)
		status |= W_COREFLAG;
	p->stopped = false;
	p->stop_report = false;
	do_exit_group(status);
}

/* Returns the next signal to run a handler for (its action copied to *ka before
 * SA_RESETHAND takes effect), or 0; may stop the process or never return. */
static int get_signal(struct task *t, struct k_sigaction *ka, siginfo_t *info)
{
	struct proc *p = t->proc;

	for (;;) {
		struct k_sigaction *act;
		bool from_user;
		int sig;

		if (p->stopped)
			stop_wait(t);
		sig = signal_dequeue(t, ~t->blocked, info, &from_user);
		if (!sig)
			return 0;
		act = &p->sighand->action[sig - 1];
		if (act->handler == KSIG_IGN)
			continue;
		if (act->handler != KSIG_DFL) {
			*ka = *act;
			if (act->flags & SA_RESETHAND)
				act->handler = KSIG_DFL;
			return sig;
		}
		if (sig_in(sig, SIGSET_IGNORE))
			continue;
		if (from_user && init_protected(p))
			continue;	/* queued while blocked; pid 1 drops it now */
		if (sig_in(sig, SIGSET_STOP)) {
			if (sig != SIGSTOP && pgrp_orphaned(p))
				continue;
			proc_stop(p, sig);
			continue;
		}
		die_by_signal(t, sig);
	}
}

/* force_sigsegv(): the frame could not be written. */
static void force_sigsegv(struct task *t, int sig)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGSEGV;
	info.si_code = SI_KERNEL;
	force_signal_info(t, &info, sig == SIGSEGV);
}

void do_signal(struct task *t, bool in_syscall)
{
	bool restart = in_syscall && (s64)t->regs.orig_rax >= 0 && restart_code((long)t->regs.rax);
	struct k_sigaction ka;
	siginfo_t info;
	int sig;

	/* Each deliverable signal gets its frame, stacked like Linux's exit-to-user loop:
	 * the last one set up runs first. */
	while ((sig = get_signal(t, &ka, &info)) > 0) {
		ksigset_t saved = t->restore_sigmask ? t->saved_sigmask : t->blocked;

		if (restart) {
			restart_for_handler(t, &ka);
			restart = false;
		}
		if (setup_rt_frame(t, sig, &ka, &info, saved) < 0) {
			force_sigsegv(t, sig);
			continue;
		}
		signal_delivered(t, sig, &ka);
	}
	if (restart)
		restart_syscall(t);
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		t->blocked = t->saved_sigmask & ~SIGSET_KILLSTOP;
	}
}

/* --- rt_sigreturn --- */

static int restore_sigcontext(struct task *t, const struct sigcontext *sc)
{
	struct uregs *r = &t->regs;
	struct fxregs fx;

	if (sc->rip >= TASK_SIZE)
		return -EFAULT;	/* never return into the stub's part of the address space */
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->orig_rax = (u64)-1;	/* no syscall restart after this */
	/* cs and ss stay the user segments they are. */
	if (!sc->fpstate) {
		fpu_init_image(&fx);
	} else {
		if (copy_from_user(&fx, (uaddr_t)sc->fpstate, sizeof(fx)))
			return -EFAULT;
		fx.mxcsr &= MXCSR_MASK;
	}
	plat_set_fpu(t, &fx);
	return 0;
}

static void restore_altstack(struct task *t, const stack_t *ss);

long sys_rt_sigreturn(void)
{
	struct task *t = current;
	uaddr_t frame = t->regs.rsp - 8;	/* the handler's ret popped pretcode */
	struct ucontext uc;

	if (copy_from_user(&uc, frame + offsetof(struct rt_sigframe, uc), sizeof(uc)))
		goto badframe;
	t->blocked = uc.uc_sigmask & ~SIGSET_KILLSTOP;
	if (restore_sigcontext(t, &uc.uc_mcontext))
		goto badframe;
	restore_altstack(t, &uc.uc_stack);
	return t->regs.rax;

badframe:
	force_sigsegv(t, 0);
	return 0;
}

/* --- sigaltstack --- */

/* The user's stack_t without pointer types. */
struct kstack {
	u64 ss_sp;
	s32 ss_flags;
	u32 pad;
	u64 ss_size;
};
_Static_assert(sizeof(struct kstack) == sizeof(stack_t), "ABI");

static int do_sigaltstack(struct task *t, const struct kstack *ss, struct kstack *oss, u64 sp)
{
	if (oss) {
		memset(oss, 0, sizeof(*oss));
		oss->ss_sp = t->altstack_sp;
		oss->ss_size = t->altstack_size;
		oss->ss_flags = sas_ss_flags(t, sp) | (t->altstack_flags & SS_FLAG_BITS);
	}
	if (ss) {
		u64 ss_sp = ss->ss_sp, ss_size = ss->ss_size;
		int mode = ss->ss_flags & ~SS_FLAG_BITS;

		if (on_sig_stack(t, sp))
			return -EPERM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (t->altstack_sp == ss_sp && t->altstack_size == ss_size &&
		    sas_raw_flags(t) == ss->ss_flags)
			return 0;
		if (mode == SS_DISABLE) {
			ss_size = 0;
			ss_sp = 0;
		} else if (ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->altstack_sp = ss_sp;
		t->altstack_size = ss_size;
		t->altstack_flags = ss->ss_flags;
	}
	return 0;
}

static void restore_altstack(struct task *t, const stack_t *ss)
{
	struct kstack k;

	memcpy(&k, ss, sizeof(k));
	(void)do_sigaltstack(t, &k, NULL, t->regs.rsp);	/* errors ignored, as Linux */
}

long sys_sigaltstack(uaddr_t uss, uaddr_t uoss)
{
	struct kstack ss, oss;
	long err;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	err = do_sigaltstack(current, uss ? &ss : NULL, uoss ? &oss : NULL, current->regs.rsp);
	if (!err && uoss && copy_to_user(uoss, &oss, sizeof(oss)))
		err = -EFAULT;
	return err;
}
