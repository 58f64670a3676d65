/*
 * tests/unit/test_vma.c - table-driven tests of qkernel's memory manager: VMA split and
 * merge, mmap/munmap/mprotect/brk/mremap/madvise results and errnos (Linux's, checked
 * natively on Linux 6.18), demand paging of anonymous and file-backed pages, and
 * copy-on-write after mm_fork.
 *
 * The real guest/mm/{pmm,kmalloc,pgtable,vma,fault}.c and guest/lib/{string,printf,
 * printk}.c, compiled with qkernel's own flags (tests/unit/build.mk), run here on top of
 * tests/unit/mm_harness.c. Each row starts from a fresh mm, runs its ops (each with an
 * expected return value), then compares the VMA list(s). After every op the harness
 * checks, for every live address space, that each changed PTE lies in a range reported
 * to plat_mm_changed (the ptrace platform re-mirrors exactly those), and that page
 * counts, rss, copy-on-write, the VMA list and file references are consistent. After the
 * row every mm is released and the free page count must be back where it was.
 *
 * VMA lists follow qkernel's rule: adjacent anonymous VMAs with equal flags merge, file
 * VMAs never do. Rows whose expectation qkernel does not meet yet are TODO (a reported
 * bug): they print "# TODO" and do not fail the test.
 */
#include "mm_harness.h"
#include "tap.h"

#include <qk/lib.h>
#include <errno.h>
#include <sys/mman.h>

enum kind {
	K_END, K_MMAP, K_MUNMAP, K_MPROTECT, K_BRKAT, K_BRK, K_MREMAP, K_MADVISE, K_FAULT,
	K_READ, K_WRITE, K_FORK, K_EXIT, K_COUNT, K_PTE, K_RSS, K_FBYTE,
};
static const char *const kind_names[] = {
	"end", "mmap", "munmap", "mprotect", "brk start", "brk", "mremap", "madvise", "fault",
	"read", "write", "fork", "exit", "page_count", "pte", "rss", "file byte",
};

struct op {
	enum kind k;
	int mm;			/* 0: the row's address space, 1: its fork child */
	u64 a, b, c, d, e;	/* arguments, in the order the do_* function takes them */
	long want;		/* the expected return value */
};

#define OP(k, m, a, b, c, d, e, w) \
	{ k, m, (u64)(a), (u64)(b), (u64)(c), (u64)(d), (u64)(e), (long)(w) }
#define MMAP(addr, len, prot, flags, off, w)	OP(K_MMAP, 0, addr, len, prot, flags, off, w)
#define MUNMAP(addr, len, w)			OP(K_MUNMAP, 0, addr, len, 0, 0, 0, w)
#define MPROT(addr, len, prot, w)		OP(K_MPROTECT, 0, addr, len, prot, 0, 0, w)
#define BRKAT(addr)				OP(K_BRKAT, 0, addr, 0, 0, 0, 0, 0) /* brk_start */
#define BRK(addr, w)				OP(K_BRK, 0, addr, 0, 0, 0, 0, w)
#define MREMAP(old, olen, nlen, fl, naddr, w)	OP(K_MREMAP, 0, old, olen, nlen, fl, naddr, w)
#define MADV(addr, len, advice, w)		OP(K_MADVISE, 0, addr, len, advice, 0, 0, w)
#define FAULT(addr, access, w)			OP(K_FAULT, 0, addr, access, 0, 0, 0, w)
#define RD(addr, w)				OP(K_READ, 0, addr, 0, 0, 0, 0, w)
#define WR(addr, val)				OP(K_WRITE, 0, addr, val, 0, 0, 0, 0)
#define WR_ERR(addr, val, w)			OP(K_WRITE, 0, addr, val, 0, 0, 0, w)
#define FORK					OP(K_FORK, 0, 0, 0, 0, 0, 0, 0)
#define EXIT					OP(K_EXIT, 1, 0, 0, 0, 0, 0, 0) /* the child */
#define COUNT(addr, w)				OP(K_COUNT, 0, addr, 0, 0, 0, 0, w)
#define PTE(addr, w)				OP(K_PTE, 0, addr, 0, 0, 0, 0, w)
#define RSS(w)					OP(K_RSS, 0, 0, 0, 0, 0, 0, w)
#define FBYTE(off, w)				OP(K_FBYTE, 0, off, 0, 0, 0, 0, w)
/* the same in the fork child */
#define C_MUNMAP(addr, len, w)			OP(K_MUNMAP, 1, addr, len, 0, 0, 0, w)
#define C_MPROT(addr, len, prot, w)		OP(K_MPROTECT, 1, addr, len, prot, 0, 0, w)
#define C_MREMAP(old, olen, nlen, fl, naddr, w)	OP(K_MREMAP, 1, old, olen, nlen, fl, naddr, w)
#define C_RD(addr, w)				OP(K_READ, 1, addr, 0, 0, 0, 0, w)
#define C_WR(addr, val)				OP(K_WRITE, 1, addr, val, 0, 0, 0, 0)
#define C_COUNT(addr, w)			OP(K_COUNT, 1, addr, 0, 0, 0, 0, w)
#define C_PTE(addr, w)				OP(K_PTE, 1, addr, 0, 0, 0, 0, w)

/* An expected VMA: [start, end), VM_* flags, plus F_FILE and the file offset. */
#define F_FILE		0x10000u
struct vexp {
	uaddr_t start, end;
	u32 flags;
	u64 off;
};
#define V(s, e, f)		{ (s), (e), (f), 0 }
#define VF(s, e, f, off)	{ (s), (e), (f) | F_FILE, (off) }

#define MAX_OPS		16
#define MAX_VMAS	6
struct row {
	const char *name;
	struct op ops[MAX_OPS];		/* up to the first K_END */
	struct vexp vmas[MAX_VMAS];	/* mm 0 afterwards, up to the first end == 0 */
	struct vexp cvmas[MAX_VMAS];	/* the fork child afterwards, if it is alive */
	bool loose;			/* compare after merging adjacent anonymous VMAs with
					 * equal flags: the granularity is not the point */
	const char *todo;		/* a reported bug: why the row fails today */
};

#define P		PAGE_SIZE
#define BASE		0x10000000UL
#define A(n)		(BASE + (u64)(n) * P)
#define MB		MMAP_BASE
#define PRIV		(MAP_PRIVATE | MAP_ANONYMOUS)
#define SHAN		(MAP_SHARED | MAP_ANONYMOUS)
#define FPRIV		MAP_PRIVATE		/* of the file */
#define FIX		MAP_FIXED
#define NOREPL		MAP_FIXED_NOREPLACE
#define NONE		PROT_NONE
#define RO		PROT_READ
#define RW		(PROT_READ | PROT_WRITE)
#define RX		(PROT_READ | PROT_EXEC)
#define RWX		(PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAYMOVE		MREMAP_MAYMOVE
#define MFIXED		(MREMAP_MAYMOVE | MREMAP_FIXED)
#define VR		VM_READ
#define VRW		(VM_READ | VM_WRITE)
#define VRX		(VM_READ | VM_EXEC)
#define VRWX		(VM_READ | VM_WRITE | VM_EXEC)
#define VS		VM_SHARED
#define PTE_MASK	(PTE_P | PTE_W | PTE_U | PTE_COW | PTE_NX)	/* what PTE() compares */
#define PTE_RW_		(long)(PTE_P | PTE_U | PTE_W | PTE_NX)
#define PTE_RO_		(long)(PTE_P | PTE_U | PTE_NX)
#define PTE_COW_	(long)(PTE_P | PTE_U | PTE_COW | PTE_NX)
#define PTE_NONE_	(long)(PTE_P | PTE_NX)
#define FB(off)		((long)FILE_BYTE(off))	/* the file's byte at off */

static const struct row rows[] = {
	/* ---- placement and merging ---- */
	{ .name = "mmap without a hint goes top-down below MMAP_BASE",
	  .ops = { MMAP(0, 2 * P, RW, PRIV, 0, MB - 2 * P), MMAP(0, P, RO, PRIV, 0, MB - 3 * P) },
	  .vmas = { V(MB - 3 * P, MB - 2 * P, VR), V(MB - 2 * P, MB, VRW) } },
	{ .name = "a free hint is used, rounded down to a page",
	  .ops = { MMAP(A(5) + 123, P, RW, PRIV, 0, A(5)) },
	  .vmas = { V(A(5), A(6), VRW) } },
	{ .name = "a taken hint falls back to the top-down search",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), MMAP(A(1), P, RW, PRIV, 0, MB - P) },
	  .vmas = { V(A(0), A(2), VRW), V(MB - P, MB, VRW) } },
	{ .name = "adjacent anonymous mappings merge (below, above, both sides)",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(1), P, RW, PRIV | FIX, 0, A(1)),
	    MMAP(A(3), P, RW, PRIV | FIX, 0, A(3)), MMAP(A(2), P, RW, PRIV | FIX, 0, A(2)) },
	  .vmas = { V(A(0), A(4), VRW) } },
	{ .name = "different protections, shared memory or a file do not merge",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(1), P, RO, PRIV | FIX, 0, A(1)),
	    MMAP(A(2), P, RO, FPRIV | FIX, 0, A(2)), MMAP(A(3), P, RW, SHAN | FIX, 0, A(3)),
	    MMAP(A(4), P, RW, PRIV | FIX, 0, A(4)), RSS(1) },
	  .vmas = { V(A(0), A(1), VRW), V(A(1), A(2), VR), VF(A(2), A(3), VR, 0),
		    V(A(3), A(4), VRW | VS), V(A(4), A(5), VRW) } },

	/* ---- munmap ---- (a fault maps up to 16 missing pages of its VMA: fault around) */
	{ .name = "munmap in the middle splits a VMA into two",
	  .ops = { MMAP(A(0), 5 * P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'a'), WR(A(2), 'b'),
	    WR(A(4), 'c'), MUNMAP(A(2), P, 0), RSS(4), RD(A(2), -EFAULT),
	    RD(A(4), 'c') },
	  .vmas = { V(A(0), A(2), VRW), V(A(3), A(5), VRW) } },
	{ .name = "munmap across several VMAs trims both ends and drops the middle",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(2), 2 * P, RO, PRIV | FIX, 0, A(2)),
	    MMAP(A(4), 2 * P, RWX, PRIV | FIX, 0, A(4)), MUNMAP(A(1), 4 * P, 0) },
	  .vmas = { V(A(0), A(1), VRW), V(A(5), A(6), VRWX) } },
	{ .name = "munmap rounds the length up and skips holes; unmapped ranges are fine",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(2), 2 * P, RW, PRIV | FIX, 0, A(2)), MUNMAP(A(0), 2 * P + 1, 0),
	    MUNMAP(A(8), P, 0) },
	  .vmas = { V(A(3), A(4), VRW) } },
	{ .name = "munmap errors: unaligned, zero, huge, past TASK_SIZE (EINVAL)",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MUNMAP(A(0) + 1, P, -EINVAL),
	    MUNMAP(A(0), 0, -EINVAL), MUNMAP(A(0), -1UL, -EINVAL),
	    MUNMAP(TASK_SIZE - P, 2 * P, -EINVAL), MUNMAP(TASK_SIZE, P, -EINVAL) },
	  .vmas = { V(A(0), A(1), VRW) } },

	/* ---- mprotect ---- */
	{ .name = "mprotect of a middle range splits a VMA into three",
	  .ops = { MMAP(A(0), 3 * P, RW, PRIV | FIX, 0, A(0)), MPROT(A(1), P, RO, 0) },
	  .vmas = { V(A(0), A(1), VRW), V(A(1), A(2), VR), V(A(2), A(3), VRW) } },
	{ .name = "mprotect across a VMA boundary splits both ends and merges the middle",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(2), 2 * P, RO, PRIV | FIX, 0, A(2)),
	    MPROT(A(1), 2 * P, RWX, 0) },
	  .vmas = { V(A(0), A(1), VRW), V(A(1), A(3), VRWX), V(A(3), A(4), VR) } },
	{ .name = "mprotect back to the old protection merges the pieces again",
	  .ops = { MMAP(A(0), 3 * P, RW, PRIV | FIX, 0, A(0)), MPROT(A(1), P, RO, 0),
	    MPROT(A(1), P, RW, 0) },
	  .vmas = { V(A(0), A(3), VRW) } },
	{ .name = "mprotect rewrites the PTEs of present pages",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'x'), PTE(A(0), PTE_RW_),
	    MPROT(A(0), 2 * P, RO, 0), PTE(A(0), PTE_RO_),
	    WR_ERR(A(0), 'y', -EACCES), RD(A(0), 'x') },
	  .vmas = { V(A(0), A(2), VR) } },
	{ .name = "PROT_NONE keeps the page; restoring access brings its content back",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'n'),
	    MPROT(A(0), P, NONE, 0), PTE(A(0), PTE_NONE_), RD(A(0), -EACCES),
	    MPROT(A(0), P, RW, 0), RD(A(0), 'n'), RSS(1) },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "mprotect errors: unaligned, bad prot (EINVAL); huge, holes (ENOMEM); len 0: 0",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(2), P, RW, PRIV | FIX, 0, A(2)),
	    MPROT(A(0) + 1, P, RO, -EINVAL), MPROT(A(0), P, 0x100, -EINVAL),
	    MPROT(A(0), 0, RO, 0), MPROT(A(8), 0, RO, 0),
	    MPROT(A(0), -1UL, RO, -ENOMEM), MPROT(A(1), 2 * P, RO, -ENOMEM),
	    MPROT(A(8), 1, RO, -ENOMEM) },
	  .vmas = { V(A(0), A(1), VRW), V(A(2), A(3), VRW) } },
	{ .name = "mprotect PROT_GROWSDOWN/PROT_GROWSUP on a VMA that does not grow: EINVAL",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)),
	    MPROT(A(0), P, RO | PROT_GROWSDOWN, -EINVAL),
	    MPROT(A(0), P, RO | PROT_GROWSUP, -EINVAL) },
	  .vmas = { V(A(0), A(1), VRW) } },

	/* ---- MAP_FIXED ---- */
	{ .name = "MAP_FIXED over an existing mapping replaces it with fresh pages",
	  .ops = { MMAP(A(0), 4 * P, RW, PRIV | FIX, 0, A(0)), WR(A(1), 'o'), WR(A(3), 'k'),
	    MMAP(A(1), 2 * P, RO, PRIV | FIX, 0, A(1)), RSS(1), RD(A(1), 0),
	    RD(A(3), 'k'), RSS(3) },
	  .vmas = { V(A(0), A(1), VRW), V(A(1), A(3), VR), V(A(3), A(4), VRW) } },
	{ .name = "MAP_FIXED with the same protection merges with both sides again",
	  .ops = { MMAP(A(0), 3 * P, RW, PRIV | FIX, 0, A(0)), WR(A(1), 'o'),
	    MMAP(A(1), P, RW, PRIV | FIX, 0, A(1)), RD(A(1), 0) },
	  .vmas = { V(A(0), A(3), VRW) } },
	{ .name = "MAP_FIXED_NOREPLACE: EEXIST over a mapping, maps a free range, EINVAL unaligned",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(1), 2 * P, RO, PRIV | NOREPL, 0, -EEXIST),
	    MMAP(A(2), P, RO, PRIV | NOREPL, 0, A(2)),
	    MMAP(A(3) + 1, P, RO, PRIV | NOREPL, 0, -EINVAL) },
	  .vmas = { V(A(0), A(2), VRW), V(A(2), A(3), VR) } },
	{ .name = "mmap errors: len 0, bad type, unaligned offset or address (EINVAL), "
	  "huge or past TASK_SIZE (ENOMEM), file offset overflow (EOVERFLOW)",
	  .ops = { MMAP(A(0), 0, RW, PRIV, 0, -EINVAL),
	    MMAP(A(0), P, RW, MAP_ANONYMOUS, 0, -EINVAL),
	    MMAP(A(0), P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, 0, -EINVAL),
	    MMAP(A(0), P, RW, 0xf | MAP_ANONYMOUS, 0, -EINVAL),
	    MMAP(A(0), P, RW, PRIV, 1, -EINVAL), MMAP(A(0), -1UL, RW, PRIV, 0, -ENOMEM),
	    MMAP(A(0), TASK_SIZE + P, RW, PRIV, 0, -ENOMEM),
	    MMAP(A(0) + 1, P, RW, PRIV | FIX, 0, -EINVAL),
	    MMAP(TASK_SIZE - P, 2 * P, RW, PRIV | FIX, 0, -ENOMEM),
	    MMAP(-P, 2 * P, RW, PRIV | FIX, 0, -ENOMEM),
	    MMAP(A(0), 2 * P, RO, FPRIV, -P, -EOVERFLOW),
	    MMAP(A(0), P, RW, PRIV | FIX, -P, A(0)) /* anonymous: the offset is ignored */ },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "file offset + length past the largest file size: EOVERFLOW",
	  .ops = { MMAP(A(0), P, RO, FPRIV, 0x7ffffffffffff000UL, -EOVERFLOW),
	    MMAP(A(0), P, RO, FPRIV, 0x8000000000000000UL, -EOVERFLOW) },
	  .vmas = { { 0 } } },
	{ .name = "MAP_FIXED below mmap_min_addr: EPERM (Linux without CAP_SYS_RAWIO)",
	  .ops = { MMAP(0, P, RW, PRIV | FIX, 0, -EPERM),
	    MMAP(P, P, RW, PRIV | NOREPL, 0, -EPERM) },
	  .vmas = { { 0 } } },

	/* ---- brk ---- */
	{ .name = "brk grows the heap and shrinks it, freeing the pages",
	  .ops = { BRKAT(A(0)), BRK(A(0) + 0x2500, A(0) + 0x2500), WR(A(2), 'h'),
	    BRK(A(0) + 0x800, A(0) + 0x800), RSS(0), RD(A(2), -EFAULT) },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "brk(0), brk below the start or into a mapping return the current break",
	  .ops = { BRKAT(A(0)), BRK(0, A(0)), BRK(A(0) - P, A(0)),
	    MMAP(A(2), P, RO, PRIV | FIX, 0, A(2)), BRK(A(3), A(0)),
	    BRK(A(1) + 5, A(1) + 5), BRK(A(3), A(1) + 5) },
	  .vmas = { V(A(0), A(2), VRW), V(A(2), A(3), VR) } },
	{ .name = "the heap merges with the anonymous mapping below it (bss)",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), BRKAT(A(1)), BRK(A(3), A(3)),
	    WR(A(2), 'h'), BRK(A(2), A(2)), RSS(0) },
	  .vmas = { V(A(0), A(2), VRW) } },

	/* ---- mremap ---- */
	{ .name = "mremap grows in place and keeps the content",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), WR(A(1), 'g'),
	    MREMAP(A(0), 2 * P, 4 * P, 0, 0, A(0)), RD(A(1), 'g') },
	  .vmas = { V(A(0), A(4), VRW) } },
	{ .name = "mremap growing in place merges with the next VMA",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(2), P, RW, PRIV | FIX, 0, A(2)),
	    MREMAP(A(0), P, 2 * P, 0, 0, A(0)) },
	  .vmas = { V(A(0), A(3), VRW) } },
	{ .name = "mremap growth blocked: ENOMEM without MREMAP_MAYMOVE",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(1), P, RO, PRIV | FIX, 0, A(1)),
	    MREMAP(A(0), P, 2 * P, 0, 0, -ENOMEM) },
	  .vmas = { V(A(0), A(1), VRW), V(A(1), A(2), VR) } },
	{ .name = "mremap growth blocked, MREMAP_MAYMOVE: the pages move to a new range",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), WR(A(0) + 9, 'm'),
	    MMAP(A(1), P, RO, PRIV | FIX, 0, A(1)),
	    MREMAP(A(0), P, 3 * P, MAYMOVE, 0, MB - 3 * P), RSS(1), RD(MB - 3 * P + 9, 'm'),
	    RD(A(0), -EFAULT), RD(MB - P, 0), RSS(2) },
	  .vmas = { V(A(1), A(2), VR), V(MB - 3 * P, MB, VRW) } },
	{ .name = "mremap shrinks in place, unmapping the tail",
	  .ops = { MMAP(A(0), 4 * P, RW, PRIV | FIX, 0, A(0)), WR(A(3), 't'),
	    MREMAP(A(0), 4 * P, P + 1, 0, 0, A(0)), RSS(0) },
	  .vmas = { V(A(0), A(2), VRW) } },
	{ .name = "MREMAP_FIXED moves to new_addr, replacing what was there",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), WR(A(1), 'f'),
	    MMAP(A(8), P, RO, PRIV | FIX, 0, A(8)),
	    MREMAP(A(0), 2 * P, 2 * P, MFIXED, A(8), A(8)), RD(A(9), 'f'),
	    RD(A(0), -EFAULT) },
	  .vmas = { V(A(8), A(10), VRW) } },
	{ .name = "MREMAP_FIXED to a smaller size moves the head and drops the rest",
	  .ops = { MMAP(A(0), 3 * P, RW, PRIV | FIX, 0, A(0)), WR(A(0), '1'), WR(A(2), '3'),
	    MREMAP(A(0), 3 * P, P, MFIXED, A(8), A(8)), RD(A(8), '1'), RSS(1) },
	  .vmas = { V(A(8), A(9), VRW) } },
	{ .name = "MREMAP_FIXED next to a compatible VMA merges with it",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(4), P, RW, PRIV | FIX, 0, A(4)),
	    MREMAP(A(0), P, P, MFIXED, A(3), A(3)) },
	  .vmas = { V(A(3), A(5), VRW) } },
	{ .name = "MREMAP_FIXED to the start of the VMA being moved from",
	  .ops = { MMAP(A(2), 8 * P, RW, PRIV | FIX, 0, A(2)), WR(A(5), 'u'),
	    MREMAP(A(5), P, P, MFIXED, A(2), A(2)), RD(A(2), 'u'), RD(A(5), -EFAULT) },
	  .vmas = { V(A(2), A(5), VRW), V(A(6), A(10), VRW) }, .loose = true },
	{ .name = "mremap moves a file mapping with its file offset",
	  .ops = { MMAP(A(0), 2 * P, RO, FPRIV | FIX, 2 * P, A(0)),
	    MMAP(A(2), P, RO, PRIV | FIX, 0, A(2)),
	    MREMAP(A(0), 2 * P, 3 * P, MAYMOVE, 0, MB - 3 * P), RD(MB - 3 * P + 5, FB(2 * P + 5)),
	    RD(MB - P + 1, FB(4 * P + 1)) },
	  .vmas = { V(A(2), A(3), VR), VF(MB - 3 * P, MB, VR, 2 * P) } },
	{ .name = "mremap grows a file mapping in place with the following file offsets",
	  .ops = { MMAP(A(0), P, RO, FPRIV | FIX, P, A(0)), MREMAP(A(0), P, 3 * P, 0, 0, A(0)),
	    RD(A(2) + 2, FB(3 * P + 2)) },
	  /* file VMAs never merge in qkernel (only /proc/pid/maps could tell) */
	  .vmas = { VF(A(0), A(1), VR, P), VF(A(1), A(3), VR, 2 * P) } },
	{ .name = "shared anonymous memory stays shared across fork",
	  .ops = { MMAP(A(0), 2 * P, RW, SHAN | FIX, 0, A(0)), RSS(2), FORK, C_WR(A(1), 's'),
	    RD(A(1), 's'), COUNT(A(1), 2), PTE(A(1), PTE_RW_) },
	  .vmas = { V(A(0), A(2), VRW | VS) }, .cvmas = { V(A(0), A(2), VRW | VS) } },
	{ .name = "shared anonymous memory grown in place by mremap stays shared across fork",
	  .ops = { MMAP(A(0), P, RW, SHAN | FIX, 0, A(0)), MREMAP(A(0), P, 2 * P, 0, 0, A(0)), FORK,
	    C_WR(A(1), 's'), RD(A(1), 's') },
	  .vmas = { V(A(0), A(2), VRW | VS) }, .cvmas = { V(A(0), A(2), VRW | VS) }, .loose = true },
	{ .name = "shared anonymous memory moved and grown by mremap stays shared across fork",
	  .ops = { MMAP(A(0), P, RW, SHAN | FIX, 0, A(0)), MMAP(A(1), P, RO, PRIV | FIX, 0, A(1)),
	    MREMAP(A(0), P, 2 * P, MAYMOVE, 0, MB - 2 * P), FORK, C_WR(MB - P, 's'),
	    RD(MB - P, 's') },
	  .vmas = { V(A(1), A(2), VR), V(MB - 2 * P, MB, VRW | VS) },
	  .cvmas = { V(A(1), A(2), VR), V(MB - 2 * P, MB, VRW | VS) } },
	{ .name = "PROT_NONE shared anonymous memory can be moved and grown",
	  .ops = { MMAP(A(0), P, NONE, SHAN | FIX, 0, A(0)),
	    MMAP(A(1), P, RO, PRIV | FIX, 0, A(1)),
	    MREMAP(A(0), P, 2 * P, MAYMOVE, 0, MB - 2 * P) },
	  .vmas = { V(A(1), A(2), VR), V(MB - 2 * P, MB, VS) } },
	{ .name = "mremap errors: EINVAL (alignment, flags, sizes, overlap), EFAULT (not mapped)",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(2), P, RO, PRIV | FIX, 0, A(2)), MREMAP(A(0) + 1, P, 2 * P, 0, 0, -EINVAL),
	    MREMAP(A(0), P, 2 * P, 8, 0, -EINVAL),
	    MREMAP(A(0), P, 2 * P, MREMAP_FIXED, A(8), -EINVAL),
	    MREMAP(A(0), P, 0, 0, 0, -EINVAL), MREMAP(A(0), P, -1UL, MAYMOVE, 0, -EINVAL),
	    MREMAP(A(8), P, 2 * P, 0, 0, -EFAULT), MREMAP(A(0), 3 * P, 4 * P, MAYMOVE, 0, -EFAULT),
	    MREMAP(A(0), 0, P, MAYMOVE, 0, -EINVAL),
	    MREMAP(A(0), 2 * P, 2 * P, MFIXED, A(1), -EINVAL),
	    MREMAP(A(0), P, 2 * P, MFIXED, A(8) + 1, -EINVAL),
	    MREMAP(A(0), P, 2 * P, MFIXED, TASK_SIZE - P, -EINVAL) },
	  .vmas = { V(A(0), A(2), VRW), V(A(2), A(3), VR) } },
	{ .name = "mremap to a size larger than the address space: EINVAL",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)),
	    MREMAP(A(0), P, 0x800000000000UL, MAYMOVE, 0, -EINVAL) },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "mremap shrink of a range spanning two VMAs unmaps the tail",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)),
	    MMAP(A(1), 2 * P, RO, PRIV | FIX, 0, A(1)), MREMAP(A(0), 3 * P, P, 0, 0, A(0)) },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "MREMAP_FIXED to address 0: EPERM (Linux without CAP_SYS_RAWIO)",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MREMAP(A(0), P, P, MFIXED, 0, -EPERM) },
	  .vmas = { V(A(0), A(1), VRW) } },

	/* ---- faults ---- */
	{ .name = "anonymous fault-in maps zeroed writable pages up to the VMA end (fault around)",
	  .ops = { MMAP(A(0), 4 * P, RW, PRIV | FIX, 0, A(0)), FAULT(A(1) + 5, FAULT_READ, 0),
	    RSS(3), PTE(A(1), PTE_RW_), RD(A(1) + 5, 0), WR(A(3) + 7, 'w'), RD(A(3) + 7, 'w'),
	    RSS(3) },
	  .vmas = { V(A(0), A(4), VRW) } },
	{ .name = "file fault-in reads the file at the VMA's offset and faults around",
	  .ops = { MMAP(A(0), 8 * P, RO, FPRIV | FIX, P, A(0)), FAULT(A(0) + 3, FAULT_READ, 0),
	    RSS(8), RD(A(0) + 3, FB(P + 3)), RD(A(6) + 15, FB(7 * P + 15)),
	    PTE(A(0), PTE_RO_) },
	  .vmas = { VF(A(0), A(8), VR, P) } },
	{ .name = "fault-around stops at a present page",
	  .ops = { MMAP(A(0), 8 * P, RO, FPRIV | FIX, 0, A(0)), RD(A(4), FB(4 * P)), RSS(4),
	    RD(A(0), FB(0)), RSS(8), RD(A(7) + 1, FB(7 * P + 1)) },
	  .vmas = { VF(A(0), A(8), VR, 0) } },
	{ .name = "the last file page reads zeroes past end of file",
	  .ops = { MMAP(A(0), P, RO, FPRIV | FIX, 9 * P, A(0)), RD(A(0) + 0x7ff, FB(9 * P + 0x7ff)),
	    RD(A(0) + 0x800, 0) },
	  .vmas = { VF(A(0), A(1), VR, 9 * P) } },
	{ .name = "a private file mapping copies on write; the file is unchanged",
	  .ops = { MMAP(A(0), P, RW, FPRIV | FIX, 0, A(0)), WR(A(0) + 2, 'z'), RD(A(0) + 2, 'z'),
	    RD(A(0) + 3, FB(3)), FBYTE(2, FB(2)) },
	  .vmas = { VF(A(0), A(1), VRW, 0) } },
	{ .name = "fault errors: EFAULT outside every VMA, EACCES against the protection",
	  .ops = { MMAP(A(0), P, RO, PRIV | FIX, 0, A(0)), MMAP(A(1), P, NONE, PRIV | FIX, 0, A(1)),
	    MMAP(A(2), P, RX, PRIV | FIX, 0, A(2)), MMAP(A(3), P, RW, PRIV | FIX, 0, A(3)),
	    FAULT(A(8), FAULT_READ, -EFAULT), FAULT(A(0) - 1, FAULT_READ, -EFAULT),
	    FAULT(A(0), FAULT_WRITE, -EACCES), FAULT(A(1), FAULT_READ, -EACCES),
	    FAULT(A(3), FAULT_EXEC, -EACCES), FAULT(A(2), FAULT_EXEC, 0), RSS(1) },
	  .vmas = { V(A(0), A(1), VR), V(A(1), A(2), 0), V(A(2), A(3), VRX), V(A(3), A(4), VRW) } },
	{ .name = "MADV_DONTNEED drops private pages: anonymous reads zero, a file re-reads",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), MMAP(A(1), P, RW, FPRIV | FIX, 0, A(1)),
	    WR(A(0), 'd'), WR(A(1) + 5, 'z'), MADV(A(0), 2 * P, MADV_DONTNEED, 0),
	    RSS(0), RD(A(0), 0), RD(A(1) + 5, FB(5)) },
	  .vmas = { V(A(0), A(1), VRW), VF(A(1), A(2), VRW, 0) } },
	{ .name = "MADV_DONTNEED keeps shared anonymous content",
	  .ops = { MMAP(A(0), P, RW, SHAN | FIX, 0, A(0)), WR(A(0), 'k'),
	    MADV(A(0), P, MADV_DONTNEED, 0), RD(A(0), 'k') },
	  .vmas = { V(A(0), A(1), VRW | VS) } },
	{ .name = "madvise errors: unaligned, unknown advice, huge (EINVAL); unmapped (ENOMEM)",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)),
	    MADV(A(0) + 1, P, MADV_DONTNEED, -EINVAL), MADV(A(0), P, 12345, -EINVAL),
	    MADV(A(0), -1UL, MADV_NORMAL, -EINVAL),
	    MADV(A(8), P, MADV_DONTNEED, -ENOMEM), MADV(A(8), 0, MADV_DONTNEED, 0) },
	  .vmas = { V(A(0), A(1), VRW) } },

	/* ---- fork and copy-on-write ---- */
	{ .name = "fork shares private pages copy-on-write; the last sharer reuses the page",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK,
	    COUNT(A(0), 2), PTE(A(0), PTE_COW_), C_PTE(A(0), PTE_COW_), C_WR(A(0), 'c'),
	    RD(A(0), 'p'), C_RD(A(0), 'c'), COUNT(A(0), 1), C_COUNT(A(0), 1),
	    WR(A(0), 'q'), PTE(A(0), PTE_RW_), C_RD(A(0), 'c'), C_RD(A(1), 0) },
	  .vmas = { V(A(0), A(2), VRW) }, .cvmas = { V(A(0), A(2), VRW) } },
	{ .name = "the child's exit drops the page count; the parent keeps its pages",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK, COUNT(A(0), 2),
	    EXIT, COUNT(A(0), 1), RD(A(0), 'p'), WR(A(0), 'q'), PTE(A(0), PTE_RW_) },
	  .vmas = { V(A(0), A(1), VRW) } },
	{ .name = "munmap in the child leaves the parent's mapping",
	  .ops = { MMAP(A(0), 2 * P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK,
	    C_MUNMAP(A(0), P, 0), RD(A(0), 'p'), COUNT(A(0), 1) },
	  .vmas = { V(A(0), A(2), VRW) }, .cvmas = { V(A(1), A(2), VRW) } },
	{ .name = "file-backed private pages are copy-on-write after fork",
	  .ops = { MMAP(A(0), P, RW, FPRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK, C_WR(A(0), 'c'),
	    RD(A(0), 'p'), C_RD(A(0), 'c'), C_RD(A(0) + 1, FB(1)) },
	  .vmas = { VF(A(0), A(1), VRW, 0) }, .cvmas = { VF(A(0), A(1), VRW, 0) } },
	{ .name = "mremap in the child moves copy-on-write pages without breaking the sharing",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK,
	    C_MREMAP(A(0), P, P, MFIXED, A(8), A(8)), C_RD(A(8), 'p'), COUNT(A(0), 2),
	    C_WR(A(8), 'c'), RD(A(0), 'p'), COUNT(A(0), 1) },
	  .vmas = { V(A(0), A(1), VRW) }, .cvmas = { V(A(8), A(9), VRW) } },
	{ .name = "copy-on-write survives mprotect read-only and back to read-write",
	  .ops = { MMAP(A(0), P, RW, PRIV | FIX, 0, A(0)), WR(A(0), 'p'), FORK,
	    MPROT(A(0), P, RO, 0), MPROT(A(0), P, RW, 0), WR(A(0), 'x'),
	    C_RD(A(0), 'p') },
	  .vmas = { V(A(0), A(1), VRW) }, .cvmas = { V(A(0), A(1), VRW) } },
	{ .name = "a read-only private page is copy-on-write after fork (the child makes it RW)",
	  .ops = { MMAP(A(0), P, RO, FPRIV | FIX, 0, A(0)), RD(A(0), FB(0)), FORK,
	    C_MPROT(A(0), P, RW, 0), C_WR(A(0), 'c'), RD(A(0), FB(0)) },
	  .vmas = { VF(A(0), A(1), VR, 0) }, .cvmas = { VF(A(0), A(1), VRW, 0) } },
};

static const char *const mm_names[] = { "mm", "child" };

static long run_op(struct mm **mm, const struct op *o)
{
	struct mm *m = mm[o->mm];

	if (!m) {
		problem("op on the %s, which does not exist", mm_names[o->mm]);
		return -1000;
	}
	switch (o->k) {
	case K_MMAP:
		return do_mmap(m, o->a, o->b, (int)o->c, (int)o->d,
			       (o->d & MAP_ANONYMOUS) ? NULL : &fake_file, o->e);
	case K_MUNMAP:
		return do_munmap(m, o->a, o->b);
	case K_MPROTECT:
		return do_mprotect(m, o->a, o->b, (int)o->c);
	case K_BRKAT:
		m->brk_start = m->brk = o->a;	/* as execve sets it */
		return 0;
	case K_BRK:
		return do_brk(m, o->a);
	case K_MREMAP:
		return do_mremap(m, o->a, o->b, o->c, (int)o->d, o->e);
	case K_MADVISE:
		return do_madvise(m, o->a, o->b, (int)o->c);
	case K_FAULT:
		return handle_mm_fault(m, o->a, (int)o->b);
	case K_READ:
		return user_access(m, o->a, false, 0);
	case K_WRITE:
		return user_access(m, o->a, true, (u8)o->b);
	case K_FORK:
		if (mm[1]) {
			problem("a second fork in one row");
			return -1000;
		}
		mm[1] = mm_fork(m);
		return mm[1] ? 0 : -ENOMEM;
	case K_EXIT:
		mm_put(m);
		mm[1] = NULL;
		return 0;
	case K_COUNT: {
		pte_t pte = pte_of(m, o->a);
		return pte ? (long)page_count(pte & PTE_ADDR) : 0;
	}
	case K_PTE:
		return (long)(pte_of(m, o->a) & PTE_MASK);
	case K_RSS:
		return (long)m->rss;
	case K_FBYTE:
		return fake_file.data[o->a];
	case K_END:
		break;
	}
	return -1000;
}

/* Append e to a VMA list, merging it into the last entry when loose allows. */
static void vlist_add(struct vexp *list, int *n, int max, struct vexp e, bool loose)
{
	struct vexp *last = *n ? &list[*n - 1] : NULL;

	if (loose && last && !(e.flags & F_FILE) && last->end == e.start &&
	    last->flags == e.flags) {
		last->end = e.end;
		return;
	}
	if (*n < max)
		list[*n] = e;
	(*n)++;
}

static void vlist_str(const struct vexp *v, int n, char *buf, size_t len)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < n && l < len; i++) {
		l += snprintf(buf + l, len - l, "%s[0x%lx,0x%lx) 0x%x", i ? " " : "", v[i].start,
			      v[i].end, v[i].flags);
		if ((v[i].flags & F_FILE) && l < len)
			l += snprintf(buf + l, len - l, " off 0x%lx", v[i].off);
	}
}

static void check_vmas(struct mm *mm, const char *who, const struct vexp *want, bool loose)
{
	struct vexp got[16], exp[MAX_VMAS];
	int ng = 0, ne = 0;
	struct vm_area *v;
	bool same;

	list_for_each_entry(v, &mm->vmas, node) {
		struct vexp e = { v->start, v->end, v->flags, 0 };

		if (v->file) {
			e.flags |= F_FILE;
			e.off = v->off;
		}
		vlist_add(got, &ng, ARRAY_SIZE(got), e, loose);
	}
	for (int i = 0; i < MAX_VMAS && want[i].end; i++)
		vlist_add(exp, &ne, ARRAY_SIZE(exp), want[i], loose);
	same = ng == ne;
	for (int i = 0; same && i < ne; i++)
		same = got[i].start == exp[i].start && got[i].end == exp[i].end &&
		       got[i].flags == exp[i].flags && got[i].off == exp[i].off;
	if (!same) {
		char g[512], e[512];

		vlist_str(got, MIN(ng, (int)ARRAY_SIZE(got)), g, sizeof(g));
		vlist_str(exp, ne, e, sizeof(e));
		problem("%s VMAs: got %s; want %s", who, ng ? g : "none", ne ? e : "none");
	}
}

/* One op, with the dirty-range and state checks around it. */
static void step(struct mm **mm, const struct op *o, int i)
{
	struct pte_snap before[2] = { { 0 } }, after[2] = { { 0 } };
	long got;

	for (int m = 0; m < 2; m++)
		pte_snapshot(mm[m], &before[m]);
	dirty_clear();
	got = run_op(mm, o);
	if (got != o->want)
		problem("op %d (%s in %s, 0x%lx, 0x%lx, ...) returned %ld (0x%lx), "
			"want %ld (0x%lx)", i + 1, kind_names[o->k], mm_names[o->mm], o->a, o->b,
			got, (u64)got, o->want, (u64)o->want);
	for (int m = 0; m < 2; m++) {
		char who[64];

		if (mm[m]) {
			pte_snapshot(mm[m], &after[m]);
			snprintf(who, sizeof(who), "op %d, %s", i + 1, mm_names[m]);
			check_dirty(mm[m], who, &before[m], &after[m]);
		}
		pte_snap_free(&before[m]);
		pte_snap_free(&after[m]);
	}
	check_state(mm, mm_names, 2);
}

static void run_row(const struct row *r)
{
	struct mm *mm[2] = { NULL, NULL };
	u64 free_before = pmm_free_pages();
	int created = 1;

	problems_clear();
	mm_destroyed = 0;
	mm[0] = mm_create();
	if (!mm[0]) {
		ok(0, "%s: mm_create", r->name);
		return;
	}
	for (int i = 0; i < MAX_OPS && r->ops[i].k != K_END; i++) {
		step(mm, &r->ops[i], i);
		created += r->ops[i].k == K_FORK && mm[1];
	}
	check_vmas(mm[0], "mm", r->vmas, r->loose);
	if (mm[1])
		check_vmas(mm[1], "child", r->cvmas, r->loose);
	for (int m = 1; m >= 0; m--)
		if (mm[m])
			mm_put(mm[m]);
	if (mm_destroyed != created)
		problem("plat_mm_destroy called %d times for %d address spaces", mm_destroyed,
			created);
	if (fake_file.refs)
		problem("%d file references left after mm_put", fake_file.refs);
	if (pmm_free_pages() != free_before)
		problem("%ld pages leaked", (long)(free_before - pmm_free_pages()));
	if (!todo_ok(r->todo, problems_count() == 0, "%s", r->name))
		problems_diag();
	fake_file.refs = 0;
}

/* The checks themselves: a PTE changed behind plat_mm_changed's back is caught, and so is
 * a writable PTE on a shared private page. */
static void test_checks(void)
{
	struct mm *mm = mm_create();
	struct pte_snap before = { 0 }, after = { 0 };
	int dirty_caught, cow_caught;
	pte_t *pte;

	do_mmap(mm, A(0), P, RW, PRIV | FIX, NULL, 0);
	user_access(mm, A(0), true, 'x');
	pte_snapshot(mm, &before);
	dirty_clear();
	problems_clear();
	pte = pte_walk(mm, A(0), false);
	*pte &= ~PTE_W;
	pte_snapshot(mm, &after);
	check_dirty(mm, "self-check", &before, &after);
	dirty_caught = problems_count();
	problems_clear();
	*pte |= PTE_W;
	page_get(*pte & PTE_ADDR);
	check_state(&mm, mm_names, 1);
	cow_caught = problems_count();
	page_put(*pte & PTE_ADDR);
	problems_clear();
	mm_put(mm);
	pte_snap_free(&before);
	pte_snap_free(&after);
	ok(dirty_caught == 1 && cow_caught >= 1, "the harness catches an unreported PTE change "
	   "(%d) and a writable shared page (%d)", dirty_caught, cow_caught);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	harness_init();
	tap_plan((int)ARRAY_SIZE(rows) + 2);
	ok(pmm_total_pages() > (GUEST_MEM >> PAGE_SHIFT) - 64 && pmm_free_pages() > 0,
	   "pmm_init over %lu MiB: %lu pages, %lu free", GUEST_MEM >> 20, pmm_total_pages(),
	   pmm_free_pages());
	test_checks();
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		run_row(&rows[i]);
	return tap_done();
}
