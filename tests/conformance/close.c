/* close: EBADF cases, double close, fd reuse, shared open file descriptions. */
#include "common.h"

int main(void)
{
	char c;
	put_file("f", "xyz", 0644);
	int fd = CHECK(open("f", O_RDONLY));
	CHECK(close(fd));
	CHECK(close(fd));
	CHECK(close(-1));
	CHECK(close(9999));
	CHECK(close(INT_MAX));
	CHECK(syscall(SYS_close, -100));

	/* closing one of two dups leaves the other usable with the shared offset */
	fd = CHECK(open("f", O_RDONLY));
	int d = CHECK(dup(fd));
	CHECK(read(fd, &c, 1));
	CHECK(close(fd));
	CHECK(read(d, &c, 1));
	printf("c=%c\n", c);
	CHECK(close(d));

	/* closed descriptors are reused lowest first */
	int a = CHECK(open("f", O_RDONLY));
	int b = CHECK(open("f", O_RDONLY));
	int e = CHECK(open("f", O_RDONLY));
	CHECK(close(a));
	CHECK(close(e));
	CHECK(open("f", O_RDONLY));
	CHECK(open("f", O_RDONLY));
	CHECK(open("f", O_RDONLY));
	(void)b;

	/* closing stdin (in a child): the next open gets fd 0 */
	pid_t pid = fork();
	if (pid == 0) {
		close(0);
		int z = open("f", O_RDONLY);
		printf("child: open after close(0) = %d\n", z);
		char s[4] = { 0 };
		ssize_t UNUSED r = read(0, s, 3);
		printf("child: read from stdin = %s\n", s);
		_exit(0);
	}
	printf("child %s\n", wstatus(reap(pid)));

	/* closing the write end of a pipe gives EOF to the reader */
	int p[2];
	MUST(pipe(p));
	CHECK(close(p[1]));
	CHECK(read(p[0], &c, 1));
	CHECK(close(p[0]));
	return 0;
}
