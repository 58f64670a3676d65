/* mmap anonymous private/shared: zero fill, fork sharing vs copy-on-write, errnos. */
#include "common.h"

#define RAWMMAP(a, l, p, f, fd, o) \
	((void *)syscall(SYS_mmap, (a), (size_t)(l), (p), (f), (fd), (long)(o)))

int main(void)
{
	fault_catch();
	char *p = CHECK_PTR(mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	EXPECT(((uintptr_t)p & (PAGE - 1)) == 0);
	int zero = 1;
	for (size_t i = 0; i < 3 * PAGE; i++)
		zero &= p[i] == 0;
	EXPECT(zero);
	memset(p, 'A', 3 * PAGE);
	printf("read back: %c%c%c\n", p[0], p[PAGE], p[3 * PAGE - 1]);

	/* a 1-byte mapping covers a whole page; the page after it is not ours */
	char *q = CHECK_PTR(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK(munmap(q, 2 * PAGE));
	char *r = CHECK_PTR(mmap(q, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	EXPECT(r == q);
	printf("touch last byte of page: %s\n", touch(r + PAGE - 1, 1));
	printf("touch next page: %s\n", touch(r + PAGE, 0));
	CHECK(munmap(r, 1));
	printf("touch after munmap: %s\n", touch(r, 0));

	/* PROT_NONE and read-only anonymous mappings */
	char *n = CHECK_PTR(mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	printf("read PROT_NONE: %s\n", touch(n, 0));
	char *ro = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	printf("read PROT_READ: %s (value %d)\n", touch(ro, 0), ro[10]);
	printf("write PROT_READ: %s\n", touch(ro, 1));

	/* private mapping: copy-on-write across fork */
	p[0] = 'P';
	char *s = CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	s[0] = 'S';
	pid_t pid = fork();
	if (pid == 0) {
		printf("child sees private=%c shared=%c\n", p[0], s[0]);
		p[0] = 'c';
		s[0] = 'C';
		_exit(0);
	}
	printf("child %s\n", wstatus(reap(pid)));
	printf("parent sees private=%c shared=%c\n", p[0], s[0]);
	pid = fork();
	if (pid == 0) {
		msleep(1);
		printf("child2 sees private=%c shared=%c\n", p[0], s[0]);
		_exit(0);
	}
	p[0] = 'q'; /* the parent's write after fork is invisible to the child */
	reap(pid);

	/* large sparse mapping: only touched pages matter */
	size_t big = 256UL << 20;
	char *b = CHECK_PTR(mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
	for (size_t off = 0; off < big; off += 16UL << 20)
		b[off] = (char)(off >> 20);
	printf("sparse: %d %d\n", b[16UL << 20], b[big - (16UL << 20)]);
	CHECK(munmap(b, big));
	char *pop = CHECK_PTR(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
	printf("populated zero: %d\n", pop[3 * PAGE]);

	/* errors (raw syscall: libc wrappers sometimes check first) */
	CHECK_PTR(RAWMMAP(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100));
	CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0));
	CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_PRIVATE, 999, 0));
	CHECK_PTR(RAWMMAP(0x10001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK_PTR(RAWMMAP(0, 1UL << 60, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(RAWMMAP(0, (size_t)-PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK_PTR(RAWMMAP(0x800000000000UL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	/* fd is ignored for anonymous mappings */
	char *ign = CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 999, 0));
	printf("ignored fd mapping reads %d\n", ign[0]);
	CHECK_PTR(RAWMMAP(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
	return 0;
}
