/*
 * tests/unit/test_elf.c - table-driven tests of qkernel's ELF checks (guest/kernel/elf.c,
 * linked as compiled with qkernel's flags): elf_check_header on crafted headers, then
 * elf_load_span on crafted program headers, then both on real binaries of this machine
 * (Debian's busybox-static, the ptrace stub, a PIE, the dynamic loader) when present.
 */
#include <qk/elf.h>
#include <qk/mm.h>
#include "tap.h"

#include <errno.h>
#include <unistd.h>

/* ---- elf_check_header: a valid static executable with one field changed ---- */

enum field { NONE, MAG1, CLASS, DATA, VERSION, OSABI, TYPE, MACHINE, PHENTSIZE, PHNUM };

static const struct {
	const char *name;
	enum field field;
	unsigned value;
	int want;
} header_rows[] = {
	{ "valid static executable (ET_EXEC)", NONE, 0, 0 },
	{ "valid PIE or static-PIE (ET_DYN)", TYPE, ET_DYN, 0 },
	{ "one program header", PHNUM, 1, 0 },
	{ "128 program headers", PHNUM, 128, 0 },
	{ "EI_OSABI GNU/Linux is ignored", OSABI, ELFOSABI_LINUX, 0 },
	{ "EI_VERSION is ignored (as Linux does)", VERSION, 0, 0 },
	{ "bad magic", MAG1, 'e', -ENOEXEC },
	{ "32-bit class", CLASS, ELFCLASS32, -ENOEXEC },
	{ "no class", CLASS, ELFCLASSNONE, -ENOEXEC },
	{ "big endian", DATA, ELFDATA2MSB, -ENOEXEC },
	{ "i386 machine", MACHINE, EM_386, -ENOEXEC },
	{ "aarch64 machine", MACHINE, EM_AARCH64, -ENOEXEC },
	{ "relocatable object (ET_REL)", TYPE, ET_REL, -ENOEXEC },
	{ "core file (ET_CORE)", TYPE, ET_CORE, -ENOEXEC },
	{ "no type (ET_NONE)", TYPE, ET_NONE, -ENOEXEC },
	{ "e_phentsize of Elf32_Phdr", PHENTSIZE, sizeof(Elf32_Phdr), -ENOEXEC },
	{ "e_phentsize one too big", PHENTSIZE, sizeof(Elf64_Phdr) + 1, -ENOEXEC },
	{ "e_phentsize 0", PHENTSIZE, 0, -ENOEXEC },
	{ "no program headers", PHNUM, 0, -ENOEXEC },
	{ "129 program headers", PHNUM, ELF_MAX_PHNUM + 1, -ENOEXEC },
	{ "PN_XNUM program headers", PHNUM, 0xffff, -ENOEXEC },
};

static void test_headers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(header_rows); i++) {
		Elf64_Ehdr eh = {
			.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
				     EV_CURRENT, ELFOSABI_NONE },
			.e_type = ET_EXEC,
			.e_machine = EM_X86_64,
			.e_version = EV_CURRENT,
			.e_entry = 0x401000,
			.e_phoff = sizeof(Elf64_Ehdr),
			.e_ehsize = sizeof(Elf64_Ehdr),
			.e_phentsize = sizeof(Elf64_Phdr),
			.e_phnum = 4,
		};
		unsigned v = header_rows[i].value;
		int got;

		switch (header_rows[i].field) {
		case NONE: break;
		case MAG1: eh.e_ident[EI_MAG1] = v; break;
		case CLASS: eh.e_ident[EI_CLASS] = v; break;
		case DATA: eh.e_ident[EI_DATA] = v; break;
		case VERSION: eh.e_ident[EI_VERSION] = v; break;
		case OSABI: eh.e_ident[EI_OSABI] = v; break;
		case TYPE: eh.e_type = v; break;
		case MACHINE: eh.e_machine = v; break;
		case PHENTSIZE: eh.e_phentsize = v; break;
		case PHNUM: eh.e_phnum = v; break;
		}
		got = elf_check_header(&eh);
		ok(got == header_rows[i].want, "header: %s -> %d (want %d)", header_rows[i].name, got,
		   header_rows[i].want);
	}
}

/* ---- elf_load_span: crafted program headers ---- */

#define LOAD(vaddr, off, filesz, memsz) \
	{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = (off), .p_vaddr = (vaddr), \
	  .p_paddr = (vaddr), .p_filesz = (filesz), .p_memsz = (memsz), .p_align = 0x1000 }
#define SEG(type, vaddr, off, filesz, memsz) \
	{ .p_type = (type), .p_offset = (off), .p_vaddr = (vaddr), .p_filesz = (filesz), \
	  .p_memsz = (memsz) }
#define HALF		(TASK_SIZE / 2)
#define WRAPPED		0xfffffffffffff000UL	/* + 0x2000 wraps around */
#define SPAN(name, lo, hi, ...)	{ name, { __VA_ARGS__ }, 0, lo, hi, NULL }
#define NOSPAN(name, ...)	{ name, { __VA_ARGS__ }, -ENOEXEC, 0, 0, NULL }

static const struct {
	const char *name;
	Elf64_Phdr ph[5];	/* up to the first p_type == 0 (PT_NULL) */
	int want;
	uaddr_t lo, hi;
	const char *todo;	/* a reported bug */
} span_rows[] = {
	SPAN("one segment", 0x401000, 0x402800, LOAD(0x401000, 0x1000, 0x800, 0x1800)),
	SPAN("static executable: headers, text, rodata, data + bss", 0x400000, 0x5ebb58,
	     LOAD(0x400000, 0, 0x6e0, 0x6e0), LOAD(0x401000, 0x1000, 0x183989, 0x183989),
	     LOAD(0x585000, 0x185000, 0x55017, 0x55017),
	     LOAD(0x5db708, 0x1da708, 0x9008, 0x10450)),
	SPAN("static PIE linked at 0", 0, 0xac30,
	     LOAD(0, 0, 0x8000, 0x8000), LOAD(0x9c30, 0x8c30, 0x400, 0x1000)),
	SPAN("the lowest p_vaddr is rounded down to a page, p_vaddr + p_memsz is not rounded",
	     0x400000, 0x400143, LOAD(0x400123, 0x123, 0x10, 0x20)),
	SPAN("other segment types are ignored, however odd", 0x400000, 0x401000,
	     SEG(PT_PHDR, 0x400040, 0x40, 0x118, 0x118), SEG(PT_NOTE, 0x123, 0x456, 0x100, 0x10),
	     SEG(PT_GNU_STACK, 0, 0, 0, 0), LOAD(0x400000, 0, 0x1000, 0x1000),
	     SEG(PT_TLS, 0x5000000, 0x1, 0x10, 0x20)),
	SPAN("segments out of order and overlapping", 0x400000, 0x580000,
	     LOAD(0x500000, 0x100000, 0x1000, 0x1000), LOAD(0x400000, 0, 0x180000, 0x180000)),
	SPAN("above TASK_SIZE is left to exec, which checks after the PIE bias (the stub)",
	     TASK_SIZE, TASK_SIZE + 0x1080,
	     LOAD(TASK_SIZE, 0, 0xe8, 0xe8), LOAD(TASK_SIZE + 0x1000, 0x1000, 0x80, 0x80)),
	SPAN("a span of exactly TASK_SIZE / 2", 0, HALF, LOAD(0, 0, 0x1000, HALF)),
	NOSPAN("p_filesz > p_memsz",
	       LOAD(0x400000, 0, 0x1000, 0x1000), LOAD(0x401000, 0x1000, 0x2001, 0x2000)),
	NOSPAN("p_offset not congruent to p_vaddr modulo the page",
	       LOAD(0x400000, 0, 0x1000, 0x1000), LOAD(0x401000, 0x1800, 0x100, 0x100)),
	NOSPAN("no PT_LOAD", SEG(PT_NOTE, 0x400000, 0, 0x20, 0x20)),
	NOSPAN("only an empty PT_LOAD at a page boundary", LOAD(0x400000, 0, 0, 0)),
	NOSPAN("a span one byte over TASK_SIZE / 2",
	       LOAD(0x1000, 0x1000, 0x10, 0x10), LOAD(0x2000, 0x2000, 0, HALF - 0x1000 + 1)),
	NOSPAN("a huge p_memsz", LOAD(0x400000, 0, 0x1000, 0x7fffffffffffUL)),
	NOSPAN("a segment whose p_vaddr + p_memsz wraps around", LOAD(WRAPPED, 0, 0x1000, 0x2000)),
	{ .name = "a wrapping segment next to a normal one",
	  .ph = { LOAD(0x400000, 0, 0x1000, 0x1000), LOAD(WRAPPED, 0, 0x1000, 0x2000) },
	  .want = -ENOEXEC },
};

static void test_spans(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(span_rows); i++) {
		int n = 0, got;
		uaddr_t lo = 1, hi = 1;

		while (n < (int)ARRAY_SIZE(span_rows[i].ph) && span_rows[i].ph[n].p_type != PT_NULL)
			n++;
		got = elf_load_span(span_rows[i].ph, n, &lo, &hi);
		if (span_rows[i].want)	/* on failure lo and hi are untouched */
			todo_ok(span_rows[i].todo, got == span_rows[i].want && lo == 1 && hi == 1,
				"span: %s -> %d (want %d)", span_rows[i].name, got, span_rows[i].want);
		else
			todo_ok(span_rows[i].todo, !got && lo == span_rows[i].lo && hi == span_rows[i].hi,
				"span: %s -> %d [0x%lx, 0x%lx) (want [0x%lx, 0x%lx))", span_rows[i].name,
				got, lo, hi, span_rows[i].lo, span_rows[i].hi);
	}
}

/* ---- real binaries ---- */

static char stub_path[4096];

static const struct {
	const char *path;	/* NULL: the ptrace stub next to this test in $(BUILD) */
	unsigned type;		/* expected e_type */
} real_rows[] = {
	{ "/bin/busybox", ET_EXEC },			/* Debian busybox-static */
	{ NULL, ET_EXEC },				/* $(BUILD)/stub */
	{ "/bin/sh", ET_DYN },				/* a PIE with PT_INTERP */
	{ "/lib64/ld-linux-x86-64.so.2", ET_DYN },	/* an ET_DYN without PT_INTERP */
	{ "/proc/self/exe", ET_EXEC },			/* this test (linked -no-pie) */
};

/* $(BUILD)/stub, from this test's own path $(BUILD)/unit/test_elf. */
static const char *find_stub(void)
{
	ssize_t n = readlink("/proc/self/exe", stub_path, sizeof(stub_path) - 16);
	char *slash;

	if (n <= 0)
		return "build/stub";
	stub_path[n] = 0;
	for (int up = 0; up < 2; up++) {
		slash = strrchr(stub_path, '/');
		if (slash)
			*slash = 0;
	}
	strcat(stub_path, "/stub");
	return stub_path;
}

/* Read the ELF header and program headers of path; 0, or -1 if it cannot be read. */
static int read_elf(const char *path, Elf64_Ehdr *eh, Elf64_Phdr *ph, int max)
{
	FILE *f = fopen(path, "rb");
	int r = -1;

	if (!f)
		return -1;
	if (fread(eh, sizeof(*eh), 1, f) == 1 && eh->e_phnum <= max &&
	    !fseek(f, (long)eh->e_phoff, SEEK_SET) &&
	    fread(ph, sizeof(*ph), eh->e_phnum, f) == eh->e_phnum)
		r = 0;
	fclose(f);
	return r;
}

static void test_real(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(real_rows); i++) {
		const char *path = real_rows[i].path ? real_rows[i].path : find_stub();
		static Elf64_Phdr ph[ELF_MAX_PHNUM];
		uaddr_t lo = 0, hi = 0, want_lo = UINT64_MAX, want_hi = 0;
		Elf64_Ehdr eh;
		int hdr, span;

		if (access(path, R_OK) || read_elf(path, &eh, ph, ELF_MAX_PHNUM)) {
			skip("%s is not here", path);
			continue;
		}
		for (int j = 0; j < eh.e_phnum; j++) {
			if (ph[j].p_type != PT_LOAD)
				continue;
			want_lo = MIN(want_lo, ph[j].p_vaddr & ~(uaddr_t)0xfff);
			want_hi = MAX(want_hi, ph[j].p_vaddr + ph[j].p_memsz);
		}
		hdr = elf_check_header(&eh);
		span = elf_load_span(ph, eh.e_phnum, &lo, &hi);
		if (!ok(!hdr && !span && eh.e_type == real_rows[i].type && lo == want_lo &&
			hi == want_hi && eh.e_entry >= lo && eh.e_entry < hi,
			"real: %s (type %u, %u phdrs): header %d, span %d [0x%lx, 0x%lx), entry 0x%lx",
			path, eh.e_type, eh.e_phnum, hdr, span, lo, hi, (uaddr_t)eh.e_entry))
			diag("want type %u, span [0x%lx, 0x%lx) around the entry", real_rows[i].type,
			     want_lo, want_hi);
	}
}

int main(void)
{
	tap_plan((int)(ARRAY_SIZE(header_rows) + ARRAY_SIZE(span_rows) + ARRAY_SIZE(real_rows)));
	test_headers();
	test_spans();
	test_real();
	return tap_done();
}
