/* SPDX-License-Identifier: MIT */
/*
 * tests/kvm/embed.S - build/kvm-bootimg.elf inside the vmm_boot test, so the rig (which
 * carries one file into its VM) needs nothing else. QKERNEL_KVM_PATH: tests/kvm/kvm.mk.
 */
	.section .rodata.qkernel_kvm, "a"
	.balign 16
	.globl qkernel_kvm_start
qkernel_kvm_start:
	.incbin QKERNEL_KVM_PATH
	.globl qkernel_kvm_end
qkernel_kvm_end:

	.section .note.GNU-stack, "", @progbits
