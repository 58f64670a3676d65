/*
 * kernel/exec.c - execve: argument copying, #! scripts, ELF loading (ET_EXEC, static-PIE,
 * and PT_INTERP), the initial stack with argv/envp/auxv, and the switch to the new image.
 */
#include <qk/proc.h>
#include <qk/elf.h>
#include <qk/vfs.h>
#include <qk/uaccess.h>
#include <qk/platform.h>
#include <qk/lib.h>
#include <qk/host.h>

#define ARG_MAX_BYTES	(2u << 20)
#define MAX_ARGS	65536
#define PIE_BASE	0x555555554000UL
#define BINPRM_BUF	256
#define MAX_INTERP_DEPTH 4

/* Arguments and environment, copied into one kernel buffer. */
struct argbuf {
	char *buf;
	size_t len, cap;
	int argc, envc;
};

static int argbuf_add(struct argbuf *a, const char *s, size_t n)
{
	if (a->len + n + 1 > ARG_MAX_BYTES)
		return -E2BIG;
	while (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4096;
		char *nb = kmalloc(cap);
		if (!nb)
			return -ENOMEM;
		memcpy(nb, a->buf, a->len);
		kfree(a->buf);
		a->buf = nb;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, s, n);
	a->buf[a->len + n] = 0;
	a->len += n + 1;
	return 0;
}

/* Copy a NULL-terminated user array of strings. */
static int copy_strings_user(struct argbuf *a, uaddr_t uarr, int *count)
{
	char *tmp;
	int r = 0;

	*count = 0;
	if (!uarr)
		return 0;
	tmp = kmalloc(PAGE_SIZE * 32);
	if (!tmp)
		return -ENOMEM;
	for (;;) {
		u64 p;
		long n;

		if (get_user(p, uarr + 8UL * *count)) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		if (*count >= MAX_ARGS) {
			r = -E2BIG;
			break;
		}
		n = strncpy_from_user(tmp, p, PAGE_SIZE * 32);
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -E2BIG : (int)n;
			break;
		}
		if ((r = argbuf_add(a, tmp, n)))
			break;
		(*count)++;
	}
	kfree(tmp);
	return r;
}

/* Pointer to the i-th string in the buffer. */
static const char *argbuf_str(struct argbuf *a, int i)
{
	const char *s = a->buf;

	while (i--)
		s += strlen(s) + 1;
	return s;
}

/* --- ELF --- */

struct elf_image {
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	u64 bias;
	uaddr_t entry, phdr_addr, end_brk;
};

static int elf_read_headers(struct file *f, struct elf_image *im, const u8 *hdr, long hlen)
{
	size_t phsz;
	int r;

	if (hlen < (long)sizeof(Elf64_Ehdr))
		return -ENOEXEC;
	memcpy(&im->eh, hdr, sizeof(im->eh));
	if ((r = elf_check_header(&im->eh)))
		return r;
	phsz = im->eh.e_phnum * sizeof(Elf64_Phdr);
	im->ph = kmalloc(phsz);
	if (!im->ph)
		return -ENOMEM;
	if (kernel_pread(f, im->ph, phsz, im->eh.e_phoff) != (long)phsz)
		return -EIO;
	return 0;
}

static int elf_prot(u32 pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) |
	       (pf & PF_X ? PROT_EXEC : 0);
}

/* Map the PT_LOAD segments of im into mm (which is current's). base: where an ET_DYN
 * image goes (0 = pick a free area). */
static int elf_map(struct mm *mm, struct file *f, struct elf_image *im, uaddr_t base)
{
	uaddr_t lo, hi;
	Elf64_Phdr *ph;
	long r;

	if ((r = elf_load_span(im->ph, im->eh.e_phnum, &lo, &hi)))
		return r;
	im->bias = 0;
	if (im->eh.e_type == ET_DYN) {
		if (!base) {
			r = do_mmap(mm, 0, ALIGN_UP(hi - lo, PAGE_SIZE), PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
			if (r < 0)
				return r;
			base = r;
		}
		im->bias = base - lo;
	}
	if (lo + im->bias < MMAP_MIN_ADDR || hi + im->bias > TASK_SIZE)
		return -ENOEXEC;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		uaddr_t start, fend, mend;

		ph = &im->ph[i];
		if (ph->p_type != PT_LOAD)
			continue;
		start = ALIGN_DOWN(ph->p_vaddr + im->bias, PAGE_SIZE);
		fend = ph->p_vaddr + im->bias + ph->p_filesz;
		mend = ALIGN_UP(ph->p_vaddr + im->bias + ph->p_memsz, PAGE_SIZE);
		if (fend > start) {
			r = do_mmap(mm, start, ALIGN_UP(fend, PAGE_SIZE) - start,
				    elf_prot(ph->p_flags) | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, f,
				    ALIGN_DOWN(ph->p_offset, PAGE_SIZE));
			if (r < 0)
				return r;
			/* Zero the tail of the last file page (start of .bss). */
			if (ph->p_memsz > ph->p_filesz && !IS_ALIGNED(fend, PAGE_SIZE) &&
			    clear_user(fend, ALIGN_UP(fend, PAGE_SIZE) - fend))
				return -EFAULT;
			if (!(ph->p_flags & PF_W) &&
			    (r = do_mprotect(mm, start, ALIGN_UP(fend, PAGE_SIZE) - start,
					     elf_prot(ph->p_flags))))
				return r;
		}
		if (mend > ALIGN_UP(fend, PAGE_SIZE)) {
			uaddr_t z = ALIGN_UP(fend, PAGE_SIZE);
			r = do_mmap(mm, z, mend - z, elf_prot(ph->p_flags),
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
			if (r < 0)
				return r;
		}
		if (ph->p_offset == 0 || (ph->p_offset <= im->eh.e_phoff &&
					  im->eh.e_phoff < ph->p_offset + ph->p_filesz))
			if (!im->phdr_addr)
				im->phdr_addr = ph->p_vaddr + im->bias + (im->eh.e_phoff - ph->p_offset);
		im->end_brk = MAX(im->end_brk, mend);
	}
	for (int i = 0; i < im->eh.e_phnum; i++)
		if (im->ph[i].p_type == PT_PHDR)
			im->phdr_addr = im->ph[i].p_vaddr + im->bias;
	im->entry = im->eh.e_entry + im->bias;
	return 0;
}

/* --- the initial stack --- */

struct stack_builder {
	uaddr_t sp;
	int err;
};

static uaddr_t push_bytes(struct stack_builder *sb, const void *p, size_t n)
{
	sb->sp -= n;
	if (!sb->err && copy_to_user(sb->sp, p, n))
		sb->err = -EFAULT;
	return sb->sp;
}

static int build_stack(struct mm *mm, struct argbuf *a, const char *execfn,
		       struct elf_image *im, uaddr_t interp_base, uaddr_t *sp_out)
{
	struct stack_builder sb = { USER_STACK_TOP, 0 };
	struct cred *c = &current->proc->cred;
	uaddr_t execfn_u, random_u, platform_u, strings_top;
	u64 rnd[2], *vec;
	int n = 0, nvec;
	long r;

	r = do_mmap(mm, USER_STACK_TOP - USER_STACK_MAX, USER_STACK_MAX, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return r;
	mm->stack_top = USER_STACK_TOP;
	execfn_u = push_bytes(&sb, execfn, strlen(execfn) + 1);
	strings_top = sb.sp;
	push_bytes(&sb, a->buf, a->len);
	mm->arg_start = sb.sp;
	mm->env_end = strings_top;
	host_getrandom(rnd, sizeof(rnd));
	platform_u = push_bytes(&sb, "x86_64", 7);
	random_u = push_bytes(&sb, rnd, sizeof(rnd));
	/* argc, argv[], NULL, envp[], NULL, auxv pairs: 16-byte aligned at argc. */
	nvec = 1 + a->argc + 1 + a->envc + 1 + 2 * 20;
	vec = kzalloc(nvec * 8);
	if (!vec)
		return -ENOMEM;
	vec[n++] = a->argc;
	{
		uaddr_t s = mm->arg_start;
		for (int i = 0; i < a->argc + a->envc; i++) {
			if (i == a->argc) {
				vec[n++] = 0;	/* end of argv */
				mm->arg_end = mm->env_start = s;
			}
			vec[n++] = s;
			s += strlen(argbuf_str(a, i)) + 1;
		}
		if (!a->envc) {
			vec[n++] = 0;	/* end of argv */
			mm->arg_end = mm->env_start = s;
		}
	}
	vec[n++] = 0;	/* end of envp */
#define AUX(k, v) do { vec[n++] = (k); vec[n++] = (v); } while (0)
	AUX(AT_PHDR, im->phdr_addr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, im->eh.e_phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, im->entry);
	AUX(AT_UID, c->uid);
	AUX(AT_EUID, c->euid);
	AUX(AT_GID, c->gid);
	AUX(AT_EGID, c->egid);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random_u);
	AUX(AT_HWCAP, 0x178bfbff);
	AUX(AT_HWCAP2, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, platform_u);
	AUX(AT_EXECFN, execfn_u);
	AUX(AT_MINSIGSTKSZ, 2048);
	AUX(AT_NULL, 0);
#undef AUX
	sb.sp = ALIGN_DOWN(sb.sp - n * 8, 16);
	if (!sb.err && copy_to_user(sb.sp, vec, n * 8))
		sb.err = -EFAULT;
	kfree(vec);
	*sp_out = sb.sp;
	return sb.err;
}

/* --- execve --- */

static int read_header(struct file *f, u8 *buf)
{
	long n = kernel_pread(f, buf, BINPRM_BUF, 0);

	if (n >= 0 && n < BINPRM_BUF)
		memset(buf + n, 0, BINPRM_BUF - n);
	return n;
}

/* Rewrite argv for "#!interp [arg]": interp, [arg], path, argv[1..]. */
static int script_args(struct argbuf *a, const u8 *hdr, const char *path, char **interp)
{
	char line[BINPRM_BUF];
	struct argbuf na = { 0 };
	char *p, *arg = NULL, *end;
	int r, i;

	memcpy(line, hdr + 2, BINPRM_BUF - 2);
	line[BINPRM_BUF - 3] = 0;
	end = strchr(line, '\n');
	if (end)
		*end = 0;
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	for (end = p; *end && *end != ' ' && *end != '\t'; end++)
		;
	if (*end) {
		*end++ = 0;
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end) {
			char *t = end + strlen(end);
			while (t > end && (t[-1] == ' ' || t[-1] == '\t'))
				*--t = 0;
			arg = end;
		}
	}
	*interp = kstrdup(p);
	if (!*interp)
		return -ENOMEM;
	if ((r = argbuf_add(&na, p, strlen(p))))
		goto out;
	if (arg && (r = argbuf_add(&na, arg, strlen(arg))))
		goto out;
	if ((r = argbuf_add(&na, path, strlen(path))))
		goto out;
	na.argc = arg ? 3 : 2;
	for (i = 1; i < a->argc + a->envc; i++) {
		const char *s = argbuf_str(a, i);
		if ((r = argbuf_add(&na, s, strlen(s))))
			goto out;
		if (i < a->argc)
			na.argc++;
		else
			na.envc++;
	}
	if (a->argc == 0)	/* no argv[0] to drop: nothing was skipped above */
		na.envc = a->envc;
	kfree(a->buf);
	*a = na;
	return 0;
out:
	kfree(na.buf);
	return r;
}

static const struct fxregs fx_default = { .cwd = 0x37f, .mxcsr = 0x1f80, .mxcsr_mask = 0xffff };

/* Load f (already open, header in hdr) into a new mm and switch current to it. */
static long exec_image(struct file *f, const u8 *hdr, long hlen, struct argbuf *a,
		       const char *path)
{
	struct proc *p = current->proc;
	struct elf_image im = { 0 }, ii = { 0 };
	struct file *interp = NULL;
	struct mm *old = p->mm, *mm;
	uaddr_t sp = 0;
	char *ipath = NULL;
	long r;

	r = elf_read_headers(f, &im, hdr, hlen);
	if (r)
		goto out;
	for (int i = 0; i < im.eh.e_phnum; i++) {
		Elf64_Phdr *ph = &im.ph[i];
		u8 ih[BINPRM_BUF];

		if (ph->p_type != PT_INTERP)
			continue;
		if (ph->p_filesz < 2 || ph->p_filesz > PATH_MAX) {
			r = -ENOEXEC;
			goto out;
		}
		ipath = kmalloc(ph->p_filesz + 1);
		if (!ipath || kernel_pread(f, ipath, ph->p_filesz, ph->p_offset) != (long)ph->p_filesz) {
			r = ipath ? -EIO : -ENOMEM;
			goto out;
		}
		ipath[ph->p_filesz] = 0;
		interp = vfs_open_exec(ipath);
		if (IS_ERR(interp)) {
			r = PTR_ERR(interp);
			interp = NULL;
			goto out;
		}
		r = read_header(interp, ih);
		if (r < 0 || (r = elf_read_headers(interp, &ii, ih, r)))
			goto out;
		break;
	}
	mm = mm_create();
	if (!mm) {
		r = -ENOMEM;
		goto out;
	}
	/* Point of no return: from here a failure kills the process. */
	p->mm = mm;
	r = plat_mm_attach(current, old, mm);
	if (!r)
		r = elf_map(mm, f, &im, im.eh.e_type == ET_DYN ? PIE_BASE : 0);
	if (!r && interp)
		r = elf_map(mm, interp, &ii, 0);
	if (!r)
		r = build_stack(mm, a, path, &im, interp ? ii.bias + 0 : 0, &sp);
	if (r) {
		mm_put(old);
		pr_warn("execve %s: failed after the point of no return (%ld)", path, r);
		do_exit_group(W_EXITCODE(0, SIGSEGV));
	}
	mm->brk_start = mm->brk = im.end_brk;
	vfork_release(p);
	mm_put(old);
	files_close_on_exec(p->files);
	signals_exec(p);
	p->exec_done = true;
	{
		const char *base = strrchr(path, '/');
		strlcpy(p->comm, base ? base + 1 : path, sizeof(p->comm));
		char buf[PATH_MAX];
		long n = file_path(f, buf, sizeof(buf));
		kfree(p->exe_path);
		p->exe_path = kstrdup(n > 0 ? buf : path);
	}
	memset(&current->regs, 0, sizeof(current->regs));
	current->regs.rip = interp ? ii.entry : im.entry;
	current->regs.rsp = sp;
	current->regs.cs = 0x33;
	current->regs.ss = 0x2b;
	current->regs.eflags = 0x202;
	current->altstack_sp = current->altstack_size = 0;
	current->altstack_flags = SS_DISABLE;
	plat_set_fpu(current, &fx_default);
	r = 0;
out:
	kfree(im.ph);
	kfree(ii.ph);
	kfree(ipath);
	if (interp)
		file_put(interp);
	return r;
}

static long execve_common(const char *path, struct argbuf *a)
{
	char *interp = NULL, *cur = kstrdup(path);
	u8 hdr[BINPRM_BUF];
	long r = -ENOMEM;

	for (int depth = 0; cur; depth++) {
		struct file *f;

		if (depth > MAX_INTERP_DEPTH) {
			r = -ELOOP;
			break;
		}
		f = vfs_open_exec(cur);
		if (IS_ERR(f)) {
			r = PTR_ERR(f);
			break;
		}
		r = read_header(f, hdr);
		if (r >= 2 && hdr[0] == '#' && hdr[1] == '!') {
			file_put(f);
			r = script_args(a, hdr, cur, &interp);
			if (r)
				break;
			kfree(cur);
			cur = interp;
			interp = NULL;
			continue;
		}
		if (r >= 0)
			r = exec_image(f, hdr, r, a, path);
		file_put(f);
		break;
	}
	kfree(cur);
	return r;
}

long sys_execve(uaddr_t upath, uaddr_t uargv, uaddr_t uenvp)
{
	struct argbuf a = { 0 };
	char *path = getname(upath);
	long r;

	if (IS_ERR(path))
		return PTR_ERR(path);
	r = copy_strings_user(&a, uargv, &a.argc);
	if (!r)
		r = copy_strings_user(&a, uenvp, &a.envc);
	if (!r && a.argc == 0) {
		/* Linux >= 5.18 passes an empty argv[0] when argv is empty. */
		struct argbuf b = { 0 };
		r = argbuf_add(&b, "", 0);
		for (int i = 0; !r && i < a.envc; i++)
			r = argbuf_add(&b, argbuf_str(&a, i), strlen(argbuf_str(&a, i)));
		b.argc = 1;
		b.envc = a.envc;
		kfree(a.buf);
		a = b;
	}
	if (!r)
		r = execve_common(path, &a);
	kfree(a.buf);
	kfree(path);
	return r;
}

long sys_execveat(int dirfd, uaddr_t upath, uaddr_t uargv, uaddr_t uenvp, int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (dirfd != AT_FDCWD_ || flags) {
		char c;
		if (get_user(c, upath))
			return -EFAULT;
		if (c != '/')
			return -ENOSYS;
	}
	return sys_execve(upath, uargv, uenvp);
}

long kernel_execve(const char *path, const char *const *argv, const char *const *envp)
{
	struct argbuf a = { 0 };
	long r = 0;

	for (; !r && argv && argv[a.argc]; a.argc++)
		r = argbuf_add(&a, argv[a.argc], strlen(argv[a.argc]));
	for (; !r && envp && envp[a.envc]; a.envc++)
		r = argbuf_add(&a, envp[a.envc], strlen(envp[a.envc]));
	if (!r)
		r = execve_common(path, &a);
	kfree(a.buf);
	return r;
}
