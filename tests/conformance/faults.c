/* Hardware faults: SIGSEGV, SIGFPE, SIGILL, SIGTRAP, their si_code/si_addr, and context edits. */
#include "common.h"
#include <sys/resource.h>
#include <ucontext.h>

static volatile int zero = 0;
static volatile int minus1 = -1;

__attribute__((noinline)) static int divide(int a, int b)
{
	return a / b;
}

static const char *in_child(int what)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		switch (what) {
		case 0: *(volatile int *)0 = 1; break;
		case 1: printf("%d\n", divide(1, zero)); break;
		case 2: __asm__ volatile("ud2"); break;
		case 3: __asm__ volatile("int3"); break;
		case 4: __asm__ volatile("hlt"); break;
		case 5: printf("%d\n", divide(INT_MIN, minus1)); break;
		case 6: *(volatile int *)0xffff800000000000UL = 1; break;
		case 7: *(volatile int *)0x8000000000000000UL = 1; break;
		}
		_exit(0);
	}
	return wstatus(reap(pid));
}

/* ud2 handler that skips the instruction and changes %rax */
static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

static volatile int depth;

__attribute__((noinline)) static int recurse(int n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	depth++;
	if (n == -1)
		return 0;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	/* default actions */
	const char *what[] = { "NULL write", "divide by zero", "ud2", "int3", "hlt", "INT_MIN/-1",
			       "kernel address", "non-canonical address" };
	for (int i = 0; i < 8; i++)
		printf("%-22s -> %s\n", what[i], in_child(i));

	/* caught: signal, si_code, si_addr */
	fault_catch();
	printf("read NULL: %s\n", touch(NULL, 0));
	printf("write 0x1000: %s\n", touch((void *)0x1000, 1));
	printf("read kernel address: %s\n", touch((void *)0xffffffffff600000UL - 0x100000000UL, 0));
	conf_fault_sig = 0;
	if (sigsetjmp(conf_fault_jb, 1) == 0)
		printf("%d\n", divide(7, zero));
	printf("divide by zero: %s/%s\n", signame(conf_fault_sig), sicode_name(conf_fault_sig, conf_fault_code));
	static void *volatile ud2_addr;
	conf_fault_sig = 0;
	if (sigsetjmp(conf_fault_jb, 1) == 0) {
		void *a;
		__asm__ volatile("lea 0f(%%rip), %0\n\t"
				 "mov %0, %1\n\t"
				 "0: ud2" : "=&r"(a), "=m"(ud2_addr));
	}
	printf("ud2: %s/%s addr_ok=%d\n", signame(conf_fault_sig),
	       sicode_name(conf_fault_sig, conf_fault_code), conf_fault_addr == ud2_addr);

	/* a handler can edit the interrupted context: rt_sigreturn restores it */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = skip_ud2;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	long rax;
	__asm__ volatile("mov $1, %%rax\n\tud2\n\tmov %%rax, %0" : "=r"(rax) : : "rax");
	printf("after skipped ud2: rax=%ld\n", rax);

	/* a fault while its signal is blocked kills, even with a handler */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		fault_catch();
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	printf("fault with SIGSEGV blocked: %s\n", wstatus(reap(pid)));
	/* ...or ignored */
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGSEGV, SIG_IGN);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	printf("fault with SIGSEGV ignored: %s\n", wstatus(reap(pid)));
	/* stack overflow */
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 }, stk = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_CORE, &nocore);
		setrlimit(RLIMIT_STACK, &stk);
		recurse(0);
		_exit(0);
	}
	printf("stack overflow: %s\n", wstatus(reap(pid)));
	return 0;
}
