/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "quark/kvm_layout.h"
#include "userspace/vmm/bootinfo.h"

uint32_t quark_boot_vcpus(int64_t quota, int64_t period)
{
	int64_t n;

	if (quota <= 0)
		return 1;
	if (period <= 0)
		period = 100000;
	n = quota / period + (quota % period != 0);
	return n > QUARK_KVM_MAX_VCPUS ? QUARK_KVM_MAX_VCPUS : (uint32_t)n;
}

uint64_t quark_boot_mem_size(int64_t limit)
{
	if (limit <= 0)
		return QUARK_BOOT_MEM_DEFAULT;
	if ((uint64_t)limit >= QUARK_BOOT_MEM_MAX)
		return QUARK_BOOT_MEM_MAX;
	return ((uint64_t)limit + QUARK_BOOT_MEM_ALIGN - 1) & ~(QUARK_BOOT_MEM_ALIGN - 1);
}

/* Bytes of strings the blob will hold, to size the buffer once. */
static size_t strings_size(const struct quark_boot_params *p)
{
	size_t n = strlen(p->cwd) + 1 + (p->hostname ? strlen(p->hostname) + 1 : 0);

	for (size_t i = 0; i < p->argc; i++)
		n += strlen(p->args[i]) + 1;
	for (size_t i = 0; i < p->envc; i++)
		n += strlen(p->env[i]) + 1;
	for (size_t i = 0; i < p->nmounts; i++)
		n += strlen(p->mounts[i].dest) + 1;
	return n;
}

/* Append s at *pos and return its offset. The buffer was sized by strings_size(). */
static uint32_t put_str(char *blob, size_t *pos, const char *s)
{
	uint32_t off = (uint32_t)*pos;
	size_t n = strlen(s) + 1;

	memcpy(blob + *pos, s, n);
	*pos += n;
	return off;
}

static uint32_t put_strv(char *blob, size_t *pos, char *const *v, size_t n)
{
	uint32_t off = (uint32_t)*pos;

	for (size_t i = 0; i < n; i++)
		put_str(blob, pos, v[i]);
	return n ? off : 0;
}

static void put_header(struct quark_boot_info *h, const struct quark_boot_params *p)
{
	h->magic = QUARK_BOOT_MAGIC;
	h->version = QUARK_BOOT_VERSION;
	h->mem_size = p->mem_size;
	h->ncpus = p->ncpus;
	h->flags = p->flags;
	h->rootfs_fd = p->rootfs_fd;
	h->log_fd = p->log_fd;
	h->log_level = p->log_level;
	h->uid = p->uid;
	h->gid = p->gid;
	h->umask = p->umask;
	h->argc = (uint32_t)p->argc;
	h->envc = (uint32_t)p->envc;
	h->nmounts = (uint32_t)p->nmounts;
	h->mounts_off = p->nmounts ? sizeof(*h) : 0;
	h->seed = p->seed;
	h->boot_time_ns = p->boot_time_ns;
}

int quark_boot_serialize(const struct quark_boot_params *p, void **out, size_t *len,
			 quark_error_t *err)
{
	size_t pos = sizeof(struct quark_boot_info) + p->nmounts * sizeof(struct quark_boot_mount);
	size_t total = pos + strings_size(p);
	struct quark_boot_mount *m;
	struct quark_boot_info *h;
	char *blob;

	if (p->nmounts > QUARK_BOOT_MAX_MOUNTS)
		return quark_make_error(err, 0, "boot info: %zu mounts, qkernel takes at most %d",
					p->nmounts, QUARK_BOOT_MAX_MOUNTS);
	if (total > QUARK_BOOT_MAX_SIZE)
		return quark_make_error(err, 0, "boot info: args, env and mounts need %zu bytes, "
					"qkernel takes at most %u", total, QUARK_BOOT_MAX_SIZE);
	blob = calloc(1, total);
	if (!blob)
		return quark_make_error(err, ENOMEM, "boot info");
	h = (struct quark_boot_info *)blob;
	m = (struct quark_boot_mount *)(blob + sizeof(*h));
	put_header(h, p);
	h->size = (uint32_t)total;
	h->args_off = put_strv(blob, &pos, p->args, p->argc);
	h->env_off = put_strv(blob, &pos, p->env, p->envc);
	h->cwd_off = put_str(blob, &pos, p->cwd);
	h->hostname_off = p->hostname ? put_str(blob, &pos, p->hostname) : 0;
	for (size_t i = 0; i < p->nmounts; i++) {
		m[i].dest_off = put_str(blob, &pos, p->mounts[i].dest);
		m[i].type = p->mounts[i].type;
		m[i].host_fd = p->mounts[i].host_fd;
		m[i].flags = p->mounts[i].flags;
	}
	*out = blob;
	*len = total;
	return 0;
}

const char *quark_boot_string(const void *blob, size_t len, uint32_t off)
{
	if (off < sizeof(struct quark_boot_info) || off >= len)
		return NULL;
	if (!memchr((const char *)blob + off, '\0', len - off))
		return NULL;
	return (const char *)blob + off;
}

/* n consecutive strings starting at off, all inside the blob. */
static bool strv_ok(const void *blob, size_t len, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *s = quark_boot_string(blob, len, off);

		if (!s)
			return false;
		off += strlen(s) + 1;
	}
	return true;
}

static bool abs_path_ok(const void *blob, size_t len, uint32_t off)
{
	const char *s = quark_boot_string(blob, len, off);

	return s && s[0] == '/';
}

static int check_mounts(const struct quark_boot_info *h, const void *blob, size_t len,
			quark_error_t *err)
{
	const struct quark_boot_mount *m;

	if (h->nmounts > QUARK_BOOT_MAX_MOUNTS)
		return quark_make_error(err, 0, "boot info: %u mounts", h->nmounts);
	if (!h->nmounts)
		return 0;
	if (h->mounts_off < sizeof(*h) || h->mounts_off % 4 ||
	    (uint64_t)h->mounts_off + (uint64_t)h->nmounts * sizeof(*m) > len)
		return quark_make_error(err, 0, "boot info: mount table out of bounds");
	m = (const struct quark_boot_mount *)((const char *)blob + h->mounts_off);
	for (uint32_t i = 0; i < h->nmounts; i++) {
		if (m[i].type == 0 || m[i].type >= QUARK_MNT_MAX || m[i].flags >= QUARK_MNTF_MAX_FLAG)
			return quark_make_error(err, 0, "boot info: mount %u: bad type or flags", i);
		if (!abs_path_ok(blob, len, m[i].dest_off))
			return quark_make_error(err, 0, "boot info: mount %u: bad destination", i);
		if (m[i].type == QUARK_MNT_BIND && m[i].host_fd < 0)
			return quark_make_error(err, 0, "boot info: mount %u: bind without fd", i);
	}
	return 0;
}

int quark_boot_validate(const void *blob, size_t len, quark_error_t *err)
{
	const struct quark_boot_info *h = blob;

	if (len < sizeof(*h) || len > QUARK_BOOT_MAX_SIZE)
		return quark_make_error(err, 0, "boot info: size %zu out of range", len);
	if (h->magic != QUARK_BOOT_MAGIC || h->version != QUARK_BOOT_VERSION || h->size != len)
		return quark_make_error(err, 0, "boot info: bad magic, version or size");
	if (h->mem_size < QUARK_BOOT_MEM_MIN || h->mem_size > QUARK_BOOT_MEM_MAX ||
	    h->mem_size % QUARK_BOOT_MEM_ALIGN || !h->ncpus ||
	    h->flags >= QUARK_BOOTF_MAX_FLAG || h->log_level > 5 || h->rootfs_fd < 0)
		return quark_make_error(err, 0, "boot info: bad memory, cpus, flags, log level "
					"or rootfs fd");
	if (!h->argc || !strv_ok(blob, len, h->args_off, h->argc))
		return quark_make_error(err, 0, "boot info: bad args");
	if (h->envc && !strv_ok(blob, len, h->env_off, h->envc))
		return quark_make_error(err, 0, "boot info: bad env");
	if (!abs_path_ok(blob, len, h->cwd_off))
		return quark_make_error(err, 0, "boot info: bad cwd");
	if (h->hostname_off && !quark_boot_string(blob, len, h->hostname_off))
		return quark_make_error(err, 0, "boot info: bad hostname");
	return check_mounts(h, blob, len, err);
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL	0x0008U
#endif

int quark_boot_memfd(const void *blob, size_t len, int *out, quark_error_t *err)
{
	/* The blob is data: ask for a non-executable memfd where the kernel knows how (6.3+). */
	cleanup_close int fd = memfd_create("quark-boot", MFD_CLOEXEC | MFD_ALLOW_SEALING |
					    MFD_NOEXEC_SEAL);
	const char *p = blob;
	ssize_t n;

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("quark-boot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return quark_make_error(err, errno, "memfd_create for boot info");
	for (size_t done = 0; done < len; done += n) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			return quark_make_error(err, errno, "write boot info memfd");
	}
	/* Sealed: nothing, not even a compromised sandbox, can change what qkernel reads. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return quark_make_error(err, errno, "seal boot info memfd");
	*out = steal_fd(&fd);
	return 0;
}
