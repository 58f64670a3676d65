// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/main.c - /dev/quark: the misc device, its contexts and the ioctl dispatcher.
 * The ioctl ABI is uapi/quark/quark_dev.h; the design is docs/kmod.md.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "quark.h"

#define QUARK_FEATURES	(QUARK_FEAT_SHM | QUARK_FEAT_DOORBELL | QUARK_FEAT_WAIT | QUARK_FEAT_WAKE)

static long quark_ioc_get_version(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf)
{
	struct quark_version *v = arg;

	v->abi_version = QUARK_ABI_VERSION;
	v->features = QUARK_FEATURES;
	return 0;
}

static long quark_ioc_create_shm(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf)
{
	return quark_shm_create(arg, nf);
}

static long quark_ioc_bind_doorbell(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf)
{
	return quark_db_bind(ctx, arg);
}

static long quark_ioc_wait(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf)
{
	return quark_db_wait(ctx, arg);
}

static long quark_ioc_bind_wake(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf)
{
	return quark_db_bind_wake(ctx, arg);
}

/* The one ioctl table. The command number carries the size, so a wrong size never matches. */
static const struct quark_ioctl {
	unsigned int cmd;
	long (*fn)(struct quark_ctx *ctx, void *arg, struct quark_newfd *nf);
} quark_ioctls[] = {
	{ QUARK_IOC_GET_VERSION,	quark_ioc_get_version },
	{ QUARK_IOC_CREATE_SHM,		quark_ioc_create_shm },
	{ QUARK_IOC_BIND_DOORBELL,	quark_ioc_bind_doorbell },
	{ QUARK_IOC_WAIT,		quark_ioc_wait },
	{ QUARK_IOC_BIND_WAKE,		quark_ioc_bind_wake },
};

union quark_ioc_arg {
	struct quark_version version;
	struct quark_create_shm create_shm;
	struct quark_bind_doorbell bind_doorbell;
	struct quark_wait wait;
	struct quark_bind_wake bind_wake;
};

/* quark_ioctl: find the command, copy its argument in once, run it, copy the reply out once. */
static long quark_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	void __user *argp = (void __user *)uarg;
	const struct quark_ioctl *ioc = NULL;
	struct quark_newfd nf = { .fd = -1 };
	union quark_ioc_arg arg;
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(quark_ioctls); i++)
		if (quark_ioctls[i].cmd == cmd)
			ioc = &quark_ioctls[i];
	if (!ioc) {
		pr_notice_ratelimited("quark: unknown ioctl 0x%08x from %s[%d]\n",
				      cmd, current->comm, task_pid_nr(current));
		return -ENOTTY;
	}
	BUILD_BUG_ON(sizeof(arg) > 64);

	memset(&arg, 0, sizeof(arg));
	/* TRUST: the only read of the caller's argument; handlers see this kernel copy. */
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(&arg, argp, _IOC_SIZE(cmd)))
		return -EFAULT;
	ret = ioc->fn(file->private_data, &arg, &nf);
	/* TRUST: the only write of the reply; failures have nothing to report (WAIT has
	 * taken no mask when it fails). */
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(argp, &arg, _IOC_SIZE(cmd)))
		ret = -EFAULT;
	if (nf.file) {
		if (ret) {
			fput(nf.file);
			put_unused_fd(nf.fd);
		} else {
			fd_install(nf.fd, nf.file);
		}
	}
	return ret;
}

static int quark_open(struct inode *inode, struct file *file)
{
	struct quark_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	file->private_data = ctx;
	return 0;
}

/* quark_release frees the context and its doorbell; shms go with their own fds. */
static int quark_release(struct inode *inode, struct file *file)
{
	struct quark_ctx *ctx = file->private_data;

	if (ctx->db)
		quark_db_free(ctx->db);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return 0;
}

static const struct file_operations quark_fops = {
	.owner = THIS_MODULE,
	.open = quark_open,
	.release = quark_release,
	.unlocked_ioctl = quark_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice quark_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = QUARK_DEV_NAME,
	.fops = &quark_fops,
	.mode = 0600,
};

static int __init quark_init(void)
{
	return misc_register(&quark_misc);
}

static void __exit quark_exit(void)
{
	misc_deregister(&quark_misc);
}

module_init(quark_init);
module_exit(quark_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("Quark-C");
MODULE_DESCRIPTION("Quark-C host-call doorbell and pinned shared memory (/dev/quark)");
MODULE_VERSION("0.1");
