#!/usr/bin/env python3
"""Fold batch norm, quantize to int8 with power-of-two fix points calibrated on held-out frames, write the weights
file and build the model pair with pprt-genmodel --weights; check the integer forward against pprt's CPU runner.

  export.py --ckpt build/train/float.pt --out tests/data/demo-model [--calib 32] [--genmodel PATH] [--pprt PATH]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pp  # noqa: E402
import quant  # noqa: E402

CALIB_SEED0 = 500


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--calib", type=int, default=32)
    ap.add_argument("--genmodel", default="build/tools/pprt-genmodel")
    ap.add_argument("--pprt", default="build/tools/pprt")
    a = ap.parse_args()
    torch.set_num_threads(2)
    model = pp.PointPillars()
    model.load_state_dict(torch.load(a.ckpt)["model"])
    model.eval()
    layers = quant.fold(model)
    tmp = tempfile.mkdtemp(prefix="pprt-calib-")
    stems = pp.gen_frames(tmp, CALIB_SEED0, a.calib)
    frames = [pp.load_frame(s + ".pcd.bin") for s in stems]
    # folding check: the folded float graph gives the trained model's outputs
    vox, coords = frames[0]
    with torch.no_grad():
        v = torch.from_numpy(vox).float() * 2.0 ** -pp.FP_IN
        ref = model(v, torch.from_numpy(coords).long(), torch.zeros(len(coords), dtype=torch.long), 1)
        fold = quant.float_forward(layers, v.double(), torch.from_numpy(coords))
    for r, f in zip(ref, fold):
        err = float((r.double() - f).abs().max())
        assert err < 1e-3, "batch-norm folding changed the outputs by %g" % err
    q = quant.calibrate(layers, frames)
    for n, L in q.items():
        print("%-44s fp_in %3d fp_w %3d fp_b %3d fp_out %3d" % (n, L["fp_in"], L["fp_w"], L["fp_b"], L["fp_out"]))
    os.makedirs(a.out, exist_ok=True)
    wpath = os.path.join(tmp, "weights.txt")
    quant.write_weights(wpath, q, model)
    subprocess.run([a.genmodel, "--size", "small", "--weights", wpath, "--out", a.out, "--quiet",
                    "--name0", "pointpillars_demo_0_pt", "--name1", "pointpillars_demo_1_pt"], check=True)
    # check: integer forward + float post-processing == pprt run --runner cpu on a calibration frame
    heads = quant.int_forward(q, vox, coords)
    sc = [2.0 ** -q["pts_bbox_head_conv_%s_fix" % h]["fp_out"] for h in ("cls", "reg", "dir_cls")]
    c, r, d = pp.flat_heads(*[h * s for h, s in zip(heads, sc)])
    anchors = torch.from_numpy(pp.make_anchors())
    mine = pp.postprocess(c[0], r[0], d[0], anchors)
    res = subprocess.run([a.pprt, "run", "--model", a.out, stems[0] + ".pcd.bin", "--runner", "cpu", "--json"],
                         check=True, capture_output=True, text=True)
    theirs = json.loads(res.stdout)["boxes"]
    print("export check: %d boxes from the integer forward, %d from pprt run --runner cpu" % (len(mine), len(theirs)))
    n = min(len(mine), len(theirs))
    # equal scores may come in another order: compare the lists sorted by (score, label, position)
    mine = sorted(mine, key=lambda t: (-round(t[1], 5), t[2], round(t[0][0], 3), round(t[0][1], 3)))
    theirs = sorted(theirs, key=lambda t: (-round(t["score"], 5), pp.CLASSES.index(t["label"]), round(t["box"][0], 3),
                                           round(t["box"][1], 3)))
    worst = 0.0
    for i in range(n):
        worst = max(worst, abs(mine[i][1] - theirs[i]["score"]),
                    max(abs(x - y) for x, y in zip(mine[i][0][:7], theirs[i]["box"][:7])))
    print("export check: all %d boxes max |difference| %.2e" % (n, worst))
    ok = len(mine) == len(theirs) and worst < 1e-3
    if not ok:
        for i in range(n):
            if abs(mine[i][1] - theirs[i]["score"]) > 1e-4 or pp.CLASSES[mine[i][2]] != theirs[i]["label"]:
                print("first difference at box %d: %s %.6f vs %s %.6f" % (i, pp.CLASSES[mine[i][2]], mine[i][1],
                                                                         theirs[i]["label"], theirs[i]["score"]))
                break
    print("export check: %s" % ("integer forward matches pprt bit for bit (same boxes)" if ok else "MISMATCH"))
    with open(os.path.join(a.out, "quant.json"), "w") as f:
        json.dump({n: {k: L[k] for k in ("fp_in", "fp_w", "fp_b", "fp_out")} for n, L in q.items()}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
