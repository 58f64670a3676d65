/* set_tid_address: returns the caller's tid; clear-on-exit only when the mm is shared. */
#include "common.h"

int main(void)
{
	static int word;
	long tid = CHECK_OK(syscall(SYS_set_tid_address, &word));
	EXPECT(tid == getpid());
	EXPECT(syscall(SYS_set_tid_address, NULL) == getpid());
	EXPECT(syscall(SYS_gettid) == getpid());

	/* fork: the child's clear_child_tid is reset; set one on shared memory. A
	 * single-threaded process exiting does not clear it (mm not shared). */
	int *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 12345;
	pid_t pid = fork();
	if (pid == 0) {
		long t = syscall(SYS_set_tid_address, &shared[0]);
		shared[1] = (t == getpid());
		_exit(0);
	}
	reap(pid);
	printf("fork child: returned own tid=%d, word after exit=%d\n", shared[1], shared[0]);

	/* vfork: the child shares the parent's memory, so its exit clears the word */
	shared[2] = 777;
	pid = vfork();
	if (pid == 0) {
		syscall(SYS_set_tid_address, &shared[2]);
		_exit(0);
	}
	reap(pid);
	printf("vfork child: word after exit=%d\n", shared[2]);
	return 0;
}
