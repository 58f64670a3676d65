/* ioctl: TCGETS/TIOCGWINSZ give ENOTTY on non-ttys; FIONREAD, FIONBIO, FIOCLEX. */
#include "common.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	struct termios t;
	struct winsize ws;
	int n;
	put_file("f", "0123456789", 0644);
	int fd = MUST(open("f", O_RDWR));
	int p[2];
	MUST(pipe(p));
	int dn = MUST(open("/dev/null", O_RDWR));
	MUST(mkdir("d", 0755));
	int dd = MUST(open("d", O_RDONLY | O_DIRECTORY));

	CHECK(ioctl(fd, TCGETS, &t));
	CHECK(ioctl(p[0], TCGETS, &t));
	CHECK(ioctl(p[1], TCGETS, &t));
	CHECK(ioctl(dn, TCGETS, &t));
	CHECK(ioctl(dd, TCGETS, &t));
	CHECK(ioctl(fd, TIOCGWINSZ, &ws));
	CHECK(ioctl(fd, TIOCGPGRP, &n));
	CHECK(isatty(fd));
	printf("isatty errno=%s\n", errname(errno));
	CHECK(isatty(p[0]));
	CHECK(ioctl(-1, TCGETS, &t));
	CHECK(ioctl(999, FIONREAD, &n));
	CHECK(ioctl(fd, 0x12345678, &n));
	CHECK(ioctl(p[0], 0x12345678, &n));

	/* FIONREAD: bytes left in a file, bytes queued in a pipe */
	n = -1;
	CHECK(ioctl(fd, FIONREAD, &n));
	printf("file FIONREAD=%d\n", n);
	char buf[4];
	MUST(read(fd, buf, 3));
	CHECK(ioctl(fd, FIONREAD, &n));
	printf("file FIONREAD=%d\n", n);
	CHECK(ioctl(p[0], FIONREAD, &n));
	printf("pipe FIONREAD=%d\n", n);
	MUST(write(p[1], "hello", 5));
	CHECK(ioctl(p[0], FIONREAD, &n));
	printf("pipe FIONREAD=%d\n", n);
	CHECK(ioctl(dn, FIONREAD, &n));
	CHECK(ioctl(p[0], FIONREAD, NULL));

	/* FIONBIO sets/clears O_NONBLOCK */
	int on = 1, off = 0;
	CHECK(ioctl(p[0], FIONBIO, &on));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	MUST(read(p[0], buf, 4));
	MUST(read(p[0], buf, 1));
	CHECK(read(p[0], buf, 1));
	CHECK(ioctl(p[0], FIONBIO, &off));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);

	/* FIOCLEX/FIONCLEX set/clear FD_CLOEXEC */
	CHECK(ioctl(fd, FIOCLEX));
	CHECK(fcntl(fd, F_GETFD));
	CHECK(ioctl(fd, FIONCLEX));
	CHECK(fcntl(fd, F_GETFD));
	return 0;
}
