/*
 * qk/vfs.h - the VFS as the rest of qkernel sees it (fs/ implements it).
 * Files, fd tables, per-process fs context (root, cwd, umask), mounts from boot info.
 * fs/ owns the internals (inodes, dentries, mounts, hostfs, devfs, procfs, tmpfs, pipes).
 */
#ifndef QK_VFS_H
#define QK_VFS_H

#include <qk/linux.h>

struct quark_boot_info;
struct file;
struct files;
struct fs_ctx;

/* Mount the rootfs, /proc, /dev and the boot info's mounts. 0 or -errno. */
int vfs_init(const struct quark_boot_info *bi, const char *blob);

/* fd tables (a process's open files). */
struct files *files_create(void);
struct files *files_fork(struct files *f);	/* copy: same open file descriptions */
void files_get(struct files *f);
void files_put(struct files *f);		/* closes everything on last put */
void files_close_on_exec(struct files *f);
/* Install the sandbox's host fds 0, 1, 2 as the guest's stdin/stdout/stderr. */
int files_setup_stdio(struct files *f);

/* The guest process group in the foreground of the console (stdio's tty): where
 * keyboard signals go. */
int console_foreground_pgrp(void);

/* fs context: root, cwd, umask. */
struct fs_ctx *fs_ctx_create(void);		/* root and cwd = "/" of the rootfs */
struct fs_ctx *fs_ctx_fork(struct fs_ctx *fs);
void fs_ctx_put(struct fs_ctx *fs);
int fs_ctx_chdir(struct fs_ctx *fs, const char *path);	/* for the init cwd */
void fs_ctx_set_umask(struct fs_ctx *fs, u32 umask);

/* Files as the loader and mm use them. References: file_get/file_put. */
struct file *fd_get(int fd);			/* current process; NULL if not open */
void file_get(struct file *f);
void file_put(struct file *f);
/* Open path for execve (relative to current's cwd, following symlinks): checks it is a
 * regular file with execute permission for current's credentials and not on a noexec
 * mount. Returns the file or ERR_PTR(-ENOENT, -EACCES, -ENOTDIR, -ELOOP...). */
struct file *vfs_open_exec(const char *path);
/* Read from a file into kernel memory at an offset (no file position change). */
long kernel_pread(struct file *f, void *buf, size_t n, loff_t off);
/* mmap support: may f be mapped with these prot/flags? 0, -EACCES, -ENODEV. */
int file_mmap_check(struct file *f, int prot, int flags);
/* Guest absolute path of an open file into buf (for /proc/self/exe); length or -errno. */
long file_path(struct file *f, char *buf, size_t n);
/* Mode bits of an open file (S_IF* | perms), and its set-id bits for exec. */
u32 file_mode(struct file *f);

#endif
