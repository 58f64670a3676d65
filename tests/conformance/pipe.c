/* pipe/pipe2: flags, EAGAIN, EOF, partial reads, capacity, FIONREAD, errnos. */
#include "common.h"
#include <sys/ioctl.h>

int main(void)
{
	int p[2];
	char buf[128];
	CHECK(pipe(p));
	printf("fds=%d,%d\n", p[0], p[1]);
	CHECK(fcntl(p[0], F_GETFD));
	CHECK(write(p[1], "hello", 5));
	CHECK(read(p[0], buf, 2));
	CHECK(read(p[0], buf, sizeof buf)); /* partial: what is there */
	CHECK(write(p[0], "x", 1));         /* wrong end */
	CHECK(read(p[1], buf, 1));
	CHECK(close(p[1]));
	CHECK(read(p[0], buf, 1)); /* EOF: no writers */
	CHECK(close(p[0]));

	/* pipe2 flags */
	int q[2];
	CHECK(pipe2(q, O_CLOEXEC));
	CHECK(fcntl(q[0], F_GETFD));
	CHECK(fcntl(q[1], F_GETFD));
	close(q[0]);
	close(q[1]);
	CHECK(pipe2(q, O_NONBLOCK));
	CHECK(fcntl(q[0], F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(q[1], F_GETFL) & O_NONBLOCK);
	CHECK(read(q[0], buf, 1));
	/* fill it: the default capacity is 64 KiB */
	static char chunk[4096];
	memset(chunk, 'f', sizeof chunk);
	long total = 0;
	ssize_t w;
	while ((w = write(q[1], chunk, sizeof chunk)) > 0)
		total += w;
	printf("filled %ld then %s\n", total, errname(errno));
	int n = 0;
	CHECK(ioctl(q[0], FIONREAD, &n));
	printf("FIONREAD=%d\n", n);
	CHECK(write(q[1], "x", 1));
	/* after draining a page worth there is room again */
	CHECK(read(q[0], chunk, sizeof chunk));
	CHECK(write(q[1], "x", 1));
	close(q[0]);
	close(q[1]);
	CHECK(pipe2(q, O_CLOEXEC | O_NONBLOCK));
	close(q[0]);
	close(q[1]);
	CHECK(pipe2(q, O_APPEND));
	CHECK(pipe2(q, 0x1));
	CHECK(syscall(SYS_pipe2, q, -1));
	CHECK(syscall(SYS_pipe, NULL));

	/* a blocking reader gets data written later by a child */
	MUST(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		msleep(20);
		ssize_t UNUSED r = write(p[1], "late", 4);
		_exit(0);
	}
	close(p[1]);
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	printf("got %s\n", buf);
	CHECK(read(p[0], buf, sizeof buf));
	reap(pid);
	close(p[0]);

	/* a blocking writer with a full pipe waits for the reader */
	MUST(pipe(p));
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		msleep(20);
		long got = 0;
		ssize_t r;
		static char big[8192];
		while ((r = read(p[0], big, sizeof big)) > 0)
			got += r;
		printf("child read %ld\n", got);
		_exit(0);
	}
	close(p[0]);
	static char big[200000];
	CHECK(write(p[1], big, sizeof big));
	close(p[1]);
	printf("reader %s\n", wstatus(reap(pid)));

	/* descriptors are the lowest free ones */
	close(3);
	close(4);
	MUST(pipe(p));
	printf("fds=%d,%d\n", p[0], p[1]);
	return 0;
}
