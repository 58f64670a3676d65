/* mkdir/rmdir/unlink/rename/link/symlink/chmod/chown/truncate/utimensat: results and errnos. */
#include "common.h"

static void show(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0) {
		printf("  %s: %s\n", p, errname(errno));
		return;
	}
	printf("  %s: %s mode=%04o uid=%d gid=%d", p, S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "lnk" : "reg",
	       (unsigned)(st.st_mode & 07777), (int)st.st_uid, (int)st.st_gid);
	if (!S_ISDIR(st.st_mode))
		printf(" size=%lld nlink=%ld", (long long)st.st_size, (long)st.st_nlink);
	printf("\n");
}

int main(void)
{
	umask(022);
	/* mkdir */
	CHECK(mkdir("d", 0777));
	CHECK(mkdir("d", 0777));
	CHECK(mkdir("nodir/x", 0777));
	put_file("f", "content", 0644);
	CHECK(mkdir("f/x", 0777));
	CHECK(mkdir("f", 0777));
	CHECK(mkdir("", 0777));
	CHECK(mkdir("d/sub/", 0700));
	show("d/sub");

	/* rmdir */
	CHECK(rmdir("d"));
	CHECK(rmdir("f"));
	CHECK(rmdir("missing"));
	CHECK(rmdir("d/sub/."));
	CHECK(rmdir("d/sub/.."));
	CHECK(rmdir("d/sub"));
	show("d/sub");

	/* unlink */
	CHECK(unlink("d"));
	CHECK(unlink("missing"));
	CHECK(unlink("f/x"));
	put_file("g", "gg", 0600);
	CHECK(unlink("g"));
	show("g");

	/* link / symlink */
	CHECK(link("f", "f2"));
	show("f");
	CHECK(link("f", "f2"));
	CHECK(link("d", "d2"));
	CHECK(link("missing", "m2"));
	CHECK(symlink("f", "s"));
	CHECK(symlink("x", "s"));
	CHECK(link("s", "s-hard")); /* links the symlink itself */
	show("s-hard");
	show("s");

	/* rename */
	put_file("a", "A", 0644);
	put_file("b", "BB", 0644);
	CHECK(rename("a", "b"));
	show("a");
	show("b");
	CHECK(rename("b", "b"));
	CHECK(rename("f", "f2")); /* hard links to the same file: nothing happens */
	show("f");
	CHECK(mkdir("e1", 0755));
	CHECK(mkdir("e2", 0755));
	CHECK(mkdir("full", 0755));
	put_file("full/x", "", 0644);
	CHECK(rename("e1", "e2"));
	show("e1");
	CHECK(rename("e2", "full"));
	CHECK(rename("b", "full"));
	CHECK(rename("full", "b"));
	CHECK(rename("full", "full/inner"));
	CHECK(rename("missing", "x"));
	CHECK(rename("b", "nodir/x"));
	CHECK(rename("b", "full/moved"));
	show("full/moved");
	CHECK(rename("s", "s-renamed"));
	char buf[16] = { 0 };
	CHECK(readlink("s-renamed", buf, sizeof buf));
	printf("  target=%s\n", buf);
	CHECK(rename(".", "x"));
	CHECK(rename("full/..", "x"));

	/* chmod / chown */
	CHECK(chmod("f", 04755));
	show("f");
	CHECK(chmod("f", 0));
	show("f");
	CHECK(chmod("missing", 0644));
	CHECK(chown("f", 1000, 2000));
	show("f");
	CHECK(chown("f", -1, 0));
	show("f");
	CHECK(lchown("s-renamed", 7, 7));
	show("s-renamed");
	int fd = MUST(open("f2", O_RDONLY));
	CHECK(fchmod(fd, 0640));
	CHECK(fchown(fd, 0, 0));
	show("f2");
	close(fd);

	/* truncate */
	CHECK(truncate("f", 3));
	show("f");
	CHECK(truncate("f", 10000));
	show("f");
	CHECK(truncate("f", -1));
	CHECK(truncate("d", 0));
	CHECK(truncate("missing", 0));
	fd = MUST(open("f", O_RDONLY));
	CHECK(ftruncate(fd, 0));
	close(fd);
	fd = MUST(open("f", O_RDWR));
	CHECK(ftruncate(fd, 5));
	CHECK(ftruncate(fd, -5));
	show("f");
	close(fd);

	/* utimensat: explicit times are reported back exactly */
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1234567890, 987654321 } };
	CHECK(utimensat(AT_FDCWD, "f", ts, 0));
	struct stat st;
	MUST(stat("f", &st));
	printf("  atime=%ld.%09ld mtime=%ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 42, 0 };
	CHECK(utimensat(AT_FDCWD, "f", ts, 0));
	MUST(stat("f", &st));
	printf("  atime=%ld mtime=%ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	ts[1].tv_nsec = 1000000000;
	CHECK(utimensat(AT_FDCWD, "f", ts, 0));
	CHECK(utimensat(AT_FDCWD, "missing", NULL, 0));
	return 0;
}
