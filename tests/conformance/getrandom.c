/* getrandom: lengths, flags, EINVAL, EFAULT; output differs between calls. */
#include "common.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x4
#endif

static long gr(void *b, size_t n, unsigned f)
{
	return syscall(SYS_getrandom, b, n, f);
}

int main(void)
{
	unsigned char a[64], b[64];
	static unsigned char big[1 << 20];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	CHECK(gr(a, sizeof a, 0));
	CHECK(gr(b, sizeof b, 0));
	EXPECT(memcmp(a, b, sizeof a) != 0);
	int nz = 0;
	for (size_t i = 0; i < sizeof a; i++)
		nz += a[i] != 0;
	EXPECT(nz > 32);
	CHECK(gr(a, 0, 0));
	CHECK(gr(NULL, 0, 0));
	CHECK(gr(a, 1, 0));
	CHECK(gr(big, 256, 0) > 0);
	CHECK(gr(a, 16, GRND_NONBLOCK));
	CHECK(gr(a, 16, GRND_RANDOM | GRND_NONBLOCK) > 0);
	CHECK(gr(a, 16, GRND_INSECURE));

	/* up to 256 bytes are never short; large requests return something */
	CHECK(gr(big, 256, 0));
	long n = gr(big, sizeof big, 0);
	EXPECT(n > 0 && n <= (long)sizeof big);

	/* errors */
	CHECK(gr(a, 16, 0x8));
	CHECK(gr(a, 16, 0xffff));
	CHECK(gr(a, 16, GRND_INSECURE | GRND_RANDOM));
	CHECK(gr(NULL, 16, 0));
	CHECK(gr((void *)1, 16, 0));

	/* children get different bytes */
	int p[2];
	MUST(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		unsigned char c[32];
		gr(c, sizeof c, 0);
		ssize_t UNUSED r = write(p[1], c, sizeof c);
		_exit(0);
	}
	unsigned char c[32], d[32];
	gr(d, sizeof d, 0);
	MUST(read(p[0], c, sizeof c));
	reap(pid);
	EXPECT(memcmp(c, d, sizeof c) != 0);

	/* the libc wrapper where there is one */
	CHECK(getentropy(a, 32));
	CHECK(getentropy(big, 257));
	return 0;
}
