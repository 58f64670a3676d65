/* SPDX-License-Identifier: MIT */
/* util/hostconf.h - /etc/quark/config.json, the host-wide runtime settings. */
#ifndef QUARK_UTIL_HOSTCONF_H
#define QUARK_UTIL_HOSTCONF_H

#include "userspace/util/error.h"

#define QUARK_HOSTCONF_PATH "/etc/quark/config.json"

struct quark_hostconf {
	int debug_level;	/* enum quark_log_level; Warn when absent */
	char platform[16];	/* "auto" when absent; checked by the platform code */
};

/* quark_hostconf_load - read `path`; a missing file gives the defaults, a broken one an error.
 * Unknown keys are ignored: the file is shared with settings of later features. On error
 * *conf still holds usable values (defaults where the file was wrong). */
int quark_hostconf_load(const char *path, struct quark_hostconf *conf, quark_error_t *err);

#endif
