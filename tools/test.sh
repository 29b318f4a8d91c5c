#!/usr/bin/env bash
# test.sh [host|asan|arm64|fuzz|tsan|all] -- the pprt test command (also what .ci/run calls).
#
#   host   RelWithDebInfo build in build/host, ctest; then the Release build tools/demo.sh uses (build/release, compile only)
#   asan   Debug build at -O1 with -DPPRT_SANITIZE=ON (AddressSanitizer + UBSan + LeakSanitizer) in build/asan, ctest
#   arm64  private arm64 sysroot (tools/make-sysroot.sh) + aarch64 cross build in build/arm64, ctest under qemu
#   fuzz   every libFuzzer harness (tests/fuzz) for PPRT_FUZZ_SECONDS (default 15) from its seeds (tools/fuzz.sh)
#   tsan   ThreadSanitizer build in build/tsan, the thread tests (stream, runtime, robust, fault injection)
#   all    the five, in that order (default)
#
# Environment: PPRT_SKIP_DEPS=1 skips tools/setup-deps.sh; PPRT_JOBS (default 2) build/ctest parallelism;
# PPRT_SYSROOT (default <repo>/sysroot-arm64) the arm64 sysroot folder.
# Every step runs even if an earlier one failed; the exit code is non-zero if any step failed.
# The last line is "N passed, N failed" summed over the steps (a configure/build failure counts as one failure).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-all}"
jobs="${PPRT_JOBS:-2}"
sysroot="${PPRT_SYSROOT:-$root/sysroot-arm64}"

case "$mode" in
  host) steps=(host) ;;
  asan) steps=(asan) ;;
  arm64) steps=(arm64) ;;
  fuzz) steps=(fuzz) ;;
  tsan) steps=(tsan) ;;
  all) steps=(host asan arm64 fuzz tsan) ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) echo "usage: $0 [host|asan|arm64|fuzz|tsan|all]" >&2; exit 2 ;;
esac

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
banner() { printf '\n==== %s ====\n' "$*"; }

t_start=$(now)

if [[ "${PPRT_SKIP_DEPS:-0}" != 1 ]]; then
  banner "setup-deps"
  bash "$root/tools/setup-deps.sh" || { echo "test.sh: setup-deps failed"; echo "0 passed, 1 failed"; exit 1; }
fi
t_deps=$(elapsed "$t_start" "$(now)")

# The Python oracles need Debian's numpy/shapely: make /usr/bin/python3 the python3 on PATH if the current one
# (pyenv, venv, ...) lacks them.
if ! python3 -c 'import numpy, shapely' >/dev/null 2>&1 && /usr/bin/python3 -c 'import numpy, shapely' >/dev/null 2>&1
then
  export PATH="/usr/bin:$PATH"
fi
py_args=()
if [[ -x /usr/bin/python3 ]]; then
  py_args=(-DPython3_EXECUTABLE=/usr/bin/python3 -DPYTHON_EXECUTABLE=/usr/bin/python3)
fi

declare -A st_passed st_failed st_total st_status st_tbuild st_ttest st_failed_list

# run_step NAME BUILD_DIR [cmake args...]: configure + build + ctest; fills the st_* tables.
# step_targets (array): build only these targets; step_tests (regex): ctest -R (fixtures they need run too).
step_targets=()
step_tests=""
run_step() {
  local name="$1" bdir="$2"; shift 2
  local t0 t1 t2 log rc
  local build_args=() test_args=()
  [[ ${#step_targets[@]} -gt 0 ]] && build_args=(--target "${step_targets[@]}")
  [[ -n "$step_tests" ]] && test_args=(-R "$step_tests")
  st_passed[$name]=0; st_failed[$name]=0; st_total[$name]=0; st_failed_list[$name]=""
  t0=$(now)
  banner "$name: configure + build ($bdir)"
  if ! cmake -S "$root" -B "$bdir" -Wno-dev --no-warn-unused-cli "${py_args[@]}" "$@" ||
     ! cmake --build "$bdir" -j"$jobs" "${build_args[@]}"; then
    t1=$(now)
    st_status[$name]="BUILD FAILED"; st_failed[$name]=1
    st_tbuild[$name]=$(elapsed "$t0" "$t1"); st_ttest[$name]=0.0
    return 1
  fi
  t1=$(now)
  st_tbuild[$name]=$(elapsed "$t0" "$t1")
  banner "$name: ctest"
  log="$bdir/ctest-output.log"
  (cd "$bdir" && ctest --output-on-failure -j"$jobs" "${test_args[@]}") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  t2=$(now)
  st_ttest[$name]=$(elapsed "$t1" "$t2")
  # "NN% tests passed, F tests failed out of T"
  local line f t
  line="$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
  if [[ -n "$line" ]]; then
    f="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
    t="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")"
    st_total[$name]=$t; st_failed[$name]=$f; st_passed[$name]=$((t - f))
  fi
  st_failed_list[$name]="$(sed -n '/The following tests FAILED:/,$p' "$log" | grep -E '^[[:space:]]+[0-9]+ - ' |
                           sed -E 's/^[[:space:]]+[0-9]+ - ([^ ]+).*/\1/' | tr '\n' ' ')"
  if [[ $rc -ne 0 ]]; then
    st_status[$name]="FAILED"
    [[ ${st_failed[$name]} -gt 0 ]] || st_failed[$name]=1   # ctest failed without a count line
    return 1
  fi
  if [[ ${st_total[$name]} -eq 0 ]]; then
    st_status[$name]="ok (no tests)"
  else
    st_status[$name]="ok"
  fi
  return 0
}

overall=0
for step in "${steps[@]}"; do
  case "$step" in
    host)
      run_step host "$root/build/host" -DCMAKE_BUILD_TYPE=RelWithDebInfo || overall=1
      # The Release build tools/demo.sh makes (-O3: GCC warns, and -Werror fails, where -O2 does not): compile only.
      banner "host: Release build as tools/demo.sh makes it (build/release)"
      t0=$(now)
      if ! cmake -S "$root" -B "$root/build/release" -Wno-dev -DCMAKE_BUILD_TYPE=Release -DPPRT_BUILD_TESTS=OFF ||
         ! cmake --build "$root/build/release" -j"$jobs"; then
        st_status[host]="RELEASE BUILD FAILED"; st_failed[host]=$((st_failed[host] + 1)); overall=1
      fi
      st_tbuild[host]=$(awk -v a="${st_tbuild[host]}" -v b="$(elapsed "$t0" "$(now)")" 'BEGIN { printf "%.1f", a + b }')
      ;;
    asan)
      supp=""
      [[ -f "$root/tests/lsan.supp" ]] && supp=":suppressions=$root/tests/lsan.supp"
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
      export LSAN_OPTIONS="${supp#:}"
      run_step asan "$root/build/asan" -DCMAKE_BUILD_TYPE=Debug -DPPRT_SANITIZE=ON \
        "-DCMAKE_C_FLAGS_DEBUG=-g -O1" "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" || overall=1
      unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
      ;;
    arm64)
      t0=$(now)
      banner "arm64: sysroot ($sysroot)"
      if bash "$root/tools/make-sysroot.sh" "$sysroot"; then
        t_sys=$(elapsed "$t0" "$(now)")
        run_step arm64 "$root/build/arm64" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64.cmake" -DPPRT_SYSROOT="$sysroot" || overall=1
        st_tbuild[arm64]=$(awk -v a="${st_tbuild[arm64]}" -v b="$t_sys" 'BEGIN { printf "%.1f", a + b }')
      else
        st_status[arm64]="SYSROOT FAILED"; st_passed[arm64]=0; st_failed[arm64]=1; st_total[arm64]=0
        st_tbuild[arm64]=$(elapsed "$t0" "$(now)"); st_ttest[arm64]=0.0; st_failed_list[arm64]=""
        overall=1
      fi
      ;;
    fuzz)
      # Each harness from its checked-in seeds for PPRT_FUZZ_SECONDS; a crash, a violated property, a leak or a hang
      # fails the step (tools/fuzz.sh, docs/RELIABILITY.md).
      banner "fuzz: build + ${PPRT_FUZZ_SECONDS:-15} s per harness (build/fuzz)"
      t0=$(now)
      log="$root/build/fuzz-step.log"
      mkdir -p "$root/build"
      PPRT_JOBS="$jobs" bash "$root/tools/fuzz.sh" --smoke --seconds "${PPRT_FUZZ_SECONDS:-15}" 2>&1 | tee "$log"
      rc=${PIPESTATUS[0]}
      line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)"
      st_passed[fuzz]=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed, 1 failed}")
      st_failed[fuzz]=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"${line:-0 passed, 1 failed}")
      st_total[fuzz]=$((st_passed[fuzz] + st_failed[fuzz]))
      st_failed_list[fuzz]="$(sed -nE 's/^fuzz ([a-z0-9_]+): .*/\1/p' "$log" | while read -r h; do
                               grep -A1 "^fuzz $h: " "$log" | grep -q '  FAILED' && printf '%s ' "$h"; done)"
      st_tbuild[fuzz]="$(sed -nE 's/^fuzz.sh: built in ([0-9.]+) s$/\1/p' "$log" | tail -1)"
      [[ -n "${st_tbuild[fuzz]}" ]] || st_tbuild[fuzz]=0.0
      st_ttest[fuzz]=$(awk -v a="$(elapsed "$t0" "$(now)")" -v b="${st_tbuild[fuzz]}" 'BEGIN { printf "%.1f", a - b }')
      fuzz_execs=$(awk '/^fuzz [a-z0-9_]+: [0-9]+ execs/ { s += $3 } END { print s + 0 }' "$log")
      if [[ $rc -ne 0 ]]; then
        st_status[fuzz]="FAILED"; [[ ${st_failed[fuzz]} -gt 0 ]] || st_failed[fuzz]=1; overall=1
      else
        st_status[fuzz]="ok ($fuzz_execs execs)"
      fi
      ;;
    tsan)
      # ThreadSanitizer on the tests that run threads: the stream, runtimes used from several threads (test_robust's
      # concurrent runs), the runtime itself and the fault-injecting runner. A reported race fails the test.
      export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1"
      step_targets=(test_stream test_robust test_pipeline test_fault pprt-genmodel)
      step_tests='^(test_stream|test_robust|test_pipeline|test_fault)$'
      run_step tsan "$root/build/tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPRT_TSAN=ON -DPPRT_PYTHON=OFF || overall=1
      step_targets=(); step_tests=""
      unset TSAN_OPTIONS
      ;;
  esac
done

banner "summary"
printf '%-6s %-22s %7s %7s %7s %10s %10s\n' step status passed failed total build_s test_s
[[ "${PPRT_SKIP_DEPS:-0}" != 1 ]] && printf '%-6s %-22s %7s %7s %7s %10s %10s\n' deps ok - - - "$t_deps" -
sum_p=0; sum_f=0
for step in "${steps[@]}"; do
  printf '%-6s %-22s %7s %7s %7s %10s %10s\n' "$step" "${st_status[$step]}" "${st_passed[$step]}" \
    "${st_failed[$step]}" "${st_total[$step]}" "${st_tbuild[$step]}" "${st_ttest[$step]}"
  [[ -n "${st_failed_list[$step]}" ]] && echo "       failed in $step: ${st_failed_list[$step]}"
  sum_p=$((sum_p + st_passed[$step])); sum_f=$((sum_f + st_failed[$step]))
done
echo "total time: $(elapsed "$t_start" "$(now)") s"
echo "$sum_p passed, $sum_f failed"
exit $overall
