#!/bin/sh
# TAP wrapper for tests/unit/test_vma.c (qkernel's memory manager: VMAs, mmap family, faults, COW).
. "$(dirname "$0")/lib.sh"
run_unit test_vma
