/*
 * fs/file.c - open file descriptions and the read/write family on user buffers.
 * User memory goes through a kernel bounce buffer of at most VFS_IO_CHUNK bytes per
 * step; a fault after some bytes were transferred returns the count, like Linux.
 * Regular files loop over chunks; streams (pipes, ttys) do one step per call, since
 * they return whatever is available.
 */
#include "internal.h"
#include <qk/uaccess.h>

#define MAX_RW_COUNT	(0x7fffffffL & (long)PAGE_MASK)
#define SMALL_IO	256

/* Bounce buffers of VFS_IO_CHUNK bytes are kept for reuse: a 64 KiB kmalloc is a
 * multi-page allocation, too slow to make on every read and write. */
#define BOUNCE_CACHE	4
static void *bounce_cache[BOUNCE_CACHE];
static int nbounce;

void *bounce_get(void)
{
	if (nbounce)
		return bounce_cache[--nbounce];
	return kmalloc(VFS_IO_CHUNK);
}

void bounce_put(void *p)
{
	if (nbounce < BOUNCE_CACHE)
		bounce_cache[nbounce++] = p;
	else
		kfree(p);
}

struct file *file_alloc(const struct path *p, u32 flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->flags = flags;
	if (flags & O_PATH)
		f->fmode = FMODE_PATH;
	else if ((flags & O_ACCMODE) == O_RDONLY)
		f->fmode = FMODE_READ;
	else if ((flags & O_ACCMODE) == O_WRONLY)
		f->fmode = FMODE_WRITE;
	else if ((flags & O_ACCMODE) == O_RDWR)
		f->fmode = FMODE_READ | FMODE_WRITE;
	f->path = *p;
	path_get(&f->path);
	f->inode = p->dentry->inode;
	inode_get(f->inode);
	f->hostfd = -1;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (!f || --f->refs > 0)
		return;
	if (f->fop && f->fop->release)
		f->fop->release(f);
	if (f->own_hostfd && f->hostfd >= 0)
		host_close(f->hostfd);
	inode_put(f->inode);
	path_put(&f->path);
	kfree(f);
}

struct file *fd_get_io(int fd)
{
	struct file *f = fd_get(fd);

	if (f && (f->fmode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

static bool is_regular(const struct file *f)
{
	return S_ISREG(f->inode->mode) || S_ISBLK(f->inode->mode) || f->fop->full_io;
}

/* Copy out as much of the n bytes as the user buffer takes (page by page on a
 * fault); returns the count copied. */
static size_t copy_out(uaddr_t dst, const void *src, size_t n)
{
	size_t done = 0;

	if (!copy_to_user(dst, src, n))
		return n;
	while (done < n) {
		size_t c = MIN(n - done, PAGE_SIZE - ((dst + done) & (PAGE_SIZE - 1)));

		if (copy_to_user(dst + done, (const u8 *)src + done, c))
			break;
		done += c;
	}
	return done;
}

static size_t copy_in(void *dst, uaddr_t src, size_t n)
{
	size_t done = 0;

	if (!copy_from_user(dst, src, n))
		return n;
	while (done < n) {
		size_t c = MIN(n - done, PAGE_SIZE - ((src + done) & (PAGE_SIZE - 1)));

		if (copy_from_user((u8 *)dst + done, src + done, c))
			break;
		done += c;
	}
	return done;
}

static int rw_check(struct file *f, bool write, bool positional)
{
	bool isdir = S_ISDIR(f->inode->mode);

	/* Linux: ESPIPE (no positional I/O) comes before the access-mode check */
	if (positional && !isdir && !(write ? (void *)f->fop->pwrite : (void *)f->fop->pread))
		return -ESPIPE;
	if (write ? !file_writable(f) : !file_readable(f))
		return -EBADF;
	if (!write && isdir)
		return -EISDIR;
	if (!(write ? (void *)f->fop->write : (void *)f->fop->read))
		return -EINVAL;
	return 0;
}

/* Read into kernel memory: one fs call. */
static long kread(struct file *f, void *kbuf, size_t n, bool positional, loff_t off)
{
	return positional ? f->fop->pread(f, kbuf, n, off) : f->fop->read(f, kbuf, n);
}

static long kwrite(struct file *f, const void *kbuf, size_t n, bool positional, loff_t off)
{
	return positional ? f->fop->pwrite(f, kbuf, n, off) : f->fop->write(f, kbuf, n);
}

/* The checks read and write share: access mode, length clamped to MAX_RW_COUNT as
 * Linux does, the user range. 1 when there is nothing to transfer. */
static long rw_begin(struct file *f, bool write, bool positional, uaddr_t buf, size_t *n)
{
	long ret = rw_check(f, write, positional);

	if (ret)
		return ret;
	if (*n == 0)
		return 1;
	if (*n > (size_t)MAX_RW_COUNT)
		*n = MAX_RW_COUNT;
	return access_ok(buf, *n) ? 0 : -EFAULT;
}

static long do_read(struct file *f, uaddr_t buf, size_t n, bool positional, loff_t off)
{
	u8 small[SMALL_IO], *kbuf = small;
	size_t done = 0;
	long ret = rw_begin(f, false, positional, buf, &n);

	if (ret)
		return ret < 0 ? ret : 0;
	if (n > SMALL_IO && !(kbuf = bounce_get()))
		return -ENOMEM;
	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)VFS_IO_CHUNK), got;

		ret = kread(f, kbuf, chunk, positional, off + (loff_t)done);
		if (ret <= 0)
			break;
		got = copy_out(buf + done, kbuf, (size_t)ret);
		if (got < (size_t)ret && !positional && f->fop->llseek)
			f->fop->llseek(f, -(loff_t)((size_t)ret - got), SEEK_CUR);
		done += got;
		if (got < (size_t)ret) {
			ret = -EFAULT;
			break;
		}
		if ((size_t)ret < chunk || !is_regular(f))
			break;
	}
	if (kbuf != small)
		bounce_put(kbuf);
	return done ? (long)done : ret;
}

/* RLIMIT_FSIZE: writes to regular files stop at the limit, and beyond it fail with
 * EFBIG and SIGXFSZ. */
static long fsize_limit(struct file *f, size_t *n, bool positional, loff_t off)
{
	u64 lim = current->proc->rlim[RLIMIT_FSIZE].rlim_cur;
	struct stat st;
	loff_t pos = off;

	if (lim == RLIM64_INFINITY || !S_ISREG(f->inode->mode))
		return 0;
	if (f->flags & O_APPEND)
		pos = vfs_getattr(&f->path, &st) ? 0 : st.st_size;
	else if (!positional)
		pos = f->fop->llseek ? f->fop->llseek(f, 0, SEEK_CUR) : f->pos;
	if (pos < 0)
		return 0;
	if ((u64)pos >= lim) {
		send_signal_task(current, SIGXFSZ, NULL);
		return -EFBIG;
	}
	if ((u64)pos + *n > lim)
		*n = (size_t)(lim - (u64)pos);
	return 0;
}

static long do_write(struct file *f, uaddr_t buf, size_t n, bool positional, loff_t off)
{
	u8 small[SMALL_IO], *kbuf = small;
	size_t done = 0;
	long ret = rw_begin(f, true, positional, buf, &n);

	if (ret)
		return ret < 0 ? ret : 0;
	ret = fsize_limit(f, &n, positional, off);
	if (ret)
		return ret;
	if (f->fop->discard)
		return kwrite(f, NULL, n, positional, off);
	if (n > SMALL_IO && !(kbuf = bounce_get()))
		return -ENOMEM;
	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)VFS_IO_CHUNK);
		size_t got = copy_in(kbuf, buf + done, chunk);

		if (!got) {
			ret = -EFAULT;
			break;
		}
		ret = kwrite(f, kbuf, got, positional, off + (loff_t)done);
		if (ret <= 0)
			break;
		done += (size_t)ret;
		if ((size_t)ret < got || got < chunk)
			break;
	}
	if (kbuf != small)
		bounce_put(kbuf);
	return done ? (long)done : ret;
}

long vfs_read(struct file *f, uaddr_t buf, size_t n)
{
	return do_read(f, buf, n, false, 0);
}

long vfs_write(struct file *f, uaddr_t buf, size_t n)
{
	return do_write(f, buf, n, false, 0);
}

long vfs_pread(struct file *f, uaddr_t buf, size_t n, loff_t off)
{
	return do_read(f, buf, n, true, off);
}

long vfs_pwrite(struct file *f, uaddr_t buf, size_t n, loff_t off)
{
	return do_write(f, buf, n, true, off);
}

/* Copy and validate an iovec array; returns the total length (clamped) or -errno. */
static long import_iov(uaddr_t uiov, int cnt, struct iovec *iov)
{
	u64 total = 0;

	if (copy_from_user(iov, uiov, (size_t)cnt * sizeof(*iov)))
		return -EFAULT;
	for (int i = 0; i < cnt; i++) {
		u64 len = iov[i].iov_len;

		if ((s64)len < 0 || total + len > (u64)0x7fffffffffffffffULL)
			return -EINVAL;
		if (!access_ok((uaddr_t)iov[i].iov_base, len))
			return -EFAULT;
		total += len;
	}
	return (long)MIN(total, (u64)MAX_RW_COUNT);
}

/* Small vectors go through one bounce buffer and one fs call, so a writev to a pipe
 * of at most PIPE_BUF bytes is atomic and a readv takes one read's worth. */
static long vec_small(struct file *f, struct iovec *iov, int cnt, size_t total, bool write,
		      bool positional, loff_t off)
{
	u8 *kbuf = bounce_get();
	size_t have = 0, done = 0;
	long ret;

	if (!kbuf)
		return -ENOMEM;
	for (int i = 0; write && i < cnt; i++) {
		size_t got = copy_in(kbuf + have, (uaddr_t)iov[i].iov_base, iov[i].iov_len);

		have += got;
		if (got < iov[i].iov_len)
			break;
	}
	if (write)
		ret = have || !total ? kwrite(f, kbuf, have, positional, off) : -EFAULT;
	else
		ret = kread(f, kbuf, total, positional, off);
	for (int i = 0; !write && ret > 0 && i < cnt && done < (size_t)ret; i++) {
		size_t c = MIN(iov[i].iov_len, (size_t)ret - done);
		size_t got = copy_out((uaddr_t)iov[i].iov_base, kbuf + done, c);

		done += got;
		if (got < c) {
			if (!positional && f->fop->llseek)
				f->fop->llseek(f, -(loff_t)((size_t)ret - done), SEEK_CUR);
			ret = done ? (long)done : -EFAULT;
			break;
		}
	}
	bounce_put(kbuf);
	return ret;
}

static long do_vec(struct file *f, uaddr_t uiov, int cnt, loff_t off, bool positional, bool write)
{
	struct iovec *iov;
	long total, ret = rw_check(f, write, positional), done = 0;

	if (ret)
		return ret;
	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	iov = kmalloc((size_t)cnt * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	total = import_iov(uiov, cnt, iov);
	if (total <= 0) {
		ret = total;
	} else if (total <= VFS_IO_CHUNK) {
		ret = vec_small(f, iov, cnt, (size_t)total, write, positional, off);
	} else {
		for (int i = 0; i < cnt && done < total; i++) {
			size_t len = MIN(iov[i].iov_len, (size_t)(total - done));

			if (!len)
				continue;
			ret = write ? do_write(f, (uaddr_t)iov[i].iov_base, len, positional, off + done)
				    : do_read(f, (uaddr_t)iov[i].iov_base, len, positional, off + done);
			if (ret <= 0)
				break;
			done += ret;
			if ((size_t)ret < len)
				break;
		}
		ret = done ? done : ret;
	}
	kfree(iov);
	return ret;
}

long vfs_readv(struct file *f, uaddr_t iov, int cnt, loff_t off, bool positional)
{
	return do_vec(f, iov, cnt, off, positional, false);
}

long vfs_writev(struct file *f, uaddr_t iov, int cnt, loff_t off, bool positional)
{
	return do_vec(f, iov, cnt, off, positional, true);
}

loff_t vfs_llseek(struct file *f, loff_t off, int whence)
{
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	if (!f->fop || !f->fop->llseek)
		return -ESPIPE;
	return f->fop->llseek(f, off, whence);
}

loff_t generic_llseek(struct file *f, loff_t off, int whence, loff_t size)
{
	loff_t np;

	switch (whence) {
	case SEEK_SET:
		np = off;
		break;
	case SEEK_CUR:
		np = f->pos + off;
		break;
	case SEEK_END:
		np = size + off;
		break;
	case SEEK_DATA:
		if (off < 0 || off >= size)
			return -ENXIO;
		np = off;
		break;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		np = size;
		break;
	default:
		return -EINVAL;
	}
	if (np < 0)
		return -EINVAL;
	f->pos = np;
	return np;
}

long buffer_read(struct file *f, const char *data, size_t size, void *buf, size_t n)
{
	size_t c;

	if (f->pos < 0 || (size_t)f->pos >= size)
		return 0;
	c = MIN(n, size - (size_t)f->pos);
	memcpy(buf, data + f->pos, c);
	f->pos += (loff_t)c;
	return (long)c;
}

long vfs_getdents(struct file *f, uaddr_t buf, size_t n)
{
	loff_t saved;
	void *kbuf;
	long ret;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->fop || !f->fop->getdents)
		return -ENOTDIR;
	if (n > 0x7fffffff)	/* Linux keeps the count in an int: "." does not fit */
		return -EINVAL;
	n = MIN(n, (size_t)VFS_IO_CHUNK);
	kbuf = bounce_get();
	if (!kbuf)
		return -ENOMEM;
	saved = f->fop->llseek ? f->fop->llseek(f, 0, SEEK_CUR) : f->pos;
	ret = f->fop->getdents(f, kbuf, n);
	if (ret > 0 && copy_to_user(buf, kbuf, (size_t)ret)) {
		if (f->fop->llseek && saved >= 0)
			f->fop->llseek(f, saved, SEEK_SET);
		else
			f->pos = saved;
		ret = -EFAULT;
	}
	bounce_put(kbuf);
	return ret;
}

long vfs_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct stat st;
	int v;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	switch (cmd) {
	case FIONBIO:
		if (get_user(v, arg))
			return -EFAULT;
		f->flags = v ? (f->flags | O_NONBLOCK) : (f->flags & ~(u32)O_NONBLOCK);
		if (f->fop->setfl)
			f->fop->setfl(f, f->flags);
		return 0;
	case FIOASYNC:
		if (get_user(v, arg))
			return -EFAULT;
		return 0;
	case FIONREAD:
		if (!S_ISREG(f->inode->mode))
			break;
		if (vfs_getattr(&f->path, &st))
			return -EIO;
		v = (int)MIN(MAX((s64)st.st_size - f->pos, 0), (s64)0x7fffffff);
		if (f->fop->llseek) {
			loff_t pos = f->fop->llseek(f, 0, SEEK_CUR);

			v = (int)MIN(MAX((s64)st.st_size - pos, 0), (s64)0x7fffffff);
		}
		return put_user(v, arg) ? -EFAULT : 0;
	}
	if (f->fop->ioctl)
		return f->fop->ioctl(f, cmd, arg);
	return -ENOTTY;
}

long kernel_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	size_t done = 0;
	long ret = 0;

	if (!f->fop || !f->fop->pread)
		return -ESPIPE;
	while (done < n) {
		ret = f->fop->pread(f, (u8 *)buf + done, n - done, off + (loff_t)done);
		if (ret <= 0)
			break;
		done += (size_t)ret;
	}
	return done ? (long)done : ret;
}

int file_mmap_check(struct file *f, int prot, int flags)
{
	int type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->fop || !f->fop->mmap_ok)
		return -ENODEV;
	if (!file_readable(f))
		return -EACCES;
	if (shared && (prot & PROT_WRITE) && (!file_writable(f) || (f->flags & O_APPEND)))
		return -EACCES;
	return 0;
}

long file_path(struct file *f, char *buf, size_t n)
{
	struct path root;

	if (current && current->proc && current->proc->fs)
		root = current->proc->fs->root;
	else
		root = (struct path){ root_mount, root_mount->root };
	return d_path(&f->path, &root, buf, n);
}

u32 file_mode(struct file *f)
{
	struct stat st;

	if (!vfs_getattr(&f->path, &st))
		return (u32)st.st_mode;
	return f->inode->mode;
}
