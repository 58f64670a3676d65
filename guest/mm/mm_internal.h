/* mm/mm_internal.h - helpers shared inside mm/. */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <qk/mm.h>

void pgtable_free(struct mm *mm);
/* Release the pages mapped in [start, end) and clear their PTEs. */
void zap_range(struct mm *mm, uaddr_t start, uaddr_t end);
/* PTE permission bits for a VMA's flags (no COW). */
pte_t vma_pte_bits(u32 vmflags);

#endif
