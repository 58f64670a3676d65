/*
 * fs/devfs.c - /dev: a tmpfs populated with qkernel's device nodes (null, zero, full,
 * random, urandom, tty, console), the /proc/self/fd symlinks and the pts and shm
 * directories. Programs may create files in it, as in a container's tmpfs /dev.
 */
#include "internal.h"
#include <linux/magic.h>

static const struct fs_type devfs_type = { .name = "devtmpfs", .magic = TMPFS_MAGIC };

static long null_read(struct file *f, void *buf, size_t n)
{
	(void)f;
	(void)buf;
	(void)n;
	return 0;
}

static long null_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	(void)off;
	return null_read(f, buf, n);
}

static long sink_write(struct file *f, const void *buf, size_t n)
{
	(void)f;
	(void)buf;
	return (long)n;
}

static long sink_pwrite(struct file *f, const void *buf, size_t n, loff_t off)
{
	(void)off;
	return sink_write(f, buf, n);
}

static long full_write(struct file *f, const void *buf, size_t n)
{
	(void)f;
	(void)buf;
	(void)n;
	return -ENOSPC;
}

static long full_pwrite(struct file *f, const void *buf, size_t n, loff_t off)
{
	(void)off;
	return full_write(f, buf, n);
}

static long zero_read(struct file *f, void *buf, size_t n)
{
	(void)f;
	memset(buf, 0, n);
	return (long)n;
}

static long zero_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	(void)off;
	return zero_read(f, buf, n);
}

static long random_read(struct file *f, void *buf, size_t n)
{
	(void)f;
	return host_getrandom(buf, n);
}

static long random_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	(void)off;
	return random_read(f, buf, n);
}

/* Devices whose position means nothing: lseek succeeds and returns 0. */
static loff_t zero_llseek(struct file *f, loff_t off, int whence)
{
	(void)off;
	(void)whence;
	f->pos = 0;
	return 0;
}

static const struct file_ops null_fops = {
	.read = null_read, .pread = null_pread, .write = sink_write, .pwrite = sink_pwrite,
	.llseek = zero_llseek, .discard = true,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .pread = zero_pread, .write = sink_write, .pwrite = sink_pwrite,
	.llseek = zero_llseek, .mmap_ok = true, .full_io = true, .discard = true,
};
static const struct file_ops full_fops = {
	.read = zero_read, .pread = zero_pread, .write = full_write, .pwrite = full_pwrite,
	.llseek = zero_llseek, .full_io = true,
};
static const struct file_ops random_fops = {
	.read = random_read, .pread = random_pread, .write = sink_write, .pwrite = sink_pwrite,
	.llseek = zero_llseek, .full_io = true,
};

static const struct devnode dev_null = { .fop = &null_fops };
static const struct devnode dev_zero = { .fop = &zero_fops };
static const struct devnode dev_full = { .fop = &full_fops };
static const struct devnode dev_random = { .fop = &random_fops };
static const struct devnode dev_tty = { .open = devfs_open_tty };

struct dentry *devfs_create(struct super **sbp)
{
	static const struct {
		const char *name;
		u32 mode, ma, mi;
		const struct devnode *dev;
		const char *link;
	} nodes[] = {
		{ "null", S_IFCHR | 0666, 1, 3, &dev_null, NULL },
		{ "zero", S_IFCHR | 0666, 1, 5, &dev_zero, NULL },
		{ "full", S_IFCHR | 0666, 1, 7, &dev_full, NULL },
		{ "random", S_IFCHR | 0666, 1, 8, &dev_random, NULL },
		{ "urandom", S_IFCHR | 0666, 1, 9, &dev_random, NULL },
		{ "tty", S_IFCHR | 0666, 5, 0, &dev_tty, NULL },
		{ "console", S_IFCHR | 0620, 5, 1, &dev_tty, NULL },
		{ "stdin", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/0" },
		{ "stdout", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/1" },
		{ "stderr", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd/2" },
		{ "fd", S_IFLNK | 0777, 0, 0, NULL, "/proc/self/fd" },
		{ "ptmx", S_IFLNK | 0777, 0, 0, NULL, "pts/ptmx" },
	};
	struct super *sb = tmpfs_new_super();
	struct dentry *root, *pts;

	if (!sb)
		return NULL;
	sb->type = &devfs_type;
	root = tmpfs_make_root(sb, S_IFDIR | 0755);
	if (!root)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		if (!tmpfs_add(root, nodes[i].name, nodes[i].mode, DEV_MAKE(nodes[i].ma, nodes[i].mi),
			       nodes[i].link, nodes[i].dev))
			return NULL;
	}
	if (tmpfs_mkdir(root, "pts", S_IFDIR | 0755) || tmpfs_mkdir(root, "shm", S_IFDIR | 01777))
		return NULL;
	pts = d_lookup(root, "pts");
	if (pts) {
		devfs_add_ptys(pts);
		dput(pts);
	}
	*sbp = sb;
	return root;
}
