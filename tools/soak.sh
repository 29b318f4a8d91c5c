#!/usr/bin/env bash
# soak.sh [--frames N] [--runner dummy|cpu] [--max-growth-kb KB] [--no-faults] [--build DIR]
#   -- many frames through pprt_runtime_run and a stream, resident memory reported and bounded (docs/RELIABILITY.md)
#
# Builds pprt_soak (tests/soak.c) in build/host (or --build DIR) and runs the demo model (tests/data/demo-model) on
# 8 windows of 6000 points of the real nuScenes sweep:
#   1. clean: N frames (default 10^4) one at a time through pprt_runtime_run, then N through a 2-core stream;
#   2. faults (unless --no-faults): the same through the fault-injecting runner plugin around the same runner,
#      PPRT_FAULT="sg0:every=97:status;sg1:every=89:throw;sg1:every=101:waitfail" (about 3 % of the frames fail).
# Each run prints the RSS after the warm-up, every 1000 frames, and start / max / end; it fails if the RSS grows by
# more than KB (default 1024) after the warm-up, if a frame fails other than by an injected fault, or if a stream
# result comes back out of order. The last line is "N passed, N failed" (runs).
# --runner dummy (default) is VART's dummy runner (no DPU arithmetic: every anchor at score 0.5, post-processing's worst
# case); cpu is pprt's int8 CPU runner (slower, the real arithmetic).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames=10000
runner=dummy
bound=1024
faults=1
bdir="$root/build/host"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --frames) frames=${2:?--frames N}; shift 2 ;;
    --runner) runner=${2:?--runner dummy|cpu}; shift 2 ;;
    --max-growth-kb) bound=${2:?--max-growth-kb KB}; shift 2 ;;
    --no-faults) faults=0; shift ;;
    --build) bdir="$(realpath -m "${2:?--build DIR}")"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$runner" in dummy) inner=libvart-dummy-runner.so ;; cpu) inner="" ;; *) echo "soak.sh: --runner dummy|cpu" >&2; exit 2 ;; esac

if [[ ! -f "$bdir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$bdir" -Wno-dev -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || { echo "soak.sh: configure failed"; exit 1; }
fi
cmake --build "$bdir" -j"${PPRT_JOBS:-2}" --target pprt_soak pprt_fault_runner pprt-cpu-runner >/dev/null ||
  { echo "soak.sh: build failed (cmake --build $bdir --target pprt_soak)"; exit 1; }
soak="$bdir/tests/pprt_soak"
plugin="$(find "$bdir/tests" -maxdepth 1 -name 'libpprt_fault_runner.so' | head -1)"
cpu_lib="$(find "$bdir" -name 'libpprt-cpu-runner.so' | head -1)"
model="$root/tests/data/demo-model"
sweep="$root/tests/data/nuscenes_lidar_top_1532402927647951.pcd.bin"
common=(--model "$model" --sweep "$sweep" --frames "$frames" --max-growth-kb "$bound" --every 1000 --cores 2)

passed=0; failed=0
run() {
  local name="$1"; shift
  echo "== soak $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "soak $name: FAILED"; fi
}
if [[ $runner == dummy ]]; then
  run clean env -u PPRT_FAULT "$soak" "${common[@]}" --runner dummy
else
  run clean env -u PPRT_FAULT "$soak" "${common[@]}" --runner cpu --runner-lib "$cpu_lib"
fi
if [[ $faults -eq 1 ]]; then
  run faults env "PPRT_FAULT=sg0:every=97:status;sg1:every=89:throw;sg1:every=101:waitfail" \
    PPRT_FAULT_INNER="${inner:-$cpu_lib}" "$soak" "${common[@]}" --runner cpu --runner-lib "$plugin"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
