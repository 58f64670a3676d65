/* readlink/readlinkat on symlinks we create: truncation, no NUL, EINVAL, errnos. */
#include "common.h"

int main(void)
{
	char buf[8192];
	MUST(symlink("target-name", "l"));
	MUST(symlink("/an/absolute/target", "abs"));
	MUST(symlink("dir", "ldir"));
	MUST(mkdir("dir", 0755));
	put_file("file", "x", 0644);
	MUST(symlink("../file", "dir/up"));

	memset(buf, '#', sizeof buf);
	CHECK(readlink("l", buf, sizeof buf));
	printf("buf=%.12s\n", buf); /* no NUL terminator: 12th char is still '#' */
	memset(buf, '#', sizeof buf);
	CHECK(readlink("l", buf, 4));
	printf("buf=%.6s\n", buf);
	CHECK(readlink("abs", buf, sizeof buf));
	printf("abs=%.19s\n", buf);
	CHECK(readlink("dir/up", buf, sizeof buf));
	CHECK(syscall(SYS_readlink, "l", buf, 0));
	CHECK(syscall(SYS_readlink, "l", buf, -1));

	/* not symlinks */
	CHECK(readlink("file", buf, sizeof buf));
	CHECK(readlink("dir", buf, sizeof buf));
	CHECK(readlink("ldir/", buf, sizeof buf));
	CHECK(readlink(".", buf, sizeof buf));
	/* missing */
	CHECK(readlink("missing", buf, sizeof buf));
	CHECK(readlink("file/x", buf, sizeof buf));
	CHECK(readlink("", buf, sizeof buf));
	CHECK(readlink("l/", buf, sizeof buf));

	/* readlinkat */
	int d = MUST(open("dir", O_RDONLY | O_DIRECTORY));
	memset(buf, 0, sizeof buf);
	CHECK(readlinkat(d, "up", buf, sizeof buf));
	printf("up=%s\n", buf);
	CHECK(readlinkat(AT_FDCWD, "l", buf, sizeof buf));
	CHECK(readlinkat(d, "../l", buf, sizeof buf));
	CHECK(readlinkat(d, "", buf, sizeof buf));
	CHECK(readlinkat(d, "missing", buf, sizeof buf));
	int f = MUST(open("file", O_RDONLY));
	CHECK(readlinkat(f, "x", buf, sizeof buf));
	CHECK(readlinkat(-1, "l", buf, sizeof buf));
	CHECK(readlinkat(999, "l", buf, sizeof buf));

	/* long targets */
	static char tgt[5000];
	memset(tgt, 'x', 4095);
	tgt[4095] = 0;
	CHECK(symlink(tgt, "long"));
	CHECK(readlink("long", buf, sizeof buf));
	EXPECT(memcmp(buf, tgt, 4095) == 0);
	memset(tgt, 'x', 4096);
	tgt[4096] = 0;
	CHECK(symlink(tgt, "toolong"));
	CHECK(symlink("", "empty"));
	CHECK(symlink("l", "l"));

	/* /proc/self/exe: only that it exists and names an absolute path */
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	EXPECT(n > 1 && buf[0] == '/');
	return 0;
}
