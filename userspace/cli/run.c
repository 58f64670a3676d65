/* SPDX-License-Identifier: MIT */
/* `quark run [--bundle DIR] [--pid-file FILE] ID`: runc's run without --detach. */
#include <string.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/container.h"
#include "userspace/sandbox/launch.h"

enum { OPT_BUNDLE = 'b', OPT_PID_FILE = 256, OPT_DETACH = 'd', OPT_CONSOLE_SOCKET,
       OPT_IGNORED, OPT_HELP = 'h' };

static int parse_run_flag(int c, struct quark_run_opts *o, quark_error_t *err)
{
	switch (c) {
	case OPT_BUNDLE: o->bundle = optarg; return 0;
	case OPT_PID_FILE: o->pid_file = optarg; return 0;
	case OPT_IGNORED: return 0;	/* --no-pivot, --no-new-keyring: nothing to do in a guest */
	case OPT_DETACH:
		return quark_make_error(err, 0, "run: --detach is not supported yet");
	case OPT_CONSOLE_SOCKET:
		return quark_make_error(err, 0, "run: --console-socket is not supported yet");
	}
	return quark_make_error(err, 0, "run: internal: option %d", c);
}

int quark_cmd_run(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "no-pivot", no_argument, NULL, OPT_IGNORED },
		{ "no-new-keyring", no_argument, NULL, OPT_IGNORED },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct quark_run_opts o = { .root = g->root, .platform = g->platform,
				    .log_level = g->log_level };
	int c, ret, status;

	while ((c = quark_cli_getopt("run", argc, argv, ":b:dh", opts, err)) != -1) {
		if (c < -1)
			return c;
		if (c == OPT_HELP) {
			quark_cli_usage("run");
			return 0;
		}
		ret = parse_run_flag(c, &o, err);
		if (ret < 0)
			return ret;
	}
	if (argc - optind != 1)
		return quark_make_error(err, 0, "run: expected exactly one container ID, got %d "
					"arguments", argc - optind);
	o.id = argv[optind];
	ret = quark_container_run(&o, &status, err);
	if (ret < 0)
		return ret;
	quark_exit_like(status);
}
