/* newfstatat: dirfd, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, invalid flags. */
#include "common.h"

static void show(const char *what, long r, const struct stat *st)
{
	if (r != 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	printf("%s: type=%s mode=%04o", what,
	       S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir" :
	       S_ISLNK(st->st_mode) ? "lnk" : "other", (unsigned)(st->st_mode & 07777));
	if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
		printf(" size=%lld", (long long)st->st_size);
	printf("\n");
}

#define RAW(dfd, path, st, flags) \
	(errno = 0, syscall(SYS_newfstatat, (dfd), (path), (st), (flags)))

int main(void)
{
	struct stat st;
	MUST(mkdir("dir", 0755));
	put_file("dir/file", "12345", 0600);
	MUST(symlink("file", "dir/link"));
	int dfd = MUST(open("dir", O_RDONLY | O_DIRECTORY));
	int ffd = MUST(open("dir/file", O_RDONLY));

	show("at(cwd, dir/file)", fstatat(AT_FDCWD, "dir/file", &st, 0), &st);
	show("at(dfd, file)", fstatat(dfd, "file", &st, 0), &st);
	show("at(dfd, link)", fstatat(dfd, "link", &st, 0), &st);
	show("at(dfd, link, NOFOLLOW)", fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW), &st);
	show("at(dfd, ..)", fstatat(dfd, "..", &st, 0), &st);
	show("at(ffd, \"\", EMPTY_PATH)", fstatat(ffd, "", &st, AT_EMPTY_PATH), &st);
	show("at(dfd, \"\", EMPTY_PATH)", fstatat(dfd, "", &st, AT_EMPTY_PATH), &st);
	show("at(ffd, /dev/null)", fstatat(ffd, "/dev/null", &st, 0), &st);

	show("raw(cwd, dir/file)", RAW(AT_FDCWD, "dir/file", &st, 0), &st);
	show("raw(dfd, link, NOFOLLOW)", RAW(dfd, "link", &st, AT_SYMLINK_NOFOLLOW), &st);
	show("raw(ffd, \"\", EMPTY_PATH)", RAW(ffd, "", &st, AT_EMPTY_PATH), &st);
	show("raw(ffd, \"\", 0)", RAW(ffd, "", &st, 0), &st);
	show("raw(ffd, x, 0)", RAW(ffd, "x", &st, 0), &st);
	show("raw(-1, file, 0)", RAW(-1, "file", &st, 0), &st);
	show("raw(999, file, 0)", RAW(999, "file", &st, 0), &st);
	show("raw(999, \"\", EMPTY_PATH)", RAW(999, "", &st, AT_EMPTY_PATH), &st);
	show("raw(dfd, file, 0x1)", RAW(dfd, "file", &st, 0x1), &st);
	show("raw(dfd, file, 0x80000000)", RAW(dfd, "file", &st, 0x80000000), &st);
	show("raw(dfd, missing, 0)", RAW(dfd, "missing", &st, 0), &st);
	show("raw(dfd, file/, 0)", RAW(dfd, "file/", &st, 0), &st);
	show("raw(cwd, dir, 0)", RAW(AT_FDCWD, "dir", &st, 0), &st);
	show("raw(dfd, ., 0)", RAW(dfd, ".", &st, 0), &st);
	/* absolute path ignores a bad dirfd */
	show("raw(-1, /dev/null, 0)", RAW(-1, "/dev/null", &st, 0), &st);

	/* after chdir, dfd still names dir */
	MUST(chdir("dir"));
	show("at(cwd, file) after chdir", fstatat(AT_FDCWD, "file", &st, 0), &st);
	MUST(chdir(".."));
	close(ffd);
	show("raw(closed ffd, \"\", EMPTY_PATH)", RAW(ffd, "", &st, AT_EMPTY_PATH), &st);
	return 0;
}
