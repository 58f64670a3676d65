/* SPDX-License-Identifier: MIT */
/* tests/unit/test_logjson.c - the JSON lines quark writes to --log must parse as JSON. */
#include <stdlib.h>
#include <json-c/json.h>

#include "tap.h"
#include "userspace/util/log.h"

static const struct row {
	const char *name;
	const char *in;
	const char *want;	/* the quoted literal */
} rows[] = {
	{ "plain", "hello", "\"hello\"" },
	{ "empty", "", "\"\"" },
	{ "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
	{ "newline, tab, return", "a\nb\tc\rd", "\"a\\nb\\tc\\rd\"" },
	{ "other control bytes", "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "slash stays", "/run/quark", "\"/run/quark\"" },
	{ "DEL passes", "\x7f", "\"\x7f\"" },
	{ "valid UTF-8 passes", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
	{ "lone continuation byte", "a\x80" "b", "\"a\\ufffdb\"" },
	{ "truncated sequence", "\xe2\x82", "\"\\ufffd\\ufffd\"" },
	{ "overlong encoding", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
	{ "UTF-16 surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static void test_line(void)
{
	struct timespec ts = { .tv_sec = 86400 + 3661, .tv_nsec = 5 };
	char *line = quark_log_json_line("error", "open state file '/x': No such \"file\"\n", &ts);
	json_object *o = json_tokener_parse(line), *v;

	ok(line && line[strlen(line) - 1] == '\n', "line ends with a newline");
	ok(o && json_object_object_get_ex(o, "level", &v) &&
	   !strcmp(json_object_get_string(v), "error"), "parses; level error");
	ok(o && json_object_object_get_ex(o, "msg", &v) &&
	   !strcmp(json_object_get_string(v), "open state file '/x': No such \"file\"\n"),
	   "msg round-trips");
	ok(o && json_object_object_get_ex(o, "time", &v) &&
	   !strcmp(json_object_get_string(v), "1970-01-02T01:01:01.000000005Z"), "time is RFC 3339");
	json_object_put(o);
	free(line);
}

static void test_levels(void)
{
	ok(quark_log_level_parse("Off") == QUARK_LOG_OFF && quark_log_level_parse("warn") ==
	   QUARK_LOG_WARN && quark_log_level_parse("TRACE") == QUARK_LOG_TRACE &&
	   quark_log_level_parse("Warning") == -1, "DebugLevel names");
}

int main(void)
{
	tap_plan(NROWS * 2 + 5);
	for (int i = 0; i < NROWS; i++) {
		char *q = quark_json_quote(rows[i].in);
		json_object *o = q ? json_tokener_parse(q) : NULL;

		if (!ok(q && !strcmp(q, rows[i].want), "quote: %s", rows[i].name))
			diag("got %s", q ? q : "(null)");
		ok(o && json_object_is_type(o, json_type_string), "json-c parses: %s", rows[i].name);
		json_object_put(o);
		free(q);
	}
	test_line();
	test_levels();
	return tap_done();
}
