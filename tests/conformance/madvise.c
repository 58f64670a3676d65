/* madvise: MADV_DONTNEED zeroes private anonymous memory, keeps shared, reverts file COW. */
#include "common.h"

int main(void)
{
	char *p = CHECK_PTR(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(p, 'x', 4 * PAGE);
	CHECK(madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED));
	printf("private: %c %d %d %c\n", p[0], p[PAGE], p[3 * PAGE - 1], p[3 * PAGE]);

	char *s = CHECK_PTR(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	memset(s, 's', 2 * PAGE);
	CHECK(madvise(s, 2 * PAGE, MADV_DONTNEED));
	printf("shared: %c %c\n", s[0], s[PAGE]);

	put_file("f", "file-content", 0644);
	int fd = MUST(open("f", O_RDONLY));
	char *f = CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	memcpy(f, "CHANGED", 7);
	printf("file map before: %.12s\n", f);
	CHECK(madvise(f, PAGE, MADV_DONTNEED));
	printf("file map after: %.12s\n", f);

	/* advice that changes nothing visible */
	CHECK(madvise(p, 4 * PAGE, MADV_NORMAL));
	CHECK(madvise(p, 4 * PAGE, MADV_RANDOM));
	CHECK(madvise(p, 4 * PAGE, MADV_SEQUENTIAL));
	CHECK(madvise(p, 4 * PAGE, MADV_WILLNEED));
	printf("still: %c\n", p[0]);

	/* errors */
	CHECK(madvise(p + 1, PAGE, MADV_DONTNEED));
	CHECK(madvise(p, PAGE, 12345));
	CHECK(madvise(p, 0, MADV_DONTNEED));
	CHECK(munmap(p + 2 * PAGE, PAGE));
	CHECK(madvise(p, 4 * PAGE, MADV_DONTNEED));
	CHECK(madvise(p, 4 * PAGE, MADV_NORMAL));
	CHECK(madvise(p + 2 * PAGE, PAGE, MADV_NORMAL));
	return 0;
}
