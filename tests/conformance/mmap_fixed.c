/* MAP_FIXED, MAP_FIXED_NOREPLACE, address hints, partial munmap. */
#include "common.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(void)
{
	fault_catch();
	/* reserve 8 pages, then carve a writable hole in the middle */
	char *base = CHECK_PTR(mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *mid = CHECK_PTR(mmap(base + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	EXPECT(mid == base + 2 * PAGE);
	printf("write page 2: %s\n", poke(base + 2 * PAGE, 'x'));
	printf("write page 3: %s\n", poke(base + 4 * PAGE - 1, 'y'));
	printf("read page 1: %s\n", touch(base + PAGE, 0));
	printf("read page 4: %s\n", touch(base + 4 * PAGE, 0));

	/* MAP_FIXED over a mapping with data replaces it with fresh zero pages */
	char *again = CHECK_PTR(mmap(base + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	printf("replaced page reads %d, next page still %c\n", again[0], base[4 * PAGE - 1]);

	/* MAP_FIXED_NOREPLACE refuses to clobber, works on free space */
	CHECK_PTR(mmap(base + 3 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	CHECK(munmap(base + 6 * PAGE, 2 * PAGE));
	char *nr = CHECK_PTR(mmap(base + 6 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	EXPECT(nr == base + 6 * PAGE);

	/* a hint at a free address is honoured */
	CHECK(munmap(base, 8 * PAGE));
	char *h = CHECK_PTR(mmap(base + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	EXPECT(h == base + PAGE);
	CHECK(munmap(h, PAGE));

	/* munmap a page in the middle of a mapping */
	char *m = CHECK_PTR(mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	for (int i = 0; i < 5; i++)
		m[i * PAGE] = (char)('0' + i);
	CHECK(munmap(m + 2 * PAGE, PAGE));
	printf("page 1: %s %c\n", touch(m + PAGE, 0), m[PAGE]);
	printf("page 2: %s\n", touch(m + 2 * PAGE, 0));
	printf("page 3: %s %c\n", touch(m + 3 * PAGE, 0), m[3 * PAGE]);
	/* length is rounded up; unmapping already-unmapped space succeeds */
	CHECK(munmap(m + 3 * PAGE, 1));
	printf("page 3 after munmap(len 1): %s\n", touch(m + 3 * PAGE, 0));
	printf("page 4: %s %c\n", touch(m + 4 * PAGE, 0), m[4 * PAGE]);
	CHECK(munmap(m, 5 * PAGE));
	CHECK(munmap(m, 5 * PAGE));
	printf("page 0 after munmap: %s\n", touch(m, 0));

	/* munmap errors */
	CHECK(munmap(m + 1, PAGE));
	CHECK(munmap(m, 0));
	CHECK(syscall(SYS_munmap, 0x800000000000UL, PAGE));
	CHECK(syscall(SYS_munmap, 0x7ffffffff000UL, 4 * PAGE));

	/* MAP_FIXED at a misaligned address */
	CHECK_PTR(mmap(m + 10, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	return 0;
}
