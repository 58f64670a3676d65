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

/* 0x...1100 batch executor: rdi = array of struct stub_op {nr, a0..a5, ret} (64 bytes
 * each), rsi = count. Runs them in order, stores each result, stops at the first error.
 * Ends with int3: rax = number of ops that succeeded, rdx = the error of the next one.
 * Lets the sandbox mirror many page-table changes with one stop of the stub. */
	.balign 256
	.globl stub_batch
stub_batch:
	movq %rdi, %r12
	movq %rsi, %r13
	xorl %r14d, %r14d
1:	cmpq %r13, %r14
	jae 3f
	movq 0(%r12), %rax
	movq 8(%r12), %rdi
	movq 16(%r12), %rsi
	movq 24(%r12), %rdx
	movq 32(%r12), %r10
	movq 40(%r12), %r8
	movq 48(%r12), %r9
	syscall
	movq %rax, 56(%r12)
	cmpq $-4095, %rax
	jae 2f
	addq $64, %r12
	incq %r14
	jmp 1b
2:	movq %rax, %rdx
3:	movq %r14, %rax
	int3

/* The ops array the sandbox writes with process_vm_writev (at a fixed address). */
	.bss
	.balign 4096
	.globl stub_ops
stub_ops:
	.skip 65536
	.section .note.GNU-stack,"",@progbits
