/* uname: sysname and machine only (release and nodename differ by host). */
#include "common.h"
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	CHECK(uname(&u));
	printf("sysname=%s machine=%s\n", u.sysname, u.machine);
	EXPECT(strlen(u.release) > 0 && strlen(u.nodename) > 0 && strlen(u.version) > 0);
	EXPECT(u.release[0] >= '0' && u.release[0] <= '9');
	/* the fields are NUL-terminated within 65 bytes */
	EXPECT(memchr(u.sysname, 0, sizeof u.sysname) && memchr(u.release, 0, sizeof u.release));
	CHECK(syscall(SYS_uname, NULL));
	CHECK(syscall(SYS_uname, (void *)1));
	/* the same answer through the raw syscall and in a child */
	struct utsname r;
	CHECK(syscall(SYS_uname, &r));
	EXPECT(strcmp(r.release, u.release) == 0 && strcmp(r.nodename, u.nodename) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct utsname c;
		uname(&c);
		printf("child: same=%d\n", strcmp(c.nodename, u.nodename) == 0 && strcmp(c.machine, u.machine) == 0);
		_exit(0);
	}
	reap(pid);
	return 0;
}
