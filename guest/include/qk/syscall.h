/* qk/syscall.h - the syscall table (guest/sys/syscalls.def expanded by sys/table.c). */
#ifndef QK_SYSCALL_H
#define QK_SYSCALL_H

#include <qk/types.h>

#define NR_SYSCALLS	512
enum syscall_status { SYS_NONE, SYS_FULL, SYS_PARTIAL, SYS_NOSYS };
typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

struct syscall_entry {
	const char *name;
	enum syscall_status status;
	const char *note;
	syscall_fn fn;
};

extern const struct syscall_entry syscall_table[NR_SYSCALLS];
const char *syscall_name(u64 nr);
long syscall_dispatch(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

#endif
