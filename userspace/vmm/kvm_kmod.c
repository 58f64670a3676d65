/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_kmod.c - quark.ko (/dev/quark, uapi/quark/quark_dev.h) for the host-call ring:
 * when the module is there, the ring lives in a QUARK_IOC_CREATE_SHM region (pinned pages,
 * its own memslot) and the host-call thread sleeps in QUARK_IOC_WAIT. Without it (or with
 * QUARK_KVM_NO_KMOD=1) the VMM does what it always did: the ring in the memfd, poll(2) on
 * the doorbell eventfd. The module is an optimisation, never a requirement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "quark/quark_dev.h"
#include "userspace/util/cleanup.h"
#include "userspace/vmm/kvm_internal.h"

#define KMOD_FEATURES	(QUARK_FEAT_SHM | QUARK_FEAT_DOORBELL | QUARK_FEAT_WAIT | QUARK_FEAT_WAKE)

bool kvm_kmod_disabled(const char *env)
{
	return env && *env && strcmp(env, "0") != 0;
}

bool kvm_kmod_version_ok(const struct quark_version *v)
{
	return v->abi_version == QUARK_ABI_VERSION && (v->features & KMOD_FEATURES) == KMOD_FEATURES;
}

/* Open /dev/quark and check its ABI: the fd, or -1 with *why set. */
static int kmod_dev_open(const char **why)
{
	cleanup_close int fd = -1;
	struct quark_version v = { 0 };

	if (kvm_kmod_disabled(getenv("QUARK_KVM_NO_KMOD"))) {
		*why = "QUARK_KVM_NO_KMOD is set";
		return -1;
	}
	fd = open("/dev/" QUARK_DEV_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ENOENT ? "no /dev/quark" : "/dev/quark does not open";
		return -1;
	}
	if (ioctl(fd, QUARK_IOC_GET_VERSION, &v) < 0 || !kvm_kmod_version_ok(&v)) {
		*why = "/dev/quark has another ABI or lacks SHM, DOORBELL, WAIT or WAKE";
		return -1;
	}
	return steal_fd(&fd);
}

const char *quark_kvm_hostcall_mode(void)
{
	const char *why = NULL;
	int fd = kmod_dev_open(&why);

	if (fd < 0)
		return "memfd+eventfd";
	close(fd);
	return "quark.ko";
}

int kvm_kmod_open(struct kvm_kmod *k, const char **why)
{
	struct quark_create_shm cs = { .size = QUARK_KVM_HC_RING_SIZE };
	void *p;

	k->dev_fd = k->shm_fd = -1;
	k->ring = NULL;
	k->dev_fd = kmod_dev_open(why);
	if (k->dev_fd < 0)
		return -1;
	if (ioctl(k->dev_fd, QUARK_IOC_CREATE_SHM, &cs) < 0) {
		*why = "QUARK_IOC_CREATE_SHM failed";
		goto close_dev;
	}
	k->shm_fd = cs.fd;
	p = mmap(NULL, QUARK_KVM_HC_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, k->shm_fd, 0);
	if (p == MAP_FAILED) {
		*why = "mmap of the quark.ko shm failed";
		goto close_shm;
	}
	k->ring = p;
	return 0;

close_shm:
	close(k->shm_fd);
	k->shm_fd = -1;
close_dev:
	close(k->dev_fd);
	k->dev_fd = -1;
	return -1;
}

int kvm_kmod_bind(const struct kvm_kmod *k, int eventfd, quark_error_t *err)
{
	struct quark_bind_doorbell b = {
		.eventfd = eventfd, .shm_fd = k->shm_fd,
		.pending_off = offsetof(struct quark_hc_ring, pending),
		.sleeping_off = offsetof(struct quark_hc_ring, host_sleeping),
	};

	if (ioctl(k->dev_fd, QUARK_IOC_BIND_DOORBELL, &b) < 0)
		return quark_make_error(err, errno, "quark.ko: QUARK_IOC_BIND_DOORBELL (eventfd %d, "
					"shm fd %d)", eventfd, k->shm_fd);
	return 0;
}

void kvm_kmod_close(struct kvm_kmod *k)
{
	if (k->ring)
		munmap(k->ring, QUARK_KVM_HC_RING_SIZE);
	if (k->shm_fd >= 0)
		close(k->shm_fd);
	if (k->dev_fd >= 0)
		close(k->dev_fd);
	k->ring = NULL;
	k->shm_fd = k->dev_fd = -1;
}

unsigned kvm_gmem_layout(const struct kvm_gmem *m, const void *ring,
			 struct kvm_userspace_memory_region r[3])
{
	uint64_t base = (uint64_t)(uintptr_t)m->base, hi = QUARK_KVM_HC_RING + QUARK_KVM_HC_RING_SIZE;

	if (!ring || m->size < hi) {
		r[0] = (struct kvm_userspace_memory_region){
			.slot = 0, .memory_size = m->size, .userspace_addr = base };
		return 1;
	}
	/* The hole's bytes in the memfd mapping stay, unused: gmem_ptr keeps one formula. */
	r[0] = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = QUARK_KVM_HC_RING,
		.userspace_addr = base };
	r[1] = (struct kvm_userspace_memory_region){
		.slot = 1, .guest_phys_addr = QUARK_KVM_HC_RING, .memory_size = QUARK_KVM_HC_RING_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)ring };
	r[2] = (struct kvm_userspace_memory_region){
		.slot = 2, .guest_phys_addr = hi, .memory_size = m->size - hi,
		.userspace_addr = base + hi };
	return r[2].memory_size ? 3 : 2;
}
