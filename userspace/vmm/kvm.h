/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm.h - the kvm platform's VMM: one KVM VM running qkernel.
 *
 * Files, kvmtool style, by KVM object: kvm.c (/dev/kvm, capabilities, the VM and its
 * lifetime), kvm_mem.c (guest memory), kvm_load.c (kernel image and boot info),
 * kvm_x86.c (boot page tables, GDT, registers, CPUID), kvm_cpu.c (vCPU threads and the
 * exit switch), kvm_dump.c (exit names, register dumps). Layout: uapi/quark/kvm_layout.h.
 *
 * Like the rest of the library these functions never print or exit: errors come back in
 * *err, guest console bytes go to opts.console_fd, exit counters to the log at Debug.
 */
#ifndef QUARK_VMM_KVM_H
#define QUARK_VMM_KVM_H

#include <stddef.h>
#include <stdint.h>

#include "quark/hostcall.h"
#include "userspace/util/error.h"

struct quark_kvm_vm;

struct quark_kvm_opts {
	const char *dev;		/* NULL = "/dev/kvm" */
	const void *kernel;		/* ELF64 image (ET_EXEC, x86-64), copied into the guest */
	size_t kernel_len;
	const void *boot_info;		/* uapi/quark/boot.h blob; its mem_size and ncpus
					 * size the VM */
	size_t boot_info_len;
	int console_fd;			/* guest debug console output */
	const int *host_fds;		/* host fds the guest may name in host calls (rootfs,
					 * bind mounts, log, stdio): uapi/quark/hostcall.h */
	size_t nhost_fds;
	int signal_fd;			/* signalfd of the signals to pass to the guest, -1 = none */
	unsigned timeout_ms;		/* quark_kvm_run gives up after this; 0 = never */
};

/* Exit counters, indexed by KVM_EXIT_*; reasons >= QUARK_KVM_EXIT_SLOTS share the last slot. */
#define QUARK_KVM_EXIT_SLOTS	48
struct quark_kvm_stats {
	uint64_t exits[QUARK_KVM_EXIT_SLOTS];	/* exits to the VMM (KVM_RUN returned) */
	uint64_t total;
	uint64_t kernel_exits;	/* every VM exit, as KVM counts them (most are handled in
				 * the kernel: interrupts, HLT, MSRs); 0 = not available */
	/* The host-call thread (uapi/quark/hostcall.h): requests by op (the last slot counts
	 * unknown ops), sleeps ended by the doorbell, completion interrupts, io_uring SQEs,
	 * signal events. Name an op with quark_kvm_hc_op_name. */
	uint64_t hc_calls[QUARK_HC_OP_MAX + 1];
	uint64_t hc_doorbells, hc_irqs, hc_sleeps, hc_uring_sqes, hc_events;
	uint64_t hc_cpu_ns;	/* CPU time of the host-call thread */
	uint64_t hc_lost_irqs;	/* completions not taken in time: vCPU 0 got an NMI */
};

/* quark_kvm_hc_op_name - "NOP", "WRITE"... for a host-call op ("?" when unknown). */
const char *quark_kvm_hc_op_name(unsigned op);

/* quark_kvm_hostcall_mode - how host calls would wait here: "quark.ko" (/dev/quark opens
 * with the ABI and features the VMM needs, and QUARK_KVM_NO_KMOD is not set) or
 * "memfd+eventfd". */
const char *quark_kvm_hostcall_mode(void);

/* quark_kvm_check - open `dev` and check the API version and every capability the VMM
 * needs; the error names the first one missing. *max_vcpus (may be NULL) gets the limit. */
int quark_kvm_check(const char *dev, unsigned *max_vcpus, quark_error_t *err);

/* quark_kvm_create - a VM ready to boot: memory, irqchip, kernel loaded, boot info copied,
 * boot page tables and vCPUs set up. Nothing runs until quark_kvm_run. */
int quark_kvm_create(const struct quark_kvm_opts *o, struct quark_kvm_vm **vm,
		     quark_error_t *err);

/* quark_kvm_run - run until the guest writes the shutdown port (its wait status goes in
 * *wstatus), a vCPU fails (error with a register dump), or the timeout passes (error
 * with a dump of every vCPU). Every vCPU thread has ended when this returns. Once only. */
int quark_kvm_run(struct quark_kvm_vm *vm, int *wstatus, quark_error_t *err);

/* quark_kvm_get_stats - exit counters summed over vCPUs (valid after quark_kvm_run). */
void quark_kvm_get_stats(const struct quark_kvm_vm *vm, struct quark_kvm_stats *st);

/* quark_kvm_exit_name - "IO", "HLT"... for a KVM_EXIT_* value ("?" when unknown). */
const char *quark_kvm_exit_name(unsigned reason);

void quark_kvm_destroy(struct quark_kvm_vm *vm);

#endif
