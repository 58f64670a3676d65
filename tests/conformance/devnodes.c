/* /dev/null, /dev/zero, /dev/full, /dev/urandom, /dev/random: semantics and device numbers. */
#include "common.h"
#include <sys/sysmacros.h>

static void dev(const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0) {
		printf("%s: %s\n", p, errname(errno));
		return;
	}
	printf("%s: %s %u:%u mode=%04o\n", p, S_ISCHR(st.st_mode) ? "chr" : "other",
	       major(st.st_rdev), minor(st.st_rdev), (unsigned)(st.st_mode & 07777));
}

int main(void)
{
	dev("/dev/null");
	dev("/dev/zero");
	dev("/dev/full");
	dev("/dev/random");
	dev("/dev/urandom");

	char buf[4096];
	int n = CHECK(open("/dev/null", O_RDWR));
	CHECK(write(n, "discard me", 10));
	CHECK(write(n, buf, sizeof buf));
	CHECK(read(n, buf, sizeof buf));
	CHECK(read(n, buf, 0));
	CHECK(lseek(n, 12345, SEEK_SET));
	CHECK(pwrite(n, "x", 1, 999));
	CHECK(syscall(SYS_write, n, NULL, 1UL << 40)); /* never touches the buffer */
	close(n);
	CHECK(open("/dev/null", O_RDONLY | O_DIRECTORY));
	n = CHECK(open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	close(n);
	dev("/dev/null");

	int z = CHECK(open("/dev/zero", O_RDWR));
	memset(buf, 'x', sizeof buf);
	CHECK(read(z, buf, sizeof buf));
	int allzero = 1;
	for (size_t i = 0; i < sizeof buf; i++)
		allzero &= buf[i] == 0;
	EXPECT(allzero);
	static char big[1 << 20];
	memset(big, 1, sizeof big);
	CHECK(read(z, big, sizeof big));
	EXPECT(big[0] == 0 && big[sizeof big - 1] == 0);
	CHECK(write(z, "abc", 3));
	CHECK(pread(z, buf, 10, 1000));
	/* MAP_PRIVATE of /dev/zero is zero-filled anonymous memory */
	char *m = CHECK_PTR(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0));
	printf("mapped: %d %d\n", m[0], m[2 * PAGE - 1]);
	m[0] = 5;
	char c;
	CHECK(pread(z, &c, 1, 0));
	printf("device still reads %d\n", c);
	close(z);

	int f = CHECK(open("/dev/full", O_RDWR));
	CHECK(write(f, "x", 1));
	memset(buf, 'x', 16);
	CHECK(read(f, buf, 16));
	printf("full reads zero: %d\n", buf[0] == 0 && buf[15] == 0);
	close(f);

	int u = CHECK(open("/dev/urandom", O_RDONLY));
	unsigned char r1[64], r2[64];
	CHECK(read(u, r1, sizeof r1));
	CHECK(read(u, r2, sizeof r2));
	EXPECT(memcmp(r1, r2, sizeof r1) != 0);
	CHECK(read(u, big, sizeof big));
	close(u);
	u = CHECK(open("/dev/urandom", O_WRONLY));
	CHECK(write(u, "entropy?", 8)); /* accepted, mixed in */
	close(u);
	int rnd = CHECK(open("/dev/random", O_RDONLY | O_NONBLOCK));
	CHECK(read(rnd, r1, 16));
	close(rnd);

	/* opening a device node does not depend on the cwd */
	MUST(mkdir("d", 0755));
	MUST(chdir("d"));
	n = CHECK(open("/dev/null", O_RDONLY));
	close(n);
	return 0;
}
