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

/* ok - one test point; fmt names it. Returns cond so callers can add diagnostics. */
static inline int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
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
