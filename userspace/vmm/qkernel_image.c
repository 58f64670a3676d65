/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/vmm/qkernel_image.h"

extern const char quark_qkernel_ptrace_start[];
extern const char quark_qkernel_ptrace_end[];
extern const char quark_qkernel_kvm_start[];
extern const char quark_qkernel_kvm_end[];

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U	/* Linux 6.3; older kernels reject it and we retry without */
#endif

static int exec_memfd(const char *name, int *out, quark_error_t *err)
{
	/* MFD_EXEC: with vm.memfd_noexec=1 a memfd is otherwise created non-executable. */
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return quark_make_error(err, errno, "memfd_create for %s", name);
	*out = fd;
	return 0;
}

int quark_qkernel_ptrace_memfd(int *out, quark_error_t *err)
{
	size_t len = quark_qkernel_ptrace_end - quark_qkernel_ptrace_start;
	const char *p = quark_qkernel_ptrace_start;
	cleanup_close int fd = -1;
	ssize_t n;
	int ret;

	if (len < 4 || memcmp(p, "\177ELF", 4))
		return quark_make_error(err, 0, "embedded qkernel-ptrace is not an ELF file");
	ret = exec_memfd("qkernel-ptrace", &fd, err);
	if (ret < 0)
		return ret;
	for (size_t done = 0; done < len; done += n) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			return quark_make_error(err, errno, "write qkernel-ptrace memfd");
	}
	/* Sealed like runc's cloned binary: the image cannot be swapped under a running sandbox. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return quark_make_error(err, errno, "seal qkernel-ptrace memfd");
	*out = steal_fd(&fd);
	return 0;
}

bool quark_qkernel_kvm_present(void)
{
	return quark_qkernel_kvm_end - quark_qkernel_kvm_start > 0;
}

int quark_qkernel_kvm_image(const void **image, size_t *len, quark_error_t *err)
{
	size_t n = quark_qkernel_kvm_end - quark_qkernel_kvm_start;

	if (!quark_qkernel_kvm_present())
		return quark_make_error(err, 0, "this quark was built without the kvm platform's "
					"qkernel (build/qkernel-kvm.elf did not link yet; see "
					"QUARK_KVM_IMAGE in userspace/build.mk)");
	if (n < 4 || memcmp(quark_qkernel_kvm_start, "\177ELF", 4))
		return quark_make_error(err, 0, "embedded qkernel-kvm is not an ELF file");
	*image = quark_qkernel_kvm_start;
	*len = n;
	return 0;
}
