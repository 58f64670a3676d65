/* SPDX-License-Identifier: MIT */
/* tests/unit/test_spec.c - config.json parsing: good configs and every error path. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "userspace/oci/spec.h"
#include "userspace/util/fs.h"

#define B "/bundle"
#define MIN_PROC "\"process\":{\"args\":[\"/bin/true\"]}"
#define MIN_ROOT "\"root\":{\"path\":\"rootfs\"}"
#define HEAD "{\"ociVersion\":\"1.0.2\","
/* A minimal valid config with `extra` members added at the end. */
#define WITH(extra) HEAD MIN_PROC "," MIN_ROOT "," extra "}"

static int check_minimal(const struct oci_spec *s)
{
	return s->process.nargs == 1 && !strcmp(s->process.args[0], "/bin/true") &&
	       !s->process.args[1] && !strcmp(s->process.cwd, "/") && s->process.umask == 022 &&
	       !s->process.terminal && !strcmp(s->root_path, B "/rootfs") && !s->root_readonly &&
	       !s->hostname && s->nmounts == 0 && s->memory_limit == -1 && s->process.nenv == 0;
}

static const char full_json[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"terminal\":true,"
	"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":63,\"additionalGids\":[1]},"
	"\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"EMPTY=\"],\"cwd\":\"/work\"},"
	"\"root\":{\"path\":\"/abs/rootfs\",\"readonly\":true},\"hostname\":\"box\","
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"mode=755\"]},"
	"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"data\",\"options\":[\"ro\"]},"
	"{\"destination\":\"/etc/hosts\",\"type\":\"none\",\"source\":\"/h\",\"options\":[\"rbind\",\"ro\",\"rw\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\"},{\"destination\":\"/sys\",\"type\":\"sysfs\"},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\"},{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\"},"
	"{\"destination\":\"/x\",\"type\":\"overlay\"}],"
	"\"annotations\":{\"a\":\"1\"},"
	"\"linux\":{\"resources\":{\"memory\":{\"limit\":268435456}},\"namespaces\":[{\"type\":\"pid\"}]},"
	"\"unknownField\":{\"ignored\":true}}";

static int check_full(const struct oci_spec *s)
{
	const struct oci_mount *m = s->mounts;

	return s->process.nargs == 3 && !strcmp(s->process.args[2], "echo hi") &&
	       s->process.nenv == 2 && !strcmp(s->process.env[1], "EMPTY=") &&
	       !strcmp(s->process.cwd, "/work") && s->process.uid == 1000 && s->process.gid == 100 &&
	       s->process.umask == 63 && s->process.terminal && !strcmp(s->root_path, "/abs/rootfs") &&
	       s->root_readonly && !strcmp(s->hostname, "box") && s->nmounts == 9 &&
	       m[0].kind == OCI_MOUNT_PROC && m[1].kind == OCI_MOUNT_TMPFS &&
	       m[2].kind == OCI_MOUNT_BIND && m[2].readonly && !strcmp(m[2].source, B "/data") &&
	       m[3].kind == OCI_MOUNT_BIND && !m[3].readonly && !strcmp(m[3].source, "/h") &&
	       m[4].kind == OCI_MOUNT_DEVPTS && m[5].kind == OCI_MOUNT_SYSFS &&
	       m[6].kind == OCI_MOUNT_MQUEUE && m[7].kind == OCI_MOUNT_CGROUP &&
	       m[8].kind == OCI_MOUNT_OTHER && s->nannotations == 1 &&
	       !strcmp(s->annotations[0].value, "1") && s->memory_limit == 268435456;
}

static int check_nulls(const struct oci_spec *s)
{
	return !s->hostname && s->process.nenv == 0 && !strcmp(s->process.cwd, "/");
}

static int check_default(const struct oci_spec *s)
{
	return s->process.terminal && !strcmp(s->process.args[0], "sh") && s->root_readonly &&
	       !strcmp(s->hostname, "quark") && s->nmounts == 7;
}

static const struct row {
	const char *name;
	const char *json;
	const char *err;			/* expected error substring; NULL = success */
	int (*check)(const struct oci_spec *);
} rows[] = {
	/* good configs */
	{ "minimal", WITH("\"hostname\":null"), NULL, check_minimal },
	{ "full", full_json, NULL, check_full },
	{ "nulls mean absent", HEAD "\"process\":{\"args\":[\"x\"],\"env\":null,\"cwd\":null},"
	  MIN_ROOT ",\"hostname\":null}", NULL, check_nulls },
	{ "runc spec template", oci_spec_default_json, NULL, check_default },
	/* JSON syntax */
	{ "truncated", "{\"ociVersion\":", "config.json: invalid JSON at line 1, column 15: "
	  "unexpected end of input", NULL },
	{ "bad literal with position", "{\n  \"ociVersion\": tru }", "line 2, column 20: boolean expected", NULL },
	{ "trailing garbage", WITH("\"x\":1") " {}", "line 1, column 88: unexpected character",
	  NULL },
	{ "empty", "  \n", "empty document", NULL },
	{ "trailing comma", HEAD MIN_PROC "," MIN_ROOT ",}", "config.json: invalid JSON at line 1", NULL },
	{ "comment", "/* c */" WITH("\"x\":1"), "config.json: invalid JSON at line 1, column 1", NULL },
	{ "top level array", "[]", "config.json: top level must be an object", NULL },
	/* ociVersion */
	{ "no ociVersion", "{" MIN_PROC "," MIN_ROOT "}", "config.json: ociVersion is required", NULL },
	{ "ociVersion number", "{\"ociVersion\":1," MIN_PROC "," MIN_ROOT "}",
	  "config.json: ociVersion must be a string", NULL },
	/* process */
	{ "no process", HEAD MIN_ROOT "}", "config.json: process is required", NULL },
	{ "process array", HEAD "\"process\":[]," MIN_ROOT "}", "process must be an object", NULL },
	{ "no args", HEAD "\"process\":{}," MIN_ROOT "}",
	  "config.json: process.args must have at least one element", NULL },
	{ "empty args", HEAD "\"process\":{\"args\":[]}," MIN_ROOT "}",
	  "config.json: process.args must have at least one element", NULL },
	{ "args string", HEAD "\"process\":{\"args\":\"sh\"}," MIN_ROOT "}",
	  "config.json: process.args must be an array", NULL },
	{ "args element int", HEAD "\"process\":{\"args\":[\"sh\",2]}," MIN_ROOT "}",
	  "config.json: process.args[1] must be a string", NULL },
	{ "empty args[0]", HEAD "\"process\":{\"args\":[\"\"]}," MIN_ROOT "}",
	  "process.args[0] must not be empty", NULL },
	{ "env object", HEAD "\"process\":{\"args\":[\"x\"],\"env\":{}}," MIN_ROOT "}",
	  "process.env must be an array", NULL },
	{ "env element int", HEAD "\"process\":{\"args\":[\"x\"],\"env\":[1]}," MIN_ROOT "}",
	  "process.env[0] must be a string", NULL },
	{ "env without =", HEAD "\"process\":{\"args\":[\"x\"],\"env\":[\"A=1\",\"B\"]}," MIN_ROOT "}",
	  "process.env[1] 'B' is not NAME=value", NULL },
	{ "env empty name", HEAD "\"process\":{\"args\":[\"x\"],\"env\":[\"=1\"]}," MIN_ROOT "}",
	  "is not NAME=value", NULL },
	{ "relative cwd", HEAD "\"process\":{\"args\":[\"x\"],\"cwd\":\"tmp\"}," MIN_ROOT "}",
	  "process.cwd 'tmp' must be an absolute path", NULL },
	{ "cwd int", HEAD "\"process\":{\"args\":[\"x\"],\"cwd\":1}," MIN_ROOT "}",
	  "process.cwd must be a string", NULL },
	{ "terminal string", HEAD "\"process\":{\"args\":[\"x\"],\"terminal\":\"yes\"}," MIN_ROOT "}",
	  "process.terminal must be a boolean", NULL },
	{ "user array", HEAD "\"process\":{\"args\":[\"x\"],\"user\":[]}," MIN_ROOT "}",
	  "process.user must be an object", NULL },
	{ "uid string", HEAD "\"process\":{\"args\":[\"x\"],\"user\":{\"uid\":\"0\"}}," MIN_ROOT "}",
	  "process.user.uid must be an integer", NULL },
	{ "uid float", HEAD "\"process\":{\"args\":[\"x\"],\"user\":{\"uid\":1.5}}," MIN_ROOT "}",
	  "process.user.uid must be an integer", NULL },
	{ "uid negative", HEAD "\"process\":{\"args\":[\"x\"],\"user\":{\"uid\":-1}}," MIN_ROOT "}",
	  "process.user.uid -1 is out of range", NULL },
	{ "gid too big", HEAD "\"process\":{\"args\":[\"x\"],\"user\":{\"gid\":4294967296}}," MIN_ROOT "}",
	  "process.user.gid 4294967296 is out of range", NULL },
	{ "umask too big", HEAD "\"process\":{\"args\":[\"x\"],\"user\":{\"umask\":512}}," MIN_ROOT "}",
	  "process.user.umask 512 is out of range", NULL },
	/* root */
	{ "no root", HEAD MIN_PROC "}", "config.json: root is required", NULL },
	{ "no root.path", HEAD MIN_PROC ",\"root\":{}}", "config.json: root.path is required", NULL },
	{ "empty root.path", HEAD MIN_PROC ",\"root\":{\"path\":\"\"}}", "root.path must not be empty",
	  NULL },
	{ "root.readonly string", HEAD MIN_PROC ",\"root\":{\"path\":\"r\",\"readonly\":\"true\"}}",
	  "root.readonly must be a boolean", NULL },
	{ "hostname int", WITH("\"hostname\":5"), "config.json: hostname must be a string", NULL },
	/* mounts */
	{ "mounts object", WITH("\"mounts\":{}"), "config.json: mounts must be an array", NULL },
	{ "mount string", WITH("\"mounts\":[\"/x\"]"), "config.json: mounts[0] must be an object",
	  NULL },
	{ "mount no destination", WITH("\"mounts\":[{\"type\":\"proc\"}]"),
	  "config.json: mounts[0].destination is required", NULL },
	{ "mount relative destination", WITH("\"mounts\":[{\"destination\":\"proc\",\"type\":\"proc\"}]"),
	  "mounts[0].destination 'proc' must be an absolute path", NULL },
	{ "mount type int", WITH("\"mounts\":[{\"destination\":\"/p\",\"type\":1}]"),
	  "mounts[0].type must be a string", NULL },
	{ "mount options string", WITH("\"mounts\":[{\"destination\":\"/p\",\"options\":\"ro\"}]"),
	  "mounts[0].options must be an array", NULL },
	{ "mount option int", WITH("\"mounts\":[{\"destination\":\"/p\",\"options\":[\"ro\",0]}]"),
	  "mounts[0].options[1] must be a string", NULL },
	{ "bind without source", WITH("\"mounts\":[{\"destination\":\"/p\",\"options\":[\"rbind\"]}]"),
	  "mounts[0] (/p): a bind mount needs a source", NULL },
	/* annotations and linux */
	{ "annotations array", WITH("\"annotations\":[]"), "annotations must be an object", NULL },
	{ "annotation int", WITH("\"annotations\":{\"k\":1}"), "annotations.k must be a string", NULL },
	{ "linux array", WITH("\"linux\":[]"), "config.json: linux must be an object", NULL },
	{ "memory limit string", WITH("\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}"),
	  "linux.resources.memory.limit must be an integer", NULL },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static void run_row(const struct row *r)
{
	struct oci_spec s;
	quark_error_t err = NULL;
	int ret = oci_spec_parse(r->json, strlen(r->json), B, &s, &err);

	if (!r->err) {
		if (!ok(ret == 0 && r->check(&s), "good: %s", r->name) && err)
			diag("error: %s", err->msg);
		if (ret == 0)
			oci_spec_free(&s);
	} else if (!ok(ret < 0 && err && contains(err->msg, r->err) &&
		       !contains(err->msg, ": Invalid argument"), "error: %s", r->name)) {
		/* A message that already says what is wrong gets no strerror tail. */
		diag("want '%s', got '%s'", r->err, err ? err->msg : "(success)");
	}
	quark_error_release(&err);
}

/* The file-level errors need a real directory. */
static void test_files(void)
{
	char dir[] = "/tmp/quark-test-spec.XXXXXX", real[PATH_MAX], path[PATH_MAX + 32];
	quark_error_t err = NULL;
	struct oci_spec s;
	FILE *f;

	ok(oci_bundle_resolve("/nonexistent/bundle", real, &err) < 0 &&
	   contains(err->msg, "bundle directory '/nonexistent/bundle': No such file or directory"),
	   "missing bundle dir: %s", err ? err->msg : "(success)");
	quark_error_release(&err);
	if (!mkdtemp(dir) || oci_bundle_resolve(dir, real, &err) < 0) {
		ok(0, "mkdtemp + resolve");
		return;
	}
	ok(oci_spec_load(real, &s, &err) < 0 && contains(err->msg, "/config.json': No such file"),
	   "missing config.json: %s", err ? err->msg : "(success)");
	quark_error_release(&err);
	snprintf(path, sizeof(path), "%s/config.json", real);
	f = fopen(path, "w");
	fputs(WITH("\"hostname\":\"h\""), f);
	fclose(f);
	ok(oci_spec_load(real, &s, &err) == 0 && !strcmp(s.hostname, "h"), "load from file");
	if (!err)
		oci_spec_free(&s);
	quark_error_release(&err);
	ok(oci_bundle_resolve(path, real, &err) < 0 && contains(err->msg, "Not a directory"),
	   "bundle that is a file: %s", err ? err->msg : "(success)");
	quark_error_release(&err);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	tap_plan(NROWS + 4);
	for (int i = 0; i < NROWS; i++)
		run_row(&rows[i]);
	test_files();
	return tap_done();
}
