/* statx (raw syscall: musl 1.2.3 has no wrapper): masks, flags, errnos. */
#include "common.h"

struct xts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
struct xstatx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct xts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};
_Static_assert(sizeof(struct xstatx) == 256, "statx layout");

#define X_BASIC 0x7ffU
#define X_TYPE 0x1U
#define X_MODE 0x2U
#define X_SIZE 0x200U
#define X_RESERVED 0x80000000U
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
#endif

static long sx(int dfd, const char *path, int flags, unsigned mask, struct xstatx *x)
{
	memset(x, 0xa5, sizeof *x);
	errno = 0;
	return syscall(SYS_statx, dfd, path, flags, mask, x);
}

static void show(const char *what, long r, const struct xstatx *x)
{
	if (r != 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	unsigned mode = x->stx_mode;
	printf("%s: basic=%s type=%s mode=%04o nlink=%u uid=%u gid=%u", what,
	       (x->stx_mask & X_BASIC) == X_BASIC ? "all" : "partial",
	       S_ISREG(mode) ? "reg" : S_ISDIR(mode) ? "dir" : S_ISLNK(mode) ? "lnk" :
	       S_ISCHR(mode) ? "chr" : "other", mode & 07777,
	       S_ISDIR(mode) ? 0 : x->stx_nlink, x->stx_uid, x->stx_gid);
	if (!S_ISDIR(mode))
		printf(" size=%llu", (unsigned long long)x->stx_size);
	if (S_ISCHR(mode))
		printf(" rdev=%u:%u", x->stx_rdev_major, x->stx_rdev_minor);
	printf("\n");
}

int main(void)
{
	struct xstatx x;
	struct stat st;
	umask(0);
	put_file("f", "0123456789", 0604);
	MUST(symlink("f", "l"));
	MUST(mkdir("d", 0710));
	int fd = MUST(open("f", O_RDONLY));

	show("statx(f)", sx(AT_FDCWD, "f", 0, X_BASIC, &x), &x);
	MUST(stat("f", &st));
	EXPECT(x.stx_ino == (uint64_t)st.st_ino && x.stx_size == (uint64_t)st.st_size);
	EXPECT(x.stx_mtime.tv_sec == st.st_mtime && x.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec);
	EXPECT(x.stx_blksize == (uint32_t)st.st_blksize && x.stx_blocks == (uint64_t)st.st_blocks);
	show("statx(l)", sx(AT_FDCWD, "l", 0, X_BASIC, &x), &x);
	show("statx(l, NOFOLLOW)", sx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, X_BASIC, &x), &x);
	show("statx(d)", sx(AT_FDCWD, "d", 0, X_BASIC, &x), &x);
	show("statx(fd, \"\", EMPTY_PATH)", sx(fd, "", AT_EMPTY_PATH, X_BASIC, &x), &x);
	show("statx(/dev/null)", sx(AT_FDCWD, "/dev/null", 0, X_BASIC, &x), &x);
	/* a smaller mask still fills at least what was asked for */
	sx(AT_FDCWD, "f", 0, X_TYPE | X_MODE, &x);
	EXPECT((x.stx_mask & (X_TYPE | X_MODE)) == (X_TYPE | X_MODE));
	CHECK(sx(AT_FDCWD, "f", 0, 0, &x));
	show("statx(f, FORCE_SYNC)", sx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC, X_BASIC, &x), &x);
	show("statx(f, DONT_SYNC)", sx(AT_FDCWD, "f", AT_STATX_DONT_SYNC, X_BASIC, &x), &x);

	/* errors */
	show("statx(missing)", sx(AT_FDCWD, "missing", 0, X_BASIC, &x), &x);
	show("statx(f/x)", sx(AT_FDCWD, "f/x", 0, X_BASIC, &x), &x);
	show("statx(\"\")", sx(AT_FDCWD, "", 0, X_BASIC, &x), &x);
	show("statx(fd, \"\", 0)", sx(fd, "", 0, X_BASIC, &x), &x);
	show("statx(-1, f)", sx(-1, "f", 0, X_BASIC, &x), &x);
	show("statx(fd, rel)", sx(fd, "rel", 0, X_BASIC, &x), &x);
	show("statx(mask=RESERVED)", sx(AT_FDCWD, "f", 0, X_RESERVED, &x), &x);
	show("statx(flags=FORCE|DONT)", sx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, X_BASIC, &x), &x);
	show("statx(flags=0x1)", sx(AT_FDCWD, "f", 0x1, X_BASIC, &x), &x);
	show("statx(flags=0x80000000)", sx(AT_FDCWD, "f", (int)0x80000000, X_BASIC, &x), &x);
	close(fd);
	return 0;
}
