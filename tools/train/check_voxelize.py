#!/usr/bin/env python3
"""The training voxelization (pp.voxelize) is pprt's, bit for bit: compare with `pprt voxelize` on synthetic sweeps,
single-sweep and multi-sweep (.info). usage: check_voxelize.py EMULATOR... PPRT MODEL_DIR SIMLIDAR WORK_DIR
(EMULATOR may be empty: the cross-built pprt runs through it)."""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pp  # noqa: E402


def main():
    *emu, pprt, model, simlidar, work = sys.argv[1:]
    emu = [e for e in emu if e]
    os.makedirs(work, exist_ok=True)
    os.environ["PPRT_SIMLIDAR"] = simlidar
    stems = pp.gen_frames(work, 3, 2, sweeps=3)
    checked = 0
    for stem in stems:
        for info in (None, stem + ".info"):
            out = os.path.join(work, "vox")
            args = emu + [pprt, "voxelize", "--model", model] + (["--info", info] if info else [stem + ".pcd.bin"])
            subprocess.run(args + ["-o", out], check=True, capture_output=True)
            coords = np.fromfile(os.path.join(out, "coords.bin"), np.int32).reshape(-1, 2)
            dpu0 = np.fromfile(os.path.join(out, "dpu0_input.bin"), np.int8).reshape(pp.MAX_PILLARS, pp.SLOTS, 5)
            vox, mc = pp.load_frame(stem + ".pcd.bin", info)
            name = os.path.basename(stem) + (" (3 sweeps)" if info else "")
            if coords.shape != mc.shape or not np.array_equal(coords, mc):
                print("FAIL %s: pillar coords differ (%d vs %d pillars)" % (name, len(coords), len(mc)))
                return 1
            if not np.array_equal(dpu0[:len(vox)], vox):
                bad = np.argwhere(dpu0[:len(vox)] != vox)
                print("FAIL %s: %d int8 features differ, first at pillar/slot/feature %s" % (name, len(bad), bad[0]))
                return 1
            print("ok %s: %d pillars, %d filled slots, identical" % (name, len(vox), int((vox != 0).any(2).sum())))
            checked += 1
    print("%d passed, 0 failed" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
