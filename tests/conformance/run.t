#!/bin/bash
# Conformance: every program in tests/conformance/*.c, built static with gcc and
# with musl-gcc, runs natively and under $QUARK (default build/quark; QUARK=runc
# validates the harness). Stdout and exit status must be identical.
#
#   prove -v tests/conformance/run.t
#   QUARK=runc prove -v tests/conformance/run.t
#   QT_ONLY="rw pipe" tests/conformance/run.t      (a subset)
#   QT_LIBCS=gcc tests/conformance/run.t           (one libc)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/bundle.sh
. "$here/../lib/bundle.sh"
# shellcheck source=tests/lib/compare.sh
. "$here/../lib/compare.sh"

names=()
for src in "$here"/*.c; do
	n=${src##*/}
	names+=("${n%.c}")
done
if [ -n "${QT_ONLY:-}" ]; then
	# shellcheck disable=SC2206
	names=(${QT_ONLY})
fi
# shellcheck disable=SC2206
libcs=(${QT_LIBCS:-gcc musl})

if [ ! -x "$QUARK" ]; then
	echo "1..0 # SKIP runtime $QUARK not found (set QUARK= or build it)"
	exit 0
fi
mkdir -p "$QT_BUILD"
# Build what is missing or stale (the Makefile fragment works on its own).
want=()
for libc in "${libcs[@]}"; do
	for n in "${names[@]}"; do
		want+=("$QT_BUILD/conformance/$libc/$n")
	done
done
if ! make -s -C "$QT_ROOT" -f tests/build.mk BUILD="$QT_BUILD" Q= "${want[@]}" >"$QT_BUILD/.conformance-build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build conformance programs"
	sed 's/^/# /' "$QT_BUILD/.conformance-build.log" | tail -n 40
	exit 0
fi

if ! qt_runtime_probe; then
	echo "1..0 # SKIP $QT_SKIP_REASON"
	exit 0
fi
qt_assemble_testroot || { echo "1..0 # SKIP cannot assemble $QT_TESTROOT"; exit 0; }

QT_CASES=()
for libc in "${libcs[@]}"; do
	for n in "${names[@]}"; do
		QT_CASES+=("$libc/$n|$QT_BUILD/conformance/$libc/$n|/conf/$libc/$n")
	done
done
qt_compare_all
