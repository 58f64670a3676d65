/*
 * qk/mm.h - guest physical memory, kernel heap, address spaces.
 *
 * Guest physical memory is one flat range [0, phys_size). qkernel reaches it through a
 * direct map at phys_base (ptrace: an mmap of the guest-memory memfd in the sandbox
 * process; kvm: a fixed kernel virtual range). Page tables are real x86-64 4-level tables
 * stored in guest physical memory, so the kvm platform loads them into CR3 unchanged and
 * the ptrace platform mirrors them into the stub as mmaps of the memfd.
 *
 *   user   [0x0000_0000_1000, TASK_SIZE)          guest programs
 *   stub   [TASK_SIZE, 0x8000_0000_0000)          ptrace platform: stub code, stack, vdso
 */
#ifndef QK_MM_H
#define QK_MM_H

#include <qk/types.h>
#include <qk/list.h>

#define TASK_SIZE		0x7fff00000000UL
#define USER_STACK_TOP		0x7ffeffffe000UL	/* top of the initial stack */
#define USER_STACK_MAX		(8UL << 20)		/* default RLIMIT_STACK */
#define MMAP_BASE		0x7ffe00000000UL	/* top-down mmap search starts below */
#define MMAP_MIN_ADDR		0x10000UL

extern u8 *phys_base;
extern u64 phys_size;
static inline void *__va(paddr_t pa) { return phys_base + pa; }
static inline paddr_t __pa(const void *p) { return (paddr_t)((const u8 *)p - phys_base); }

/* Page allocator. Pages are refcounted; page_alloc returns a zeroed page with count 1,
 * or 0 when memory is exhausted (physical page 0 is never handed out). */
void pmm_init(paddr_t start, paddr_t end);
paddr_t page_alloc(void);
paddr_t pages_alloc(unsigned order);		/* 2^order contiguous pages, count 1 each */
paddr_t pages_alloc_nozero(unsigned order);	/* the same, content undefined */
void pages_free(paddr_t pa, unsigned order);	/* for pages_alloc results */
void page_get(paddr_t pa);
void page_put(paddr_t pa);			/* frees when the count drops to 0 */
unsigned page_count(paddr_t pa);
u64 pmm_free_pages(void);
u64 pmm_total_pages(void);

/* Kernel heap (backed by pages_alloc; any size). */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kfree(void *p);

/* x86-64 page-table entry bits. */
#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_COW		(1ULL << 9)	/* software: read-only because shared copy-on-write */
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
typedef u64 pte_t;

/* VMA flags (vm_area.flags). */
#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_EXEC		0x4
#define VM_SHARED	0x8
#define VM_GROWSDOWN	0x100
#define VM_STACK	0x200
#define VM_HEAP		0x400

struct file;

struct vm_area {
	struct list_head node;	/* in mm->vmas, sorted by start */
	uaddr_t start, end;	/* page aligned, [start, end) */
	u32 flags;		/* VM_* */
	struct file *file;	/* NULL for anonymous; holds a reference */
	u64 off;		/* file offset of start, in bytes */
};

struct mm {
	int refs;
	paddr_t pgd;		/* PML4 */
	struct list_head vmas;
	uaddr_t brk_start, brk;
	uaddr_t stack_top;
	uaddr_t arg_start, arg_end, env_start, env_end;
	u64 rss;		/* resident user pages */
	void *plat;		/* platform private (ptrace: the stub) */
};

struct mm *mm_create(void);
struct mm *mm_fork(struct mm *parent);		/* copy-on-write copy */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);

struct vm_area *vma_find(struct mm *mm, uaddr_t addr);	/* vma containing addr */
/* Map [addr, addr+len). flags are MAP_* (MAP_FIXED honoured); file may be NULL.
 * Returns the address or a negative errno. */
long do_mmap(struct mm *mm, uaddr_t addr, u64 len, int prot, int flags,
	     struct file *file, u64 off);
long do_munmap(struct mm *mm, uaddr_t addr, u64 len);
long do_mprotect(struct mm *mm, uaddr_t addr, u64 len, int prot);
long do_mremap(struct mm *mm, uaddr_t old, u64 old_len, u64 new_len, int flags, uaddr_t new_addr);
long do_brk(struct mm *mm, uaddr_t brk);
long do_madvise(struct mm *mm, uaddr_t addr, u64 len, int advice);

/* Page faults. access is a mask of FAULT_*; returns 0 when the access may now proceed,
 * -EFAULT (no mapping: SEGV_MAPERR), -EACCES (protection: SEGV_ACCERR), -ENOMEM. */
#define FAULT_READ	0x1
#define FAULT_WRITE	0x2
#define FAULT_EXEC	0x4
int handle_mm_fault(struct mm *mm, uaddr_t addr, int access);

/* Page-table helpers. pte_walk returns the PTE slot for va (allocating tables when
 * alloc), or NULL. */
pte_t *pte_walk(struct mm *mm, uaddr_t va, bool alloc);
/* Visit every present leaf PTE in [start, end). */
void pte_range_walk(struct mm *mm, uaddr_t start, uaddr_t end,
		    void (*fn)(struct mm *mm, uaddr_t va, pte_t *pte, void *arg), void *arg);
/* Guest physical [start, end) is about to be used for the first time (the platform may
 * populate its backing in bulk rather than page by page). */
void plat_mem_first_use(paddr_t start, paddr_t end);
/* Called after PTEs in [start, end) of mm changed (the platform mirrors or flushes). */
void plat_mm_changed(struct mm *mm, uaddr_t start, uaddr_t end);
void plat_mm_destroy(struct mm *mm);

#endif
