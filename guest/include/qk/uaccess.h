/*
 * qk/uaccess.h - the only way qkernel touches user memory (implemented in mm/uaccess.c).
 * Every function works on the current task's address space, faults pages in as the
 * hardware would, and returns -EFAULT for any address the program could not access
 * itself. Never dereference a uaddr_t anywhere else.
 */
#ifndef QK_UACCESS_H
#define QK_UACCESS_H

#include <qk/types.h>

int copy_from_user(void *dst, uaddr_t src, size_t n);	/* 0 or -EFAULT */
int copy_to_user(uaddr_t dst, const void *src, size_t n);	/* 0 or -EFAULT */
int clear_user(uaddr_t dst, size_t n);
/* Read another address space (e.g. /proc/PID/cmdline); faults pages in as a read would. */
struct mm;
int copy_from_mm(struct mm *mm, void *dst, uaddr_t src, size_t n);
/* Copy a NUL-terminated string of at most max-1 bytes; returns its length,
 * -EFAULT, or -ENAMETOOLONG when no NUL within max bytes. */
long strncpy_from_user(char *dst, uaddr_t src, size_t max);
/* Copy a path argument into a new PATH_MAX buffer; returns it or ERR_PTR(-EFAULT,
 * -ENAMETOOLONG, -ENOENT for ""). Free with kfree. */
char *getname(uaddr_t upath);
char *getname_empty_ok(uaddr_t upath);	/* allows "" (for AT_EMPTY_PATH) */

#define get_user(var, uaddr)	copy_from_user(&(var), (uaddr), sizeof(var))
#define put_user(val, uaddr)	({ __typeof__(val) __v = (val); copy_to_user((uaddr), &__v, sizeof(__v)); })

/* Is [addr, addr+n) inside the user half at all (no overflow)? */
static inline bool access_ok(uaddr_t addr, size_t n)
{
	extern const u64 user_addr_limit;
	return addr + n >= addr && addr + n <= user_addr_limit;
}

#endif
