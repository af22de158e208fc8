#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -DVMM_FUZZ=ON, in
# build-fuzz/) and runs each for a bounded time over a copy of its
# committed corpus (tests/fuzz/corpus/<target>; the repository is never
# written). Prints executions per second and total executions per target
# and exits non-zero if any target crashed, leaked, hit a sanitizer, timed
# out or could not run. See docs/fuzzing.md.
#
#   tools/fuzz.sh [--time SECONDS] [--target NAME] [--jobs N] [-- ARGS...]
#
# --time    seconds per target (default 30)
# --target  run only this one (e.g. fuzz_vq_split); repeatable
# --jobs    build parallelism (default: the number of CPUs)
# ARGS      passed to every fuzzer (e.g. -seed=1 -max_len=8192)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

time_per=30
jobs=$(nproc)
targets=()
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--time) time_per=${2:?--time needs a value}; shift 2 ;;
	--time=*) time_per=${1#--time=}; shift ;;
	--target) targets+=("${2:?--target needs a name}"); shift 2 ;;
	--target=*) targets+=("${1#--target=}"); shift ;;
	--jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
	--jobs=*) jobs=${1#--jobs=}; shift ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "fuzz.sh: unknown argument '$1' (see --help)"; exit 2 ;;
	esac
done
case $time_per in
''|*[!0-9]*) echo "fuzz.sh: --time wants whole seconds"; exit 2 ;;
esac

# clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz.sh: clang is not installed (apt-get install clang libclang-rt-14-dev)"
	exit 1
fi
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	echo "fuzz.sh: clang cannot link a libFuzzer target:"
	sed 's/^/  /' "$probe/err" | head -5
	echo "  (Debian: apt-get install libclang-rt-14-dev, or the libclang-rt-N-dev of your clang)"
	rm -rf "$probe"
	exit 1
fi
rm -rf "$probe"

build=$root/build-fuzz
echo "== build ($build)"
if ! { cmake -S . -B "$build" -DVMM_FUZZ=ON -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMM_WERROR=OFF >/dev/null &&
	cmake --build "$build" --target fuzz_all -j"$jobs" >"$build/fuzz-build.log" 2>&1; }; then
	tail -n 30 "$build/fuzz-build.log" 2>/dev/null
	echo "fuzz.sh: the fuzz build failed"
	exit 1
fi

if [ ${#targets[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		targets+=("$(basename "$src" .c)")
	done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vmm-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build/artifacts
mkdir -p "$artifacts"

failed=0
printf '%-20s %10s %14s  %s\n' target exec/s executions result
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		printf '%-20s %10s %14s  %s\n' "$t" - - "no such target"
		failed=1
		continue
	fi
	corpus=$work/$t
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$corpus/"
	args=(-max_total_time="$time_per" -print_final_stats=1 -timeout=25
		-artifact_prefix="$artifacts/$t-")
	[ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
	log=$work/$t.log
	"$bin" "${args[@]}" "${extra[@]}" "$corpus" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	result=ok
	if [ $status -ne 0 ] || grep -qE '^(==[0-9]+==ERROR|SUMMARY: )' "$log"; then
		result="FAILED (exit $status)"
		failed=1
	fi
	printf '%-20s %10s %14s  %s\n' "$t" "${rate:--}" "${execs:--}" "$result"
	if [ "$result" != ok ]; then
		cp "$log" "$artifacts/$t.log"
		grep -E 'ERROR|SUMMARY|fuzz(_[a-z_]+)?:|check failed|Test unit written|Seed:' "$log" |
			head -n 20 | sed 's/^/    /'
		echo "    full log: $artifacts/$t.log"
		echo "    reproduce: $bin <the crash- file above>"
	fi
done
[ $failed -eq 0 ] && echo "fuzz.sh: every target ran clean" || echo "fuzz.sh: FAILED"
exit $failed
