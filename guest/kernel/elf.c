/* kernel/elf.c - the pure ELF checks of execve (see qk/elf.h); exec.c does the loading. */
#include <qk/elf.h>
#include <qk/lib.h>
#include <qk/linux.h>
#include <qk/mm.h>

int elf_check_header(const Elf64_Ehdr *eh)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	return 0;
}

int elf_load_span(const Elf64_Phdr *ph, int phnum, uaddr_t *lo, uaddr_t *hi)
{
	uaddr_t l = UINT64_MAX, h = 0;

	for (int i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz ||
		    ph[i].p_vaddr + ph[i].p_memsz < ph[i].p_vaddr ||
		    (ph[i].p_vaddr & (PAGE_SIZE - 1)) != (ph[i].p_offset & (PAGE_SIZE - 1)))
			return -ENOEXEC;
		l = MIN(l, ALIGN_DOWN(ph[i].p_vaddr, PAGE_SIZE));
		h = MAX(h, ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (l >= h || h - l > TASK_SIZE / 2)
		return -ENOEXEC;
	*lo = l;
	*hi = h;
	return 0;
}
