/* fcntl: F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL, errnos. */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	put_file("f", "data", 0644);
	int fd = CHECK(open("f", O_RDONLY));
	CHECK(fcntl(fd, F_DUPFD, 10));
	CHECK(fcntl(fd, F_DUPFD, 10));
	CHECK(fcntl(fd, F_DUPFD, 0));
	CHECK(fcntl(fd, F_DUPFD, -1));
	CHECK(fcntl(fd, F_DUPFD, INT_MAX));
	int dc = CHECK(fcntl(fd, F_DUPFD_CLOEXEC, 20));
	CHECK(fcntl(dc, F_GETFD));
	CHECK(fcntl(10, F_GETFD));

	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, 0));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, 0xff)); /* only FD_CLOEXEC is kept */
	CHECK(fcntl(fd, F_GETFD));

	/* F_GETFL: access mode plus status flags (as the kernel reports them) */
	printf("rdonly fl=%#o\n", fcntl(fd, F_GETFL));
	int w = CHECK(open("f", O_WRONLY | O_APPEND));
	printf("wronly|append fl=%#o\n", fcntl(w, F_GETFL));
	int rw = CHECK(open("f", O_RDWR | O_NONBLOCK | O_CLOEXEC));
	printf("rdwr|nonblock fl=%#o\n", fcntl(rw, F_GETFL));
	int tr = CHECK(open("f", O_RDWR | O_TRUNC | O_CREAT, 0644));
	printf("rdwr (creat|trunc not kept) fl=%#o\n", fcntl(tr, F_GETFL));

	/* F_SETFL changes O_APPEND/O_NONBLOCK, not the access mode */
	CHECK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDWR));
	printf("after setfl fl=%#o\n", fcntl(fd, F_GETFL));
	CHECK(write(fd, "x", 1));
	CHECK(fcntl(fd, F_SETFL, 0));
	printf("after setfl 0 fl=%#o\n", fcntl(fd, F_GETFL));
	CHECK(fcntl(tr, F_SETFL, O_APPEND));
	CHECK(write(tr, "ab", 2));
	CHECK(lseek(tr, 0, SEEK_SET));
	CHECK(write(tr, "cd", 2));
	char buf[8] = { 0 };
	CHECK(pread(tr, buf, sizeof buf, 0));
	printf("file=%s\n", buf);

	/* pipes */
	int p[2];
	MUST(pipe(p));
	printf("pipe read end fl=%#o write end fl=%#o\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK));
	printf("pipe read end fl=%#o\n", fcntl(p[0], F_GETFL));
	char c;
	CHECK(read(p[0], &c, 1));
	CHECK(fcntl(p[0], F_SETFL, 0));

	/* errors */
	CHECK(fcntl(-1, F_GETFD));
	CHECK(fcntl(999, F_GETFL));
	CHECK(fcntl(999, F_DUPFD, 0));
	CHECK(fcntl(fd, 9999));
	CHECK(syscall(SYS_fcntl, fd, -1, 0));

	/* F_DUPFD honours RLIMIT_NOFILE */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 32, 32 };
		setrlimit(RLIMIT_NOFILE, &rl);
		CHECK(fcntl(fd, F_DUPFD, 31));
		CHECK(fcntl(fd, F_DUPFD, 31));
		CHECK(fcntl(fd, F_DUPFD, 32));
		CHECK(dup2(fd, 32));
		_exit(0);
	}
	reap(pid);
	return 0;
}
