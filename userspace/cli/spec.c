/* SPDX-License-Identifier: MIT */
/* `quark spec [--bundle DIR]`: write runc's config.json template, never over an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/spec.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"

int quark_cmd_spec(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	size_t len = strlen(oci_spec_default_json);
	int c;

	(void)g;
	while ((c = quark_cli_getopt("spec", argc, argv, ":b:h", opts, err)) != -1) {
		if (c < -1)
			return c;
		if (c == 'h') {
			quark_cli_usage("spec");
			return 0;
		}
		bundle = optarg;
	}
	if (optind < argc)
		return quark_make_error(err, 0, "spec: unexpected argument '%s'", argv[optind]);
	path = quark_path_join(bundle, "config.json");
	if (!path)
		return quark_make_error(err, ENOMEM, "spec");
	/* O_EXCL: refusing to overwrite is the point, and it cannot race. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return quark_make_error(err, 0, "spec: '%s' already exists; remove it first", path);
	if (fd < 0)
		return quark_make_error(err, errno, "spec: create '%s'", path);
	if (write(fd, oci_spec_default_json, len) != (ssize_t)len) {
		int saved = errno;

		unlink(path);
		return quark_make_error(err, saved ? saved : EIO, "spec: write '%s'", path);
	}
	return 0;
}
