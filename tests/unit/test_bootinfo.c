/* SPDX-License-Identifier: MIT */
/* tests/unit/test_bootinfo.c - boot-info blob: serialize, parse back, reject bad blobs. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "quark/kvm_layout.h"
#include "tap.h"
#include "userspace/vmm/bootinfo.h"

static char *args[] = { "/bin/sh", "-c", "echo hi", NULL };
static char *env[] = { "PATH=/bin", "HOME=/root", NULL };
static const struct quark_boot_mount_param mounts[] = {
	{ "/proc", QUARK_MNT_PROC, -1, 0 },
	{ "/dev", QUARK_MNT_DEV, -1, 0 },
	{ "/data", QUARK_MNT_BIND, 7, QUARK_MNTF_RDONLY },
};

static struct quark_boot_params params(void)
{
	return (struct quark_boot_params){
		.mem_size = 512ull << 20, .ncpus = 1, .flags = QUARK_BOOTF_ROOT_RDONLY,
		.rootfs_fd = 5, .log_fd = -1, .log_level = 2, .uid = 1000, .gid = 100,
		.umask = 022, .args = args, .argc = 3, .env = env, .envc = 2, .cwd = "/work",
		.hostname = "box", .mounts = mounts, .nmounts = 3, .seed = 42, .boot_time_ns = 1,
	};
}

/* Walk n consecutive strings from off and compare them with want[]. */
static int strv_equal(const void *blob, size_t len, uint32_t off, char **want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = quark_boot_string(blob, len, off);

		if (!s || strcmp(s, want[i]))
			return 0;
		off += strlen(s) + 1;
	}
	return 1;
}

static void test_round_trip(void)
{
	struct quark_boot_params p = params();
	const struct quark_boot_info *h;
	const struct quark_boot_mount *m;
	quark_error_t err = NULL;
	void *blob = NULL;
	size_t len = 0;
	int good = 1;

	ok(quark_boot_serialize(&p, &blob, &len, &err) == 0, "serialize");
	h = blob;
	ok(quark_boot_validate(blob, len, &err) == 0, "validator accepts what we build");
	ok(h->magic == QUARK_BOOT_MAGIC && h->version == QUARK_BOOT_VERSION && h->size == len,
	   "header magic, version, size");
	ok(h->mem_size == p.mem_size && h->ncpus == 1 && h->flags == QUARK_BOOTF_ROOT_RDONLY &&
	   h->rootfs_fd == 5 && h->log_fd == -1 && h->log_level == 2 && h->uid == 1000 &&
	   h->gid == 100 && h->umask == 022 && h->seed == 42 && h->boot_time_ns == 1,
	   "scalar fields");
	ok(h->argc == 3 && strv_equal(blob, len, h->args_off, args, 3), "args");
	ok(h->envc == 2 && strv_equal(blob, len, h->env_off, env, 2), "env");
	ok(!strcmp(quark_boot_string(blob, len, h->cwd_off), "/work") &&
	   !strcmp(quark_boot_string(blob, len, h->hostname_off), "box"), "cwd and hostname");
	m = (const struct quark_boot_mount *)((const char *)blob + h->mounts_off);
	ok(h->nmounts == 3 && h->mounts_off == sizeof(*h) &&
	   h->mounts_off + 3 * sizeof(*m) <= len, "mount table inside the blob");
	for (int i = 0; i < 3; i++)
		good &= m[i].type == mounts[i].type && m[i].host_fd == mounts[i].host_fd &&
			m[i].flags == mounts[i].flags &&
			!strcmp(quark_boot_string(blob, len, m[i].dest_off), mounts[i].dest);
	ok(good, "mount entries");
	/* Every offset lies inside [sizeof header, size). */
	ok(h->args_off >= sizeof(*h) && h->args_off < len && h->env_off < len &&
	   h->cwd_off < len && h->hostname_off < len && m[2].dest_off < len, "offsets within size");
	free(blob);
}

static void test_no_optional(void)
{
	struct quark_boot_params p = params();
	const struct quark_boot_info *h;
	quark_error_t err = NULL;
	void *blob = NULL;
	size_t len;

	p.hostname = NULL;
	p.envc = 0;
	p.nmounts = 0;
	ok(quark_boot_serialize(&p, &blob, &len, &err) == 0 &&
	   quark_boot_validate(blob, len, &err) == 0, "no hostname, env or mounts");
	h = blob;
	ok(h->hostname_off == 0 && h->env_off == 0 && h->mounts_off == 0 &&
	   len == sizeof(*h) + strlen("/bin/sh-cecho hi/work") + 4, "absent means offset 0");
	free(blob);
}

static void test_limits(void)
{
	struct quark_boot_mount_param many[QUARK_BOOT_MAX_MOUNTS + 1];
	struct quark_boot_params p = params();
	char *big_args[2] = { NULL, NULL };
	quark_error_t err = NULL;
	void *blob = NULL;
	size_t len;

	for (int i = 0; i <= QUARK_BOOT_MAX_MOUNTS; i++)
		many[i] = mounts[0];
	p.mounts = many;
	p.nmounts = QUARK_BOOT_MAX_MOUNTS + 1;
	ok(quark_boot_serialize(&p, &blob, &len, &err) < 0 && contains(err->msg, "at most 64"),
	   "more than 64 mounts refused");
	quark_error_release(&err);
	p = params();
	big_args[0] = malloc(QUARK_BOOT_MAX_SIZE);
	memset(big_args[0], 'x', QUARK_BOOT_MAX_SIZE - 1);
	big_args[0][QUARK_BOOT_MAX_SIZE - 1] = '\0';
	p.args = big_args;
	p.argc = 1;
	ok(quark_boot_serialize(&p, &blob, &len, &err) < 0 && contains(err->msg, "at most"),
	   "blob over 1 MiB refused");
	quark_error_release(&err);
	free(big_args[0]);
}

/* Corrupt one thing in a good blob; the validator must say no. */
static void corrupt_and_check(const char *name, void (*apply)(struct quark_boot_info *, size_t *))
{
	struct quark_boot_params p = params();
	quark_error_t err = NULL;
	void *blob = NULL;
	size_t len;

	quark_boot_serialize(&p, &blob, &len, &err);
	apply(blob, &len);
	ok(quark_boot_validate(blob, len, &err) < 0, "validator rejects: %s", name);
	quark_error_release(&err);
	free(blob);
}

static void c_magic(struct quark_boot_info *h, size_t *l) { (void)l; h->magic++; }
static void c_size(struct quark_boot_info *h, size_t *l) { (void)l; h->size++; }
static void c_short(struct quark_boot_info *h, size_t *l) { (void)h; *l = 50; }
static void c_mem(struct quark_boot_info *h, size_t *l) { (void)l; h->mem_size += 4096; }
static void c_mem_small(struct quark_boot_info *h, size_t *l) { (void)l; h->mem_size = 8 << 20; }
static void c_cpus(struct quark_boot_info *h, size_t *l) { (void)l; h->ncpus = 0; }
static void c_flags(struct quark_boot_info *h, size_t *l) { (void)l; h->flags = QUARK_BOOTF_MAX_FLAG; }
static void c_argc0(struct quark_boot_info *h, size_t *l) { (void)l; h->argc = 0; }
static void c_args_off(struct quark_boot_info *h, size_t *l) { (void)l; h->args_off = h->size; }
static void c_argc_big(struct quark_boot_info *h, size_t *l) { (void)l; h->argc = 1000; }
static void c_cwd_rel(struct quark_boot_info *h, size_t *l) { (void)l; h->cwd_off = h->args_off + 8; }
static void c_cwd_hdr(struct quark_boot_info *h, size_t *l) { (void)l; h->cwd_off = 4; }
static void c_nmounts(struct quark_boot_info *h, size_t *l) { (void)l; h->nmounts = 65; }
static void c_mounts_off(struct quark_boot_info *h, size_t *l) { (void)l; h->mounts_off = h->size - 8; }
static void c_log(struct quark_boot_info *h, size_t *l) { (void)l; h->log_level = 6; }
static void c_unterminated(struct quark_boot_info *h, size_t *l)
{
	((char *)h)[h->size - 1] = 'x';	/* the last string loses its NUL */
	(void)l;
}
static void c_mount_type(struct quark_boot_info *h, size_t *l)
{
	((struct quark_boot_mount *)((char *)h + h->mounts_off))[0].type = QUARK_MNT_MAX;
	(void)l;
}
static void c_bind_fd(struct quark_boot_info *h, size_t *l)
{
	((struct quark_boot_mount *)((char *)h + h->mounts_off))[2].host_fd = -1;
	(void)l;
}

static const struct {
	const char *name;
	void (*apply)(struct quark_boot_info *, size_t *);
} bad[] = {
	{ "bad magic", c_magic }, { "size != length", c_size }, { "truncated header", c_short },
	{ "mem_size not 2 MiB aligned", c_mem }, { "mem_size below 16 MiB", c_mem_small }, { "ncpus 0", c_cpus }, { "unknown flag", c_flags },
	{ "argc 0", c_argc0 }, { "args_off at end", c_args_off }, { "argc past the end", c_argc_big },
	{ "relative cwd", c_cwd_rel }, { "offset inside header", c_cwd_hdr },
	{ "65 mounts", c_nmounts }, { "mount table past the end", c_mounts_off },
	{ "log level 6", c_log }, { "unterminated string", c_unterminated },
	{ "mount type out of range", c_mount_type }, { "bind mount without fd", c_bind_fd },
};
#define NBAD ((int)(sizeof(bad) / sizeof(bad[0])))

static void test_mem_size(void)
{
	static const struct { int64_t limit; uint64_t want; } rows[] = {
		{ -1, 512ull << 20 }, { 0, 512ull << 20 }, { 1, 2ull << 20 },
		{ 2ll << 20, 2ull << 20 }, { (2ll << 20) + 1, 4ull << 20 }, { 1ll << 30, 1ull << 30 },
		{ 1ll << 40, QUARK_BOOT_MEM_MAX }, { INT64_MAX, QUARK_BOOT_MEM_MAX },
	};
	int good = 1;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		good &= quark_boot_mem_size(rows[i].limit) == rows[i].want;
	ok(good, "mem_size: default 512 MiB, limits rounded up to 2 MiB, capped at 64 GiB");
}

static void test_vcpus(void)
{
	static const struct { int64_t quota, period; uint32_t want; } rows[] = {
		{ -1, 0, 1 }, { 0, 100000, 1 }, { 100000, 100000, 1 }, { 150000, 100000, 2 },
		{ 200000, 0, 2 }, { 50000, 100000, 1 }, { 1, 100000, 1 },
		{ INT64_MAX, 1, QUARK_KVM_MAX_VCPUS },
	};
	int good = 1;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		good &= quark_boot_vcpus(rows[i].quota, rows[i].period) == rows[i].want;
	ok(good, "vcpus: CPU limit rounded up, 1 without one, capped at QUARK_KVM_MAX_VCPUS");
}

static void test_memfd(void)
{
	struct quark_boot_params p = params();
	quark_error_t err = NULL;
	void *blob = NULL;
	char back[4096];
	size_t len;
	int fd = -1;

	quark_boot_serialize(&p, &blob, &len, &err);
	ok(quark_boot_memfd(blob, len, &fd, &err) == 0 && pread(fd, back, sizeof(back), 0) ==
	   (ssize_t)len && !memcmp(back, blob, len), "memfd holds the blob");
	ok((fcntl(fd, F_GET_SEALS) & F_SEAL_WRITE) && write(fd, "x", 1) < 0, "memfd is sealed");
	close(fd);
	free(blob);
}

int main(void)
{
	tap_plan(10 + 2 + 2 + NBAD + 1 + 1 + 2);
	test_round_trip();
	test_no_optional();
	test_limits();
	for (int i = 0; i < NBAD; i++)
		corrupt_and_check(bad[i].name, bad[i].apply);
	test_mem_size();
	test_vcpus();
	test_memfd();
	return tap_done();
}
