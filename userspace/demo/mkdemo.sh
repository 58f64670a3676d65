#!/bin/sh
# mkdemo.sh OUTDIR - build the `make run` demo bundle: OUTDIR/rootfs from Debian's
# busybox-static and OUTDIR/config.json running a script that shows it is inside qkernel.
set -eu

out=${1:?usage: mkdemo.sh OUTDIR}
busybox=${BUSYBOX:-/bin/busybox}

if ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkdemo.sh: $busybox is missing or not busybox; install busybox-static (make deps)" >&2
	exit 1
fi
# A dynamically linked busybox would need the host's ld.so inside the rootfs.
if file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
	echo "mkdemo.sh: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

rootfs=$out/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/dev" "$rootfs/root"
mkdir -p -m 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
	>"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
echo quark-demo >"$rootfs/etc/hostname"

# The script is one JSON string: keep it free of double quotes and backslashes.
script='echo; echo == inside the container ==; uname -a; echo hello from qkernel | tr a-z A-Z; ls /; id; false; echo exit code of false: $?'

cat >"$out/config.json.tmp" <<EOF2
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/sh", "-c", "$script" ],
		"env": [ "PATH=/bin", "HOME=/root", "TERM=xterm" ],
		"cwd": "/"
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "quark-demo",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid" ] }
	],
	"linux": { "resources": { "memory": { "limit": 268435456 } } }
}
EOF2
mv "$out/config.json.tmp" "$out/config.json"
echo "mkdemo.sh: demo bundle in $out"
