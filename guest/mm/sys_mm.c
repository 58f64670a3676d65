/* mm/sys_mm.c - memory syscalls: decode, check, delegate to mm/vma.c. */
#include <qk/mm.h>
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/linux.h>
#include <qk/uaccess.h>

#define MM	(current->proc->mm)

long sys_mmap(uaddr_t addr, u64 len, int prot, int flags, int fd, u64 off)
{
	struct file *f = NULL;
	long r;

	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
	}
	r = do_mmap(MM, addr, len, prot, flags, f, off);
	if (f)
		file_put(f);
	return r;
}

long sys_munmap(uaddr_t addr, u64 len)
{
	return do_munmap(MM, addr, len);
}

long sys_mprotect(uaddr_t addr, u64 len, int prot)
{
	return do_mprotect(MM, addr, len, prot);
}

long sys_brk(uaddr_t brk)
{
	return do_brk(MM, brk);
}

long sys_mremap(uaddr_t old, u64 old_len, u64 new_len, int flags, uaddr_t new_addr)
{
	return do_mremap(MM, old, old_len, new_len, flags, new_addr);
}

long sys_madvise(uaddr_t addr, u64 len, int advice)
{
	return do_madvise(MM, addr, len, advice);
}

long sys_msync(uaddr_t addr, u64 len, int flags)
{
	if (!IS_ALIGNED(addr, PAGE_SIZE) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	for (uaddr_t va = addr; va < addr + len; va += PAGE_SIZE)
		if (!vma_find(MM, va))
			return -ENOMEM;
	return 0;
}

long sys_mlock(uaddr_t addr, u64 len)
{
	(void)addr;
	(void)len;
	return 0;
}

long sys_munlock(uaddr_t addr, u64 len)
{
	(void)addr;
	(void)len;
	return 0;
}

long sys_arch_prctl(int code, uaddr_t addr)
{
	struct task *t = current;

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return put_user(t->regs.fs_base, addr);
	case ARCH_GET_GS:
		return put_user(t->regs.gs_base, addr);
	default:
		return -EINVAL;
	}
}
