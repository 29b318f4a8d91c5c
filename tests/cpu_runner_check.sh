#!/bin/sh
# pprt-check on the small model pair: dump every op (the chosen kernel set: AVX2 / AVX-512 VNNI / NEON), compare
# with a PPRT_KERNELS=scalar run (identical),
# then with a copy corrupted in its first and last op (must name both ops and fail). Usage: cpu_runner_check.sh
# WORK_DIR EMULATOR... PPRT_CHECK
set -u
work=$1; shift
check="$*"
out=$work/cpu_runner_check
rm -rf "$out"; mkdir -p "$out"
for k in 0 1; do
  m=$(ls "$work"/small/*_${k}_pt/*.xmodel) || exit 1
  $check --dump "$out/d$k" "$m" || { echo "dump failed"; exit 1; }
  inp=$(ls "$out/d$k"/*input_fix.bin)
  PPRT_KERNELS=scalar $check --input "$inp" --compare "$out/d$k" "$m" || { echo "scalar run differs"; exit 1; }
  cp -r "$out/d$k" "$out/bad$k"
  last=$(ls -t "$out/bad$k"/*.bin | grep -v input_fix | head -1)
  first=$(ls -tr "$out/bad$k"/*.bin | grep -v input_fix | head -1)
  [ "$first" != "$last" ] || { echo "need two ops"; exit 1; }
  for f in "$first" "$last"; do
    # a byte the op did not write: flip every bit of byte 7
    b=$(od -An -tu1 -j7 -N1 "$f" | tr -d ' ')
    printf "\\$(printf '%03o' $((255 - b)))" | dd of="$f" bs=1 seek=7 conv=notrunc 2>/dev/null
  done
  if $check --input "$inp" --compare "$out/bad$k" "$m" > "$out/bad$k.txt"; then
    echo "corrupted dump not detected"; exit 1
  fi
  for f in "$first" "$last"; do
    grep -q "DIFFERS: op $(basename "$f" .bin) " "$out/bad$k.txt" || { cat "$out/bad$k.txt"; exit 1; }
  done
  grep -q "DIFFERS: 2 of " "$out/bad$k.txt" || { cat "$out/bad$k.txt"; exit 1; }
done
echo "cpu_runner_check: OK"
