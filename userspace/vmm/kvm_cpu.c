/* SPDX-License-Identifier: MIT */
/*
 * vmm/kvm_cpu.c - vCPUs: one host thread each, KVM_RUN in a loop, one switch on the exit
 * reason, and one table of the I/O ports qkernel may use (uapi/quark/kvm_layout.h).
 *
 * Stopping: the stopper sets vm->stopping, then for each vCPU sets kvm_run.immediate_exit
 * and sends it KICK_SIGNAL. A thread inside KVM_RUN is interrupted by the signal; one about
 * to enter it returns at once because of immediate_exit; one parked on vm->cond is woken
 * by the broadcast. So no stop request is ever lost.
 *
 * APs are created with the VM but parked (their thread waits on vm->cond) until the BSP
 * writes their index to QUARK_KVM_PORT_CPU_START; they then enter qkernel in 64-bit mode
 * like the BSP, made runnable with KVM_SET_MP_STATE instead of INIT/SIPI.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/log.h"
#include "userspace/vmm/kvm_internal.h"

/* A real-time signal: SIGUSR1/2 are forwarded to the guest (the sandbox blocks them into a
 * signalfd), and a kick must never be taken for one. */
#define KICK_SIGNAL	(SIGRTMIN + 1)

/* Return values of exit handlers: keep running, or end this vCPU's loop. */
enum { VCPU_CONTINUE = 0, VCPU_DONE = 1 };

/* vcpu_fail - an error for this vCPU: the message, then a dump of its state. */
static int vcpu_fail(struct kvm_vcpu *v, quark_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int vcpu_fail(struct kvm_vcpu *v, quark_error_t *err, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	cleanup_free char *dump = kvm_vcpu_dump(v);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	return quark_make_error(err, 0, "vcpu %u: %s\n%s", v->id, n < 0 ? fmt : msg,
				dump ? dump : "");
}

static void console_flush(struct kvm_vcpu *v)
{
	ssize_t r;

	if (!v->line_len)
		return;
	r = write(v->vm->console_fd, v->line, v->line_len);
	(void)r;	/* a console that cannot be written must not stop the guest */
	v->line_len = 0;
}

/* Bytes to the console, one line per write so vCPUs' lines never interleave. */
static int port_console(struct kvm_vcpu *v, const uint8_t *data, uint32_t count,
			quark_error_t *err)
{
	(void)err;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t c = data[i];

		/* TRUST: guest bytes reach a host terminal or log: no control sequences. */
		if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			c = '?';
		v->line[v->line_len++] = (char)c;
		if (c == '\n' || v->line_len == sizeof(v->line))
			console_flush(v);
	}
	return VCPU_CONTINUE;
}

static uint32_t get32(const uint8_t *data)
{
	uint32_t v;

	memcpy(&v, data, 4);
	return v;
}

/* A console write by reference: one exit for a whole buffer of text. */
static int port_conbuf(struct kvm_vcpu *v, const uint8_t *data, uint32_t count,
		       quark_error_t *err)
{
	uint32_t gpa = get32(data);
	struct quark_kvm_console h;
	const void *hp, *text = NULL;

	/* TRUST: gpa and the header are the guest's, and another vCPU may change them while
	 * we read: the header is copied once, then only the copy is checked and used. */
	hp = count == 1 && gpa % 8 == 0 ? gmem_ptr(&v->vm->mem, gpa, sizeof(h)) : NULL;
	if (hp) {
		memcpy(&h, hp, sizeof(h));
		if (h.len <= QUARK_KVM_CONSOLE_MAX && h.flags < QUARK_KVM_CONSOLEF_MAX_FLAG)
			text = gmem_ptr(&v->vm->mem, (uint64_t)gpa + sizeof(h), h.len);
	}
	if (!text)
		return vcpu_fail(v, err, "console port: bad buffer at %#x", gpa);
	return port_console(v, text, h.len, err);
}

/* A wait status: an exit code (low 7 bits 0) or a signal number (+ 0x80 core flag). */
static bool wstatus_valid(uint32_t st)
{
	if ((st & 0x7f) == 0)
		return st >> 16 == 0;
	return st >> 8 == 0 && (st & 0x7f) <= 64 && (st & 0x7f) != 0x7f;
}

static int port_shutdown(struct kvm_vcpu *v, const uint8_t *data, uint32_t count,
			 quark_error_t *err)
{
	uint32_t st = get32(data);

	/* TRUST: the status is the guest's; the caller passes it on as a wait status. */
	if (count != 1 || !wstatus_valid(st))
		return vcpu_fail(v, err, "shutdown port: bad wait status %#x (count %u)", st,
				 count);
	kvm_vm_stop_status(v->vm, (int)st);
	return VCPU_DONE;
}

static int port_cpu_start(struct kvm_vcpu *v, const uint8_t *data, uint32_t count,
			  quark_error_t *err)
{
	struct quark_kvm_vm *vm = v->vm;
	uint32_t idx = get32(data);
	bool again = false;

	/* TRUST: the index is the guest's: in range, and each AP starts once. */
	if (count != 1 || idx == 0 || idx >= vm->ncpus)
		return vcpu_fail(v, err, "cpu start port: no vCPU %u (have %u)", idx, vm->ncpus);
	pthread_mutex_lock(&vm->lock);
	again = vm->vcpus[idx].start_requested;
	vm->vcpus[idx].start_requested = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	if (again)
		return vcpu_fail(v, err, "cpu start port: vCPU %u started twice", idx);
	return VCPU_CONTINUE;
}

struct port_handler {
	uint16_t port;
	uint8_t size;		/* OUT of this many bytes; everything else is an error */
	const char *name;
	int (*out)(struct kvm_vcpu *v, const uint8_t *data, uint32_t count, quark_error_t *err);
};

static const struct port_handler ports[] = {
	{ QUARK_KVM_PORT_CONSOLE, 1, "console", port_console },
	{ QUARK_KVM_PORT_CONBUF, 4, "console buffer", port_conbuf },
	{ QUARK_KVM_PORT_SHUTDOWN, 4, "shutdown", port_shutdown },
	{ QUARK_KVM_PORT_CPU_START, 4, "cpu start", port_cpu_start },
};

static int handle_io(struct kvm_vcpu *v, quark_error_t *err)
{
	const struct kvm_run *run = v->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	const char *dir = run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in";

	/* TRUST: KVM describes the guest's IN/OUT; the data must lie inside kvm_run. */
	if (run->io.data_offset > v->vm->run_size || bytes > v->vm->run_size - run->io.data_offset)
		return vcpu_fail(v, err, "I/O exit data out of bounds (offset %llu, %llu bytes)",
				 (unsigned long long)run->io.data_offset,
				 (unsigned long long)bytes);
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		const struct port_handler *h = &ports[i];

		if (h->port != run->io.port)
			continue;
		if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != h->size)
			return vcpu_fail(v, err, "%s port %#x: %s of %u bytes, want out of %u",
					 h->name, h->port, dir, run->io.size, h->size);
		return h->out(v, (const uint8_t *)run + run->io.data_offset, run->io.count, err);
	}
	return vcpu_fail(v, err, "%s of %u x %u bytes at port %#x, which has no device", dir,
			 run->io.count, run->io.size, run->io.port);
}

/* Park until the VM stops. For a HLT exit, which only happens without an in-kernel LAPIC
 * (we always create one, so nothing could wake this vCPU but the VMM). */
static int park(struct kvm_vcpu *v)
{
	pthread_mutex_lock(&v->vm->lock);
	while (!v->vm->stopping)
		pthread_cond_wait(&v->vm->cond, &v->vm->lock);
	pthread_mutex_unlock(&v->vm->lock);
	return VCPU_DONE;
}

static int internal_error(struct kvm_vcpu *v, quark_error_t *err)
{
	static const char *const sub[] = { "?", "emulation failure", "exception while "
					   "delivering an exception", "event delivery failure",
					   "unexpected exit reason" };
	const typeof(v->run->internal) *in = &v->run->internal;
	char data[160] = "";
	size_t n = 0;

	for (uint32_t i = 0; i < in->ndata && i < 8 && n < sizeof(data); i++)
		n += (size_t)snprintf(data + n, sizeof(data) - n, " %#llx",
				      (unsigned long long)in->data[i]);
	return vcpu_fail(v, err, "KVM_EXIT_INTERNAL_ERROR: suberror %u (%s), data:%s",
			 in->suberror, in->suberror < 5 ? sub[in->suberror] : "?", data);
}

static int handle_exit(struct kvm_vcpu *v, quark_error_t *err)
{
	struct kvm_run *run = v->run;
	unsigned r = run->exit_reason;

	v->exits[r < QUARK_KVM_EXIT_SLOTS ? r : QUARK_KVM_EXIT_SLOTS - 1]++;
	switch (r) {
	case KVM_EXIT_IO:
		return handle_io(v, err);
	case KVM_EXIT_INTR:
		return VCPU_CONTINUE;	/* a signal: the loop checks whether it was a stop */
	case KVM_EXIT_HLT:
		return park(v);
	case KVM_EXIT_SHUTDOWN:
		return vcpu_fail(v, err, "triple fault (KVM_EXIT_SHUTDOWN)");
	case KVM_EXIT_INTERNAL_ERROR:
		return internal_error(v, err);
	case KVM_EXIT_FAIL_ENTRY:
		return vcpu_fail(v, err, "KVM_EXIT_FAIL_ENTRY: hardware reason %#llx on host "
				 "cpu %u", run->fail_entry.hardware_entry_failure_reason,
				 run->fail_entry.cpu);
	case KVM_EXIT_MMIO:
		return vcpu_fail(v, err, "MMIO %s of %u bytes at %#llx, which has no device",
				 run->mmio.is_write ? "write" : "read", run->mmio.len,
				 run->mmio.phys_addr);
	case KVM_EXIT_SYSTEM_EVENT:
		return vcpu_fail(v, err, "KVM_EXIT_SYSTEM_EVENT type %u", run->system_event.type);
	default:
		return vcpu_fail(v, err, "unexpected exit reason %u (%s)", r,
				 quark_kvm_exit_name(r));
	}
}

static bool vm_stopping(struct quark_kvm_vm *vm)
{
	bool s;

	pthread_mutex_lock(&vm->lock);
	s = vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	return s;
}

static int vcpu_loop(struct kvm_vcpu *v, quark_error_t *err)
{
	int ret;

	while (!vm_stopping(v->vm)) {
		if (__atomic_exchange_n(&v->nmi_request, false, __ATOMIC_SEQ_CST)) {
			/* (A stop after this store finds immediate_exit set again or is seen.) */
			__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			if (vm_stopping(v->vm))
				break;
			if (ioctl(v->fd, KVM_NMI, 0) < 0)
				quark_log(QUARK_LOG_WARN, "vcpu %u: KVM_NMI: %s", v->id, strerror(errno));
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return quark_make_error(err, errno, "vcpu %u: KVM_RUN", v->id);
		}
		ret = handle_exit(v, err);
		if (ret != VCPU_CONTINUE)
			return ret < 0 ? ret : 0;
	}
	return 0;
}

/* An AP waits for the BSP's start request, then gets the same entry state as the BSP. */
static int ap_wait_start(struct kvm_vcpu *v, quark_error_t *err)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct quark_kvm_vm *vm = v->vm;
	bool go;
	int ret;

	pthread_mutex_lock(&vm->lock);
	while (!v->start_requested && !vm->stopping)
		pthread_cond_wait(&vm->cond, &vm->lock);
	go = !vm->stopping;
	pthread_mutex_unlock(&vm->lock);
	if (!go)
		return VCPU_DONE;
	ret = kvm_x86_vcpu_boot(v->fd, v->id, vm->entry, err);
	if (ret < 0)
		return ret;
	/* With an in-kernel LAPIC an AP waits for INIT/SIPI; we start it in long mode. */
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return quark_make_error(err, errno, "vcpu %u: KVM_SET_MP_STATE", v->id);
	return VCPU_CONTINUE;
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *v = arg;
	quark_error_t err = NULL;
	char name[16];
	int ret = VCPU_CONTINUE;
	sigset_t kick;

	/* The thread inherits its creator's mask; a blocked kick would make stops hang. */
	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	snprintf(name, sizeof(name), "quark-vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	if (v->id)
		ret = ap_wait_start(v, &err);
	if (ret == VCPU_CONTINUE)
		ret = vcpu_loop(v, &err);
	console_flush(v);
	if (ret < 0)
		kvm_vm_stop_error(v->vm, &err);
	return NULL;
}

int kvm_vcpu_create(struct quark_kvm_vm *vm, struct kvm_vcpu *v, unsigned id,
		    quark_error_t *err)
{
	void *run;
	int ret;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return quark_make_error(err, errno, "KVM_CREATE_VCPU %u", id);
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED)
		return quark_make_error(err, errno, "vcpu %u: map kvm_run", id);
	v->run = run;
	ret = kvm_x86_vcpu_init(v->fd, id, vm->cpuid, err);
	if (ret < 0 || id)
		return ret;
	return kvm_x86_vcpu_boot(v->fd, id, vm->entry, err);
}

/* KVM's own count of this vCPU's VM exits, handled in the kernel or not (binary stats,
 * Linux 5.14+): the "exits" counter. 0 when the kernel has no stats fd. */
uint64_t kvm_vcpu_kernel_exits(const struct kvm_vcpu *v)
{
	cleanup_close int fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	struct kvm_stats_header h;
	cleanup_free char *descs = NULL;
	size_t dsize;
	uint64_t val = 0;

	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.num_desc > 4096 ||
	    h.name_size > 4096)
		return 0;
	dsize = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsize);
	if (!descs || pread(fd, descs, h.num_desc * dsize, h.desc_offset) != (ssize_t)(h.num_desc * dsize))
		return 0;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * dsize);

		if (strncmp(d->name, "exits", h.name_size) == 0 && d->size == 1) {
			if (pread(fd, &val, sizeof(val), h.data_offset + d->offset) != sizeof(val))
				val = 0;
			break;
		}
	}
	return val;
}

void kvm_vcpu_destroy(struct kvm_vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void kick_handler(int sig)
{
	(void)sig;	/* only here so that the signal interrupts KVM_RUN */
}

int kvm_vcpus_start(struct quark_kvm_vm *vm, quark_error_t *err)
{
	struct sigaction sa = { .sa_handler = kick_handler };	/* no SA_RESTART */
	int ret;

	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		return quark_make_error(err, errno, "install the vCPU kick signal handler");
	for (unsigned i = 0; i < vm->ncpus; i++) {
		ret = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);
		if (ret) {
			kvm_vcpus_stop(vm);
			return quark_make_error(err, ret, "start the thread of vcpu %u", i);
		}
		__atomic_store_n(&vm->vcpus[i].thread_live, true, __ATOMIC_RELEASE);
	}
	return 0;
}

/* An NMI into a running vCPU: its thread injects it (KVM_NMI is a vCPU ioctl) once
 * KVM_RUN returns for immediate_exit and the kick. Under vm->lock, never once the stop
 * began (the threads may be joined then). */
static void vcpu_nmi(struct quark_kvm_vm *vm, struct kvm_vcpu *v)
{
	if (vm->stopping || !__atomic_load_n(&v->thread_live, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&v->nmi_request, true, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, KICK_SIGNAL);
}

/* The host-call watch's answer to a lost completion interrupt (hc_server_watch): an NMI
 * into vCPU 0, which takes those interrupts. An NMI wakes a halted vCPU whatever its
 * interrupt state (a plain kick out of KVM_RUN did not, in the QEMU rig); qkernel only
 * counts it unless the ring's nmi_dump asks for its dump. */
void kvm_vcpu0_wake(void *arg)
{
	struct quark_kvm_vm *vm = arg;

	pthread_mutex_lock(&vm->lock);
	vcpu_nmi(vm, &vm->vcpus[0]);
	pthread_mutex_unlock(&vm->lock);
}

/* An NMI into every running vCPU; with the ring's nmi_dump set, qkernel prints its state. */
void kvm_vcpus_nmi(struct quark_kvm_vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_nmi(vm, &vm->vcpus[i]);
	pthread_mutex_unlock(&vm->lock);
}

void kvm_vcpus_stop(struct quark_kvm_vm *vm)
{
	pthread_mutex_lock(&vm->lock);
	vm->stopping = true;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		if (!v->thread_live)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, KICK_SIGNAL);
	}
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i].thread_live)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].thread_live = false;
	}
}
