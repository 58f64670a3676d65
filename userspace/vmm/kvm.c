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
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/log.h"
#include "userspace/vmm/bootinfo.h"
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
	int ret;

	ret = kvm_gmem_create(&vm->mem, mem_size, err);
	if (ret < 0)
		return ret;
	ret = kvm_gmem_add_slot(&vm->mem, vm->vm_fd, err);
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

/* Wait until something stops the VM; false when the timeout passed first. */
static bool wait_stopped(struct quark_kvm_vm *vm)
{
	struct timespec dl;
	bool stopped;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += vm->timeout_ms / 1000;
	dl.tv_nsec += (long)(vm->timeout_ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&vm->lock);
	while (!vm->stopping) {
		if (!vm->timeout_ms)
			pthread_cond_wait(&vm->cond, &vm->lock);
		else if (pthread_cond_timedwait(&vm->cond, &vm->lock, &dl) == ETIMEDOUT)
			break;
	}
	stopped = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return stopped;
}

static int timeout_error(struct quark_kvm_vm *vm, quark_error_t *err)
{
	cleanup_free char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);

	for (unsigned i = 0; f && i < vm->ncpus; i++) {
		cleanup_free char *d = kvm_vcpu_dump(&vm->vcpus[i]);

		fputs(d ? d : "", f);
	}
	if (f)
		fclose(f);
	return quark_make_error(err, 0, "kvm: the guest did not shut down within %u ms\n%s",
				vm->timeout_ms, all ? all : "");
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
	quark_log(QUARK_LOG_DEBUG, "kvm: VM exits: %s", line);
}

int quark_kvm_run(struct quark_kvm_vm *vm, int *wstatus, quark_error_t *err)
{
	bool stopped;
	int ret;

	if (vm->ran)
		return quark_make_error(err, 0, "kvm: a VM runs only once");
	vm->ran = true;
	ret = kvm_vcpus_start(vm, err);
	if (ret < 0)
		return ret;
	stopped = wait_stopped(vm);
	kvm_vcpus_stop(vm);
	log_stats(vm);
	if (vm->err) {
		*err = steal_ptr(&vm->err);
		return (*err)->status ? -(*err)->status : -EINVAL;
	}
	if (!stopped)
		return timeout_error(vm, err);
	if (!vm->have_status)
		return quark_make_error(err, 0, "kvm: the VM stopped without a status");
	*wstatus = vm->wstatus;
	return 0;
}

void quark_kvm_get_stats(const struct quark_kvm_vm *vm, struct quark_kvm_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < vm->ncpus; i++)
		for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS; r++)
			st->exits[r] += vm->vcpus[i].exits[r];
	for (unsigned r = 0; r < QUARK_KVM_EXIT_SLOTS; r++)
		st->total += st->exits[r];
}

void quark_kvm_destroy(struct quark_kvm_vm *vm)
{
	if (vm->ran)
		kvm_vcpus_stop(vm);	/* no-op after quark_kvm_run; joins threads otherwise */
	for (unsigned i = 0; i < vm->ncpus; i++)
		kvm_vcpu_destroy(&vm->vcpus[i]);
	free(vm->cpuid);
	kvm_gmem_destroy(&vm->mem);
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
