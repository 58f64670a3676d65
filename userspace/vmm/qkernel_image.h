/* SPDX-License-Identifier: MIT */
/* vmm/qkernel_image.h - the qkernel binaries embedded in build/quark (userspace/embed.S). */
#ifndef QUARK_VMM_QKERNEL_IMAGE_H
#define QUARK_VMM_QKERNEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "userspace/util/error.h"

/* quark_qkernel_ptrace_memfd - the ptrace-platform qkernel in a sealed, close-on-exec memfd,
 * ready for fexecve (the exec itself closes it, so the sandbox does not keep it). */
int quark_qkernel_ptrace_memfd(int *fd, quark_error_t *err);

/* quark_qkernel_kvm_present - does this quark carry the kvm platform's qkernel? */
bool quark_qkernel_kvm_present(void);

/* quark_qkernel_kvm_image - the kvm platform's qkernel ELF, in quark's read-only data;
 * an error when quark was built without it. */
int quark_qkernel_kvm_image(const void **image, size_t *len, quark_error_t *err);

#endif
