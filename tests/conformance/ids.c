/* getuid/geteuid/getgid/getegid/getgroups/getres*id, and dropping privileges in a child. */
#include "common.h"
#include <grp.h>

int main(void)
{
	CHECK(getuid());
	CHECK(geteuid());
	CHECK(getgid());
	CHECK(getegid());
	CHECK(syscall(SYS_getuid));
	CHECK(syscall(SYS_getegid));
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	CHECK(getresuid(&ru, &eu, &su));
	printf("resuid=%d,%d,%d\n", (int)ru, (int)eu, (int)su);
	CHECK(getresgid(&rg, &eg, &sg));
	printf("resgid=%d,%d,%d\n", (int)rg, (int)eg, (int)sg);

	/* supplementary groups: the count differs by environment, only consistency is printed */
	gid_t g[64];
	int n = getgroups(0, NULL);
	EXPECT(n >= 0);
	EXPECT(getgroups(64, g) == n);
	CHECK(syscall(SYS_getgroups, -1, g));

	/* as root we may set our ids to what they are */
	CHECK(setuid(0));
	CHECK(setgid(0));
	CHECK(setresuid(-1, -1, -1));

	put_file("secret", "s", 0600);
	pid_t pid = fork();
	if (pid == 0) {
		gid_t two[2] = { 0, 5 };
		CHECK(setgroups(2, two));
		gid_t back[4] = { 99, 99, 99, 99 };
		CHECK(getgroups(4, back));
		printf("groups=%d,%d\n", (int)back[0], (int)back[1]);
		CHECK(getgroups(1, back));
		CHECK(setgroups(0, NULL));
		CHECK(getgroups(0, NULL));
		CHECK(setresgid(100, 100, 100));
		CHECK(getgid());
		CHECK(setresuid(1000, 1001, 1002));
		CHECK(getuid());
		CHECK(geteuid());
		CHECK(getresuid(&ru, &eu, &su));
		printf("resuid=%d,%d,%d\n", (int)ru, (int)eu, (int)su);
		CHECK(setuid(1002)); /* to the saved uid: allowed */
		CHECK(getresuid(&ru, &eu, &su));
		printf("resuid=%d,%d,%d\n", (int)ru, (int)eu, (int)su);
		CHECK(setuid(0));
		CHECK(seteuid(0));
		CHECK(setgid(0));
		gid_t z = 0;
		CHECK(setgroups(1, &z));
		CHECK(open("secret", O_RDONLY));
		CHECK(open("newfile", O_WRONLY | O_CREAT, 0644)); /* cwd is 0755 root-owned */
		_exit(0);
	}
	printf("child %s\n", wstatus(reap(pid)));
	/* the parent is unaffected */
	CHECK(getuid());
	CHECK(geteuid());
	return 0;
}
