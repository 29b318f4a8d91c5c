#!/bin/sh
# schema_check.sh PROTOC SCHEMA GENMODEL WORK DATA: every prototxt pprt writes or ships parses with protoc against
# Vitis AI 2.5's schema (tests/schema/dpu_model_param_pointpillars.proto) the way VAI-L's
# TextFormat::ParseFromString parses it; a prototxt with pprt's old voxel_size field does not (the check can fail).
set -u
protoc="$1" schema="$2" genmodel="$3" work="$4" data="$5"
fail=0
check() { # check FILE WANT(0 ok / 1 refused)
  if "$protoc" --encode=vitis.ai.proto.DpuModelParamList -I"$(dirname "$schema")" "$schema" <"$1" >/dev/null 2>"$work/schema_err.txt"; then
    got=0
  else
    got=1
  fi
  if [ "$got" != "$2" ]; then
    echo "FAIL: $1: protoc $( [ "$got" = 0 ] && echo accepted || echo refused) it: $(cat "$work/schema_err.txt")"
    fail=1
  else
    echo "ok ($( [ "$2" = 0 ] && echo parses || echo refused as expected)): $1"
  fi
}
for size in small full; do
  "$genmodel" --size "$size" --out "$work/schema_$size" --quiet >/dev/null || { echo "FAIL: pprt-genmodel --size $size"; exit 1; }
  for f in "$work/schema_$size"/*/*.prototxt; do check "$f" 0; done
done
# KITTI pairs: <name>.prototxt of both folders (the second.pytorch <name0>_officialcfg.prototxt is another schema)
for size in small full; do
  "$genmodel" --family kitti --size "$size" --out "$work/schema_kitti_$size" --quiet >/dev/null ||
    { echo "FAIL: pprt-genmodel --family kitti --size $size"; exit 1; }
  for d in "$work/schema_kitti_$size"/*/; do n=$(basename "$d"); check "$d$n.prototxt" 0; done
done
check "$data/../../models/kitti/pointpillars_custom_op.prototxt" 0
for f in "$data"/model-zoo/*.prototxt "$data"/prototxt/*.prototxt "$data"/demo-model/*/*.prototxt; do check "$f" 0; done
sed 's/    in_channels: 64/    voxel_size: 0.25\n    in_channels: 64/' "$data/prototxt/pointpillars_nuscenes_0.prototxt" >"$work/schema_voxel_size.prototxt"
check "$work/schema_voxel_size.prototxt" 1
grep -q 'has no field named "voxel_size"' "$work/schema_err.txt" || { echo "FAIL: protoc's message does not name voxel_size"; fail=1; }
exit $fail
