/* stat/fstat/lstat: deterministic fields (type, mode, size, nlink, uid, gid) and errnos. */
#include "common.h"

static void show(const char *what, int r, const struct stat *st)
{
	if (r != 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	const char *type = S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir"
			 : S_ISLNK(st->st_mode) ? "lnk" : S_ISCHR(st->st_mode) ? "chr"
			 : S_ISFIFO(st->st_mode) ? "fifo" : "other";
	printf("%s: %s mode=%04o uid=%d gid=%d", what, type, (unsigned)(st->st_mode & 07777),
	       (int)st->st_uid, (int)st->st_gid);
	if (!S_ISDIR(st->st_mode))
		printf(" size=%lld nlink=%ld", (long long)st->st_size, (long)st->st_nlink);
	printf("\n");
}

int main(void)
{
	struct stat st, st2;
	umask(0);
	put_file("f", "twelve bytes", 0640);
	show("stat f", stat("f", &st), &st);
	int fd = open("f", O_RDONLY);
	show("fstat f", fstat(fd, &st2), &st2);
	EXPECT(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	EXPECT(st.st_blksize > 0);
	EXPECT(st.st_mtime > 0 && st.st_ctime > 0 && st.st_atime > 0);

	/* size follows writes and truncation */
	int w = open("f", O_WRONLY | O_APPEND);
	CHECK(write(w, "+3b", 3));
	show("fstat after append", fstat(fd, &st), &st);
	CHECK(ftruncate(w, 5));
	show("fstat after ftruncate", fstat(fd, &st), &st);
	CHECK(ftruncate(w, 100000));
	show("fstat after grow", fstat(fd, &st), &st);
	close(w);
	close(fd);

	/* hard links share the inode and bump nlink */
	CHECK(link("f", "g"));
	show("stat f", stat("f", &st), &st);
	show("stat g", stat("g", &st2), &st2);
	EXPECT(st.st_ino == st2.st_ino);
	CHECK(unlink("g"));
	show("stat f", stat("f", &st), &st);
	put_file("other", "", 0600);
	show("stat other", stat("other", &st2), &st2);
	EXPECT(st.st_ino != st2.st_ino);

	/* fstat on an unlinked but open file */
	fd = open("other", O_RDWR);
	CHECK(unlink("other"));
	show("fstat unlinked", fstat(fd, &st), &st);
	close(fd);

	/* directories */
	CHECK(mkdir("d", 0751));
	CHECK(mkdir("d/s1", 0700));
	CHECK(mkdir("d/s2", 0700));
	show("stat d", stat("d", &st), &st);
	show("stat d/", stat("d/", &st), &st);
	show("stat d/s1/..", stat("d/s1/..", &st2), &st2);
	EXPECT(st.st_ino == st2.st_ino);

	/* symlinks: lstat sees the link, stat the target */
	CHECK(symlink("f", "lf"));
	CHECK(symlink("d", "ld"));
	CHECK(symlink("missing-target", "dangling"));
	show("lstat lf", lstat("lf", &st), &st);
	show("stat lf", stat("lf", &st), &st);
	show("lstat ld", lstat("ld", &st), &st);
	show("stat ld", stat("ld", &st), &st);
	show("lstat ld/", lstat("ld/", &st), &st);
	show("lstat dangling", lstat("dangling", &st), &st);
	show("stat dangling", stat("dangling", &st), &st);
	show("lstat f", lstat("f", &st), &st);

	/* pipes */
	int p[2];
	MUST(pipe(p));
	show("fstat pipe", fstat(p[0], &st), &st);

	/* errors */
	show("stat missing", stat("missing", &st), &st);
	show("stat f/x", stat("f/x", &st), &st);
	show("stat f/", stat("f/", &st), &st);
	show("stat empty", stat("", &st), &st);
	show("lstat missing", lstat("missing/x", &st), &st);
	show("fstat -1", fstat(-1, &st), &st);
	show("fstat 999", fstat(999, &st), &st);
	CHECK(symlink("loop", "loop"));
	show("stat loop", stat("loop", &st), &st);

	/* raw syscalls */
	struct stat rs;
	CHECK(syscall(SYS_stat, "f", &rs));
	CHECK(syscall(SYS_lstat, "lf", &rs));
	EXPECT(S_ISLNK(rs.st_mode));
	CHECK(syscall(SYS_fstat, 1000, &rs));
	return 0;
}
