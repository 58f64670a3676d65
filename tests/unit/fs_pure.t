#!/bin/sh
# TAP wrapper for tests/unit/test_fs_pure.c (qkernel's pure VFS helpers).
. "$(dirname "$0")/lib.sh"
run_unit test_fs_pure
