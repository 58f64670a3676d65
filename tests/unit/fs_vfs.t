#!/bin/sh
# TAP: qkernel's VFS run as a host process (tests/unit/fs_vfs.c) against a scratch
# rootfs; builds itself with tests/unit/fs.mk when needed.
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${BUILD:-build}
case $b in /*) ;; *) b=$top/$b ;; esac
if ! make -s -C "$top" -f tests/unit/fs.mk BUILD="$b" "$b/unit/fs_vfs" >"$b/.fs_vfs-build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build fs_vfs"
	sed 's/^/# /' "$b/.fs_vfs-build.log" | tail -n 20
	exit 0
fi
d=$(mktemp -d "${TMPDIR:-/tmp}/qk-fs-vfs.XXXXXX") || exit 1
mkdir -p "$d/root/tmp" "$d/root/proc" "$d/root/dev" "$d/bind/deep"
chmod 1777 "$d/root/tmp"
echo hi >"$d/bind/deep/hostfile"
"$b/unit/fs_vfs" "$d/root" "$d/bind"
st=$?
rm -rf "$d"
exit $st
