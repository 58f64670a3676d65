/* open: creation flags, truncation, append, and the usual errnos. */
#include "common.h"

static long fsize(const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0)
		return -1;
	return (long)st.st_size;
}

int main(void)
{
	char buf[64];
	umask(022);
	int fd = CHECK(open("a", O_WRONLY | O_CREAT | O_EXCL, 0777));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("mode=%o\n", st.st_mode & 07777);
	CHECK(write(fd, "0123456789", 10));
	CHECK(close(fd));
	CHECK(open("a", O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK(open("a", O_RDONLY | O_EXCL)); /* O_EXCL without O_CREAT: ignored */
	close(3);

	/* O_TRUNC */
	fd = CHECK(open("a", O_RDWR | O_TRUNC));
	printf("size after O_TRUNC=%ld\n", fsize("a"));
	CHECK(write(fd, "abc", 3));
	close(fd);
	/* O_RDONLY|O_TRUNC truncates on Linux too */
	fd = CHECK(open("a", O_RDONLY | O_TRUNC));
	printf("size after O_RDONLY|O_TRUNC=%ld\n", fsize("a"));
	close(fd);

	/* O_APPEND: every write goes to the end */
	put_file("b", "start", 0644);
	fd = CHECK(open("b", O_RDWR | O_APPEND));
	CHECK(lseek(fd, 0, SEEK_SET));
	CHECK(write(fd, "+end", 4));
	CHECK(lseek(fd, 0, SEEK_CUR));
	CHECK(lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("b=%s\n", buf);
	close(fd);

	/* O_CREAT on an existing file keeps its content and mode */
	fd = CHECK(open("b", O_RDONLY | O_CREAT, 0600));
	MUST(fstat(fd, &st));
	printf("mode=%o size=%lld\n", st.st_mode & 07777, (long long)st.st_size);
	close(fd);

	/* directories */
	MUST(mkdir("d", 0755));
	CHECK(open("d", O_WRONLY));
	CHECK(open("d", O_RDWR));
	CHECK(open("d", O_RDONLY | O_CREAT, 0644));
	CHECK(open("d", O_WRONLY | O_CREAT | O_EXCL, 0644));
	fd = CHECK(open("d", O_RDONLY));
	close(fd);
	fd = CHECK(open("d/", O_RDONLY | O_DIRECTORY));
	close(fd);
	CHECK(open("b", O_RDONLY | O_DIRECTORY));
	CHECK(open("b/", O_RDONLY));
	CHECK(open("new/", O_WRONLY | O_CREAT, 0644));
	CHECK(open("b/x", O_RDONLY));
	CHECK(open("b/x", O_WRONLY | O_CREAT, 0644));

	/* missing */
	CHECK(open("missing", O_RDONLY));
	CHECK(open("nodir/file", O_WRONLY | O_CREAT, 0644));
	CHECK(open("", O_RDONLY));
	CHECK(open("", O_WRONLY | O_CREAT, 0644));

	/* names too long */
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = 0;
	CHECK(open(longname, O_WRONLY | O_CREAT, 0644));
	longname[255] = 0;
	fd = CHECK(open(longname, O_WRONLY | O_CREAT, 0644));
	close(fd);
	CHECK(unlink(longname));
	static char longpath[5000];
	for (int i = 0; i < 4999; i++)
		longpath[i] = (i % 2) ? '/' : '.';
	longpath[4999] = 0;
	CHECK(open(longpath, O_RDONLY));

	/* symlinks */
	MUST(symlink("b", "lb"));
	MUST(symlink("nowhere", "dangling"));
	MUST(symlink("loop2", "loop1"));
	MUST(symlink("loop1", "loop2"));
	fd = CHECK(open("lb", O_RDONLY));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("via symlink=%s\n", buf);
	close(fd);
	CHECK(open("lb", O_RDONLY | O_NOFOLLOW));
	CHECK(open("dangling", O_RDONLY));
	CHECK(open("lb", O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644));
	CHECK(open("loop1", O_RDONLY));
	/* O_CREAT through a dangling symlink creates the target */
	fd = CHECK(open("dangling", O_WRONLY | O_CREAT, 0600));
	close(fd);
	CHECK(access("nowhere", F_OK));

	/* lowest free descriptor is used */
	int f1 = CHECK(open("b", O_RDONLY));
	int f2 = CHECK(open("b", O_RDONLY));
	int f3 = CHECK(open("b", O_RDONLY));
	close(f2);
	CHECK(open("b", O_RDONLY));
	close(f1);
	close(f3);

	/* raw SYS_open agrees */
	fd = CHECK(syscall(SYS_open, "b", O_RDONLY));
	close(fd);
	CHECK(syscall(SYS_open, "missing", O_RDONLY));
	return 0;
}
