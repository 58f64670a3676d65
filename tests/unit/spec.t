#!/bin/sh
# TAP wrapper for tests/unit/test_spec.c (prove runs .t files; perl hands a non-perl #! line to sh).
. "$(dirname "$0")/lib.sh"
run_unit test_spec
