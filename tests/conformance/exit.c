/* exit/exit_group/_exit: status wrapping, atexit order, stdio flushing, raw syscalls. */
#include "common.h"

static void h1(void)
{
	printf("atexit handler 1\n");
}

static void h2(void)
{
	printf("atexit handler 2\n");
}

static int run(int mode)
{
	pid_t pid = fork();
	if (pid == 0) {
		atexit(h1);
		atexit(h2);
		switch (mode) {
		case 0: exit(0);
		case 1: exit(256);
		case 2: exit(257);
		case 3: exit(-1);
		case 4: _exit(5);
		case 5: syscall(SYS_exit_group, 6); break;
		case 6: syscall(SYS_exit, 7); break;
		case 7: syscall(SYS_exit_group, 0x1234); break;
		case 8: {
			/* buffered output is flushed by exit() */
			static char buf[256];
			setvbuf(stdout, buf, _IOFBF, sizeof buf);
			printf("buffered then exit()\n");
			exit(8);
		}
		case 9: {
			/* ...and lost with _exit() */
			static char buf[256];
			setvbuf(stdout, buf, _IOFBF, sizeof buf);
			printf("buffered then _exit() (must not appear)\n");
			_exit(9);
		}
		}
		_exit(99);
	}
	return reap(pid);
}

int main(void)
{
	const char *what[] = { "exit(0)", "exit(256)", "exit(257)", "exit(-1)", "_exit(5)",
			       "SYS_exit_group(6)", "SYS_exit(7)", "SYS_exit_group(0x1234)",
			       "buffered+exit(8)", "buffered+_exit(9)" };
	for (int m = 0; m < 10; m++)
		printf("%s -> %s\n", what[m], wstatus(run(m)));
	/* the program's own status: exit(259) is seen as 3 by whoever runs us */
	atexit(h1);
	exit(259);
}
