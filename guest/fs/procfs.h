/* fs/procfs.h - shared between procfs.c (tree, links) and procfs_gen.c (file contents). */
#ifndef QK_FS_PROCFS_H
#define QK_FS_PROCFS_H

#include "internal.h"

enum pkind {
	PK_ROOT, PK_SELF, PK_SYS, PK_SYS_KERNEL, PK_PID, PK_FDDIR,
	/* links */
	PK_EXE, PK_CWD, PK_ROOTLNK, PK_FD,
	/* generated files */
	PK_MOUNTS, PK_MEMINFO, PK_UPTIME, PK_LOADAVG, PK_CPUINFO, PK_FILESYSTEMS, PK_VERSION,
	PK_STAT, PK_HOSTNAME, PK_OSTYPE, PK_OSRELEASE, PK_PID_MAX,
	PK_CMDLINE, PK_COMM, PK_PSTAT, PK_STATUS, PK_ENVIRON, PK_MAPS, PK_STATM,
};

/* A growable text buffer for generated files. */
struct sbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void sb_printf(struct sbuf *sb, const char *fmt, ...) __printf(2, 3);
void sb_write(struct sbuf *sb, const void *data, size_t n);

/* Generate the contents of file kind k (for process p when per-process). */
int proc_generate(int kind, struct proc *p, struct sbuf *sb);

#endif
