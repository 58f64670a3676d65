/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userspace/util/error.h"

static int error_code(int status)
{
	return status ? -status : -EINVAL;
}

int quark_make_error(quark_error_t *err, int errnum, const char *fmt, ...)
{
	struct quark_error_s *e;
	char *ctx = NULL;
	va_list ap;
	int n;

	/* A second error replaces the first: callers report the innermost cause once. */
	quark_error_release(err);
	e = calloc(1, sizeof(*e));
	if (!e)
		return error_code(errnum);
	va_start(ap, fmt);
	n = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (n < 0)
		ctx = NULL;
	e->status = errnum;
	if (ctx && errnum) {
		if (asprintf(&e->msg, "%s: %s", ctx, strerror(errnum)) < 0)
			e->msg = NULL;
		free(ctx);
	} else {
		e->msg = ctx;
	}
	*err = e;
	return error_code(errnum);
}

int quark_error_prefix(quark_error_t *err, const char *fmt, ...)
{
	char *ctx = NULL, *msg = NULL;
	va_list ap;
	int n;

	if (!*err)
		return -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (n >= 0 && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return error_code((*err)->status);
}

void quark_error_release(quark_error_t *err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}
