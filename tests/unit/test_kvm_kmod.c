/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_kvm_kmod.c - the pure parts of the VMM's quark.ko use (userspace/vmm/
 * kvm_kmod.c): the QUARK_KVM_NO_KMOD switch, the ABI check and the memslot layout around
 * the host-call ring. The module itself is tested in the rig (tests/kmod, tests/rig).
 */
#include <stdlib.h>

#include "tap.h"
#include "userspace/vmm/kvm_internal.h"

static void test_disabled(void)
{
	ok(!kvm_kmod_disabled(NULL), "QUARK_KVM_NO_KMOD unset: the module may be used");
	ok(!kvm_kmod_disabled(""), "QUARK_KVM_NO_KMOD=: the module may be used");
	ok(!kvm_kmod_disabled("0"), "QUARK_KVM_NO_KMOD=0: the module may be used");
	ok(kvm_kmod_disabled("1"), "QUARK_KVM_NO_KMOD=1: fallback");
	ok(kvm_kmod_disabled("yes"), "QUARK_KVM_NO_KMOD=yes: fallback");
}

static void test_version(void)
{
	struct quark_version v = { .abi_version = QUARK_ABI_VERSION,
				   .features = QUARK_FEAT_SHM | QUARK_FEAT_DOORBELL | QUARK_FEAT_WAIT |
					       QUARK_FEAT_WAKE };

	ok(kvm_kmod_version_ok(&v), "ABI 1 with SHM, DOORBELL, WAIT and WAKE: used");
	v.features |= QUARK_FEAT_SHM_HUGE;
	ok(kvm_kmod_version_ok(&v), "an extra feature bit does not matter");
	v.features &= ~QUARK_FEAT_WAIT;
	ok(!kvm_kmod_version_ok(&v), "without WAIT: not used");
	v.features |= QUARK_FEAT_WAIT;
	v.features &= ~QUARK_FEAT_WAKE;
	ok(!kvm_kmod_version_ok(&v), "without WAKE (an older module): not used");
	v.features |= QUARK_FEAT_WAKE;
	v.abi_version = QUARK_ABI_VERSION + 1;
	ok(!kvm_kmod_version_ok(&v), "another ABI version: not used");
}

static void test_layout(void)
{
	static char ring[QUARK_KVM_HC_RING_SIZE];
	struct kvm_gmem m = { .base = (uint8_t *)0x7f0000000000ULL, .size = 16 << 20, .fd = -1 };
	struct kvm_userspace_memory_region r[3];
	uint64_t hi = QUARK_KVM_HC_RING + QUARK_KVM_HC_RING_SIZE;
	unsigned n;

	n = kvm_gmem_layout(&m, NULL, r);
	ok(n == 1 && r[0].slot == 0 && r[0].guest_phys_addr == 0 && r[0].memory_size == m.size &&
	   r[0].userspace_addr == 0x7f0000000000ULL, "no ring: one slot over all memory");
	n = kvm_gmem_layout(&m, ring, r);
	ok(n == 3, "with the ring: three slots (%u)", n);
	ok(r[0].slot == 0 && r[0].guest_phys_addr == 0 && r[0].memory_size == QUARK_KVM_HC_RING &&
	   r[0].userspace_addr == 0x7f0000000000ULL, "slot 0: below the ring, from the memfd");
	ok(r[1].slot == 1 && r[1].guest_phys_addr == QUARK_KVM_HC_RING &&
	   r[1].memory_size == QUARK_KVM_HC_RING_SIZE && r[1].userspace_addr == (uintptr_t)ring,
	   "slot 1: the ring, from the shm mapping");
	ok(r[2].slot == 2 && r[2].guest_phys_addr == hi && r[2].memory_size == m.size - hi &&
	   r[2].userspace_addr == 0x7f0000000000ULL + hi,
	   "slot 2: above the ring, the same memfd mapping at the same offset");
	ok(r[0].memory_size + r[1].memory_size + r[2].memory_size == m.size,
	   "the three slots cover guest memory exactly");
	m.size = hi;
	ok(kvm_gmem_layout(&m, ring, r) == 2, "memory ending at the ring: no empty third slot");
	m.size = QUARK_KVM_HC_RING;
	ok(kvm_gmem_layout(&m, ring, r) == 1, "memory too small for the ring: one slot");
}

int main(void)
{
	unsetenv("QUARK_KVM_NO_KMOD");
	test_disabled();
	test_version();
	test_layout();
	tap_plan(tap_n);
	return tap_done();
}
