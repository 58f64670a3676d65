/* SPDX-License-Identifier: MIT */
/*
 * userspace/embed.S - the qkernel images, carried inside build/quark so the runtime is one
 * self-contained file:
 *   quark_qkernel_ptrace_*  the ptrace platform's qkernel (vmm/qkernel_image.c writes it to
 *                           a sealed memfd and fexecve's it); QKERNEL_PTRACE_PATH
 *   quark_qkernel_kvm_*     the kvm platform's qkernel ELF, which the VMM copies into guest
 *                           memory; QKERNEL_KVM_PATH, or empty (start == end) when quark is
 *                           built without it (userspace/build.mk: QUARK_KVM_IMAGE)
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

	.balign 16
	.globl quark_qkernel_kvm_start
	.type quark_qkernel_kvm_start, @object
quark_qkernel_kvm_start:
#ifdef QKERNEL_KVM_PATH
	.incbin QKERNEL_KVM_PATH
#endif
	.globl quark_qkernel_kvm_end
quark_qkernel_kvm_end:
	.size quark_qkernel_kvm_start, quark_qkernel_kvm_end - quark_qkernel_kvm_start

	.section .note.GNU-stack, "", @progbits
