/* SPDX-License-Identifier: MIT */
/* `quark version` / `quark --version`: the first line names us, like runc's. */
#include <stdio.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/state.h"

void quark_print_version(void)
{
	printf("quark version %s\nspec: %s\n", QUARK_VERSION, QUARK_OCI_VERSION);
}

int quark_cmd_version(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	(void)g;
	if (argc > 1)
		return quark_make_error(err, 0, "version: unexpected argument '%s'", argv[1]);
	quark_print_version();
	return 0;
}
