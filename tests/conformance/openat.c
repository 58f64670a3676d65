/* openat: dirfd handling, AT_FDCWD, absolute paths, O_CLOEXEC, O_NOFOLLOW. */
#include "common.h"

int main(void)
{
	char buf[64];
	MUST(mkdir("dir", 0755));
	MUST(mkdir("dir/sub", 0755));
	put_file("dir/f", "in-dir", 0644);
	put_file("top", "at-top", 0644);

	int dfd = CHECK(openat(AT_FDCWD, "dir", O_RDONLY | O_DIRECTORY));
	int fd = CHECK(openat(dfd, "f", O_RDONLY));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("f=%s\n", buf);
	close(fd);
	fd = CHECK(openat(dfd, "../top", O_RDONLY));
	memset(buf, 0, sizeof buf);
	CHECK(read(fd, buf, sizeof buf));
	printf("top=%s\n", buf);
	close(fd);
	fd = CHECK(openat(dfd, "sub/../f", O_RDONLY));
	close(fd);
	fd = CHECK(openat(dfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600));
	close(fd);
	CHECK(access("dir/new", F_OK));
	CHECK(openat(dfd, "", O_RDONLY));
	CHECK(openat(dfd, "missing", O_RDONLY));

	/* dirfd stays valid after chdir */
	MUST(chdir("dir/sub"));
	fd = CHECK(openat(dfd, "f", O_RDONLY));
	close(fd);
	CHECK(openat(AT_FDCWD, "f", O_RDONLY));
	fd = CHECK(openat(AT_FDCWD, "../f", O_RDONLY));
	close(fd);
	MUST(chdir("../.."));

	/* bad dirfds */
	int ffd = CHECK(openat(AT_FDCWD, "top", O_RDONLY));
	CHECK(openat(ffd, "x", O_RDONLY));
	CHECK(openat(-5, "top", O_RDONLY));
	CHECK(openat(999, "top", O_RDONLY));
	/* absolute paths ignore dirfd, even a bad one */
	fd = CHECK(openat(999, "/dev/null", O_RDONLY));
	close(fd);
	fd = CHECK(openat(ffd, "/dev/null", O_RDONLY));
	close(fd);
	close(ffd);

	/* O_CLOEXEC */
	fd = CHECK(openat(AT_FDCWD, "top", O_RDONLY | O_CLOEXEC));
	CHECK(fcntl(fd, F_GETFD));
	close(fd);
	fd = CHECK(openat(AT_FDCWD, "top", O_RDONLY));
	CHECK(fcntl(fd, F_GETFD));
	close(fd);

	/* O_NOFOLLOW only affects the last component */
	MUST(symlink("dir", "ldir"));
	MUST(symlink("top", "ltop"));
	fd = CHECK(openat(AT_FDCWD, "ldir/f", O_RDONLY | O_NOFOLLOW));
	close(fd);
	CHECK(openat(AT_FDCWD, "ltop", O_RDONLY | O_NOFOLLOW));
	CHECK(openat(AT_FDCWD, "ldir", O_RDONLY | O_NOFOLLOW | O_DIRECTORY));
	fd = CHECK(openat(AT_FDCWD, "ldir", O_RDONLY | O_DIRECTORY));
	close(fd);

	/* raw syscall, including invalid flag bits (ignored by open/openat) */
	fd = CHECK(syscall(SYS_openat, AT_FDCWD, "top", O_RDONLY | 0x40000000));
	close(fd);
	fd = CHECK(syscall(SYS_openat, dfd, "f", O_RDONLY));
	close(fd);
	close(dfd);
	CHECK(syscall(SYS_openat, dfd, "f", O_RDONLY));
	return 0;
}
