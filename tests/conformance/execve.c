/* execve: argv/envp passing, auxv, what survives exec (fds, signals, umask, cwd, pid), errors. */
#include "common.h"
#include <sys/auxv.h>

extern char **environ;

#ifndef AT_EXECFN
#define AT_EXECFN 31
#endif

static int child_main(int argc, char **argv)
{
	printf("child argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("  argv[%d]=\"%s\"\n", i, argv[i]);
	EXPECT(argv[argc] == NULL);
	EXPECT(environ == argv + argc + 1);
	for (char **e = environ; *e; e++) {
		/* values that are host- or run-specific are shown by name only */
		if (strncmp(*e, "EXEC_PATH=", 10) == 0 || strncmp(*e, "OLD_PID=", 8) == 0)
			printf("  env %.*s...\n", (int)(strchr(*e, '=') - *e + 1), *e);
		else
			printf("  env \"%s\"\n", *e);
	}

	/* auxiliary vector */
	EXPECT(getauxval(AT_PAGESZ) == 4096);
	unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
	unsigned char copy[16];
	int nz = 0;
	if (rnd) {
		memcpy(copy, rnd, 16);
		for (int i = 0; i < 16; i++)
			nz |= copy[i];
	}
	printf("AT_RANDOM: present=%d nonzero=%d\n", rnd != NULL, nz != 0);
	EXPECT(getauxval(AT_ENTRY) != 0 && getauxval(AT_PHDR) != 0);
	EXPECT(getauxval(AT_PHENT) == 56 && getauxval(AT_PHNUM) > 0);
	printf("AT_UID=%lu AT_EUID=%lu AT_GID=%lu AT_EGID=%lu AT_SECURE=%lu AT_CLKTCK=%lu\n",
	       getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID),
	       getauxval(AT_SECURE), getauxval(AT_CLKTCK));
	const char *fn = (const char *)getauxval(AT_EXECFN);
	if (getenv("EXEC_PATH"))
		EXPECT(fn != NULL && strcmp(fn, getenv("EXEC_PATH")) == 0);

	/* state carried across exec */
	const char *pid = getenv("OLD_PID");
	if (pid)
		printf("same pid after exec: %d\n", atoi(pid) == getpid());
	const char *fds = getenv("FDS");
	if (fds) {
		int cloexec_fd, keep_fd;
		sscanf(fds, "%d,%d", &cloexec_fd, &keep_fd);
		CHECK(fcntl(cloexec_fd, F_GETFD));
		CHECK(fcntl(keep_fd, F_GETFD));
		char buf[8] = { 0 };
		CHECK(read(keep_fd, buf, 3));
		printf("read from inherited fd: %s\n", buf);
	}
	if (getenv("SIGS")) {
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		printf("SIGUSR1 handler was caught -> now %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
		sigaction(SIGUSR2, NULL, &sa);
		printf("SIGUSR2 ignored -> now %s\n", sa.sa_handler == SIG_IGN ? "SIG_IGN" : "other");
		sigset_t m, p;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&p);
		printf("SIGHUP blocked=%d pending=%d, SIGUSR1 blocked=%d\n", sigismember(&m, SIGHUP),
		       sigismember(&p, SIGHUP), sigismember(&m, SIGUSR1));
		mode_t um = umask(0);
		printf("umask=%04o\n", (unsigned)um);
		printf("cwd kept: %s\n", access("marker-in-sub", F_OK) == 0 ? "yes" : "no");
	}
	return 42;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int run(const char *path, char *const argv[], char *const envp[])
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		printf("execve failed: %s\n", errname(errno));
		_exit(127);
	}
	return reap(pid);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_main(argc, argv);
	if (argc > 1 && strncmp(argv[1], "from-shebang", 12) == 0) {
		/* argv[0] is the interpreter path (host-specific): not printed */
		printf("interpreter got argc=%d:", argc);
		for (int i = 1; i < argc; i++)
			printf(" \"%s\"", argv[i]);
		printf("\n");
		return 0;
	}
	const char *self = argv[0];
	char exec_path[600];
	snprintf(exec_path, sizeof exec_path, "EXEC_PATH=%s", self);

	/* argv and envp arrive exactly */
	{
		char *av[] = { (char *)self, "child", "a b", "", "last", NULL };
		char *ev[] = { "CONF_KEEP=1", "FOO=bar", "EMPTY=", "NOEQUALS", exec_path, NULL };
		printf("plain exec: %s\n", wstatus(run(self, av, ev)));
	}
	/* an empty environment */
	{
		char *av[] = { (char *)self, "child", NULL };
		char *ev[] = { NULL };
		printf("empty env: %s\n", wstatus(run(self, av, ev)));
	}

	/* state that survives exec */
	put_file("data", "abcdef", 0644);
	MUST(mkdir("sub", 0755));
	put_file("sub/marker-in-sub", "", 0644);
	pid_t pid = fork();
	if (pid == 0) {
		int c = open("data", O_RDONLY | O_CLOEXEC);
		int k = open("data", O_RDONLY);
		char env_fds[32], env_pid[32];
		snprintf(env_fds, sizeof env_fds, "FDS=%d,%d", c, k);
		snprintf(env_pid, sizeof env_pid, "OLD_PID=%d", getpid());
		signal(SIGUSR1, on_usr1); /* caught: reset to SIG_DFL by exec */
		signal(SIGUSR2, SIG_IGN);
		sigset_t m;
		sigemptyset(&m);
		sigaddset(&m, SIGHUP);
		sigprocmask(SIG_BLOCK, &m, NULL);
		kill(getpid(), SIGHUP); /* stays pending across exec */
		umask(0033);
		if (chdir("sub") != 0)
			_exit(98);
		char *av[] = { (char *)self, "child", NULL };
		char *ev[] = { "CONF_KEEP=1", env_fds, env_pid, "SIGS=1", exec_path, NULL };
		execve(self, av, ev);
		_exit(127);
	}
	printf("state exec: %s\n", wstatus(reap(pid)));

	/* a copy of ourselves at a relative path */
	{
		int in = MUST(open(self, O_RDONLY));
		int out = MUST(open("copy", O_WRONLY | O_CREAT | O_TRUNC, 0755));
		static char buf[65536];
		ssize_t n;
		while ((n = read(in, buf, sizeof buf)) > 0)
			MUST(write(out, buf, (size_t)n));
		close(in);
		close(out);
		char *av[] = { "copy", "child", "rel", NULL };
		char *ev[] = { "CONF_KEEP=1", "EXEC_PATH=./copy", NULL };
		printf("relative exec: %s\n", wstatus(run("./copy", av, ev)));
	}

	/* #! scripts: interpreter gets [interp, optional-arg, script, args...] */
	{
		char line[700];
		snprintf(line, sizeof line, "#!%s from-shebang\nignored\n", self);
		put_file("script", line, 0755);
		char *av[] = { "script", "x1", "x2", NULL };
		char *ev[] = { NULL };
		printf("script exec: %s\n", wstatus(run("./script", av, ev)));
		snprintf(line, sizeof line, "#!  %s   from-shebang  two words \n", self);
		put_file("script2", line, 0755);
		char *av2[] = { "script2", NULL };
		printf("script2 exec: %s\n", wstatus(run("./script2", av2, ev)));
		put_file("badinterp", "#!./no-such-interpreter\n", 0755);
		char *av3[] = { "badinterp", NULL };
		CHECK(execve("./badinterp", av3, ev));
	}

	/* errors (we are still here after each) */
	char *av[] = { "x", NULL };
	char *ev[] = { NULL };
	put_file("noexec", "#!/bin/sh\n", 0644);
	put_file("garbage", "this is not an executable\n", 0755);
	put_file("tiny", "x", 0755);
	put_file("empty", "", 0755);
	CHECK(execve("./missing", av, ev));
	CHECK(execve("missing", av, ev));
	CHECK(execve("", av, ev));
	CHECK(execve("./noexec", av, ev));
	CHECK(execve(".", av, ev));
	CHECK(execve("sub", av, ev));
	CHECK(execve("./garbage", av, ev));
	CHECK(execve("./tiny", av, ev));
	CHECK(execve("./empty", av, ev));
	CHECK(execve("./data/x", av, ev));
	CHECK(syscall(SYS_execve, self, (char **)1, ev));
	CHECK(syscall(SYS_execve, self, av, (char **)1));
	CHECK(syscall(SYS_execve, NULL, av, ev));
	static char huge[200000];
	memset(huge, 'h', sizeof huge - 1);
	char *big[] = { "x", huge, NULL };
	CHECK(execve(self, big, ev));
	printf("still running\n");
	return 0;
}
