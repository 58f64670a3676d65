/*
 * mm/pgtable.c - x86-64 4-level page tables in guest physical memory.
 * Upper levels carry P|W|U; the leaf carries the real permissions. A present leaf without
 * PTE_U is a PROT_NONE page (kept so mprotect can restore it).
 */
#include <qk/mm.h>
#include <qk/lib.h>

#define LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * (l))	/* l = 3 (PML4) .. 0 (PT) */
#define IDX(va, l)	(((va) >> LEVEL_SHIFT(l)) & 511)
#define TABLE_FLAGS	(PTE_P | PTE_W | PTE_U)

pte_t *pte_walk(struct mm *mm, uaddr_t va, bool alloc)
{
	pte_t *table = __va(mm->pgd);

	for (int l = 3; l > 0; l--) {
		pte_t *e = &table[IDX(va, l)];

		if (!(*e & PTE_P)) {
			paddr_t pa;

			if (!alloc || !(pa = page_alloc()))
				return NULL;
			*e = pa | TABLE_FLAGS;
		}
		table = __va(*e & PTE_ADDR);
	}
	return &table[IDX(va, 0)];
}

/* Visit every present leaf in [start, end), skipping empty upper-level ranges. */
void pte_range_walk(struct mm *mm, uaddr_t start, uaddr_t end,
		    void (*fn)(struct mm *mm, uaddr_t va, pte_t *pte, void *arg), void *arg)
{
	uaddr_t va = start;

	while (va < end) {
		pte_t *table = __va(mm->pgd);
		int l;

		for (l = 3; l > 0; l--) {
			pte_t e = table[IDX(va, l)];

			if (!(e & PTE_P))
				break;
			table = __va(e & PTE_ADDR);
		}
		if (l > 0) {	/* no table at level l: skip its whole span */
			uaddr_t span = 1UL << LEVEL_SHIFT(l);
			va = ALIGN_DOWN(va, span) + span;
			continue;
		}
		if (table[IDX(va, 0)] & PTE_P)
			fn(mm, va, &table[IDX(va, 0)], arg);
		va += PAGE_SIZE;
	}
}

static void free_level(paddr_t table_pa, int l)
{
	pte_t *t = __va(table_pa);

	if (l > 0)
		for (int i = 0; i < 512; i++)
			if (t[i] & PTE_P)
				free_level(t[i] & PTE_ADDR, l - 1);
	page_put(table_pa);
}

/* Free the page-table pages themselves (leaves must already be released). */
void pgtable_free(struct mm *mm)
{
	pte_t *pml4 = __va(mm->pgd);

	/* Only the user half (entries 0..255) belongs to the mm. */
	for (int i = 0; i < 256; i++)
		if (pml4[i] & PTE_P)
			free_level(pml4[i] & PTE_ADDR, 2);
	page_put(mm->pgd);
}
