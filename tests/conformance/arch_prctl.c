/* arch_prctl: ARCH_GET/SET_FS and GS, TLS through %fs, errnos. */
#include "common.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* A raw syscall that never touches TLS (errno lives there). */
static long raw2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static unsigned long read_fs(long off)
{
	unsigned long v;
	__asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static unsigned long read_gs(long off)
{
	unsigned long v;
	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static __thread int tls_var = 7;

int main(void)
{
	unsigned long oldfs = 0, oldgs = 0;
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, &oldfs));
	EXPECT(oldfs != 0);
	EXPECT(read_fs(0) == oldfs); /* both libcs keep a self pointer at %fs:0 */
	tls_var++;
	printf("tls_var=%d\n", tls_var);

	/* point %fs at our own block, read through it, restore (no libc in between) */
	static unsigned long block[4];
	block[0] = (unsigned long)block;
	block[1] = 0x1122334455667788UL;
	long r1 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)block);
	unsigned long v0 = read_fs(0), v1 = read_fs(8);
	unsigned long now = 0;
	long r2 = raw2(SYS_arch_prctl, ARCH_GET_FS, (long)&now);
	long r3 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)oldfs);
	printf("set fs=%ld get fs=%ld restore=%ld\n", r1, r2, r3);
	EXPECT(v0 == (unsigned long)block && v1 == 0x1122334455667788UL && now == (unsigned long)block);
	EXPECT(read_fs(0) == oldfs);
	printf("tls_var after restore=%d\n", tls_var);

	/* GS works the same way and is independent of FS */
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_GS, &oldgs));
	static unsigned long gblock[2] = { 0, 0xabcdefUL };
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, gblock));
	printf("gs:8=%lx\n", read_gs(8));
	unsigned long gnow = 0;
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_GS, &gnow));
	EXPECT(gnow == (unsigned long)gblock);
	/* fork keeps both bases */
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long cfs = 0, cgs = 0;
		syscall(SYS_arch_prctl, ARCH_GET_FS, &cfs);
		syscall(SYS_arch_prctl, ARCH_GET_GS, &cgs);
		printf("child: fs same=%d gs same=%d gs:8=%lx tls_var=%d\n", cfs == oldfs,
		       cgs == (unsigned long)gblock, read_gs(8), tls_var);
		_exit(0);
	}
	reap(pid);
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, oldgs));

	/* errors */
	CHECK(syscall(SYS_arch_prctl, 0x9999, 0));
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, NULL));
	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, 1));
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000UL));
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, 0xffff800000000000UL));
	EXPECT(read_fs(0) == oldfs);
	return 0;
}
