/* kernel/switch.S - kernel stack switch. __switch(u64 *save_sp, u64 new_sp) saves the
 * callee-saved registers on the current stack, stores its sp, and resumes new_sp.
 * A new task's stack holds r15..rbp (r12 = fn, r13 = arg) and returns into
 * task_trampoline. Used by both platforms (it is plain x86-64 code). */
	.text
	.globl __switch
__switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl task_trampoline
task_trampoline:
	movq %r13, %rdi
	xorl %ebp, %ebp
	call *%r12
	ud2
	.section .note.GNU-stack,"",@progbits
