#!/bin/sh
# tests/unit/cli.t - the quark CLI's contract without starting a sandbox: flags, verbs,
# error messages and exit codes, the --log JSON line. Needs build/quark (make); no root.
top=$(cd "$(dirname "$0")/../.." && pwd)
case ${BUILD:-build} in /*) quark=$BUILD/quark ;; *) quark=$top/${BUILD:-build}/quark ;; esac
[ -x "$quark" ] || { echo "Bail out! $quark is not built; run make first"; exit 1; }
tmp=$(mktemp -d /tmp/quark-cli-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
q() { "$quark" --root "$tmp/root" "$@"; }

n=0
fails=0
# check NAME EXPECTED_RC EXPECTED_OUTPUT_SUBSTRING COMMAND... (stdout and stderr together)
check() {
	name=$1 want_rc=$2 want=$3
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$want_rc" ] && case $out in *"$want"*) true ;; *) false ;; esac; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# rc=$rc (want $want_rc), output: $out" | head -5
		fails=$((fails + 1))
	fi
}

echo 1..17
check "--version names quark" 0 "quark version" q --version
check "version prints the spec" 0 "spec: 1.0.2" q version
check "unknown verb" 1 "quark: unknown command 'frobnicate'" q frobnicate
check "unimplemented OCI verb" 1 "command 'create' is not implemented yet" q create x
check "unknown global flag" 1 "unknown option '--bogus'" q --bogus state x
check "global flag=value form" 1 "open state file '$tmp/r2/x/state.json'" "$quark" --root="$tmp/r2" state x
check "state of a missing container" 1 \
	"quark: open state file '$tmp/root/x/state.json': No such file or directory" q state x
check "state validates the id" 1 "invalid container id '../x'" q state ../x
mkdir -p "$tmp/b/rootfs"
check "spec writes config.json" 0 "" q spec --bundle "$tmp/b"
check "spec refuses to overwrite" 1 "already exists; remove it first" q spec --bundle "$tmp/b"
check "run: missing bundle" 1 "bundle directory '$tmp/nope': No such file or directory" \
	q --platform ptrace run --bundle "$tmp/nope" c1
printf '{"ociVersion": "1.0.2",\n "process": {"args": []}, "root": {"path": "rootfs"}}' >"$tmp/b/config.json"
check "run: empty args" 1 "quark: config.json: process.args must have at least one element" \
	q --platform ptrace run --bundle "$tmp/b" c1
printf '{"ociVersion": "1.0.2",\n "process": {' >"$tmp/b/config.json"
check "run: bad JSON has a position" 1 "invalid JSON at line 2, column 14" \
	q --platform ptrace run --bundle "$tmp/b" c1
check "run: bad id" 1 "invalid container id 'a/b'" q run --bundle "$tmp/b" a/b
check "kvm refused with a reason" 1 "platform kvm: " q --platform=kvm run --bundle "$tmp/b" c1

q --log "$tmp/log.json" --log-format json state nothere >/dev/null 2>&1
n=$((n + 1))
if tail -n 1 "$tmp/log.json" | grep -q '^{"level":"error","msg":"open state file .*","time":"[0-9T:.-]*Z"}$'; then
	echo "ok $n - --log-format json appends an error line"
else
	echo "not ok $n - --log-format json appends an error line"; fails=$((fails + 1))
fi
n=$((n + 1))
if q features | grep -q '"ociVersionMax": "1.0.2"'; then
	echo "ok $n - features"
else
	echo "not ok $n - features"; fails=$((fails + 1))
fi
[ "$fails" = 0 ]
