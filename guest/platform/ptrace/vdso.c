/*
 * platform/ptrace/vdso.c - the host vDSO's clock_gettime for the sandbox process, found
 * through AT_SYSINFO_EHDR, so qkernel reads time without a host syscall (it does so on
 * every trap for CPU-time accounting). Falls back to the syscall without a vDSO.
 */
#include <qk/linux.h>
#include <qk/lib.h>
#include "hsyscall.h"
#include "ptrace.h"

typedef long (*vdso_gettime_fn)(long clk, struct __kernel_timespec *ts);
static vdso_gettime_fn vdso_gettime;

static void *vdso_sym(const Elf64_Ehdr *eh, const char *want)
{
	const u8 *base = (const u8 *)eh;
	const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const u32 *hash = NULL;
	u64 bias = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias = (u64)base - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(dyn->d_un.d_ptr + bias);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(dyn->d_un.d_ptr + bias);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (u32 i = 0; i < hash[1]; i++)	/* hash[1] = number of symbols */
		if (sym[i].st_name && !strcmp(str + sym[i].st_name, want) && sym[i].st_value)
			return (void *)(sym[i].st_value + bias);
	return NULL;
}

/* sp: the process's initial stack (argc, argv..., NULL, envp..., NULL, auxv). */
void vdso_init(u64 *sp)
{
	u64 *p = sp + 1 + sp[0] + 1;

	while (*p)
		p++;
	for (p++; p[0] != AT_NULL; p += 2)
		if (p[0] == AT_SYSINFO_EHDR)
			vdso_gettime = vdso_sym((const Elf64_Ehdr *)p[1], "__vdso_clock_gettime");
}

u64 ptrace_clock_ns(int clk)
{
	struct __kernel_timespec ts = { 0, 0 };

	if (vdso_gettime)
		vdso_gettime(clk, &ts);
	else
		hsyscall2(__NR_clock_gettime, clk, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
