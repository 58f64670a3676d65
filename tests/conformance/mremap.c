/* mremap: grow in place, move, shrink, MREMAP_FIXED, errnos. */
#include "common.h"

int main(void)
{
	fault_catch();
	/* grow in place when the next page is free */
	char *a = CHECK_PTR(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK(munmap(a + PAGE, PAGE));
	a[0] = 'g';
	char *g = CHECK_PTR(mremap(a, PAGE, 2 * PAGE, 0));
	EXPECT(g == a);
	printf("grown: %c, new page zero: %d, %s\n", g[0], g[PAGE], touch(g + PAGE, 1));

	/* growing into an occupied range needs MREMAP_MAYMOVE */
	char *b = CHECK_PTR(mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	for (int i = 0; i < 3; i++)
		b[i * PAGE] = (char)('A' + i);
	CHECK(mprotect(b + PAGE, PAGE, PROT_READ)); /* split: b's first page is its own VMA */
	CHECK_PTR(mremap(b, PAGE, 4 * PAGE, 0));
	char *mv = CHECK_PTR(mremap(b, PAGE, 4 * PAGE, MREMAP_MAYMOVE));
	EXPECT(mv != b);
	printf("moved: %c, tail zero: %d\n", mv[0], mv[3 * PAGE]);
	printf("old address: %s\n", touch(b, 0));
	printf("neighbour untouched: %c\n", b[PAGE]);

	/* shrink: the tail goes away */
	char *s = CHECK_PTR(mremap(mv, 4 * PAGE, PAGE, 0));
	EXPECT(s == mv);
	printf("after shrink: %s %s\n", touch(mv, 0), touch(mv + PAGE, 0));

	/* MREMAP_FIXED moves to an exact address, replacing what was there */
	char *dst = CHECK_PTR(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(dst, 'z', 2 * PAGE);
	char *src = CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	strcpy(src, "moved-data");
	char *f = CHECK_PTR(mremap(src, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
	EXPECT(f == dst);
	printf("at dst: %s, dst second page: %c, src: %s\n", dst, dst[PAGE], touch(src, 0));

	/* larger moves keep all contents */
	size_t n = 64 * PAGE;
	char *big = CHECK_PTR(mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	for (size_t i = 0; i < n; i += PAGE)
		big[i] = (char)(i / PAGE);
	char *bigger = CHECK_PTR(mremap(big, n, 4 * n, MREMAP_MAYMOVE));
	int ok = 1;
	for (size_t i = 0; i < n; i += PAGE)
		ok &= bigger[i] == (char)(i / PAGE);
	EXPECT(ok);

	/* errors */
	CHECK_PTR(mremap(dst + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	CHECK_PTR(mremap(dst, PAGE, 0, MREMAP_MAYMOVE));
	CHECK_PTR(mremap(dst, PAGE, PAGE, 0x100));
	CHECK_PTR(mremap(dst, PAGE, PAGE, MREMAP_FIXED, src));
	CHECK_PTR(mremap(src, PAGE, 2 * PAGE, MREMAP_MAYMOVE)); /* src is unmapped */
	CHECK_PTR(mremap(dst, 0, PAGE, MREMAP_MAYMOVE));       /* old_len 0 needs a shared mapping */
	CHECK_PTR(mremap(dst, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst)); /* overlap */
	return 0;
}
