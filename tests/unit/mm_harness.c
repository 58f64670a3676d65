/*
 * tests/unit/mm_harness.c - the host side of test_vma (see mm_harness.h).
 *
 * qk/vfs.h and qk/platform.h declare the functions defined here, but they include the
 * kernel's UAPI headers, which clash with libc's; the prototypes are repeated instead.
 */
#include "mm_harness.h"

#include <qk/lib.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void file_get(struct file *f);
void file_put(struct file *f);
long kernel_pread(struct file *f, void *buf, size_t n, loff_t off);
int file_mmap_check(struct file *f, int prot, int flags);
void plat_log_write(const char *buf, size_t n);
__noreturn void plat_shutdown(int wstatus);
void __real_kfree(void *p);
void __wrap_kfree(void *p);

struct file fake_file;
int mm_destroyed;

static __noreturn void bail(const char *why)
{
	printf("Bail out! %s\n", why);
	fflush(stdout);
	exit(255);
}

/* ---- problems ---- */

static char problems[8192];
static int nproblems;

void problem(const char *fmt, ...)
{
	size_t len = strlen(problems);
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	nproblems++;
	if (strstr(problems, line) || len + strlen(line) + 2 > sizeof(problems))
		return;
	strcpy(problems + len, line);
	strcat(problems + len, "\n");
}

int problems_count(void)
{
	return nproblems;
}

void problems_clear(void)
{
	problems[0] = 0;
	nproblems = 0;
}

void problems_diag(void)
{
	for (const char *p = problems, *nl; (nl = strchr(p, '\n')); p = nl + 1)
		printf("#   %.*s\n", (int)(nl - p), p);
}

/* ---- the file ---- */

void file_get(struct file *f)
{
	if (f != &fake_file) {
		problem("file_get(%p): not a file", (void *)f);
		return;
	}
	f->refs++;
}

void file_put(struct file *f)
{
	if (f != &fake_file) {
		problem("file_put(%p): not a file", (void *)f);
		return;
	}
	if (--f->refs < 0)
		problem("file_put: reference count below zero");
}

long kernel_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	if (f != &fake_file) {
		problem("kernel_pread(%p): not a file", (void *)f);
		return -EBADF;
	}
	if (off < 0)
		return -EINVAL;
	if ((u64)off >= FILE_SIZE)
		return 0;
	n = MIN(n, FILE_SIZE - (u64)off);
	memcpy(buf, f->data + off, n);
	return (long)n;
}

int file_mmap_check(struct file *f, int prot, int flags)
{
	(void)prot;
	(void)flags;
	if (f != &fake_file)
		problem("file_mmap_check(%p): not a file", (void *)f);
	return 0;
}

/* ---- the platform ---- */

#define MAX_DIRTY	4096
static struct {
	struct mm *mm;
	uaddr_t start, end;
} dirty[MAX_DIRTY];
static int ndirty;

void plat_mem_first_use(paddr_t start, paddr_t end)
{
	(void)start;
	(void)end;
}

void plat_mm_changed(struct mm *mm, uaddr_t start, uaddr_t end)
{
	if (start > end || !IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    end > TASK_SIZE)
		problem("plat_mm_changed(0x%lx, 0x%lx): not a page-aligned user range", start, end);
	if (ndirty == MAX_DIRTY) {
		problem("more than %d plat_mm_changed calls in one op", MAX_DIRTY);
		return;
	}
	dirty[ndirty].mm = mm;
	dirty[ndirty].start = start;
	dirty[ndirty++].end = end;
}

void plat_mm_destroy(struct mm *mm)
{
	(void)mm;
	mm_destroyed++;
}

void plat_log_write(const char *buf, size_t n)
{
	while (n && buf[n - 1] == '\n')
		n--;
	printf("# %.*s\n", (int)n, buf);
}

void plat_shutdown(int wstatus)
{
	(void)wstatus;
	bail("qkernel panicked (see the log line above)");
}

/* kfree with poisoning. kmalloc.c puts a 16-byte header before each object whose first u32
 * is the size class (32 << class bytes with the header; 8 and up are whole pages). Filling
 * the freed body with 0xa5 makes a use after free read garbage (e.g. a file pointer the
 * fake file functions reject) instead of stale values that still happen to be right. */
void __wrap_kfree(void *p)
{
	if (p) {
		u32 class = *(const u32 *)((const u8 *)p - 16);

		if (class < 8)
			memset(p, 0xa5, (32UL << class) - 16);
	}
	__real_kfree(p);
}

void harness_init(void)
{
	static void *warm[8][128];

	phys_base = aligned_alloc(PAGE_SIZE, GUEST_MEM);
	if (!phys_base)
		bail("cannot allocate guest memory");
	phys_size = GUEST_MEM;
	pmm_init(PAGE_SIZE, GUEST_MEM);
	for (u64 i = 0; i < FILE_SIZE; i++)
		fake_file.data[i] = FILE_BYTE(i);
	for (int c = 0; c < 8; c++)
		for (int i = 0; i < 128; i++)
			if (!(warm[c][i] = kmalloc((32UL << c) - 16)))
				bail("kmalloc failed while filling its free lists");
	for (int c = 0; c < 8; c++)
		for (int i = 0; i < 128; i++)
			kfree(warm[c][i]);
}

/* ---- the MMU ---- */

pte_t pte_of(struct mm *mm, uaddr_t va)
{
	pte_t *pte = pte_walk(mm, va, false);

	return pte && (*pte & PTE_P) ? *pte : 0;
}

long user_access(struct mm *mm, uaddr_t va, bool write, u8 val)
{
	for (int tries = 0; tries < 2; tries++) {
		pte_t pte = pte_of(mm, va);
		u8 *p;
		int r;

		if (!(pte & PTE_U) || (write && !(pte & PTE_W))) {
			r = handle_mm_fault(mm, va, write ? FAULT_WRITE : FAULT_READ);
			if (r)
				return r;
			continue;
		}
		p = (u8 *)__va(pte & PTE_ADDR) + (va & (PAGE_SIZE - 1));
		if (!write)
			return *p;
		*p = val;
		return 0;
	}
	problem("access to 0x%lx still faults after handle_mm_fault succeeded", va);
	return -EIO;
}

/* ---- invariants ---- */

static void snap_one(struct mm *mm, uaddr_t va, pte_t *pte, void *arg)
{
	struct pte_snap *s = arg;

	(void)mm;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			bail("out of memory");
	}
	s->v[s->n].va = va;
	s->v[s->n++].pte = *pte;
}

void pte_snapshot(struct mm *mm, struct pte_snap *s)
{
	s->n = 0;
	if (mm)
		pte_range_walk(mm, 0, TASK_SIZE, snap_one, s);
}

void pte_snap_free(struct pte_snap *s)
{
	free(s->v);
	*s = (struct pte_snap){ 0 };
}

void dirty_clear(void)
{
	ndirty = 0;
}

static bool reported(struct mm *mm, uaddr_t va)
{
	for (int i = 0; i < ndirty; i++)
		if (dirty[i].mm == mm && dirty[i].start <= va && va < dirty[i].end)
			return true;
	return false;
}

void check_dirty(struct mm *mm, const char *who, const struct pte_snap *a,
		 const struct pte_snap *b)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		bool changed = true;
		uaddr_t va;

		if (j == b->n || (i < a->n && a->v[i].va < b->v[j].va)) {
			va = a->v[i++].va;
		} else if (i == a->n || b->v[j].va < a->v[i].va) {
			va = b->v[j++].va;
		} else {
			va = a->v[i].va;
			changed = a->v[i++].pte != b->v[j++].pte;
		}
		if (changed && !reported(mm, va))
			problem("%s: the PTE of 0x%lx changed, but no plat_mm_changed covers it",
				who, va);
	}
}

static int cmp_pa(const void *x, const void *y)
{
	paddr_t a = *(const paddr_t *)x, b = *(const paddr_t *)y;

	return a < b ? -1 : a > b;
}

/* The PTEs of one mm: rss, bounds, inside a VMA, copy-on-write. Appends the pages. */
static void check_ptes(struct mm *mm, const char *name, paddr_t *pas, size_t *npa, size_t max)
{
	struct pte_snap s = { 0 };

	pte_snapshot(mm, &s);
	if (mm->rss != s.n)
		problem("%s: rss %lu but %zu present PTEs", name, mm->rss, s.n);
	for (size_t i = 0; i < s.n; i++) {
		paddr_t pa = s.v[i].pte & PTE_ADDR;
		struct vm_area *v = vma_find(mm, s.v[i].va);

		if (!pa || pa >= GUEST_MEM) {
			problem("%s: the PTE of 0x%lx maps 0x%lx, outside guest memory", name,
				s.v[i].va, pa);
			continue;
		}
		if (!v)
			problem("%s: a PTE at 0x%lx, outside every VMA", name, s.v[i].va);
		else if ((s.v[i].pte & PTE_W) && !(v->flags & VM_SHARED) && page_count(pa) != 1)
			problem("%s: 0x%lx is writable in a private VMA but its page is shared "
				"(count %u): copy-on-write is broken", name, s.v[i].va,
				page_count(pa));
		if (*npa < max)
			pas[(*npa)++] = pa;
	}
	pte_snap_free(&s);
}

void check_state(struct mm *const *mms, const char *const *names, int n)
{
	static paddr_t pas[1 << 16];
	size_t npa = 0;
	int file_vmas = 0;

	for (int m = 0; m < n; m++) {
		struct vm_area *v;
		uaddr_t prev_end = 0;

		if (!mms[m])
			continue;
		check_ptes(mms[m], names[m], pas, &npa, ARRAY_SIZE(pas));
		list_for_each_entry(v, &mms[m]->vmas, node) {
			if (v->start >= v->end || v->start < prev_end || v->end > TASK_SIZE ||
			    !IS_ALIGNED(v->start | v->end, PAGE_SIZE))
				problem("%s: bad VMA [0x%lx, 0x%lx) after 0x%lx", names[m],
					v->start, v->end, prev_end);
			prev_end = v->end;
			file_vmas += v->file != NULL;
		}
	}
	qsort(pas, npa, sizeof(pas[0]), cmp_pa);
	for (size_t i = 0, j; i < npa; i = j) {
		for (j = i; j < npa && pas[j] == pas[i]; j++)
			;
		if (page_count(pas[i]) != j - i)
			problem("page 0x%lx: count %u but %zu PTEs map it", pas[i],
				page_count(pas[i]), j - i);
	}
	if (fake_file.refs != file_vmas)
		problem("the file has %d references but %d VMAs map it", fake_file.refs, file_vmas);
}
