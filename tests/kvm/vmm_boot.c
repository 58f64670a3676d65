/* SPDX-License-Identifier: MIT */
/*
 * tests/kvm/vmm_boot.c - the VMM (userspace/vmm/kvm*.c) boots the kvm boot image
 * (build/kvm-bootimg.elf, embedded) on a real /dev/kvm and we check what comes back:
 * console lines, the wait status, and the VMM's errors for guests that fail on purpose
 * (argv[1] of the boot info, see guest/platform/kvm/boot.c). Runs in the rig
 * (tests/rig/run.sh); prints TAP. Usage: vmm_boot [KERNEL.elf]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "userspace/util/cleanup.h"
#include "userspace/vmm/bootinfo.h"
#include "userspace/vmm/kvm.h"

extern const char qkernel_kvm_start[], qkernel_kvm_end[];

#define MEM_MIB		64
#define ARGV0		"/bin/vmm-boot-test"

struct boot_case {
	const char *name;
	const char *mode;		/* argv[1] for the guest, "" for a normal boot */
	unsigned ncpus;
	unsigned timeout_ms;
	int want_status;		/* wait status, or -1 when the run must fail */
	const char *want_out[4];	/* substrings of the console output */
	const char *want_err[5];	/* substrings of the error */
	unsigned max_exits;		/* 0 = not checked */
	bool hostcall;			/* host fds 0-2, fd 1 a pipe; host-call counters */
};

#define HC_LINE	"qkernel-kvm: hello from the guest through the host-call ring\n"

static const struct boot_case cases[] = {
	{ "boot, 1 vCPU", "", 1, 120000, 0,
	  { "qkernel-kvm: booted, 1 vCPUs, 64 MiB, args: " ARGV0 "\n", "handled, IDT works\n",
	    "1/1 vCPUs up\n" }, { NULL }, 4 /* 3 console lines, shutdown */, false },
	{ "boot, 4 vCPUs: APs start in long mode", "", 4, 120000, 0,
	  { "booted, 4 vCPUs, 64 MiB", "cpu 1 up\n", "cpu 3 up\n", "4/4 vCPUs up\n" }, { NULL },
	  10 /* 6 lines, 3 starts, shutdown */, false },
	{ "guest #UD: exception report and status 64+6", "ud", 1, 120000, (64 + 6) << 8,
	  { "exception 6 (#UD) error 0 at rip 0xffffffff8" }, { NULL }, 0, false },
	{ "byte-wide console port", "rawcon", 1, 120000, 0,
	  { "qkernel-kvm: raw console works\n", "1/1 vCPUs up\n" }, { NULL }, 0, false },
	/* AMD: KVM resets the vCPU after a triple fault, so the dump shows the reset state. */
	{ "guest triple fault: error with register dump", "triple", 1, 120000, -1,
	  { "IDT works" }, { "vcpu 0: triple fault (KVM_EXIT_SHUTDOWN)", "vcpu 0 state:\n  rip " }, 0,
	  false },
	{ "guest OUT to an unknown port: error with dump", "badport", 1, 120000, -1,
	  { NULL }, { "out of 1 x 1 bytes at port 0x510, which has no device", "cr3 " }, 0, false },
	{ "console buffer outside guest memory: error", "badconbuf", 1, 120000, -1,
	  { "IDT works" }, { "console port: bad buffer at 0xfffffff8", "rip ffffffff8" }, 0, false },
	{ "guest that never shuts down: timeout with dump", "hang", 2, 5000, -1,
	  { NULL }, { "did not shut down within 5000 ms", "vcpu 0 state", "vcpu 1 state", "\n  backtrace: ffffffff8",
	    "\n  lapic isr 00000000 " }, 0, false },
	{ "host-call ring: NOP and WRITE to host fd 1, completion interrupt", "hostcall", 1,
	  120000, 0, { "hostcall: NOP 0, WRITE 61, ", "1/1 vCPUs up\n" }, { NULL }, 0, true },
};

static void diag_lines(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		diag("%s%.*s", prefix, nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

static char *read_all(int fd)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) < 0 || !(buf = calloc(1, st.st_size + 1)))
		return NULL;
	if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int make_blob(const struct boot_case *c, void **blob, size_t *len, quark_error_t *err)
{
	char *args[] = { ARGV0, (char *)c->mode, NULL };
	struct quark_boot_params p = {
		.mem_size = MEM_MIB << 20, .ncpus = c->ncpus, .rootfs_fd = 0, .log_fd = -1,
		.log_level = 3, .umask = 022, .args = args, .argc = c->mode[0] ? 2 : 1,
		.cwd = "/", .seed = 42,
	};

	return quark_boot_serialize(&p, blob, len, err);
}

static void diag_stats(const struct quark_kvm_stats *st)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "VM exits: %llu", (unsigned long long)st->total);
	for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS && n > 0 && (size_t)n < sizeof(line); r++)
		if (st->exits[r])
			n += snprintf(line + n, sizeof(line) - n, ", %s %llu",
				      quark_kvm_exit_name(r), (unsigned long long)st->exits[r]);
	diag("%s", line);
	n = snprintf(line, sizeof(line), "host calls:");
	for (unsigned op = 0; op <= QUARK_HC_OP_MAX && n > 0 && (size_t)n < sizeof(line); op++)
		if (st->hc_calls[op])
			n += snprintf(line + n, sizeof(line) - n, " %s %llu,",
				      quark_kvm_hc_op_name(op), (unsigned long long)st->hc_calls[op]);
	if (n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, " doorbells %llu, interrupts %llu, io_uring %llu",
			 (unsigned long long)st->hc_doorbells, (unsigned long long)st->hc_irqs,
			 (unsigned long long)st->hc_uring_sqes);
	diag("%s", line);
}

/* hostcall case: fd 1 becomes a pipe while the VM runs, so the guest's WRITE goes through
 * io_uring (a pipe is not a regular file) and this test reads what arrived. */
struct fd1_swap {
	int saved, rd;
};

static int fd1_to_pipe(struct fd1_swap *sw)
{
	int p[2];

	fflush(stdout);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	sw->saved = dup(1);
	sw->rd = p[0];
	dup2(p[1], 1);
	close(p[1]);
	return sw->saved < 0 ? -1 : 0;
}

static char *fd1_restore(struct fd1_swap *sw)
{
	char *buf = calloc(1, 4096);
	ssize_t n;

	dup2(sw->saved, 1);
	close(sw->saved);
	fcntl(sw->rd, F_SETFL, O_NONBLOCK);
	n = buf ? read(sw->rd, buf, 4095) : -1;
	close(sw->rd);
	if (buf && n < 0)
		buf[0] = 0;
	return buf;
}

/* Boot once; *out gets the console text, *errmsg the error (both malloc'ed or NULL). */
static int boot(const struct boot_case *c, const void *kernel, size_t klen, int *wstatus,
		struct quark_kvm_stats *st, char **out, char **errmsg, char **fd1)
{
	static const int stdio[] = { 0, 1, 2 };
	struct fd1_swap sw = { -1, -1 };
	cleanup_close int con = memfd_create("console", MFD_CLOEXEC);
	cleanup_free void *blob = NULL;
	struct quark_kvm_vm *vm = NULL;
	quark_error_t err = NULL;
	size_t blen;
	int ret;

	ret = make_blob(c, &blob, &blen, &err);
	if (ret == 0) {
		struct quark_kvm_opts o = { .kernel = kernel, .kernel_len = klen,
					    .boot_info = blob, .boot_info_len = blen,
					    .console_fd = con, .timeout_ms = c->timeout_ms,
					    .host_fds = stdio, .nhost_fds = c->hostcall ? 3 : 0,
					    .signal_fd = -1 };

		ret = quark_kvm_create(&o, &vm, &err);
	}
	if (ret == 0) {
		if (c->hostcall && fd1_to_pipe(&sw) < 0)
			ret = quark_make_error(&err, errno, "fd 1 to a pipe");
		if (ret == 0)
			ret = quark_kvm_run(vm, wstatus, &err);
		if (sw.saved >= 0)
			*fd1 = fd1_restore(&sw);
		quark_kvm_get_stats(vm, st);
		quark_kvm_destroy(vm);
	}
	*out = read_all(con);
	*errmsg = err ? strdup(err->msg ? err->msg : "?") : NULL;
	quark_error_release(&err);
	return ret;
}

static void run_case(const struct boot_case *c, const void *kernel, size_t klen)
{
	cleanup_free char *out = NULL;
	cleanup_free char *errmsg = NULL;
	cleanup_free char *fd1 = NULL;
	struct quark_kvm_stats st;
	int wstatus = -1, ret, good;

	memset(&st, 0, sizeof(st));
	ret = boot(c, kernel, klen, &wstatus, &st, &out, &errmsg, &fd1);
	if (c->want_status >= 0)
		good = ret == 0 && wstatus == c->want_status;
	else
		good = ret < 0;
	for (int i = 0; i < 4 && c->want_out[i]; i++)
		good &= contains(out, c->want_out[i]) != 0;
	for (size_t i = 0; i < sizeof(c->want_err) / sizeof(c->want_err[0]) && c->want_err[i]; i++)
		good &= contains(errmsg, c->want_err[i]) != 0;
	if (c->max_exits)
		good &= st.total > 0 && st.total <= c->max_exits;
	if (c->hostcall) {
		/* exactly the guest's two requests, and the WRITE's bytes on host fd 1 */
		unsigned others = 0;

		for (unsigned op = 0; op <= QUARK_HC_OP_MAX; op++)
			others += op != QUARK_HC_NOP && op != QUARK_HC_WRITE && st.hc_calls[op];
		good &= st.hc_calls[QUARK_HC_NOP] == 1 && st.hc_calls[QUARK_HC_WRITE] == 1 &&
			!others && st.hc_irqs >= 1 && fd1 && !strcmp(fd1, HC_LINE);
		diag("host fd 1 got: %s", fd1 ? fd1 : "(nothing)");
	}
	if (!ok(good, "%s", c->name) || getenv("VMM_BOOT_VERBOSE")) {
		diag("ret %d, wait status %#x (want %#x), at most %u exits", ret, wstatus,
		     c->want_status, c->max_exits);
	}
	diag_stats(&st);
	diag_lines("console: ", out);
	diag_lines("error: ", errmsg);
}

/* The image: argv[1] if given, else the one built into this test. */
static int load_kernel(int argc, char **argv, const void **k, size_t *len)
{
	struct stat st;
	int fd;

	*k = qkernel_kvm_start;
	*len = (size_t)(qkernel_kvm_end - qkernel_kvm_start);
	if (argc < 2)
		return 0;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*k = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	*len = (size_t)st.st_size;
	close(fd);
	return *k == MAP_FAILED ? -1 : 0;
}

int main(int argc, char **argv)
{
	quark_error_t err = NULL;
	unsigned maxv = 0;
	const void *kernel;
	size_t klen;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (load_kernel(argc, argv, &kernel, &klen) < 0) {
		printf("Bail out! cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	tap_plan(1 + (int)(sizeof(cases) / sizeof(cases[0])));
	if (!ok(quark_kvm_check(NULL, &maxv, &err) == 0, "/dev/kvm has every capability "
		"the VMM needs")) {
		diag("%s", err->msg);
		printf("Bail out! no usable /dev/kvm\n");
		return 1;
	}
	diag("max vCPUs %u, kernel image %zu bytes", maxv, klen);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], kernel, klen);
	return tap_done();
}
