/* SPDX-License-Identifier: MIT */
/*
 * oci/spec.c - config.json to struct oci_spec.
 *
 * Every error names the JSON path ("config.json: process.args[1] must be a string") so a
 * user can fix a generated bundle without reading our source.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "userspace/oci/spec.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"
#include "userspace/util/json.h"

#define CONFIG_MAX_SIZE	(16u << 20)	/* Docker configs with big seccomp profiles are ~40 KiB */

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	case json_type_boolean: return "a boolean";
	case json_type_int: return "an integer";
	default: return "a value of another type";
	}
}

/* get - obj[key] of the given type into *out (NULL when absent and optional). */
static int get(json_object *obj, const char *key, json_type type, const char *path,
	       bool required, json_object **out, quark_error_t *err)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			return quark_make_error(err, 0, "config.json: %s%s%s is required",
						path, *path ? "." : "", key);
		return 0;
	}
	if (!json_object_is_type(v, type))
		return quark_make_error(err, 0, "config.json: %s%s%s must be %s",
					path, *path ? "." : "", key, type_name(type));
	*out = v;
	return 0;
}

static int dup_str(char **dst, const char *src, quark_error_t *err)
{
	*dst = strdup(src);
	return *dst ? 0 : quark_make_error(err, ENOMEM, "config.json");
}

/* get_str - an optional or required string member, copied. */
static int get_str(json_object *obj, const char *key, const char *path, bool required,
		   char **out, quark_error_t *err)
{
	json_object *v;
	int ret = get(obj, key, json_type_string, path, required, &v, err);

	if (ret < 0 || !v)
		return ret;
	return dup_str(out, json_object_get_string(v), err);
}

static int get_u32(json_object *obj, const char *key, const char *path, uint32_t max,
		   uint32_t *out, quark_error_t *err)
{
	json_object *v;
	int64_t n;
	int ret = get(obj, key, json_type_int, path, false, &v, err);

	if (ret < 0 || !v)
		return ret;
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return quark_make_error(err, 0, "config.json: %s.%s %lld is out of range",
					path, key, (long long)n);
	*out = (uint32_t)n;
	return 0;
}

/* string_array - copy a JSON array of strings into a NULL-terminated vector. */
static int string_array(json_object *arr, const char *path, char ***out, size_t *n,
			quark_error_t *err)
{
	size_t len = json_object_array_length(arr);
	char **v = calloc(len + 1, sizeof(char *));

	if (!v)
		return quark_make_error(err, ENOMEM, "config.json: %s", path);
	*out = v;	/* owned by the spec from here on, so oci_spec_free releases it */
	*n = len;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string))
			return quark_make_error(err, 0, "config.json: %s[%zu] must be a string",
						path, i);
		if (dup_str(&v[i], json_object_get_string(e), err) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int parse_args(json_object *proc, struct oci_spec *s, quark_error_t *err)
{
	json_object *args;
	int ret = get(proc, "args", json_type_array, "process", false, &args, err);

	if (ret < 0)
		return ret;
	if (!args || json_object_array_length(args) == 0)
		return quark_make_error(err, 0,
			"config.json: process.args must have at least one element");
	ret = string_array(args, "process.args", &s->process.args, &s->process.nargs, err);
	if (ret < 0)
		return ret;
	if (s->process.args[0][0] == '\0')
		return quark_make_error(err, 0, "config.json: process.args[0] must not be empty");
	return 0;
}

static int parse_env(json_object *proc, struct oci_spec *s, quark_error_t *err)
{
	json_object *env;
	int ret = get(proc, "env", json_type_array, "process", false, &env, err);

	if (ret < 0 || !env)
		return ret;
	ret = string_array(env, "process.env", &s->process.env, &s->process.nenv, err);
	if (ret < 0)
		return ret;
	/* runc rejects these too: a guest execve would see a malformed environment. */
	for (size_t i = 0; i < s->process.nenv; i++) {
		const char *eq = strchr(s->process.env[i], '=');

		if (!eq || eq == s->process.env[i])
			return quark_make_error(err, 0,
				"config.json: process.env[%zu] '%s' is not NAME=value", i,
				s->process.env[i]);
	}
	return 0;
}

static int parse_user(json_object *proc, struct oci_spec *s, quark_error_t *err)
{
	json_object *user;
	int ret = get(proc, "user", json_type_object, "process", false, &user, err);

	if (ret < 0 || !user)
		return ret;
	if (get_u32(user, "uid", "process.user", UINT32_MAX, &s->process.uid, err) < 0 ||
	    get_u32(user, "gid", "process.user", UINT32_MAX, &s->process.gid, err) < 0 ||
	    get_u32(user, "umask", "process.user", 0777, &s->process.umask, err) < 0)
		return -EINVAL;
	return 0;
}

static int parse_process(json_object *root, struct oci_spec *s, quark_error_t *err)
{
	json_object *proc, *term;
	int ret = get(root, "process", json_type_object, "", true, &proc, err);

	if (ret < 0)
		return ret;
	if (parse_args(proc, s, err) < 0 || parse_env(proc, s, err) < 0 ||
	    parse_user(proc, s, err) < 0)
		return -EINVAL;
	if (get(proc, "terminal", json_type_boolean, "process", false, &term, err) < 0)
		return -EINVAL;
	s->process.terminal = term && json_object_get_boolean(term);
	if (get_str(proc, "cwd", "process", false, &s->process.cwd, err) < 0)
		return -EINVAL;
	if (!s->process.cwd)
		return dup_str(&s->process.cwd, "/", err);
	if (s->process.cwd[0] != '/')
		return quark_make_error(err, 0,
			"config.json: process.cwd '%s' must be an absolute path", s->process.cwd);
	return 0;
}

static int parse_root(json_object *root, const char *bundle, struct oci_spec *s,
		      quark_error_t *err)
{
	cleanup_free char *path = NULL;
	json_object *r, *ro;

	if (get(root, "root", json_type_object, "", true, &r, err) < 0 ||
	    get_str(r, "path", "root", true, &path, err) < 0 ||
	    get(r, "readonly", json_type_boolean, "root", false, &ro, err) < 0)
		return -EINVAL;
	if (!path[0])
		return quark_make_error(err, 0, "config.json: root.path must not be empty");
	s->root_readonly = ro && json_object_get_boolean(ro);
	s->root_path = quark_path_join(bundle, path);
	return s->root_path ? 0 : quark_make_error(err, ENOMEM, "config.json: root.path");
}

static enum oci_mount_kind kind_of_type(const char *type)
{
	static const struct { const char *name; enum oci_mount_kind kind; } types[] = {
		{ "bind", OCI_MOUNT_BIND }, { "proc", OCI_MOUNT_PROC },
		{ "tmpfs", OCI_MOUNT_TMPFS }, { "devpts", OCI_MOUNT_DEVPTS },
		{ "sysfs", OCI_MOUNT_SYSFS }, { "mqueue", OCI_MOUNT_MQUEUE },
		{ "cgroup", OCI_MOUNT_CGROUP }, { "cgroup2", OCI_MOUNT_CGROUP },
	};

	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].name))
			return types[i].kind;
	return OCI_MOUNT_OTHER;
}

/* Options decide bind-ness like runc does: type "none" plus "rbind" is a bind mount. */
static void apply_options(struct oci_mount *m)
{
	m->kind = kind_of_type(m->type);
	for (size_t i = 0; i < m->noptions; i++) {
		const char *o = m->options[i];

		if (!strcmp(o, "bind") || !strcmp(o, "rbind"))
			m->kind = OCI_MOUNT_BIND;
		else if (!strcmp(o, "ro"))
			m->readonly = true;
		else if (!strcmp(o, "rw"))
			m->readonly = false;
	}
}

static int parse_mount(json_object *obj, size_t i, const char *bundle, struct oci_mount *m,
		       quark_error_t *err)
{
	char path[32], optpath[48];
	json_object *opts;
	char *src;

	snprintf(path, sizeof(path), "mounts[%zu]", i);
	if (!json_object_is_type(obj, json_type_object))
		return quark_make_error(err, 0, "config.json: %s must be an object", path);
	if (get_str(obj, "destination", path, true, &m->destination, err) < 0 ||
	    get_str(obj, "type", path, false, &m->type, err) < 0 ||
	    get_str(obj, "source", path, false, &m->source, err) < 0 ||
	    get(obj, "options", json_type_array, path, false, &opts, err) < 0)
		return -EINVAL;
	if (m->destination[0] != '/')
		return quark_make_error(err, 0, "config.json: %s.destination '%s' must be "
					"an absolute path", path, m->destination);
	snprintf(optpath, sizeof(optpath), "%s.options", path);
	if (opts && string_array(opts, optpath, &m->options, &m->noptions, err) < 0)
		return -EINVAL;
	apply_options(m);
	if (m->kind != OCI_MOUNT_BIND)
		return 0;
	if (!m->source || !m->source[0])
		return quark_make_error(err, 0, "config.json: %s (%s): a bind mount needs a "
					"source", path, m->destination);
	/* runc resolves a relative bind source against the bundle directory. */
	src = quark_path_join(bundle, m->source);
	if (!src)
		return quark_make_error(err, ENOMEM, "config.json: %s", path);
	free(m->source);
	m->source = src;
	return 0;
}

static int parse_mounts(json_object *root, const char *bundle, struct oci_spec *s,
			quark_error_t *err)
{
	json_object *arr;
	size_t n;

	if (get(root, "mounts", json_type_array, "", false, &arr, err) < 0)
		return -EINVAL;
	if (!arr)
		return 0;
	n = json_object_array_length(arr);
	s->mounts = calloc(n ? n : 1, sizeof(*s->mounts));
	if (!s->mounts)
		return quark_make_error(err, ENOMEM, "config.json: mounts");
	for (size_t i = 0; i < n; i++) {
		s->nmounts = i + 1;	/* counted before parsing so a failure still frees it */
		if (parse_mount(json_object_array_get_idx(arr, i), i, bundle, &s->mounts[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int parse_annotations(json_object *root, struct oci_spec *s, quark_error_t *err)
{
	json_object *ann;
	size_t i = 0;

	if (get(root, "annotations", json_type_object, "", false, &ann, err) < 0)
		return -EINVAL;
	if (!ann)
		return 0;
	s->annotations = calloc(json_object_object_length(ann) + 1, sizeof(*s->annotations));
	if (!s->annotations)
		return quark_make_error(err, ENOMEM, "config.json: annotations");
	json_object_object_foreach(ann, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return quark_make_error(err, 0,
				"config.json: annotations.%s must be a string", key);
		s->nannotations = i + 1;
		if (dup_str(&s->annotations[i].key, key, err) < 0 ||
		    dup_str(&s->annotations[i].value, json_object_get_string(val), err) < 0)
			return -ENOMEM;
		i++;
	}
	return 0;
}

static int parse_linux(json_object *root, struct oci_spec *s, quark_error_t *err)
{
	json_object *linux_, *res = NULL, *mem = NULL, *limit = NULL, *cpu = NULL;
	json_object *quota = NULL, *period = NULL;

	s->memory_limit = -1;
	s->cpu_quota = -1;
	if (get(root, "linux", json_type_object, "", false, &linux_, err) < 0 ||
	    (linux_ && get(linux_, "resources", json_type_object, "linux", false, &res, err) < 0) ||
	    (res && get(res, "memory", json_type_object, "linux.resources", false, &mem, err) < 0) ||
	    (mem && get(mem, "limit", json_type_int, "linux.resources.memory", false, &limit,
			err) < 0) ||
	    (res && get(res, "cpu", json_type_object, "linux.resources", false, &cpu, err) < 0) ||
	    (cpu && get(cpu, "quota", json_type_int, "linux.resources.cpu", false, &quota,
			err) < 0) ||
	    (cpu && get(cpu, "period", json_type_int, "linux.resources.cpu", false, &period,
			err) < 0))
		return -EINVAL;
	if (limit)
		s->memory_limit = json_object_get_int64(limit);
	if (quota)
		s->cpu_quota = json_object_get_int64(quota);
	if (period)
		s->cpu_period = json_object_get_int64(period);
	return 0;
}

int oci_spec_parse(const char *json, size_t len, const char *bundle, struct oci_spec *s,
		   quark_error_t *err)
{
	cleanup_json json_object *root = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->process.umask = 022;
	s->memory_limit = -1;
	s->cpu_quota = -1;
	ret = quark_json_parse(json, len, "config.json", &root, err);
	if (ret < 0)
		return ret;
	if (!json_object_is_type(root, json_type_object))
		return quark_make_error(err, 0, "config.json: top level must be an object");
	if (get_str(root, "ociVersion", "", true, &s->oci_version, err) < 0 ||
	    parse_process(root, s, err) < 0 || parse_root(root, bundle, s, err) < 0 ||
	    get_str(root, "hostname", "", false, &s->hostname, err) < 0 ||
	    parse_mounts(root, bundle, s, err) < 0 || parse_annotations(root, s, err) < 0 ||
	    parse_linux(root, s, err) < 0) {
		oci_spec_free(s);
		return -EINVAL;
	}
	return 0;
}

int oci_bundle_resolve(const char *bundle, char out[], quark_error_t *err)
{
	struct stat st;

	if (!bundle)
		bundle = ".";
	if (!realpath(bundle, out))
		return quark_make_error(err, errno, "bundle directory '%s'", bundle);
	if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode))
		return quark_make_error(err, ENOTDIR, "bundle '%s'", bundle);
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec *s, quark_error_t *err)
{
	cleanup_free char *path = quark_path_join(bundle, "config.json");
	cleanup_free char *buf = NULL;
	size_t len;
	int ret;

	if (!path)
		return quark_make_error(err, ENOMEM, "bundle '%s'", bundle);
	ret = quark_read_file(path, CONFIG_MAX_SIZE, &buf, &len, err);
	if (ret < 0)
		return ret;
	return oci_spec_parse(buf, len, bundle, s, err);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void oci_spec_free(struct oci_spec *s)
{
	free(s->oci_version);
	free_strv(s->process.args, s->process.nargs);
	free_strv(s->process.env, s->process.nenv);
	free(s->process.cwd);
	free(s->root_path);
	free(s->hostname);
	for (size_t i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free_strv(s->mounts[i].options, s->mounts[i].noptions);
	}
	free(s->mounts);
	for (size_t i = 0; i < s->nannotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	memset(s, 0, sizeof(*s));
}
