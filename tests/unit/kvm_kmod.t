#!/bin/sh
# TAP wrapper for tests/unit/test_kvm_kmod.c (the VMM's quark.ko use: the pure parts).
. "$(dirname "$0")/lib.sh"
run_unit test_kvm_kmod
