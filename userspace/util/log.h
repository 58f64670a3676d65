/* SPDX-License-Identifier: MIT */
/*
 * util/log.h - quark's logging.
 *
 * Sinks: /var/log/quark/quark.log (text lines, always, when writable) and the
 * `--log FILE` given by the caller (containerd's shim reads it as JSON lines with
 * --log-format json and shows the last "error" line to the user).
 * Levels follow /etc/quark/config.json "DebugLevel" and match boot.h log_level.
 */
#ifndef QUARK_UTIL_LOG_H
#define QUARK_UTIL_LOG_H

#include <stddef.h>
#include <time.h>

#include "userspace/util/error.h"

enum quark_log_level {
	QUARK_LOG_OFF = 0,
	QUARK_LOG_ERROR,
	QUARK_LOG_WARN,
	QUARK_LOG_INFO,
	QUARK_LOG_DEBUG,
	QUARK_LOG_TRACE,
};

enum quark_log_format { QUARK_LOG_TEXT, QUARK_LOG_JSON };

#define QUARK_LOG_DIR	"/var/log/quark"
#define QUARK_LOG_FILE	QUARK_LOG_DIR "/quark.log"

struct quark_log_opts {
	int level;			/* enum quark_log_level */
	const char *user_log;		/* --log FILE, or NULL */
	enum quark_log_format format;	/* --log-format */
};

/* quark_log_init - open the sinks. Only a bad --log is an error; quark.log is best effort
 * (an unprivileged `quark spec` must not fail because /var/log is not writable). */
int quark_log_init(const struct quark_log_opts *o, quark_error_t *err);

void quark_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* quark_log_report_error - the single place main() reports a failure: stderr plus every sink. */
void quark_log_report_error(const char *msg);

int quark_log_level(void);

/* quark_log_sandbox_fd - a fresh O_APPEND, O_CLOEXEC fd of quark.log for qkernel, or -1. */
int quark_log_sandbox_fd(void);

/* quark_log_level_parse - "Off".."Trace" (any case) to a level; -1 if unknown. */
int quark_log_level_parse(const char *name);

/* quark_json_quote - `s` as a JSON string literal with quotes; invalid UTF-8 bytes
 * become U+FFFD so the line stays valid JSON. Caller frees; NULL on ENOMEM. */
char *quark_json_quote(const char *s);

/* quark_log_json_line - {"level":...,"msg":...,"time":RFC3339}\n; caller frees. */
char *quark_log_json_line(const char *level, const char *msg, const struct timespec *ts);

#endif
