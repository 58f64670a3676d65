/* stub.S - the stub: the host process that holds one guest address space on the ptrace
 * platform. It never runs code of its own: the sandbox stops it right after execve,
 * and uses `syscall; int3` at its entry to inject mmap/munmap/mprotect/setitimer.
 * Linked at 0x7fff00001000, above qkernel's TASK_SIZE, so no guest mapping can cover it. */
	.text
	.globl _start
_start:
	syscall
	int3
	.balign 16
	.globl stub_itimer
stub_itimer:		/* struct itimerval: 10 ms of user CPU time per tick */
	.quad 0, 10000, 0, 10000
	.section .note.GNU-stack,"",@progbits
