/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_load.c - put qkernel and its boot info into guest memory.
 *
 * The kernel is an ELF64 ET_EXEC whose PT_LOAD segments carry their physical address in
 * p_paddr and are linked at QUARK_KVM_KERNEL_MAP_BASE + p_paddr, the only mapping of the
 * image the boot page tables provide (uapi/quark/kvm_layout.h).
 */
#include <elf.h>
#include <string.h>

#include "userspace/vmm/bootinfo.h"
#include "userspace/vmm/kvm_internal.h"

#define ELF_MAX_PHNUM	64

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, quark_error_t *err)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return quark_make_error(err, 0, "kernel image: not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_machine != EM_X86_64)
		return quark_make_error(err, 0, "kernel image: not a little-endian x86-64 ELF64");
	if (eh->e_type != ET_EXEC)
		return quark_make_error(err, 0, "kernel image: ELF type %u, want ET_EXEC",
					eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return quark_make_error(err, 0, "kernel image: %u program headers of %u bytes",
					eh->e_phnum, eh->e_phentsize);
	if (eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return quark_make_error(err, 0, "kernel image: program headers past the end");
	return 0;
}

/* One PT_LOAD: inside the file, inside guest memory, above the boot area, and linked
 * where the kernel map will put it. */
static int check_load(const Elf64_Phdr *ph, unsigned i, size_t len, uint64_t limit,
		      quark_error_t *err)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return quark_make_error(err, 0, "kernel image: segment %u: file range out of "
					"bounds", i);
	if (ph->p_paddr < QUARK_KVM_KERNEL_PHYS_MIN || ph->p_memsz > limit ||
	    ph->p_paddr > limit - ph->p_memsz)
		return quark_make_error(err, 0, "kernel image: segment %u: physical %#llx+%#llx "
					"outside [%#llx, %#llx)", i,
					(unsigned long long)ph->p_paddr,
					(unsigned long long)ph->p_memsz,
					QUARK_KVM_KERNEL_PHYS_MIN, (unsigned long long)limit);
	if (ph->p_vaddr != QUARK_KVM_KERNEL_MAP_BASE + ph->p_paddr)
		return quark_make_error(err, 0, "kernel image: segment %u: linked at %#llx, "
					"want kernel map base + p_paddr = %#llx", i,
					(unsigned long long)ph->p_vaddr,
					QUARK_KVM_KERNEL_MAP_BASE + ph->p_paddr);
	return 0;
}

/* Program header i, copied out: the image need not be aligned for Elf64_Phdr. */
static Elf64_Phdr phdr(const void *image, const Elf64_Ehdr *eh, unsigned i)
{
	Elf64_Phdr ph;

	memcpy(&ph, (const char *)image + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

static bool entry_in_text(const Elf64_Phdr *ph, uint64_t entry)
{
	return (ph->p_flags & PF_X) && entry >= ph->p_vaddr && entry - ph->p_vaddr < ph->p_memsz;
}

int kvm_load_elf(const struct kvm_gmem *m, const void *image, size_t len, uint64_t *entry,
		 quark_error_t *err)
{
	uint64_t limit = m->size < QUARK_KVM_KERNEL_MAP_SIZE ? m->size : QUARK_KVM_KERNEL_MAP_SIZE;
	bool entry_ok = false;
	unsigned loads = 0;
	Elf64_Ehdr eh;
	int ret;

	/* TRUST: the image is a file; every field below is checked before it sizes a copy. */
	memset(&eh, 0, sizeof(eh));
	if (len >= sizeof(eh))
		memcpy(&eh, image, sizeof(eh));
	ret = check_ehdr(&eh, len, err);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(image, &eh, i);
		uint8_t *dst;

		if (ph.p_type != PT_LOAD)
			continue;
		ret = check_load(&ph, i, len, limit, err);
		if (ret < 0)
			return ret;
		dst = gmem_ptr(m, ph.p_paddr, ph.p_memsz);	/* in range: check_load */
		memcpy(dst, (const char *)image + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		entry_ok |= entry_in_text(&ph, eh.e_entry);
		loads++;
	}
	if (!loads)
		return quark_make_error(err, 0, "kernel image: no PT_LOAD segment");
	if (!entry_ok)
		return quark_make_error(err, 0, "kernel image: entry %#llx is not in an "
					"executable segment", (unsigned long long)eh.e_entry);
	*entry = eh.e_entry;
	return 0;
}

int kvm_load_boot_info(const struct kvm_gmem *m, const void *blob, size_t len,
		       quark_error_t *err)
{
	void *dst;
	int ret;

	ret = quark_boot_validate(blob, len, err);
	if (ret < 0)
		return ret;
	/* validate bounds len by QUARK_BOOT_MAX_SIZE, which is the room the layout leaves. */
	_Static_assert(QUARK_KVM_BOOT_INFO + QUARK_BOOT_MAX_SIZE <= QUARK_KVM_KERNEL_PHYS_MIN,
		       "boot info overlaps the kernel");
	dst = gmem_ptr(m, QUARK_KVM_BOOT_INFO, len);
	if (!dst)
		return quark_make_error(err, 0, "boot info does not fit in guest memory");
	memcpy(dst, blob, len);
	return 0;
}
