/*
 * fs/internal.h - qkernel's VFS internals, shared by the files of fs/ only.
 *
 *   struct mount   one mounted filesystem instance at a dentry (mounts are made at boot
 *                  and never removed)
 *   struct dentry  a name in the tree: parent, children, inode; refcounted; hostfs and
 *                  procfs dentries stay cached (bounded LRU) after their last use,
 *                  tmpfs dentries are the storage and stay while linked
 *   struct inode   the object a name refers to (hostfs: holds an O_PATH host fd)
 *   struct file    an open file description; every file has a path, anonymous objects
 *                  (pipes, host stdio streams) live in an internal "anon" mount
 */
#ifndef QK_FS_INTERNAL_H
#define QK_FS_INTERNAL_H

#include <qk/types.h>
#include <qk/list.h>
#include <qk/lib.h>
#include <qk/linux.h>
#include <qk/sched.h>
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/host.h>
#include <asm/statfs.h>
#include <linux/close_range.h>

#ifndef SEEK_SET
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define SEEK_DATA	3
#define SEEK_HOLE	4
#endif
#define fallthrough	__attribute__((__fallthrough__))
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#define RENAME_EXCHANGE		(1 << 1)
#define RENAME_WHITEOUT		(1 << 2)
#endif
#ifndef UTIME_NOW
#define UTIME_NOW	((1L << 30) - 1L)
#define UTIME_OMIT	((1L << 30) - 2L)
#endif
#ifndef F_OK
#define F_OK	0
#define X_OK	1
#define W_OK	2
#define R_OK	4
#endif

struct super;
struct inode;
struct dentry;
struct mount;
struct poll_table;

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* Attribute changes for setattr. */
#define ATTR_MODE	0x1
#define ATTR_UID	0x2
#define ATTR_GID	0x4
#define ATTR_SIZE	0x8
#define ATTR_ATIME	0x10
#define ATTR_MTIME	0x20
#define ATTR_ATIME_NOW	0x40	/* with ATTR_ATIME: current time */
#define ATTR_MTIME_NOW	0x80
struct iattr {
	u32 valid;
	u32 mode, uid, gid;
	loff_t size;
	struct __kernel_timespec atime, mtime;
};

/* Operations on names and inodes. Directory ops receive the parent dentry; NULL ops
 * mean "not supported here" (the VFS turns that into the Linux errno). */
struct inode_ops {
	/* Find name in dir; on success returns a new child dentry (ref held). */
	int (*lookup)(struct dentry *dir, const char *name, struct dentry **out);
	/* Create a regular file for open(2) with oflags; child returned like lookup. */
	int (*create)(struct dentry *dir, const char *name, u32 mode, u32 oflags,
		      struct dentry **out);
	/* O_TMPFILE: a new unnamed regular file in dir (a deleted dentry, ref held). */
	int (*tmpfile)(struct dentry *dir, u32 mode, u32 oflags, struct dentry **out);
	int (*mkdir)(struct dentry *dir, const char *name, u32 mode);
	int (*symlink)(struct dentry *dir, const char *name, const char *target);
	int (*link)(struct dentry *old, struct dentry *dir, const char *name);
	int (*unlink)(struct dentry *dir, struct dentry *victim);
	int (*rmdir)(struct dentry *dir, struct dentry *victim);
	/* victim: the existing dentry at the new name or NULL. Updates the tree itself. */
	int (*rename)(struct dentry *odir, struct dentry *old, struct dentry *ndir,
		      const char *newname, struct dentry *victim, unsigned flags);
	/* Symlink target into buf (no NUL); length or -errno. */
	long (*readlink)(struct dentry *d, char *buf, size_t n);
	/* Magic links (/proc/PID/fd/N, cwd, root): 1 with *jump set (refs held), 0 when
	 * the link is an ordinary one (use readlink), or -errno. */
	int (*get_link)(struct dentry *d, struct path *jump);
	int (*getattr)(struct dentry *d, struct stat *st);
	int (*setattr)(struct dentry *d, const struct iattr *a);
	/* Prepare f for I/O (f->fop, f->hostfd, f->priv); f->flags is set. */
	int (*open)(struct dentry *d, struct file *f);
	int (*statfs)(struct dentry *d, struct statfs *buf);
	/* Is this cached dentry still valid? (procfs: does the pid still exist?) */
	bool (*revalidate)(struct dentry *d);
};

struct file_ops {
	long (*read)(struct file *f, void *buf, size_t n);		/* at f's position */
	long (*write)(struct file *f, const void *buf, size_t n);
	long (*pread)(struct file *f, void *buf, size_t n, loff_t off);	/* NULL: ESPIPE */
	long (*pwrite)(struct file *f, const void *buf, size_t n, loff_t off);
	loff_t (*llseek)(struct file *f, loff_t off, int whence);	/* NULL: ESPIPE */
	/* Pack linux_dirent64 records into buf; bytes, 0 at the end, -EINVAL if the
	 * first record does not fit. */
	long (*getdents)(struct file *f, void *buf, size_t n);
	/* Ready mask (POLL*); when pt, register on the wait queues that signal changes. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	long (*ioctl)(struct file *f, unsigned cmd, uaddr_t arg);
	int (*fsync)(struct file *f, bool datasync);
	int (*setfl)(struct file *f, u32 flags);	/* O_APPEND/O_NONBLOCK changed */
	int (*truncate)(struct file *f, loff_t len);
	void (*release)(struct file *f);
	bool mmap_ok;
	bool full_io;		/* not a stream: read/write loop over chunks to the count */
	bool discard;		/* writes ignore the data (/dev/null): no user copy */
};

struct fs_type {
	const char *name;	/* for /proc/mounts and /proc/filesystems */
	u64 magic;		/* statfs f_type */
	bool cache_dentries;	/* keep unused dentries on the LRU */
};

struct super {
	const struct fs_type *type;
	u64 dev;		/* st_dev */
	void *priv;
};

struct inode {
	int refs;
	u64 ino;
	u32 mode;		/* S_IF* | permissions (hostfs: cached from the host) */
	u32 uid, gid;
	u32 nlink;
	u64 rdev;
	loff_t size;
	struct __kernel_timespec atime, mtime, ctime;
	struct super *sb;
	const struct inode_ops *iop;
	int hostfd;		/* hostfs: O_PATH|O_NOFOLLOW host fd, else -1 */
	int pending_fd;		/* hostfs: I/O fd of a file just created, for its open */
	u64 dev;		/* st_dev when not sb->dev (hostfs: the host's) */
	void *priv;
	void (*destroy)(struct inode *ino);	/* frees priv on the last put */
};

#define D_HASHED	0x1	/* findable by (parent, name) */
#define D_DELETED	0x2	/* unlinked: paths show " (deleted)" */
#define D_PINNED	0x4	/* holds a reference on itself while linked (tmpfs) */
#define D_ANON		0x8	/* anonymous object: path is the bare name */

struct dentry {
	int refs;
	u32 flags;		/* D_* */
	int mounted;		/* number of mounts on this dentry */
	char *name;
	u32 hash;
	struct dentry *parent;	/* itself for the root of a filesystem */
	struct inode *inode;	/* never NULL: there are no negative dentries */
	struct super *sb;
	struct list_head hash_node;
	struct list_head child_node;	/* in parent->children */
	struct list_head children;
	struct list_head lru;		/* unused and cached */
};

#define MNT_RDONLY	0x1

struct mount {
	struct list_head node;	/* in mount_list, in mount order */
	int id;
	struct mount *parent;	/* NULL for the root of the namespace */
	struct dentry *mountpoint;
	struct dentry *root;
	struct super *sb;
	u32 flags;
	const char *source;	/* for /proc/mounts */
};

#define FMODE_READ	0x1
#define FMODE_WRITE	0x2
#define FMODE_PATH	0x4

struct file {
	int refs;
	u32 flags;		/* O_* status flags as F_GETFL shows them */
	u32 fmode;		/* FMODE_* */
	loff_t pos;		/* files whose position qkernel keeps */
	struct path path;
	struct inode *inode;
	const struct file_ops *fop;
	int hostfd;		/* host I/O fd, or -1 */
	bool own_hostfd;	/* close it on release */
	void *priv;
};

/* fs context (root, cwd, umask) of a process. */
struct fs_ctx {
	int refs;
	struct path root, cwd;
	u32 umask;
};

/* fd tables. */
struct files {
	int refs;
	int cap;
	struct file **fd;
	u64 *cloexec;		/* bitmap, cap bits */
};

/* ---- dcache.c ---- */
struct inode *inode_alloc(struct super *sb, u32 mode, const struct inode_ops *iop);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
u64 ino_alloc(void);
struct dentry *dentry_alloc(struct dentry *parent, const char *name, struct inode *ino);
struct dentry *dentry_root(struct super *sb, struct inode *ino);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
struct dentry *d_lookup(struct dentry *parent, const char *name);
void d_unhash(struct dentry *d);		/* forget the name (unlink, eviction) */
void d_delete(struct dentry *d);		/* unhash + D_DELETED + drop pin */
void d_move(struct dentry *d, struct dentry *newparent, const char *newname);
void d_pin(struct dentry *d);
void dcache_shrink(void);
/* An unnamed (deleted) child of dir for an O_TMPFILE inode, named "#<ino>". */
struct dentry *d_alloc_tmpfile(struct dentry *dir, struct inode *ino);	/* drop every unused cached dentry (host fds ran out) */
bool d_is_ancestor(struct dentry *anc, struct dentry *d);	/* anc == d counts */
void path_get(const struct path *p);
void path_put(struct path *p);
static inline bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}
/* Guest path of p as seen from root, NUL-terminated in buf; length or -ENAMETOOLONG. */
long d_path(const struct path *p, const struct path *root, char *buf, size_t n);
u32 name_hash(const char *name);

static inline u32 d_mode(const struct dentry *d) { return d->inode->mode; }
static inline bool d_is_dir(const struct dentry *d) { return S_ISDIR(d->inode->mode); }
static inline bool d_is_lnk(const struct dentry *d) { return S_ISLNK(d->inode->mode); }

/* ---- mount.c ---- */
extern struct list_head mount_list;
extern struct mount *root_mount;
extern struct mount *anon_mount;
/* The mount stacked on (m, d), topmost, or NULL. */
struct mount *mount_lookup(struct mount *m, struct dentry *d);
u64 anon_dev_alloc(void);
static inline bool mnt_rdonly(const struct mount *m) { return m->flags & MNT_RDONLY; }
/* A new anonymous dentry (ref held) named like "pipe:[12]" for ino. */
struct dentry *anon_dentry(const char *name, struct inode *ino);

/* ---- namei.c ---- */
#define LOOKUP_FOLLOW		0x1	/* follow a final symlink */
#define LOOKUP_DIRECTORY	0x2	/* the result must be a directory */
#define LOOKUP_EMPTY		0x4	/* "" means dirfd itself */

enum { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT, LAST_JUMP };

struct nameidata {
	struct path root;	/* the process root (ref) */
	struct path cur;	/* directory holding the last component (ref) */
	int nlinks;		/* symlinks followed so far */
	char *buf;		/* owned copy of a rewritten path, or NULL */
	char last[NAME_MAX + 1];
	int last_type;
	bool trailing_slash;	/* the last component was followed by '/' */
};

/* Start at dirfd (or root for absolute paths) and walk to the parent of the last
 * component, following symlinks on the way. nd must be ended with namei_end. */
int namei_start(struct nameidata *nd, int dirfd, const char *path, unsigned flags);
/* Look the last component up without following it: 0 with *child (refs), or -ENOENT
 * with nd->cur the directory where it would be created, or another -errno. */
int namei_last(struct nameidata *nd, struct path *child);
/* child is a symlink found by namei_last: continue the walk through it (consumes
 * child). Afterwards nd describes the new last component. */
int namei_follow(struct nameidata *nd, struct path *child);
void namei_end(struct nameidata *nd);
/* Full resolution of (dirfd, path) into *out (refs held). */
int path_lookup(int dirfd, const char *path, unsigned flags, struct path *out);
/* Same with a user path pointer (getname/getname_empty_ok). */
int user_path_lookup(int dirfd, uaddr_t upath, unsigned flags, struct path *out);
/* Dirfd as a starting point: AT_FDCWD gives cwd. Refs held. */
int dirfd_path(int dirfd, struct path *out);
/* The directory that ".." of p leads to, not above root (refs held). */
void follow_dotdot(const struct path *p, const struct path *root, struct path *out);
/* Cross mounts stacked on p in place. */
void follow_mounts(struct path *p);

/* ---- perm.c ---- */
#define MAY_EXEC	0x1
#define MAY_WRITE	0x2
#define MAY_READ	0x4
int inode_permission(const struct inode *ino, int mask);	/* fsuid/fsgid */
int inode_permission_real(const struct inode *ino, int mask);	/* uid/gid */
bool in_group(u32 gid);
bool is_owner_or_root(const struct inode *ino);
/* May current create (or delete, when victim) a name in dir? */
int may_create(const struct path *dir);
int may_delete(const struct path *dir, struct dentry *victim, bool isdir);
u32 current_umask(void);

/* ---- file.c ---- */
struct file *file_alloc(const struct path *p, u32 flags);	/* refs on p taken */
struct file *fd_get_io(int fd);		/* NULL for bad fd or O_PATH files */
/* Open a resolved path (open(2) semantics after lookup): permission checks, O_TRUNC,
 * fs open op. Returns the file or ERR_PTR. */
struct file *vfs_open_path(const struct path *p, u32 flags);
long vfs_read(struct file *f, uaddr_t buf, size_t n);
long vfs_write(struct file *f, uaddr_t buf, size_t n);
long vfs_pread(struct file *f, uaddr_t buf, size_t n, loff_t off);
long vfs_pwrite(struct file *f, uaddr_t buf, size_t n, loff_t off);
long vfs_readv(struct file *f, uaddr_t iov, int cnt, loff_t off, bool positional);
long vfs_writev(struct file *f, uaddr_t iov, int cnt, loff_t off, bool positional);
loff_t vfs_llseek(struct file *f, loff_t off, int whence);
long vfs_getdents(struct file *f, uaddr_t buf, size_t n);
long vfs_ioctl(struct file *f, unsigned cmd, uaddr_t arg);
static inline bool file_readable(const struct file *f) { return f->fmode & FMODE_READ; }
static inline bool file_writable(const struct file *f) { return f->fmode & FMODE_WRITE; }

/* Generic helpers for files whose contents live in kernel memory. */
loff_t generic_llseek(struct file *f, loff_t off, int whence, loff_t size);
/* Read from a buffer [data, data+size) at f->pos. */
long buffer_read(struct file *f, const char *data, size_t size, void *buf, size_t n);

/* ---- fdtable.c ---- */
int fd_install(struct file *f, bool cloexec);	/* lowest free fd or -EMFILE */
int fd_install_at(int fd, struct file *f, bool cloexec);	/* replaces (dup2) */
int fd_close(int fd);
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool on);
int fd_dup_from(int fd, int minfd, bool cloexec);
u64 fd_limit(void);
struct files *files_of(struct proc *p);
struct file *files_lookup(struct files *fs, int fd);	/* no ref */
int files_max_fd(struct files *fs);	/* highest possibly-open fd + 1 */
int files_close_range(unsigned first, unsigned last, unsigned flags);

/* ---- ops.c (namespace operations) ---- */
int vfs_mkdir(int dirfd, const char *path, u32 mode);
int vfs_rmdir(int dirfd, const char *path);
int vfs_unlink(int dirfd, const char *path);
int vfs_symlink(const char *target, int dirfd, const char *path);
int vfs_link(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int vfs_rename(int odirfd, const char *oldpath, int ndirfd, const char *newpath, unsigned flags);
int vfs_setattr(const struct path *p, struct iattr *a);
int vfs_truncate(const struct path *p, loff_t len);
int vfs_chmod(const struct path *p, u32 mode);
int vfs_chown(const struct path *p, u32 uid, u32 gid);
int vfs_utimes(const struct path *p, const struct __kernel_timespec *ts);
long vfs_readlink(const struct path *p, char *buf, size_t n);

/* ---- open.c ---- */
struct file *do_open(int dirfd, const char *path, int flags, u32 mode);
int vfs_access(int dirfd, const char *path, int mode, int flags);

/* ---- stat.c ---- */
int vfs_getattr(const struct path *p, struct stat *st);
void generic_fillattr(const struct inode *ino, struct stat *st);
int vfs_statfs(const struct path *p, struct statfs *buf);

/* ---- hostfs.c ---- */
struct mount;
int hostfs_mount_root(int hostfd, struct dentry **root, struct super **sb);

/* ---- tmpfs.c ---- */
struct super *tmpfs_new_super(void);
struct dentry *tmpfs_make_root(struct super *sb, u32 mode);
/* A device node: its file ops, or an open function that sets up the file. */
struct devnode {
	const struct file_ops *fop;
	int (*open)(struct file *f);
};
/* Create a special node (device, symlink) in a tmpfs directory at boot. */
struct dentry *tmpfs_add(struct dentry *dir, const char *name, u32 mode, u64 rdev,
			 const char *link_target, const struct devnode *dev);
long tmpfs_getdents(struct file *f, void *buf, size_t n);	/* also for devfs */
extern const struct file_ops tmpfs_dir_fops;
int tmpfs_mkdir(struct dentry *dir, const char *name, u32 mode);
void time_now(struct __kernel_timespec *ts);

/* ---- devfs.c ---- */
struct dentry *devfs_create(struct super **sb);
int devfs_open_tty(struct file *f);
void devfs_add_ptys(struct dentry *pts);	/* /dev/pts/N of the host stdio's pty */
void console_info(u32 *tty_nr, int *tpgid);	/* for /proc/PID/stat */

/* ---- procfs.c ---- */
struct dentry *procfs_create(struct super **sb);

/* ---- pipe.c ---- */
int pipe_create(struct file **rd, struct file **wr, u32 flags);
/* Open a FIFO inode (named pipe or a pipe reopened through /proc/PID/fd). */
int fifo_open(struct dentry *d, struct file *f);
bool is_pipe_file(const struct file *f);
long pipe_fcntl(struct file *f, int cmd, unsigned long arg);	/* F_GETPIPE_SZ/F_SETPIPE_SZ */

/* ---- hoststream.c ---- */
struct file *hoststream_file(int hostfd, u32 flags);
/* Make f (already allocated, e.g. by an open of /dev/tty) a stream on hostfd. */
int hoststream_attach(struct file *f, int hostfd);

/* ---- poll.c ---- */
struct poll_table;
void poll_wait(struct poll_table *pt, struct waitq *wq);
void poll_host(struct poll_table *pt, int hostfd, short events);
unsigned file_poll(struct file *f, struct poll_table *pt);

/* dirent packing (dirent.h) is pure and host-testable */

#define DEV_MAKE(ma, mi)	((((u64)(ma) & 0xfffff000ULL) << 32) | (((u64)(ma) & 0xfffULL) << 8) | \
				 (((u64)(mi) & 0xffffff00ULL) << 12) | ((u64)(mi) & 0xffULL))
#define DEV_MAJOR(d)		((u32)((((d) >> 32) & 0xfffff000) | (((d) >> 8) & 0xfff)))
#define DEV_MINOR(d)		((u32)((((d) >> 12) & 0xffffff00) | ((d) & 0xff)))

#define VFS_IO_CHUNK	(64 * 1024)	/* bounce buffer size for user I/O */
void *bounce_get(void);		/* a VFS_IO_CHUNK buffer (file.c keeps a few) */
void bounce_put(void *p);

static inline struct proc *cur_proc(void) { return current->proc; }
static inline struct fs_ctx *cur_fs(void) { return current->proc->fs; }

#endif
