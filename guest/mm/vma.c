/*
 * mm/vma.c - address spaces: creation, copy-on-write fork, VMAs, mmap/munmap/mprotect,
 * brk, mremap, madvise. VMAs are a sorted list; adjacent compatible anonymous VMAs merge.
 */
#include <qk/mm.h>
#include <qk/lib.h>
#include <qk/linux.h>
#include <qk/vfs.h>
#include "mm_internal.h"

const u64 user_addr_limit = TASK_SIZE;

pte_t vma_pte_bits(u32 f)
{
	pte_t b = PTE_P;

	if (f & (VM_READ | VM_WRITE | VM_EXEC))
		b |= PTE_U;
	if (f & VM_WRITE)
		b |= PTE_W;
	if (!(f & VM_EXEC))
		b |= PTE_NX;
	return b;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pgd = page_alloc();
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	mm->refs = 1;
	list_init(&mm->vmas);
	return mm;
}

void mm_get(struct mm *mm)
{
	mm->refs++;
}

static void vma_free(struct vm_area *v)
{
	list_del(&v->node);
	if (v->file)
		file_put(v->file);
	kfree(v);
}

void mm_put(struct mm *mm)
{
	struct vm_area *v, *t;

	if (--mm->refs)
		return;
	plat_mm_destroy(mm);
	list_for_each_entry_safe(v, t, &mm->vmas, node) {
		zap_range(mm, v->start, v->end);
		vma_free(v);
	}
	pgtable_free(mm);
	kfree(mm);
}

struct vm_area *vma_find(struct mm *mm, uaddr_t addr)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->vmas, node) {
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

static struct vm_area *vma_new(uaddr_t start, uaddr_t end, u32 flags, struct file *f, u64 off)
{
	struct vm_area *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->flags = flags;
	v->file = f;
	v->off = off;
	if (f)
		file_get(f);
	return v;
}

static void vma_insert(struct mm *mm, struct vm_area *n)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->vmas, node)
		if (v->start > n->start)
			break;
	list_add_tail(&n->node, &v->node);
}

static bool vma_mergeable(struct vm_area *a, struct vm_area *b)
{
	return a->end == b->start && a->flags == b->flags && !a->file && !b->file;
}

/* Merge v with its neighbours where possible. */
static void vma_merge_around(struct mm *mm, struct vm_area *v)
{
	if (v->node.prev != &mm->vmas) {
		struct vm_area *p = list_entry(v->node.prev, struct vm_area, node);
		if (vma_mergeable(p, v)) {
			p->end = v->end;
			vma_free(v);
			v = p;
		}
	}
	if (v->node.next != &mm->vmas) {
		struct vm_area *n = list_entry(v->node.next, struct vm_area, node);
		if (vma_mergeable(v, n)) {
			v->end = n->end;
			vma_free(n);
		}
	}
}

/* Merge compatible neighbours whose boundary lies in [start, end]. */
static void vma_merge_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vm_area *v = list_entry(mm->vmas.next, struct vm_area, node);

	while (&v->node != &mm->vmas && v->node.next != &mm->vmas) {
		struct vm_area *n = list_entry(v->node.next, struct vm_area, node);

		if (v->end >= start && v->end <= end && vma_mergeable(v, n)) {
			v->end = n->end;
			vma_free(n);
			continue;
		}
		v = n;
	}
}

/* Split v at addr (start < addr < end); returns the upper half. */
static struct vm_area *vma_split(struct vm_area *v, uaddr_t addr)
{
	struct vm_area *hi = vma_new(addr, v->end, v->flags, v->file, 0);

	if (!hi)
		return NULL;
	if (v->file)
		hi->off = v->off + (addr - v->start);
	v->end = addr;
	list_add(&hi->node, &v->node);
	return hi;
}

/* Split v (which overlaps [start, end)) so that the returned VMA lies inside the range;
 * a part above end becomes *next, the list walk's next element. NULL on ENOMEM. */
static struct vm_area *vma_clip(struct vm_area *v, uaddr_t start, uaddr_t end,
				struct vm_area **next)
{
	if (v->start < start && !(v = vma_split(v, start)))
		return NULL;
	if (v->end > end && !(*next = vma_split(v, end)))
		return NULL;
	return v;
}

static void zap_one(struct mm *mm, uaddr_t va, pte_t *pte, void *arg)
{
	(void)va;
	(void)arg;
	page_put(*pte & PTE_ADDR);
	*pte = 0;
	mm->rss--;
}

void zap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	pte_range_walk(mm, start, end, zap_one, NULL);
	plat_mm_changed(mm, start, end);
}

static bool range_is_free(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->vmas, node)
		if (v->start < end && start < v->end)
			return false;
	return true;
}

/* Is every page of [start, end) covered by some VMA? */
static bool range_is_mapped(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vm_area *v;

	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= start)
			continue;
		if (v->start > start)
			return false;
		start = v->end;
		if (start >= end)
			return true;
	}
	return start >= end;
}

/* Top-down search for len bytes of free address space below MMAP_BASE. */
static uaddr_t unmapped_area(struct mm *mm, u64 len)
{
	uaddr_t top = MMAP_BASE;
	struct vm_area *v;

	/* Walk VMAs from the highest down, looking for a gap below top. */
	for (v = list_entry(mm->vmas.prev, struct vm_area, node); &v->node != &mm->vmas;
	     v = list_entry(v->node.prev, struct vm_area, node)) {
		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = MIN(top, v->start);
	}
	if (top >= MMAP_MIN_ADDR + len)
		return top - len;
	return 0;
}

static u32 prot_to_vm(int prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

long do_munmap(struct mm *mm, uaddr_t addr, u64 len)
{
	struct vm_area *v, *t;
	uaddr_t end;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || !len || len > TASK_SIZE)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = addr + len;
	if (end < addr || end > TASK_SIZE)
		return -EINVAL;
	list_for_each_entry_safe(v, t, &mm->vmas, node) {
		if (v->end <= addr || v->start >= end)
			continue;
		if (!(v = vma_clip(v, addr, end, &t)))
			return -ENOMEM;
		zap_range(mm, v->start, v->end);
		vma_free(v);
	}
	return 0;
}

/* Allocate and map every missing page of [start, end) of a shared anonymous VMA now, so
 * fork shares them (demand faults after fork would give each process its own page). */
static int populate_shared(struct mm *mm, uaddr_t start, uaddr_t end, u32 vmflags)
{
	for (uaddr_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = pte_walk(mm, va, true);
		paddr_t pa;

		if (!pte)
			return -ENOMEM;
		if (*pte & PTE_P)
			continue;
		pa = page_alloc();
		if (!pa)
			return -ENOMEM;
		*pte = pa | vma_pte_bits(vmflags);
		mm->rss++;
	}
	plat_mm_changed(mm, start, end);
	return 0;
}

long do_mmap(struct mm *mm, uaddr_t addr, u64 len, int prot, int flags, struct file *file,
	     u64 off)
{
	int type = flags & MAP_TYPE;
	struct vm_area *v;
	u32 vmf;
	long err;

	if (!len)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!(flags & MAP_ANONYMOUS) && (off + len < off || off + len > (u64)INT64_MAX))
		return -EOVERFLOW;
	if ((flags & MAP_ANONYMOUS) && type == MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		file = NULL;
	else if (file && (err = file_mmap_check(file, prot, flags)))
		return err;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!IS_ALIGNED(addr, PAGE_SIZE))
			return -EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (flags & MAP_FIXED_NOREPLACE && !range_is_free(mm, addr, addr + len))
			return -EEXIST;
		if ((err = do_munmap(mm, addr, len)))
			return err;
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (!addr || addr < MMAP_MIN_ADDR || addr + len > TASK_SIZE || addr + len < addr ||
		    !range_is_free(mm, addr, addr + len))
			addr = unmapped_area(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	vmf = prot_to_vm(prot);
	if (type != MAP_PRIVATE)
		vmf |= VM_SHARED;
	if (flags & MAP_GROWSDOWN)
		vmf |= VM_GROWSDOWN;
	v = vma_new(addr, addr + len, vmf, file, off);
	if (!v)
		return -ENOMEM;
	vma_insert(mm, v);
	if ((vmf & VM_SHARED) && !file) {
		if ((err = populate_shared(mm, v->start, v->end, v->flags))) {
			do_munmap(mm, addr, len);
			return err;
		}
		return addr;
	}
	vma_merge_around(mm, v);
	return addr;
}

struct prot_arg {
	u32 flags;
};

static void reprotect_one(struct mm *mm, uaddr_t va, pte_t *pte, void *arg)
{
	struct prot_arg *a = arg;
	pte_t bits = vma_pte_bits(a->flags);

	(void)mm;
	(void)va;
	if (*pte & PTE_COW)
		bits = (bits & ~PTE_W) | PTE_COW;	/* stays shared until written */
	*pte = (*pte & PTE_ADDR) | bits;
}

long do_mprotect(struct mm *mm, uaddr_t addr, u64 len, int prot)
{
	struct vm_area *v, *t;
	uaddr_t end;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC |
						     PROT_GROWSDOWN | PROT_GROWSUP)))
		return -EINVAL;
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (!len)
		return 0;
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	/* x86 has no grows-up stacks; grows-down only applies to a grows-down VMA. */
	if ((prot & PROT_GROWSUP) ||
	    ((prot & PROT_GROWSDOWN) && !(vma_find(mm, addr)->flags & VM_GROWSDOWN)))
		return -EINVAL;
	list_for_each_entry_safe(v, t, &mm->vmas, node) {
		struct prot_arg a;

		if (v->end <= addr || v->start >= end)
			continue;
		if (!(v = vma_clip(v, addr, end, &t)))
			return -ENOMEM;
		v->flags = (v->flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | prot_to_vm(prot);
		a.flags = v->flags;
		pte_range_walk(mm, v->start, v->end, reprotect_one, &a);
		plat_mm_changed(mm, v->start, v->end);
	}
	vma_merge_range(mm, addr, end);
	return 0;
}

long do_brk(struct mm *mm, uaddr_t brk)
{
	uaddr_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE), new_end = ALIGN_UP(brk, PAGE_SIZE);

	if (brk < mm->brk_start || brk > TASK_SIZE)
		return mm->brk;
	if (new_end < old_end) {
		if (do_munmap(mm, new_end, old_end - new_end))
			return mm->brk;
	} else if (new_end > old_end) {
		if (!range_is_free(mm, old_end, new_end))
			return mm->brk;
		if (do_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0)
			return mm->brk;
	}
	mm->brk = brk;
	return brk;
}

struct move_arg {
	struct mm *mm;
	s64 delta;
};

static void move_one(struct mm *mm, uaddr_t va, pte_t *pte, void *arg)
{
	struct move_arg *a = arg;
	pte_t *dst = pte_walk(mm, va + a->delta, true);

	if (dst) {
		*dst = *pte;
		*pte = 0;
	}
}

/* mremap's move: a new VMA at dst with the same backing as [old, old + old_len) of v,
 * the PTEs carried over, then the old range unmapped. */
static long mremap_move(struct mm *mm, struct vm_area *v, uaddr_t old, u64 old_len,
			uaddr_t dst, u64 new_len)
{
	u64 off = v->file ? v->off + (old - v->start) : 0;
	struct vm_area *n = vma_new(dst, dst + new_len, v->flags, v->file, off);
	struct move_arg a = { mm, (s64)(dst - old) };
	long r;

	if (!n)
		return -ENOMEM;
	vma_insert(mm, n);
	pte_range_walk(mm, old, old + old_len, move_one, &a);
	plat_mm_changed(mm, dst, dst + old_len);
	r = do_munmap(mm, old, old_len);
	if (r)
		return r;
	if ((n->flags & VM_SHARED) && !n->file && new_len > old_len &&
	    populate_shared(mm, dst + old_len, dst + new_len, n->flags))
		return -ENOMEM;
	vma_merge_range(mm, dst, dst + new_len);
	return dst;
}

/* Grow v (which ends at old + old_len) in place to old + new_len. */
static long mremap_grow(struct mm *mm, struct vm_area *v, uaddr_t old, u64 new_len)
{
	uaddr_t end = v->end;

	if (v->file || (v->flags & VM_SHARED)) {
		struct vm_area *n = vma_new(end, old + new_len, v->flags, v->file,
					    v->off + (end - v->start));
		if (!n)
			return -ENOMEM;
		list_add(&n->node, &v->node);
		if (!v->file && populate_shared(mm, end, old + new_len, v->flags))
			return -ENOMEM;
	} else {
		v->end = old + new_len;
		vma_merge_around(mm, v);
	}
	return old;
}

long do_mremap(struct mm *mm, uaddr_t old, u64 old_len, u64 new_len, int flags, uaddr_t new_addr)
{
	struct vm_area *v;
	uaddr_t dst;
	long r;

	if (!IS_ALIGNED(old, PAGE_SIZE) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	if (old_len > TASK_SIZE || new_len > TASK_SIZE)
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len)
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		dst = new_addr;
		if (!IS_ALIGNED(dst, PAGE_SIZE) || dst + new_len > TASK_SIZE ||
		    (dst < old + old_len && old < dst + new_len))
			return -EINVAL;
		if (dst < MMAP_MIN_ADDR)
			return -EPERM;
		v = vma_find(mm, old);
		if (!v || old + old_len > v->end)
			return -EFAULT;
		if ((r = do_munmap(mm, dst, new_len)))
			return r;
		if (new_len < old_len) {
			if ((r = do_munmap(mm, old + new_len, old_len - new_len)))
				return r;
			old_len = new_len;
		}
		/* The unmaps above may have split or freed the VMA: look it up again. */
		v = vma_find(mm, old);
		if (!v || old + old_len > v->end)
			return -EFAULT;
		return mremap_move(mm, v, old, old_len, dst, new_len);
	}
	if (new_len <= old_len) {
		/* Shrinking is an unmap of the tail, wherever the VMAs after the first lie
		 * (as Linux); there must be a mapping at old. */
		if (!vma_find(mm, old))
			return -EFAULT;
		if (new_len < old_len && (r = do_munmap(mm, old + new_len, old_len - new_len)))
			return r;
		return old;
	}
	v = vma_find(mm, old);
	if (!v || old + old_len > v->end)
		return -EFAULT;
	if (!old_len && !(v->flags & VM_SHARED))
		return -EINVAL;
	if (old + old_len == v->end && old + new_len <= TASK_SIZE &&
	    range_is_free(mm, v->end, old + new_len))
		return mremap_grow(mm, v, old, new_len);
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	dst = unmapped_area(mm, new_len);
	if (!dst)
		return -ENOMEM;
	return mremap_move(mm, v, old, old_len, dst, new_len);
}

long do_madvise(struct mm *mm, uaddr_t addr, u64 len, int advice)
{
	struct vm_area *v;
	uaddr_t end;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || len > TASK_SIZE)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = addr + len;
	if (end < addr)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE:
	case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP:
	case MADV_DODUMP: case MADV_COLD: case MADV_PAGEOUT: case MADV_DONTNEED:
		break;
	default:
		return -EINVAL;
	}
	if (end == addr)
		return 0;
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	if (advice != MADV_DONTNEED)
		return 0;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= addr || v->start >= end)
			continue;
		if (v->flags & VM_SHARED)
			continue;	/* shared pages keep their content */
		zap_range(mm, MAX(v->start, addr), MIN(v->end, end));
	}
	return 0;
}

struct fork_arg {
	struct mm *child;
	struct vm_area *vma;
	int err;
};

static void fork_one(struct mm *parent, uaddr_t va, pte_t *pte, void *arg)
{
	struct fork_arg *a = arg;
	pte_t *dst = pte_walk(a->child, va, true);

	(void)parent;
	if (!dst) {
		a->err = -ENOMEM;
		return;
	}
	/* Every private page is copy-on-write from now on, read-only ones too: a later
	 * mprotect may make them writable. */
	if (!(a->vma->flags & VM_SHARED))
		*pte = (*pte & ~PTE_W) | PTE_COW;
	*dst = *pte;
	page_get(*pte & PTE_ADDR);
	a->child->rss++;
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *mm = mm_create();
	struct vm_area *v;

	if (!mm)
		return NULL;
	mm->brk_start = parent->brk_start;
	mm->brk = parent->brk;
	mm->stack_top = parent->stack_top;
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	list_for_each_entry(v, &parent->vmas, node) {
		struct vm_area *n = vma_new(v->start, v->end, v->flags, v->file, v->off);
		struct fork_arg a = { mm, v, 0 };

		if (!n)
			goto fail;
		list_add_tail(&n->node, &mm->vmas);
		pte_range_walk(parent, v->start, v->end, fork_one, &a);
		if (a.err)
			goto fail;
		if (!(v->flags & VM_SHARED))
			plat_mm_changed(parent, v->start, v->end);
	}
	plat_mm_changed(mm, 0, TASK_SIZE);
	return mm;
fail:
	mm_put(mm);
	return NULL;
}
