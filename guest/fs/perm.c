/*
 * fs/perm.c - permission checks from mode bits against the current credentials
 * (Linux generic_permission: root passes rwx checks, but execute needs some x bit
 * on a non-directory). The host still checks the final operation as the sandbox's
 * own user; these checks give the guest's non-root users Linux semantics.
 */
#include "internal.h"

extern bool vfs_booting;

static bool gid_in(const struct cred *c, u32 prim, u32 gid)
{
	if (prim == gid)
		return true;
	for (u32 i = 0; i < c->ngroups && i < ARRAY_SIZE(c->groups); i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

static int check(const struct inode *ino, int mask, u32 uid, u32 gid, const struct cred *c)
{
	u32 mode = ino->mode, perm;

	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (uid == 0) {
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	if (uid == ino->uid)
		perm = mode >> 6;
	else if (gid_in(c, gid, ino->gid))
		perm = mode >> 3;
	else
		perm = mode;
	return ((perm & (u32)mask) == (u32)mask) ? 0 : -EACCES;
}

int inode_permission(const struct inode *ino, int mask)
{
	const struct cred *c;

	if (vfs_booting || !current || !current->proc)
		return 0;
	c = &current->proc->cred;
	return check(ino, mask, c->fsuid, c->fsgid, c);
}

int inode_permission_real(const struct inode *ino, int mask)
{
	const struct cred *c = &current->proc->cred;

	return check(ino, mask, c->uid, c->gid, c);
}

bool in_group(u32 gid)
{
	const struct cred *c = &current->proc->cred;

	return gid_in(c, c->fsgid, gid);
}

bool is_owner_or_root(const struct inode *ino)
{
	const struct cred *c = &current->proc->cred;

	return c->fsuid == 0 || c->fsuid == ino->uid;
}

u32 current_umask(void)
{
	if (vfs_booting || !current || !current->proc || !current->proc->fs)
		return 022;
	return current->proc->fs->umask;
}

int may_create(const struct path *dir)
{
	if (dir->dentry->flags & D_DELETED)
		return -ENOENT;
	return inode_permission(dir->dentry->inode, MAY_WRITE | MAY_EXEC);
}

int may_delete(const struct path *dir, struct dentry *victim, bool isdir)
{
	const struct inode *di = dir->dentry->inode;
	int ret = inode_permission(di, MAY_WRITE | MAY_EXEC);
	u32 fsuid = current->proc->cred.fsuid;

	if (ret)
		return ret;
	if ((di->mode & S_ISVTX) && fsuid != 0 && fsuid != victim->inode->uid && fsuid != di->uid)
		return -EPERM;
	if (isdir) {
		if (!d_is_dir(victim))
			return -ENOTDIR;
		if (victim->parent == victim)
			return -EBUSY;
	} else if (d_is_dir(victim)) {
		return -EISDIR;
	}
	if (dir->dentry->flags & D_DELETED)
		return -ENOENT;
	return 0;
}
