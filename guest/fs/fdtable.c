/*
 * fs/fdtable.c - per-process fd tables (struct files) and fs contexts (root, cwd,
 * umask). The lowest free fd is always chosen; RLIMIT_NOFILE bounds new fds.
 */
#include "internal.h"
#include <qk/host.h>

#define NR_OPEN_MAX	(1 << 20)

struct files *files_create(void)
{
	struct files *fs = kzalloc(sizeof(*fs));

	if (fs)
		fs->refs = 1;
	return fs;
}

static int files_grow(struct files *fs, int need)
{
	int cap = MAX(MAX(fs->cap * 2, 64), need + 1);
	struct file **nfd;
	u64 *nce;

	if (need < fs->cap)
		return 0;
	if (cap > NR_OPEN_MAX)
		cap = NR_OPEN_MAX;
	if (need >= cap)
		return -EMFILE;
	nfd = kzalloc((size_t)cap * sizeof(*nfd));
	nce = kzalloc((size_t)(cap + 63) / 64 * 8);
	if (!nfd || !nce) {
		kfree(nfd);
		kfree(nce);
		return -ENOMEM;
	}
	if (fs->cap) {
		memcpy(nfd, fs->fd, (size_t)fs->cap * sizeof(*nfd));
		memcpy(nce, fs->cloexec, (size_t)(fs->cap + 63) / 64 * 8);
	}
	kfree(fs->fd);
	kfree(fs->cloexec);
	fs->fd = nfd;
	fs->cloexec = nce;
	fs->cap = cap;
	return 0;
}

static void set_ce(struct files *fs, int fd, bool on)
{
	if (on)
		fs->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		fs->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

struct files *files_fork(struct files *old)
{
	struct files *fs = files_create();
	int max = files_max_fd(old);

	if (!fs)
		return NULL;
	if (max && files_grow(fs, max - 1)) {
		kfree(fs);
		return NULL;
	}
	for (int i = 0; i < max; i++) {
		fs->fd[i] = old->fd[i];
		if (fs->fd[i]) {
			file_get(fs->fd[i]);
			set_ce(fs, i, old->cloexec[i / 64] & (1ULL << (i % 64)));
		}
	}
	return fs;
}

void files_get(struct files *fs)
{
	fs->refs++;
}

void files_put(struct files *fs)
{
	if (!fs || --fs->refs > 0)
		return;
	for (int i = 0; i < fs->cap; i++) {
		struct file *f = fs->fd[i];

		fs->fd[i] = NULL;
		if (f)
			file_put(f);
	}
	kfree(fs->fd);
	kfree(fs->cloexec);
	kfree(fs);
}

void files_close_on_exec(struct files *fs)
{
	for (int i = 0; i < fs->cap; i++) {
		struct file *f = fs->fd[i];

		if (f && (fs->cloexec[i / 64] & (1ULL << (i % 64)))) {
			fs->fd[i] = NULL;
			set_ce(fs, i, false);
			file_put(f);
		}
	}
}

int files_max_fd(struct files *fs)
{
	int n = fs->cap;

	while (n > 0 && !fs->fd[n - 1])
		n--;
	return n;
}

struct files *files_of(struct proc *p)
{
	return p->files;
}

struct file *files_lookup(struct files *fs, int fd)
{
	if (!fs || fd < 0 || fd >= fs->cap)
		return NULL;
	return fs->fd[fd];
}

u64 fd_limit(void)
{
	u64 lim = current->proc->rlim[RLIMIT_NOFILE].rlim_cur;

	return MIN(lim, (u64)NR_OPEN_MAX);
}

struct file *fd_get(int fd)
{
	struct file *f = files_lookup(current->proc->files, fd);

	if (f)
		file_get(f);
	return f;
}

static int install(struct files *fs, int fd, struct file *f, bool cloexec)
{
	struct file *old;
	int ret = files_grow(fs, fd);

	if (ret)
		return ret;
	old = fs->fd[fd];
	fs->fd[fd] = f;
	set_ce(fs, fd, cloexec);
	if (old)
		file_put(old);
	return fd;
}

/* Lowest free fd >= minfd below the limit, or -EMFILE. */
static int find_free(struct files *fs, int minfd)
{
	u64 lim = fd_limit();
	int fd = minfd;

	while (fd < fs->cap && fs->fd[fd])
		fd++;
	if ((u64)fd >= lim)
		return -EMFILE;
	return fd;
}

/* Takes over the caller's reference to f (also on failure). */
int fd_install(struct file *f, bool cloexec)
{
	struct files *fs = current->proc->files;
	int fd = find_free(fs, 0), ret;

	if (fd < 0) {
		file_put(f);
		return fd;
	}
	ret = install(fs, fd, f, cloexec);
	if (ret < 0)
		file_put(f);
	return ret;
}

int fd_install_at(int fd, struct file *f, bool cloexec)
{
	int ret;

	if (fd < 0 || (u64)fd >= fd_limit()) {
		file_put(f);
		return -EBADF;
	}
	ret = install(current->proc->files, fd, f, cloexec);
	if (ret < 0)
		file_put(f);
	return ret;
}

int fd_close(int fd)
{
	struct files *fs = current->proc->files;
	struct file *f = files_lookup(fs, fd);

	if (!f)
		return -EBADF;
	fs->fd[fd] = NULL;
	set_ce(fs, fd, false);
	file_put(f);
	return 0;
}

bool fd_cloexec(int fd)
{
	struct files *fs = current->proc->files;

	return files_lookup(fs, fd) && (fs->cloexec[fd / 64] & (1ULL << (fd % 64)));
}

void fd_set_cloexec(int fd, bool on)
{
	struct files *fs = current->proc->files;

	if (files_lookup(fs, fd))
		set_ce(fs, fd, on);
}

int fd_dup_from(int oldfd, int minfd, bool cloexec)
{
	struct files *fs = current->proc->files;
	struct file *f = files_lookup(fs, oldfd);
	int fd;

	if (!f)
		return -EBADF;
	if (minfd < 0 || (u64)minfd >= fd_limit())
		return -EINVAL;
	fd = find_free(fs, minfd);
	if (fd < 0)
		return fd;
	file_get(f);
	fd = install(fs, fd, f, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

int files_close_range(unsigned first, unsigned last, unsigned flags)
{
	struct proc *p = current->proc;
	struct files *fs = p->files;

	if (flags & ~(unsigned)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && fs->refs > 1) {
		struct files *n = files_fork(fs);

		if (!n)
			return -ENOMEM;
		files_put(fs);
		p->files = fs = n;
	}
	for (u64 i = first; i <= last && i < (u64)fs->cap; i++) {
		struct file *f = fs->fd[i];

		if (!f)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC) {
			set_ce(fs, (int)i, true);
			continue;
		}
		fs->fd[i] = NULL;
		set_ce(fs, (int)i, false);
		file_put(f);
	}
	return 0;
}

int files_setup_stdio(struct files *fs)
{
	for (int i = 0; i < 3; i++) {
		long fl = host_fcntl(i, F_GETFL, 0);
		struct file *f;

		if (fl < 0)
			continue;	/* closed on the host: closed in the guest */
		/* F_GETFL shows what a native process would inherit */
		f = hoststream_file(i, (u32)fl & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE |
						  O_SYNC | O_DSYNC | O_DIRECT | O_NOATIME));
		if (!f)
			return -ENOMEM;
		if (install(fs, i, f, false) < 0) {
			file_put(f);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- fs contexts ---- */

extern struct fs_ctx *namei_fs_override;

struct fs_ctx *fs_ctx_create(void)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->root = (struct path){ root_mount, root_mount->root };
	path_get(&fs->root);
	fs->cwd = fs->root;
	path_get(&fs->cwd);
	fs->umask = 022;
	return fs;
}

struct fs_ctx *fs_ctx_fork(struct fs_ctx *old)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->root = old->root;
	path_get(&fs->root);
	fs->cwd = old->cwd;
	path_get(&fs->cwd);
	fs->umask = old->umask;
	return fs;
}

void fs_ctx_put(struct fs_ctx *fs)
{
	if (!fs || --fs->refs > 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	kfree(fs);
}

int fs_ctx_chdir(struct fs_ctx *fs, const char *path)
{
	struct fs_ctx *saved = namei_fs_override;
	struct path p;
	int ret;

	namei_fs_override = fs;
	ret = path_lookup(AT_FDCWD_, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	namei_fs_override = saved;
	if (ret)
		return ret;
	path_put(&fs->cwd);
	fs->cwd = p;
	return 0;
}

void fs_ctx_set_umask(struct fs_ctx *fs, u32 umask)
{
	fs->umask = umask & 0777;
}
