/*
 * tests/unit/test_fs_pure.c - table-driven tests of qkernel's pure VFS helpers
 * (guest/fs/pure.h): path component splitting, the pipe ring arithmetic (including
 * u32 counter wrap-around) and linux_dirent64 packing.
 */
#define QK_HOST_TEST
#include "guest/fs/pure.h"
#include "tap.h"

#include <stdlib.h>

/* ---- paths: components joined with '|', a trailing '/' marks "had_slash" ---- */
static const struct {
	const char *in;
	const char *want;
} path_rows[] = {
	{ "", "" },
	{ "/", "" },
	{ "///", "" },
	{ "a", "a" },
	{ "a/", "a/" },
	{ "/a/b", "a/|b" },
	{ "//a//b//", "a/|b/" },
	{ "./..", "./|.." },
	{ "a/./b/../c", "a/|./|b/|../|c" },
	{ "...", "..." },
};

static void test_paths(void)
{
	for (size_t i = 0; i < sizeof(path_rows) / sizeof(path_rows[0]); i++) {
		const char *p = path_rows[i].in, *name;
		size_t len;
		bool slash;
		char out[128] = "";

		while (path_next(&p, &name, &len, &slash)) {
			if (out[0])
				strcat(out, "|");
			strncat(out, name, len);
			if (slash)
				strcat(out, "/");
		}
		ok(!strcmp(out, path_rows[i].want) && *p == 0, "path_next(\"%s\") = \"%s\"",
		   path_rows[i].in, out);
	}
	ok(path_dots(".", 1) == 1 && path_dots("..", 2) == 2 && path_dots("...", 3) == 0 &&
	   path_dots(".a", 2) == 0, "path_dots");
}

/* ---- ring ---- */
static const struct {
	u32 start;		/* initial head = tail */
	u32 put1, get1, put2;	/* requested sizes */
	u32 want_put2, want_used;
} ring_rows[] = {
	{ 0, 5, 3, 6, 6, 8 },
	{ 0, 8, 0, 1, 0, 8 },
	{ 0xfffffffe, 5, 3, 6, 6, 8 },		/* counters wrap */
	{ 0xfffffff0, 7, 7, 8, 8, 8 },
	{ 3, 0, 0, 9, 8, 8 },
};

static void test_ring(void)
{
	for (size_t i = 0; i < sizeof(ring_rows) / sizeof(ring_rows[0]); i++) {
		u8 buf[8], src[16], dst[16], exp[16];
		struct ring r = { buf, 8, ring_rows[i].start, ring_rows[i].start };
		u32 n = 0, e = 0, got, p2;

		for (int k = 0; k < 16; k++)
			src[k] = (u8)(k + 1);
		n = ring_put(&r, src, ring_rows[i].put1);
		got = ring_get(&r, dst, ring_rows[i].get1);
		p2 = ring_put(&r, src + n, ring_rows[i].put2);
		/* the ring now holds src[get1 .. n + p2) in order */
		for (u32 k = got; k < n + p2; k++)
			exp[e++] = src[k];
		ok(p2 == ring_rows[i].want_put2 && ring_used(&r) == ring_rows[i].want_used &&
		   ring_free(&r) == 8 - ring_rows[i].want_used, "ring row %zu: put2 %u used %u", i,
		   p2, ring_used(&r));
		memset(dst, 0, sizeof(dst));
		got = ring_peek(&r, dst, 16);
		ok(got == e && !memcmp(dst, exp, e) && ring_used(&r) == e,
		   "ring row %zu: peek returns the bytes in order without consuming", i);
		got = ring_get(&r, dst, 16);
		ok(got == e && ring_used(&r) == 0 && !memcmp(dst, exp, e), "ring row %zu: drained", i);
	}
	{
		u8 small[8], big[32], out[32];
		struct ring r = { small, 8, 6, 6 };

		ring_put(&r, "abcdefg", 7);	/* wraps inside the 8-byte buffer */
		ring_resize(&r, big, 32);
		ok(ring_used(&r) == 7 && ring_free(&r) == 25 && ring_get(&r, out, 32) == 7 &&
		   !memcmp(out, "abcdefg", 7), "ring_resize keeps the contents in order");
	}
}

/* ---- dirents ---- */
static void test_dirents(void)
{
	static const struct { size_t namelen, reclen; } rl[] = {
		{ 1, 24 }, { 4, 24 }, { 5, 32 }, { 12, 32 }, { 13, 40 }, { 255, 280 },
	};
	u8 buf[64];
	size_t used = 0;
	u16 r16;
	u64 ino;
	s64 off;

	for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++)
		ok(dirent_reclen(rl[i].namelen) == rl[i].reclen, "reclen(%zu) = %zu", rl[i].namelen,
		   dirent_reclen(rl[i].namelen));
	memset(buf, 0xaa, sizeof(buf));
	ok(dirent_put(buf, sizeof(buf), &used, 7, 1, 4, ".", 1) && used == 24, "put \".\"");
	ok(dirent_put(buf, sizeof(buf), &used, 9, 2, 8, "hello", 5) && used == 56, "put \"hello\"");
	ok(!dirent_put(buf, sizeof(buf), &used, 9, 3, 8, "x", 1) && used == 56,
	   "a record that does not fit is refused and nothing changes");
	memcpy(&ino, buf + 24, 8);
	memcpy(&off, buf + 32, 8);
	memcpy(&r16, buf + 40, 2);
	ok(ino == 9 && off == 2 && r16 == 32 && buf[42] == 8 && !memcmp(buf + 43, "hello", 6) &&
	   buf[49] == 0 && buf[55] == 0, "record layout: ino, off, reclen, type, name, NUL, padding");
	ok(dirent_type(0040755) == 4 && dirent_type(0100644) == 8 && dirent_type(0120777) == 10 &&
	   dirent_type(0010600) == 1 && dirent_type(0020666) == 2, "dirent_type from S_IF*");
}

int main(void)
{
	tap_plan(10 + 1 + 5 * 3 + 1 + 6 + 5);
	test_paths();
	test_ring();
	test_dirents();
	return tap_failed;
}
