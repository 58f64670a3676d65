/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"
#include "userspace/util/log.h"

static struct {
	int level;
	int file_fd;		/* quark.log */
	int user_fd;		/* --log */
	enum quark_log_format format;
} logger = { QUARK_LOG_WARN, -1, -1, QUARK_LOG_TEXT };

/* Indexed by enum quark_log_level. The JSON names are logrus's, which the shim expects. */
static const char *const level_names[] = { "Off", "Error", "Warn", "Info", "Debug", "Trace" };
static const char *const level_json[] = { "off", "error", "warning", "info", "debug", "trace" };

int quark_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (!strcasecmp(name, level_names[i]))
			return (int)i;
	return -1;
}

int quark_log_level(void)
{
	return logger.level;
}

static int open_quark_log(void)
{
	quark_error_t ignored = NULL;

	if (quark_mkdir_p(QUARK_LOG_DIR, 0755, &ignored) < 0) {
		quark_error_release(&ignored);
		return -1;
	}
	return open(QUARK_LOG_FILE, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int quark_log_init(const struct quark_log_opts *o, quark_error_t *err)
{
	logger.level = o->level;
	logger.format = o->format;
	if (logger.level > QUARK_LOG_OFF)
		logger.file_fd = open_quark_log();
	if (o->user_log) {
		logger.user_fd = open(o->user_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (logger.user_fd < 0)
			return quark_make_error(err, errno, "open log file '%s'", o->user_log);
	}
	return 0;
}

int quark_log_sandbox_fd(void)
{
	return open_quark_log();
}

/* One UTF-8 sequence at s: its length, or 0 when it is not well formed (RFC 3629). */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, surrogates and code points above U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

char *quark_json_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(strlen(s) * 6 + 3), *o = out;	/* worst case: \u00XX per byte */
	size_t n;

	if (!out)
		return NULL;
	*o++ = '"';
	while (*p) {
		switch (*p) {
		case '"': o = stpcpy(o, "\\\""); p++; continue;
		case '\\': o = stpcpy(o, "\\\\"); p++; continue;
		case '\n': o = stpcpy(o, "\\n"); p++; continue;
		case '\r': o = stpcpy(o, "\\r"); p++; continue;
		case '\t': o = stpcpy(o, "\\t"); p++; continue;
		}
		if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p++);
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			o = stpcpy(o, "\\ufffd");
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

char *quark_log_json_line(const char *level, const char *msg, const struct timespec *ts)
{
	cleanup_free char *qmsg = quark_json_quote(msg);
	char when[64], *line = NULL;

	if (!qmsg)
		return NULL;
	quark_rfc3339(when, sizeof(when), ts);
	if (asprintf(&line, "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n", level, qmsg, when) < 0)
		return NULL;
	return line;
}

/* Each line goes out in one write(2) so concurrent O_APPEND writers never interleave. */
static void write_line(int fd, const char *line)
{
	ssize_t r;

	if (fd < 0 || !line)
		return;
	r = write(fd, line, strlen(line));
	(void)r;	/* nowhere left to report a failing log write */
}

static void emit(int level, const char *msg)
{
	cleanup_free char *text = NULL, *user = NULL, *q = NULL;
	struct timespec ts;
	char when[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	quark_rfc3339(when, sizeof(when), &ts);
	if (asprintf(&text, "%s quark[%d] %s: %s\n", when, getpid(), level_json[level], msg) < 0)
		text = NULL;
	write_line(logger.file_fd, text);
	if (logger.user_fd < 0)
		return;
	if (logger.format == QUARK_LOG_JSON) {
		user = quark_log_json_line(level_json[level], msg, &ts);
	} else {
		/* logrus's text format, which is what runc writes without --log-format json. */
		q = quark_json_quote(msg);
		if (q && asprintf(&user, "time=\"%s\" level=%s msg=%s\n", when, level_json[level], q) < 0)
			user = NULL;
	}
	write_line(logger.user_fd, user);
}

void quark_log(int level, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	int n;

	if (level <= QUARK_LOG_OFF || level > logger.level)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		emit(level, msg);
}

void quark_log_report_error(const char *msg)
{
	fprintf(stderr, "quark: %s\n", msg);
	/* Whatever DebugLevel says: the shim reads this line back from --log. */
	emit(QUARK_LOG_ERROR, msg);
}
