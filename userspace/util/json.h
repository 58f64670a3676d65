/* SPDX-License-Identifier: MIT */
/* util/json.h - json-c parsing with errors a person can act on. */
#ifndef QUARK_UTIL_JSON_H
#define QUARK_UTIL_JSON_H

#include <stddef.h>
#include <json-c/json.h>

#include "userspace/util/error.h"

/* quark_json_parse - parse exactly one JSON value from buf[0..len). On error the message is
 * "<what>: invalid JSON at line L, column C: <json-c tokener error>". */
int quark_json_parse(const char *buf, size_t len, const char *what, json_object **out,
		     quark_error_t *err);

/* quark_json_put - json_object_put for __attribute__((cleanup)). */
static inline void quark_json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(quark_json_putp)))

/* quark_json_print_flags - how quark prints JSON: no "\/" escapes, runc-like indentation. */
#define QUARK_JSON_PRETTY (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
			   JSON_C_TO_STRING_NOSLASHESCAPE)
#define QUARK_JSON_PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

#endif
