/* SPDX-License-Identifier: MIT */
/* cli/cli.h - what the verbs share: global options and the verb signature. */
#ifndef QUARK_CLI_CLI_H
#define QUARK_CLI_CLI_H

#include <stdbool.h>
#include <getopt.h>

#include "userspace/util/error.h"
#include "userspace/util/hostconf.h"
#include "userspace/util/log.h"
#include "userspace/vmm/platform.h"

#define QUARK_VERSION "0.1.0"

struct quark_globals {
	const char *root;		/* --root, default /run/quark */
	const char *log_path;		/* --log */
	enum quark_log_format log_format;
	bool debug;
	const char *platform_flag;	/* --platform, NULL: from config.json */
	enum quark_platform platform;	/* resolved: flag, else config, else auto */
	int log_level;			/* resolved: --debug, else DebugLevel */
	struct quark_hostconf conf;
};

/* A verb gets argv starting at its own name and returns an exit code, or < 0 with *err. */
typedef int (*quark_verb_fn)(struct quark_globals *g, int argc, char **argv, quark_error_t *err);

int quark_cmd_run(struct quark_globals *g, int argc, char **argv, quark_error_t *err);
int quark_cmd_spec(struct quark_globals *g, int argc, char **argv, quark_error_t *err);
int quark_cmd_state(struct quark_globals *g, int argc, char **argv, quark_error_t *err);
int quark_cmd_features(struct quark_globals *g, int argc, char **argv, quark_error_t *err);
int quark_cmd_version(struct quark_globals *g, int argc, char **argv, quark_error_t *err);

/* quark_cli_getopt - getopt_long_only with runc's spellings (-flag, --flag, --flag=v,
 * --flag v) and errors through *err instead of stderr. Returns the option, -1 at the end,
 * or < -1 with *err set ('?' and ':' never reach the verb). verb is NULL for global flags. */
int quark_cli_getopt(const char *verb, int argc, char **argv, const char *shortopts,
		     const struct option *longopts, quark_error_t *err);

/* quark_cli_bool - Go's strconv.ParseBool spelling for --flag=value; no value means true. */
int quark_cli_bool(const char *flag, const char *value, bool *out, quark_error_t *err);

/* quark_cli_usage - print the usage line of `verb` (from the verb table in main.c). */
void quark_cli_usage(const char *verb);

void quark_print_version(void);

#endif
