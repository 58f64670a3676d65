/* pread64/pwrite64: offsets do not move the file position, errors, O_APPEND quirk. */
#include "common.h"

int main(void)
{
	char buf[32];
	int fd = CHECK(open("p", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CHECK(write(fd, "0123456789", 10));
	CHECK(lseek(fd, 2, SEEK_SET));
	memset(buf, 0, sizeof buf);
	CHECK(pread(fd, buf, 4, 5));
	printf("buf=%s\n", buf);
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(pread(fd, buf, 4, 100)); /* beyond EOF */
	CHECK(pread(fd, buf, 4, -1));
	CHECK(pwrite(fd, "AB", 2, 3));
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(pwrite(fd, "Z", 1, 20)); /* extends with a hole */
	CHECK(pwrite(fd, "Z", 1, -5));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("size=%lld\n", (long long)st.st_size);
	memset(buf, 0, sizeof buf);
	CHECK(pread(fd, buf, sizeof buf, 0));
	for (int i = 0; i < 21; i++)
		putchar(buf[i] ? buf[i] : '.');
	putchar('\n');
	close(fd);

	/* On Linux, pwrite on an O_APPEND fd appends, ignoring the offset. */
	fd = CHECK(open("p", O_RDWR | O_APPEND));
	CHECK(pwrite(fd, "END", 3, 0));
	MUST(fstat(fd, &st));
	printf("size=%lld\n", (long long)st.st_size);
	memset(buf, 0, sizeof buf);
	CHECK(pread(fd, buf, 3, 21));
	printf("tail=%s\n", buf);
	close(fd);

	/* pipes are not seekable */
	int p[2];
	MUST(pipe(p));
	CHECK(pwrite(p[1], "x", 1, 0));
	CHECK(pread(p[0], buf, 1, 0));
	CHECK(pread(-1, buf, 1, 0));
	CHECK(pwrite(p[0], "x", 1, 0));
	/* write-only / read-only fds */
	int ro = CHECK(open("p", O_RDONLY));
	CHECK(pwrite(ro, "x", 1, 0));
	close(ro);
	/* raw syscall numbers agree with the libc wrappers */
	fd = CHECK(open("p", O_RDONLY));
	memset(buf, 0, sizeof buf);
	CHECK(syscall(SYS_pread64, fd, buf, 3, 3L));
	printf("buf=%s\n", buf);
	close(fd);
	return 0;
}
