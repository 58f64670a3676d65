/* getdents64 (raw) and readdir: list a directory in pieces, sorted output, errnos. */
#include "common.h"
#include <dirent.h>

struct ldirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define MAXE 512
static char names[MAXE][64];
static int nnames;

static int cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static const char *dtype(unsigned t)
{
	switch (t) {
	case DT_REG: return "reg";
	case DT_DIR: return "dir";
	case DT_LNK: return "lnk";
	case DT_UNKNOWN: return "unknown";
	default: return "other";
	}
}

/* Read the whole directory with a buffer of bufsz bytes; return calls made. */
static int list(int fd, size_t bufsz)
{
	static char buf[8192];
	int calls = 0;
	nnames = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, bufsz);
		calls++;
		if (n < 0) {
			printf("getdents64 = -1 %s\n", errname(errno));
			return calls;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct ldirent64 *d = (struct ldirent64 *)(buf + off);
			if (nnames < MAXE)
				snprintf(names[nnames++], 64, "%s:%s", d->d_name, dtype(d->d_type));
			if (d->d_reclen % 8 != 0)
				printf("unaligned reclen\n");
			off += d->d_reclen;
		}
	}
	qsort(names, (size_t)nnames, sizeof names[0], cmp);
	return calls;
}

int main(void)
{
	MUST(mkdir("d", 0755));
	MUST(mkdir("d/sub", 0755));
	MUST(symlink("f00", "d/link"));
	for (int i = 0; i < 30; i++) {
		char p[32];
		snprintf(p, sizeof p, "d/f%02d", i);
		put_file(p, "x", 0644);
	}
	int fd = CHECK(open("d", O_RDONLY | O_DIRECTORY));
	list(fd, sizeof(char[8192]));
	printf("%d entries:", nnames);
	for (int i = 0; i < nnames; i++)
		printf(" %s", names[i]);
	printf("\n");
	CHECK(syscall(SYS_getdents64, fd, (char[512]){ 0 }, 512)); /* at end: 0 */

	/* rewind and read again with a small buffer: many calls, same result */
	CHECK(lseek(fd, 0, SEEK_SET));
	int calls = list(fd, 64);
	printf("small buffer: %d entries, more than 10 calls: %s\n", nnames, calls > 10 ? "yes" : "no");

	/* a buffer too small for one entry */
	CHECK(lseek(fd, 0, SEEK_SET));
	char tiny[8];
	CHECK(syscall(SYS_getdents64, fd, tiny, sizeof tiny));
	CHECK(syscall(SYS_getdents64, fd, tiny, 0));
	close(fd);

	/* empty directory */
	MUST(mkdir("empty", 0755));
	fd = CHECK(open("empty", O_RDONLY | O_DIRECTORY));
	list(fd, 4096);
	printf("empty:");
	for (int i = 0; i < nnames; i++)
		printf(" %s", names[i]);
	printf("\n");
	close(fd);

	/* errors */
	int ffd = MUST(open("d/f00", O_RDONLY));
	char buf[256];
	CHECK(syscall(SYS_getdents64, ffd, buf, sizeof buf));
	close(ffd);
	CHECK(syscall(SYS_getdents64, ffd, buf, sizeof buf));
	CHECK(syscall(SYS_getdents64, -1, buf, sizeof buf));

	/* readdir via libc */
	DIR *dir = opendir("d");
	nnames = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL)
		snprintf(names[nnames++], 64, "%.60s", de->d_name);
	closedir(dir);
	qsort(names, (size_t)nnames, sizeof names[0], cmp);
	printf("readdir: %d entries, first=%s second=%s last=%s\n", nnames, names[0], names[1],
	       names[nnames - 1]);

	/* entries created after opening show up after a rewind */
	fd = MUST(open("empty", O_RDONLY | O_DIRECTORY));
	put_file("empty/late", "", 0644);
	CHECK(lseek(fd, 0, SEEK_SET));
	list(fd, 4096);
	printf("after create:");
	for (int i = 0; i < nnames; i++)
		printf(" %s", names[i]);
	printf("\n");
	return 0;
}
