/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm.c - /dev/kvm, the capabilities the VMM relies on, and one VM's lifetime:
 * create (memory, irqchip, kernel, boot info, tables, vCPUs), run (threads, wait for the
 * guest's shutdown, a failure or the timeout), destroy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/log.h"
#include "userspace/vmm/bootinfo.h"
#include "userspace/vmm/hostcall.h"
#include "userspace/vmm/kvm_internal.h"

/* Where KVM may put VMX's three real-mode TSS pages: inside the MMIO hole, never RAM. */
#define KVM_TSS_ADDR	0xfffbd000ULL
_Static_assert(KVM_TSS_ADDR >= QUARK_KVM_MEM_MAX, "TSS pages inside guest memory");

#define CAP(c, why) { c, #c, why }
static const struct { int cap; const char *name; const char *why; } needed_caps[] = {
	CAP(KVM_CAP_USER_MEMORY, "guest memory comes from a memfd"),
	CAP(KVM_CAP_SET_TSS_ADDR, "VMX needs its TSS pages placed outside guest memory"),
	CAP(KVM_CAP_IRQCHIP, "the LAPICs, IOAPIC and PIC are in the kernel"),
	CAP(KVM_CAP_EXT_CPUID, "CPUID comes from KVM_GET_SUPPORTED_CPUID"),
	CAP(KVM_CAP_MP_STATE, "APs start in long mode through KVM_SET_MP_STATE"),
	CAP(KVM_CAP_IMMEDIATE_EXIT, "vCPUs are stopped with kvm_run.immediate_exit"),
	CAP(KVM_CAP_IOEVENTFD, "the host-call doorbell port is an ioeventfd"),
	CAP(KVM_CAP_IRQFD, "host-call completions interrupt the guest through an irqfd"),
	CAP(KVM_CAP_IRQ_ROUTING, "the irqfd's GSI is routed as an MSI"),
};

static int check_caps(int kvm_fd, const char *dev, quark_error_t *err)
{
	int v = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);

	if (v != KVM_API_VERSION)
		return quark_make_error(err, v < 0 ? errno : 0, "%s: KVM API version %d, want %d",
					dev, v, KVM_API_VERSION);
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++)
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, needed_caps[i].cap) <= 0)
			return quark_make_error(err, 0, "%s lacks %s (needed because %s)", dev,
						needed_caps[i].name, needed_caps[i].why);
	return 0;
}

static unsigned max_vcpus(int kvm_fd)
{
	int n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (n <= 0)
		n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (n <= 0)
		n = 4;	/* the API documents this default when neither is reported */
	return n < QUARK_KVM_MAX_VCPUS ? (unsigned)n : QUARK_KVM_MAX_VCPUS;
}

static int kvm_open(const char *dev, int *out, quark_error_t *err)
{
	cleanup_close int fd = open(dev, O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return quark_make_error(err, errno, "open %s", dev);
	ret = check_caps(fd, dev, err);
	if (ret < 0)
		return ret;
	*out = steal_fd(&fd);
	return 0;
}

int quark_kvm_check(const char *dev, unsigned *maxv, quark_error_t *err)
{
	cleanup_close int fd = -1;
	int ret;

	ret = kvm_open(dev ? dev : "/dev/kvm", &fd, err);
	if (ret < 0)
		return ret;
	if (maxv)
		*maxv = max_vcpus(fd);
	return 0;
}

static struct quark_kvm_vm *vm_alloc(const struct quark_kvm_opts *o, unsigned ncpus)
{
	struct quark_kvm_vm *vm = calloc(1, sizeof(*vm));
	pthread_condattr_t ca;

	if (!vm)
		return NULL;
	vm->vcpus = calloc(ncpus, sizeof(vm->vcpus[0]));
	if (!vm->vcpus) {
		free(vm);
		return NULL;
	}
	vm->kvm_fd = vm->vm_fd = vm->mem.fd = -1;
	vm->hc_doorbell_fd = vm->hc_irq_fd = -1;
	vm->kmod = (struct kvm_kmod){ .dev_fd = -1, .shm_fd = -1 };
	vm->hc_signal_fd = o->signal_fd;
	if (o->nhost_fds) {
		vm->hc_fds = calloc(o->nhost_fds, sizeof(int));
		if (!vm->hc_fds) {
			free(vm->vcpus);
			free(vm);
			return NULL;
		}
		memcpy(vm->hc_fds, o->host_fds, o->nhost_fds * sizeof(int));
		vm->hc_nfds = o->nhost_fds;
	}
	vm->console_fd = o->console_fd;
	vm->timeout_ms = o->timeout_ms;
	vm->ncpus = ncpus;
	for (unsigned i = 0; i < ncpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].fd = -1;
	}
	pthread_mutex_init(&vm->lock, NULL);
	/* Monotonic, so the run timeout does not move with the wall clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	return vm;
}

static void vm_freep(struct quark_kvm_vm **vm)
{
	if (*vm)
		quark_kvm_destroy(*vm);
}
#define cleanup_vm __attribute__((cleanup(vm_freep)))

/* The VM fd with its irqchip: must exist before the first vCPU. */
static int vm_create_fd(struct quark_kvm_vm *vm, quark_error_t *err)
{
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (size < (int)sizeof(struct kvm_run))
		return quark_make_error(err, size < 0 ? errno : 0, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)size;
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		return quark_make_error(err, errno, "KVM_CREATE_VM");
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		return quark_make_error(err, errno, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return quark_make_error(err, errno, "KVM_CREATE_IRQCHIP");
	return 0;
}

/* Memory, then its contents: kernel, boot info, boot tables. */
static int vm_setup_memory(struct quark_kvm_vm *vm, const struct quark_kvm_opts *o,
			   uint64_t mem_size, quark_error_t *err)
{
	const char *why = NULL;
	int ret;

	ret = kvm_gmem_create(&vm->mem, mem_size, err);
	if (ret < 0)
		return ret;
	if (kvm_kmod_open(&vm->kmod, &why) == 0)
		quark_log(QUARK_LOG_DEBUG, "kvm: host calls: quark.ko (ring in a /dev/quark shm, "
			  "the host-call thread waits in QUARK_IOC_WAIT)");
	else
		quark_log(QUARK_LOG_DEBUG, "kvm: host calls: memfd+eventfd (%s)", why);
	ret = kvm_gmem_add_slot(&vm->mem, vm->kmod.ring, vm->vm_fd, err);
	if (ret < 0)
		return ret;
	ret = kvm_load_elf(&vm->mem, o->kernel, o->kernel_len, &vm->entry, err);
	if (ret < 0)
		return ret;
	ret = kvm_load_boot_info(&vm->mem, o->boot_info, o->boot_info_len, err);
	if (ret < 0)
		return ret;
	return kvm_x86_build_tables(&vm->mem, err);
}

/* The host-call ring's KVM side: the ring zeroed, the doorbell port as an ioeventfd (a
 * guest OUT signals the eventfd inside KVM, no exit to our vCPU thread), and an irqfd on
 * GSI QUARK_KVM_HC_GSI routed as an MSI: fixed delivery, edge, vector QUARK_KVM_HC_VECTOR,
 * physical destination APIC id 0. The routing table then holds that one entry: the
 * guest has no IOAPIC or PIC devices whose routes it would need. */
static int vm_setup_hostcall(struct quark_kvm_vm *vm, quark_error_t *err)
{
	/* With quark.ko the ring is the shm behind memslot 1, not the memfd's bytes there. */
	uint8_t *ring = vm->kmod.ring ? vm->kmod.ring :
			gmem_ptr(&vm->mem, QUARK_KVM_HC_RING, QUARK_KVM_HC_RING_SIZE);
	int ret;
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} rt = { .r = { .nr = 1 } };
	struct kvm_ioeventfd io = { .addr = QUARK_KVM_PORT_HC_DOORBELL, .len = 4,
				    .flags = KVM_IOEVENTFD_FLAG_PIO };
	struct kvm_irqfd irq = { .gsi = QUARK_KVM_HC_GSI };

	_Static_assert(sizeof(struct quark_hc_ring) <= QUARK_KVM_HC_RING_SIZE, "ring region");
	if (!ring)
		return quark_make_error(err, 0, "kvm: guest memory too small for the host-call ring");
	memset(ring, 0, QUARK_KVM_HC_RING_SIZE);
	vm->hc_ring = (struct quark_hc_ring *)ring;
	vm->hc_doorbell_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->hc_irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->hc_doorbell_fd < 0 || vm->hc_irq_fd < 0)
		return quark_make_error(err, errno, "kvm: host-call eventfds");
	io.fd = vm->hc_doorbell_fd;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return quark_make_error(err, errno, "KVM_IOEVENTFD (host-call doorbell, port %#x)",
					QUARK_KVM_PORT_HC_DOORBELL);
	if (vm->kmod.dev_fd >= 0) {
		ret = kvm_kmod_bind(&vm->kmod, vm->hc_doorbell_fd, err);
		if (ret < 0)
			return ret;
	}
	rt.e[0] = (struct kvm_irq_routing_entry){
		.gsi = QUARK_KVM_HC_GSI, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000u | (0u << 12), .data = QUARK_KVM_HC_VECTOR },
	};
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, &rt) < 0)
		return quark_make_error(err, errno, "KVM_SET_GSI_ROUTING (host-call MSI on GSI %u)",
					QUARK_KVM_HC_GSI);
	irq.fd = (uint32_t)vm->hc_irq_fd;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irq) < 0)
		return quark_make_error(err, errno, "KVM_IRQFD (host-call completions, GSI %u)",
					QUARK_KVM_HC_GSI);
	return 0;
}

static int vm_start_hostcall(struct quark_kvm_vm *vm, quark_error_t *err)
{
	struct hc_server_opts o = {
		.gmem = vm->mem.base, .gmem_size = vm->mem.size, .ring_gpa = QUARK_KVM_HC_RING,
		.ring = vm->kmod.ring, .kmod_fd = vm->kmod.dev_fd,
		.doorbell_fd = vm->hc_doorbell_fd, .irq_fd = vm->hc_irq_fd,
		.host_fds = vm->hc_fds, .nhost_fds = vm->hc_nfds, .signal_fd = vm->hc_signal_fd,
		.kick = kvm_vcpu0_wake, .kick_arg = vm,
	};

	return hc_server_start(&o, &vm->hc, err);
}

static void vm_stop_hostcall(struct quark_kvm_vm *vm, FILE *state)
{
	struct hc_stats st;
	struct quark_kvm_stats *k = &vm->hc_stats;

	if (!vm->hc)
		return;
	hc_server_stop(vm->hc, &st, state);
	vm->hc = NULL;
	_Static_assert(sizeof(k->hc_calls) == sizeof(st.calls), "op counters");
	memcpy(k->hc_calls, st.calls, sizeof(st.calls));
	k->hc_doorbells = st.doorbells;
	k->hc_irqs = st.irqs;
	k->hc_sleeps = st.sleeps;
	k->hc_uring_sqes = st.uring_sqes;
	k->hc_events = st.events;
	k->hc_cpu_ns = st.cpu_ns;
	k->hc_lost_irqs = st.lost_irqs;
	if (st.lost_irqs || st.lost_doorbells)
		quark_log(QUARK_LOG_WARN, "kvm: lost wake-ups: %llu times the guest had not taken "
			  "completions for %d ms (vCPU 0 got an NMI), %llu times the host-call thread "
			  "had not taken requests (the doorbell was rung again)",
			  (unsigned long long)st.lost_irqs, HC_WATCH_MS,
			  (unsigned long long)st.lost_doorbells);
}

const char *quark_kvm_hc_op_name(unsigned op)
{
	return hc_op_name(op);
}

/* The VM's size comes from the boot info, the one description qkernel also reads. */
static int boot_info_size(const struct quark_kvm_opts *o, unsigned maxv, uint64_t *mem,
			  unsigned *ncpus, quark_error_t *err)
{
	const struct quark_boot_info *h = o->boot_info;
	int ret = quark_boot_validate(o->boot_info, o->boot_info_len, err);

	if (ret < 0)
		return ret;
	if (h->mem_size > QUARK_KVM_MEM_MAX)
		return quark_make_error(err, 0, "kvm: %llu MiB of guest memory; at most %llu MiB "
					"(memory above the 3 GiB MMIO hole is not supported yet)",
					(unsigned long long)(h->mem_size >> 20),
					QUARK_KVM_MEM_MAX >> 20);
	if (h->ncpus > maxv)
		return quark_make_error(err, 0, "kvm: %u vCPUs; at most %u here", h->ncpus, maxv);
	*mem = h->mem_size;
	*ncpus = h->ncpus;
	return 0;
}

int quark_kvm_create(const struct quark_kvm_opts *o, struct quark_kvm_vm **out,
		     quark_error_t *err)
{
	const char *dev = o->dev ? o->dev : "/dev/kvm";
	cleanup_close int kvm_fd = -1;
	cleanup_vm struct quark_kvm_vm *vm = NULL;
	unsigned ncpus = 0;
	uint64_t mem = 0;
	int ret;

	ret = kvm_open(dev, &kvm_fd, err);
	if (ret < 0)
		return ret;
	ret = boot_info_size(o, max_vcpus(kvm_fd), &mem, &ncpus, err);
	if (ret < 0)
		return ret;
	vm = vm_alloc(o, ncpus);
	if (!vm)
		return quark_make_error(err, ENOMEM, "allocate the VM");
	vm->kvm_fd = steal_fd(&kvm_fd);
	ret = vm_create_fd(vm, err);
	if (ret < 0)
		return ret;
	ret = kvm_x86_supported_cpuid(vm->kvm_fd, &vm->cpuid, err);
	if (ret < 0)
		return ret;
	ret = vm_setup_memory(vm, o, mem, err);
	if (ret < 0)
		return ret;
	ret = vm_setup_hostcall(vm, err);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < ncpus; i++) {
		ret = kvm_vcpu_create(vm, &vm->vcpus[i], i, err);
		if (ret < 0)
			return ret;
	}
	*out = steal_ptr(&vm);
	return 0;
}

void kvm_vm_stop_status(struct quark_kvm_vm *vm, int wstatus)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->stopping) {
		vm->stopping = true;
		vm->have_status = true;
		vm->wstatus = wstatus;
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

void kvm_vm_stop_error(struct quark_kvm_vm *vm, quark_error_t *err)
{
	pthread_mutex_lock(&vm->lock);
	/* Errors after the stop are its consequences: the first cause is the one to report. */
	if (!vm->stopping && !vm->err) {
		vm->stopping = true;
		vm->err = *err;
		*err = NULL;
	}
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	quark_error_release(err);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until something stops the VM; false when timeout_ms (0: none) passed first.
 * Every HC_WATCH_MS meanwhile, the host-call watch (hc_server_watch). */
static bool wait_stopped(struct quark_kvm_vm *vm, unsigned timeout_ms)
{
	uint64_t end = mono_ms() + timeout_ms;
	bool stopped;

	pthread_mutex_lock(&vm->lock);
	while (!vm->stopping) {
		uint64_t now = mono_ms(), wake = now + HC_WATCH_MS;
		struct timespec dl;

		if (timeout_ms && now >= end)
			break;
		if (timeout_ms && wake > end)
			wake = end;
		dl.tv_sec = (time_t)(wake / 1000);
		dl.tv_nsec = (long)(wake % 1000) * 1000000;
		if (pthread_cond_timedwait(&vm->cond, &vm->lock, &dl) == ETIMEDOUT && vm->hc) {
			pthread_mutex_unlock(&vm->lock);
			hc_server_watch(vm->hc);
			pthread_mutex_lock(&vm->lock);
		}
	}
	stopped = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return stopped;
}

static void log_stats(const struct quark_kvm_vm *vm)
{
	struct quark_kvm_stats st;
	char line[512];
	int n;

	if (quark_log_level() < QUARK_LOG_DEBUG)
		return;
	quark_kvm_get_stats(vm, &st);
	n = snprintf(line, sizeof(line), "%llu", (unsigned long long)st.total);
	for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS && n > 0 && (size_t)n < sizeof(line); r++)
		if (st.exits[r])
			n += snprintf(line + n, sizeof(line) - n, ", %s %llu",
				      quark_kvm_exit_name(r), (unsigned long long)st.exits[r]);
	quark_log(QUARK_LOG_DEBUG, "kvm: VM exits to the VMM: %s; all VM exits (KVM's count): %llu",
		  line, (unsigned long long)st.kernel_exits);
	n = 0;
	for (unsigned op = 0; op <= QUARK_HC_OP_MAX && n >= 0 && (size_t)n < sizeof(line); op++)
		if (st.hc_calls[op])
			n += snprintf(line + n, sizeof(line) - n, "%s %llu, ",
				      op < QUARK_HC_OP_MAX ? quark_kvm_hc_op_name(op) : "bad op",
				      (unsigned long long)st.hc_calls[op]);
	if (n >= 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "doorbells %llu, interrupts %llu, sleeps %llu, "
			 "io_uring %llu, signal events %llu, thread CPU %llu us",
			 (unsigned long long)st.hc_doorbells, (unsigned long long)st.hc_irqs,
			 (unsigned long long)st.hc_sleeps, (unsigned long long)st.hc_uring_sqes,
			 (unsigned long long)st.hc_events, (unsigned long long)(st.hc_cpu_ns / 1000));
	quark_log(QUARK_LOG_DEBUG, "kvm: host calls: %s", line);
}

/* How long a guest gets to print its state after the timeout's NMI (QEMU TCG is slow). */
#define NMI_DUMP_MS	2000

/* After the timeout: the vCPUs (stopped) and the host-call ring, then the server stops. */
static int timeout_error(struct quark_kvm_vm *vm, quark_error_t *err)
{
	cleanup_free char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);

	for (unsigned i = 0; f && i < vm->ncpus; i++) {
		cleanup_free char *d = kvm_vcpu_dump(&vm->vcpus[i]);

		fputs(d ? d : "", f);
	}
	if (f) {
		vm_stop_hostcall(vm, f);
		fclose(f);
	}
	return quark_make_error(err, 0, "kvm: the guest did not shut down within %u ms\n%s",
				vm->timeout_ms, all ? all : "");
}

int quark_kvm_run(struct quark_kvm_vm *vm, int *wstatus, quark_error_t *err)
{
	bool stopped;
	int ret;

	if (vm->ran)
		return quark_make_error(err, 0, "kvm: a VM runs only once");
	vm->ran = true;
	ret = vm_start_hostcall(vm, err);
	if (ret < 0)
		return ret;
	ret = kvm_vcpus_start(vm, err);
	if (ret < 0) {
		vm_stop_hostcall(vm, NULL);
		return ret;
	}
	stopped = wait_stopped(vm, vm->timeout_ms);
	if (!stopped) {	/* qkernel's own account first (its NMI handler), then ours */
		if (vm->hc_ring)
			__atomic_store_n(&vm->hc_ring->nmi_dump, 1, __ATOMIC_RELEASE);
		kvm_vcpus_nmi(vm);
		wait_stopped(vm, NMI_DUMP_MS);
	}
	kvm_vcpus_stop(vm);
	if (!stopped && !vm->err)
		ret = timeout_error(vm, err);
	vm_stop_hostcall(vm, NULL);
	log_stats(vm);
	if (vm->err) {
		*err = steal_ptr(&vm->err);
		return (*err)->status ? -(*err)->status : -EINVAL;
	}
	if (!stopped)
		return ret;
	if (!vm->have_status)
		return quark_make_error(err, 0, "kvm: the VM stopped without a status");
	*wstatus = vm->wstatus;
	return 0;
}

void quark_kvm_get_stats(const struct quark_kvm_vm *vm, struct quark_kvm_stats *st)
{
	*st = vm->hc_stats;
	memset(st->exits, 0, sizeof(st->exits));
	st->total = 0;
	st->kernel_exits = 0;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS; r++)
			st->exits[r] += vm->vcpus[i].exits[r];
		if (vm->vcpus[i].fd >= 0)
			st->kernel_exits += kvm_vcpu_kernel_exits(&vm->vcpus[i]);
	}
	for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS; r++)
		st->total += st->exits[r];
}

void quark_kvm_destroy(struct quark_kvm_vm *vm)
{
	if (vm->ran)
		kvm_vcpus_stop(vm);	/* no-op after quark_kvm_run; joins threads otherwise */
	vm_stop_hostcall(vm, NULL);
	if (vm->hc_doorbell_fd >= 0)
		close(vm->hc_doorbell_fd);
	if (vm->hc_irq_fd >= 0)
		close(vm->hc_irq_fd);
	free(vm->hc_fds);
	for (unsigned i = 0; i < vm->ncpus; i++)
		kvm_vcpu_destroy(&vm->vcpus[i]);
	free(vm->cpuid);
	kvm_gmem_destroy(&vm->mem);
	kvm_kmod_close(&vm->kmod);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	quark_error_release(&vm->err);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	free(vm->vcpus);
	free(vm);
}
