/* start.S - entry of the sandbox binary (static, no libc): ptrace_main(initial sp). */
	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	movq %rsp, %rdi
	andq $-16, %rsp
	call ptrace_main
	ud2
	.section .note.GNU-stack,"",@progbits
