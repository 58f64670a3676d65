/*
 * mm/fault.c - demand paging and copy-on-write.
 * A fault in a file-backed VMA also fills the following pages of the same VMA (fault
 * around), because on the ptrace platform every fault is a costly stop of the stub.
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

/* Fill a new page for va of v; returns its physical address or 0. */
static paddr_t fill_page(struct vm_area *v, uaddr_t va)
{
	paddr_t pa = page_alloc();

	if (pa && v->file) {
		long n = kernel_pread(v->file, __va(pa), PAGE_SIZE, v->off + (va - v->start));
		if (n < 0) {
			page_put(pa);
			return 0;
		}
	}
	return pa;
}

static int map_new_page(struct mm *mm, struct vm_area *v, uaddr_t va, pte_t *pte)
{
	paddr_t pa = fill_page(v, va);

	if (!pa)
		return -ENOMEM;
	*pte = pa | vma_pte_bits(v->flags);
	mm->rss++;
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
		err = map_new_page(mm, v, va, pte);
		if (!err && v->file) {
			for (int i = 1; i < FAULT_AROUND && end < v->end; i++, end += PAGE_SIZE) {
				pte_t *p = pte_walk(mm, end, true);
				if (!p || (*p & PTE_P) || map_new_page(mm, v, end, p))
					break;
			}
		}
	} else if ((access & FAULT_WRITE) && (*pte & PTE_COW)) {
		err = cow_break(v, pte);
	} else if ((access & FAULT_WRITE) && !(*pte & PTE_W)) {
		*pte = (*pte & PTE_ADDR) | vma_pte_bits(v->flags);
	}
	if (!err)
		plat_mm_changed(mm, va, end);
	return err;
}
