/*
 * qk/elf.h - the pure checks execve makes on an ELF image (kernel/elf.c). They touch no
 * kernel state, so host unit tests (tests/unit/test_elf.c) link them unchanged.
 */
#ifndef QK_ELF_H
#define QK_ELF_H

#include <qk/types.h>
#include <linux/elf.h>

#define ELF_MAX_PHNUM	128

/* Is eh an executable this kernel runs: ELF magic, 64-bit, little endian, x86-64,
 * ET_EXEC or ET_DYN, program headers of sizeof(Elf64_Phdr), 1..ELF_MAX_PHNUM of them?
 * Returns 0 or -ENOEXEC. */
int elf_check_header(const Elf64_Ehdr *eh);

/* The address span of the PT_LOAD segments among ph[0..phnum): *lo is the lowest p_vaddr
 * rounded down to a page, *hi the highest p_vaddr + p_memsz (not rounded). Returns 0, or
 * -ENOEXEC (lo and hi untouched) when a segment has p_filesz > p_memsz or p_vaddr and
 * p_offset disagree modulo the page size, when the span is empty (no PT_LOAD, or nothing
 * past lo), or when it is larger than TASK_SIZE / 2. */
int elf_load_span(const Elf64_Phdr *ph, int phnum, uaddr_t *lo, uaddr_t *hi);

#endif
