#!/bin/bash
# Busybox shell scripts (tests/scripts/*.sh) run with the host's static busybox
# natively (`busybox sh script`, cwd = an empty scratch dir) and under $QUARK
# (the rootfs has the same busybox; the scripts are in /scripts). Stdout and exit
# status must be identical.
#
#   prove -v tests/scripts/run.t
#   QUARK=runc prove -v tests/scripts/run.t
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/bundle.sh
. "$here/../lib/bundle.sh"
# shellcheck source=tests/lib/compare.sh
. "$here/../lib/compare.sh"

if [ ! -x "$QT_BUSYBOX" ]; then
	echo "1..0 # SKIP no static busybox at $QT_BUSYBOX (apt-get install busybox-static)"
	exit 0
fi
mkdir -p "$QT_BUILD"
if ! qt_runtime_probe; then
	echo "1..0 # SKIP $QT_SKIP_REASON"
	exit 0
fi
qt_assemble_testroot || { echo "1..0 # SKIP cannot assemble $QT_TESTROOT"; exit 0; }

QT_CASES=()
for s in "$here"/*.sh; do
	n=${s##*/}
	QT_CASES+=("$n|$QT_BUSYBOX sh $s|/bin/busybox sh /scripts/$n")
done
qt_compare_all
