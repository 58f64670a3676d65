/*
 * fs/mount.c - the mount table and vfs_init: the rootfs (hostfs), the boot info's
 * mounts in order, devfs at /dev and procfs at /proc when the boot info has none.
 * Mounts are made once at boot and never removed, so they need no reference counts.
 * A mount destination missing from the rootfs gets a "stub" directory that exists
 * only in qkernel's tree (the rootfs may be read-only).
 */
#include "internal.h"
#include "pure.h"
#include <quark/boot.h>
#include <linux/magic.h>

LIST_HEAD(mount_list);
struct mount *root_mount;
struct mount *anon_mount;
bool vfs_booting;
static int next_mnt_id = 20;
static u32 next_anon_minor = 40;

u64 anon_dev_alloc(void)
{
	u32 minor = next_anon_minor++;

	return DEV_MAKE(0, minor);
}

struct mount *mount_lookup(struct mount *m, struct dentry *d)
{
	struct mount *it, *found = NULL;

	if (!d->mounted)
		return NULL;
	list_for_each_entry(it, &mount_list, node) {
		if (it->parent == m && it->mountpoint == d)
			found = it;	/* the last one mounted is on top */
	}
	return found;
}

static struct mount *mount_add(struct mount *parent, struct dentry *mp, struct dentry *root,
			       struct super *sb, u32 flags, const char *source)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	m->id = next_mnt_id++;
	m->parent = parent;
	m->root = root;
	m->sb = sb;
	m->flags = flags;
	m->source = source;
	if (mp) {
		m->mountpoint = dget(mp);
		mp->mounted++;
	}
	list_add_tail(&m->node, &mount_list);
	return m;
}

/* ---- stub directories (mount points missing from the rootfs) ---- */

static int stub_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	(void)dir;
	(void)name;
	(void)out;
	return -ENOENT;
}

static int stub_getattr(struct dentry *d, struct stat *st)
{
	generic_fillattr(d->inode, st);
	return 0;
}

static int stub_open(struct dentry *d, struct file *f)
{
	(void)d;
	f->fop = &tmpfs_dir_fops;
	return 0;
}

static const struct inode_ops stub_iops = {
	.lookup = stub_lookup,
	.getattr = stub_getattr,
	.open = stub_open,
};

static struct dentry *stub_create(struct dentry *parent, const char *name)
{
	struct inode *ino = inode_alloc(parent->sb, S_IFDIR | 0755, &stub_iops);
	struct dentry *d;

	if (!ino)
		return NULL;
	ino->nlink = 2;
	d = dentry_alloc(parent, name, ino);
	if (d)
		d_pin(d);
	return d;
}

/* ---- anonymous objects (pipes, host streams) ---- */

static const struct fs_type anon_fs_type = { .name = "anon_inodefs", .magic = ANON_INODE_FS_MAGIC };
static struct super anon_sb = { .type = &anon_fs_type };

struct dentry *anon_dentry(const char *name, struct inode *ino)
{
	struct dentry *d = dentry_root(ino->sb, ino);

	char *n = kstrdup(name);

	if (!d || !n) {
		kfree(n);
		if (d)
			dput(d);
		return NULL;
	}
	kfree(d->name);
	d->name = n;
	d->flags |= D_ANON;
	return d;
}

static int anon_mount_init(void)
{
	struct inode *ino = inode_alloc(&anon_sb, S_IFDIR | 0700, &stub_iops);
	struct dentry *root;

	anon_sb.dev = anon_dev_alloc();
	if (!ino)
		return -ENOMEM;
	root = dentry_root(&anon_sb, ino);
	if (!root)
		return -ENOMEM;
	anon_mount = kzalloc(sizeof(*anon_mount));
	if (!anon_mount)
		return -ENOMEM;
	anon_mount->id = next_mnt_id++;
	anon_mount->root = root;
	anon_mount->sb = &anon_sb;
	anon_mount->source = "anon";
	return 0;	/* not in mount_list: never visible */
}

/* Resolve an absolute mount destination, creating stub directories for the missing
 * components. Symlinks inside the rootfs are followed, confined to it. */
static int mountpoint_resolve(const char *dest, struct path *out)
{
	char *prefix = kmalloc(PATH_MAX);
	const char *p = dest, *name;
	size_t len;
	bool slash;
	struct path cur = { root_mount, dget(root_mount->root) };
	int ret = 0;

	if (!prefix)
		return -ENOMEM;
	while (path_next(&p, &name, &len, &slash)) {
		struct path next;
		size_t plen = (size_t)(name + len - dest);

		if (plen >= PATH_MAX || len > NAME_MAX) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(prefix, dest, plen);
		prefix[plen] = 0;
		ret = path_lookup(AT_FDCWD_, prefix, LOOKUP_FOLLOW, &next);
		if (ret == -ENOENT && !path_dots(name, len)) {
			char comp[NAME_MAX + 1];

			memcpy(comp, name, len);
			comp[len] = 0;
			next.mnt = cur.mnt;
			next.dentry = stub_create(cur.dentry, comp);
			ret = next.dentry ? 0 : -ENOMEM;
		}
		if (ret)
			break;
		path_put(&cur);
		cur = next;
	}
	kfree(prefix);
	if (ret) {
		path_put(&cur);
		return ret;
	}
	*out = cur;
	return 0;
}

/* Mount (root, sb) at the absolute guest path dest. */
static int mount_at(const char *dest, struct dentry *root, struct super *sb, u32 flags,
		    const char *source)
{
	struct path mp;
	int ret = mountpoint_resolve(dest, &mp);

	if (ret) {
		pr_warn("vfs: cannot mount %s on %s: error %d\n", source, dest, ret);
		return ret;
	}
	if (!mount_add(mp.mnt, mp.dentry, root, sb, flags, source))
		ret = -ENOMEM;
	path_put(&mp);
	return ret;
}

static bool mounted_at(const char *dest)
{
	struct mount *m;
	char buf[64];
	struct path root = { root_mount, root_mount->root };

	list_for_each_entry(m, &mount_list, node) {
		struct path mp = { m->parent, m->mountpoint };

		if (m->parent && d_path(&mp, &root, buf, sizeof(buf)) > 0 && !strcmp(buf, dest))
			return true;
	}
	return false;
}

static const char *blob_str(const struct quark_boot_info *bi, const char *blob, u32 off)
{
	if (!off || off >= bi->size || strnlen(blob + off, bi->size - off) == bi->size - off)
		return NULL;
	return blob + off;
}

static int mount_boot_entry(const struct quark_boot_info *bi, const char *blob,
			    const struct quark_boot_mount *bm)
{
	const char *dest = blob_str(bi, blob, bm->dest_off);
	u32 flags = (bm->flags & QUARK_MNTF_RDONLY) ? MNT_RDONLY : 0;
	struct dentry *root;
	struct super *sb;
	int ret;

	if (!dest || dest[0] != '/' || bm->type == 0 || bm->type >= QUARK_MNT_MAX ||
	    bm->flags >= QUARK_MNTF_MAX_FLAG)
		return -EINVAL;
	switch (bm->type) {
	case QUARK_MNT_BIND:
		ret = hostfs_mount_root(bm->host_fd, &root, &sb);
		if (ret)
			return ret;
		return mount_at(dest, root, sb, flags, "bind");
	case QUARK_MNT_TMPFS:
		if (strcmp(dest, "/dev") != 0) {
			sb = tmpfs_new_super();
			root = sb ? tmpfs_make_root(sb, S_IFDIR | 01777) : NULL;
			if (!root)
				return -ENOMEM;
			return mount_at(dest, root, sb, flags, "tmpfs");
		}
		/* a tmpfs on /dev is where the device nodes go */
		fallthrough;
	case QUARK_MNT_DEV:
		root = devfs_create(&sb);
		if (!root)
			return -ENOMEM;
		return mount_at(dest, root, sb, flags, "devtmpfs");
	case QUARK_MNT_PROC:
		root = procfs_create(&sb);
		if (!root)
			return -ENOMEM;
		return mount_at(dest, root, sb, flags, "proc");
	}
	return -EINVAL;
}

int vfs_init(const struct quark_boot_info *bi, const char *blob)
{
	const struct quark_boot_mount *bm;
	struct dentry *root;
	struct super *sb;
	struct path p;
	int ret;

	vfs_booting = true;
	ret = anon_mount_init();
	if (ret)
		goto out;
	ret = hostfs_mount_root(bi->rootfs_fd, &root, &sb);
	if (ret)
		goto out;
	root_mount = mount_add(NULL, NULL, root, sb,
			       (bi->flags & QUARK_BOOTF_ROOT_RDONLY) ? MNT_RDONLY : 0, "rootfs");
	ret = -ENOMEM;
	if (!root_mount)
		goto out;
	bm = (const void *)(blob + bi->mounts_off);
	if (bi->nmounts > QUARK_BOOT_MAX_MOUNTS ||
	    (bi->nmounts && (bi->mounts_off < sizeof(*bi) ||
			     bi->mounts_off + (u64)bi->nmounts * sizeof(*bm) > bi->size))) {
		ret = -EINVAL;
		goto out;
	}
	for (u32 i = 0; i < bi->nmounts; i++) {
		int r = mount_boot_entry(bi, blob, &bm[i]);

		if (r)
			pr_warn("vfs: boot mount %u skipped: error %d\n", i, r);
	}
	if (!mounted_at("/dev")) {
		root = devfs_create(&sb);
		if (root)
			mount_at("/dev", root, sb, 0, "devtmpfs");
	}
	if (!mounted_at("/proc") && path_lookup(AT_FDCWD_, "/proc", LOOKUP_DIRECTORY, &p) == 0) {
		path_put(&p);
		root = procfs_create(&sb);
		if (root)
			mount_at("/proc", root, sb, 0, "proc");
	}
	ret = 0;
out:
	vfs_booting = false;
	if (ret)
		pr_err("vfs: init failed: error %d\n", ret);
	return ret;
}
