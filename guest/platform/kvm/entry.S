/*
 * entry.S - where every vCPU enters the image (state: uapi/quark/kvm_layout.h; RDI =
 * boot info physical address, RSI = vCPU index), the exception and interrupt stubs, and
 * the user/kernel crossing.
 *
 * User mode is entered from a task's kernel stack by kvm_enter_user(regs, sysret), a
 * function call that "returns" when user mode is left: the SYSCALL entry and every
 * exception or interrupt taken in user mode store the user registers into the task's
 * struct uregs (percpu->uregs), reload the kernel RSP kvm_enter_user saved, and return
 * ENTER_SYSCALL or ENTER_TRAP (vector and error code in percpu). So the kernel never
 * runs on the entry stack, and the core sees the same "run user until it traps" model as
 * on the ptrace platform. The kernel runs with interrupts off; user mode runs with them
 * on, so interrupts reach the kernel only in user mode or in the idle loop's HLT.
 */
#include <quark/kvm_layout.h>
#include "kvm.h"

#define KSTACK_SHIFT	13		/* 8 KiB per CPU */
#define WSTATUS_BAD_CPU	(125 << 8)

	.section .text.entry, "ax"
	.globl _start
_start:
	/* Leave the VMM's boot stack (low memory qkernel will reuse) for our own. */
	cmpq	$QUARK_KVM_MAX_VCPUS, %rsi
	jae	bad_cpu
	leaq	1(%rsi), %rax
	shlq	$KSTACK_SHIFT, %rax
	leaq	kstacks(%rip), %rsp
	addq	%rax, %rsp
	xorl	%ebp, %ebp
	call	kvm_main
bad_cpu:
	movw	$QUARK_KVM_PORT_SHUTDOWN, %dx
	movl	$WSTATUS_BAD_CPU, %eax
	outl	%eax, %dx
1:	cli
	hlt
	jmp	1b

	.text
/* The CPU pushes an error code for these vectors only; the others get a 0 so that every
 * frame has the same shape (struct exc_frame). */
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign 16
exc_stub_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
	.endr

/* Interrupt vectors: the same frame, error code 0. Order: irq_stubs in kvm.h. */
	.irp vec, VEC_TIMER, VEC_HOSTCALL, VEC_IPI, VEC_SPURIOUS
	.balign 16
irq_stub_\vec:
	pushq	$0
	pushq	$\vec
	jmp	exc_common
	.endr

exc_common:
	testb	$3, 24(%rsp)		/* CS of the interrupted code: user mode? */
	jnz	user_trap
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* 5 CPU words + error + vector + 15 registers = 176 bytes from a 16-byte aligned
	 * RSP (the CPU aligns it in long mode): the call below is ABI aligned. */
	movq	%rsp, %rdi
	cld
	/* An NMI can come between a SWAPGS and the SYSRETQ/IRETQ after it, or before the
	 * SYSCALL entry's SWAPGS: kernel mode with the user's GS base, which is below
	 * TASK_SIZE (arch_prctl checks; no FSGSBASE), while ours has the top bit set. */
	cmpq	$2, 15*8(%rsp)		/* the vector */
	jne	2f
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	testl	%edx, %edx
	js	2f
	swapgs
	call	exc_handler
	swapgs
	jmp	3f
2:	call	exc_handler
3:	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/* Left user mode by an exception or interrupt. Stack (the CPU's RSP0 entry stack):
 * vector, error, rip, cs, rflags, rsp, ss. */
user_trap:
	swapgs
	pushq	%rax
	movq	%gs:PC_UREGS, %rax
	movq	%r15, UR_R15(%rax)
	movq	%r14, UR_R14(%rax)
	movq	%r13, UR_R13(%rax)
	movq	%r12, UR_R12(%rax)
	movq	%rbp, UR_RBP(%rax)
	movq	%rbx, UR_RBX(%rax)
	movq	%r11, UR_R11(%rax)
	movq	%r10, UR_R10(%rax)
	movq	%r9, UR_R9(%rax)
	movq	%r8, UR_R8(%rax)
	movq	%rcx, UR_RCX(%rax)
	movq	%rdx, UR_RDX(%rax)
	movq	%rsi, UR_RSI(%rax)
	movq	%rdi, UR_RDI(%rax)
	popq	UR_RAX(%rax)
	popq	%gs:PC_VECTOR
	popq	%gs:PC_ERROR
	popq	UR_RIP(%rax)
	popq	UR_CS(%rax)
	popq	UR_EFLAGS(%rax)
	popq	UR_RSP(%rax)
	popq	UR_SS(%rax)
	movq	$-1, UR_ORIG_RAX(%rax)
	movl	$ENTER_TRAP, %eax
	jmp	back_to_kernel

/* SYSCALL from user mode: RCX = user RIP, R11 = user RFLAGS, RSP still the user's, IF
 * cleared by SFMASK. The task's struct uregs is used as the stack to push into: from
 * its end (ss) down to r15, which is exactly its layout. */
	.globl kvm_syscall_entry
kvm_syscall_entry:
	swapgs
	movq	%rsp, %gs:PC_USER_SP
	movq	%gs:PC_UREGS, %rsp
	addq	$UR_SS + 8, %rsp
	pushq	$USER_DS		/* ss */
	pushq	%gs:PC_USER_SP		/* rsp */
	pushq	%r11			/* eflags */
	pushq	$USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	%rax			/* orig_rax */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movl	$ENTER_SYSCALL, %eax
back_to_kernel:
	movq	%gs:PC_KSP, %rsp
	pushq	$2			/* exceptions keep the user's DF and AC: clear all */
	popfq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

/* void kvm_safe_halt(void): STI; HLT, returning with interrupts off, and no wake-up lost
 * even where STI's one-instruction interrupt shadow is not honoured (the QEMU rig's
 * emulated SVM: an interrupt taken between the two returned to the HLT, which then slept
 * with its wake-up consumed): exc_handler moves a RIP that is this HLT past it. */
	.globl kvm_safe_halt, kvm_halt_insn
kvm_safe_halt:
	sti
kvm_halt_insn:
	hlt
	cli
	ret

/* void kvm_iret_self(void): an IRETQ to the next instruction, same ring and stack, which
 * ends the blocking of NMIs that an NMI taken from user mode leaves (the user-trap path
 * returns to the kernel with RET). */
	.globl kvm_iret_self
kvm_iret_self:
	movq	%rsp, %rax
	pushq	$KERNEL_DS		/* ss */
	pushq	%rax			/* rsp: at our return address again */
	pushfq
	pushq	$KERNEL_CS
	leaq	1f(%rip), %rax
	pushq	%rax
	iretq
1:	ret

/* int kvm_enter_user(struct uregs *r, int sysret): run user mode from *r (IRETQ, or
 * SYSRETQ when sysret: the caller checked RCX == RIP, R11 == RFLAGS, canonical RIP). */
	.globl kvm_enter_user
kvm_enter_user:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %gs:PC_KSP
	movq	%rdi, %gs:PC_UREGS
	testl	%esi, %esi
	jnz	1f
	pushq	$USER_DS
	pushq	UR_RSP(%rdi)
	pushq	UR_EFLAGS(%rdi)
	pushq	$USER_CS
	pushq	UR_RIP(%rdi)
	movq	UR_RCX(%rdi), %rcx
	movq	UR_R11(%rdi), %r11
	call	load_user_regs
	swapgs
	iretq
1:	movq	UR_RIP(%rdi), %rcx
	movq	UR_EFLAGS(%rdi), %r11
	call	load_user_regs
	movq	%gs:PC_UREGS, %rsp	/* rdi is already the user's */
	movq	UR_RSP(%rsp), %rsp
	swapgs
	sysretq

/* All general registers but RCX, R11 (set by the caller) and RSP from (%rdi); RDI last. */
load_user_regs:
	movq	UR_R15(%rdi), %r15
	movq	UR_R14(%rdi), %r14
	movq	UR_R13(%rdi), %r13
	movq	UR_R12(%rdi), %r12
	movq	UR_RBP(%rdi), %rbp
	movq	UR_RBX(%rdi), %rbx
	movq	UR_R10(%rdi), %r10
	movq	UR_R9(%rdi), %r9
	movq	UR_R8(%rdi), %r8
	movq	UR_RAX(%rdi), %rax
	movq	UR_RDX(%rdi), %rdx
	movq	UR_RSI(%rdi), %rsi
	movq	UR_RDI(%rdi), %rdi
	ret

	.section .rodata
	.balign 8
	.globl exc_stubs
exc_stubs:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	exc_stub_\vec
	.endr
	.globl irq_stubs
irq_stubs:
	.irp vec, VEC_TIMER, VEC_HOSTCALL, VEC_IPI, VEC_SPURIOUS
	.quad	irq_stub_\vec
	.endr

	.bss
	.balign 4096
kstacks:
	.skip	QUARK_KVM_MAX_VCPUS << KSTACK_SHIFT

	.section .note.GNU-stack, "", @progbits
