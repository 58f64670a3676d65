/* read/write: short reads at EOF, zero-length I/O, wrong access mode, bad fds. */
#include "common.h"

int main(void)
{
	char buf[64];
	int fd = CHECK(open("f", O_RDWR | O_CREAT | O_EXCL, 0644));
	CHECK(write(fd, "hello world", 11));
	CHECK(write(fd, "", 0));
	CHECK(write(fd, NULL, 0));
	CHECK(lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, 5));
	printf("buf=%s\n", buf);
	CHECK(read(fd, buf, 0));
	CHECK(read(fd, NULL, 0));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("buf=%s\n", buf);
	CHECK(read(fd, buf, sizeof buf)); /* EOF */
	CHECK(close(fd));

	int ro = CHECK(open("f", O_RDONLY));
	CHECK(write(ro, "x", 1));
	int wo = CHECK(open("f", O_WRONLY));
	CHECK(read(wo, buf, 1));
	CHECK(write(wo, "J", 1));
	memset(buf, 0, sizeof buf);
	CHECK(read(ro, buf, sizeof buf));
	printf("buf=%s\n", buf);
	close(ro);
	close(wo);

	CHECK(read(-1, buf, 1));
	CHECK(write(-1, buf, 1));
	CHECK(read(999, buf, 1));
	CHECK(write(ro, buf, 1)); /* closed */

	/* read on a directory */
	MUST(mkdir("d", 0755));
	int dfd = CHECK(open("d", O_RDONLY | O_DIRECTORY));
	CHECK(read(dfd, buf, sizeof buf));
	CHECK(write(dfd, buf, 1));
	close(dfd);

	/* large write and read back in pieces */
	static char big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	fd = CHECK(open("big", O_RDWR | O_CREAT | O_TRUNC, 0600));
	CHECK(write(fd, big, sizeof big));
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(lseek(fd, 0, SEEK_SET));
	static char back[200000];
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, back + got, 65536)) > 0)
		got += (size_t)n;
	printf("read back %zu bytes, equal=%d\n", got, memcmp(big, back, sizeof big) == 0);
	close(fd);
	return 0;
}
