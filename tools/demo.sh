#!/usr/bin/env bash
# demo.sh [pprt run options...] -- build pprt (Release, build/release) and run the trained demo model
# (tests/data/demo-model) on a held-out synthetic lidar scene (tests/data/sim/sim_10, the key sweep; the model was trained on single sweeps)
# through the whole pipeline, the network in int8 through pprt's CPU runner. Prints the detections and the stage
# timings, and draws build/demo/sim_10.png: detections (filled, by class) over the ground truth (outlines).
#
#   tools/demo.sh                      # default run
#   tools/demo.sh --json               # extra arguments go to the printed `pprt run` unchanged
#   tools/demo.sh kitti [options...]   # Xilinx's trained KITTI PointPillars (tests/data/xilinx-kitti, the compiled
#                                      # custom-op graph) on its sample sweep, halves swapped as the board saw it
#                                      # (docs/KITTI.md): prints the board's five detections, draws build/demo/kitti.png,
#                                      # then cuts the model into a Model Zoo pair and prints them again from it
#
# PPRT_SKIP_DEPS=1 skips tools/setup-deps.sh; PPRT_JOBS (default 2) build parallelism.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PPRT_JOBS:-2}"
bdir=build/release
model=tests/data/demo-model
scene=tests/data/sim/sim_10
out=build/demo

if [[ "${PPRT_SKIP_DEPS:-0}" != 1 ]]; then
  bash tools/setup-deps.sh
fi

echo "demo: building ($bdir, Release)" >&2
cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DPPRT_BUILD_TESTS=OFF -Wno-dev >/dev/null
cmake --build "$bdir" -j"$jobs" >/dev/null
[[ -x "$bdir/tools/pprt" ]] || { echo "demo: $bdir/tools/pprt was not built" >&2; exit 1; }
mkdir -p "$out"

if [[ "${1:-}" == kitti ]]; then
  shift
  kdir=tests/data/xilinx-kitti
  # the sweep with its halves swapped (points n/2.., then 0..n/2-1): what the board's two preprocess threads fed
  python3 -c "import sys; b=open(sys.argv[1],'rb').read(); h=len(b)//32*16; open(sys.argv[2],'wb').write(b[h:]+b[:h])" \
    "$kdir/sample_pointpillars.bin" "$out/kitti_swapped.bin"
  run=("$bdir/tools/pprt" run --model "$kdir/pointpillars_custom_op.xmodel" "$out/kitti_swapped.bin" --runner cpu)
  echo "+ ${run[*]} $*" >&2
  "${run[@]}" "$@"
  echo "+ ${run[*]} --format vai   # the lines Xilinx's example printed on a board" >&2
  "${run[@]}" --format vai
  "${run[@]}" --json --out "$out/kitti.json"
  "$bdir/tools/pprt" view "$out/kitti_swapped.bin" --boxes "$out/kitti.json" --range 40 --size 800 -o "$out/kitti.png"
  # the same trained model in the Model Zoo pair layout (pointpillars_kitti_12000_{0,1}_pt + officialcfg), cut
  # from the quantizer's VoxelNet_int.xmodel, run the way the Vitis AI Library's pointpillars runs a pair
  cut=("$bdir/tools/pprt-genmodel" --family kitti --from-graph "$kdir/VoxelNet_int.xmodel" --out "$out/kitti_pair")
  echo "+ ${cut[*]}" >&2
  "${cut[@]}" 2>/dev/null
  pair=("$bdir/tools/pprt" run --model "$out/kitti_pair" "$out/kitti_swapped.bin" --runner cpu --format vai)
  echo "+ ${pair[*]}   # the Model Zoo pair: the same five lines" >&2
  "${pair[@]}"
  echo "demo: picture: $out/kitti.png" >&2
  exit 0
fi

run=("$bdir/tools/pprt" run --model "$model" "$scene.pcd.bin" --runner cpu --score-thresh 0.2)
echo "+ ${run[*]} $*" >&2
"${run[@]}" "$@"
"${run[@]}" --json --out "$out/boxes.json"
"$bdir/tools/pprt" view "$scene.pcd.bin" --boxes "$out/boxes.json" --gt "$scene.gt.json" -o "$out/sim_10.png"
echo "demo: ground truth of the scene: $scene.gt.json; picture (detections filled, ground truth outlined): $out/sim_10.png" >&2
