/*
 * mm/uaccess.c - the only code that touches user memory. Each page is translated through
 * the current address space's page tables; a missing or insufficient mapping is faulted
 * in exactly as the CPU would, and an address the program itself could not access gives
 * -EFAULT. (TRUST: every user address enters qkernel through these functions.)
 */
#include <qk/uaccess.h>
#include <qk/mm.h>
#include <qk/proc.h>
#include <qk/lib.h>
#include <qk/linux.h>

/* Kernel pointer for user page va of mm with the needed access, or NULL. */
static u8 *user_page(struct mm *mm, uaddr_t va, int access)
{
	for (int tries = 0; tries < 2; tries++) {
		pte_t *pte = pte_walk(mm, va, false);

		if (pte && (*pte & PTE_P) && (*pte & PTE_U) &&
		    (!(access & FAULT_WRITE) || (*pte & PTE_W)))
			return __va(*pte & PTE_ADDR);
		if (handle_mm_fault(mm, va, access))
			return NULL;
	}
	return NULL;
}

/* Copy between kernel buf and user [ua, ua+n) of mm; write = to user. */
static int mm_copy(struct mm *mm, uaddr_t ua, void *buf, size_t n, bool write)
{
	u8 *k = buf;

	if (!access_ok(ua, n))
		return -EFAULT;
	while (n) {
		size_t off = ua & (PAGE_SIZE - 1), chunk = MIN(n, PAGE_SIZE - off);
		u8 *p = user_page(mm, ua - off, write ? FAULT_WRITE : FAULT_READ);

		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p + off, k, chunk);
		else
			memcpy(k, p + off, chunk);
		ua += chunk;
		k += chunk;
		n -= chunk;
	}
	return 0;
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	return mm_copy(current->proc->mm, src, dst, n, false);
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	return mm_copy(current->proc->mm, dst, (void *)src, n, true);
}

int copy_from_mm(struct mm *mm, void *dst, uaddr_t src, size_t n)
{
	return mm_copy(mm, src, dst, n, false);
}

int clear_user(uaddr_t dst, size_t n)
{
	static const u8 zeros[256];

	while (n) {
		size_t c = MIN(n, sizeof(zeros));
		if (copy_to_user(dst, zeros, c))
			return -EFAULT;
		dst += c;
		n -= c;
	}
	return 0;
}

long strncpy_from_user(char *dst, uaddr_t src, size_t max)
{
	size_t len = 0;

	while (len < max) {
		size_t off = src & (PAGE_SIZE - 1), chunk = MIN(max - len, PAGE_SIZE - off);
		u8 *p;

		if (!access_ok(src, 1))
			return -EFAULT;
		p = user_page(current->proc->mm, src - off, FAULT_READ);
		if (!p)
			return -EFAULT;
		for (size_t i = 0; i < chunk; i++) {
			dst[len] = p[off + i];
			if (!dst[len])
				return len;
			len++;
		}
		src += chunk;
	}
	return -ENAMETOOLONG;
}

static char *getname_flags(uaddr_t upath, bool empty_ok)
{
	char *buf = kmalloc(PATH_MAX);
	long n;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	n = strncpy_from_user(buf, upath, PATH_MAX);
	if (n < 0 || (n == 0 && !empty_ok)) {
		kfree(buf);
		return ERR_PTR(n < 0 ? n : -ENOENT);
	}
	return buf;
}

char *getname(uaddr_t upath)
{
	return getname_flags(upath, false);
}

char *getname_empty_ok(uaddr_t upath)
{
	return getname_flags(upath, true);
}
