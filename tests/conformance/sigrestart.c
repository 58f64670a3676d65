/* SA_RESTART vs EINTR: a blocking pipe read interrupted by a signal from a child. */
#include "common.h"

static volatile int hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

/* mode 0: read without SA_RESTART; 1: read with SA_RESTART; 2: nanosleep with SA_RESTART;
 * 3: pause; 4: wait4 with SA_RESTART */
static void run_case(int mode)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = (mode == 0 || mode == 3) ? 0 : SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	int data[2], ack[2];
	MUST(pipe(data));
	MUST(pipe(ack));
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(data[0]);
		close(ack[1]);
		fcntl(ack[0], F_SETFL, O_NONBLOCK);
		char c;
		if (mode == 1 || mode == 4) {
			/* several signals while the parent blocks, then the data / the exit */
			for (int i = 0; i < 5; i++) {
				kill(parent, SIGUSR1);
				msleep(10);
			}
			if (mode == 4)
				_exit(9);
			ssize_t UNUSED w = write(data[1], "data", 4);
			fcntl(ack[0], F_SETFL, 0);
			ssize_t UNUSED r = read(ack[0], &c, 1);
			_exit(0);
		}
		/* keep signalling until the parent says it was interrupted */
		for (int i = 0; i < 1000; i++) {
			kill(parent, SIGUSR1);
			msleep(5);
			if (read(ack[0], &c, 1) == 1)
				_exit(0);
		}
		_exit(1);
	}
	close(data[1]);
	close(ack[0]);
	char buf[16] = { 0 };
	long r;
	int e;
	if (mode <= 1) {
		r = read(data[0], buf, sizeof buf - 1);
		e = errno;
		printf("%s: read = %ld %s%s, handler ran: %s\n", mode ? "SA_RESTART" : "no SA_RESTART",
		       r, r < 0 ? errname(e) : "", buf, hits ? "yes" : "no");
	} else if (mode == 2) {
		struct timespec ts = { 10, 0 };
		r = nanosleep(&ts, &ts);
		e = errno;
		printf("SA_RESTART nanosleep = %ld %s, handler ran: %s\n", r, errname(e), hits ? "yes" : "no");
	} else if (mode == 3) {
		r = pause();
		e = errno;
		printf("pause = %ld %s, handler ran: %s\n", r, errname(e), hits ? "yes" : "no");
	} else {
		int st;
		r = waitpid(pid, &st, 0);
		printf("SA_RESTART waitpid restarted: %s, %s, handler ran: %s\n", r == pid ? "yes" : "no",
		       wstatus(st), hits ? "yes" : "no");
		close(ack[1]);
		close(data[0]);
		return;
	}
	ssize_t UNUSED w = write(ack[1], "k", 1);
	close(ack[1]);
	close(data[0]);
	printf("  child %s\n", wstatus(reap(pid)));
}

int main(void)
{
	for (int mode = 0; mode <= 4; mode++)
		run_case(mode);
	return 0;
}
