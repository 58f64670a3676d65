/* umask: old value returned, modes of created files and directories, inheritance. */
#include "common.h"

static void mode_of(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0)
		printf("%s: %s\n", p, errname(errno));
	else
		printf("%s: %04o\n", p, (unsigned)(st.st_mode & 07777));
}

int main(void)
{
	umask(022); /* the starting value depends on the environment: not printed */
	CHECK(umask(027));
	CHECK(umask(027));
	put_file("f1", "", 0666);
	mode_of("f1");
	MUST(mkdir("d1", 0777));
	mode_of("d1");
	MUST(symlink("f1", "l1"));
	mode_of("l1");

	CHECK(umask(0777 | 07000)); /* only the permission bits are kept */
	CHECK(umask(0));
	put_file("f2", "", 0757);
	mode_of("f2");
	MUST(mkdir("d2", 01777));
	mode_of("d2");
	CHECK(umask(0777));
	put_file("f3", "", 0666);
	mode_of("f3");
	/* umask does not affect chmod */
	CHECK(chmod("f3", 0640));
	mode_of("f3");

	/* inherited by children; a child's change does not affect the parent */
	CHECK(umask(0002));
	pid_t pid = fork();
	if (pid == 0) {
		printf("child umask=%04o\n", (unsigned)umask(077));
		put_file("fc", "", 0666);
		_exit(0);
	}
	reap(pid);
	mode_of("fc");
	CHECK(umask(0002));
	CHECK(syscall(SYS_umask, 022));
	return 0;
}
