/*
 * qk/linux.h - the Linux x86-64 ABI that qkernel implements: constants and structures
 * come from the kernel's own UAPI headers (no libc), so the numbers are Linux's by
 * construction. Structures the UAPI headers do not export are defined here with
 * _Static_assert on their size.
 */
#ifndef QK_LINUX_H
#define QK_LINUX_H

#include <qk/types.h>
#include <asm/errno.h>
#include <asm/unistd.h>
#include <asm/stat.h>
#include <linux/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <asm/termbits.h>
#include <asm/ioctls.h>
#include <asm/prctl.h>
#include <asm/auxvec.h>
#include <linux/mman.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/resource.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/random.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>
#include <linux/poll.h>
#include <linux/eventpoll.h>
#include <linux/limits.h>

#define ERESTARTSYS		512	/* kernel internal: restart if SA_RESTART */
#define ERESTARTNOINTR		513	/* kernel internal: always restart */
#define ERESTARTNOHAND		514	/* restart if no handler */
#define ERESTART_RESTARTBLOCK	516

#define AT_FDCWD_		(-100)
#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

/* getdents64 record. */
struct linux_dirent64 {
	u64 d_ino;
	s64 d_off;
	u16 d_reclen;
	u8 d_type;
	char d_name[];
};

struct linux_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

struct linux_rusage {
	struct linux_timeval ru_utime, ru_stime;
	s64 ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap;
	s64 ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "ABI");

/* The user register file, in the layout of struct user_regs_struct (ptrace GETREGS). */
struct uregs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	u64 fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct uregs) == 27 * 8, "ABI");

/* The FXSAVE image (user_fpregs_struct), 512 bytes. */
struct fxregs {
	u16 cwd, swd, ftw, fop;
	u64 rip, rdp;
	u32 mxcsr, mxcsr_mask;
	u32 st_space[32];
	u32 xmm_space[64];
	u32 padding[24];
};
_Static_assert(sizeof(struct fxregs) == 512, "ABI");

/* Kernel sigaction as rt_sigaction(2) passes it (x86-64). */
struct k_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	u64 mask;
};
#define SA_RESTORER_	0x04000000

typedef u64 ksigset_t;	/* 64 signals, bit (sig-1) */
#define NSIG_		64

#endif
