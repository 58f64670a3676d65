/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/tap.h - the smallest TAP producer prove needs (crun's tests use the same
 * shape: a plan, "ok N - name" lines, exit status = failures).
 */
#ifndef QUARK_TESTS_TAP_H
#define QUARK_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline int tap_vok(const char *todo, int cond, const char *fmt, va_list ap)
{
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	if (todo)
		printf(" # TODO %s", todo);
	printf("\n");
	if (!cond && !todo)
		tap_failed++;
	return cond;
}

/* ok - one test point; fmt names it. Returns cond so callers can add diagnostics. */
static inline int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cond = tap_vok(NULL, cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* todo_ok - a test point for a known, reported bug: "# TODO why" is appended and a
 * failure does not fail the test (prove lists it as passing unexpectedly once fixed).
 * A NULL todo makes it a plain ok(). */
static inline int todo_ok(const char *todo, int cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int todo_ok(const char *todo, int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cond = tap_vok(todo, cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* skip - a test point that cannot run on this machine (prove counts it as passed). */
static inline void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d # SKIP ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* contains - NULL-safe strstr for expected error substrings. */
static inline int contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle);
}

static inline int tap_done(void)
{
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
