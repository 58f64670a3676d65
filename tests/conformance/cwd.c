/* getcwd/chdir/fchdir with relative paths; ERANGE, ENOENT for a removed cwd. */
#include "common.h"

static char base[4096];

/* Print the cwd relative to where we started ("." or "./a/b"). */
static void where(const char *what)
{
	char buf[4096];
	if (getcwd(buf, sizeof buf) == NULL) {
		printf("%s: getcwd -1 %s\n", what, errname(errno));
		return;
	}
	size_t n = strlen(base);
	if (strncmp(buf, base, n) == 0 && (buf[n] == 0 || buf[n] == '/'))
		printf("%s: .%s\n", what, buf + n);
	else
		printf("%s: outside the start directory\n", what);
}

int main(void)
{
	if (getcwd(base, sizeof base) == NULL)
		return 99;
	EXPECT(base[0] == '/');
	MUST(mkdir("a", 0755));
	MUST(mkdir("a/b", 0755));
	put_file("file", "x", 0644);
	CHECK(chdir("a/b"));
	where("after chdir a/b");
	CHECK(chdir(".."));
	where("after chdir ..");
	CHECK(chdir("./b/../b/."));
	where("after chdir ./b/../b/.");
	CHECK(chdir("../.."));
	where("after chdir ../..");

	int da = MUST(open("a", O_RDONLY | O_DIRECTORY));
	CHECK(fchdir(da));
	where("after fchdir a");
	CHECK(chdir(".."));
	int ff = MUST(open("file", O_RDONLY));
	CHECK(fchdir(ff));
	CHECK(fchdir(-1));
	CHECK(fchdir(999));
	CHECK(chdir("missing"));
	CHECK(chdir("file"));
	CHECK(chdir("file/x"));
	CHECK(chdir(""));
	where("after errors");

	/* symlinks are resolved: getcwd reports the physical path */
	MUST(symlink("a/b", "lnk"));
	CHECK(chdir("lnk"));
	where("after chdir lnk");
	CHECK(chdir("../.."));

	/* buffer sizes (raw syscall returns the length including the NUL) */
	char buf[4096];
	long len = syscall(SYS_getcwd, buf, sizeof buf);
	EXPECT(len == (long)strlen(base) + 1);
	EXPECT(syscall(SYS_getcwd, buf, (size_t)len) == len);
	CHECK(syscall(SYS_getcwd, buf, (size_t)len - 1));
	CHECK(syscall(SYS_getcwd, buf, 1));
	CHECK(syscall(SYS_getcwd, buf, 0));
	errno = 0;
	EXPECT(getcwd(buf, 2) == NULL && errno == ERANGE);

	/* a removed cwd */
	MUST(mkdir("gone", 0755));
	CHECK(chdir("gone"));
	CHECK(rmdir("../gone"));
	CHECK(syscall(SYS_getcwd, buf, sizeof buf));
	CHECK(open("new", O_WRONLY | O_CREAT, 0644));
	CHECK(chdir(".."));
	where("after leaving removed dir");

	/* cwd is per process and inherited */
	pid_t pid = fork();
	if (pid == 0) {
		where("child");
		chdir("a");
		where("child after chdir a");
		_exit(0);
	}
	reap(pid);
	where("parent after child");
	return 0;
}
