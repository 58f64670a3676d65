/* lseek: whence values, negative results, holes, unseekable files. */
#include "common.h"

int main(void)
{
	char buf[32];
	int fd = CHECK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "abcdefghij", 10));
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(lseek(fd, 3, SEEK_SET));
	CHECK(lseek(fd, 2, SEEK_CUR));
	CHECK(lseek(fd, -1, SEEK_CUR));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, 2));
	printf("buf=%s\n", buf);
	CHECK(lseek(fd, 0, SEEK_END));
	CHECK(lseek(fd, -3, SEEK_END));
	CHECK(lseek(fd, 5, SEEK_END));
	CHECK(lseek(fd, -1, SEEK_SET));
	CHECK(lseek(fd, -100, SEEK_CUR));
	CHECK(lseek(fd, -100, SEEK_END));
	CHECK(lseek(fd, 0, SEEK_CUR)); /* unchanged after errors */
	CHECK(lseek(fd, 0, 7));
	CHECK(lseek(fd, 0, -1));

	/* writing past the end leaves a hole of zeros */
	CHECK(lseek(fd, 20, SEEK_SET));
	CHECK(write(fd, "Z", 1));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("size=%lld\n", (long long)st.st_size);
	CHECK(lseek(fd, 8, SEEK_SET));
	memset(buf, 'x', sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	for (int i = 0; i < 13; i++)
		putchar(buf[i] ? buf[i] : '0');
	putchar('\n');
	/* seeking past the end does not change the size */
	CHECK(lseek(fd, 1000, SEEK_SET));
	MUST(fstat(fd, &st));
	printf("size=%lld\n", (long long)st.st_size);
	CHECK(read(fd, buf, 1));
	close(fd);

	/* dup'd fds share the offset */
	fd = CHECK(open("f", O_RDONLY));
	int d = dup(fd);
	CHECK(lseek(fd, 4, SEEK_SET));
	CHECK(lseek(d, 0, SEEK_CUR));
	close(d);
	close(fd);
	/* separate opens do not */
	int f1 = open("f", O_RDONLY), f2 = open("f", O_RDONLY);
	CHECK(lseek(f1, 6, SEEK_SET));
	CHECK(lseek(f2, 0, SEEK_CUR));
	close(f1);
	close(f2);

	/* unseekable and special files */
	int p[2];
	MUST(pipe(p));
	CHECK(lseek(p[0], 0, SEEK_CUR));
	CHECK(lseek(p[1], 0, SEEK_SET));
	CHECK(lseek(-1, 0, SEEK_SET));
	CHECK(lseek(999, 0, SEEK_SET));
	int n = CHECK(open("/dev/null", O_RDWR));
	CHECK(lseek(n, 100, SEEK_SET));
	CHECK(lseek(n, 0, SEEK_END));
	close(n);
	MUST(mkdir("d", 0755));
	int dd = CHECK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK(lseek(dd, 0, SEEK_SET));
	close(dd);
	/* raw syscall */
	fd = CHECK(open("f", O_RDONLY));
	CHECK(syscall(SYS_lseek, fd, 3L, SEEK_SET));
	CHECK(syscall(SYS_lseek, fd, -4L, SEEK_SET));
	return 0;
}
