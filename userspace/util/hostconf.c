/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"
#include "userspace/util/hostconf.h"
#include "userspace/util/json.h"
#include "userspace/util/log.h"

static int get_string(json_object *root, const char *key, const char *path, const char **out,
		      quark_error_t *err)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(root, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return quark_make_error(err, 0, "%s: %s must be a string", path, key);
	*out = json_object_get_string(v);
	return 0;
}

int quark_hostconf_load(const char *path, struct quark_hostconf *conf, quark_error_t *err)
{
	cleanup_free char *buf = NULL;
	cleanup_json json_object *root = NULL;
	const char *level, *platform;
	size_t len;
	int ret;

	conf->debug_level = QUARK_LOG_WARN;
	snprintf(conf->platform, sizeof(conf->platform), "auto");
	ret = quark_read_file(path, 1 << 20, &buf, &len, err);
	if (ret == -ENOENT) {
		quark_error_release(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	ret = quark_json_parse(buf, len, path, &root, err);
	if (ret < 0)
		return ret;
	if (!json_object_is_type(root, json_type_object))
		return quark_make_error(err, 0, "%s: top level must be an object", path);
	if (get_string(root, "DebugLevel", path, &level, err) < 0 ||
	    get_string(root, "Platform", path, &platform, err) < 0)
		return -EINVAL;
	if (level && quark_log_level_parse(level) < 0)
		return quark_make_error(err, 0,
			"%s: DebugLevel '%s' is not one of Off, Error, Warn, Info, Debug, Trace",
			path, level);
	if (level)
		conf->debug_level = quark_log_level_parse(level);
	if (platform && snprintf(conf->platform, sizeof(conf->platform), "%s", platform) >=
			(int)sizeof(conf->platform))
		return quark_make_error(err, 0, "%s: Platform '%s' is not auto, kvm or ptrace",
					path, platform);
	return 0;
}
