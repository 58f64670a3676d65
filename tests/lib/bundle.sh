# tests/lib/bundle.sh: shared shell helpers for the test runners (bash).
# shellcheck disable=SC2034  # QT_* variables are read by the scripts that source this
#
#   . tests/lib/bundle.sh
#   qt_assemble_testroot              # build/testroot: busybox + conformance binaries
#   qt_runtime_probe || skip          # is $QUARK usable at all? reason in QT_SKIP_REASON
#                                     # (QT_NO_SKIP=1: never skip, see below)
#   b=$(qt_new_bundle)                # fresh bundle dir under build/bundles
#   qt_write_config "$b" /scratch/x /conf/gcc/rw arg1    # config.json (cwd, args...)
#   qt_run_runtime "$b" out err; st=$?                   # $QUARK run --bundle B ID
#
# Environment:
#   QUARK        runtime binary or name in PATH (default: $QT_ROOT/build/quark);
#                "runc" works too: the same `run --bundle DIR ID` syntax.
#   QT_BUSYBOX   static busybox to put in the rootfs (default /bin/busybox,
#                Debian's busybox-static)
#   QT_TIMEOUT   seconds allowed for one run (default 30)
#   QT_PROBE_TIMEOUT  seconds for qt_runtime_probe's trivial container (default QT_TIMEOUT)
#
# The rootfs is assembled once (idempotently) under build/testroot:
#   /bin/busybox + one relative symlink per applet (bin/sh -> busybox ...)
#   /conf/gcc/NAME, /conf/musl/NAME   the conformance binaries
#   /scripts/NAME.sh                  the busybox shell scripts
#   /bin/escape                       the escape test program
#   /tmp /dev /proc /sys /scratch     empty dirs (scratch: per-run cwds)
#   /etc/passwd /etc/group            minimal

QT_ROOT=${QT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
QT_BUILD=${QT_BUILD:-$QT_ROOT/build}
QT_TESTROOT=${QT_TESTROOT:-$QT_BUILD/testroot}
QT_BUSYBOX=${QT_BUSYBOX:-/bin/busybox}
QT_TIMEOUT=${QT_TIMEOUT:-30}
QUARK=${QUARK:-$QT_ROOT/build/quark}
QT_ENV=("PATH=/bin:/usr/bin" "HOME=/")
QT_SEQ=0
# Start children with default signal dispositions: a background job of a
# non-interactive shell has SIGINT/SIGQUIT ignored, and that would leak into
# the native run (and through runc into its container) but not into a fresh
# guest. coreutils env can reset them.
if env --default-signal true >/dev/null 2>&1; then
	QT_ENV_RESET=(env --default-signal)
else
	QT_ENV_RESET=(env)
fi

# Resolve $QUARK to an absolute path (a bare name is looked up in PATH).
qt_resolve_runtime() {
	case $QUARK in
	*/*) ;;
	*) local p; p=$(command -v -- "$QUARK" 2>/dev/null) && QUARK=$p ;;
	esac
	case $QUARK in
	/*) ;;
	*) QUARK=$PWD/$QUARK ;;
	esac
}
qt_resolve_runtime

# True when $QUARK is our runtime (its --version mentions quark).
qt_is_quark() {
	"$QUARK" --version 2>&1 | grep -qi quark
}

# Escape a string for a JSON string literal (quotes not included). Sets the
# variable named $1 (no subshells: forks are slow on some VMs).
qt_json_str_v() {
	local -n _out=$1
	local s=$2
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	_out=$s
}

# JSON array of strings from the remaining arguments, into the variable named $1.
qt_json_array_v() {
	local -n _arr=$1
	shift
	local out="" a e sep=""
	for a in "$@"; do
		qt_json_str_v e "$a"
		out+="$sep\"$e\""
		sep=", "
	done
	_arr="[$out]"
}

qt_json_str() {
	local r
	qt_json_str_v r "$1"
	printf '%s' "$r"
}

qt_json_array() {
	local r
	qt_json_array_v r "$@"
	printf '%s' "$r"
}

# Assemble build/testroot (idempotent; copies only what changed).
qt_assemble_testroot() {
	local r=$QT_TESTROOT a f
	mkdir -p "$r"/bin "$r"/usr/bin "$r"/etc "$r"/tmp "$r"/dev "$r"/proc "$r"/sys \
		"$r"/conf/gcc "$r"/conf/musl "$r"/scripts "$r"/scratch || return 1
	chmod 1777 "$r"/tmp
	if [ ! -x "$QT_BUSYBOX" ]; then
		echo "qt_assemble_testroot: no busybox at $QT_BUSYBOX (apt-get install busybox-static)" >&2
		return 1
	fi
	cp -pu "$QT_BUSYBOX" "$r"/bin/busybox || return 1
	if [ ! -e "$r"/bin/sh ]; then
		for a in $("$r"/bin/busybox --list); do
			[ "$a" = busybox ] && continue
			[ -e "$r/bin/$a" ] || [ -L "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
		done
	fi
	[ -f "$r"/etc/passwd ] || printf 'root:x:0:0:root:/:/bin/sh\n' >"$r"/etc/passwd
	[ -f "$r"/etc/group ] || printf 'root:x:0:\n' >"$r"/etc/group
	# -ef: the kvm rig's build/conformance is the rootfs's conf/ itself (one copy in RAM)
	for f in "$QT_BUILD"/conformance/gcc/*; do
		[ -f "$f" ] && ! [ "$f" -ef "$r/conf/gcc/${f##*/}" ] && cp -pu "$f" "$r"/conf/gcc/
	done
	for f in "$QT_BUILD"/conformance/musl/*; do
		[ -f "$f" ] && ! [ "$f" -ef "$r/conf/musl/${f##*/}" ] && cp -pu "$f" "$r"/conf/musl/
	done
	for f in "$QT_ROOT"/tests/scripts/*.sh; do
		[ -f "$f" ] && cp -pu "$f" "$r"/scripts/
	done
	if [ -f "$QT_BUILD"/escape/escape ]; then
		cp -pu "$QT_BUILD"/escape/escape "$r"/bin/escape
	fi
	return 0
}

# The capabilities this shell holds (effective set), as a JSON list of names:
# the container gets exactly what a native run gets, so root's permission
# checks behave the same in both.
QT_CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
	CHECKPOINT_RESTORE)
qt_caps_json() {
	if [ -n "${QT_CAPS_JSON:-}" ]; then
		printf '%s' "$QT_CAPS_JSON"
		return
	fi
	local hex i sep="" out=""
	hex=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	for i in "${!QT_CAP_NAMES[@]}"; do
		if (( (16#${hex:-0} >> i) & 1 )); then
			out+="$sep\"CAP_${QT_CAP_NAMES[$i]}\""
			sep=", "
		fi
	done
	printf '%s' "$out"
}

# Write DIR/config.json: OCI runtime-spec 1.0, root = build/testroot.
#   qt_write_config DIR CWD ARG...     (environment from the QT_ENV array)
qt_write_config() {
	local dir=$1 cwd=$2
	shift 2
	local caps j_args j_env j_cwd j_root
	[ -n "${QT_CAPS_JSON:-}" ] || QT_CAPS_JSON=$(qt_caps_json)
	caps=$QT_CAPS_JSON
	qt_json_array_v j_args "$@"
	qt_json_array_v j_env "${QT_ENV[@]}"
	qt_json_str_v j_cwd "$cwd"
	qt_json_str_v j_root "$QT_TESTROOT"
	[ -d "$dir" ] || mkdir -p "$dir" || return 1
	cat >"$dir/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": $j_args,
		"env": $j_env,
		"cwd": "$j_cwd",
		"capabilities": {
			"bounding": [$caps],
			"effective": [$caps],
			"permitted": [$caps]
		}
	},
	"root": { "path": "$j_root", "readonly": false },
	"hostname": "quark-test",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
		{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		  "options": ["nosuid", "noexec", "nodev"] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": ["nosuid", "noexec", "nodev", "ro"] }
	],
	"linux": {
		"namespaces": [
			{ "type": "pid" },
			{ "type": "mount" },
			{ "type": "ipc" },
			{ "type": "uts" },
			{ "type": "network" }
		],
		"maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			"/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
		"readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
			"/proc/sysrq-trigger"]
	}
}
EOF
}

# Print the path of a fresh empty bundle directory.
qt_new_bundle() {
	mkdir -p "$QT_BUILD"/bundles && mktemp -d "$QT_BUILD"/bundles/b.XXXXXX
}

# Print the guest path of a fresh empty scratch dir inside the rootfs (/scratch/s.XXXX).
qt_new_guest_scratch() {
	local d
	d=$(mktemp -d "$QT_TESTROOT"/scratch/s.XXXXXX) || return 1
	chmod 755 "$d"
	printf '/scratch/%s' "${d##*/}"
}

# Print the path of a fresh empty host scratch dir (same filesystem as the rootfs).
qt_new_host_scratch() {
	mkdir -p "$QT_BUILD"/scratch && mktemp -d "$QT_BUILD"/scratch/n.XXXXXX
}

# Run a bundle: qt_run_runtime BUNDLE STDOUT STDERR; returns the runtime's exit
# status (124 on timeout). Stdin is /dev/null.
qt_run_runtime() {
	local b=$1 out=$2 err=$3 id st
	QT_SEQ=$((QT_SEQ + 1))
	id="qt-$BASHPID-$QT_SEQ-$RANDOM"
	"${QT_ENV_RESET[@]}" timeout -k 5 "$QT_TIMEOUT" "$QUARK" run --bundle "$b" "$id" </dev/null >"$out" 2>"$err"
	st=$?
	if [ $st = 124 ] || [ $st = 137 ]; then
		"$QUARK" delete --force "$id" >/dev/null 2>&1
	fi
	return $st
}

# With QT_RETRY_GUEST_HANG=FILE (the QEMU rig sets it), a run the kvm platform's VMM ended
# as hung (exit 125, "did not shut down within", QUARK_KVM_TIMEOUT_MS) is run once more:
# qt_guest_hung STATUS STDERR tells, qt_note_hang NAME STDERR appends the first attempt's
# dump to FILE, which the caller prints. A case that hangs twice fails.
qt_guest_hung() {
	[ -n "${QT_RETRY_GUEST_HANG:-}" ] && [ "$1" = 125 ] && grep -q "did not shut down within" "$2"
}
qt_note_hang() {
	{ echo "== $1"; head -c 8192 "$2"; } >>"$QT_RETRY_GUEST_HANG"
}

# Run a host command natively: qt_run_native CWD STDOUT STDERR CMD ARG...
# Same environment as in the container; returns its exit status (shell style:
# 128+N when killed by signal N).
qt_run_native() {
	local cwd=$1 out=$2 err=$3
	shift 3
	(cd "$cwd" && exec "${QT_ENV_RESET[@]}" -i "${QT_ENV[@]}" timeout -k 5 "$QT_TIMEOUT" "$@") \
		</dev/null >"$out" 2>"$err"
}

# Check that the runtime exists and can run a trivial container. On failure
# returns 1 with the reason in QT_SKIP_REASON.
# QT_NO_SKIP=1 (the kvm rig, where the runtime is what is under test): a failed
# probe is no reason to skip. It returns 0 with the reason in QT_PROBE_FAILED, and
# when the probe timed out (a hung guest) qt_compare_all reports every case as
# failed with that reason instead of waiting QT_TIMEOUT for each.
qt_runtime_probe() {
	QT_PROBE_FAILED=""
	QT_PROBE_HUNG="" QT_PROBE_STDERR=""
	qt_runtime_check && return 0
	[ "${QT_NO_SKIP:-0}" = 1 ] || return 1
	QT_PROBE_FAILED=$QT_SKIP_REASON
	echo "# runtime probe failed (QT_NO_SKIP=1: the cases run anyway): $QT_SKIP_REASON"
	return 0
}

qt_runtime_check() {
	QT_SKIP_REASON=""
	if [ ! -x "$QUARK" ]; then
		QT_SKIP_REASON="runtime $QUARK not found (set QUARK= or build it)"
		return 1
	fi
	local b out err st
	if ! qt_assemble_testroot; then
		QT_SKIP_REASON="cannot assemble the test rootfs $QT_TESTROOT"
		return 1
	fi
	b=$(qt_new_bundle) || { QT_SKIP_REASON="cannot create bundle dir"; return 1; }
	qt_write_config "$b" / /bin/busybox echo quark-probe
	QT_TIMEOUT=${QT_PROBE_TIMEOUT:-$QT_TIMEOUT} qt_run_runtime "$b" "$b/out" "$b/err"
	st=$?
	if qt_guest_hung $st "$b/err"; then
		qt_note_hang "the trivial container (probe)" "$b/err"
		QT_TIMEOUT=${QT_PROBE_TIMEOUT:-$QT_TIMEOUT} qt_run_runtime "$b" "$b/out" "$b/err"
		st=$?
	fi
	case $st in 124 | 137) QT_PROBE_HUNG=1 ;; esac
	if [ $st != 0 ] || [ "$(cat "$b/out")" != quark-probe ]; then
		QT_SKIP_REASON="runtime $QUARK cannot run a trivial container (status $st: $(head -c 200 "$b/err" | tr '\n' ' '))"
		QT_PROBE_STDERR=$(head -c 16384 "$b/err")	# all of it, printed once
		rm -rf "$b"
		return 1
	fi
	rm -rf "$b"
	return 0
}

# Print a unified diff of two files as TAP comments.
qt_tap_diff() {
	diff -u --label "$3" --label "$4" "$1" "$2" | head -n 60 | sed 's/^/# /'
}

# Print (at most 20 lines of) a file as TAP comments, with a heading.
qt_tap_file() {
	if [ -s "$2" ]; then
		echo "# $1:"
		head -n 60 "$2" | sed 's/^/#   /'
	fi
}
