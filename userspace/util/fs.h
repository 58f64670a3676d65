/* SPDX-License-Identifier: MIT */
/* util/fs.h - small file-system helpers shared by the verbs. */
#ifndef QUARK_UTIL_FS_H
#define QUARK_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "userspace/util/error.h"

/* quark_mkdir_p - mkdir -p; existing directories are fine, `mode` applies to new ones. */
int quark_mkdir_p(const char *path, mode_t mode, quark_error_t *err);

/* quark_read_file - read a whole regular file (at most `max` bytes) into a NUL-terminated buffer. */
int quark_read_file(const char *path, size_t max, char **buf, size_t *len, quark_error_t *err);

/* quark_write_file_atomic - write `path` through a temporary file and rename(2), so readers
 * never see a half-written state.json or pid file. */
int quark_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    quark_error_t *err);

/* quark_rm_rf - remove a directory tree we created (state dirs: no symlinks followed). */
int quark_rm_rf(const char *path, quark_error_t *err);

/* quark_path_join - "a/b", or b itself when b is absolute; NULL on ENOMEM. */
char *quark_path_join(const char *a, const char *b);

/* quark_rfc3339 - format ts as RFC 3339 UTC with nanoseconds, e.g. 2024-01-02T03:04:05.000000006Z. */
void quark_rfc3339(char *buf, size_t size, const struct timespec *ts);

#endif
