/* access/faccessat (raw, no flags): modes for root, missing files, real-uid checks. */
#include "common.h"

#define FACCESSAT(d, p, m) syscall(SYS_faccessat, (d), (p), (m))

int main(void)
{
	umask(0);
	/* work in a directory of known mode: the uid-1000 checks below depend on it */
	MUST(mkdir("w", 0755));
	MUST(chdir("w"));
	put_file("f644", "", 0644);
	put_file("f000", "", 0000);
	put_file("f100", "", 0100);
	put_file("f755", "", 0755);
	MUST(mkdir("d000", 0000));
	MUST(symlink("f644", "link"));
	MUST(symlink("nowhere", "dangling"));

	/* root: read/write always, execute only if some x bit is set */
	CHECK(access("f644", F_OK));
	CHECK(access("f644", R_OK | W_OK));
	CHECK(access("f644", X_OK));
	CHECK(access("f000", R_OK | W_OK));
	CHECK(access("f000", X_OK));
	CHECK(access("f100", X_OK));
	CHECK(access("f755", R_OK | W_OK | X_OK));
	CHECK(access("d000", R_OK | W_OK | X_OK));
	CHECK(access("link", R_OK));
	CHECK(access("dangling", F_OK));

	/* errors */
	CHECK(access("missing", F_OK));
	CHECK(access("f644/x", F_OK));
	CHECK(access("", F_OK));
	CHECK(syscall(SYS_access, "f644", 8));
	CHECK(syscall(SYS_access, "f644", -1));

	/* faccessat */
	int d = MUST(open(".", O_RDONLY | O_DIRECTORY));
	MUST(mkdir("sub", 0755));
	put_file("sub/x", "", 0700);
	int sd = MUST(open("sub", O_RDONLY | O_DIRECTORY));
	CHECK(FACCESSAT(AT_FDCWD, "f644", R_OK));
	CHECK(FACCESSAT(d, "f100", X_OK));
	CHECK(FACCESSAT(sd, "x", X_OK));
	CHECK(FACCESSAT(sd, "../f644", X_OK));
	CHECK(FACCESSAT(sd, "missing", F_OK));
	int ff = MUST(open("f644", O_RDONLY));
	CHECK(FACCESSAT(ff, "x", F_OK));
	CHECK(FACCESSAT(-1, "x", F_OK));
	CHECK(FACCESSAT(999, "x", F_OK));
	CHECK(FACCESSAT(999, "/dev/null", R_OK | W_OK));
	CHECK(FACCESSAT(d, "f644", 0x10));

	/* access() checks the real uid: with ruid 1000 and euid 0 root powers do not apply */
	pid_t pid = fork();
	if (pid == 0) {
		CHECK(setresuid(1000, 0, 0));
		CHECK(access("f000", R_OK));
		CHECK(access("f644", R_OK));
		CHECK(access("f644", W_OK));
		CHECK(access("f755", X_OK));
		int fd = CHECK(open("f000", O_RDONLY)); /* open uses the effective uid */
		close(fd);
		CHECK(setresuid(1000, 1000, 1000));
		CHECK(open("f000", O_RDONLY));
		CHECK(access("d000", F_OK));
		CHECK(access("d000/x", F_OK));
		_exit(0);
	}
	printf("child %s\n", wstatus(reap(pid)));
	return 0;
}
