/* ptrace.h - private declarations of the ptrace platform. */
#ifndef QK_PTRACE_PRIV_H
#define QK_PTRACE_PRIV_H

#include <qk/types.h>

#define STUB_MEMFD	3		/* the guest-memory memfd inside every stub */
#define STUB_GADGET	0x7fff00001000UL	/* syscall; int3 */
#define STUB_ITIMER	0x7fff00001010UL
#define STUB_SECCOMP	0x7fff00001030UL	/* struct sock_fprog */
#define STUB_BATCH	0x7fff00001100UL	/* batch executor */
#define STUB_OPS	0x7fff00002000UL	/* struct stub_op[STUB_MAX_OPS] */
#define STUB_MAX_OPS	1024

/* One injected syscall of a batch (stub.S's layout). */
struct stub_op {
	u64 nr, a[6];
	s64 ret;
};
_Static_assert(sizeof(struct stub_op) == 64, "stub.S layout");

extern int guest_memfd;		/* in the sandbox */
extern int stub_exec_fd;	/* memfd holding the stub binary */

void vdso_init(u64 *sp);
void stub_prepare_spare(void);	/* space.c: make a stub ahead of need */
u64 ptrace_clock_ns(int clk);	/* host clock via the vDSO */

/* ptrace requests and wait-status helpers (linux/ptrace.h without libc). */
#define PT_TRACEME	0
#define PT_CONT		7
#define PT_KILL		8
#define PT_GETREGS	12
#define PT_SETREGS	13
#define PT_GETFPREGS	14
#define PT_SETFPREGS	15
#define PT_SYSEMU	31
#define PT_SETOPTIONS	0x4200
#define PT_GETSIGINFO	0x4202
#define PT_O_TRACESYSGOOD	0x1
#define PT_O_EXITKILL		0x100000

#define WSTOPPED_(s)	(((s) & 0xff) == 0x7f)
#define WSTOPSIG_(s)	(((s) >> 8) & 0xff)

#endif
