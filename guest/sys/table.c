/*
 * sys/table.c - the syscall dispatch array, expanded from syscalls.def. Handlers of FULL
 * and PARTIAL entries are weak references; the build fails if one is missing (guest/build.mk
 * checks for unresolved weak sys_* symbols).
 */
#include <qk/syscall.h>
#include <qk/lib.h>
#include <qk/linux.h>

#define HANDLER_FULL(n)		sys_##n
#define HANDLER_PARTIAL(n)	sys_##n
#define HANDLER_NOSYS(n)	NULL

/* Declarations: typeless on purpose (each handler has its own natural prototype). */
#define DECL_FULL(n)		extern long sys_##n(void) __attribute__((weak));
#define DECL_PARTIAL(n)		DECL_FULL(n)
#define DECL_NOSYS(n)
#define SYSCALL(name, status, note) DECL_##status(name)
#include "syscalls.def"
#undef SYSCALL

const struct syscall_entry syscall_table[NR_SYSCALLS] = {
#define SYSCALL(name, status, note) \
	[__NR_##name] = { #name, SYS_##status, note, (syscall_fn)(void *)HANDLER_##status(name) },
#include "syscalls.def"
#undef SYSCALL
};

static const char *const all_names[NR_SYSCALLS] = {
#include "syscall_names.h"
};

const char *syscall_name(u64 nr)
{
	if (nr < NR_SYSCALLS && all_names[nr])
		return all_names[nr];
	return "?";
}

static u8 warned[NR_SYSCALLS / 8];

long syscall_dispatch(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	const struct syscall_entry *e = nr < NR_SYSCALLS ? &syscall_table[nr] : NULL;

	if (likely(e && e->fn))
		return e->fn(a0, a1, a2, a3, a4, a5);
	if (nr >= NR_SYSCALLS) {
		pr_warn("unsupported syscall %lu", (unsigned long)nr);
	} else if (!(warned[nr / 8] & (1 << (nr % 8)))) {
		warned[nr / 8] |= 1 << (nr % 8);
		pr_warn("unsupported syscall %s (%lu)%s%s", syscall_name(nr), (unsigned long)nr,
			e->note && *e->note ? ": " : "", e->note ? e->note : "");
	}
	return -ENOSYS;
}
