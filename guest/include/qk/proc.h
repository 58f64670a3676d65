/*
 * qk/proc.h - processes (thread groups), credentials, signals, exec.
 * kernel/proc.c: pid table, fork, exit, wait.  kernel/signal.c: signals.
 * kernel/exec.c + kernel/elf.c: execve.
 */
#ifndef QK_PROC_H
#define QK_PROC_H

#include <qk/sched.h>
#include <qk/mm.h>

struct files;		/* fs/fdtable.c */
struct fs_ctx;		/* fs/: cwd, root, umask */
struct file;

struct cred {
	u32 uid, euid, suid, fsuid;
	u32 gid, egid, sgid, fsgid;
	u32 ngroups;
	u32 groups[32];
};

struct sighand {
	int refs;
	struct k_sigaction action[NSIG_];	/* index sig-1 */
};

/* One queued signal (for siginfo); the pending bit is the source of truth. */
struct sigq {
	struct list_head node;
	siginfo_t info;
};

enum proc_state { PROC_ALIVE, PROC_ZOMBIE, PROC_REAPED };

#define RLIM_NLIMITS_	16

struct proc {
	int pid, pgid, sid;
	enum proc_state state;
	struct proc *parent;
	struct list_head children;	/* struct proc.sibling */
	struct list_head sibling;
	struct list_head threads;	/* struct task.thread_node */
	int nr_threads;
	struct list_head all_node;	/* all processes */
	struct mm *mm;
	struct files *files;
	struct fs_ctx *fs;
	struct sighand *sighand;
	ksigset_t shared_pending;	/* process-directed */
	struct list_head shared_sigqueue;
	struct cred cred;
	struct rlimit64 rlim[RLIM_NLIMITS_];
	int exit_status;		/* wait status word once a zombie */
	int exit_signal;		/* sent to the parent at exit (SIGCHLD, or 0) */
	bool group_exiting;
	/* job control: reported to the parent's wait once each */
	int stop_sig;			/* signal that stopped us, 0 if not stopped */
	bool stop_report, cont_report;
	bool stopped;
	struct waitq child_wait;	/* the parent sleeps here in wait4/waitid */
	struct waitq vfork_wait;	/* a vfork parent sleeps here */
	bool vfork_done;
	bool exec_done;			/* for setpgid EACCES */
	char comm[16];
	char *exe_path;			/* guest path of the executable (kmalloc) */
	u64 start_ns;
	u64 cutime_ns, cstime_ns;	/* reaped children */
	u64 itimer_real_ns;		/* reserved for alarm/setitimer */
};

extern struct proc *init_proc;

/* pid table */
struct proc *proc_find(int pid);
struct task *task_find(int tid);
int pid_alloc(void);
#define for_each_proc(p) list_for_each_entry(p, &all_procs, all_node)
extern struct list_head all_procs;

/* fork/clone: returns the child's pid or -errno. */
long do_clone(u64 flags, uaddr_t newsp, uaddr_t parent_tid, uaddr_t child_tid, uaddr_t tls);
/* exit: the whole process (exit_group) with a wait status. */
__noreturn void do_exit_group(int status);
__noreturn void do_exit_task(int status);

/* wait status encodings */
#define W_EXITCODE(ret, sig)	(((ret) & 0xff) << 8 | ((sig) & 0x7f))
#define W_STOPCODE(sig)		((sig) << 8 | 0x7f)
#define W_CONTINUED		0xffff
#define W_COREFLAG		0x80

/* signals (kernel/signal.c) */
#define sigmask_of(sig)		(1ULL << ((sig) - 1))
int send_signal_proc(struct proc *p, int sig, siginfo_t *info);	/* process-directed */
void host_signal_forward(int sig, bool keyboard);	/* a host signal sent to the sandbox */
int send_signal_task(struct task *t, int sig, siginfo_t *info);	/* thread-directed */
void force_signal(struct task *t, int sig, int code, uaddr_t addr);	/* faults: unblock + default if ignored */
/* On every return to user mode (t == current): when in_syscall, t->regs.rax holds the
 * syscall's result and -ERESTART* codes are resolved here (restart by rip -= 2 and
 * rax = orig_rax, or -EINTR); then job-control stops are honoured, and pending signals
 * are delivered by building rt_sigframes on the user stack, or their default action is
 * applied (may not return). Never leaves an -ERESTART* value in rax. */
void do_signal(struct task *t, bool in_syscall);
/* Restores t->regs from the frame and returns the restored rax (the entry code stores
 * every handler's return value into regs.rax, so sigreturn's is the restored one). */
long sys_rt_sigreturn(void);
/* Does the parent want exited children reaped at once (SIGCHLD ignored/SA_NOCLDWAIT)? */
bool sigchld_autoreap(struct proc *parent);
void signals_fork(struct proc *child, struct proc *parent);
void signals_exec(struct proc *p);	/* handlers reset to default, ignored stay ignored */
struct sighand *sighand_alloc(void);
void sighand_put(struct sighand *sh);
void proc_stop(struct proc *p, int sig);	/* job-control stop (all threads) */
void proc_continue(struct proc *p);
/* Notify the parent of a child state change (exit/stop/continue): SIGCHLD + wakeup. */
void notify_parent(struct proc *child, int why_code, int status);

/* A vfork parent may run again (the child exec'd or exited). */
void vfork_release(struct proc *p);
struct proc *proc_alloc(void);
void proc_add_task(struct proc *p, struct task *t);

/* exec (kernel/exec.c) */
long kernel_execve(const char *path, const char *const *argv, const char *const *envp);

/* credentials helpers */
static inline bool capable_root(struct proc *p) { return p->cred.euid == 0; }

/* UTS host name (kernel/sys_misc.c), set from the boot info; added by the signals/identity
 * helper as the brief specifies. */
void uts_set_hostname(const char *name);
const struct new_utsname *uts_get(void);	/* kernel/sys_misc.c */

#endif
