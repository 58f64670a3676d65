#!/bin/bash
# tests/rig/extract-vmlinux.sh: the uncompressed vmlinux (ELF with the PVH entry note) of
# Debian's 6.1 kernel, for QEMU's -kernel direct boot (about 4 s to /init instead of ~10 s
# through the bzImage and SeaBIOS). Cached: re-extracted only when /boot/vmlinuz-VER is newer.
#
#   tests/rig/extract-vmlinux.sh [-k KVER] [-o OUT]     prints the path of the vmlinux
#
# Default OUT: build/rig/vmlinux-KVER. The bzImage carries an xz stream after the
# FD 37 7A 58 5A 00 magic; `xz -dc` complains about the bytes after the stream ("trailing
# garbage") but has written the whole ELF by then, so its status is ignored and the ELF
# header and PVH note are checked instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/lib.sh
. "$here/lib.sh"

kver="" out=""
while getopts "k:o:" opt; do
	case $opt in
	k) kver=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-k KVER] [-o OUT]" >&2; exit 2 ;;
	esac
done
[ -n "$kver" ] || kver=$(rig_kver) || rig_die "no Debian 6.1 kernel found (apt-get install linux-image-amd64)"
src=/boot/vmlinuz-$kver
[ -f "$src" ] || rig_die "$src not found (apt-get install linux-image-amd64)"
out=${out:-$RIG_BUILD/vmlinux-$kver}

if [ -s "$out" ] && [ "$out" -nt "$src" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }

found=0
# Every offset of the xz magic, in order; the first that decompresses to an ELF wins.
# shellcheck disable=SC2013  # one offset per line, no spaces
for off in $(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$src" | cut -d: -f1); do
	tail -c +"$((off + 1))" "$src" | xz -dc >"$tmp" 2>/dev/null || true
	if [ -s "$tmp" ] && is_elf "$tmp"; then
		found=1
		break
	fi
done
[ "$found" = 1 ] || rig_die "no xz-compressed ELF found in $src"
# The PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, "Xen" note type 18) is what lets QEMU boot the ELF.
if command -v readelf >/dev/null 2>&1; then
	readelf -n "$tmp" 2>/dev/null | grep -q 'Xen.*(0x00000012)' ||
		rig_die "$src: extracted vmlinux has no Xen/PVH ELF note (kernel without CONFIG_PVH?)"
fi
mv "$tmp" "$out"
trap - EXIT
echo "$out"
