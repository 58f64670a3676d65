// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/shm.c - CREATE_SHM: pinned, zeroed pages behind an anon-inode fd, mmap-able by the
 * VMM and mapped into the guest as a KVM memslot (the host-call rings live there).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>
#include "quark.h"

static const struct file_operations quark_shm_fops;

static void quark_shm_free_pages(struct page **pages, unsigned long n)
{
	while (n--)
		__free_page(pages[n]);
}

static void quark_shm_release_ref(struct kref *ref)
{
	struct quark_shm *shm = container_of(ref, struct quark_shm, ref);

	quark_shm_free_pages(shm->pages, shm->nr_pages);
	kvfree(shm->pages);
	kfree(shm);
}

void quark_shm_put(struct quark_shm *shm)
{
	kref_put(&shm->ref, quark_shm_release_ref);
}

/* quark_shm_get_fd returns a new reference on the shm behind fd, or NULL with *err set. */
struct quark_shm *quark_shm_get_fd(int fd, long *err)
{
	struct quark_shm *shm = NULL;
	struct fd f = fdget(fd);

	if (!f.file) {
		*err = -EBADF;
		return NULL;
	}
	if (f.file->f_op == &quark_shm_fops) {
		shm = f.file->private_data;
		kref_get(&shm->ref);
	} else {
		*err = -EINVAL;
	}
	fdput(f);
	return shm;
}

/* quark_shm_word: kernel address of the aligned __u32 at byte off, or NULL if outside. */
u32 *quark_shm_word(struct quark_shm *shm, u32 off)
{
	if (off % sizeof(u32) || off >= shm->nr_pages << PAGE_SHIFT)
		return NULL;
	/* GFP_KERNEL pages (no __GFP_HIGHMEM) always have a kernel mapping. */
	return page_address(shm->pages[off >> PAGE_SHIFT]) + offset_in_page(off);
}

static int quark_shm_release(struct inode *inode, struct file *file)
{
	quark_shm_put(file->private_data);
	return 0;
}

/*
 * Only MAP_SHARED: a private mapping would copy-on-write away from the pages the guest sees.
 * No VM_IO/VM_PFNMAP: the pages are ordinary refcounted pages inserted with vm_map_pages
 * (VM_MIXEDMAP), so get_user_pages works on the mapping, which KVM needs for a memslot.
 */
static int quark_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct quark_shm *shm = file->private_data;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	/* Checks vm_pgoff and the length against nr_pages (-ENXIO). */
	return vm_map_pages(vma, shm->pages, shm->nr_pages);
}

static const struct file_operations quark_shm_fops = {
	.owner = THIS_MODULE,
	.release = quark_shm_release,
	.mmap = quark_shm_mmap,
	.llseek = noop_llseek,
};

static struct quark_shm *quark_shm_alloc(unsigned long nr_pages)
{
	struct quark_shm *shm;
	unsigned long i;

	shm = kzalloc(sizeof(*shm), GFP_KERNEL);
	if (!shm)
		return NULL;
	shm->pages = kvcalloc(nr_pages, sizeof(*shm->pages), GFP_KERNEL);
	if (!shm->pages)
		goto free_shm;
	for (i = 0; i < nr_pages; i++) {
		/* __GFP_ACCOUNT: the container's memory cgroup pays for its rings. */
		shm->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT);
		if (!shm->pages[i])
			goto free_pages;
	}
	shm->nr_pages = nr_pages;
	kref_init(&shm->ref);
	return shm;

free_pages:
	quark_shm_free_pages(shm->pages, i);
	kvfree(shm->pages);
free_shm:
	kfree(shm);
	return NULL;
}

/* quark_shm_create implements QUARK_IOC_CREATE_SHM; the fd is installed by the caller. */
long quark_shm_create(struct quark_create_shm *req, struct quark_newfd *out)
{
	struct quark_shm *shm;
	struct file *file;
	int fd, ret;

	if (req->flags & ~(QUARK_SHM_MAX_FLAG - 1) || req->reserved)
		return -EINVAL;
	if (!req->size || req->size % PAGE_SIZE || req->size > QUARK_SHM_MAX_SIZE)
		return -EINVAL;
	if (req->flags & QUARK_SHM_HUGE)
		return -EOPNOTSUPP;

	shm = quark_shm_alloc(req->size >> PAGE_SHIFT);
	if (!shm)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_shm;
	}
	file = anon_inode_getfile("[quark-shm]", &quark_shm_fops, shm, O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}
	out->file = file;	/* owns the shm reference from now on */
	out->fd = fd;
	req->fd = fd;
	return 0;

put_fd:
	put_unused_fd(fd);
put_shm:
	quark_shm_put(shm);
	return ret;
}
