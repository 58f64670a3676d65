/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_mem.c - guest physical memory: one memfd, mapped once in the VMM and given to
 * KVM as memslot 0 (or, with quark.ko, as slots 0 and 2 around the host-call ring's own
 * slot 1: kvm_gmem_layout). A memfd (not anonymous memory) so that the host-call server and, on
 * the ptrace platform, the stubs can map the same pages.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/vmm/kvm_internal.h"

void *gmem_ptr(const struct kvm_gmem *m, uint64_t gpa, uint64_t len)
{
	/* Written so that no sum can wrap: gpa and len may be anything a guest chose. */
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}

int kvm_gmem_create(struct kvm_gmem *m, uint64_t size, quark_error_t *err)
{
	cleanup_close int fd = memfd_create("quark-guest-mem", MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		return quark_make_error(err, errno, "memfd_create for guest memory");
	/* Sparse: pages are allocated when the guest first touches them. */
	if (ftruncate(fd, (off_t)size) < 0)
		return quark_make_error(err, errno, "size guest memory to %llu MiB",
					(unsigned long long)(size >> 20));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return quark_make_error(err, errno, "map %llu MiB of guest memory",
					(unsigned long long)(size >> 20));
	m->base = p;
	m->size = size;
	m->fd = steal_fd(&fd);
	return 0;
}

int kvm_gmem_add_slot(const struct kvm_gmem *m, const void *ring, int vm_fd, quark_error_t *err)
{
	struct kvm_userspace_memory_region r[3];
	unsigned n = kvm_gmem_layout(m, ring, r);

	for (unsigned i = 0; i < n; i++)
		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r[i]) < 0)
			return quark_make_error(err, errno, "KVM_SET_USER_MEMORY_REGION (slot %u: "
						"%llu KiB at %#llx)", r[i].slot,
						(unsigned long long)(r[i].memory_size >> 10),
						(unsigned long long)r[i].guest_phys_addr);
	return 0;
}

void kvm_gmem_destroy(struct kvm_gmem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->fd = -1;
}
