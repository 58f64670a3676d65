/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userspace/oci/bootplan.h"
#include "userspace/oci/container.h"
#include "userspace/oci/spec.h"
#include "userspace/oci/state.h"
#include "userspace/sandbox/kvm_sandbox.h"
#include "userspace/sandbox/launch.h"
#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"
#include "userspace/util/log.h"
#include "userspace/vmm/qkernel_image.h"

/* Everything `run` holds, so one cleanup path releases it whatever step failed. */
struct run_ctx {
	const struct quark_run_opts *o;
	char bundle[PATH_MAX];
	struct oci_spec spec;
	char *state_dir;
	struct quark_state state;
	enum quark_platform platform;	/* resolved: kvm or ptrace */
	struct quark_boot_plan plan;
	void *blob;
	size_t blob_len;
	int blob_fd, exec_fd;
	sigset_t old_mask;
};

static int check_spec(const struct run_ctx *c, quark_error_t *err)
{
	/* runc's `run` uses the caller's terminal; without one there is nothing to attach. */
	if (c->spec.process.terminal && !isatty(STDIN_FILENO))
		return quark_make_error(err, 0, "process.terminal is true but stdin is not a terminal "
					"(set \"terminal\": false in config.json, or run from a terminal)");
	return 0;
}

/* auto or an explicit choice against this host; select() refuses kvm with the reason. */
static int select_platform(struct run_ctx *c, quark_error_t *err)
{
	struct quark_host_probe host;
	int ret;

	quark_host_probe(&host);
	host.kvm_image = quark_qkernel_kvm_present();
	ret = quark_platform_select(c->o->platform, &host, &c->platform, err);
	if (ret < 0)
		return ret;
	quark_log(QUARK_LOG_INFO, "container %s: platform %s", c->o->id,
		  quark_platform_name(c->platform));
	return 0;
}

static int create_state(struct run_ctx *c, quark_error_t *err)
{
	struct timespec now;
	int ret;

	ret = quark_state_create(c->o->root, c->o->id, &c->state_dir, err);
	if (ret < 0)
		return ret;
	clock_gettime(CLOCK_REALTIME, &now);
	c->state = (struct quark_state){
		.id = c->o->id, .status = "creating", .bundle = c->bundle,
		.rootfs = c->spec.root_path, .annotations = c->spec.annotations,
		.nannotations = c->spec.nannotations,
	};
	quark_rfc3339(c->state.created, sizeof(c->state.created), &now);
	return quark_state_write(c->state_dir, &c->state, err);
}

/* qkernel re-checks the blob, we check it first to fail here. On ptrace it goes to the
 * sandbox in a sealed memfd; on kvm the VMM copies it into guest memory. */
static int make_boot_blob(struct run_ctx *c, quark_error_t *err)
{
	int ret;

	ret = quark_boot_plan_build(&c->spec, c->platform, c->o->log_level, &c->plan, err);
	if (ret < 0)
		return ret;
	ret = quark_boot_serialize(&c->plan.params, &c->blob, &c->blob_len, err);
	if (ret < 0)
		return ret;
	ret = quark_boot_validate(c->blob, c->blob_len, err);
	if (ret < 0 || c->platform == QUARK_PLATFORM_KVM)
		return ret;
	return quark_boot_memfd(c->blob, c->blob_len, &c->blob_fd, err);
}

/* ptrace: fexecve the embedded qkernel-ptrace with the plan's fds and the blob's memfd. */
static int spawn_ptrace_sandbox(struct run_ctx *c, quark_error_t *err)
{
	int pass[QUARK_BOOT_MAX_MOUNTS + 3];
	char blob_arg[16];
	char *argv[] = { "qkernel", blob_arg, NULL };
	struct quark_spawn s = { .argv = argv, .pass_fds = pass };
	int ret;

	ret = quark_qkernel_ptrace_memfd(&c->exec_fd, err);
	if (ret < 0)
		return ret;
	memcpy(pass, c->plan.fds, c->plan.nfds * sizeof(int));
	pass[c->plan.nfds] = c->blob_fd;
	s.npass = c->plan.nfds + 1;
	s.exec_fd = c->exec_fd;
	snprintf(blob_arg, sizeof(blob_arg), "%d", c->blob_fd);
	return quark_sandbox_spawn(&s, &c->old_mask, &c->state.pid, err);
}

/* kvm: a forked child runs the VMM, holding the plan's fds under the numbers the blob
 * names. Its guest console goes to our stderr, like qkernel-ptrace's fatal errors. */
static int spawn_kvm_sandbox(struct run_ctx *c, quark_error_t *err)
{
	struct quark_kvm_sandbox s = {
		.id = c->o->id, .boot_info = c->blob, .boot_info_len = c->blob_len,
		.host_fds = c->plan.fds, .nhost_fds = c->plan.nfds, .console_fd = STDERR_FILENO,
	};

	return quark_kvm_sandbox_spawn(&s, &c->state.pid, err);
}

static int spawn_sandbox(struct run_ctx *c, quark_error_t *err)
{
	int ret;

	if (c->platform == QUARK_PLATFORM_KVM)
		ret = spawn_kvm_sandbox(c, err);
	else
		ret = spawn_ptrace_sandbox(c, err);
	if (ret < 0)
		return ret;
	quark_log(QUARK_LOG_INFO, "container %s: sandbox pid %d (%s platform)", c->o->id,
		  c->state.pid, quark_platform_name(c->platform));
	return 0;
}

static int publish_running(struct run_ctx *c, quark_error_t *err)
{
	char pid[16];
	int n = snprintf(pid, sizeof(pid), "%d", c->state.pid);

	if (c->o->pid_file && quark_write_file_atomic(c->o->pid_file, pid, n, 0644, err) < 0)
		return quark_error_prefix(err, "pid file '%s'", c->o->pid_file);
	c->state.status = "running";
	return quark_state_write(c->state_dir, &c->state, err);
}

static int start_and_wait(struct run_ctx *c, int *status, quark_error_t *err)
{
	int ret;

	ret = make_boot_blob(c, err);
	if (ret < 0)
		return ret;
	ret = spawn_sandbox(c, err);
	if (ret < 0)
		return ret;
	/* The sandbox holds its own copies now; ours would only keep them alive. */
	quark_boot_plan_release(&c->plan);
	ret = publish_running(c, err);
	if (ret < 0) {
		kill(c->state.pid, SIGKILL);
		waitpid(c->state.pid, status, 0);
		return ret;
	}
	ret = quark_sandbox_wait(c->state.pid, status, err);
	if (ret == 0)
		quark_log(QUARK_LOG_INFO, "container %s: sandbox exited, wait status 0x%x",
			  c->o->id, *status);
	return ret;
}

static void run_ctx_release(struct run_ctx *c)
{
	quark_error_t ignored = NULL;

	quark_boot_plan_release(&c->plan);
	free(c->blob);
	if (c->blob_fd >= 0)
		close(c->blob_fd);
	if (c->exec_fd >= 0)
		close(c->exec_fd);
	if (c->state_dir && quark_rm_rf(c->state_dir, &ignored) < 0) {
		quark_log(QUARK_LOG_WARN, "%s", ignored->msg);
		quark_error_release(&ignored);
	}
	free(c->state_dir);
	oci_spec_free(&c->spec);
}

int quark_container_run(const struct quark_run_opts *o, int *status, quark_error_t *err)
{
	struct run_ctx c = { .o = o, .blob_fd = -1, .exec_fd = -1 };
	int ret;

	ret = quark_id_validate(o->id, err);
	if (ret < 0)
		return ret;
	ret = select_platform(&c, err);
	if (ret < 0)
		return ret;
	ret = oci_bundle_resolve(o->bundle, c.bundle, err);
	if (ret < 0)
		return ret;
	ret = oci_spec_load(c.bundle, &c.spec, err);
	if (ret < 0)
		return ret;
	ret = check_spec(&c, err);
	/* From here a SIGINT waits for us: forwarded to the sandbox, or dropped on failure. */
	if (ret == 0)
		ret = quark_signals_block(&c.old_mask, err);
	if (ret == 0)
		ret = create_state(&c, err);
	if (ret == 0)
		ret = start_and_wait(&c, status, err);
	run_ctx_release(&c);
	return ret;
}
