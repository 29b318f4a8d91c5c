#!/usr/bin/env bash
# tools/train/run.sh -- the whole demo-model flow, seeds fixed:
#   1. train the float PointPillars on pprt-simlidar scenes generated on the fly (CPU, 2 threads)
#   2. fold batch norm, quantize (power-of-two fix points calibrated on 32 held-out frames), write the weights file,
#      build the model pair with pprt-genmodel --weights and check the integer forward against pprt's CPU runner
#   3. score float (PyTorch) and int8 (pprt --runner cpu) on 100 held-out frames with pprt eval -> docs/ACCURACY.md
# usage: tools/train/run.sh [BUILD_DIR (default build/host, as tools/demo.sh builds it)] [STEPS (default 750)]
# Needs a build with pprt, pprt-genmodel, pprt-simlidar and the CPU runner, and python3-torch + python3-numpy.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build/host}" && pwd)"
steps="${2:-750}"
py=/usr/bin/python3
work="$build/train"
export PPRT_SIMLIDAR="$build/tools/pprt-simlidar"
mkdir -p "$work"
cd "$root"
start=$(date +%s)
"$py" "$here/train.py" train --out "$work" --steps "$steps" --batch 2 --lr 2e-3 | tee "$work/train.log"
trained=$(date +%s)
"$py" "$here/export.py" --ckpt "$work/float.pt" --out "$root/tests/data/demo-model" \
  --genmodel "$build/tools/pprt-genmodel" --pprt "$build/tools/pprt" | tee "$work/export.log"
cp "$work/float.pt" "$root/tests/data/demo-model/float.pt"
"$py" "$here/evaluate.py" --pprt "$build/tools/pprt" --model "$root/tests/data/demo-model" --ckpt "$work/float.pt" \
  --frames 100 --work "$work/eval" --markdown "$work/accuracy_table.md" | tee "$work/eval.log"
echo "run.sh: training $((trained - start)) s, export + evaluation $(($(date +%s) - trained)) s;" \
     "table in $work/accuracy_table.md (docs/ACCURACY.md quotes it)"
