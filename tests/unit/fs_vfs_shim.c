/*
 * tests/unit/fs_vfs_shim.c - what qkernel's fs/ needs from the rest of the kernel,
 * for running it as an ordinary host process (tests/unit/fs_vfs.c): kmalloc on
 * malloc, user memory = the process's own memory (addresses below 4096 fault), pages
 * from posix_memalign with phys_base 0, one fake CPU and task, host calls = the
 * ptrace platform's raw syscalls. Anything that would sleep aborts the test.
 */
#include <qk/proc.h>
#include <qk/vfs.h>
#include <qk/host.h>
#include <qk/uaccess.h>
#include <qk/lib.h>
extern void *malloc(size_t);
extern void *calloc(size_t, size_t);
extern void free(void *);
extern int posix_memalign(void **, size_t, size_t);
extern void abort(void);

struct cpu cpus[MAX_CPUS];
int ncpus = 1;
int log_level = 2;
u8 *phys_base;
u64 phys_size;
const u64 user_addr_limit = 0x7fffffffffffULL;
LIST_HEAD(all_procs);
struct proc *init_proc;
int sig_sent;

struct cpu *this_cpu(void) { return &cpus[0]; }
void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void kfree(void *p) { free(p); }
static int npages;
paddr_t page_alloc(void) { void *p; if (posix_memalign(&p, 4096, 4096)) return 0; memset(p, 0, 4096); npages++; return (paddr_t)p; }
void page_put(paddr_t pa) { npages--; free((void *)pa); }
paddr_t pages_alloc(unsigned order) { void *p; size_t n = PAGE_SIZE << order; if (posix_memalign(&p, 4096, n)) return 0; memset(p, 0, n); return (paddr_t)p; }
void pages_free(paddr_t pa, unsigned order) { (void)order; free((void *)pa); }
u64 pmm_free_pages(void) { return 1000; }
u64 pmm_total_pages(void) { return 2000; }
void printk(int level, const char *fmt, ...) { char b[512]; va_list ap; int n; (void)level; va_start(ap, fmt); n = vsnprintf(b, sizeof b, fmt, ap); va_end(ap); host_write(2, b, n); if (n && b[n-1] != '\n') host_write(2, "\n", 1); }
void panic(const char *fmt, ...) { char b[512]; va_list ap; int n; va_start(ap, fmt); n = vsnprintf(b, sizeof b, fmt, ap); va_end(ap); host_write(2, "PANIC: ", 7); host_write(2, b, n); host_write(2, "\n", 1); abort(); __builtin_unreachable(); }
int copy_from_user(void *d, uaddr_t s, size_t n) { if (n && s < 4096) return -EFAULT; memcpy(d, (void *)s, n); return 0; }
int copy_to_user(uaddr_t d, const void *s, size_t n) { if (n && d < 4096) return -EFAULT; memcpy((void *)d, s, n); return 0; }
int copy_from_mm(struct mm *mm, void *d, uaddr_t s, size_t n) { (void)mm; return copy_from_user(d, s, n); }
const struct new_utsname *uts_get(void) { static struct new_utsname u = { .sysname = "Linux", .nodename = "localhost", .release = "6.1.0-qkernel" }; return &u; }
static char *gn(uaddr_t u, bool empty) { char *b; size_t l; if (u < 4096) return ERR_PTR(-EFAULT); l = strnlen((char *)u, PATH_MAX); if (l == PATH_MAX) return ERR_PTR(-ENAMETOOLONG); if (!l && !empty) return ERR_PTR(-ENOENT); b = kmalloc(PATH_MAX); memcpy(b, (char *)u, l + 1); return b; }
char *getname(uaddr_t u) { return gn(u, false); }
char *getname_empty_ok(uaddr_t u) { return gn(u, true); }
u64 clock_monotonic_ns(void) { return host_clock_ns(1); }
u64 clock_realtime_ns(void) { return host_clock_ns(0); }
u64 boot_time_ns(void) { return host_clock_ns(0) - 5000000000ULL; }
void waitq_init(struct waitq *wq) { list_init(&wq->waiters); }
void wake_up(struct task *t) { t->state = TASK_RUNNING; }
void wake_up_all(struct waitq *wq) { struct waiter *w; list_for_each_entry(w, &wq->waiters, node) wake_up(w->task); }
void schedule(void) { panic("schedule: test would block"); }
void timer_sleep_until(u64 d) { (void)d; panic("timer_sleep_until: test would block"); }
bool signal_pending(struct task *t) { (void)t; return false; }
long host_fd_wait(int fd, short ev) { (void)fd; (void)ev; return 0; }
int send_signal_task(struct task *t, int sig, siginfo_t *i) { (void)t; (void)i; sig_sent = sig; return 0; }
struct proc *proc_find(int pid) { struct proc *p; for_each_proc(p) if (p->pid == pid) return p; return NULL; }
