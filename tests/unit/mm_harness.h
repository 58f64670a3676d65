/*
 * tests/unit/mm_harness.h - what qkernel's mm/ needs to run in a host process, and the
 * checks test_vma.c applies after every operation.
 *
 * The real objects of guest/mm/ and guest/lib/ are linked in unchanged; this harness
 * provides the functions they call (guest memory as a host buffer, plat_mm_changed and
 * plat_mm_destroy, a fake file, the log and shutdown hooks), plays the MMU over the real
 * page tables, and checks the invariants an address space must keep.
 */
#ifndef QUARK_TESTS_MM_HARNESS_H
#define QUARK_TESTS_MM_HARNESS_H

#include <qk/mm.h>

#define GUEST_MEM	(64UL << 20)

/* The file every file-backed mapping maps: byte i is (page << 4) | (i & 15), so a byte
 * tells which file page and offset it came from. The last page is half past end of file. */
#define FILE_SIZE	(9 * PAGE_SIZE + 0x800)
#define FILE_BYTE(i)	((u8)((((u64)(i) >> PAGE_SHIFT) << 4) | ((u64)(i) & 15)))
struct file {
	u8 data[FILE_SIZE];
	int refs;		/* file_get minus file_put */
};
extern struct file fake_file;
extern int mm_destroyed;	/* plat_mm_destroy calls so far */

/* Guest memory (GUEST_MEM bytes, pmm_init over it), the file's content, and kmalloc's free
 * lists filled so that later allocations do not take pages (pmm_free_pages() then only
 * moves with user pages and page tables). Bails out when the host has no memory. */
void harness_init(void);

/* Problems found while a row runs (the fake file and plat_mm_changed report misuse here
 * too); identical messages are kept once. */
void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int problems_count(void);
void problems_clear(void);
void problems_diag(void);	/* each as a TAP "#" line */

/* The MMU: a user access through a present user PTE with the right permission, else a
 * page fault (handle_mm_fault) and a retry, as the CPU does. Returns the byte read (0
 * for a write) or the fault's -errno. */
long user_access(struct mm *mm, uaddr_t va, bool write, u8 val);
/* The present PTE of va, or 0. */
pte_t pte_of(struct mm *mm, uaddr_t va);

/* The present PTEs of an address space, in address order. */
struct pte_snap {
	struct {
		uaddr_t va;
		pte_t pte;
	} *v;
	size_t n, cap;
};
void pte_snapshot(struct mm *mm, struct pte_snap *s);	/* mm may be NULL: empty */
void pte_snap_free(struct pte_snap *s);

/* Forget the ranges reported to plat_mm_changed so far. */
void dirty_clear(void);
/* Every PTE of mm that differs between before and after lies in a reported range. */
void check_dirty(struct mm *mm, const char *who, const struct pte_snap *before,
		 const struct pte_snap *after);
/* Over the live mms (NULL entries skipped): page_count of each mapped page equals the
 * PTEs mapping it, rss equals the present PTEs, a writable PTE in a private VMA maps an
 * unshared page, PTEs lie inside VMAs, VMAs are sorted, aligned and disjoint, and the
 * file's references equal the VMAs mapping it. */
void check_state(struct mm *const *mms, const char *const *names, int n);

#endif
