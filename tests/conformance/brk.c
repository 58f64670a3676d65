/* brk (raw syscall): query, grow, shrink, refusals; values printed relative only. */
#include "common.h"

static uintptr_t rbrk(uintptr_t a)
{
	return (uintptr_t)syscall(SYS_brk, a);
}

int main(void)
{
	fault_catch();
	uintptr_t cur = rbrk(0);
	EXPECT(cur != 0);
	EXPECT(rbrk(0) == cur);
	uintptr_t base = (cur + PAGE - 1) & ~(PAGE - 1);
	uintptr_t want = base + 8 * PAGE;
	uintptr_t got = rbrk(want);
	EXPECT(got == want);
	char *mem = (char *)base;
	int zero = 1;
	for (size_t i = 0; i < 8 * PAGE; i++)
		zero &= mem[i] == 0;
	EXPECT(zero);
	memset(mem, 'b', 8 * PAGE);
	printf("write heap: %s\n", touch(mem + 8 * PAGE - 1, 1));
	printf("beyond break: %s\n", touch(mem + 8 * PAGE, 0));

	/* shrink: pages go away; growing again gives zeroed pages */
	EXPECT(rbrk(base + 2 * PAGE) == base + 2 * PAGE);
	printf("after shrink: %s %s\n", touch(mem + PAGE, 0), touch(mem + 4 * PAGE, 0));
	EXPECT(rbrk(base + 8 * PAGE) == base + 8 * PAGE);
	printf("regrown page reads %d, kept page reads %c\n", mem[5 * PAGE], mem[PAGE]);

	/* an unaligned break is accepted and reported back as asked */
	EXPECT(rbrk(base + 3 * PAGE + 123) == base + 3 * PAGE + 123);
	printf("same page as break: %s\n", touch(mem + 3 * PAGE + 200, 1));
	EXPECT(rbrk(0) == base + 3 * PAGE + 123);

	/* refusals return the current break unchanged */
	uintptr_t now = rbrk(0);
	EXPECT(rbrk(1) == now);
	EXPECT(rbrk(cur - (64UL << 20)) == now);
	EXPECT(rbrk((uintptr_t)1 << 47) == now);
	/* cannot grow into an existing mapping */
	char *block = mmap((void *)(base + 64 * PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | 0x100000, -1, 0);
	EXPECT(block == (char *)(base + 64 * PAGE));
	EXPECT(rbrk(base + 128 * PAGE) == now);
	EXPECT(rbrk(base + 60 * PAGE) == base + 60 * PAGE);
	EXPECT(rbrk(0) == base + 60 * PAGE);

	/* the heap survives fork as a copy */
	mem[0] = 'P';
	pid_t pid = fork();
	if (pid == 0) {
		printf("child heap: %c, break same: %s\n", mem[0], rbrk(0) == base + 60 * PAGE ? "yes" : "no");
		mem[0] = 'C';
		rbrk(base + 30 * PAGE);
		_exit(0);
	}
	reap(pid);
	printf("parent heap: %c, break same: %s\n", mem[0], rbrk(0) == base + 60 * PAGE ? "yes" : "no");
	/* malloc still works on top of whatever the break is */
	char *m = malloc(100000);
	EXPECT(m != NULL);
	memset(m, 1, 100000);
	free(m);
	return 0;
}
