/*
 * fs/hoststream.c - the guest's stdin/stdout/stderr: open files that wrap the
 * sandbox's host fds 0, 1, 2 untouched (pipes, FIFOs, ttys, files, /dev/null). A read
 * that could block first waits for the host fd with host_fd_wait, so other tasks run
 * meanwhile; O_NONBLOCK is emulated (never set on the host fd). Tty ioctls pass
 * through when the host fd is a tty, with the console's foreground process group
 * kept in guest pgids.
 */
#include "internal.h"
#include <qk/uaccess.h>
#include <linux/magic.h>

static const struct file_ops hs_fops;
static const struct inode_ops hs_iops;
static const struct fs_type hs_type = { .name = "hoststream", .magic = ANON_INODE_FS_MAGIC };
static struct super hs_sb = { .type = &hs_type };
static struct dentry *hs_dentry[3];	/* one per host fd 0..2, made on first use */
static int console_pgrp;		/* guest pgid of the tty's foreground group */

static bool host_is_tty(int fd)
{
	struct termios t;

	return host_ioctl(fd, TCGETS, &t) == 0;
}

/* What /proc/PID/fd shows for the host stream. */
static void describe(int fd, const struct stat *st, char *buf, size_t n)
{
	u32 ma = DEV_MAJOR(st->st_rdev), mi = DEV_MINOR(st->st_rdev);

	if (S_ISFIFO(st->st_mode))
		snprintf(buf, n, "pipe:[%llu]", (unsigned long long)st->st_ino);
	else if (S_ISSOCK(st->st_mode))
		snprintf(buf, n, "socket:[%llu]", (unsigned long long)st->st_ino);
	else if (S_ISCHR(st->st_mode) && ma == 1 && mi == 3)
		snprintf(buf, n, "/dev/null");
	else if (S_ISCHR(st->st_mode) && ma >= 136 && ma <= 143)
		snprintf(buf, n, "/dev/pts/%u", (ma - 136) * 256 + mi);
	else if (S_ISCHR(st->st_mode))
		snprintf(buf, n, "/dev/tty");
	else
		snprintf(buf, n, "/dev/fd/%d", fd);
}

static struct dentry *hs_get_dentry(int hostfd)
{
	struct inode *ino;
	struct stat st;
	char name[48];

	if (hostfd < 0 || hostfd > 2)
		return NULL;
	if (hs_dentry[hostfd])
		return dget(hs_dentry[hostfd]);
	if (!hs_sb.dev)
		hs_sb.dev = anon_dev_alloc();
	if (host_fstat(hostfd, &st) < 0)
		memset(&st, 0, sizeof(st));
	ino = inode_alloc(&hs_sb, (u32)st.st_mode, &hs_iops);
	if (!ino)
		return NULL;
	ino->hostfd = -1;		/* never close the sandbox's stdio */
	ino->priv = (void *)(long)hostfd;
	ino->ino = st.st_ino;
	ino->dev = st.st_dev;
	describe(hostfd, &st, name, sizeof(name));
	hs_dentry[hostfd] = anon_dentry(name, ino);
	if (!hs_dentry[hostfd])
		return NULL;
	return dget(hs_dentry[hostfd]);	/* the table keeps one reference */
}

int hoststream_attach(struct file *f, int hostfd)
{
	f->hostfd = hostfd;
	f->own_hostfd = false;
	f->fop = &hs_fops;
	return 0;
}

struct file *hoststream_file(int hostfd, u32 flags)
{
	struct path p = { anon_mount, hs_get_dentry(hostfd) };
	struct file *f;

	if (!p.dentry)
		return NULL;
	f = file_alloc(&p, flags);
	path_put(&p);
	if (f)
		hoststream_attach(f, hostfd);
	return f;
}

static int hs_getattr(struct dentry *d, struct stat *st)
{
	return (int)host_fstat((int)(long)d->inode->priv, st);
}

/* Reopen (open of /proc/PID/fd/N, /dev/stdout): a new description of the same stream.
 * A regular file gets a host fd of its own (own offset, O_TRUNC applies), as on Linux;
 * pipes and ttys are shared. */
static int hs_open(struct dentry *d, struct file *f)
{
	int fd = (int)(long)d->inode->priv;
	long nfd;

	if (S_ISREG(d->inode->mode)) {
		nfd = host_reopen(fd, (int)(f->flags & (O_ACCMODE | O_APPEND | O_TRUNC)) | O_CLOEXEC);
		if (nfd >= 0) {
			hoststream_attach(f, (int)nfd);
			f->own_hostfd = true;
			return 0;
		}
	}
	return hoststream_attach(f, fd);
}

static const struct inode_ops hs_iops = {
	.getattr = hs_getattr,
	.open = hs_open,
};

static bool host_ready(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return host_poll(&p, 1, 0) > 0;
}

/* Wait until the host fd is ready, without blocking the sandbox: regular files
 * always are; otherwise a zero-timeout poll, then host_fd_wait (other tasks run). */
static long hs_wait(struct file *f, short ev)
{
	if (S_ISREG(f->inode->mode) || host_ready(f->hostfd, ev))
		return 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	return host_fd_wait(f->hostfd, ev);
}

static long hs_read(struct file *f, void *buf, size_t n)
{
	long ret;

	for (;;) {
		ret = hs_wait(f, POLLIN);
		if (ret)
			return ret;
		ret = host_read(f->hostfd, buf, n);
		if (ret != -EAGAIN || (f->flags & O_NONBLOCK))
			return ret;
	}
}

/* Writes go straight to the host (a full host pipe holds the sandbox until the reader
 * drains it); O_NONBLOCK is emulated with a readiness check. */
static long hs_write(struct file *f, const void *buf, size_t n)
{
	long ret;

	for (;;) {
		if ((f->flags & O_NONBLOCK) && (ret = hs_wait(f, POLLOUT)))
			return ret;
		ret = host_write(f->hostfd, buf, n);
		if (ret == -EPIPE)
			send_signal_task(current, SIGPIPE, NULL);
		if (ret != -EAGAIN || (f->flags & O_NONBLOCK))
			return ret;
		ret = host_fd_wait(f->hostfd, POLLOUT);	/* the host fd is non-blocking */
		if (ret)
			return ret;
	}
}

static long hs_pread(struct file *f, void *buf, size_t n, loff_t off)
{
	return host_pread(f->hostfd, buf, n, off);
}

static long hs_pwrite(struct file *f, const void *buf, size_t n, loff_t off)
{
	return host_pwrite(f->hostfd, buf, n, off);
}

static loff_t hs_llseek(struct file *f, loff_t off, int whence)
{
	return host_lseek(f->hostfd, off, whence);
}

static int hs_fsync(struct file *f, bool datasync)
{
	return (int)host_fsync(f->hostfd, datasync);
}

static unsigned hs_poll(struct file *f, struct poll_table *pt)
{
	short ev = (short)((file_readable(f) ? POLLIN : 0) | (file_writable(f) ? POLLOUT : 0));
	struct pollfd p = { .fd = f->hostfd, .events = ev };

	if (host_poll(&p, 1, 0) < 0)
		return POLLERR;
	if (pt)
		poll_host(pt, f->hostfd, ev);
	if (p.revents & POLLIN)
		p.revents |= POLLRDNORM;
	if (p.revents & POLLOUT)
		p.revents |= POLLWRNORM;
	return (unsigned)(u16)p.revents;
}

/* Pass a tty ioctl with an in/out struct of size sz through to the host. */
static long tty_pass(struct file *f, unsigned cmd, uaddr_t arg, size_t sz, bool in, bool out)
{
	u8 kbuf[64];
	long ret;

	if (in && copy_from_user(kbuf, arg, sz))
		return -EFAULT;
	ret = host_ioctl(f->hostfd, cmd, kbuf);
	if (!ret && out && copy_to_user(arg, kbuf, sz))
		return -EFAULT;
	return ret;
}

static bool pgrp_exists(int pgid)
{
	struct proc *p;

	for_each_proc(p)
		if (p->pgid == pgid && p->state == PROC_ALIVE)
			return true;
	return false;
}

static long hs_ioctl(struct file *f, unsigned cmd, uaddr_t arg)
{
	int v;

	if (cmd == FIONREAD)
		return tty_pass(f, cmd, arg, sizeof(int), false, true);
	if (!host_is_tty(f->hostfd))
		return -ENOTTY;
	switch (cmd) {
	case TCGETS:
		return tty_pass(f, cmd, arg, sizeof(struct termios), false, true);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_pass(f, cmd, arg, sizeof(struct termios), true, false);
	case TIOCGWINSZ:
		return tty_pass(f, cmd, arg, 8 /* struct winsize */, false, true);
	case TIOCSWINSZ:
		return tty_pass(f, cmd, arg, 8 /* struct winsize */, true, false);
	case TIOCOUTQ:
		return tty_pass(f, cmd, arg, sizeof(int), false, true);
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		return host_ioctl(f->hostfd, cmd, (void *)arg);
	case TIOCGPGRP:
		if (!console_pgrp)
			console_pgrp = init_proc ? init_proc->pgid : 1;
		return put_user(console_pgrp, arg) ? -EFAULT : 0;
	case TIOCSPGRP:
		if (get_user(v, arg))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		if (!pgrp_exists(v))
			return -EPERM;
		console_pgrp = v;
		return 0;
	case TIOCGSID:
		return put_user(init_proc ? init_proc->sid : 1, arg) ? -EFAULT : 0;
	case TIOCSCTTY:
	case TIOCNOTTY:
		return 0;
	}
	return -ENOTTY;
}

static const struct file_ops hs_fops = {
	.read = hs_read,
	.write = hs_write,
	.pread = hs_pread,
	.pwrite = hs_pwrite,
	.llseek = hs_llseek,
	.fsync = hs_fsync,
	.poll = hs_poll,
	.ioctl = hs_ioctl,
};

/* /dev/tty: the host tty among the sandbox's stdio, ENXIO when there is none. */
int devfs_open_tty(struct file *f)
{
	for (int i = 0; i < 3; i++) {
		if (host_is_tty(i))
			return hoststream_attach(f, i);
	}
	return -ENXIO;
}

/* /dev/pts/N for a host pty among the sandbox's stdio, with the host's st_dev and
 * st_ino so that ttyname() (readlink of /proc/self/fd/0, then stat) finds it. */
static int pts_open(struct file *f)
{
	struct stat st;

	for (int i = 0; i < 3; i++) {
		if (host_fstat(i, &st) == 0 && st.st_rdev == f->inode->rdev && host_is_tty(i))
			return hoststream_attach(f, i);
	}
	return -ENXIO;
}

static const struct devnode dev_pts = { .open = pts_open };

void devfs_add_ptys(struct dentry *pts)
{
	struct dentry *d;
	struct stat st;
	char name[16];

	for (int i = 0; i < 3; i++) {
		u32 ma;

		if (host_fstat(i, &st) || !S_ISCHR(st.st_mode) || !host_is_tty(i))
			continue;
		ma = DEV_MAJOR(st.st_rdev);
		if (ma < 136 || ma > 143)
			continue;
		snprintf(name, sizeof(name), "%u", (ma - 136) * 256 + DEV_MINOR(st.st_rdev));
		d = d_lookup(pts, name);
		if (d) {
			dput(d);
			continue;
		}
		d = tmpfs_add(pts, name, (u32)st.st_mode, st.st_rdev, NULL, &dev_pts);
		if (!d)
			continue;
		d->inode->ino = st.st_ino;
		d->inode->dev = st.st_dev;
		d->inode->uid = st.st_uid;
		d->inode->gid = st.st_gid;
	}
}

int console_foreground_pgrp(void)
{
	return console_pgrp ? console_pgrp : (init_proc ? init_proc->pgid : 1);
}

/* The console as /proc/PID/stat shows it: tty_nr (0 when stdio has no tty) and the
 * foreground process group. */
void console_info(u32 *tty_nr, int *tpgid)
{
	struct stat st;

	*tty_nr = 0;
	*tpgid = -1;
	for (int i = 0; i < 3; i++) {
		if (host_fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && host_is_tty(i)) {
			u32 ma = DEV_MAJOR(st.st_rdev), mi = DEV_MINOR(st.st_rdev);

			*tty_nr = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
			*tpgid = console_foreground_pgrp();
			return;
		}
	}
}
