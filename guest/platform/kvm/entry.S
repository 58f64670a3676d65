/*
 * entry.S - where every vCPU enters the kvm boot image (state: uapi/quark/kvm_layout.h;
 * RDI = boot info physical address, RSI = vCPU index), and the 32 exception stubs.
 */
#include <quark/kvm_layout.h>

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

exc_common:
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
	call	exc_handler
	popq	%r15
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

	.section .rodata
	.balign 8
	.globl exc_stubs
exc_stubs:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	exc_stub_\vec
	.endr

	.bss
	.balign 4096
kstacks:
	.skip	QUARK_KVM_MAX_VCPUS << KSTACK_SHIFT

	.section .note.GNU-stack, "", @progbits
