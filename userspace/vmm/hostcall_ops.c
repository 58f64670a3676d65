/* SPDX-License-Identifier: MIT */
/*
 * vmm/hostcall_ops.c - the host operations of the host-call ring, one checked handler
 * each, in one table (hc_ops). Each decodes its arguments, checks them (guest ranges,
 * owned fds, single-component names) and makes the host syscall, with the semantics of
 * the ptrace platform's guest/platform/ptrace/host.c. Results are the syscall's: >= 0 or
 * -errno.
 *
 * TRUST: every argument is the guest's. A guest address becomes a host pointer only
 * through gmem_ptr (bounds checked); names and symlink targets are copied out of guest
 * memory once and only the copy is checked and used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "userspace/vmm/hostcall_internal.h"

/* The guest's structures are x86-64 Linux's; the host's libc must agree. */
_Static_assert(sizeof(struct stat) == 144, "struct stat is the x86-64 kernel's");
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is the x86-64 kernel's");
_Static_assert(sizeof(struct pollfd) == 8, "struct pollfd");

#ifndef SYS_fchmodat2
#define SYS_fchmodat2		452	/* Linux 6.6; older headers lack it */
#endif

#define KERNEL_O_LARGEFILE	0100000	/* the kernel's; glibc's O_LARGEFILE is 0 here */
#define KERNEL_TERMIOS_SIZE	36	/* the kernel's struct termios (asm/termbits.h) */
#define NAME_BUF		(QUARK_HC_NAME_MAX + 1)
#define TARGET_BUF		(QUARK_HC_PATH_MAX + 1)

static inline int64_t neg_errno(long ret)
{
	return ret < 0 ? -(int64_t)errno : ret;
}

/* ---- fds ---- */

int hc_fd_kind(const struct hc_server *s, int64_t fd)
{
	if (fd < 0 || (uint64_t)fd >= s->fds_len || !(s->fds[fd] & FD_KIND))
		return -EBADF;
	return s->fds[fd] & FD_KIND;
}

/* Regular files and directories never block (for long): their I/O is done inline. */
int hc_fd_add(struct hc_server *s, int fd, bool initial)
{
	struct stat st;
	uint8_t kind = FD_ASYNC;

	if ((size_t)fd >= s->fds_len) {
		size_t n = s->fds_len ? s->fds_len : 64;
		uint8_t *p;

		while (n <= (size_t)fd)
			n *= 2;
		p = realloc(s->fds, n);
		if (!p)
			return -ENOMEM;
		memset(p + s->fds_len, 0, n - s->fds_len);
		s->fds = p;
		s->fds_len = n;
	}
	if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		kind = FD_INLINE;
	s->fds[fd] = kind | (initial ? FD_INITIAL : 0);
	return 0;
}

/* A new fd from the host joins the sandbox's set (or is closed: no untracked fds). */
static int64_t new_fd(struct hc_server *s, long fd)
{
	if (fd < 0)
		return -(int64_t)errno;
	if (hc_fd_add(s, (int)fd, false) < 0) {
		close((int)fd);
		return -ENOMEM;
	}
	return fd;
}

#define OWN(s, fd) do {						\
		int k_ = hc_fd_kind((s), (fd));			\
		if (k_ < 0)						\
			return k_;					\
	} while (0)

/* ---- guest memory ---- */

static void *gbuf(const struct hc_server *s, int64_t gpa, int64_t len)
{
	return gmem_ptr(&s->mem, (uint64_t)gpa, (uint64_t)len);
}

/* Copy a NUL-terminated string of at most max-1 bytes out of guest memory: 0, -EFAULT
 * (memory ends first) or -EINVAL (no NUL within max bytes). */
static int gstr(const struct hc_server *s, int64_t gpa, char *out, size_t max)
{
	const char *p = gmem_ptr(&s->mem, (uint64_t)gpa, 1);
	uint64_t avail;

	if (!p)
		return -EFAULT;
	avail = s->mem.size - (uint64_t)gpa;
	if (avail > max)
		avail = max;
	memcpy(out, p, avail);
	if (!memchr(out, 0, avail))
		return avail < max ? -EFAULT : -EINVAL;
	return 0;
}

/* A name: one component, no '/', not ".." ("" and "." are fine: the syscall decides). */
static int gname(const struct hc_server *s, int64_t gpa, char out[NAME_BUF])
{
	int ret = gstr(s, gpa, out, NAME_BUF);

	if (ret < 0)
		return ret;
	if (strchr(out, '/') || !strcmp(out, ".."))
		return -EINVAL;
	return 0;
}

#define NAME(s, gpa, buf) do {						\
		int r_ = gname((s), (gpa), (buf));			\
		if (r_ < 0)						\
			return r_;					\
	} while (0)

/* ---- the operations ---- */

static int64_t op_nop(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)s, (void)r, (void)sl;
	return 0;
}

/* What openat(2) does to flags before it opens, which openat2 leaves to the caller: drop
 * unknown bits, keep only the O_PATH flags with O_PATH, add O_LARGEFILE (F_GETFL shows it). */
#define OPENAT_FLAGS	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			 O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | KERNEL_O_LARGEFILE | \
			 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | \
			 __O_TMPFILE)

static uint64_t openat_flags(uint64_t flags)
{
	if (flags & O_PATH)
		return flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return flags | KERNEL_O_LARGEFILE;
}

/* openat2 with the dirfd as the root: a symlink anywhere (the name itself when O_NOFOLLOW
 * is not given) resolves inside it, and /proc magic links are refused. */
static int64_t op_openat(struct hc_server *s, const struct quark_hc_req *r,
			 struct hc_slot *sl)
{
	char name[NAME_BUF];
	uint64_t flags = (uint32_t)r->args[2] & OPENAT_FLAGS;
	struct open_how how = {
		.flags = openat_flags(flags) | O_CLOEXEC,
		/* openat2 refuses a mode without O_CREAT/O_TMPFILE; openat ignores it */
		.mode = (flags & (O_CREAT | __O_TMPFILE)) ? (uint64_t)r->args[3] & 07777 : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	return new_fd(s, syscall(SYS_openat2, (int)r->args[0], name, &how, sizeof(how)));
}

static int64_t op_close(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)sl;
	OWN(s, r->args[0]);
	s->fds[r->args[0]] = FD_NONE;	/* gone whatever close says (Linux frees it anyway) */
	return neg_errno(close((int)r->args[0]));
}

/* READ/WRITE/PREAD/PWRITE: inline on files and directories, io_uring on the rest. */
static int64_t rw(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl,
		  int64_t off)
{
	int kind = hc_fd_kind(s, r->args[0]);
	int fd = (int)r->args[0];
	uint64_t len = (uint64_t)r->args[2];
	void *buf;

	if (kind < 0)
		return kind;
	if (len > QUARK_HC_IO_MAX)
		return -EINVAL;
	buf = gbuf(s, r->args[1], (int64_t)len);
	if (!buf)
		return -EFAULT;
	if (kind == FD_ASYNC)
		return hc_queue_rw(s, sl, r, buf, len, off);
	switch (r->op) {
	case QUARK_HC_READ:
		return neg_errno(read(fd, buf, len));
	case QUARK_HC_WRITE:
		return neg_errno(write(fd, buf, len));
	case QUARK_HC_PREAD:
		return neg_errno(pread(fd, buf, len, off));
	default:
		return neg_errno(pwrite(fd, buf, len, off));
	}
}

static int64_t op_rw(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	return rw(s, r, sl, -1);
}

static int64_t op_prw(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	if (r->args[3] < 0)
		return -EINVAL;	/* as pread(2); -1 would mean "current position" to io_uring */
	return rw(s, r, sl, r->args[3]);
}

static int64_t op_lseek(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)sl;
	OWN(s, r->args[0]);
	return neg_errno(lseek((int)r->args[0], r->args[1], (int)r->args[2]));
}

static int64_t op_fstat(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	void *st = gbuf(s, r->args[1], sizeof(struct stat));

	(void)sl;
	OWN(s, r->args[0]);
	if (!st)
		return -EFAULT;
	return neg_errno(fstatat((int)r->args[0], "", st, AT_EMPTY_PATH));
}

static int64_t op_fstatat(struct hc_server *s, const struct quark_hc_req *r,
			  struct hc_slot *sl)
{
	void *st = gbuf(s, r->args[2], sizeof(struct stat));
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	if (!st)
		return -EFAULT;
	return neg_errno(fstatat((int)r->args[0], name, st,
				 (int)r->args[3] | AT_SYMLINK_NOFOLLOW));
}

static int64_t op_getdents64(struct hc_server *s, const struct quark_hc_req *r,
			     struct hc_slot *sl)
{
	void *buf = gbuf(s, r->args[1], r->args[2]);

	(void)sl;
	OWN(s, r->args[0]);
	if ((uint64_t)r->args[2] > QUARK_HC_IO_MAX)
		return -EINVAL;
	if (!buf)
		return -EFAULT;
	return neg_errno(getdents64((int)r->args[0], buf, (size_t)r->args[2]));
}

static int64_t op_readlinkat(struct hc_server *s, const struct quark_hc_req *r,
			     struct hc_slot *sl)
{
	void *buf = gbuf(s, r->args[2], r->args[3]);
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	if ((uint64_t)r->args[3] > QUARK_HC_IO_MAX)
		return -EINVAL;
	if (!buf)
		return -EFAULT;
	return neg_errno(readlinkat((int)r->args[0], name, buf, (size_t)r->args[3]));
}

static int64_t op_mkdirat(struct hc_server *s, const struct quark_hc_req *r,
			  struct hc_slot *sl)
{
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	return neg_errno(mkdirat((int)r->args[0], name, (mode_t)r->args[2]));
}

static int64_t op_mknodat(struct hc_server *s, const struct quark_hc_req *r,
			  struct hc_slot *sl)
{
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	/* No device nodes on the host, whatever the guest asks: a block device node in the
	 * rootfs would be a way around every path check (Linux's answer without
	 * CAP_MKNOD). */
	if (S_ISCHR((mode_t)r->args[2]) || S_ISBLK((mode_t)r->args[2]))
		return -EPERM;
	return neg_errno(mknodat((int)r->args[0], name, (mode_t)r->args[2],
				 (dev_t)r->args[3]));
}

static int64_t op_unlinkat(struct hc_server *s, const struct quark_hc_req *r,
			   struct hc_slot *sl)
{
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	return neg_errno(unlinkat((int)r->args[0], name, (int)r->args[2]));
}

static int64_t op_renameat2(struct hc_server *s, const struct quark_hc_req *r,
			    struct hc_slot *sl)
{
	char oldname[NAME_BUF], newname[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	OWN(s, r->args[2]);
	NAME(s, r->args[1], oldname);
	NAME(s, r->args[3], newname);
	return neg_errno(renameat2((int)r->args[0], oldname, (int)r->args[2], newname,
				   (unsigned)r->args[4]));
}

static int64_t op_linkat(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	char oldname[NAME_BUF], newname[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	OWN(s, r->args[2]);
	NAME(s, r->args[1], oldname);
	NAME(s, r->args[3], newname);
	if (r->args[4] & AT_SYMLINK_FOLLOW)
		return -EINVAL;
	return neg_errno(linkat((int)r->args[0], oldname, (int)r->args[2], newname,
				(int)r->args[4]));
}

static int64_t op_symlinkat(struct hc_server *s, const struct quark_hc_req *r,
			    struct hc_slot *sl)
{
	char name[NAME_BUF], *target = malloc(TARGET_BUF);
	int64_t ret;

	(void)sl;
	if (!target)
		return -ENOMEM;
	ret = hc_fd_kind(s, r->args[1]);
	if (ret >= 0)
		ret = gstr(s, r->args[0], target, TARGET_BUF);
	if (ret >= 0)
		ret = gname(s, r->args[2], name);
	if (ret >= 0)
		ret = neg_errno(symlinkat(target, (int)r->args[1], name));
	free(target);
	return ret;
}

static int64_t op_fchmod(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)sl;
	OWN(s, r->args[0]);
	return neg_errno(fchmod((int)r->args[0], (mode_t)r->args[1]));
}

/* chmod of what an O_PATH fd refers to: fchmodat2(AT_EMPTY_PATH) on Linux >= 6.6, else
 * through /proc/self/fd (the fd is not a symlink: the caller checked). */
static int64_t chmod_fd(int fd, mode_t mode)
{
	char path[32];

	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -(int64_t)errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return neg_errno(chmod(path, mode));
}

/* Like Linux's lchmod: a symlink is -EOPNOTSUPP. The name is opened O_PATH|O_NOFOLLOW
 * first and only that inode is changed, so a symlink swapped in meanwhile is never
 * followed. "" means the dirfd itself. */
static int64_t op_fchmodat(struct hc_server *s, const struct quark_hc_req *r,
			   struct hc_slot *sl)
{
	char name[NAME_BUF];
	struct stat st;
	int64_t ret;
	int fd;

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	fd = *name ? openat((int)r->args[0], name, O_PATH | O_NOFOLLOW | O_CLOEXEC)
		   : (int)r->args[0];
	if (fd < 0)
		return -(int64_t)errno;
	if (fstat(fd, &st) < 0)
		ret = -(int64_t)errno;
	else if (S_ISLNK(st.st_mode))
		ret = -EOPNOTSUPP;
	else
		ret = chmod_fd(fd, (mode_t)r->args[2]);
	if (*name)
		close(fd);
	return ret;
}

static int64_t op_fchownat(struct hc_server *s, const struct quark_hc_req *r,
			   struct hc_slot *sl)
{
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	return neg_errno(fchownat((int)r->args[0], name, (uid_t)r->args[2], (gid_t)r->args[3],
				  (int)r->args[4] | AT_SYMLINK_NOFOLLOW));
}

static int64_t op_ftruncate(struct hc_server *s, const struct quark_hc_req *r,
			    struct hc_slot *sl)
{
	(void)sl;
	OWN(s, r->args[0]);
	return neg_errno(ftruncate((int)r->args[0], r->args[1]));
}

static int64_t op_fsync(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)sl;
	OWN(s, r->args[0]);
	if (r->args[1] != 0 && r->args[1] != 1)
		return -EINVAL;
	return neg_errno(r->args[1] ? fdatasync((int)r->args[0]) : fsync((int)r->args[0]));
}

static int64_t op_utimensat(struct hc_server *s, const struct quark_hc_req *r,
			    struct hc_slot *sl)
{
	struct timespec ts[2];
	const void *gts = NULL;
	char name[NAME_BUF];

	(void)sl;
	OWN(s, r->args[0]);
	NAME(s, r->args[1], name);
	if (r->args[2]) {
		gts = gbuf(s, r->args[2], sizeof(ts));
		if (!gts)
			return -EFAULT;
		memcpy(ts, gts, sizeof(ts));
	}
	return neg_errno(utimensat((int)r->args[0], name, gts ? ts : NULL,
				   (int)r->args[3] | AT_SYMLINK_NOFOLLOW));
}

static int64_t op_fstatfs(struct hc_server *s, const struct quark_hc_req *r,
			  struct hc_slot *sl)
{
	void *buf = gbuf(s, r->args[1], sizeof(struct statfs));

	(void)sl;
	OWN(s, r->args[0]);
	if (!buf)
		return -EFAULT;
	return neg_errno(fstatfs((int)r->args[0], buf));
}

/* The tty ioctls the guest may pass through, with the bytes behind the argument. */
static const struct {
	unsigned long cmd;
	uint8_t size;		/* 0: the argument is a value */
} tty_ioctls[] = {
	{ TCGETS, KERNEL_TERMIOS_SIZE }, { TCSETS, KERNEL_TERMIOS_SIZE },
	{ TCSETSW, KERNEL_TERMIOS_SIZE }, { TCSETSF, KERNEL_TERMIOS_SIZE },
	{ TIOCGWINSZ, sizeof(struct winsize) }, { TIOCSWINSZ, sizeof(struct winsize) },
	{ TIOCGPGRP, sizeof(int) }, { TIOCSPGRP, sizeof(int) },
	{ FIONREAD, sizeof(int) }, { TIOCOUTQ, sizeof(int) },
	{ TCFLSH, 0 }, { TCXONC, 0 }, { TCSBRK, 0 }, { TCSBRKP, 0 },
};

static int64_t op_ioctl(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	unsigned long cmd = (uint32_t)r->args[1];

	(void)sl;
	OWN(s, r->args[0]);
	if (r->args[0] > 2)
		return -ENOTTY;
	for (size_t i = 0; i < sizeof(tty_ioctls) / sizeof(tty_ioctls[0]); i++) {
		void *arg;

		if (tty_ioctls[i].cmd != cmd)
			continue;
		if (!tty_ioctls[i].size)
			return neg_errno(ioctl((int)r->args[0], cmd, (unsigned long)r->args[2]));
		arg = gbuf(s, r->args[2], tty_ioctls[i].size);
		if (!arg)
			return -EFAULT;
		return neg_errno(ioctl((int)r->args[0], cmd, arg));
	}
	return -ENOTTY;
}

static int64_t op_fcntl(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	int fd = (int)r->args[0];

	(void)sl;
	OWN(s, r->args[0]);
	switch (r->args[1]) {
	case F_GETFL:
	case F_GETFD:
		return neg_errno(fcntl(fd, (int)r->args[1]));
	case F_SETFL:
	case F_SETFD:
		return neg_errno(fcntl(fd, (int)r->args[1], (int)r->args[2]));
	case F_DUPFD_CLOEXEC:
		if (r->args[2] < 0 || r->args[2] > INT32_MAX)
			return -EINVAL;
		return new_fd(s, fcntl(fd, F_DUPFD_CLOEXEC, (int)r->args[2]));
	default:
		return -EINVAL;
	}
}

static int64_t op_poll(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	return hc_queue_poll(s, sl, r);
}

static int64_t op_getrandom(struct hc_server *s, const struct quark_hc_req *r,
			    struct hc_slot *sl)
{
	void *buf = gbuf(s, r->args[0], r->args[1]);

	(void)sl;
	if ((uint64_t)r->args[1] > QUARK_HC_IO_MAX)
		return -EINVAL;
	if (!buf)
		return -EFAULT;
	return neg_errno(getrandom(buf, (size_t)r->args[1], 0));
}

/* As the ptrace platform: open the fd's own file through /proc/self/fd. */
static int64_t op_reopen(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	char path[32];

	(void)sl;
	OWN(s, r->args[0]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", (int)r->args[0]);
	return new_fd(s, open(path, (int)r->args[1] | O_CLOEXEC, 0));
}

static int64_t op_cancel(struct hc_server *s, const struct quark_hc_req *r, struct hc_slot *sl)
{
	(void)sl;
	return hc_cancel(s, (uint64_t)r->args[0]);
}

#define OP(nr, n, f)	[QUARK_HC_##nr] = { n, f }
const struct hc_op hc_ops[QUARK_HC_OP_MAX] = {
	OP(NOP, "NOP", op_nop),
	OP(OPENAT, "OPENAT", op_openat),
	OP(CLOSE, "CLOSE", op_close),
	OP(READ, "READ", op_rw),
	OP(WRITE, "WRITE", op_rw),
	OP(PREAD, "PREAD", op_prw),
	OP(PWRITE, "PWRITE", op_prw),
	OP(LSEEK, "LSEEK", op_lseek),
	OP(FSTAT, "FSTAT", op_fstat),
	OP(FSTATAT, "FSTATAT", op_fstatat),
	OP(GETDENTS64, "GETDENTS64", op_getdents64),
	OP(READLINKAT, "READLINKAT", op_readlinkat),
	OP(MKDIRAT, "MKDIRAT", op_mkdirat),
	OP(MKNODAT, "MKNODAT", op_mknodat),
	OP(UNLINKAT, "UNLINKAT", op_unlinkat),
	OP(RENAMEAT2, "RENAMEAT2", op_renameat2),
	OP(LINKAT, "LINKAT", op_linkat),
	OP(SYMLINKAT, "SYMLINKAT", op_symlinkat),
	OP(FCHMOD, "FCHMOD", op_fchmod),
	OP(FCHMODAT, "FCHMODAT", op_fchmodat),
	OP(FCHOWNAT, "FCHOWNAT", op_fchownat),
	OP(FTRUNCATE, "FTRUNCATE", op_ftruncate),
	OP(FSYNC, "FSYNC", op_fsync),
	OP(UTIMENSAT, "UTIMENSAT", op_utimensat),
	OP(FSTATFS, "FSTATFS", op_fstatfs),
	OP(IOCTL, "IOCTL", op_ioctl),
	OP(FCNTL, "FCNTL", op_fcntl),
	OP(POLL, "POLL", op_poll),
	OP(GETRANDOM, "GETRANDOM", op_getrandom),
	OP(REOPEN, "REOPEN", op_reopen),
	OP(CANCEL, "CANCEL", op_cancel),
};

const char *hc_op_name(unsigned op)
{
	return op < QUARK_HC_OP_MAX && hc_ops[op].name ? hc_ops[op].name : "?";
}
