/*
 * fs/pipe.c - pipes and FIFOs: a ring buffer (64 KiB by default) in kernel memory,
 * writes of at most PIPE_BUF bytes are atomic, readers get EOF once every writer is
 * gone, writers get EPIPE + SIGPIPE once every reader is gone. Named FIFOs (on hostfs
 * or tmpfs) and pipes reopened through /proc/PID/fd share the open logic (fifo_open)
 * and are keyed by (st_dev, st_ino), so FIFO traffic never goes through the host.
 */
#include "internal.h"
#include "pure.h"
#include <qk/uaccess.h>
#include <qk/mm.h>
#include <linux/magic.h>

#define PIPE_DEF_SIZE	(64 * 1024)
#define PIPE_MAX_SIZE	(1024 * 1024)
#define PIPE_BUF_	4096

struct pipe {
	struct ring ring;
	int readers, writers;
	u32 r_counter, w_counter;	/* opens so far, for blocking FIFO opens */
	struct waitq rwait, wwait;
	bool named;			/* a FIFO in some filesystem (in fifo_list) */
	u64 dev, ino;
	struct list_head node;
};

static const struct file_ops pipe_fops;
static const struct inode_ops pipe_iops;
static const struct fs_type pipefs_type = { .name = "pipefs", .magic = PIPEFS_MAGIC };
static struct super pipefs_sb = { .type = &pipefs_type };
static LIST_HEAD(fifo_list);

/* Ring buffers are whole page blocks (a power of two, like the ring needs). */
static unsigned ring_order(u32 size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static u8 *ring_alloc(u32 size)
{
	paddr_t pa = pages_alloc(ring_order(size));

	return pa ? __va(pa) : NULL;
}

static void ring_free_buf(u8 *buf, u32 size)
{
	pages_free(__pa(buf), ring_order(size));
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->ring.buf = ring_alloc(PIPE_DEF_SIZE);
	if (!p->ring.buf) {
		kfree(p);
		return NULL;
	}
	p->ring.cap = PIPE_DEF_SIZE;
	waitq_init(&p->rwait);
	waitq_init(&p->wwait);
	list_init(&p->node);
	return p;
}

static void pipe_free(struct pipe *p)
{
	list_del(&p->node);
	ring_free_buf(p->ring.buf, p->ring.cap);
	kfree(p);
}

static void pipe_inode_destroy(struct inode *ino)
{
	if (ino->priv)
		pipe_free(ino->priv);
}

bool is_pipe_file(const struct file *f)
{
	return f->fop == &pipe_fops;
}

/* The pipe behind a FIFO inode: an anonymous pipe's own, or the named FIFO's. */
static struct pipe *fifo_pipe(struct inode *ino)
{
	u64 dev = ino->dev ? ino->dev : ino->sb->dev;
	struct pipe *p;

	if (ino->iop == &pipe_iops)
		return ino->priv;
	list_for_each_entry(p, &fifo_list, node)
		if (p->dev == dev && p->ino == ino->ino)
			return p;
	p = pipe_alloc();
	if (!p)
		return NULL;
	p->named = true;
	p->dev = dev;
	p->ino = ino->ino;
	list_add(&p->node, &fifo_list);
	return p;
}

static void pipe_maybe_free(struct pipe *p)
{
	if (p->named && !p->readers && !p->writers)
		pipe_free(p);
}

int fifo_open(struct dentry *d, struct file *f)
{
	struct pipe *p = fifo_pipe(d->inode);
	bool nb = f->flags & O_NONBLOCK;
	u32 cnt;
	long ret = 0;

	if (!p)
		return -ENOMEM;
	switch (f->flags & O_ACCMODE) {
	case O_RDONLY:
		p->readers++;
		p->r_counter++;
		wake_up_all(&p->wwait);
		cnt = p->w_counter;
		if (!nb && !p->writers)
			ret = wait_event_interruptible(&p->rwait, p->w_counter != cnt);
		if (ret) {
			p->readers--;
			pipe_maybe_free(p);
			return (int)ret;
		}
		break;
	case O_WRONLY:
		if (nb && !p->readers) {
			pipe_maybe_free(p);
			return -ENXIO;
		}
		p->writers++;
		p->w_counter++;
		wake_up_all(&p->rwait);
		cnt = p->r_counter;
		if (!p->readers)
			ret = wait_event_interruptible(&p->wwait, p->r_counter != cnt);
		if (ret) {
			p->writers--;
			pipe_maybe_free(p);
			return (int)ret;
		}
		break;
	case O_RDWR:
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		wake_up_all(&p->rwait);
		wake_up_all(&p->wwait);
		break;
	default:
		pipe_maybe_free(p);
		return -EINVAL;
	}
	f->priv = p;
	f->fop = &pipe_fops;
	f->pos = p->w_counter;	/* POLLHUP only after a writer came and went */
	return 0;
}

static int pipe_getattr(struct dentry *d, struct stat *st)
{
	generic_fillattr(d->inode, st);
	return 0;
}

static int pipe_statfs(struct dentry *d, struct statfs *buf)
{
	(void)d;
	memset(buf, 0, sizeof(*buf));
	buf->f_type = PIPEFS_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_namelen = NAME_MAX;
	buf->f_frsize = PAGE_SIZE;
	return 0;
}

static const struct inode_ops pipe_iops = {
	.getattr = pipe_getattr,
	.open = fifo_open,
	.statfs = pipe_statfs,
};

int pipe_create(struct file **rd, struct file **wr, u32 flags)
{
	struct inode *ino;
	struct path path;
	struct pipe *p;
	char name[32];

	if (!pipefs_sb.dev)
		pipefs_sb.dev = anon_dev_alloc();
	ino = inode_alloc(&pipefs_sb, S_IFIFO | 0600, &pipe_iops);
	if (!ino)
		return -ENOMEM;
	ino->destroy = pipe_inode_destroy;
	ino->uid = current->proc->cred.fsuid;
	ino->gid = current->proc->cred.fsgid;
	ino->priv = pipe_alloc();
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)ino->ino);
	path.mnt = anon_mount;
	path.dentry = ino->priv ? anon_dentry(name, ino) : NULL;
	if (!path.dentry) {
		inode_put(ino);
		return -ENOMEM;
	}
	*rd = file_alloc(&path, O_RDONLY | (flags & O_NONBLOCK));
	*wr = file_alloc(&path, O_WRONLY | (flags & O_NONBLOCK));
	path_put(&path);
	if (!*rd || !*wr) {
		file_put(*rd);
		file_put(*wr);
		return -ENOMEM;
	}
	p = ino->priv;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	(*rd)->priv = (*wr)->priv = p;
	(*rd)->fop = (*wr)->fop = &pipe_fops;
	(*rd)->pos = (*wr)->pos = 0;	/* any writer counts for POLLHUP */
	return 0;
}

static long pipe_read(struct file *f, void *buf, size_t n)
{
	struct pipe *p = f->priv;
	long ret;

	for (;;) {
		if (ring_used(&p->ring)) {
			u32 c = ring_get(&p->ring, buf, (u32)MIN(n, (size_t)p->ring.cap));

			wake_up_all(&p->wwait);
			return c;
		}
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(&p->rwait, ring_used(&p->ring) || !p->writers);
		if (ret)
			return ret;
	}
}

static long pipe_write(struct file *f, const void *buf, size_t n)
{
	struct pipe *p = f->priv;
	u32 need = n <= PIPE_BUF_ ? (u32)n : 1;
	size_t done = 0;
	long ret;

	for (;;) {
		if (!p->readers) {
			if (done)
				return (long)done;
			send_signal_task(current, SIGPIPE, NULL);
			return -EPIPE;
		}
		if (ring_free(&p->ring) >= need) {
			done += ring_put(&p->ring, (const u8 *)buf + done, (u32)MIN(n - done, (size_t)UINT32_MAX));
			wake_up_all(&p->rwait);
			if (done == n)
				return (long)n;
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		ret = wait_event_interruptible(&p->wwait, ring_free(&p->ring) >= need || !p->readers);
		if (ret)
			return done ? (long)done : ret;
	}
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	if (file_readable(f)) {
		poll_wait(pt, &p->rwait);
		if (ring_used(&p->ring))
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && (u32)f->pos != p->w_counter)
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		poll_wait(pt, &p->wwait);
		if (ring_free(&p->ring) >= PIPE_BUF_)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	struct pipe *p = f->priv;

	if (cmd == FIONREAD)
		return put_user((int)ring_used(&p->ring), arg) ? -EFAULT : 0;
	return -ENOTTY;
}

/* F_GETPIPE_SZ / F_SETPIPE_SZ. */
long pipe_fcntl(struct file *f, int cmd, unsigned long arg)
{
	struct pipe *p;
	u32 size = PAGE_SIZE;
	u8 *nb;

	if (f->fop != &pipe_fops)
		return -EBADF;
	p = f->priv;
	if (cmd == F_GETPIPE_SZ)
		return p->ring.cap;
	if (arg > 0x80000000UL)
		return -EINVAL;
	while (size < arg)
		size <<= 1;
	if (size > PIPE_MAX_SIZE && current->proc->cred.euid != 0)
		return -EPERM;
	if (size < ring_used(&p->ring))
		return -EBUSY;
	if (size == p->ring.cap)
		return size;
	nb = ring_alloc(size);
	if (!nb)
		return -ENOMEM;
	{
		u8 *old = p->ring.buf;
		u32 oldcap = p->ring.cap;

		ring_resize(&p->ring, nb, size);
		ring_free_buf(old, oldcap);
	}
	wake_up_all(&p->wwait);
	return size;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (!p)
		return;
	if (file_readable(f))
		p->readers--;
	if (file_writable(f))
		p->writers--;
	wake_up_all(&p->rwait);
	wake_up_all(&p->wwait);
	pipe_maybe_free(p);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};
