/* hsyscall.h - raw host system calls for the ptrace platform (no libc in the sandbox). */
#ifndef QK_PTRACE_HSYSCALL_H
#define QK_PTRACE_HSYSCALL_H

#include <qk/types.h>

static inline long hsyscall6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define hsyscall0(n)			hsyscall6(n, 0, 0, 0, 0, 0, 0)
#define hsyscall1(n, a)			hsyscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define hsyscall2(n, a, b)		hsyscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define hsyscall3(n, a, b, c)		hsyscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define hsyscall4(n, a, b, c, d)	hsyscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define hsyscall5(n, a, b, c, d, e)	hsyscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#endif
