# tests/unit/lib.sh - sourced by the .t wrappers: run a compiled unit test for prove.
# Binaries live in $BUILD/unit (default build/unit, relative to the repo root), built by make.
run_unit() {
	top=$(cd "$(dirname "$0")/../.." && pwd)
	case ${BUILD:-build} in
	/*) bin=$BUILD/unit/$1 ;;
	*) bin=$top/${BUILD:-build}/unit/$1 ;;
	esac
	if [ ! -x "$bin" ]; then
		echo "Bail out! $bin is not built; run make first"
		exit 1
	fi
	exec "$bin"
}
