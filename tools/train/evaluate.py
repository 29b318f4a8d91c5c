#!/usr/bin/env python3
"""Accuracy of the demo model on held-out pprt-simlidar frames (seeds 1..N, never trained on), from `pprt eval`.

  evaluate.py --pprt build/tools/pprt --model tests/data/demo-model [--ckpt build/train/float.pt] [--frames 100]
              [--markdown docs/ACCURACY.md] [--floor X]
Float model: PyTorch + its float post-processing (pp.postprocess, pprt's mmdet3d mode in float). int8 model: `pprt run
--runner cpu --json` on each frame. Both box lists go through the same conversion to nuScenes detection-results JSON
(global frame = lidar frame raised by the sensor height, as the .gt.json poses say), the ground truth too, and
`pprt eval --present-classes --json` scores them.  --floor: exit 1 unless the int8 mAP is at least X (CI)."""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

try:
    import torch  # noqa: F401  (pp needs it)
except ImportError:  # the CI accuracy test skips (ctest SKIP_RETURN_CODE 77) with this message
    print("SKIPPED: python3-torch is not installed (tools/setup-deps.sh installs it)")
    sys.exit(77)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pp  # noqa: E402

VEH = {"car", "truck", "bus", "trailer", "construction_vehicle"}


def attribute(label, vx, vy):
    moving = math.hypot(vx, vy) > 0.2
    if label in VEH:
        return "vehicle.moving" if moving else "vehicle.parked"
    if label == "pedestrian":
        return "pedestrian.moving" if moving else "pedestrian.standing"
    if label in ("bicycle", "motorcycle"):
        return "cycle.with_rider" if moving else "cycle.without_rider"
    return ""


def det(token, label, x, y, zc, l, w, h, yaw, vx, vy, score, lidar_z, npts=None):
    d = {"sample_token": token, "translation": [x, y, zc + lidar_z], "size": [w, l, h],
         "rotation": [math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)], "velocity": [vx, vy],
         "detection_name": label, "detection_score": score, "attribute_name": attribute(label, vx, vy)}
    d["ego_dist"] = math.hypot(x, y)  # the ego sits under the lidar (lidar2ego: a z offset only)
    if npts is not None:
        d["num_lidar_pts"] = npts
    return d


def model_box_det(token, label, b, score, lidar_z):
    x, y, zc, l, w, h, yaw = pp.model_to_gt(b)
    return det(token, label, x, y, zc, l, w, h, yaw, b[7], b[8], score, lidar_z)


def gt_dets(stem):
    g = json.load(open(stem + ".gt.json"))
    token = os.path.basename(stem)
    lz = g["lidar2ego"][2][3]
    out = []
    for ins in g["instances"]:
        if ins["label"] not in pp.CLASSES:
            continue
        x, y, zc, l, w, h, yaw = ins["box"]
        out.append(det(token, ins["label"], x, y, zc, l, w, h, yaw, ins["velocity"][0], ins["velocity"][1], -1.0,
                       lz, ins["num_lidar_pts"]))
    return token, lz, out


def write_results(path, results, ego=None):
    d = {"meta": {"use_camera": False, "use_lidar": True, "use_radar": False, "use_map": False,
                  "use_external": False}, "results": results}
    if ego is not None:
        d["ego_poses"] = ego
    with open(path, "w") as f:
        json.dump(d, f)


def int8_preds(pprt, model, stems, lzs):
    res = {}
    t0 = time.time()
    for stem in stems:
        token = os.path.basename(stem)
        r = subprocess.run([pprt, "run", "--model", model, stem + ".pcd.bin", "--runner", "cpu", "--json"],
                           check=True, capture_output=True, text=True)
        boxes = json.loads(r.stdout)["boxes"]
        res[token] = [model_box_det(token, b["label"], b["box"], b["score"], lzs[token]) for b in boxes]
    return res, (time.time() - t0) / max(1, len(stems))


def float_preds(ckpt, stems, lzs):
    import torch
    torch.set_num_threads(2)
    model = pp.PointPillars()
    model.load_state_dict(torch.load(ckpt)["model"])
    model.eval()
    anchors = torch.from_numpy(pp.make_anchors())
    res = {}
    t0 = time.time()
    with torch.no_grad():
        for stem in stems:
            token = os.path.basename(stem)
            vox, coords = pp.load_frame(stem + ".pcd.bin")
            v = torch.from_numpy(vox).float() * 2.0 ** -pp.FP_IN
            heads = model(v, torch.from_numpy(coords).long(), torch.zeros(len(coords), dtype=torch.long), 1)
            c, r, d = pp.flat_heads(*heads)
            boxes = pp.postprocess(c[0], r[0], d[0], anchors)
            res[token] = [model_box_det(token, pp.CLASSES[lab], b, s, lzs[token]) for b, s, lab in boxes]
    return res, (time.time() - t0) / max(1, len(stems))


def run_eval(pprt, gt_path, pred_path):
    r = subprocess.run([pprt, "eval", "--gt", gt_path, "--pred", pred_path, "--present-classes", "--json"],
                       check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def markdown(ev_f, ev_q, n, info):
    classes = [c for c in pp.CLASSES if c in ev_q["per_class"]]
    lines = ["| class | ground-truth boxes | float AP | int8 AP | int8 - float |", "|---|---:|---:|---:|---:|"]
    for c in classes:
        f = ev_f["per_class"][c]["AP"] if ev_f else float("nan")
        q = ev_q["per_class"][c]["AP"]
        lines.append("| %s | %d | %.3f | %.3f | %+.3f |" % (c, ev_q["per_class"][c]["num_gt"], f, q, q - f))
    for k in ("mAP", "NDS"):
        f = ev_f[k] if ev_f else float("nan")
        lines.append("| **%s** | | **%.3f** | **%.3f** | **%+.3f** |" % (k, f, ev_q[k], ev_q[k] - f))
    tp = ["| TP error (lower is better) | float | int8 |", "|---|---:|---:|"]
    for k, v in ev_q["tp_errors"].items():
        tp.append("| %s | %.3f | %.3f |" % (k, ev_f["tp_errors"][k] if ev_f else float("nan"), v))
    return "\n".join(lines) + "\n\n" + "\n".join(tp) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pprt", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ckpt")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--work")
    ap.add_argument("--markdown")
    ap.add_argument("--floor", type=float)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="pprt-eval-")
    stems = pp.gen_frames(os.path.join(work, "frames"), 1, a.frames)
    gt, lzs = {}, {}
    for s in stems:
        token, lz, d = gt_dets(s)
        gt[token], lzs[token] = d, lz
    gt_path = os.path.join(work, "gt.json")
    write_results(gt_path, gt)
    q, tq = int8_preds(a.pprt, a.model, stems, lzs)
    write_results(os.path.join(work, "pred_int8.json"), q)
    ev_q = run_eval(a.pprt, gt_path, os.path.join(work, "pred_int8.json"))
    print("int8 (pprt, CPU runner): mAP %.4f NDS %.4f  (%.2f s/frame incl. process start)" % (ev_q["mAP"], ev_q["NDS"], tq))
    ev_f = None
    if a.ckpt:
        f, tf = float_preds(a.ckpt, stems, lzs)
        write_results(os.path.join(work, "pred_float.json"), f)
        ev_f = run_eval(a.pprt, gt_path, os.path.join(work, "pred_float.json"))
        print("float (PyTorch): mAP %.4f NDS %.4f  (%.2f s/frame)" % (ev_f["mAP"], ev_f["NDS"], tf))
    table = markdown(ev_f, ev_q, a.frames, None)
    print(table)
    if a.markdown:
        with open(a.markdown, "w") as fo:
            fo.write(table)
    if a.floor is not None:
        ok = ev_q["mAP"] >= a.floor
        print("int8 mAP %.4f %s the floor %.4f" % (ev_q["mAP"], ">=" if ok else "<", a.floor))
        print("%d passed, %d failed" % (int(ok), int(not ok)))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
