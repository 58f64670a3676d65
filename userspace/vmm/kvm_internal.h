/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_internal.h - what the kvm*.c files share. The pure parts (guest memory bounds,
 * ELF loading, boot tables) take a struct kvm_gmem so host unit tests can run them on
 * plain memory, without /dev/kvm.
 */
#ifndef QUARK_VMM_KVM_INTERNAL_H
#define QUARK_VMM_KVM_INTERNAL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

#include "quark/hostcall.h"
#include "quark/kvm_layout.h"
#include "quark/quark_dev.h"
#include "userspace/vmm/kvm.h"

/* Guest physical memory [0, size) mapped at base in the VMM. */
struct kvm_gmem {
	uint8_t *base;
	uint64_t size;
	int fd;			/* the memfd behind it, -1 for test memory */
};

/* gmem_ptr - the host address of guest physical [gpa, gpa + len), or NULL when any byte of
 * it lies outside guest memory. The only way the VMM turns a guest address into a pointer. */
void *gmem_ptr(const struct kvm_gmem *m, uint64_t gpa, uint64_t len);

int kvm_gmem_create(struct kvm_gmem *m, uint64_t size, quark_error_t *err);
/* kvm_gmem_add_slot - give the memory to KVM: one memslot, or, with `ring` (the quark.ko
 * shm), the three of kvm_gmem_layout. */
int kvm_gmem_add_slot(const struct kvm_gmem *m, const void *ring, int vm_fd, quark_error_t *err);
/* kvm_gmem_layout - the memslots: [0, size) from the memfd mapping, or with `ring`:
 * [0, HC_RING) and [HC_RING + HC_RING_SIZE, size) from it around the ring's own slot
 * (userspace_addr = ring). Returns how many of r[] it filled (1-3). Pure. */
unsigned kvm_gmem_layout(const struct kvm_gmem *m, const void *ring,
			 struct kvm_userspace_memory_region r[3]);

/* quark.ko (kvm_kmod.c): the ring in a CREATE_SHM region, the host-call thread in WAIT. */
struct kvm_kmod {
	int dev_fd;		/* /dev/quark context, -1: not in use (memfd+eventfd) */
	int shm_fd;		/* QUARK_IOC_CREATE_SHM fd, QUARK_KVM_HC_RING_SIZE bytes */
	void *ring;		/* its MAP_SHARED mapping (zeroed by the module) */
};
/* kvm_kmod_disabled - QUARK_KVM_NO_KMOD's value (NULL: unset) forces the fallback:
 * anything but unset, "" or "0". Pure. */
bool kvm_kmod_disabled(const char *env);
/* kvm_kmod_version_ok - the ABI this VMM speaks, with SHM, DOORBELL and WAIT. Pure. */
bool kvm_kmod_version_ok(const struct quark_version *v);
/* kvm_kmod_open - open /dev/quark, check it, create and map the ring's shm: 0, or -1
 * with *why saying why the VMM falls back (not an error: the module is optional). */
int kvm_kmod_open(struct kvm_kmod *k, const char **why);
/* kvm_kmod_bind - QUARK_IOC_BIND_DOORBELL: `eventfd` with the ring's pending and
 * host_sleeping words. */
int kvm_kmod_bind(const struct kvm_kmod *k, int eventfd, quark_error_t *err);
void kvm_kmod_close(struct kvm_kmod *k);
void kvm_gmem_destroy(struct kvm_gmem *m);

/* kvm_load_elf - check the ELF64 image against guest memory and copy its PT_LOAD segments
 * to their physical addresses; *entry gets e_entry. */
int kvm_load_elf(const struct kvm_gmem *m, const void *image, size_t len, uint64_t *entry,
		 quark_error_t *err);
/* kvm_load_boot_info - validate the blob and copy it to QUARK_KVM_BOOT_INFO. */
int kvm_load_boot_info(const struct kvm_gmem *m, const void *blob, size_t len,
		       quark_error_t *err);

/* Arch (x86-64) boot state, kvm_x86.c. */
int kvm_x86_build_tables(const struct kvm_gmem *m, quark_error_t *err);
uint64_t kvm_x86_stack_top(unsigned vcpu);
int kvm_x86_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out, quark_error_t *err);
int kvm_x86_vcpu_init(int vcpu_fd, unsigned id, const struct kvm_cpuid2 *cpuid,
		      quark_error_t *err);
int kvm_x86_vcpu_boot(int vcpu_fd, unsigned id, uint64_t entry, quark_error_t *err);

struct kvm_vcpu {
	struct quark_kvm_vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_live;
	bool start_requested;	/* AP: the BSP asked for it (under vm->lock) */
	bool nmi_request;	/* kvm_vcpus_nmi: inject one (atomic) */
	char line[256];		/* console bytes up to the next newline */
	size_t line_len;
	uint64_t exits[QUARK_KVM_EXIT_SLOTS];
};

struct hc_server;

struct quark_kvm_vm {
	int kvm_fd, vm_fd;
	size_t run_size;	/* bytes of each vCPU's kvm_run mapping */
	struct kvm_gmem mem;
	struct kvm_cpuid2 *cpuid;
	uint64_t entry;
	int console_fd;
	unsigned timeout_ms;
	unsigned ncpus;
	struct kvm_vcpu *vcpus;

	/* The host-call ring (hostcall.c): doorbell ioeventfd, completion irqfd, the guest's
	 * host fds (a copy) and signalfd, the server while the VM runs, its final counters. */
	int hc_doorbell_fd, hc_irq_fd, hc_signal_fd;
	int *hc_fds;
	size_t hc_nfds;
	struct quark_hc_ring *hc_ring;	/* in guest memory or quark.ko's shm */
	struct hc_server *hc;
	struct kvm_kmod kmod;	/* dev_fd -1: memfd+eventfd */
	struct quark_kvm_stats hc_stats;	/* only the hc_* fields */

	pthread_mutex_t lock;	/* guards the fields below and vcpu->start_requested */
	pthread_cond_t cond;	/* stop, AP start */
	bool stopping, ran;
	bool have_status;
	int wstatus;
	quark_error_t err;	/* the first failure of any vCPU */
};

/* vCPUs, kvm_cpu.c. */
int kvm_vcpu_create(struct quark_kvm_vm *vm, struct kvm_vcpu *vcpu, unsigned id,
		    quark_error_t *err);
void kvm_vcpu_destroy(struct kvm_vcpu *vcpu);
uint64_t kvm_vcpu_kernel_exits(const struct kvm_vcpu *vcpu);	/* KVM's stats, 0: none */
int kvm_vcpus_start(struct quark_kvm_vm *vm, quark_error_t *err);
void kvm_vcpus_stop(struct quark_kvm_vm *vm);
void kvm_vcpus_nmi(struct quark_kvm_vm *vm);	/* each running vCPU gets an NMI */
void kvm_vcpu0_wake(void *vm);		/* an NMI into vCPU 0 (a lost interrupt) */

/* VM-wide stop, kvm.c: the first cause wins (a status, or an error that is consumed). */
void kvm_vm_stop_status(struct quark_kvm_vm *vm, int wstatus);
void kvm_vm_stop_error(struct quark_kvm_vm *vm, quark_error_t *err);

/* Dumps, kvm_dump.c: a malloc'ed multi-line text of vCPU state (never NULL). */
char *kvm_vcpu_dump(const struct kvm_vcpu *vcpu);

#endif
