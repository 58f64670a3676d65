/* guest/sys/gendoc.c - host tool: prints docs/syscalls.md from syscalls.def. */
#include <stdio.h>
#include <stdlib.h>
#include <asm/unistd.h>

struct row {
	int nr;
	const char *name, *status, *note;
};

static const struct row rows[] = {
#define SYSCALL(name, status, note) { __NR_##name, #name, #status, note },
#include "syscalls.def"
#undef SYSCALL
};

static int by_nr(const void *a, const void *b)
{
	return ((const struct row *)a)->nr - ((const struct row *)b)->nr;
}

int main(void)
{
	size_t n = sizeof(rows) / sizeof(rows[0]);
	struct row sorted[sizeof(rows) / sizeof(rows[0])];
	int full = 0, partial = 0, nosys = 0;

	for (size_t i = 0; i < n; i++) {
		sorted[i] = rows[i];
		full += sorted[i].status[0] == 'F';
		partial += sorted[i].status[0] == 'P';
		nosys += sorted[i].status[0] == 'N';
	}
	qsort(sorted, n, sizeof(sorted[0]), by_nr);
	printf("# qkernel system calls (x86-64)\n\n");
	printf("Generated from `guest/sys/syscalls.def` by `make docs`; do not edit.\n");
	printf("%d full, %d partial, %d deliberately ENOSYS. Every number not listed returns "
	       "-ENOSYS and logs its name once (Warn level).\n\n", full, partial, nosys);
	printf("| nr | name | status | note |\n|---:|---|---|---|\n");
	for (size_t i = 0; i < n; i++)
		printf("| %d | %s | %s | %s |\n", sorted[i].nr, sorted[i].name, sorted[i].status,
		       sorted[i].note);
	return 0;
}
