/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "userspace/oci/state.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"
#include "userspace/util/json.h"

static int id_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '+' || c == '-' || c == '.';
}

int quark_id_validate(const char *id, quark_error_t *err)
{
	if (!id || !id[0])
		return quark_make_error(err, 0, "container id must not be empty");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return quark_make_error(err, 0, "invalid container id '%s'", id);
	if (strlen(id) > NAME_MAX)
		return quark_make_error(err, 0, "container id is longer than %d characters",
					NAME_MAX);
	for (const char *p = id; *p; p++)
		if (!id_char_ok(*p))
			return quark_make_error(err, 0, "invalid container id '%s': only "
						"letters, digits and _ + - . are allowed", id);
	return 0;
}

int quark_state_create(const char *root, const char *id, char **dir, quark_error_t *err)
{
	cleanup_free char *path = quark_path_join(root, id);
	int ret;

	if (!path)
		return quark_make_error(err, ENOMEM, "state dir");
	ret = quark_mkdir_p(root, 0700, err);
	if (ret < 0)
		return quark_error_prefix(err, "create state root");
	if (mkdir(path, 0711) < 0) {
		if (errno == EEXIST)
			return quark_make_error(err, 0, "container '%s' already exists", id);
		return quark_make_error(err, errno, "create state dir '%s'", path);
	}
	*dir = steal_ptr(&path);
	return 0;
}

static json_object *state_json(const struct quark_state *st)
{
	json_object *o = json_object_new_object(), *ann;

	json_object_object_add(o, "ociVersion", json_object_new_string(QUARK_OCI_VERSION));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "status", json_object_new_string(st->status));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	if (st->nannotations) {
		ann = json_object_new_object();
		for (size_t i = 0; i < st->nannotations; i++)
			json_object_object_add(ann, st->annotations[i].key,
					       json_object_new_string(st->annotations[i].value));
		json_object_object_add(o, "annotations", ann);
	}
	json_object_object_add(o, "owner", json_object_new_string(""));
	return o;
}

int quark_state_write(const char *dir, const struct quark_state *st, quark_error_t *err)
{
	cleanup_json json_object *o = state_json(st);
	cleanup_free char *path = quark_path_join(dir, "state.json");
	const char *text;

	if (!o || !path)
		return quark_make_error(err, ENOMEM, "write state of '%s'", st->id);
	text = json_object_to_json_string_ext(o, QUARK_JSON_PLAIN);
	return quark_write_file_atomic(path, text, strlen(text), 0600, err);
}

/* A pid only means "running" while that process exists. */
static void refresh_status(json_object *o)
{
	json_object *pid, *status;

	if (!json_object_object_get_ex(o, "pid", &pid) ||
	    !json_object_object_get_ex(o, "status", &status) ||
	    !strcmp(json_object_get_string(status), "stopped"))
		return;
	if (json_object_get_int(pid) > 0 && kill(json_object_get_int(pid), 0) < 0 &&
	    errno == ESRCH) {
		json_object_object_add(o, "status", json_object_new_string("stopped"));
		json_object_object_add(o, "pid", json_object_new_int(0));
	}
}

int quark_state_load(const char *root, const char *id, json_object **out, quark_error_t *err)
{
	cleanup_free char *dir = quark_path_join(root, id);
	cleanup_free char *path = NULL, *buf = NULL;
	size_t len;
	int ret;

	if (!dir || !(path = quark_path_join(dir, "state.json")))
		return quark_make_error(err, ENOMEM, "state of '%s'", id);
	ret = quark_read_file(path, 1 << 20, &buf, &len, err);
	if (ret < 0) {
		int status = (*err)->status;

		return quark_make_error(err, status, "open state file '%s'", path);
	}
	ret = quark_json_parse(buf, len, path, out, err);
	if (ret < 0)
		return ret;
	refresh_status(*out);
	return 0;
}
