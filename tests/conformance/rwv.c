/* readv/writev: scatter/gather, zero iovecs, iovcnt limits, zero-length entries. */
#include "common.h"
#include <sys/uio.h>

int main(void)
{
	int fd = CHECK(open("v", O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct iovec iov[4];
	iov[0] = (struct iovec){ "abc", 3 };
	iov[1] = (struct iovec){ NULL, 0 };
	iov[2] = (struct iovec){ "defgh", 5 };
	iov[3] = (struct iovec){ "ij", 2 };
	CHECK(writev(fd, iov, 4));
	CHECK(writev(fd, iov, 0));
	CHECK(syscall(SYS_writev, fd, iov, -1));
	CHECK(syscall(SYS_writev, fd, iov, 1025)); /* > IOV_MAX */
	CHECK(lseek(fd, 0, SEEK_SET));

	char a[2], b[4], c[10];
	memset(c, 0, sizeof c);
	struct iovec r[3] = { { a, 2 }, { b, 4 }, { c, sizeof c } };
	CHECK(readv(fd, r, 3));
	printf("a=%.2s b=%.4s c=%s\n", a, b, c);
	CHECK(readv(fd, r, 3)); /* EOF */
	CHECK(readv(fd, r, 0));
	CHECK(syscall(SYS_readv, fd, r, -1));
	CHECK(readv(-1, r, 1));

	/* an iovec longer than the file: short read across entries */
	CHECK(lseek(fd, 7, SEEK_SET));
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	CHECK(readv(fd, r, 3));
	printf("a=%.2s b=%.1s\n", a, b);

	/* writev with O_APPEND */
	int ap = CHECK(open("v", O_WRONLY | O_APPEND));
	iov[0] = (struct iovec){ "XY", 2 };
	CHECK(lseek(ap, 0, SEEK_SET));
	CHECK(writev(ap, iov, 1));
	CHECK(lseek(ap, 0, SEEK_CUR));
	close(ap);

	/* IOV_MAX entries are fine */
	static struct iovec many[1024];
	static char one[1024];
	for (int i = 0; i < 1024; i++) {
		one[i] = (char)('0' + i % 10);
		many[i] = (struct iovec){ &one[i], 1 };
	}
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(writev(fd, many, 1024));
	CHECK(lseek(fd, 0, SEEK_END));
	close(fd);

	/* readv/writev on a pipe */
	int p[2];
	MUST(pipe(p));
	iov[0] = (struct iovec){ "pi", 2 };
	iov[1] = (struct iovec){ "pe", 2 };
	CHECK(writev(p[1], iov, 2));
	memset(c, 0, sizeof c);
	struct iovec pr[2] = { { c, 1 }, { c + 1, 9 } };
	CHECK(readv(p[0], pr, 2));
	printf("pipe=%s\n", c);
	return 0;
}
