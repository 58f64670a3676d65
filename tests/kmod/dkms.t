#!/bin/bash
# tests/kmod/dkms.t - `dkms add/build` of quark.ko against the installed Debian 6.1 headers,
# in a private DKMS tree (--dkmstree/--sourcetree under build/, so the system's
# /var/lib/dkms and /usr/src are not touched). Building needs no module loading, so this runs
# on the host. Skips, with the reason, when dkms or the headers are missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
case ${BUILD:-build} in /*) b=$BUILD ;; *) b=$top/${BUILD:-build} ;; esac

PATH=$PATH:/usr/sbin:/sbin	# dkms lives in /usr/sbin
command -v dkms >/dev/null || { echo "1..0 # SKIP dkms is not installed (apt-get install dkms)"; exit 0; }
kdir=$(printf '%s\n' /lib/modules/6.1.*-amd64/build | sort -V | tail -n1)
if [ ! -f "$kdir/Makefile" ]; then
	echo "1..0 # SKIP no Debian 6.1 headers (apt-get install linux-headers-amd64)"
	exit 0
fi
kver=$(basename "$(dirname "$kdir")")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

echo "1..4"
n=0
t() { # t NAME CMD...: one TAP line; the command's output goes to stderr on failure
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then echo "ok $n - $name"; else echo "not ok $n - $name"; printf '%s\n' "$out" | sed 's/^/# /'; fi
}
root=$b/kmod/dkms
rm -rf "$root"
mkdir -p "$root/tree" "$root/src/quark-$ver/kmod" "$root/src/quark-$ver/uapi/quark"
for f in Kbuild dkms.conf kmod/*.c kmod/*.h uapi/quark/quark_dev.h; do
	cp "$f" "$root/src/quark-$ver/$f"
done
d=(dkms --dkmstree "$root/tree" --sourcetree "$root/src")
t "dkms add quark/$ver" "${d[@]}" add -m quark -v "$ver"
t "dkms build quark/$ver -k $kver" "${d[@]}" build -m quark -v "$ver" -k "$kver"
ko=$(find "$root/tree/quark/$ver/$kver" -name 'quark.ko*' 2>/dev/null | head -n1)
t "the build left quark.ko with vermagic $kver" \
	sh -c "modinfo -F vermagic '$ko' | grep -q '^$kver '"
t "dkms remove quark/$ver" "${d[@]}" remove -m quark -v "$ver" -k "$kver"
