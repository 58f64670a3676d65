/* SPDX-License-Identifier: MIT */
/* `quark state ID`: the state JSON runc prints, for containers `quark run` is running. */
#include <stdio.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/state.h"
#include "userspace/util/json.h"

int quark_cmd_state(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_json json_object *st = NULL;
	int c, ret;

	while ((c = quark_cli_getopt("state", argc, argv, ":h", opts, err)) != -1) {
		if (c < -1)
			return c;
		quark_cli_usage("state");
		return 0;
	}
	if (argc - optind != 1)
		return quark_make_error(err, 0, "state: expected exactly one container ID");
	ret = quark_id_validate(argv[optind], err);
	if (ret < 0)
		return ret;
	ret = quark_state_load(g->root, argv[optind], &st, err);
	if (ret < 0)
		return ret;
	printf("%s\n", json_object_to_json_string_ext(st, QUARK_JSON_PRETTY));
	return 0;
}
