#!/usr/bin/env bash
# fuzz.sh [--minutes N | --seconds N] [--smoke] [--build DIR] [--seeds] [harness...] -- run pprt's libFuzzer harnesses
#
# Builds the harnesses tests/fuzz/fuzz_<name>.c with clang (-DPPRT_FUZZ=ON: libFuzzer + ASan + UBSan, in
# build/fuzz) and runs each named harness (default: all) for the given time, one after the other:
#   --minutes N / --seconds N  time per harness (default 1 minute); docs/RELIABILITY.md has the long-run figures
#   --smoke                    CI mode (tools/test.sh fuzz): start from the checked-in seeds only, in a fresh corpus
#   --build DIR                build folder (default build/fuzz)
#   --seeds                    rewrite the checked-in seed corpora tests/fuzz/corpus/ from tests/data and exit
# Without --smoke the working corpus build/fuzz/corpus/<name> persists and grows from run to run (seeded from
# tests/fuzz/corpus/<name> and tests/fuzz/regress/<name>). A crash, a violated property, a leak, an input running
# longer than 10 s or using more than 2 GB is a finding: it is saved to build/fuzz/findings/<name>/ and the script
# exits non-zero. Once fixed, copy the input into tests/fuzz/regress/<name>/: ctest fuzz_replay_<name> replays it in
# every build.
# Per harness it prints "fuzz <name>: <execs> execs in <s> s (<rate>/s), corpus <n> inputs, <k> findings"; the last
# line is "N passed, N failed" (harnesses).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
smoke=0
bdir="$root/build/fuzz"
names=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) seconds=$(( ${2:?--minutes N} * 60 )); shift 2 ;;
    --seconds) seconds=${2:?--seconds N}; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --build) bdir="$(realpath -m "${2:?--build DIR}")"; shift 2 ;;
    --seeds) exec python3 "$root/tests/fuzz/make_seeds.py" "$root/tests/fuzz/corpus" ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
jobs="${PPRT_JOBS:-2}"

cc="${PPRT_FUZZ_CC:-clang}"
cxx="${PPRT_FUZZ_CXX:-clang++}"
if ! command -v "$cc" >/dev/null || ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cc / $cxx not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

echo "fuzz.sh: building the harnesses in $bdir"
mkdir -p "$bdir"
if ! CC="$cc" CXX="$cxx" cmake -S "$root" -B "$bdir" -Wno-dev --no-warn-unused-cli -DCMAKE_BUILD_TYPE=RelWithDebInfo \
       -DPPRT_FUZZ=ON -DPPRT_BUILD_TESTS=OFF -DPPRT_BUILD_TOOLS=OFF -DPPRT_BUILD_CPU_RUNNER=OFF -DPPRT_PYTHON=OFF \
       -DPPRT_WERROR=OFF >"$bdir/configure.log" 2>&1; then
  cat "$bdir/configure.log"
  echo "fuzz.sh: configure failed"; echo "0 passed, 1 failed"; exit 1
fi
IFS=';' read -r -a all <"$bdir/fuzz-harnesses.txt" || true
[[ ${#names[@]} -gt 0 ]] || names=("${all[@]}")
targets=()
for n in "${names[@]}"; do
  if [[ " ${all[*]} " != *" $n "* ]]; then
    echo "fuzz.sh: no harness '$n' (have: ${all[*]})" >&2; echo "0 passed, 1 failed"; exit 2
  fi
  targets+=("fuzz_$n")
done
tb0=$(date +%s.%N)
if ! cmake --build "$bdir" -j"$jobs" --target "${targets[@]}"; then
  echo "fuzz.sh: build failed"; echo "0 passed, 1 failed"; exit 1
fi
echo "fuzz.sh: built in $(awk -v a="$tb0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

passed=0; failed=0
# Leaks are findings too; the sanitizers stop at the first error.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for n in "${names[@]}"; do
  exe="$bdir/tests/fuzz/fuzz_$n"
  findings="$bdir/findings/$n"
  mkdir -p "$findings"
  if [[ $smoke -eq 1 ]]; then
    corpus="$bdir/smoke-corpus/$n"
    rm -rf "$corpus"
  else
    corpus="$bdir/corpus/$n"
  fi
  mkdir -p "$corpus"
  seeds=()
  for d in "$root/tests/fuzz/corpus/$n" "$root/tests/fuzz/regress/$n"; do
    [[ -d "$d" ]] && seeds+=("$d")
  done
  log="$bdir/fuzz-$n.log"
  before=$(find "$findings" -type f | wc -l)
  t0=$(date +%s.%N)
  # -timeout: one input may take 10 s; -rss_limit_mb: 2 GB; the scratch files live in /dev/shm (fuzz_common.h).
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  after=$(find "$findings" -type f | wc -l)
  new=$((after - before))
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
  rate=$(awk -v e="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
  ncorp=$(find "$corpus" -type f | wc -l)
  echo "fuzz $n: ${execs:-0} execs in $secs s ($rate/s), corpus $ncorp inputs, $new findings"
  if [[ $rc -ne 0 || $new -gt 0 ]]; then
    failed=$((failed + 1))
    echo "  FAILED (exit $rc): $log"
    grep -E "ERROR|property violated|SUMMARY|Test unit written" "$log" | head -8 | sed 's/^/  /'
  else
    passed=$((passed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
