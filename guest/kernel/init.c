/*
 * kernel/init.c - qkernel's start: memory, scheduler, file systems, then the container's
 * init process (pid 1) exec'ing process.args[0] (looked up in PATH like runc does).
 */
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/platform.h>
#include <qk/lib.h>
#include <quark/boot.h>

void task_user_main(void *arg);
void uts_set_hostname(const char *name);	/* kernel/sys_misc.c */

static const struct quark_boot_info *boot;
static const char *blob;

static const char **string_list(u32 off, u32 n)
{
	const char **v = kzalloc((n + 1) * sizeof(char *));
	const char *s = blob + off;

	for (u32 i = 0; v && i < n; i++) {
		v[i] = s;
		s += strlen(s) + 1;
	}
	return v;
}

/* Find args[0] like runc: a name without '/' is searched in the PATH of process.env. */
static long find_program(const char *name, const char **envp, char *out, size_t n)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	long err = -ENOENT;

	if (strchr(name, '/')) {
		strlcpy(out, name, n);
		return 0;
	}
	for (int i = 0; envp[i]; i++)
		if (!strncmp(envp[i], "PATH=", 5))
			path = envp[i] + 5;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		struct file *f;

		snprintf(out, n, "%.*s/%s", (int)len, len ? path : ".", name);
		f = vfs_open_exec(out);
		if (!IS_ERR(f)) {
			file_put(f);
			return 0;
		}
		if (PTR_ERR(f) == -EACCES)
			err = -EACCES;
		path += len + (end ? 1 : 0);
	}
	return err;
}

static void init_main(void *arg)
{
	const char **argv = string_list(boot->args_off, boot->argc);
	const char **envp = string_list(boot->env_off, boot->envc);
	char path[PATH_MAX];
	long r;

	(void)arg;
	r = find_program(argv[0], envp, path, sizeof(path));
	if (!r)
		r = kernel_execve(path, argv, envp);
	if (r) {
		char msg[PATH_MAX + 128];
		int n = snprintf(msg, sizeof(msg), "quark: exec \"%s\": %s\n", argv[0],
				 r == -ENOENT ? "executable file not found in $PATH" :
				 r == -EACCES ? "permission denied" : "exec format error or I/O error");
		pr_err("%.*s", n - 1, msg);
		plat_console_error(msg, n);
		plat_shutdown(W_EXITCODE(r == -ENOENT ? 127 : 126, 0));
	}
	kfree(argv);
	kfree(envp);
	task_user_main(NULL);
}

static void init_proc_create(void)
{
	struct proc *p = proc_alloc();
	struct task *t;

	BUG_ON(!p || p->pid != 1);
	init_proc = p;
	p->pgid = p->sid = 1;
	p->cred = (struct cred){ boot->uid, boot->uid, boot->uid, boot->uid,
				 boot->gid, boot->gid, boot->gid, boot->gid, 0, { 0 } };
	for (int i = 0; i < RLIM_NLIMITS_; i++)
		p->rlim[i] = (struct rlimit64){ RLIM64_INFINITY, RLIM64_INFINITY };
	p->rlim[RLIMIT_NOFILE] = (struct rlimit64){ 1024, 1048576 };
	p->rlim[RLIMIT_STACK].rlim_cur = USER_STACK_MAX;
	p->rlim[RLIMIT_CORE].rlim_cur = 0;
	p->sighand = sighand_alloc();
	p->files = files_create();
	p->fs = fs_ctx_create();
	p->mm = mm_create();
	BUG_ON(!p->sighand || !p->files || !p->fs || !p->mm);
	if (files_setup_stdio(p->files))
		panic("cannot set up stdio");
	fs_ctx_set_umask(p->fs, boot->umask);
	if (boot->cwd_off && fs_ctx_chdir(p->fs, blob + boot->cwd_off))
		pr_warn("cwd %s does not exist in the container; using /", blob + boot->cwd_off);
	strlcpy(p->comm, "init", sizeof(p->comm));
	t = task_create(p, init_main, NULL);
	BUG_ON(!t);
	proc_add_task(p, t);
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->altstack_flags = SS_DISABLE;
	wake_up(t);
}

/* Entered by the platform on the boot CPU, with guest memory mapped at phys_base. */
void kernel_main(const struct quark_boot_info *bi, const char *b, paddr_t free_start)
{
	int r;

	boot = bi;
	blob = b;
	log_level = bi->log_level;
	pmm_init(free_start, bi->mem_size);
	sched_init();
	r = vfs_init(bi, b);
	if (r)
		panic("mounting the container's file systems failed: %d", r);
	if (bi->hostname_off)
		uts_set_hostname(b + bi->hostname_off);
	init_proc_create();
	pr_debug("qkernel up: %lu MiB, %d cpu(s)", (unsigned long)(bi->mem_size >> 20), ncpus);
	cpu_idle_loop();
}
