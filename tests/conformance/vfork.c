/* vfork: the parent waits until the child exits or execs; memory is shared until then. */
#include "common.h"

static volatile int shared_var;

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
		printf("exec'd child says %s\n", argv[2]);
		return 7;
	}
	int st;
	shared_var = 1;
	pid_t pid = vfork();
	if (pid == 0) {
		shared_var = 2; /* visible to the parent: same memory */
		_exit(3);
	}
	waitpid(pid, &st, 0);
	printf("after vfork+_exit: shared_var=%d child %s\n", shared_var, wstatus(st));

	/* vfork + execve: parent resumes after the exec, child runs independently */
	pid = vfork();
	if (pid == 0) {
		char *args[] = { argv[0], "exec-child", "hi", NULL };
		char *env[] = { NULL };
		execve(argv[0], args, env);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("vfork+exec child %s\n", wstatus(st));

	/* vfork + failing exec */
	pid = vfork();
	if (pid == 0) {
		char *args[] = { "missing", NULL };
		execve("./missing-program", args, args + 1);
		shared_var = errno;
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("failed exec: %s, errno seen by parent=%s\n", wstatus(st), errname(shared_var));

	/* vfork child killed by a signal */
	pid = vfork();
	if (pid == 0) {
		/* raw syscalls: the libcs' raise() uses the parent's cached tid here */
		syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("SIGKILL in vfork child: %s\n", wstatus(st));

	/* the parent's pid is the child's parent */
	pid_t me = getpid();
	pid = vfork();
	if (pid == 0)
		_exit(syscall(SYS_getppid) == me ? 21 : 22);
	waitpid(pid, &st, 0);
	printf("getppid in vfork child: %s\n", wstatus(st));
	return 0;
}
