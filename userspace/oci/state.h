/* SPDX-License-Identifier: MIT */
/*
 * oci/state.h - a container's state directory <root>/<id> and its state.json, in the
 * shape runc prints and go-runc parses: {ociVersion,id,pid,status,bundle,rootfs,created,
 * annotations,owner}.
 */
#ifndef QUARK_OCI_STATE_H
#define QUARK_OCI_STATE_H

#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "userspace/oci/spec.h"
#include "userspace/util/error.h"

#define QUARK_DEFAULT_ROOT	"/run/quark"
#define QUARK_OCI_VERSION	"1.0.2"

struct quark_state {
	const char *id;
	const char *status;	/* creating, created, running, stopped */
	pid_t pid;		/* the sandbox process; 0 when there is none */
	const char *bundle;	/* absolute */
	const char *rootfs;	/* absolute */
	char created[64];	/* RFC 3339 */
	const struct oci_annotation *annotations;
	size_t nannotations;
};

/* quark_id_validate - runc's rules: non-empty, [A-Za-z0-9_+-.], not "." or "..", a valid
 * file name (it becomes a directory under the root). */
int quark_id_validate(const char *id, quark_error_t *err);

/* quark_state_create - mkdir <root> (0700, with parents) and <root>/<id> (0711). The
 * exclusive mkdir is what makes "container already exists" race free. */
int quark_state_create(const char *root, const char *id, char **dir, quark_error_t *err);

/* quark_state_write - (re)write <dir>/state.json atomically. */
int quark_state_write(const char *dir, const struct quark_state *st, quark_error_t *err);

/* quark_state_load - parse <root>/<id>/state.json and correct a stale status: a recorded
 * pid that no longer exists means the container has stopped. */
int quark_state_load(const char *root, const char *id, json_object **out, quark_error_t *err);

#endif
