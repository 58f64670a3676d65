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

echo 1..19
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
# --platform=kvm: the reason it cannot run here, the one this host calls for.
kvm_carried=no
q features | grep -q '"io.quark.platforms": "kvm,ptrace"' && kvm_carried=yes
if [ ! -e /dev/kvm ]; then
	kvm_why="platform kvm: /dev/kvm does not exist on this host; use --platform=ptrace or auto"
elif [ -e /sys/module/kvm_pvm ]; then
	kvm_why="platform kvm: /dev/kvm is kvm_pvm (paravirtual, guest ring 0 is interpreted"
elif ! grep -qw -e vmx -e svm /proc/cpuinfo; then
	kvm_why="platform kvm: the CPU offers no hardware virtualization"
elif [ $kvm_carried = no ]; then
	kvm_why="platform kvm: this quark was built without the kvm platform's qkernel"
else
	kvm_why=""	# real KVM and the image: kvm runs, the bad JSON is what fails
fi
if [ -n "$kvm_why" ]; then
	check "kvm refused with the reason for this host" 1 "$kvm_why" \
		q --platform=kvm run --bundle "$tmp/b" c1
else
	check "kvm selected on real KVM" 1 "invalid JSON at line 2" \
		q --platform=kvm run --bundle "$tmp/b" c1
fi
# features: the platforms this quark carries, and auto's choice (kvm only with a reason-free kvm).
want_auto=ptrace
[ -z "$kvm_why" ] && want_auto=kvm
want_platforms=ptrace
[ $kvm_carried = yes ] && want_platforms=kvm,ptrace
check "features: platforms carried" 0 "\"io.quark.platforms\": \"$want_platforms\"" q features
check "features: auto picks $want_auto here" 0 "\"io.quark.platform.auto\": \"$want_auto\"" q features

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
