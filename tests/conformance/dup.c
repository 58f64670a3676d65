/* dup/dup2/dup3: lowest fd, same-fd cases, O_CLOEXEC, shared offsets and flags. */
#include "common.h"

int main(void)
{
	char c;
	put_file("f", "abcdef", 0644);
	int fd = CHECK(open("f", O_RDONLY));
	int d = CHECK(dup(fd));
	CHECK(read(fd, &c, 1));
	CHECK(lseek(d, 0, SEEK_CUR)); /* shared offset */
	CHECK(dup(-1));
	CHECK(dup(999));

	/* dup2 */
	CHECK(dup2(fd, 10));
	CHECK(read(10, &c, 1));
	printf("c=%c\n", c);
	CHECK(dup2(fd, fd));
	CHECK(dup2(77, 77)); /* invalid even when equal */
	CHECK(dup2(77, 5));
	CHECK(syscall(SYS_dup2, fd, -1));
	CHECK(syscall(SYS_dup2, fd, INT_MAX));
	/* dup2 onto an open fd closes it silently */
	int other = CHECK(open("/dev/null", O_RDONLY));
	CHECK(dup2(fd, other));
	CHECK(read(other, &c, 1));
	printf("c=%c\n", c);

	/* dup2 clears FD_CLOEXEC on the new fd; dup too */
	int ce = CHECK(open("f", O_RDONLY | O_CLOEXEC));
	CHECK(fcntl(ce, F_GETFD));
	CHECK(dup2(ce, 20));
	CHECK(fcntl(20, F_GETFD));
	int dd = CHECK(dup(ce));
	CHECK(fcntl(dd, F_GETFD));

	/* dup3 */
	CHECK(dup3(fd, fd, 0));
	CHECK(dup3(fd, fd, O_CLOEXEC));
	CHECK(dup3(fd, 30, O_CLOEXEC));
	CHECK(fcntl(30, F_GETFD));
	CHECK(dup3(fd, 31, 0));
	CHECK(fcntl(31, F_GETFD));
	CHECK(syscall(SYS_dup3, fd, 32, O_NONBLOCK)); /* raw: musl ignores unknown flags */
	CHECK(syscall(SYS_dup3, fd, 32, 0x1));
	CHECK(dup3(-1, 32, 0));
	CHECK(syscall(SYS_dup3, fd, -2, 0));

	/* status flags are shared between duplicates, fd flags are not */
	int w = CHECK(open("f", O_WRONLY));
	int w2 = CHECK(dup(w));
	CHECK(fcntl(w, F_SETFL, O_APPEND));
	CHECK(fcntl(w2, F_GETFL) & O_APPEND);
	CHECK(write(w2, "Z", 1));
	char buf[16] = { 0 };
	CHECK(pread(fd, buf, sizeof buf, 0));
	printf("file=%s\n", buf);
	CHECK(fcntl(w, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(w2, F_GETFD));

	/* raw dup */
	CHECK(syscall(SYS_dup, fd));
	CHECK(syscall(SYS_dup, -5));
	/* dup of a pipe end keeps the pipe open after closing the original */
	int p[2];
	MUST(pipe(p));
	int pw = CHECK(dup(p[1]));
	CHECK(close(p[1]));
	CHECK(write(pw, "x", 1));
	CHECK(close(pw));
	CHECK(read(p[0], &c, 1));
	CHECK(read(p[0], &c, 1));
	return 0;
}
