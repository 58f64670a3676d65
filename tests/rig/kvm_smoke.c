/* tests/rig/kvm_smoke.c: proves that /dev/kvm in the rig VM is real, hardware-style KVM
 * (kvm_amd on QEMU's emulated SVM) and exercises the paths Quark-C's VMM uses: API version,
 * capabilities, a VM with a memslot, a vCPU in real mode doing port I/O and HLT, a vCPU booted
 * straight into 64-bit long mode through KVM_SET_SREGS (identity page tables, a real GDT that
 * the guest reloads its segments from, a higher-half alias), and a second VM with the in-kernel
 * irqchip, an irqfd, an ioeventfd doorbell (a port write that signals an eventfd without
 * exiting to userspace), an AP that has to be made runnable, and two vCPU threads (one halted
 * inside the kernel, one spinning) kicked out of KVM_RUN by a signal. Output: TAP. Built
 * static (-pthread).
 *
 *   kvm_smoke [/dev/kvm]
 *
 * Guest physical layout (2 MiB memslot at 0):
 *   0x1000 PML4 (entries 0 and 256 -> PDPT: identity and 0xffff800000000000 alias)
 *   0x2000 PDPT (entry 0 -> PD)      0x3000 PD (entry 0: one 2 MiB page at 0)
 *   0x4000 GDT: null, 0x08 code64, 0x10 data
 *   0x7000 spin counter (u64)
 *   0x8000 real-mode code            0x9000 long-mode code      0xa000 doorbell code
 *   0xb000 idle code (cli; hlt)
 *   stack top 0x20000
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE   0x200000UL
#define PML4_ADDR  0x1000
#define PDPT_ADDR  0x2000
#define PD_ADDR    0x3000
#define GDT_ADDR   0x4000
#define RM_CODE    0x8000
#define LM_CODE    0x9000
#define DB_CODE    0xa000
#define IDLE_CODE  0xb000
#define COUNTER    0x7000
#define STACK_TOP  0x20000
#define HIGH_BASE  0xffff800000000000ULL

#define PORT_RM      0x1234
#define PORT_LM      0x1235
#define PORT_HIGH    0x1236
#define PORT_BELL    0x1240
#define PORT_AFTER   0x1241

#define PLAN 28

/* Guest code, assembled by gcc's assembler into .rodata and copied into guest memory. */
extern const unsigned char rm_start[], rm_end[];
extern const unsigned char lm_start[], lm_end[];
extern const unsigned char db_start[], db_end[];
extern const unsigned char idle_start[], idle_end[];
__asm__(
	".pushsection .rodata\n"
	/* real mode (cs=0, ip=0x8000): out byte, out word, hlt */
	".code16\n"
	"rm_start:\n"
	"  mov $0x1234, %dx\n"
	"  mov $0x5a, %al\n"
	"  out %al, %dx\n"
	"  mov $0xbeef, %ax\n"
	"  out %ax, %dx\n"
	"  hlt\n"
	"rm_end:\n"
	".code64\n"
	/* long mode, entered directly at 0x9000 with cs=0x08 (hidden state from SREGS) */
	"lm_start:\n"
	"  mov $0x10, %eax\n"          /* reload data segments from the GDT */
	"  mov %eax, %ds\n"
	"  mov %eax, %es\n"
	"  mov %eax, %ss\n"
	"  pushq $0x08\n"               /* reload CS from the GDT with a far return */
	"  lea 1f(%rip), %rax\n"
	"  pushq %rax\n"
	"  lretq\n"
	"1:\n"
	"  movabs $0x123456789abcdef0, %rax\n" /* 64-bit arithmetic only works in long mode */
	"  shr $32, %rax\n"
	"  mov $0x1235, %dx\n"
	"  out %eax, %dx\n"             /* exit: port 0x1235, 4 bytes, 0x12345678 */
	"  movabs $(0xffff800000009000 + (2f - lm_start)), %rax\n"
	"  jmp *%rax\n"                 /* continue in the higher-half alias */
	"2:\n"
	"  mov $0x1236, %dx\n"
	"  mov $0xc0de, %ax\n"
	"  out %ax, %dx\n"              /* exit: port 0x1236 with rip in the higher half */
	"  hlt\n"
	"lm_end:\n"
	/* doorbell (long mode, 0xa000): ioeventfd port, then an ordinary port, then spin */
	"db_start:\n"
	"  mov $0x1240, %dx\n"
	"  mov $1, %al\n"
	"  out %al, %dx\n"              /* ioeventfd: no exit to userspace */
	"  mov $0x1241, %dx\n"
	"  mov $2, %al\n"
	"  out %al, %dx\n"              /* exit */
	"3: incq 0x7000\n"            /* then spin, counting, until kicked */
	"  pause\n"
	"  jmp 3b\n"
	"db_end:\n"
	/* idle (long mode, 0xb000): halt with interrupts off; with the in-kernel irqchip the
	 * vCPU blocks inside KVM_RUN instead of exiting */
	"idle_start:\n"
	"  cli\n"
	"4: hlt\n"
	"  jmp 4b\n"
	"idle_end:\n"
	".popsection\n");

static int test_no;
static int failures;

static void vtap(int ok, const char *fmt, va_list ap)
{
	printf("%s %d - ", ok ? "ok" : "not ok", ++test_no);
	vprintf(fmt, ap);
	printf("\n");
	if (!ok)
		failures++;
	fflush(stdout);
}

static int tap(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vtap(ok, fmt, ap);
	va_end(ap);
	return ok;
}

static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("Bail out! ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static void on_alarm(int sig) { (void)sig; }

struct vcpu {
	int fd;
	int id;
	struct kvm_run *run;
};

static const char *exit_name(unsigned r)
{
	static char buf[32];
	switch (r) {
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN (triple fault)";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_DEBUG: return "DEBUG";
	default: snprintf(buf, sizeof buf, "%u", r); return buf;
	}
}

static void dump_vcpu(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_run *run = v->run;
	diag("vcpu %d: exit reason %s", v->id, exit_name(run->exit_reason));
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		diag("  hardware_entry_failure_reason 0x%llx",
		     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		diag("  suberror %u, ndata %u", run->internal.suberror, run->internal.ndata);
		for (unsigned i = 0; i < run->internal.ndata && i < 16; i++)
			diag("  data[%u] 0x%llx", i, (unsigned long long)run->internal.data[i]);
	}
	if (run->exit_reason == KVM_EXIT_IO)
		diag("  io dir %u size %u port 0x%x count %u", run->io.direction, run->io.size,
		     run->io.port, run->io.count);
	if (ioctl(v->fd, KVM_GET_REGS, &r) == 0)
		diag("  rip 0x%llx rsp 0x%llx rax 0x%llx rdx 0x%llx rflags 0x%llx",
		     (unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rax,
		     (unsigned long long)r.rdx, (unsigned long long)r.rflags);
	if (ioctl(v->fd, KVM_GET_SREGS, &s) == 0)
		diag("  cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx cs sel 0x%x l %u db %u",
		     (unsigned long long)s.cr0, (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		     (unsigned long long)s.efer, s.cs.selector, s.cs.l, s.cs.db);
}

/* Run until the next exit to userspace; -1 when KVM_RUN itself failed (or timed out). */
static int run_vcpu(struct vcpu *v)
{
	alarm(60); /* TCG is slow, but a guest stuck in a loop must not hang the test */
	int r = ioctl(v->fd, KVM_RUN, 0);
	int e = errno;
	alarm(0);
	if (r < 0) {
		diag("vcpu %d: KVM_RUN: %s%s", v->id, strerror(e),
		     e == EINTR ? " (timed out: guest did not exit within 60 s)" : "");
		dump_vcpu(v);
		return -1;
	}
	return (int)v->run->exit_reason;
}

static uint64_t io_value(struct vcpu *v)
{
	uint64_t val = 0;
	memcpy(&val, (char *)v->run + v->run->io.data_offset, v->run->io.size);
	return val;
}

/* Check that the next exit is an OUT of `size` bytes `value` to `port`. */
static int expect_out(struct vcpu *v, unsigned port, unsigned size, uint64_t value,
		      const char *what)
{
	int r = run_vcpu(v);
	if (r != KVM_EXIT_IO) {
		if (r >= 0)
			dump_vcpu(v);
		return tap(0, "%s: expected KVM_EXIT_IO, got %s", what, r < 0 ? "error" : exit_name(r));
	}
	struct kvm_run *run = v->run;
	uint64_t got = io_value(v);
	int ok = run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port &&
		 run->io.size == size && run->io.count == 1 && got == value;
	if (!ok)
		dump_vcpu(v);
	return tap(ok, "%s: KVM_EXIT_IO out port 0x%x size %u value 0x%llx (got port 0x%x size %u value 0x%llx)",
		   what, port, size, (unsigned long long)value, run->io.port, run->io.size,
		   (unsigned long long)got);
}

static int expect_hlt(struct vcpu *v, const char *what)
{
	int r = run_vcpu(v);
	if (r >= 0 && r != KVM_EXIT_HLT)
		dump_vcpu(v);
	return tap(r == KVM_EXIT_HLT, "%s: KVM_EXIT_HLT (got %s)", what,
		   r < 0 ? "error" : exit_name(r));
}

static int create_vcpu(int kvm, int vm, int id, struct vcpu *v)
{
	v->id = id;
	v->fd = ioctl(vm, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		diag("KVM_CREATE_VCPU %d: %s", id, strerror(errno));
		return -1;
	}
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run)) {
		diag("KVM_GET_VCPU_MMAP_SIZE: %d (%s)", sz, strerror(errno));
		return -1;
	}
	v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		diag("mmap kvm_run: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Give the vCPU the CPUID KVM supports. 6.1 accepts EFER.LME through KVM_SET_SREGS even
 * without it, but the guest would see all-zero CPUID leaves (no LM, XSAVE, SMEP...). */
static int set_cpuid(int kvm, struct vcpu *v)
{
	int n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return -1;
	c->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		diag("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return -1;
	}
	int r = ioctl(v->fd, KVM_SET_CPUID2, c);
	if (r < 0)
		diag("KVM_SET_CPUID2: %s", strerror(errno));
	free(c);
	return r;
}

static void build_long_mode_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(mem + PD_ADDR);
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	memset(pd, 0, 0x1000);
	pml4[0] = PDPT_ADDR | 0x3;   /* present, writable */
	pml4[256] = PDPT_ADDR | 0x3; /* the same 512 GiB again at 0xffff800000000000 */
	pdpt[0] = PD_ADDR | 0x3;
	pd[0] = 0x0 | 0x83;          /* present, writable, 2 MiB page at 0 */

	uint64_t *gdt = (uint64_t *)(mem + GDT_ADDR);
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL; /* 0x08: 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffULL; /* 0x10: data, DPL 0 */
}

/* The segment/control state the VMM will use to boot qkernel directly in 64-bit mode. */
static int enter_long_mode(int kvm, struct vcpu *v, uint64_t rip)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	if (set_cpuid(kvm, v) < 0)
		return -1;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		diag("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11, /* exec/read, accessed */
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 3, /* read/write, accessed */
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = 3 * 8 - 1;
	s.cr3 = PML4_ADDR;
	s.cr4 = 1u << 5;                       /* PAE */
	s.cr0 = 0x80000000u | 0x10000u | 0x20u | 0x10u | 0x2u | 0x1u; /* PG WP NE ET MP PE */
	s.efer = (1u << 8) | (1u << 10);       /* LME | LMA */
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0) {
		diag("KVM_SET_SREGS (long mode): %s", strerror(errno));
		return -1;
	}
	memset(&r, 0, sizeof r);
	r.rip = rip;
	r.rsp = STACK_TOP;
	r.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
		diag("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A vCPU thread: one KVM_RUN, which only a signal (the kick) should end. */
struct runner {
	struct vcpu *v;
	pthread_t thread;
	volatile int done;
	int ret, err;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	r->ret = ioctl(r->v->fd, KVM_RUN, 0);
	r->err = errno;
	r->done = 1;
	return NULL;
}

static void on_kick(int sig) { (void)sig; }

static uint8_t *new_vm(int kvm, int *vm_out, int with_irqchip, const char *what)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (!tap(vm >= 0, "%s: KVM_CREATE_VM (%s)", what, vm >= 0 ? "ok" : strerror(errno)))
		bail("%s: KVM_CREATE_VM failed", what);
	*vm_out = vm;
	/* The in-kernel irqchip must exist before any vCPU. */
	if (with_irqchip) {
		int r = ioctl(vm, KVM_CREATE_IRQCHIP, 0);
		tap(r == 0, "%s: KVM_CREATE_IRQCHIP (%s)", what, r == 0 ? "ok" : strerror(errno));
	}
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		bail("mmap guest memory: %s", strerror(errno));
	struct kvm_userspace_memory_region region = {
		.slot = 0, .flags = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	int r = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region);
	tap(r == 0, "%s: KVM_SET_USER_MEMORY_REGION slot 0, %lu KiB at gpa 0 (%s)", what,
	    MEM_SIZE >> 10, r == 0 ? "ok" : strerror(errno));
	if (r != 0)
		bail("no guest memory");
	memcpy(mem + RM_CODE, rm_start, (size_t)(rm_end - rm_start));
	memcpy(mem + LM_CODE, lm_start, (size_t)(lm_end - lm_start));
	memcpy(mem + DB_CODE, db_start, (size_t)(db_end - db_start));
	memcpy(mem + IDLE_CODE, idle_start, (size_t)(idle_end - idle_start));
	build_long_mode_tables(mem);
	return mem;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/kvm";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("1..%d\n", PLAN);
	int kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (!tap(kvm >= 0, "open %s (%s)", dev, kvm >= 0 ? "ok" : strerror(errno)))
		bail("cannot open %s", dev);

	/* API version */
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (!tap(api == KVM_API_VERSION, "KVM_GET_API_VERSION is %d (got %d)", KVM_API_VERSION, api))
		bail("unexpected KVM API version");

	/* the capabilities the VMM requires */
	static const struct { int cap; const char *name; } caps[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
		{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	};
	for (unsigned i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		int r = ioctl(kvm, KVM_CHECK_EXTENSION, caps[i].cap);
		tap(r > 0, "KVM_CHECK_EXTENSION %s = %d", caps[i].name, r);
	}
	diag("KVM_CAP_NR_VCPUS %d, KVM_CAP_MAX_VCPUS %d, KVM_CAP_NR_MEMSLOTS %d, "
	     "KVM_CAP_EXT_CPUID %d, KVM_CAP_SET_TSS_ADDR %d, KVM_CAP_IMMEDIATE_EXIT %d",
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS),
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS),
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID),
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR),
	     ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT));

	/* a VM with one memslot */
	int vm;
	new_vm(kvm, &vm, 0, "vm1");

	/* vCPU 0 in real mode: out byte, out word, hlt */
	struct vcpu v0;
	if (!tap(create_vcpu(kvm, vm, 0, &v0) == 0, "vm1: KVM_CREATE_VCPU 0 and mmap of kvm_run"))
		bail("no vCPU");
	struct kvm_sregs s;
	struct kvm_regs r;
	if (ioctl(v0.fd, KVM_GET_SREGS, &s) < 0)
		bail("KVM_GET_SREGS: %s", strerror(errno));
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(v0.fd, KVM_SET_SREGS, &s) < 0)
		bail("KVM_SET_SREGS (real mode): %s", strerror(errno));
	memset(&r, 0, sizeof r);
	r.rip = RM_CODE;
	r.rflags = 0x2;
	r.rsp = 0x7000;
	if (ioctl(v0.fd, KVM_SET_REGS, &r) < 0)
		bail("KVM_SET_REGS: %s", strerror(errno));
	expect_out(&v0, PORT_RM, 1, 0x5a, "real mode");
	expect_out(&v0, PORT_RM, 2, 0xbeef, "real mode");
	expect_hlt(&v0, "real mode");

	/* vCPU 1 of the same VM, straight into 64-bit long mode */
	struct vcpu v1;
	int ok = create_vcpu(kvm, vm, 1, &v1) == 0 && enter_long_mode(kvm, &v1, LM_CODE) == 0;
	if (!tap(ok, "long mode: vCPU 1 with KVM_SET_CPUID2, KVM_SET_SREGS (CR0.PG|PE, CR4.PAE, "
		     "EFER.LME|LMA, CR3, GDT, CS.L) and KVM_SET_REGS"))
		bail("cannot set up the long-mode vCPU");
	expect_out(&v1, PORT_LM, 4, 0x12345678, "long mode (after reloading DS/ES/SS and CS from the GDT)");
	if (ioctl(v1.fd, KVM_GET_SREGS, &s) < 0)
		bail("KVM_GET_SREGS: %s", strerror(errno));
	tap((s.efer & (1u << 10)) && s.cs.l == 1 && s.cs.selector == 0x08 && s.ds.selector == 0x10 &&
		    s.ss.selector == 0x10,
	    "long mode: EFER.LMA set, CS.L=1, CS=0x08 and DS=SS=0x10 loaded by the guest "
	    "(efer 0x%llx cs 0x%x l %u ds 0x%x ss 0x%x)",
	    (unsigned long long)s.efer, s.cs.selector, s.cs.l, s.ds.selector, s.ss.selector);
	expect_out(&v1, PORT_HIGH, 2, 0xc0de, "long mode higher half");
	if (ioctl(v1.fd, KVM_GET_REGS, &r) < 0)
		bail("KVM_GET_REGS: %s", strerror(errno));
	tap(r.rip >= HIGH_BASE, "long mode: RIP in the higher-half alias (0x%llx)",
	    (unsigned long long)r.rip);
	expect_hlt(&v1, "long mode");

	/* vm2 with the in-kernel irqchip, irqfd, ioeventfd doorbell, an AP */
	int vm2;
	uint8_t *vm2_mem = new_vm(kvm, &vm2, 1, "vm2");
	int irq_efd = eventfd(0, EFD_CLOEXEC);
	struct kvm_irqfd irqfd = { .fd = (uint32_t)irq_efd, .gsi = 5 };
	int rr = ioctl(vm2, KVM_IRQFD, &irqfd);
	tap(irq_efd >= 0 && rr == 0, "vm2: KVM_IRQFD eventfd -> GSI 5 (%s)", rr == 0 ? "ok" : strerror(errno));
	int bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_ioeventfd ioev = {
		.addr = PORT_BELL, .len = 1, .fd = bell, .flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	rr = ioctl(vm2, KVM_IOEVENTFD, &ioev);
	tap(bell >= 0 && rr == 0, "vm2: KVM_IOEVENTFD on port 0x%x (%s)", PORT_BELL,
	    rr == 0 ? "ok" : strerror(errno));
	struct vcpu b0, ap;
	if (create_vcpu(kvm, vm2, 0, &b0) < 0 || create_vcpu(kvm, vm2, 1, &ap) < 0)
		bail("vm2: cannot create vCPUs");
	struct kvm_mp_state mp = { 0 };
	int mp_before = ioctl(ap.fd, KVM_GET_MP_STATE, &mp) == 0 ? (int)mp.mp_state : -1;
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	int mp_set = ioctl(ap.fd, KVM_SET_MP_STATE, &mp);
	struct kvm_mp_state mp2 = { 0 };
	int mp_after = ioctl(ap.fd, KVM_GET_MP_STATE, &mp2) == 0 ? (int)mp2.mp_state : -1;
	tap(mp_before == KVM_MP_STATE_UNINITIALIZED && mp_set == 0 &&
		    mp_after == KVM_MP_STATE_RUNNABLE,
	    "vm2: AP (vCPU 1) starts UNINITIALIZED with the in-kernel irqchip, KVM_SET_MP_STATE "
	    "makes it RUNNABLE (before %d, after %d)", mp_before, mp_after);
	if (enter_long_mode(kvm, &ap, DB_CODE) < 0)
		bail("vm2: cannot set up the AP in long mode");
	int ex = expect_out(&ap, PORT_AFTER, 1, 2,
			    "vm2 AP doorbell: the ioeventfd write did not exit, the next port did");
	uint64_t cnt = 0;
	ssize_t n = ex ? read(bell, &cnt, sizeof cnt) : -1;
	tap(n == (ssize_t)sizeof cnt && cnt == 1,
	    "vm2: doorbell eventfd signalled once by the guest's port write (read %zd, count %llu)",
	    n, (unsigned long long)cnt);

	/* Two vCPU threads: the BSP halts inside KVM_RUN (in-kernel HLT), the AP resumes its spin
	 * loop; after 2 s a SIGUSR1 to each thread must end both KVM_RUNs with EINTR (how the
	 * VMM kicks vCPUs), and the AP must have made progress meanwhile. */
	struct sigaction ka;
	memset(&ka, 0, sizeof ka);
	ka.sa_handler = on_kick;
	sigaction(SIGUSR1, &ka, NULL);
	uint8_t *mem2 = vm2_mem;
	uint64_t before = 0, after = 0;
	memcpy(&before, mem2 + COUNTER, sizeof before);
	if (enter_long_mode(kvm, &b0, IDLE_CODE) < 0)
		bail("vm2: cannot set up the BSP in long mode");
	struct runner rb = { .v = &b0 }, ra = { .v = &ap };
	if (pthread_create(&rb.thread, NULL, runner_main, &rb) ||
	    pthread_create(&ra.thread, NULL, runner_main, &ra))
		bail("pthread_create failed");
	sleep(2);
	int early = rb.done || ra.done;
	pthread_kill(rb.thread, SIGUSR1);
	pthread_kill(ra.thread, SIGUSR1);
	for (int i = 0; i < 300 && !(rb.done && ra.done); i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (i % 10 == 9) { /* a signal that raced with KVM_RUN's entry is retried */
			if (!rb.done) pthread_kill(rb.thread, SIGUSR1);
			if (!ra.done) pthread_kill(ra.thread, SIGUSR1);
		}
	}
	if (!(rb.done && ra.done)) {
		tap(0, "vm2: signal kicks both vCPU threads out of KVM_RUN (BSP done %d, AP done %d "
		       "after 30 s)", rb.done, ra.done);
		bail("vCPU threads stuck in KVM_RUN");
	}
	pthread_join(rb.thread, NULL);
	pthread_join(ra.thread, NULL);
	if (early) {
		diag("a vCPU left KVM_RUN before the kick:");
		if (rb.ret >= 0) dump_vcpu(&b0);
		if (ra.ret >= 0) dump_vcpu(&ap);
	}
	tap(!early && rb.ret < 0 && rb.err == EINTR && ra.ret < 0 && ra.err == EINTR,
	    "vm2: BSP halted in the kernel and AP spinning on two threads; a signal kicks both "
	    "out of KVM_RUN with EINTR (BSP %d/%s, AP %d/%s)", rb.ret, strerror(rb.err), ra.ret,
	    strerror(ra.err));
	memcpy(&after, mem2 + COUNTER, sizeof after);
	tap(after > before, "vm2: the AP ran guest code concurrently (spin counter %llu -> %llu)",
	    (unsigned long long)before, (unsigned long long)after);

	if (test_no != PLAN)
		diag("ran %d tests, planned %d", test_no, PLAN);
	return failures || test_no != PLAN ? 1 : 0;
}
