#!/bin/sh
# pprt-check on the small model pair: dump every op (AVX2/NEON GEMM), compare with a scalar-GEMM run (identical),
# then with a corrupted copy (must name the op and fail). Usage: cpu_runner_check.sh WORK_DIR EMULATOR... PPRT_CHECK
set -u
work=$1; shift
check="$*"
out=$work/cpu_runner_check
rm -rf "$out"; mkdir -p "$out"
for k in 0 1; do
  m=$(ls "$work"/small/*_${k}_pt/*.xmodel) || exit 1
  $check --dump "$out/d$k" "$m" || { echo "dump failed"; exit 1; }
  inp=$(ls "$out/d$k"/*input_fix.bin)
  PPRT_CPU_RUNNER_GEMM=scalar $check --input "$inp" --compare "$out/d$k" "$m" || { echo "scalar run differs"; exit 1; }
  cp -r "$out/d$k" "$out/bad$k"
  last=$(ls -t "$out/bad$k"/*.bin | grep -v input_fix | head -1)
  printf '\177' | dd of="$last" bs=1 seek=7 conv=notrunc 2>/dev/null
  if $check --input "$inp" --compare "$out/bad$k" "$m" > "$out/bad$k.txt"; then
    echo "corrupted dump not detected"; exit 1
  fi
  grep -q "DIFFERS: op $(basename "$last" .bin) " "$out/bad$k.txt" || { cat "$out/bad$k.txt"; exit 1; }
done
echo "cpu_runner_check: OK"
