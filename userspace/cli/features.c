/* SPDX-License-Identifier: MIT */
/*
 * `quark features`: runtime-spec features.md JSON. dockerd runs it at start and the shim
 * asks for it, so it must be honest: it lists only what quark acts on today. A guest
 * kernel isolates without host namespaces, cgroups or seccomp, and quark does not set
 * those up yet, so those lists are empty and the switches off. The annotations name the
 * platforms this quark carries and the one `auto` picks on this host.
 */
#include <stdio.h>

#include "userspace/cli/cli.h"
#include "userspace/oci/state.h"
#include "userspace/util/json.h"
#include "userspace/vmm/kvm.h"
#include "userspace/vmm/qkernel_image.h"

static json_object *strings(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *enabled(bool on)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

static json_object *linux_features(void)
{
	static const char *const none[] = { NULL };
	json_object *l = json_object_new_object(), *cg = json_object_new_object();
	json_object *mx = json_object_new_object();

	json_object_object_add(l, "namespaces", strings(none));
	json_object_object_add(l, "capabilities", strings(none));
	json_object_object_add(cg, "v1", json_object_new_boolean(false));
	json_object_object_add(cg, "v2", json_object_new_boolean(false));
	json_object_object_add(cg, "systemd", json_object_new_boolean(false));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(l, "cgroup", cg);
	json_object_object_add(l, "seccomp", enabled(false));
	json_object_object_add(l, "apparmor", enabled(false));
	json_object_object_add(l, "selinux", enabled(false));
	json_object_object_add(l, "intelRdt", enabled(false));
	json_object_object_add(mx, "idmap", enabled(false));
	json_object_object_add(l, "mountExtensions", mx);
	return l;
}

int quark_cmd_features(struct quark_globals *g, int argc, char **argv, quark_error_t *err)
{
	static const char *const none[] = { NULL };
	static const char *const mount_options[] = { "bind", "rbind", "ro", "rw", NULL };
	cleanup_json json_object *f = json_object_new_object();
	json_object *ann = json_object_new_object();

	bool kvm_built = QUARK_HAVE_KVM_PLATFORM && quark_qkernel_kvm_present();
	struct quark_host_probe host;
	enum quark_platform auto_pick = QUARK_PLATFORM_PTRACE;

	(void)g;
	if (argc > 1)
		return quark_make_error(err, 0, "features: unexpected argument '%s'", argv[1]);
	quark_host_probe(&host);
	host.kvm_image = kvm_built;
	if (quark_platform_select(QUARK_PLATFORM_AUTO, &host, &auto_pick, err) < 0)
		return -1;
	json_object_object_add(f, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(f, "ociVersionMax", json_object_new_string(QUARK_OCI_VERSION));
	json_object_object_add(f, "hooks", strings(none));
	json_object_object_add(f, "mountOptions", strings(mount_options));
	json_object_object_add(f, "linux", linux_features());
	json_object_object_add(ann, "io.quark.version", json_object_new_string(QUARK_VERSION));
	json_object_object_add(ann, "io.quark.platforms", json_object_new_string(
		kvm_built ? "kvm,ptrace" : "ptrace"));
	json_object_object_add(ann, "io.quark.platform.auto",
			       json_object_new_string(quark_platform_name(auto_pick)));
	if (kvm_built)	/* what `--platform=kvm` would use for host calls here */
		json_object_object_add(ann, "io.quark.kvm.hostcalls",
				       json_object_new_string(quark_kvm_hostcall_mode()));
	json_object_object_add(f, "annotations", ann);
	printf("%s\n", json_object_to_json_string_ext(f, QUARK_JSON_PRETTY));
	return 0;
}
