/* SPDX-License-Identifier: MIT */
/*
 * tests/kvm/test_kvm_boot.c - the VMM's pure parts on plain memory, no /dev/kvm needed:
 * gmem_ptr bounds, the ELF loader's checks, the boot page tables (walked like the MMU
 * would), the boot GDT, the boot info copy. Usage: test_kvm_boot [kvm-bootimg.elf]
 * (the real boot image must pass the loader too).
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "userspace/vmm/bootinfo.h"
#include "userspace/vmm/kvm_internal.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static struct kvm_gmem test_mem(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return (struct kvm_gmem){ .base = p == MAP_FAILED ? NULL : p, .size = size, .fd = -1 };
}

static void free_mem(struct kvm_gmem *m)
{
	munmap(m->base, m->size);
}

static void test_gmem_ptr(void)
{
	static const struct { uint64_t gpa, len; int valid; } rows[] = {
		{ 0, 0, 1 }, { 0, 64 * MIB, 1 }, { 64 * MIB, 0, 1 }, { 64 * MIB - 1, 1, 1 },
		{ 64 * MIB, 1, 0 }, { 64 * MIB - 1, 2, 0 }, { 0, 64 * MIB + 1, 0 },
		{ UINT64_MAX, 1, 0 }, { 1, UINT64_MAX, 0 }, { UINT64_MAX, UINT64_MAX, 0 },
	};
	struct kvm_gmem m = { .base = (uint8_t *)0x10000, .size = 64 * MIB, .fd = -1 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t *p = gmem_ptr(&m, rows[i].gpa, rows[i].len);

		ok(rows[i].valid ? p == m.base + rows[i].gpa : p == NULL,
		   "gmem_ptr(%#llx, %#llx) %s", (unsigned long long)rows[i].gpa,
		   (unsigned long long)rows[i].len, rows[i].valid ? "valid" : "NULL");
	}
}

/* What the MMU would do with the boot tables: the physical address of va, or -1. */
static int64_t walk(const struct kvm_gmem *m, uint64_t va)
{
	uint64_t table = QUARK_KVM_BOOT_PML4, e = 0;
	int shifts[] = { 39, 30, 21 };

	for (int l = 0; l < 3; l++) {
		const uint64_t *t = gmem_ptr(m, table, 4096);

		if (!t)
			return -1;
		e = t[(va >> shifts[l]) & 511];
		if (!(e & 1))
			return -1;
		if (l == 2)
			return (int64_t)((e & ~0x1fffffULL & 0xffffffffff000ULL) + (va & 0x1fffff));
		if (e & 0x80)
			return -1;	/* 1 GiB pages: our tables never make them */
		table = e & 0xffffffffff000ULL;
	}
	return -1;
}

static void test_tables(uint64_t size)
{
	struct kvm_gmem m = test_mem(size);
	quark_error_t err = NULL;
	uint64_t klimit = size < GIB ? size : GIB;
	uint64_t gdt[5];
	int good = 1;

	ok(kvm_x86_build_tables(&m, &err) == 0, "%llu MiB: boot tables built",
	   (unsigned long long)(size / MIB));
	for (uint64_t pa = 0; pa < size; pa += 2 * MIB) {
		good &= walk(&m, QUARK_KVM_DIRECT_MAP_BASE + pa) == (int64_t)pa;
		good &= walk(&m, QUARK_KVM_DIRECT_MAP_BASE + pa + 2 * MIB - 1) ==
			(int64_t)(pa + 2 * MIB - 1);
	}
	ok(good, "direct map covers every 2 MiB page");
	ok(walk(&m, QUARK_KVM_DIRECT_MAP_BASE + size) == -1, "nothing mapped past memory");
	ok(walk(&m, QUARK_KVM_KERNEL_MAP_BASE + 0x200123) == 0x200123 &&
	   walk(&m, QUARK_KVM_KERNEL_MAP_BASE + klimit - 1) == (int64_t)(klimit - 1) &&
	   walk(&m, QUARK_KVM_KERNEL_MAP_BASE + klimit) == -1, "kernel map: first %llu MiB",
	   (unsigned long long)(klimit / MIB));
	ok(walk(&m, 0x1234) == 0x1234 && walk(&m, klimit - 1) == (int64_t)(klimit - 1) &&
	   walk(&m, klimit) == -1, "identity map: first %llu MiB", (unsigned long long)(klimit / MIB));
	memcpy(gdt, gmem_ptr(&m, QUARK_KVM_BOOT_GDT, sizeof(gdt)), sizeof(gdt));
	ok(gdt[0] == 0 && gdt[1] == 0x00af9b000000ffffULL && gdt[2] == 0x00cf93000000ffffULL,
	   "boot GDT: null, code64, data");
	ok(((gdt[3] >> 16) & 0xffffff) + (((gdt[3] >> 56) & 0xff) << 24) + (gdt[4] << 32) ==
	   QUARK_KVM_DIRECT_MAP_BASE + QUARK_KVM_BOOT_TSS && ((gdt[3] >> 40) & 0xff) == 0x8b,
	   "boot GDT: busy TSS at its direct-map address");
	quark_error_release(&err);
	free_mem(&m);
}

static void test_tables_bad_size(void)
{
	static const uint64_t sizes[] = { 3 * GIB + 2 * MIB, 64 * MIB + 4096, MIB };
	quark_error_t err = NULL;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct kvm_gmem m = { .base = NULL, .size = sizes[i], .fd = -1 };

		ok(kvm_x86_build_tables(&m, &err) < 0 && contains(err->msg, "guest memory"),
		   "boot tables refuse %#llx bytes of memory", (unsigned long long)sizes[i]);
		quark_error_release(&err);
	}
}

/* A one-segment kernel: code at physical 2 MiB, 0x100 bytes in the file, 0x1000 in memory. */
struct tiny_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[0x100];
};

static void tiny_elf(struct tiny_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = QUARK_KVM_KERNEL_MAP_BASE + 0x200010;
	e->eh.e_phoff = offsetof(struct tiny_elf, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			      .p_offset = offsetof(struct tiny_elf, code),
			      .p_vaddr = QUARK_KVM_KERNEL_MAP_BASE + 0x200000, .p_paddr = 0x200000,
			      .p_filesz = sizeof(e->code), .p_memsz = 0x1000 };
	memset(e->code, 0xcc, sizeof(e->code));
}

static void mut_magic(struct tiny_elf *e) { e->eh.e_ident[1] = 'X'; }
static void mut_class(struct tiny_elf *e) { e->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void mut_machine(struct tiny_elf *e) { e->eh.e_machine = EM_AARCH64; }
static void mut_dyn(struct tiny_elf *e) { e->eh.e_type = ET_DYN; }
static void mut_phnum0(struct tiny_elf *e) { e->eh.e_phnum = 0; }
static void mut_phnum_big(struct tiny_elf *e) { e->eh.e_phnum = 65; }
static void mut_phoff(struct tiny_elf *e) { e->eh.e_phoff = sizeof(*e) - 8; }
static void mut_phoff_wrap(struct tiny_elf *e) { e->eh.e_phoff = UINT64_MAX - 8; }
static void mut_filesz(struct tiny_elf *e) { e->ph.p_filesz = 0x2000; }
static void mut_offset(struct tiny_elf *e) { e->ph.p_offset = sizeof(*e) - 0x80; }
static void mut_offset_wrap(struct tiny_elf *e) { e->ph.p_offset = UINT64_MAX - 0x10; }
static void mut_low(struct tiny_elf *e)
{
	e->ph.p_paddr = 0x100000;
	e->ph.p_vaddr = QUARK_KVM_KERNEL_MAP_BASE + 0x100000;
}
static void mut_high(struct tiny_elf *e)
{
	e->ph.p_paddr = 64 * MIB - 0x800;
	e->ph.p_vaddr = QUARK_KVM_KERNEL_MAP_BASE + e->ph.p_paddr;
}
static void mut_memsz_wrap(struct tiny_elf *e) { e->ph.p_memsz = UINT64_MAX - 0x100000; }
static void mut_vaddr(struct tiny_elf *e) { e->ph.p_vaddr = 0x200000; }
static void mut_entry(struct tiny_elf *e) { e->eh.e_entry = QUARK_KVM_KERNEL_MAP_BASE + 0x201000; }
static void mut_noexec(struct tiny_elf *e) { e->ph.p_flags = PF_R; }
static void mut_noload(struct tiny_elf *e) { e->ph.p_type = PT_NOTE; }

static void test_elf(void)
{
	static const struct { const char *name; void (*mut)(struct tiny_elf *); size_t len;
			      const char *err; } rows[] = {
		{ "bad magic", mut_magic, 0, "not an ELF" },
		{ "ELF32", mut_class, 0, "not a little-endian x86-64" },
		{ "aarch64", mut_machine, 0, "not a little-endian x86-64" },
		{ "ET_DYN", mut_dyn, 0, "want ET_EXEC" },
		{ "no phdrs", mut_phnum0, 0, "program headers" },
		{ "65 phdrs", mut_phnum_big, 0, "program headers" },
		{ "phdrs past the end", mut_phoff, 0, "past the end" },
		{ "phoff wraps", mut_phoff_wrap, 0, "past the end" },
		{ "filesz > memsz", mut_filesz, 0, "file range" },
		{ "segment past the file", mut_offset, 0, "file range" },
		{ "offset wraps", mut_offset_wrap, 0, "file range" },
		{ "segment below 2 MiB", mut_low, 0, "outside" },
		{ "segment past memory", mut_high, 0, "outside" },
		{ "memsz wraps", mut_memsz_wrap, 0, "outside" },
		{ "vaddr != base + paddr", mut_vaddr, 0, "want kernel map base" },
		{ "entry outside the segment", mut_entry, 0, "not in an executable" },
		{ "entry in a non-X segment", mut_noexec, 0, "not in an executable" },
		{ "no PT_LOAD", mut_noload, 0, "no PT_LOAD" },
		{ "truncated header", NULL, 40, "not an ELF" },
	};
	struct kvm_gmem m = test_mem(64 * MIB);
	quark_error_t err = NULL;
	struct tiny_elf e;
	uint64_t entry = 0;
	const uint8_t *p;

	tiny_elf(&e);
	memset(gmem_ptr(&m, 0x200000, 0x1000), 0xaa, 0x1000);
	ok(kvm_load_elf(&m, &e, sizeof(e), &entry, &err) == 0 &&
	   entry == QUARK_KVM_KERNEL_MAP_BASE + 0x200010, "valid ELF loads, entry returned");
	p = gmem_ptr(&m, 0x200000, 0x1000);
	ok(p[0] == 0xcc && p[0xff] == 0xcc && p[0x100] == 0 && p[0xfff] == 0,
	   "file bytes copied to p_paddr, the rest zeroed");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tiny_elf(&e);
		if (rows[i].mut)
			rows[i].mut(&e);
		ok(kvm_load_elf(&m, &e, rows[i].len ? rows[i].len : sizeof(e), &entry, &err) < 0 &&
		   contains(err->msg, rows[i].err), "ELF rejected: %s", rows[i].name);
		quark_error_release(&err);
	}
	free_mem(&m);
}

static void test_boot_info(void)
{
	char *args[] = { "/init", NULL };
	struct quark_boot_params p = { .mem_size = 64 * MIB, .ncpus = 2, .rootfs_fd = 0,
				       .log_fd = -1, .args = args, .argc = 1, .cwd = "/" };
	struct kvm_gmem m = test_mem(64 * MIB);
	quark_error_t err = NULL;
	void *blob = NULL;
	size_t len = 0;

	quark_boot_serialize(&p, &blob, &len, &err);
	ok(kvm_load_boot_info(&m, blob, len, &err) == 0 &&
	   !memcmp(gmem_ptr(&m, QUARK_KVM_BOOT_INFO, len), blob, len),
	   "boot info copied to QUARK_KVM_BOOT_INFO");
	((struct quark_boot_info *)blob)->magic ^= 1;
	ok(kvm_load_boot_info(&m, blob, len, &err) < 0, "bad boot info refused");
	quark_error_release(&err);
	free(blob);
	free_mem(&m);
}

static void test_real_image(const char *path)
{
	struct kvm_gmem m = test_mem(64 * MIB);
	quark_error_t err = NULL;
	uint64_t entry = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *img = MAP_FAILED;

	if (fd >= 0 && fstat(fd, &st) == 0)
		img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!ok(img != MAP_FAILED && kvm_load_elf(&m, img, st.st_size, &entry, &err) == 0,
		"%s passes the loader", path))
		diag("%s", err ? err->msg : "cannot read it");
	else
		diag("entry %#llx", (unsigned long long)entry);
	quark_error_release(&err);
	if (fd >= 0)
		close(fd);
	free_mem(&m);
}

int main(int argc, char **argv)
{
	test_gmem_ptr();
	test_tables(64 * MIB);
	test_tables(GIB + 2 * MIB);
	test_tables(QUARK_KVM_MEM_MAX);
	test_tables_bad_size();
	test_elf();
	test_boot_info();
	if (argc > 1)
		test_real_image(argv[1]);
	tap_plan(tap_n);	/* TAP allows the plan at the end */
	return tap_done();
}
