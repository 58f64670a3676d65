/* SPDX-License-Identifier: MIT */
/* tests/unit/test_id.c - container id validation (runc's rules) and state dir creation. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tap.h"
#include "userspace/oci/state.h"
#include "userspace/util/fs.h"

static const struct row {
	const char *id;
	const char *err;	/* NULL: valid */
} rows[] = {
	{ "abc", NULL }, { "A-Z_0.9+x", NULL }, { "quark-demo-1234", NULL }, { "...", NULL },
	{ ".hidden", NULL }, { "a..b", NULL },
	{ "", "must not be empty" }, { ".", "invalid container id '.'" },
	{ "..", "invalid container id '..'" }, { "a/b", "only letters, digits" },
	{ "../etc", "only letters, digits" }, { "a b", "only letters" }, { "a,b", "only letters" },
	{ "a:b", "only letters" }, { "é", "only letters" }, { "a\nb", "only letters" },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static void test_long_id(void)
{
	char id[NAME_MAX + 2];
	quark_error_t err = NULL;

	memset(id, 'a', NAME_MAX);
	id[NAME_MAX] = '\0';
	ok(quark_id_validate(id, &err) == 0, "id of NAME_MAX characters");
	id[NAME_MAX] = 'a';
	id[NAME_MAX + 1] = '\0';
	ok(quark_id_validate(id, &err) < 0 && contains(err->msg, "longer than"), "id too long");
	quark_error_release(&err);
}

static void test_state_dir(void)
{
	char root[] = "/tmp/quark-test-id.XXXXXX", sub[64];
	quark_error_t err = NULL;
	char *dir = NULL;
	struct stat st;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/r", root);	/* the root itself is created too */
	ok(quark_state_create(sub, "c1", &dir, &err) == 0 && stat(dir, &st) == 0 &&
	   (st.st_mode & 0777) == 0711, "state dir created 0711");
	free(dir);
	dir = NULL;
	ok(quark_state_create(sub, "c1", &dir, &err) < 0 &&
	   contains(err->msg, "container 'c1' already exists") && !dir, "existing id refused: %s",
	   err ? err->msg : "(success)");
	quark_error_release(&err);
	quark_rm_rf(root, &err);
}

int main(void)
{
	quark_error_t err = NULL;

	tap_plan(NROWS + 4);
	for (int i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		int ret = quark_id_validate(r->id, &err);

		if (!r->err)
			ok(ret == 0, "valid: '%s'", r->id);
		else if (!ok(ret < 0 && contains(err->msg, r->err), "invalid: '%s'", r->id))
			diag("got '%s'", err ? err->msg : "(success)");
		quark_error_release(&err);
	}
	test_long_id();
	test_state_dir();
	return tap_done();
}
