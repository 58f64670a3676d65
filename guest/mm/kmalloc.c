/*
 * mm/kmalloc.c - the kernel heap. Sizes up to 2 KiB come from per-size-class free lists
 * carved out of whole pages; larger ones are whole page blocks. Every allocation has a
 * 16-byte header recording its class, so kfree needs no lookup. Memory from kmalloc
 * is not zeroed (kzalloc is).
 */
#include <qk/mm.h>
#include <qk/lib.h>

#define HDR		16
#define NCLASSES	8	/* 32, 64, ..., 4096 bytes including the header */
#define LARGE		0xff

struct hdr {
	u32 class;	/* index, or LARGE */
	u32 order;	/* LARGE: pages_alloc order */
	u64 magic;
};
#define KMAGIC	0x6b6d616c6c6f6321ULL

struct freeobj {
	struct freeobj *next;
};
static struct freeobj *freelist[NCLASSES];

#define NCACHED		7	/* orders 0..6 (up to 256 KiB: exec's string buffer) */
#define CACHE_MAX	16
static struct freeobj *large_cache[NCACHED];
static unsigned ncached[NCACHED];

static size_t class_size(unsigned c)
{
	return 32UL << c;
}

static bool refill(unsigned c)
{
	paddr_t pa = page_alloc();
	size_t sz = class_size(c);
	u8 *p;

	if (!pa)
		return false;
	p = __va(pa);
	for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
		struct freeobj *o = (struct freeobj *)(p + off);
		o->next = freelist[c];
		freelist[c] = o;
	}
	return true;
}

void *kmalloc(size_t n)
{
	struct hdr *h;
	unsigned c;

	if (n > (1UL << 30))
		return NULL;
	for (c = 0; c < NCLASSES && class_size(c) < n + HDR; c++)
		;
	if (c == NCLASSES) {
		unsigned order = 0;
		paddr_t pa;

		while ((PAGE_SIZE << order) < n + HDR)
			order++;
		if (order < NCACHED && large_cache[order]) {
			h = (struct hdr *)large_cache[order];
			large_cache[order] = large_cache[order]->next;
			ncached[order]--;
		} else {
			pa = pages_alloc_nozero(order);
			if (!pa)
				return NULL;
			h = __va(pa);
		}
		h->class = LARGE;
		h->order = order;
	} else {
		if (!freelist[c] && !refill(c))
			return NULL;
		h = (struct hdr *)freelist[c];
		freelist[c] = freelist[c]->next;
		h->class = c;
	}
	h->magic = KMAGIC;
	return (u8 *)h + HDR;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);

	if (p)
		memset(p, 0, n);
	return p;
}

void kfree(void *p)
{
	struct hdr *h;
	unsigned c;

	if (!p)
		return;
	h = (struct hdr *)((u8 *)p - HDR);
	BUG_ON(h->magic != KMAGIC);
	h->magic = 0;
	if (h->class == LARGE) {
		/* Keep a few blocks of each small order: I/O bounce buffers and path
		 * buffers come and go on every syscall. */
		if (h->order < NCACHED && ncached[h->order] < CACHE_MAX) {
			unsigned o = h->order;
			((struct freeobj *)h)->next = large_cache[o];
			large_cache[o] = (struct freeobj *)h;
			ncached[o]++;
			return;
		}
		pages_free(__pa(h), h->order);
		return;
	}
	c = h->class;
	((struct freeobj *)h)->next = freelist[c];
	freelist[c] = (struct freeobj *)h;
}
