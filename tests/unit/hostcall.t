#!/bin/sh
# TAP wrapper for tests/unit/test_hostcall.c (the VMM's host-call server, no KVM needed).
. "$(dirname "$0")/lib.sh"
run_unit test_hostcall
