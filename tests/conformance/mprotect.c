/* mprotect: permission changes, VMA splitting, SIGSEGV si_code/si_addr via sigsetjmp. */
#include "common.h"

static int get42(void)
{
	return 42;
}

int main(void)
{
	fault_catch();
	char *p = CHECK_PTR(mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(p, 'd', 4 * PAGE);
	CHECK(mprotect(p, PAGE, PROT_READ));
	printf("write RO: %s\n", touch(p + 100, 1));
	printf("read RO: %s %c\n", touch(p + 100, 0), p[100]);
	printf("write next page: %s\n", touch(p + PAGE, 1));
	CHECK(mprotect(p + PAGE, PAGE, PROT_NONE));
	printf("read NONE: %s\n", touch(p + PAGE + 5, 0));
	printf("write NONE: %s\n", touch(p + PAGE + 5, 1));
	CHECK(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));
	printf("after restore: %s %s %c\n", touch(p, 1), touch(p + PAGE, 1), p[PAGE + 5]);

	/* protect the middle, check both neighbours */
	CHECK(mprotect(p + 2 * PAGE, PAGE, PROT_READ));
	printf("pages: %s %s %s %s\n", touch(p + PAGE, 1), touch(p + 2 * PAGE, 1),
	       touch(p + 3 * PAGE, 1), touch(p + 2 * PAGE - 1, 1));

	/* errors */
	CHECK(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ)); /* raw: musl rounds down */
	CHECK(mprotect(p, 0, PROT_READ));
	CHECK(mprotect(p, PAGE, 0x1000));
	CHECK(munmap(p + 3 * PAGE, PAGE));
	CHECK(mprotect(p, 4 * PAGE, PROT_READ));
	CHECK(mprotect(p + 3 * PAGE, PAGE, PROT_READ));
	CHECK(syscall(SYS_mprotect, 0x800000000000UL, PAGE, PROT_READ));

	/* executing code: copy a function's "mov $42,%eax; ret" into a page */
	unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	char *x = CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memcpy(x, code, sizeof code);
	int (*fn)(void) = (int (*)(void))(void *)x;
	conf_fault_sig = 0;
	if (sigsetjmp(conf_fault_jb, 1) == 0)
		printf("exec RW page returned %d\n", fn());
	else
		printf("exec RW page: %s/%s%s\n", signame(conf_fault_sig),
		       sicode_name(conf_fault_sig, conf_fault_code),
		       conf_fault_addr == x ? "" : "@wrong-addr");
	CHECK(mprotect(x, PAGE, PROT_READ | PROT_EXEC));
	printf("exec RX page returned %d\n", fn());

	/* text and rodata are not writable */
	printf("write to text: %s\n", touch((void *)get42, 1));
	static const char ro[] = "constant";
	printf("write to rodata: %s\n", touch((void *)ro, 1));
	printf("call text: %d\n", get42());
	/* the NULL page */
	printf("read NULL: %s\n", touch(NULL, 0));
	return 0;
}
