/* SPDX-License-Identifier: MIT */
/*
 * userspace/embed.S - the ptrace-platform qkernel, carried inside build/quark so the
 * runtime is one self-contained file (vmm/qkernel_image.c writes it to a sealed memfd
 * and fexecve's it). QKERNEL_PTRACE_PATH comes from userspace/build.mk.
 */
	.section .rodata.qkernel, "a"
	.balign 16
	.globl quark_qkernel_ptrace_start
	.type quark_qkernel_ptrace_start, @object
quark_qkernel_ptrace_start:
	.incbin QKERNEL_PTRACE_PATH
	.globl quark_qkernel_ptrace_end
quark_qkernel_ptrace_end:
	.size quark_qkernel_ptrace_start, quark_qkernel_ptrace_end - quark_qkernel_ptrace_start

	.section .note.GNU-stack, "", @progbits
