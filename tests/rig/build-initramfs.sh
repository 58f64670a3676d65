#!/bin/bash
# tests/rig/build-initramfs.sh: the initramfs of the KVM rig VM (newc cpio, gzip).
#
#   tests/rig/build-initramfs.sh [-o OUT] [-k KVER] [-m "MOD..."] [SRC[=DEST]]...
#
#   -o OUT     output (default build/rig/initramfs.cpio.gz); RIG_KEEP_STAGE=1 keeps the
#              staged tree as OUT.d/
#   -k KVER    kernel version whose modules go in (default: rig_kver, the newest 6.1.*-amd64)
#   -m MODS    modules to load at boot, with their modules.dep dependencies, in load order
#              (default "kvm-amd": irqbypass, kvm, ccp, kvm-amd)
#   SRC[=DEST] extra files: a file or a directory (copied recursively, symlinks kept).
#              DEST is the absolute path inside the VM; default /rig/<basename of SRC>.
#              A dynamically linked executable passed as a file brings its shared
#              libraries and ELF interpreter along (from ldd), so build/quark runs as is.
#
# Contents: /init (tests/rig/init), /bin/busybox (busybox-static) and its applet links,
# /lib/modules/KVER/... (.ko, decompressed if the package ships .ko.xz/.zst/.gz),
# /lib/modules/rig.order (load order for /init), /etc/passwd, /etc/group, empty
# /proc /sys /dev /tmp /run /root /rig, and the extra files.
# RIG_MODROOT (default /lib/modules) is where the modules are looked up.
# Prints the path of the archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/lib.sh
. "$here/lib.sh"

out="" kver="" mods=$RIG_MODULES
while getopts "o:k:m:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kver=$OPTARG ;;
	m) mods=$OPTARG ;;
	*) sed -n '2,20p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kver" ] || kver=$(rig_kver) || rig_die "no Debian 6.1 kernel modules found (apt-get install linux-image-amd64)"
out=${out:-$RIG_BUILD/initramfs.cpio.gz}
case $out in /*) ;; *) out=$PWD/$out ;; esac
moddir=${RIG_MODROOT:-/lib/modules}/$kver
[ -f "$moddir/modules.dep" ] || rig_die "$moddir/modules.dep not found (apt-get install linux-image-$kver)"
[ -x "$RIG_BUSYBOX" ] || rig_die "$RIG_BUSYBOX not found (apt-get install busybox-static)"
if ! LC_ALL=C file -L "$RIG_BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
	command -v file >/dev/null 2>&1 && rig_die "$RIG_BUSYBOX is not statically linked (busybox-static)"
fi

mkdir -p "$(dirname "$out")"
# A private staging dir (concurrent builds of the same OUT must not clash); removed at the
# end unless RIG_KEEP_STAGE=1 (then it is left as OUT.d for inspection).
stage=$(mktemp -d "$out.stage.XXXXXX")
tmp=$out.tmp.$$
trap 'rm -rf "$stage" "$tmp"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc,rig,lib/modules}
chmod 1777 "$stage/tmp"
chmod 700 "$stage/root"

# busybox and one link per applet (busybox --list-full: bin/sh, sbin/insmod, usr/bin/...).
cp -L "$RIG_BUSYBOX" "$stage/bin/busybox"
applets=()
while read -r applet; do
	case $applet in bin/busybox | "") ;; *) applets+=("$applet") ;; esac
done < <("$RIG_BUSYBOX" --list-full)
(cd "$stage" && for a in "${applets[@]}"; do ln -sf /bin/busybox "$a"; done)
install -m 0755 "$here/init" "$stage/init"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

# Modules: resolve names through modules.dep (paths relative to $moddir), deps first.
declare -A DEP PATHOF
while IFS= read -r line; do
	key=${line%%:*}
	DEP[$key]=${line#*:}
	b=${key##*/}
	b=${b%%.ko*}
	PATHOF[${b//-/_}]=$key
done <"$moddir/modules.dep"
order=()
declare -A SEEN
resolve() {
	local key=$1 d deps i
	[ -n "${SEEN[$key]:-}" ] && return 0
	SEEN[$key]=1
	# shellcheck disable=SC2206
	deps=(${DEP[$key]})
	# depmod lists dependencies so that loading them last-to-first works; recurse anyway.
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		d=${deps[$i]}
		[ -n "${DEP[$d]+x}" ] || rig_die "modules.dep: $d (needed by $key) not listed"
		resolve "$d"
	done
	order+=("$key")
}
for m in $mods; do
	n=${m//-/_}
	key=${PATHOF[$n]:-}
	[ -n "$key" ] || rig_die "module $m not in $moddir/modules.dep"
	resolve "$key"
done
: >"$stage/lib/modules/rig.order"
for key in ${order[@]+"${order[@]}"}; do
	src=$moddir/$key
	[ -f "$src" ] || rig_die "$src missing (modules.dep lists it)"
	rel=${key%%.ko*}.ko
	dst=$stage/lib/modules/$kver/$rel
	mkdir -p "$(dirname "$dst")"
	case $key in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) rig_die "unknown module compression: $key" ;;
	esac
	echo "$kver/$rel" >>"$stage/lib/modules/rig.order"
done

# Extra files.
add_libs() { # shared libraries of a dynamically linked ELF, at their host paths
	local f=$1 lib
	LC_ALL=C ldd "$f" >/dev/null 2>&1 || return 0  # static or not an ELF: nothing to add
	for lib in $(LC_ALL=C ldd "$f" | grep -o '/[^ ]*' | sort -u); do
		[ -f "$lib" ] || continue
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
for spec in "$@"; do
	src=${spec%%=*}
	if [ "$src" != "$spec" ]; then dest=${spec#*=}; else dest=/rig/$(basename "$src"); fi
	case $dest in /*) ;; *) rig_die "destination must be absolute: $spec" ;; esac
	[ -e "$src" ] || rig_die "extra file not found: $src"
	mkdir -p "$stage$(dirname "$dest")"
	if [ -d "$src" ]; then
		rm -rf "${stage:?}$dest"
		cp -a "$src/." "$stage$dest/" 2>/dev/null || { mkdir -p "$stage$dest" && cp -a "$src/." "$stage$dest/"; }
	else
		cp -L --preserve=mode "$src" "$stage$dest"
		[ -x "$src" ] && add_libs "$src"
	fi
done
# Dynamic libraries found under /lib64 or /usr/lib64 need the merged-/usr layout of the host
# (Debian: /lib64 -> usr/lib64); the copies above went to the very paths ldd named.

(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$tmp"
mv "$tmp" "$out"
if [ "${RIG_KEEP_STAGE:-0}" = 1 ]; then
	rm -rf "$out.d"
	mv "$stage" "$out.d"
fi
echo "$out"
