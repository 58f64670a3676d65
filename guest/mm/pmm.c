/*
 * mm/pmm.c - the physical page allocator over guest memory.
 * One struct page per physical page, stored at the start of guest memory. A page is free
 * when its count is 0. Freed single pages go on a free list that page_alloc takes from
 * first (O(1)); otherwise allocation scans from a rotating hint, so fresh allocations are
 * usually physically contiguous (the ptrace platform then maps them with one mmap).
 * Pages on the free list are not handed out by the scan; when a multi-page allocation
 * finds no room, the list is dissolved and the scan retried.
 */
#include <qk/mm.h>
#include <qk/lib.h>

struct page {
	u32 count;
	u16 order;	/* for the head of a pages_alloc block */
	u16 listed;	/* on the free list */
	u32 next;	/* free list link (pfn), 0 = end */
};
_Static_assert(sizeof(struct page) == 12, "struct page");

u8 *phys_base;
u64 phys_size;
static struct page *pages;
static u64 first_pfn, npages, free_pages, hint;
static u32 free_head;	/* free list of single pages (pfn), 0 = empty */
static u64 hwm;		/* pages at and above this pfn were never handed out */

void pmm_init(paddr_t start, paddr_t end)
{
	u64 meta = ALIGN_UP((end >> PAGE_SHIFT) * sizeof(struct page), PAGE_SIZE);

	start = ALIGN_UP(start, PAGE_SIZE);
	pages = __va(start);
	memset(pages, 0, meta);
	npages = end >> PAGE_SHIFT;
	first_pfn = (start + meta) >> PAGE_SHIFT;
	if (first_pfn == 0)
		first_pfn = 1;	/* physical 0 means "no page" */
	for (u64 i = 0; i < first_pfn; i++)
		pages[i].count = 1;
	free_pages = npages - first_pfn;
	hint = hwm = first_pfn;
}

static bool run_free(u64 pfn, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (pages[pfn + i].count || pages[pfn + i].listed)
			return false;
	return true;
}

static void free_list_dissolve(void)
{
	while (free_head) {
		struct page *pg = &pages[free_head];
		free_head = pg->next;
		pg->listed = 0;
		pg->next = 0;
	}
}

/* Find and take 2^order free pages. The block is zeroed when zero is set, except where
 * it lies above the high-water mark: guest memory never handed out is still the
 * memfd's zero pages (and touching it here would only cost host page faults). */
static paddr_t take_block(unsigned order, bool zero)
{
	u64 n = 1ULL << order;

	if (free_pages < n)
		return 0;
	for (u64 tries = 0; tries < 3; tries++) {
		u64 pfn = ALIGN_UP(tries ? first_pfn : hint, n);

		if (tries == 2)
			free_list_dissolve();

		for (; pfn + n <= npages; pfn += n) {
			if (!run_free(pfn, n))
				continue;
			for (u64 i = 0; i < n; i++)
				pages[pfn + i].count = 1;
			pages[pfn].order = order;
			free_pages -= n;
			hint = pfn + n;
			if (zero && pfn < hwm)
				memset(__va(pfn << PAGE_SHIFT), 0, MIN(n, hwm - pfn) << PAGE_SHIFT);
			if (pfn + n > hwm) {
				plat_mem_first_use(hwm << PAGE_SHIFT, (pfn + n) << PAGE_SHIFT);
				hwm = pfn + n;
			}
			return pfn << PAGE_SHIFT;
		}
	}
	return 0;
}

paddr_t pages_alloc(unsigned order)
{
	return take_block(order, true);
}

paddr_t pages_alloc_nozero(unsigned order)
{
	return take_block(order, false);
}

paddr_t page_alloc(void)
{
	if (free_head) {
		u64 pfn = free_head;
		struct page *pg = &pages[pfn];

		free_head = pg->next;
		pg->listed = 0;
		pg->next = 0;
		pg->count = 1;
		pg->order = 0;
		free_pages--;
		memset(__va(pfn << PAGE_SHIFT), 0, PAGE_SIZE);
		return pfn << PAGE_SHIFT;
	}
	return pages_alloc(0);
}

void pages_free(paddr_t pa, unsigned order)
{
	u64 pfn = pa >> PAGE_SHIFT;

	for (u64 i = 0; i < (1ULL << order); i++) {
		BUG_ON(pages[pfn + i].count != 1);
		pages[pfn + i].count = 0;
	}
	free_pages += 1ULL << order;
}

void page_get(paddr_t pa)
{
	pages[pa >> PAGE_SHIFT].count++;
}

void page_put(paddr_t pa)
{
	struct page *pg = &pages[pa >> PAGE_SHIFT];

	BUG_ON(pg->count == 0);
	if (--pg->count == 0) {
		free_pages++;
		pg->listed = 1;
		pg->next = free_head;
		free_head = pa >> PAGE_SHIFT;
	}
}

unsigned page_count(paddr_t pa)
{
	return pages[pa >> PAGE_SHIFT].count;
}

u64 pmm_free_pages(void)
{
	return free_pages;
}

u64 pmm_total_pages(void)
{
	return npages - first_pfn;
}
