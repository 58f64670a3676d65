/*
 * fs/dcache.c - inodes and the dentry tree: allocation, reference counts, the
 * (parent, name) hash, the bounded LRU of unused cached dentries, and d_path.
 *
 * A dentry holds a reference on its parent and on its inode. Unused dentries of
 * filesystems that cache (hostfs, procfs) stay hashed on an LRU of at most
 * DCACHE_MAX_UNUSED entries; the oldest are evicted, which closes their host fd.
 */
#include "internal.h"
#include <qk/host.h>

#define DHASH_SIZE		1024
#define DCACHE_MAX_UNUSED	1024

static struct list_head dhash[DHASH_SIZE];
static LIST_HEAD(dlru);
static int nr_unused;
static u64 next_ino = 1000;

static void dcache_init_once(void)
{
	static bool done;

	if (done)
		return;
	for (int i = 0; i < DHASH_SIZE; i++)
		list_init(&dhash[i]);
	done = true;
}

u64 ino_alloc(void)
{
	return next_ino++;
}

void time_now(struct __kernel_timespec *ts)
{
	u64 ns = clock_realtime_ns();

	ts->tv_sec = (s64)(ns / 1000000000ULL);
	ts->tv_nsec = (s64)(ns % 1000000000ULL);
}

struct inode *inode_alloc(struct super *sb, u32 mode, const struct inode_ops *iop)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->refs = 1;
	ino->sb = sb;
	ino->mode = mode;
	ino->iop = iop;
	ino->hostfd = -1;
	ino->pending_fd = -1;
	ino->nlink = 1;
	ino->ino = ino_alloc();
	time_now(&ino->mtime);
	ino->atime = ino->ctime = ino->mtime;
	return ino;
}

void inode_get(struct inode *ino)
{
	ino->refs++;
}

void inode_put(struct inode *ino)
{
	if (!ino || --ino->refs > 0)
		return;
	if (ino->destroy)
		ino->destroy(ino);
	if (ino->hostfd >= 0)
		host_close(ino->hostfd);
	if (ino->pending_fd >= 0)
		host_close(ino->pending_fd);
	kfree(ino);
}

u32 name_hash(const char *name)
{
	u32 h = 2166136261u;	/* FNV-1a */

	while (*name)
		h = (h ^ (u8)*name++) * 16777619u;
	return h;
}

static struct list_head *bucket(struct dentry *parent, u32 hash)
{
	return &dhash[(hash ^ (u32)((uintptr_t)parent >> 4)) & (DHASH_SIZE - 1)];
}

static struct dentry *d_new(const char *name, struct inode *ino)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->name = kstrdup(name);
	if (!d->name) {
		kfree(d);
		return NULL;
	}
	d->refs = 1;
	d->hash = name_hash(name);
	d->inode = ino;
	d->sb = ino->sb;
	list_init(&d->hash_node);
	list_init(&d->child_node);
	list_init(&d->children);
	list_init(&d->lru);
	return d;
}

/* A new root dentry of sb for ino (takes over the caller's inode reference). */
struct dentry *dentry_root(struct super *sb, struct inode *ino)
{
	struct dentry *d;

	dcache_init_once();
	d = d_new("/", ino);
	if (!d)
		return NULL;
	d->sb = sb;
	d->parent = d;
	return d;
}

/* A new hashed child of parent named name for ino (takes over the inode reference,
 * even on failure). Returns it with one reference. */
struct dentry *dentry_alloc(struct dentry *parent, const char *name, struct inode *ino)
{
	struct dentry *d;

	dcache_init_once();
	d = d_new(name, ino);
	if (!d) {
		inode_put(ino);
		return NULL;
	}
	d->parent = dget(parent);
	list_add_tail(&d->child_node, &parent->children);
	list_add(&d->hash_node, bucket(parent, d->hash));
	d->flags |= D_HASHED;
	return d;
}

struct dentry *d_alloc_tmpfile(struct dentry *dir, struct inode *ino)
{
	char name[32];
	struct dentry *d;

	snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino->ino);
	d = dentry_alloc(dir, name, ino);
	if (d) {
		d_unhash(d);
		d->flags |= D_DELETED;
	}
	return d;
}

struct dentry *dget(struct dentry *d)
{
	if (d->refs++ == 0 && !list_empty(&d->lru)) {
		list_del(&d->lru);
		nr_unused--;
	}
	return d;
}

static void d_free(struct dentry *d)
{
	struct dentry *parent = d->parent;

	if (d->flags & D_HASHED) {
		list_del(&d->hash_node);
		d->flags &= ~D_HASHED;
	}
	list_del(&d->child_node);
	inode_put(d->inode);
	kfree(d->name);
	kfree(d);
	if (parent != d)
		dput(parent);
}

static void lru_evict_to(int max)
{
	while (nr_unused > max) {
		struct dentry *d = list_first_entry(&dlru, struct dentry, lru);

		list_del(&d->lru);
		nr_unused--;
		d_free(d);
	}
}

static void lru_evict(void)
{
	lru_evict_to(DCACHE_MAX_UNUSED);
}

void dcache_shrink(void)
{
	lru_evict_to(0);
}

void dput(struct dentry *d)
{
	if (!d)
		return;
	BUG_ON(d->refs <= 0);
	if (--d->refs > 0)
		return;
	if (d->parent == d && !(d->flags & D_ANON))
		return;		/* filesystem roots live as long as their mount */
	if ((d->flags & D_HASHED) && d->sb->type->cache_dentries) {
		list_add_tail(&d->lru, &dlru);
		nr_unused++;
		lru_evict();
		return;
	}
	d_free(d);
}

struct dentry *d_lookup(struct dentry *parent, const char *name)
{
	u32 h = name_hash(name);
	struct list_head *b = bucket(parent, h);
	struct dentry *d;

	dcache_init_once();
	list_for_each_entry(d, b, hash_node) {
		if (d->hash == h && d->parent == parent && !strcmp(d->name, name))
			return dget(d);
	}
	return NULL;
}

void d_unhash(struct dentry *d)
{
	if (!(d->flags & D_HASHED))
		return;
	list_del(&d->hash_node);
	list_del(&d->child_node);
	d->flags &= ~D_HASHED;
}

void d_pin(struct dentry *d)
{
	if (!(d->flags & D_PINNED)) {
		d->flags |= D_PINNED;
		dget(d);
	}
}

void d_delete(struct dentry *d)
{
	d_unhash(d);
	d->flags |= D_DELETED;
	if (d->flags & D_PINNED) {
		d->flags &= ~D_PINNED;
		dput(d);
	}
}

/* Rename d to newname under newparent; any dentry there must be gone already. */
void d_move(struct dentry *d, struct dentry *newparent, const char *newname)
{
	char *nn = kstrdup(newname);
	struct dentry *old = d->parent;

	if (!nn) {		/* keep the tree consistent: forget the name */
		d_unhash(d);
		return;
	}
	if (d->flags & D_HASHED) {
		list_del(&d->hash_node);
		list_del(&d->child_node);
	}
	kfree(d->name);
	d->name = nn;
	d->hash = name_hash(nn);
	if (newparent != old) {
		d->parent = dget(newparent);
		dput(old);
	}
	list_add_tail(&d->child_node, &newparent->children);
	list_add(&d->hash_node, bucket(newparent, d->hash));
	d->flags |= D_HASHED;
}

bool d_is_ancestor(struct dentry *anc, struct dentry *d)
{
	for (;;) {
		if (d == anc)
			return true;
		if (d->parent == d)
			return false;
		d = d->parent;
	}
}

void path_get(const struct path *p)
{
	dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	p->dentry = NULL;
	p->mnt = NULL;
}

/* Prepend s (len bytes) before *end inside [buf, ...): false when it does not fit. */
static bool prepend(char *buf, char **end, const char *s, size_t len)
{
	if ((size_t)(*end - buf) < len)
		return false;
	*end -= len;
	memcpy(*end, s, len);
	return true;
}

long d_path(const struct path *p, const struct path *root, char *buf, size_t n)
{
	struct dentry *d = p->dentry;
	struct mount *m = p->mnt;
	char *end = buf + n;
	size_t len;

	if (n == 0)
		return -ENAMETOOLONG;
	if (d->flags & D_ANON) {
		len = strlen(d->name);
		if (len + 1 > n)
			return -ENAMETOOLONG;
		memcpy(buf, d->name, len + 1);
		return (long)len;
	}
	if (!prepend(buf, &end, "", 1))
		return -ENAMETOOLONG;
	if ((d->flags & D_DELETED) && !prepend(buf, &end, " (deleted)", 10))
		return -ENAMETOOLONG;
	for (;;) {
		if (d == root->dentry && m == root->mnt)
			break;
		if (d == m->root) {
			if (!m->parent)
				break;
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		if (!prepend(buf, &end, d->name, strlen(d->name)) ||
		    !prepend(buf, &end, "/", 1))
			return -ENAMETOOLONG;
		d = d->parent;
	}
	if (*end == 0 || *end == ' ') {
		if (!prepend(buf, &end, "/", 1))
			return -ENAMETOOLONG;
	}
	len = (size_t)(buf + n - end);
	memmove(buf, end, len);
	return (long)len - 1;
}
