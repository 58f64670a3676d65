/*
 * fs/pure.h - pure helpers of the VFS with no kernel dependencies, so host unit tests
 * (tests/unit/fs_*.c) compile them unchanged: path components, the pipe ring, dirent
 * packing. Callers provide memcpy (qk/lib.h in the guest, string.h on the host).
 */
#ifndef QK_FS_PURE_H
#define QK_FS_PURE_H

#ifdef QK_HOST_TEST
#include <string.h>
#include "guest/include/qk/types.h"
#else
#include <qk/types.h>
#include <qk/lib.h>
#endif

/* ---- paths ----
 * A path is split into components separated by one or more '/'. path_next() returns
 * the next component of *p (its start and length) and advances *p past it and past
 * the slashes after it; *had_slash tells whether at least one '/' followed it. Returns
 * false when no component is left. */
static inline bool path_next(const char **p, const char **name, size_t *len, bool *had_slash)
{
	const char *s = *p;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return false;
	}
	*name = s;
	while (*s && *s != '/')
		s++;
	*len = (size_t)(s - *name);
	*had_slash = *s == '/';
	while (*s == '/')
		s++;
	*p = s;
	return true;
}

/* Kind of a component: 0 normal, 1 ".", 2 "..". */
static inline int path_dots(const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return 1;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return 2;
	return 0;
}

/* ---- pipe ring ----
 * A byte ring of cap (a power of two) bytes with free-running head (read) and tail
 * (write) counters: used = tail - head, even across u32 wrap-around. */
struct ring {
	u8 *buf;
	u32 cap;
	u32 head, tail;
};

static inline u32 ring_used(const struct ring *r) { return r->tail - r->head; }
static inline u32 ring_free(const struct ring *r) { return r->cap - ring_used(r); }

/* Append up to n bytes; returns how many fit. */
static inline u32 ring_put(struct ring *r, const void *src, u32 n)
{
	u32 fr = ring_free(r), off, first;

	if (n > fr)
		n = fr;
	off = r->tail & (r->cap - 1);
	first = MIN(n, r->cap - off);
	memcpy(r->buf + off, src, first);
	memcpy(r->buf, (const u8 *)src + first, n - first);
	r->tail += n;
	return n;
}

/* Copy up to n bytes out without consuming them; returns the count. */
static inline u32 ring_peek(const struct ring *r, void *dst, u32 n)
{
	u32 used = ring_used(r), off, first;

	if (n > used)
		n = used;
	off = r->head & (r->cap - 1);
	first = MIN(n, r->cap - off);
	memcpy(dst, r->buf + off, first);
	memcpy((u8 *)dst + first, r->buf, n - first);
	return n;
}

static inline u32 ring_get(struct ring *r, void *dst, u32 n)
{
	n = ring_peek(r, dst, n);
	r->head += n;
	return n;
}

/* Move the contents into a new buffer of cap bytes (cap >= used). */
static inline void ring_resize(struct ring *r, u8 *nbuf, u32 cap)
{
	u32 used = ring_used(r);

	ring_peek(r, nbuf, used);
	r->buf = nbuf;
	r->cap = cap;
	r->head = 0;
	r->tail = used;
}

/* ---- dirents ----
 * linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name, NUL; reclen rounded up
 * to 8. dirent_put appends one record at buf+*used if it fits in cap. */
#define DIRENT_NAME_OFF	19
static inline size_t dirent_reclen(size_t namelen)
{
	return ALIGN_UP(DIRENT_NAME_OFF + namelen + 1, (size_t)8);
}

static inline bool dirent_put(void *buf, size_t cap, size_t *used, u64 ino, s64 off,
			      u8 type, const char *name, size_t namelen)
{
	size_t rl = dirent_reclen(namelen);
	u8 *p = (u8 *)buf + *used;
	u16 rl16 = (u16)rl;

	if (*used + rl > cap)
		return false;
	memcpy(p, &ino, 8);
	memcpy(p + 8, &off, 8);
	memcpy(p + 16, &rl16, 2);
	p[18] = type;
	memcpy(p + DIRENT_NAME_OFF, name, namelen);
	/* NUL and the alignment padding */
	for (size_t i = DIRENT_NAME_OFF + namelen; i < rl; i++)
		p[i] = 0;
	*used += rl;
	return true;
}

/* DT_* from S_IF* mode bits. */
static inline u8 dirent_type(u32 mode)
{
	return (u8)((mode >> 12) & 15);
}

#endif
