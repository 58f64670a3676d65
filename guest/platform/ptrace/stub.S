/* stub.S - the stub: the host process that holds one guest address space on the ptrace
 * platform. It never runs code of its own: the sandbox stops it right after execve,
 * and uses `syscall; int3` at its entry to inject setitimer/prctl/seccomp once, then only
 * mmap and munmap. Linked at 0x7fff00001000, above qkernel's TASK_SIZE, so no guest
 * mapping can cover it. Everything below is read-only data the sandbox points at. */
	.text
	.globl _start
_start:
	syscall
	int3
	.balign 16
	.globl stub_itimer
stub_itimer:		/* 0x...1010 struct itimerval: 10 ms of user CPU time per tick */
	.quad 0, 10000, 0, 10000

/* 0x...1030 struct sock_fprog for seccomp: defence in depth. The application's own
 * syscalls never reach it (PTRACE_SYSEMU stops them first); if anything else ever ran
 * in the stub, the host would allow only the mapping calls the sandbox injects. */
	.balign 16
	.globl stub_seccomp_prog
stub_seccomp_prog:
	.short (filter_end - filter) / 8
	.short 0, 0, 0
	.quad filter
#define BPF_STMT(code, k)		.short code; .byte 0, 0; .long k
#define BPF_JUMP(code, k, jt, jf)	.short code; .byte jt, jf; .long k
#define LD_W_ABS	0x20
#define JEQ_K		0x15
#define RET_K		0x06
#define KILL_PROCESS	0x80000000
#define ALLOW		0x7fff0000
	.balign 8
filter:
	BPF_STMT(LD_W_ABS, 4)			/* seccomp_data.arch */
	BPF_JUMP(JEQ_K, 0xc000003e, 1, 0)	/* AUDIT_ARCH_X86_64 */
	BPF_STMT(RET_K, KILL_PROCESS)
	BPF_STMT(LD_W_ABS, 0)			/* seccomp_data.nr */
	BPF_JUMP(JEQ_K, 9, 2, 0)		/* mmap */
	BPF_JUMP(JEQ_K, 11, 1, 0)		/* munmap */
	BPF_STMT(RET_K, KILL_PROCESS)
	BPF_STMT(RET_K, ALLOW)
filter_end:
	.section .note.GNU-stack,"",@progbits
