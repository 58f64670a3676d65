/* sigaltstack: set/query, SA_ONSTACK handlers run on it, SS_ONSTACK, EPERM/ENOMEM/EINVAL. */
#include "common.h"
#include <sys/resource.h>

static char *alt;
static size_t altsize = 65536;
static volatile int on_alt, flags_inside, change_inside, change_errno;

static void handler(int sig)
{
	(void)sig;
	volatile char local;
	on_alt = (char *)&local >= alt && (char *)&local < alt + altsize;
	stack_t cur;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
	stack_t n = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0 };
	change_inside = sigaltstack(&n, NULL);
	change_errno = errno;
}

static void overflow_handler(int sig)
{
	(void)sig;
	_exit(42);
}

__attribute__((noinline)) static int recurse(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	if (n == -1)
		return 0;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	stack_t st, old;
	CHECK(sigaltstack(NULL, &old));
	printf("initial flags=%s\n", old.ss_flags == SS_DISABLE ? "SS_DISABLE" : "other");
	alt = malloc(altsize);
	st.ss_sp = alt;
	st.ss_size = altsize;
	st.ss_flags = 0;
	CHECK(sigaltstack(&st, &old));
	CHECK(sigaltstack(NULL, &old));
	printf("set: flags=%d sp_ok=%d size_ok=%d\n", old.ss_flags, old.ss_sp == alt, old.ss_size == altsize);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	printf("SA_ONSTACK: on alt stack=%d flags inside=%s change inside=%d %s\n", on_alt,
	       flags_inside == SS_ONSTACK ? "SS_ONSTACK" : "other", change_inside,
	       change_inside ? errname(change_errno) : "");
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	printf("no SA_ONSTACK: on alt stack=%d flags inside=%d\n", on_alt, flags_inside);

	/* fork keeps the alternate stack */
	pid_t pid = fork();
	if (pid == 0) {
		stack_t c;
		sigaltstack(NULL, &c);
		_exit(c.ss_sp == alt && c.ss_flags == 0 ? 0 : 1);
	}
	printf("child has it: %s\n", wstatus(reap(pid)));

	/* errors */
	st.ss_size = 1024;
	CHECK(sigaltstack(&st, NULL));
	st.ss_size = altsize;
	st.ss_flags = 0x1234;
	CHECK(sigaltstack(&st, NULL));
	CHECK(syscall(SYS_sigaltstack, (void *)1, NULL));
	CHECK(syscall(SYS_sigaltstack, NULL, (void *)1));
	st.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&st, NULL));
	CHECK(sigaltstack(NULL, &old));
	printf("disabled: %d\n", old.ss_flags == SS_DISABLE);

	/* stack overflow caught on the alternate stack */
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 }, stk = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_CORE, &nocore);
		setrlimit(RLIMIT_STACK, &stk);
		stack_t s = { .ss_sp = alt, .ss_size = altsize, .ss_flags = 0 };
		sigaltstack(&s, NULL);
		struct sigaction o;
		memset(&o, 0, sizeof o);
		o.sa_handler = overflow_handler;
		o.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &o, NULL);
		recurse(0);
		_exit(0);
	}
	printf("overflow handled on alt stack: %s\n", wstatus(reap(pid)));
	return 0;
}
