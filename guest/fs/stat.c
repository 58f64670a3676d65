/*
 * fs/stat.c - attributes: stat from the filesystem (hostfs asks the host; the others
 * fill from the inode), statfs.
 */
#include "internal.h"

void generic_fillattr(const struct inode *ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->dev ? ino->dev : ino->sb->dev;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = S_ISDIR(ino->mode) ? 4096 : ino->size;
	if (S_ISCHR(ino->mode) || S_ISFIFO(ino->mode))
		st->st_size = 0;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = S_ISREG(ino->mode) ? ALIGN_UP((u64)ino->size, PAGE_SIZE) / 512 : 0;
	st->st_atime = ino->atime.tv_sec;
	st->st_atime_nsec = ino->atime.tv_nsec;
	st->st_mtime = ino->mtime.tv_sec;
	st->st_mtime_nsec = ino->mtime.tv_nsec;
	st->st_ctime = ino->ctime.tv_sec;
	st->st_ctime_nsec = ino->ctime.tv_nsec;
}

int vfs_getattr(const struct path *p, struct stat *st)
{
	struct inode *ino = p->dentry->inode;

	if (ino->iop->getattr)
		return ino->iop->getattr(p->dentry, st);
	generic_fillattr(ino, st);
	return 0;
}

int vfs_statfs(const struct path *p, struct statfs *buf)
{
	struct inode *ino = p->dentry->inode;
	int ret;

	if (ino->iop->statfs) {
		ret = ino->iop->statfs(p->dentry, buf);
	} else {
		memset(buf, 0, sizeof(*buf));
		buf->f_type = ino->sb->type->magic;
		buf->f_bsize = PAGE_SIZE;
		buf->f_frsize = PAGE_SIZE;
		buf->f_namelen = NAME_MAX;
		ret = 0;
	}
	if (!ret && mnt_rdonly(p->mnt))
		buf->f_flags |= 1;	/* ST_RDONLY */
	return ret;
}
