/* SPDX-License-Identifier: MIT */
/*
 * cli/main.c - quark's entry point: global flags, the verb table, and the one place
 * an error is printed.
 *
 * Callers (containerd-shim-runc-v2 through go-runc, Docker, runtime-tools) put global
 * flags before the verb in runc's spelling: --root R --log F --log-format json <verb> ...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/state.h"

static int cmd_help(struct quark_globals *g, int argc, char **argv, quark_error_t *err);

/* The verb table. fn == NULL: an OCI verb quark does not implement yet, refused by name. */
static const struct verb {
	const char *name;
	quark_verb_fn fn;
	const char *usage;
	const char *help;
} verbs[] = {
	{ "run", quark_cmd_run, "[--bundle DIR] [--pid-file FILE] ID",
	  "create and start a container, wait for it, exit with its status" },
	{ "spec", quark_cmd_spec, "[--bundle DIR]", "write a config.json template" },
	{ "state", quark_cmd_state, "ID", "print a container's state as JSON" },
	{ "features", quark_cmd_features, "", "print the runtime's features as JSON" },
	{ "version", quark_cmd_version, "", "print the version" },
	{ "help", cmd_help, "", "print this help" },
	{ "create", NULL, "", "" }, { "start", NULL, "", "" }, { "kill", NULL, "", "" },
	{ "delete", NULL, "", "" }, { "exec", NULL, "", "" }, { "ps", NULL, "", "" },
	{ "list", NULL, "", "" }, { "pause", NULL, "", "" }, { "resume", NULL, "", "" },
	{ "update", NULL, "", "" }, { "events", NULL, "", "" }, { "checkpoint", NULL, "", "" },
	{ "restore", NULL, "", "" },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

void quark_cli_usage(const char *name)
{
	const struct verb *v = find_verb(name);

	if (v)
		printf("usage: quark [global options] %s %s\n", v->name, v->usage);
}

static void print_help(FILE *f)
{
	fprintf(f, "quark - a secure OCI container runtime (containers run on the qkernel guest kernel)\n\n"
		"usage: quark [global options] <command> [command options] [arguments]\n\n"
		"commands:\n");
	for (size_t i = 0; i < NVERBS; i++)
		if (verbs[i].fn)
			fprintf(f, "  %s %s\n        %s\n", verbs[i].name, verbs[i].usage, verbs[i].help);
	fprintf(f, "  not implemented yet:");
	for (size_t i = 0; i < NVERBS; i++)
		if (!verbs[i].fn)
			fprintf(f, " %s", verbs[i].name);
	fprintf(f, "\n\nglobal options:\n"
		"  --root DIR                 state directory (default " QUARK_DEFAULT_ROOT ")\n"
		"  --log FILE                 also log to FILE\n"
		"  --log-format text|json     format of --log (default text)\n"
		"  --debug                    log at Debug level\n"
		"  --platform auto|kvm|ptrace where qkernel runs (default: config, else auto)\n"
		"  --systemd-cgroup, --rootless VALUE   accepted for runc compatibility\n"
		"  --version, -v              print the version\n"
		"  --help, -h                 print this help\n");
}

static int cmd_help(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	(void)g, (void)argc, (void)argv, (void)err;
	print_help(stdout);
	return 0;
}

int quark_cli_bool(const char *flag, const char *value, bool *out, quark_error_t *err)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	*out = true;
	if (!value)
		return 0;
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(value, yes[i]))
			return 0;
		if (!strcmp(value, no[i])) {
			*out = false;
			return 0;
		}
	}
	return quark_make_error(err, 0, "--%s: '%s' is not a boolean", flag, value);
}

int quark_cli_getopt(const char *verb, int argc, char **argv, const char *shortopts,
		     const struct option *longopts, quark_error_t *err)
{
	int c;

	opterr = 0;
	c = getopt_long_only(argc, argv, shortopts, longopts, NULL);
	if (c == '?')
		return quark_make_error(err, 0, "%s%sunknown option '%s' (see 'quark --help')",
					verb ? verb : "", verb ? ": " : "", argv[optind - 1]);
	if (c == ':')
		return quark_make_error(err, 0, "%s%soption '%s' needs a value", verb ? verb : "",
					verb ? ": " : "", argv[optind - 1]);
	return c;
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD_CGROUP, OPT_ROOTLESS,
       OPT_PLATFORM };

static int parse_global(struct quark_globals *g, int c, quark_error_t *err)
{
	bool ignored;

	switch (c) {
	case OPT_ROOT: g->root = optarg; return 0;
	case OPT_LOG: g->log_path = optarg; return 0;
	case OPT_DEBUG: return quark_cli_bool("debug", optarg, &g->debug, err);
	case OPT_SYSTEMD_CGROUP: return quark_cli_bool("systemd-cgroup", optarg, &ignored, err);
	case OPT_ROOTLESS: return 0;	/* runc takes true|false|auto; quark needs no root-only step yet */
	case OPT_PLATFORM: g->platform_flag = optarg; return 0;
	case OPT_LOG_FORMAT:
		if (!strcmp(optarg, "text") || !strcmp(optarg, "json")) {
			g->log_format = strcmp(optarg, "json") ? QUARK_LOG_TEXT : QUARK_LOG_JSON;
			return 0;
		}
		return quark_make_error(err, 0, "--log-format: '%s' is not text or json", optarg);
	case 'v': quark_print_version(); exit(0);
	case 'h': print_help(stdout); exit(0);
	}
	return quark_make_error(err, 0, "internal: global option %d", c);
}

/* Global flags stop at the verb ("+"), as runc's do. Returns the verb's index in argv. */
static int parse_globals(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", optional_argument, NULL, OPT_SYSTEMD_CGROUP },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	while ((c = quark_cli_getopt(NULL, argc, argv, "+:vh", opts, err)) != -1) {
		if (c < -1)
			return c;
		ret = parse_global(g, c, err);
		if (ret < 0)
			return ret;
	}
	return optind;
}

static int resolve_platform(struct quark_globals *g, quark_error_t *err)
{
	if (g->platform_flag)
		return quark_platform_parse(g->platform_flag, &g->platform, err);
	if (quark_platform_parse(g->conf.platform, &g->platform, err) < 0)
		return quark_error_prefix(err, "%s: Platform", QUARK_HOSTCONF_PATH);
	return 0;
}

/* Settings come from the flags, else /etc/quark/config.json, else defaults. Logging starts
 * even when the config is broken, so --log receives that error too. */
static int resolve_settings(struct quark_globals *g, quark_error_t *err)
{
	quark_error_t log_err = NULL;
	struct quark_log_opts lo;
	int ret, log_ret;

	ret = quark_hostconf_load(QUARK_HOSTCONF_PATH, &g->conf, err);
	if (ret == 0)
		ret = resolve_platform(g, err);
	g->log_level = g->debug ? QUARK_LOG_DEBUG : g->conf.debug_level;
	lo = (struct quark_log_opts){ g->log_level, g->log_path, g->log_format };
	log_ret = quark_log_init(&lo, ret < 0 ? &log_err : err);
	quark_error_release(&log_err);
	return ret < 0 ? ret : log_ret;
}

static int dispatch(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	const struct verb *v;

	if (argc < 1) {
		print_help(stderr);
		return 1;
	}
	v = find_verb(argv[0]);
	if (!v)
		return quark_make_error(err, 0, "unknown command '%s' (see 'quark --help')", argv[0]);
	if (!v->fn)
		return quark_make_error(err, 0, "command '%s' is not implemented yet", v->name);
	quark_log(QUARK_LOG_DEBUG, "command %s, root %s", v->name, g->root);
	optind = 0;	/* glibc: reinitialize getopt for the verb's own flags */
	return v->fn(g, argc, argv, err);
}

/* Fds 0-2 must be open, or the first file we open would become someone's stdout. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(1);
}

int main(int argc, char **argv)
{
	struct quark_globals g = { .root = QUARK_DEFAULT_ROOT, .log_format = QUARK_LOG_TEXT };
	quark_error_t err = NULL;
	int ret, first;

	ensure_stdio();
	first = parse_globals(&g, argc, argv, &err);
	ret = first < 0 ? first : resolve_settings(&g, &err);
	if (ret >= 0)
		ret = dispatch(&g, argc - first, argv + first, &err);
	if (ret >= 0)
		return ret;
	quark_log_report_error(err && err->msg ? err->msg : "unknown error");
	quark_error_release(&err);
	return 1;
}
