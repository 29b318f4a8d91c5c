#!/bin/sh
# install_check.sh CMAKE BUILD_DIR DESTDIR PY_INSTALL_DIR LIBDIR PYTHON DATA_DIR
# `cmake --install` the build into a scratch DESTDIR, then import pprt from the installed module directory (not the
# build tree) and run a frame of the demo model on the installed CPU runner.
set -eu
cmake="$1" build="$2" dest="$3" pydir="$4" libdir="$5" py="$6" data="$7"
rm -rf "$dest"
DESTDIR="$dest" "$cmake" --install "$build" >/dev/null
mod="$(ls "$dest$pydir"/pprt.*.so)"
echo "installed: $mod"
cd "$dest"   # not the build tree or the sources
env -u PYTHONPATH PYTHONPATH="$dest$pydir" LD_LIBRARY_PATH="$dest$libdir" PPRT_CPU_RUNNER_LIB="$dest$libdir/libpprt-cpu-runner.so" "$py" - "$data" "$dest$pydir" <<'PY'
import os, sys
import numpy as np
import pprt
data, pydir = sys.argv[1], sys.argv[2]
assert os.path.dirname(pprt.__file__) == pydir, pprt.__file__
rt = pprt.Runtime(os.path.join(data, "demo-model"), runner="cpu")
boxes = rt.run(pprt.load_points(os.path.join(data, "sim", "sim_10.pcd.bin")))
assert boxes.dtype == pprt.box_dtype and len(boxes) > 0, len(boxes)
print(f"import pprt from {pprt.__file__}: {len(boxes)} boxes, top score {boxes['score'][0]:.3f}")
PY
