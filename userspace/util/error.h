/* SPDX-License-Identifier: MIT */
/*
 * util/error.h - errors that carry errno and context up to main(), crun style.
 *
 * Library functions return a negative value and fill *err; they never print or
 * exit. main() prints the message once, as "quark: <context>: <strerror>".
 */
#ifndef QUARK_UTIL_ERROR_H
#define QUARK_UTIL_ERROR_H

struct quark_error_s {
	int status;	/* errno value, 0 when strerror adds nothing */
	char *msg;	/* context + ": " + strerror(status) */
};
typedef struct quark_error_s *quark_error_t;

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* quark_make_error - record an error; returns -errnum (-EINVAL when errnum is 0). */
int quark_make_error(quark_error_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* quark_error_prefix - prepend "<context>: " to an existing error; returns its code. */
int quark_error_prefix(quark_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void quark_error_release(quark_error_t *err);

#endif
