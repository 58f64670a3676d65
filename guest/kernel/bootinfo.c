/*
 * kernel/bootinfo.c - the boot-info blob (uapi/quark/boot.h) is input from the host side:
 * every platform checks it with boot_info_check() before qkernel uses any of it.
 */
#include <qk/platform.h>
#include <qk/lib.h>
#include <quark/boot.h>

static bool str_ok(const char *blob, u64 size, u32 off, u32 count)
{
	for (u32 i = 0; i < count; i++) {
		const char *s = blob + off;
		if (off >= size)
			return false;
		size_t n = strnlen(s, size - off);
		if (n == size - off)
			return false;
		off += n + 1;
	}
	return true;
}

const char *boot_info_check(const struct quark_boot_info *bi, u64 size)
{
	const char *b = (const char *)bi;

	if (size < sizeof(*bi) || bi->magic != QUARK_BOOT_MAGIC)
		return "bad magic";
	if (bi->version != QUARK_BOOT_VERSION || bi->size != size)
		return "version or size mismatch";
	if (bi->flags & ~(QUARK_BOOTF_MAX_FLAG - 1))
		return "unknown flags";
	if (bi->mem_size < (16u << 20) || bi->mem_size % (2u << 20) || bi->mem_size > (64ULL << 30))
		return "bad mem_size";
	if (bi->ncpus < 1 || bi->ncpus > MAX_CPUS)
		return "bad ncpus";
	if (bi->argc < 1 || !str_ok(b, size, bi->args_off, bi->argc) ||
	    !str_ok(b, size, bi->env_off, bi->envc))
		return "bad args/env";
	if ((bi->cwd_off && !str_ok(b, size, bi->cwd_off, 1)) ||
	    (bi->hostname_off && !str_ok(b, size, bi->hostname_off, 1)))
		return "bad cwd/hostname";
	if (bi->nmounts > QUARK_BOOT_MAX_MOUNTS ||
	    (u64)bi->mounts_off + bi->nmounts * sizeof(struct quark_boot_mount) > size)
		return "bad mounts";
	for (u32 i = 0; i < bi->nmounts; i++) {
		const struct quark_boot_mount *m = (const void *)(b + bi->mounts_off) + i * sizeof(*m);
		if (!str_ok(b, size, m->dest_off, 1) || m->type == 0 || m->type >= QUARK_MNT_MAX ||
		    (m->flags & ~(QUARK_MNTF_MAX_FLAG - 1)))
			return "bad mount entry";
	}
	return NULL;
}
