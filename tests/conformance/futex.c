/* futex WAIT/WAKE without threads: EAGAIN, ETIMEDOUT, wake counts, cross-process wake. */
#include "common.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE 128

static long fx(void *addr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

int main(void)
{
	static int word = 5;
	struct timespec ts = { 0, 20000000 };
	CHECK(fx(&word, FUTEX_WAIT, 4, NULL));
	CHECK(fx(&word, FUTEX_WAIT | FUTEX_PRIVATE, 4, NULL));
	CHECK(fx(&word, FUTEX_WAKE, 1, NULL));
	CHECK(fx(&word, FUTEX_WAKE | FUTEX_PRIVATE, 100, NULL));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(fx(&word, FUTEX_WAIT, 5, &ts));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long el = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	EXPECT(el >= 20000000LL);
	CHECK(fx(&word, FUTEX_WAIT | FUTEX_PRIVATE, 5, &ts));
	ts = (struct timespec){ 0, 0 };
	CHECK(fx(&word, FUTEX_WAIT, 5, &ts));

	/* errors */
	ts = (struct timespec){ 0, 1000000000 };
	CHECK(fx(&word, FUTEX_WAIT, 5, &ts));
	ts = (struct timespec){ -1, 0 };
	CHECK(fx(&word, FUTEX_WAIT, 5, &ts));
	CHECK(fx((char *)&word + 1, FUTEX_WAIT, 5, NULL));
	CHECK(fx((char *)&word + 2, FUTEX_WAKE, 1, NULL));
	CHECK(fx(NULL, FUTEX_WAIT, 0, NULL));
	CHECK(fx((void *)8, FUTEX_WAIT, 0, NULL));
	CHECK(fx(&word, 99, 0, NULL));
	CHECK(fx(&word, FUTEX_WAKE, -1, NULL));

	/* shared futex across fork: child waits, parent wakes */
	int *sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sh[0] = 0; /* futex word */
	sh[1] = 0; /* child result */
	pid_t pid = fork();
	if (pid == 0) {
		long r = fx(&sh[0], FUTEX_WAIT, 0, NULL);
		sh[1] = (r == 0) ? 1 : (r == -1 && errno == EAGAIN) ? 2 : 3;
		_exit(0);
	}
	/* keep waking until the child is there to be woken (up to ~20 s) */
	long woken = 0;
	for (int i = 0; i < 10000 && woken == 0; i++) {
		msleep(2);
		woken = fx(&sh[0], FUTEX_WAKE, 1, NULL);
	}
	printf("woke %ld waiter(s)\n", woken);
	if (woken == 0) { /* do not hang: make the child's wait fail instead */
		sh[0] = 1;
		kill(pid, SIGKILL);
	}
	reap(pid);
	printf("child wait result=%d\n", sh[1]);

	/* private futexes do not wake across processes' separate copies */
	static int priv = 0;
	pid = fork();
	if (pid == 0) {
		struct timespec t = { 0, 50000000 };
		long r = fx(&priv, FUTEX_WAIT | FUTEX_PRIVATE, 0, &t);
		printf("child private wait: %s\n", r == -1 ? errname(errno) : "woken");
		_exit(0);
	}
	msleep(10);
	CHECK(fx(&priv, FUTEX_WAKE | FUTEX_PRIVATE, 1, NULL));
	reap(pid);
	/* change the value, then a waiter sees EAGAIN */
	sh[0] = 1;
	pid = fork();
	if (pid == 0) {
		long r = fx(&sh[0], FUTEX_WAIT, 0, NULL);
		printf("child wait on changed word: %s\n", r == -1 ? errname(errno) : "woken");
		_exit(0);
	}
	reap(pid);
	return 0;
}
