#!/bin/bash
# Escape tests (quark only): the application never reaches the host.
#
# Before the run a marker directory with a random token is created on the
# host, outside the rootfs (build/escape-marker-XXXX/token), and the rootfs
# gets /escape/ with symlinks pointing at it (absolute host path, .. chains,
# ../../etc/hostname, a link to /). /bin/escape (tests/escape/escape.c, static)
# runs as the container's init and tries to read the token every way it can.
# The expected output is exact: getpid() is 1, /proc/self/exe is the guest
# path, every attempt fails with ENOENT.
#
# Skipped (with the reason) unless `$QUARK --version` mentions quark;
# QT_ESCAPE_FORCE=1 runs it under any runtime (runc passes it too).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/bundle.sh
. "$here/../lib/bundle.sh"

if [ -z "${QT_ESCAPE_FORCE:-}" ]; then
	if [ ! -x "$QUARK" ]; then
		echo "1..0 # SKIP runtime $QUARK not found"
		exit 0
	fi
	if ! qt_is_quark; then
		echo "1..0 # SKIP $QUARK is not quark (escape tests are quark-only; QT_ESCAPE_FORCE=1 to run anyway)"
		exit 0
	fi
fi
mkdir -p "$QT_BUILD"
if ! make -s -C "$QT_ROOT" -f tests/build.mk BUILD="$QT_BUILD" Q= "$QT_BUILD/escape/escape" >"$QT_BUILD/.escape-build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - build escape program"
	sed 's/^/# /' "$QT_BUILD/.escape-build.log" | tail -n 40
	exit 0
fi
if ! qt_runtime_probe; then
	echo "1..0 # SKIP $QT_SKIP_REASON"
	exit 0
fi
qt_assemble_testroot || { echo "1..0 # SKIP cannot assemble $QT_TESTROOT"; exit 0; }

marker=$(mktemp -d "$QT_BUILD"/escape-marker-XXXXXX)
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'token %s\n' "$token" >"$marker/token"
cleanup() { rm -rf "$marker" "$QT_TESTROOT/escape" "${b:-}"; }
trap cleanup EXIT

# the links, inside the rootfs
e=$QT_TESTROOT/escape
rm -rf "$e"
mkdir -p "$e"
ln -s "$marker/token" "$e/abs-link"
ln -s "../../../../../../../../../../..$marker/token" "$e/rel-link"
ln -s ../../../../../../etc/hostname "$e/etc-hostname"
ln -s / "$e/root-link"
ln -s ../../../../../../.. "$e/dotdot-link"

echo "1..4"
# 1: the host side really can read the token through the same links
if grep -q "$token" "$e/abs-link" && grep -q "$token" "$e/rel-link"; then
	echo "ok 1 - token readable on the host through the planted links"
else
	echo "not ok 1 - token readable on the host through the planted links"
fi

b=$(qt_new_bundle)
qt_write_config "$b" /escape /bin/escape "$token" "$marker"
qt_run_runtime "$b" "$b/out" "$b/err"
st=$?

cat >"$b/expected" <<EOT
getpid=1
getppid=0
hostname=quark-test
/proc/self/exe -> /bin/escape
/proc/self -> 1
absolute host path: ENOENT
/.. prefixed host path: ENOENT
via /proc/self/root: ENOENT
via /proc/1/root: ENOENT
via /proc/self/cwd/..: ENOENT
relative .. chain: ENOENT
symlink to absolute host path: ENOENT
symlink with .. chain to host path: ENOENT
symlink to ../../etc/hostname: ENOENT
through symlink to /: ENOENT
through symlink to ../../..: ENOENT
openat(/, ..host path): ENOENT
openat(/escape, rel-link): ENOENT
cwd after 64 x chdir(..): /
relative after chdir(..): ENOENT
/etc/hostname: ENOENT
stat host dir: ENOENT
leaks=0
EOT

# 2: exit status
if [ "$st" = 0 ]; then
	echo "ok 2 - escape program exit status 0"
else
	echo "not ok 2 - escape program exit status 0"
	echo "# exit status: $st"
	qt_tap_file "runtime stderr" "$b/err"
fi
# 3: no line mentions the token or LEAK
if grep -q "$token" "$b/out" || grep -q LEAK "$b/out"; then
	echo "not ok 3 - host token never read"
	grep LEAK "$b/out" | sed 's/^/# /'
else
	echo "ok 3 - host token never read"
fi
# 4: the exact expected output
if cmp -s "$b/expected" "$b/out"; then
	echo "ok 4 - exact expected output"
else
	echo "not ok 4 - exact expected output"
	qt_tap_diff "$b/expected" "$b/out" expected runtime
fi
