/* getrlimit/setrlimit/prlimit64: RLIMIT_NOFILE -> EMFILE, RLIMIT_FSIZE -> EFBIG, errnos. */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	struct rlimit rl, orig;
	CHECK(getrlimit(RLIMIT_NOFILE, &orig));
	EXPECT(orig.rlim_cur <= orig.rlim_max);
	CHECK(getrlimit(RLIMIT_STACK, &rl));
	EXPECT(rl.rlim_cur > 0);
	CHECK(getrlimit(RLIMIT_AS, &rl));
	CHECK(getrlimit(RLIMIT_CORE, &rl));

	/* lower NOFILE: opening past it gives EMFILE */
	rl.rlim_cur = 10;
	rl.rlim_max = orig.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	struct rlimit now;
	CHECK(getrlimit(RLIMIT_NOFILE, &now));
	printf("nofile cur=%ld\n", (long)now.rlim_cur);
	int opened = 0, fd, last = -1;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		opened++;
		last = fd;
	}
	printf("opened %d, last fd %d, then %s\n", opened, last, errname(errno));
	int p[2];
	CHECK(pipe(p));
	CHECK(dup(0));
	CHECK(fcntl(0, F_DUPFD, 0));
	close(5);
	CHECK(dup(0));
	/* raise it back (up to the hard limit) */
	CHECK(setrlimit(RLIMIT_NOFILE, &orig));
	CHECK(dup(0));

	/* soft above hard, and raising hard without privilege */
	rl.rlim_cur = orig.rlim_max;
	rl.rlim_max = orig.rlim_max > 100 ? 100 : orig.rlim_max;
	if (orig.rlim_max > 100)
		CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	else
		printf("setrlimit(RLIMIT_NOFILE, &rl) = -1 EINVAL\n");
	CHECK(setrlimit(99, &orig));
	CHECK(getrlimit(99, &rl));
	CHECK(syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL));

	/* prlimit64 on ourselves, read and write at once */
	struct rlimit old;
	rl.rlim_cur = 64;
	rl.rlim_max = orig.rlim_max;
	CHECK(prlimit(0, RLIMIT_NOFILE, &rl, &old));
	EXPECT(old.rlim_cur == orig.rlim_cur && old.rlim_max == orig.rlim_max);
	CHECK(prlimit(getpid(), RLIMIT_NOFILE, NULL, &old));
	printf("prlimit cur=%ld\n", (long)old.rlim_cur);
	CHECK(prlimit(0, 99, NULL, &old));
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));

	/* limits are inherited by children; a child's change does not leak back */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit c;
		getrlimit(RLIMIT_NOFILE, &c);
		printf("child cur=%ld\n", (long)c.rlim_cur);
		c.rlim_cur = 20;
		setrlimit(RLIMIT_NOFILE, &c);
		_exit(0);
	}
	reap(pid);
	CHECK(getrlimit(RLIMIT_NOFILE, &now));
	printf("parent cur=%ld\n", (long)now.rlim_cur);
	/* a dead child's pid */
	CHECK(prlimit(pid, RLIMIT_NOFILE, NULL, &old));

	/* RLIMIT_FSIZE: writes past it fail with EFBIG (SIGXFSZ ignored) or kill.
	 * Nothing is printed while the limit is low: stdout may be a file. */
	pid = fork();
	if (pid == 0) {
		struct rlimit f, keep;
		getrlimit(RLIMIT_FSIZE, &keep);
		f.rlim_cur = 1000;
		f.rlim_max = keep.rlim_max;
		signal(SIGXFSZ, SIG_IGN);
		int fd2 = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		static char buf[1500];
		long r0 = setrlimit(RLIMIT_FSIZE, &f);
		long r1 = write(fd2, buf, 600);
		long r2 = write(fd2, buf, 600); /* short write up to the limit */
		long r3 = write(fd2, buf, 1);
		int e3 = errno;
		setrlimit(RLIMIT_FSIZE, &keep);
		printf("setrlimit=%ld writes: %ld %ld %ld %s\n", r0, r1, r2, r3, r3 < 0 ? errname(e3) : "");
		setrlimit(RLIMIT_FSIZE, &f);
		signal(SIGXFSZ, SIG_DFL);
		ssize_t UNUSED r = write(fd2, buf, 1);
		setrlimit(RLIMIT_FSIZE, &keep);
		printf("survived SIGXFSZ\n");
		_exit(0);
	}
	printf("fsize child %s\n", wstatus(reap(pid)));
	struct stat st;
	CHECK(stat("big", &st));
	printf("big size=%lld\n", (long long)st.st_size);
	return 0;
}
