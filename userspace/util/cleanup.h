/* SPDX-License-Identifier: MIT */
/*
 * util/cleanup.h - locals that free themselves (crun's utils.h idiom), so every
 * early error return releases what the function acquired so far.
 */
#ifndef QUARK_UTIL_CLEANUP_H
#define QUARK_UTIL_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	int saved = errno;	/* close() on an error path must not clobber errno */

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void cleanup_filep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free	__attribute__((cleanup(cleanup_freep)))
#define cleanup_close	__attribute__((cleanup(cleanup_closep)))
#define cleanup_file	__attribute__((cleanup(cleanup_filep)))

/* steal_fd / steal_ptr - hand ownership out of a cleanup variable. */
static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#define steal_ptr(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })

#endif
