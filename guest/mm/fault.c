/*
 * mm/fault.c - demand paging and copy-on-write.
 * A fault on a missing page also fills the following missing pages of the same VMA
 * (fault around, file and anonymous alike), because on the ptrace platform every fault
 * is a costly stop of the stub; the cost is up to 60 KiB of memory a fault early.
 */
#include <qk/mm.h>
#include <qk/lib.h>
#include <qk/linux.h>
#include <qk/vfs.h>
#include "mm_internal.h"

#define FAULT_AROUND	16

static bool access_allowed(u32 vmflags, int access)
{
	if ((access & FAULT_WRITE) && !(vmflags & VM_WRITE))
		return false;
	if ((access & FAULT_EXEC) && !(vmflags & VM_EXEC))
		return false;
	return vmflags & (VM_READ | VM_WRITE | VM_EXEC);
}

/* How many pages from va on (at most FAULT_AROUND) are inside v and not present. */
static unsigned around_count(struct mm *mm, struct vm_area *v, uaddr_t va)
{
	unsigned n = 1;

	for (uaddr_t a = va + PAGE_SIZE; n < FAULT_AROUND && a < v->end; a += PAGE_SIZE, n++) {
		pte_t *p = pte_walk(mm, a, false);
		if (p && (*p & PTE_P))
			break;
	}
	return n;
}

/* Map n new pages at va (the first is the faulting one): one physically contiguous,
 * zeroed block, filled from the file with one read, so the ptrace platform mirrors it
 * with one mmap. Falls back to a single page when memory is fragmented. */
static int map_new_pages(struct mm *mm, struct vm_area *v, uaddr_t va, unsigned n)
{
	unsigned order = 0;
	paddr_t pa;

	while ((1u << order) < n)
		order++;
	pa = pages_alloc(order);
	if (!pa) {
		n = 1;
		order = 0;
		pa = page_alloc();
		if (!pa)
			return -ENOMEM;
	}
	for (unsigned i = n; i < (1u << order); i++)	/* the unused tail of the block */
		page_put(pa + i * PAGE_SIZE);
	if (v->file && kernel_pread(v->file, __va(pa), (size_t)n * PAGE_SIZE,
				    v->off + (va - v->start)) < 0) {
		for (unsigned i = 0; i < n; i++)
			page_put(pa + i * PAGE_SIZE);
		return -EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		pte_t *pte = pte_walk(mm, va + i * PAGE_SIZE, true);

		if (!pte) {
			for (; i < n; i++)
				page_put(pa + i * PAGE_SIZE);
			return i ? 0 : -ENOMEM;
		}
		*pte = (pa + i * PAGE_SIZE) | vma_pte_bits(v->flags);
		mm->rss++;
	}
	return 0;
}

static int cow_break(struct vm_area *v, pte_t *pte)
{
	paddr_t old = *pte & PTE_ADDR;

	if (page_count(old) > 1) {
		paddr_t pa = page_alloc();
		if (!pa)
			return -ENOMEM;
		memcpy(__va(pa), __va(old), PAGE_SIZE);
		page_put(old);
		old = pa;
	}
	*pte = old | vma_pte_bits(v->flags);
	return 0;
}

int handle_mm_fault(struct mm *mm, uaddr_t addr, int access)
{
	uaddr_t va = ALIGN_DOWN(addr, PAGE_SIZE), end = va + PAGE_SIZE;
	struct vm_area *v = vma_find(mm, addr);
	pte_t *pte;
	int err = 0;

	if (!v)
		return -EFAULT;
	if (!access_allowed(v->flags, access))
		return -EACCES;
	pte = pte_walk(mm, va, true);
	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_P)) {
		unsigned n = around_count(mm, v, va);

		err = map_new_pages(mm, v, va, n);
		end = va + (u64)n * PAGE_SIZE;
	} else if ((access & FAULT_WRITE) && (*pte & PTE_COW)) {
		err = cow_break(v, pte);
	} else if ((access & FAULT_WRITE) && !(*pte & PTE_W)) {
		*pte = (*pte & PTE_ADDR) | vma_pte_bits(v->flags);
	}
	if (!err)
		plat_mm_changed(mm, va, end);
	return err;
}
