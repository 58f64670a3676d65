/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>

#include "userspace/util/json.h"

/* Translate a byte offset into the 1-based line and column an editor shows. */
static void offset_to_line_col(const char *buf, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && buf[i]; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int syntax_error(const char *buf, size_t off, const char *what, const char *desc,
			quark_error_t *err)
{
	int line, col;

	offset_to_line_col(buf, off, &line, &col);
	return quark_make_error(err, 0, "%s: invalid JSON at line %d, column %d: %s",
				what, line, col, desc);
}

static bool all_space(const char *buf, size_t from, size_t len)
{
	while (from < len && isspace((unsigned char)buf[from]))
		from++;
	return from == len;
}

int quark_json_parse(const char *buf, size_t len, const char *what, json_object **out,
		     quark_error_t *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *obj;
	size_t end;

	/* json-c would wait for more input on whitespace alone; name the real problem. */
	if (all_space(buf, 0, len))
		return syntax_error(buf, len, what, "empty document", err);
	tok = json_tokener_new();
	if (!tok)
		return quark_make_error(err, ENOMEM, "%s: json_tokener_new", what);
	/* Strict like Go's encoding/json (runc, containerd): no trailing commas, comments,
	 * or single quotes, so a bundle quark accepts also works elsewhere. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj && jerr == json_tokener_continue)
		return syntax_error(buf, len, what, "unexpected end of input", err);
	if (!obj)
		return syntax_error(buf, end, what, json_tokener_error_desc(jerr), err);
	if (!all_space(buf, end, len)) {
		while (isspace((unsigned char)buf[end]))
			end++;
		json_object_put(obj);
		return syntax_error(buf, end, what, "unexpected data after the top-level value", err);
	}
	*out = obj;
	return 0;
}
