/* mmap of regular files, MAP_PRIVATE: contents, offsets, the partial last page, errnos. */
#include "common.h"

int main(void)
{
	fault_catch();
	char data[10000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	int fd = MUST(open("file", O_RDWR | O_CREAT | O_TRUNC, 0644));
	MUST(write(fd, data, sizeof data));

	char *m = CHECK_PTR(mmap(NULL, sizeof data, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT(memcmp(m, data, sizeof data) == 0);
	/* the rest of the last page reads as zeros */
	int z = 1;
	for (size_t i = sizeof data; i < 3 * PAGE; i++)
		z &= m[i] == 0;
	EXPECT(z);
	printf("write to PROT_READ file map: %s\n", touch(m, 1));
	CHECK(munmap(m, sizeof data));

	/* writable private mapping: changes stay private */
	char *w = CHECK_PTR(mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	memcpy(w, "PRIVATE", 7);
	w[sizeof data + 5] = 'x'; /* in the tail of the last page */
	char buf[16] = { 0 };
	CHECK(pread(fd, buf, 7, 0));
	printf("file still starts with %.7s, mapping with %.7s\n", buf, w);
	struct stat st;
	MUST(fstat(fd, &st));
	printf("file size %lld\n", (long long)st.st_size);
	/* a fresh mapping sees the file, not the other mapping's private copy */
	char *w2 = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	printf("second mapping starts with %.7s\n", w2);
	/* private copy survives fork as a copy */
	pid_t pid = fork();
	if (pid == 0) {
		printf("child sees %.7s\n", w);
		w[0] = 'C';
		_exit(0);
	}
	reap(pid);
	printf("parent sees %.7s\n", w);
	CHECK(munmap(w, 3 * PAGE));
	CHECK(munmap(w2, PAGE));

	/* offsets */
	char *o = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE));
	printf("at offset 8192: %.5s (expect %.5s)\n", o, data + 2 * PAGE);
	CHECK(munmap(o, PAGE));
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
	/* mapping entirely beyond EOF succeeds; touching it gives SIGBUS (not tested) */
	o = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 16 * PAGE));
	CHECK(munmap(o, PAGE));

	/* the mapping outlives the fd */
	char *k = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);
	printf("after close: %.5s\n", k);
	/* and the file name */
	CHECK(unlink("file"));
	printf("after unlink: %.5s\n", k);
	CHECK(munmap(k, PAGE));

	/* access mode checks */
	put_file("f2", "hello", 0644);
	int wo = MUST(open("f2", O_WRONLY));
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0));
	close(wo);
	int rd = MUST(open("f2", O_RDONLY));
	char *pw = CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, rd, 0));
	pw[0] = 'J';
	printf("private write on O_RDONLY fd: %.5s\n", pw);
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, rd, 0));
	close(rd);

	/* unmappable files */
	MUST(mkdir("dir", 0755));
	int d = MUST(open("dir", O_RDONLY | O_DIRECTORY));
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, d, 0));
	int p[2];
	MUST(pipe(p));
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, p[0], 0));
	CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 555, 0));

	/* empty file: mapping succeeds, no pages behind it (not touched) */
	put_file("empty", "", 0644);
	int e = MUST(open("empty", O_RDONLY));
	char *em = CHECK_PTR(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, e, 0));
	CHECK(munmap(em, PAGE));
	return 0;
}
