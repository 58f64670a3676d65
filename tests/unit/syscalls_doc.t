#!/bin/sh
# docs/syscalls.md must be what guest/sys/syscalls.def generates (run `make docs` after
# editing the table).
top=$(cd "$(dirname "$0")/../.." && pwd)
gen=$top/${BUILD:-build}/gendoc
echo "1..1"
if [ ! -x "$gen" ]; then
	echo "not ok 1 - $gen is not built; run make"
	exit 0
fi
if "$gen" | diff -u "$top/docs/syscalls.md" - >/tmp/syscalls_doc.$$ 2>&1; then
	echo "ok 1 - docs/syscalls.md matches guest/sys/syscalls.def"
else
	echo "not ok 1 - docs/syscalls.md is stale: run make docs"
	sed 's/^/# /' /tmp/syscalls_doc.$$
fi
rm -f /tmp/syscalls_doc.$$
