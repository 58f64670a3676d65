/*
 * fs/namei.c - path resolution, done by qkernel component by component: from the
 * process root (absolute paths) or cwd / a dirfd, with ".", ".." (never above the
 * process root), mount crossing, and symlinks followed inside qkernel (at most 40,
 * ELOOP). A symlink in the middle of a path is handled by rewriting the rest of the
 * walk as "target/rest" from the directory holding the link; magic links of procfs
 * jump straight to a path. Only single names ever reach a filesystem's lookup.
 */
#include "internal.h"
#include "pure.h"
#include <qk/uaccess.h>

#define MAX_SYMLINKS	40

extern bool vfs_booting;
struct fs_ctx *namei_fs_override;	/* fs_ctx_chdir: resolve for a process being set up */

static void get_root(struct path *root)
{
	if (namei_fs_override) {
		*root = namei_fs_override->root;
	} else if (!vfs_booting && current && current->proc && current->proc->fs) {
		*root = current->proc->fs->root;
	} else {
		root->mnt = root_mount;
		root->dentry = root_mount->root;
	}
	path_get(root);
}

int dirfd_path(int dirfd, struct path *out)
{
	struct file *f;

	if (dirfd == AT_FDCWD_) {
		if (namei_fs_override) {
			*out = namei_fs_override->cwd;
			path_get(out);
			return 0;
		}
		if (vfs_booting || !current || !current->proc || !current->proc->fs) {
			get_root(out);
			return 0;
		}
		*out = current->proc->fs->cwd;
		path_get(out);
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

void follow_mounts(struct path *p)
{
	struct mount *m;

	while (p->dentry->mounted && (m = mount_lookup(p->mnt, p->dentry))) {
		dput(p->dentry);
		p->mnt = m;
		p->dentry = dget(m->root);
	}
}

void follow_dotdot(const struct path *p, const struct path *root, struct path *out)
{
	struct dentry *d = p->dentry;
	struct mount *m = p->mnt;

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
		d = d->parent;
		break;
	}
	out->mnt = m;
	out->dentry = dget(d);
}

/* May the walk go through directory p? */
static int may_search(const struct path *p)
{
	if (!d_is_dir(p->dentry))
		return -ENOTDIR;
	if (vfs_booting)
		return 0;
	return inode_permission(p->dentry->inode, MAY_EXEC);
}

/* Look name up in directory dir (checked by the caller) and cross mounts. */
static int lookup_child(const struct path *dir, const char *name, struct path *out)
{
	struct dentry *d = d_lookup(dir->dentry, name);
	int ret;

	if (d && d->inode->iop->revalidate && !d->inode->iop->revalidate(d)) {
		d_unhash(d);
		dput(d);
		d = NULL;
	}
	if (!d) {
		if (!dir->dentry->inode->iop->lookup)
			return -ENOTDIR;
		ret = dir->dentry->inode->iop->lookup(dir->dentry, name, &d);
		if (ret)
			return ret;
	}
	out->mnt = dir->mnt;
	out->dentry = d;
	follow_mounts(out);
	return 0;
}

static void set_cur(struct nameidata *nd, struct path *p)
{
	path_put(&nd->cur);
	nd->cur = *p;
}

/* Replace nd->buf with "target" + "/" + rest (rest may point into the old buffer). */
static int rewrite(struct nameidata *nd, const char *target, size_t tlen, const char *rest)
{
	size_t rlen = strlen(rest);
	char *nb = kmalloc(tlen + rlen + 2);

	if (!nb)
		return -ENOMEM;
	memcpy(nb, target, tlen);
	nb[tlen] = '/';
	memcpy(nb + tlen + 1, rest, rlen + 1);
	if (!rlen)
		nb[tlen] = 0;	/* no rest: keep no trailing slash of our own */
	kfree(nd->buf);
	nd->buf = nb;
	return 0;
}

/* Read the target of symlink d into a new buffer. */
static char *link_target(struct dentry *d, long *len)
{
	char *t = kmalloc(PATH_MAX + 1);

	if (!t) {
		*len = -ENOMEM;
		return NULL;
	}
	*len = d->inode->iop->readlink ? d->inode->iop->readlink(d, t, PATH_MAX) : -EINVAL;
	if (*len == 0)
		*len = -ENOENT;
	if (*len < 0) {
		kfree(t);
		return NULL;
	}
	t[*len] = 0;
	return t;
}

/* Walk through symlink child in the middle of a path. Returns 1 when the path was
 * rewritten into nd->buf (restart the walk on it), 0 after a magic-link jump. */
static int step_symlink(struct nameidata *nd, struct path *child, const char *rest)
{
	struct path jump;
	long len;
	char *t;
	int ret;

	if (++nd->nlinks > MAX_SYMLINKS) {
		path_put(child);
		return -ELOOP;
	}
	if (child->dentry->inode->iop->get_link) {
		ret = child->dentry->inode->iop->get_link(child->dentry, &jump);
		if (ret != 0) {
			path_put(child);
			if (ret < 0)
				return ret;
			set_cur(nd, &jump);
			return 0;
		}
	}
	t = link_target(child->dentry, &len);
	path_put(child);
	if (!t)
		return (int)len;
	ret = rewrite(nd, t, (size_t)len, rest);
	kfree(t);
	return ret ? ret : 1;
}

/* One intermediate component. */
static int step(struct nameidata *nd, const char *name, size_t len, const char *rest)
{
	char comp[NAME_MAX + 1];
	struct path child;
	int ret = may_search(&nd->cur);

	if (ret)
		return ret;
	switch (path_dots(name, len)) {
	case 1:
		return 0;
	case 2:
		follow_dotdot(&nd->cur, &nd->root, &child);
		set_cur(nd, &child);
		return 0;
	}
	memcpy(comp, name, len);
	comp[len] = 0;
	ret = lookup_child(&nd->cur, comp, &child);
	if (ret)
		return ret;
	if (d_is_lnk(child.dentry))
		return step_symlink(nd, &child, rest);
	set_cur(nd, &child);
	return 0;
}

/* Walk path from nd->cur up to (not including) its last component. */
static int walk(struct nameidata *nd, const char *path)
{
	const char *p, *name;
	size_t len;
	bool slash;
	int ret;

restart:
	p = path;
	if (*p == '/') {
		struct path r = nd->root;

		path_get(&r);
		set_cur(nd, &r);
	}
	if (!path_next(&p, &name, &len, &slash)) {
		nd->last_type = LAST_ROOT;
		nd->trailing_slash = false;
		return 0;
	}
	for (;;) {
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!*p) {
			memcpy(nd->last, name, len);
			nd->last[len] = 0;
			nd->trailing_slash = slash;
			nd->last_type = path_dots(name, len) == 1 ? LAST_DOT :
					path_dots(name, len) == 2 ? LAST_DOTDOT : LAST_NORM;
			return 0;
		}
		ret = step(nd, name, len, p);
		if (ret < 0)
			return ret;
		if (ret == 1) {
			path = nd->buf;
			goto restart;
		}
		path_next(&p, &name, &len, &slash);
	}
}

int namei_start(struct nameidata *nd, int dirfd, const char *path, unsigned flags)
{
	int ret;

	(void)flags;
	memset(nd, 0, sizeof(*nd));
	get_root(&nd->root);
	if (*path == '/') {
		nd->cur = nd->root;
		path_get(&nd->cur);
	} else {
		ret = dirfd_path(dirfd, &nd->cur);
		if (ret)
			return ret;
		if (!d_is_dir(nd->cur.dentry))
			return -ENOTDIR;
	}
	return walk(nd, path);
}

int namei_last(struct nameidata *nd, struct path *child)
{
	int ret;

	switch (nd->last_type) {
	case LAST_ROOT:
	case LAST_JUMP:
		*child = nd->cur;
		path_get(child);
		return 0;
	}
	ret = may_search(&nd->cur);
	if (ret)
		return ret;
	switch (nd->last_type) {
	case LAST_DOT:
		*child = nd->cur;
		path_get(child);
		return 0;
	case LAST_DOTDOT:
		follow_dotdot(&nd->cur, &nd->root, child);
		return 0;
	}
	return lookup_child(&nd->cur, nd->last, child);
}

int namei_follow(struct nameidata *nd, struct path *child)
{
	bool slash = nd->trailing_slash;
	int ret = step_symlink(nd, child, "");

	if (ret <= 0) {
		if (ret == 0)
			nd->last_type = LAST_JUMP;
		return ret;
	}
	if (slash) {	/* keep the trailing slash: "target/" (rewrite left room) */
		size_t len = strlen(nd->buf);
		nd->buf[len] = '/';
		nd->buf[len + 1] = 0;
	}
	return walk(nd, nd->buf);
}

void namei_end(struct nameidata *nd)
{
	path_put(&nd->cur);
	path_put(&nd->root);
	kfree(nd->buf);
	nd->buf = NULL;
}

int path_lookup(int dirfd, const char *path, unsigned flags, struct path *out)
{
	struct nameidata nd;
	struct path child;
	int ret;

	if (!*path) {
		if (!(flags & LOOKUP_EMPTY))
			return -ENOENT;
		return dirfd_path(dirfd, out);
	}
	ret = namei_start(&nd, dirfd, path, flags);
	while (!ret) {
		ret = namei_last(&nd, &child);
		if (ret)
			break;
		if (d_is_lnk(child.dentry) && nd.last_type != LAST_JUMP &&
		    ((flags & LOOKUP_FOLLOW) || nd.trailing_slash)) {
			ret = namei_follow(&nd, &child);
			continue;
		}
		if (((flags & LOOKUP_DIRECTORY) || nd.trailing_slash) && !d_is_dir(child.dentry)) {
			path_put(&child);
			ret = -ENOTDIR;
			break;
		}
		*out = child;
		break;
	}
	namei_end(&nd);
	return ret;
}

int user_path_lookup(int dirfd, uaddr_t upath, unsigned flags, struct path *out)
{
	char *name = (flags & LOOKUP_EMPTY) ? getname_empty_ok(upath) : getname(upath);
	int ret;

	if (IS_ERR(name))
		return (int)PTR_ERR(name);
	ret = path_lookup(dirfd, name, flags, out);
	kfree(name);
	return ret;
}
