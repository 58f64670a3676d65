#!/bin/sh
# TAP wrapper for tests/unit/test_elf.c (qkernel's ELF header and load-span checks).
. "$(dirname "$0")/lib.sh"
run_unit test_elf
