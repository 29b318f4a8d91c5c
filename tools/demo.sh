#!/usr/bin/env bash
# demo.sh [pprt run options...] -- build pprt (Release, build/release), make the small synthetic model pair once,
# and run the whole pipeline on the nuScenes sweep in tests/data, the network through pprt's int8 CPU runner.
#
#   tools/demo.sh                      # default run
#   tools/demo.sh --json --repeat 5    # extra arguments go to `pprt run` unchanged
#
# PPRT_SKIP_DEPS=1 skips tools/setup-deps.sh; PPRT_JOBS (default 2) build parallelism.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PPRT_JOBS:-2}"
bdir=build/release
model=build/models/small
sweep=tests/data/nuscenes_lidar_top_1532402927647951.pcd.bin

if [[ "${PPRT_SKIP_DEPS:-0}" != 1 ]]; then
  bash tools/setup-deps.sh
fi

echo "demo: building ($bdir, Release)" >&2
cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -Wno-dev >/dev/null
cmake --build "$bdir" -j"$jobs" >/dev/null

for exe in "$bdir/tools/pprt" "$bdir/tools/pprt-genmodel"; do
  [[ -x "$exe" ]] || { echo "demo: $exe was not built" >&2; exit 1; }
done

if [[ ! -d "$model" ]] || [[ -z "$(ls -A "$model" 2>/dev/null)" ]]; then
  echo "demo: generating the small model pair in $model" >&2
  mkdir -p "$(dirname "$model")"
  "$bdir/tools/pprt-genmodel" --size small --seed 1 --out "$model"
fi

set -x
exec "$bdir/tools/pprt" run --model "$model" "$sweep" --runner cpu "$@"
