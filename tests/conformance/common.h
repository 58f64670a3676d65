/* Shared helpers for the conformance programs in tests/conformance/.
 *
 * Every program prints deterministic lines only: results of calls with errno
 * names, never pids, addresses, times, inode numbers or host paths. The same
 * binary is run natively and under the runtime; stdout and exit status must be
 * identical. Programs must work with any cwd (an empty scratch directory) and
 * use relative paths only (plus /dev/null, /dev/zero, /dev/urandom).
 *
 * Builds with glibc (gcc -static) and musl (musl-gcc -static): no <linux/...>
 * headers (musl-gcc does not see them); constants are defined here instead.
 */
#ifndef QUARK_CONFORMANCE_COMMON_H
#define QUARK_CONFORMANCE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))

static const char *const conf_errnames[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO", [7] =
	"E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM",
	[13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY", [17] = "EEXIST", [18] =
	"EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE",
	[24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY", [27] = "EFBIG", [28] = "ENOSPC", [29] =
	"ESPIPE", [30] = "EROFS", [31] = "EMLINK", [32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35]
	= "EDEADLK", [36] = "ENAMETOOLONG", [37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40]
	= "ELOOP", [42] = "ENOMSG", [43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] =
	"EL3HLT", [47] = "EL3RST", [48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT",
	[52] = "EBADE", [53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] =
	"EBADSLT", [59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
	[64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV", [69] =
	"ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT", [74] =
	"EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG", [79] =
	"ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC", [84] =
	"EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK", [89] =
	"EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT", [93] =
	"EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "EOPNOTSUPP", [96] = "EPFNOSUPPORT", [97] =
	"EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL", [100] = "ENETDOWN", [101] =
	"ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED", [104] = "ECONNRESET", [105] =
	"ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN", [108] = "ESHUTDOWN", [109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT", [111] = "ECONNREFUSED", [112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114]
	= "EALREADY", [115] = "EINPROGRESS", [116] = "ESTALE", [117] = "EUCLEAN", [118] = "ENOTNAM",
	[119] = "ENAVAIL", [120] = "EISNAM", [121] = "EREMOTEIO", [122] = "EDQUOT", [123] =
	"ENOMEDIUM", [124] = "EMEDIUMTYPE", [125] = "ECANCELED", [126] = "ENOKEY", [127] =
	"EKEYEXPIRED", [128] = "EKEYREVOKED", [129] = "EKEYREJECTED", [130] = "EOWNERDEAD", [131] =
	"ENOTRECOVERABLE", [132] = "ERFKILL", [133] = "EHWPOISON",
};

/* Name of an errno value, e.g. "ENOENT"; never the locale's message. */
static UNUSED const char *errname(int e)
{
	static char buf[32];
	if (e == 0)
		return "0";
	if (e > 0 && (size_t)e < ARRAY_SIZE(conf_errnames) && conf_errnames[e])
		return conf_errnames[e];
	snprintf(buf, sizeof buf, "E#%d", e);
	return buf;
}

static const char *const conf_signames[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* Name of a signal number; real-time signals by kernel number ("SIG34"),
 * because glibc and musl reserve a different number of them. */
static UNUSED const char *signame(int s)
{
	static char buf[2][16];
	static int which;
	if (s > 0 && (size_t)s < ARRAY_SIZE(conf_signames) && conf_signames[s])
		return conf_signames[s];
	which ^= 1;
	snprintf(buf[which], sizeof buf[which], "SIG%d", s);
	return buf[which];
}

/* A wait status as text: "exit 3", "signal SIGKILL", "stopped SIGSTOP", "continued".
 * The core-dump flag is deliberately not shown (it depends on host settings). */
static UNUSED const char *wstatus(int st)
{
	static char buf[2][48];
	static int which;
	which ^= 1;
	if (WIFEXITED(st))
		snprintf(buf[which], sizeof buf[which], "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf[which], sizeof buf[which], "signal %s", signame(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		snprintf(buf[which], sizeof buf[which], "stopped %s", signame(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		snprintf(buf[which], sizeof buf[which], "continued");
	else
		snprintf(buf[which], sizeof buf[which], "status 0x%x", st);
	return buf[which];
}

static UNUSED void conf_report(const char *expr, long r, int e)
{
	if (r == -1)
		printf("%s = -1 %s\n", expr, errname(e));
	else
		printf("%s = %ld\n", expr, r);
}

/* CHECK(expr): evaluate with errno cleared, print "expr = value" or
 * "expr = -1 ENAME"; yields the value. Use only where the value is
 * deterministic (byte counts, fd numbers, 0/-1). */
#define CHECK(...) ({                                            \
	errno = 0;                                               \
	long _cr = (long)(__VA_ARGS__);                           \
	int _ce = errno;                                          \
	conf_report(#__VA_ARGS__, _cr, _ce);                      \
	errno = _ce;                                              \
	_cr; })

/* CHECK_OK(expr): like CHECK but prints "ok" instead of a non-negative value
 * (for pids, addresses and other values that differ between runs). */
#define CHECK_OK(...) ({                                         \
	errno = 0;                                               \
	long _cr = (long)(__VA_ARGS__);                           \
	int _ce = errno;                                          \
	if (_cr == -1)                                            \
		printf("%s = -1 %s\n", #__VA_ARGS__, errname(_ce)); \
	else                                                      \
		printf("%s = ok\n", #__VA_ARGS__);                \
	errno = _ce;                                              \
	_cr; })

/* CHECK_ERR(expr): for calls that return an error number directly
 * (clock_nanosleep, posix_*): prints "expr = 0" or "expr = ENAME". */
#define CHECK_ERR(...) ({                                        \
	long _cr = (long)(__VA_ARGS__);                           \
	printf("%s = %s\n", #__VA_ARGS__, _cr ? errname((int)_cr) : "0"); \
	_cr; })

/* CHECK_PTR(expr): for mmap/mremap/sbrk style calls returning a pointer or
 * MAP_FAILED ((void *)-1): prints "ok" or the errno name. */
#define CHECK_PTR(...) ({                                        \
	errno = 0;                                               \
	void *_cp = (void *)(__VA_ARGS__);                        \
	int _ce = errno;                                          \
	if (_cp == (void *)-1)                                    \
		printf("%s = MAP_FAILED %s\n", #__VA_ARGS__, errname(_ce)); \
	else                                                      \
		printf("%s = ok\n", #__VA_ARGS__);                \
	errno = _ce;                                              \
	_cp; })

/* EXPECT(cond): prints "cond: yes" or "cond: NO". */
#define EXPECT(...) \
	printf("%s: %s\n", #__VA_ARGS__, (__VA_ARGS__) ? "yes" : "NO")

/* Print a raw syscall result (-errno style via syscall(2) returns -1/errno). */
#define SAY(...) printf(__VA_ARGS__)

/* Abort the program loudly when a setup step fails (not a tested result). */
#define MUST(...) ({                                             \
	errno = 0;                                               \
	long _mr = (long)(__VA_ARGS__);                           \
	if (_mr == -1) {                                          \
		printf("SETUP FAILED line %d: %s: %s\n", __LINE__,  \
		       #__VA_ARGS__, errname(errno));             \
		_exit(99);                                        \
	}                                                         \
	_mr; })

/* Before main: unbuffered stdout (so fork never duplicates buffered output
 * and a crash loses nothing); then, unless CONF_KEEP is set in the
 * environment (a test re-executing itself to check what execve preserves),
 * every inherited fd above 2 is closed and all signal dispositions and the
 * signal mask are reset, so that the starting state is the same natively and
 * in a container whatever the harness left behind. */
__attribute__((constructor)) static void conf_init(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (getenv("CONF_KEEP") == NULL) {
		if (syscall(436 /* close_range */, 3U, ~0U, 0U) != 0) {
			for (int fd = 3; fd < 256; fd++)
				close(fd);
		}
		for (int s = 1; s < 65; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL); /* fails harmlessly for libc-reserved ones */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	errno = 0;
}

/* Small file helpers for tests (relative paths only). */
static UNUSED void put_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		printf("SETUP FAILED: create %s: %s\n", path, errname(errno));
		_exit(99);
	}
	size_t n = strlen(data);
	if (write(fd, data, n) != (ssize_t)n) {
		printf("SETUP FAILED: write %s\n", path);
		_exit(99);
	}
	close(fd);
}

/* Wait for a specific child and return its status (retrying on EINTR). */
static UNUSED int reap(pid_t pid)
{
	int st = 0;
	pid_t r;
	do
		r = waitpid(pid, &st, 0);
	while (r == -1 && errno == EINTR);
	if (r != pid) {
		printf("SETUP FAILED: waitpid: %s\n", errname(errno));
		_exit(99);
	}
	return st;
}

/* Sleep for ms milliseconds (restarting after signals). */
static UNUSED void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Write a string to fd 1 with one write(2): safe in signal handlers. */
static UNUSED void say_raw(const char *s)
{
	ssize_t UNUSED r = write(1, s, strlen(s));
}


/* Fault probing: touch(p, write) accesses one byte and reports "ok" or the
 * signal and si_code it raised ("SIGSEGV/MAPERR"), checking si_addr == p. */
static sigjmp_buf conf_fault_jb;
static volatile int conf_fault_sig, conf_fault_code;
static void *volatile conf_fault_addr;

static void conf_fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	conf_fault_sig = sig;
	conf_fault_code = si->si_code;
	conf_fault_addr = si->si_addr;
	siglongjmp(conf_fault_jb, 1);
}

static UNUSED void fault_catch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = conf_fault_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

static UNUSED const char *sicode_name(int sig, int code)
{
	static char buf[32];
	if (sig == SIGSEGV && code == 1) return "MAPERR";
	if (sig == SIGSEGV && code == 2) return "ACCERR";
	if (sig == SIGBUS && code == 1) return "ADRALN";
	if (sig == SIGBUS && code == 2) return "ADRERR";
	if (sig == SIGBUS && code == 3) return "OBJERR";
	if (sig == SIGFPE && code == 1) return "INTDIV";
	if (sig == SIGFPE && code == 2) return "INTOVF";
	if (sig == SIGILL && code == 1) return "ILLOPC";
	if (sig == SIGILL && code == 2) return "ILLOPN";
	if (code == 0x80) return "SI_KERNEL";
	if (code == 0) return "SI_USER";
	if (code == -6) return "SI_TKILL";
	snprintf(buf, sizeof buf, "code%d", code);
	return buf;
}

/* Returns "ok" or e.g. "SIGSEGV/ACCERR" (with "@wrong-addr" if si_addr != p). */
static UNUSED const char *touch(void *p, int write)
{
	static char buf[64];
	volatile char *vp = (volatile char *)p;
	conf_fault_sig = 0;
	if (sigsetjmp(conf_fault_jb, 1) == 0) {
		if (write)
			*vp = *vp;
		else
			(void)*vp;
		return "ok";
	}
	snprintf(buf, sizeof buf, "%s/%s%s", signame(conf_fault_sig),
		 sicode_name(conf_fault_sig, conf_fault_code),
		 conf_fault_addr == p ? "" : "@wrong-addr");
	return buf;
}

/* Like touch, but writes value v (so that the page content is known). */
static UNUSED const char *poke(void *p, char v)
{
	static char buf[64];
	volatile char *vp = (volatile char *)p;
	conf_fault_sig = 0;
	if (sigsetjmp(conf_fault_jb, 1) == 0) {
		*vp = v;
		return "ok";
	}
	snprintf(buf, sizeof buf, "%s/%s%s", signame(conf_fault_sig),
		 sicode_name(conf_fault_sig, conf_fault_code),
		 conf_fault_addr == p ? "" : "@wrong-addr");
	return buf;
}

#define PAGE 4096UL

#endif
