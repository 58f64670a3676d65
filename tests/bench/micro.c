/* tests/bench/micro.c - micro-benchmarks, run natively and in a container by bench.sh.
 * usage: micro OP N  -> prints "OP <ns per operation>" (idle: N ms of sleep). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void op_getpid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
}

static void op_pipe(long n)
{
	int a[2], b[2];
	char c = 'x';

	if (pipe(a) || pipe(b))
		exit(1);
	if (fork() == 0) {
		for (long i = 0; i < n; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			exit(1);
	wait(NULL);
}

static void op_forkexec(long n, const char *self)
{
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			execl(self, self, "nop", "0", (char *)NULL);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
}

static void op_fileio(long n)
{
	static char buf[4096];
	int fd = open("micro.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		exit(1);
	for (long i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
		    pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
			exit(1);
	close(fd);
	unlink("micro.tmp");
}

/* One 4 KiB pread of a host file per operation (the kvm platform's host-call count). */
static void op_read4k(long n)
{
	static char buf[4096];
	int fd = open("micro.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		exit(1);
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
			exit(1);
	close(fd);
	unlink("micro.tmp");
}

/* Host-call wake-up: each 4 KiB pread comes after 5 ms of idleness (longer than the
 * kvm host-call thread's longest spin, so it sleeps); prints the pread's own time. */
static long long op_wake4k(long n)
{
	static char buf[4096];
	const struct timespec idle = { 0, 5000000 };
	long long sum = 0;
	int fd = open("micro.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		exit(1);
	for (long i = 0; i < n; i++) {
		long long t0;

		nanosleep(&idle, NULL);
		t0 = now_ns();
		if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
			exit(1);
		sum += now_ns() - t0;
	}
	close(fd);
	unlink("micro.tmp");
	return sum;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000;
	const char *op = argc > 1 ? argv[1] : "getpid";
	long long t0 = now_ns();

	if (!strcmp(op, "nop"))
		return 0;
	else if (!strcmp(op, "getpid"))
		op_getpid(n);
	else if (!strcmp(op, "pipe"))
		op_pipe(n);
	else if (!strcmp(op, "forkexec"))
		op_forkexec(n, argv[0]);
	else if (!strcmp(op, "fileio"))
		op_fileio(n);
	else if (!strcmp(op, "read4k"))
		op_read4k(n);
	else if (!strcmp(op, "wake4k")) {
		printf("%s %.0f\n", op, (double)op_wake4k(n) / (n ? n : 1));
		return 0;
	} else if (!strcmp(op, "idle")) {	/* N ms of doing nothing */
		const struct timespec t = { n / 1000, (n % 1000) * 1000000 };
		nanosleep(&t, NULL);
	} else
		return 2;
	printf("%s %.0f\n", op, (double)(now_ns() - t0) / (n ? n : 1));
	return 0;
}
