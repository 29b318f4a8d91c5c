#!/usr/bin/env python3
"""Detect objects in a lidar sweep with pprt from Python: load, run, print, draw.

    PYTHONPATH=build/host/python /usr/bin/python3 tools/examples/detect.py                      # the demo scene
    PYTHONPATH=build/host/python /usr/bin/python3 tools/examples/detect.py --info tests/data/sim/sim_10.info
    python3 tools/examples/detect.py --model /usr/share/vitis_ai_library/models --runner dpu SWEEP.bin  # a board

Draws a bird's-eye view with matplotlib when it is installed, else through `pprt view` (the pprt command next to the
build's module or on PATH); --no-draw skips the picture.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

import pprt

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def find_pprt_command():
    """The pprt command of the build this module came from (<build>/python/pprt*.so -> <build>/tools/pprt), else PATH."""
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(pprt.__file__))), "tools", "pprt")
    return here if os.access(here, os.X_OK) else shutil.which("pprt")


def write_boxes_json(path, boxes, class_names):
    """pprt's box file format (what `pprt run --json` prints and `pprt view --boxes` reads)."""
    doc = {"boxes": [{"label": class_names[b["label"]], "label_id": int(b["label"]), "score": float(b["score"]),
                      "box": [float(b[f]) for f in ("x", "y", "z", "w", "l", "h", "yaw", "vx", "vy")]}
                     for b in boxes]}
    with open(path, "w") as f:
        json.dump(doc, f)


def draw_matplotlib(path, points, boxes, class_names, rng):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.scatter(points[:, 0], points[:, 1], s=0.2, c="0.6")
    colors = plt.get_cmap("tab10")
    for b in boxes:
        # mmdetection3d 0.x lidar boxes: the heading is -yaw - pi/2, l runs along it and w across (as pprt view draws)
        h = -float(b["yaw"]) - np.pi / 2
        rot = np.array([[np.cos(h), np.sin(h)], [-np.sin(h), np.cos(h)]])
        corners = np.array([[1, 1], [1, -1], [-1, -1], [-1, 1], [1, 1]]) * [b["l"] / 2, b["w"] / 2]
        xy = corners @ rot + [b["x"], b["y"]]
        ax.plot(xy[:, 0], xy[:, 1], color=colors(int(b["label"]) % 10), lw=1.2)
    ax.set_xlim(-rng, rng)
    ax.set_ylim(-rng, rng)
    ax.set_aspect("equal")
    ax.set_title(f"{len(boxes)} boxes")
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", nargs="?", default=os.path.join(ROOT, "tests", "data", "sim", "sim_10.pcd.bin"),
                    help="point file (.pcd.bin, .bin, .pcd); default: the demo scene")
    ap.add_argument("--info", help="a multi-sweep .info file instead of SWEEP")
    ap.add_argument("--model", default=os.path.join(ROOT, "tests", "data", "demo-model"))
    ap.add_argument("--runner", default="cpu", choices=["dpu", "cpu", "dummy"])
    ap.add_argument("--min-score", type=float, default=0.3, help="boxes drawn and printed (default 0.3)")
    ap.add_argument("--out", default="detect.png", help="picture (default detect.png)")
    ap.add_argument("--range", type=float, default=54.0, help="half width of the picture, m")
    ap.add_argument("--no-draw", action="store_true")
    a = ap.parse_args()

    frame = pprt.load_info(a.info) if a.info else pprt.load_points(a.sweep)
    key_points = frame[0].points if a.info else frame
    with pprt.Runtime(a.model, runner=a.runner) as rt:
        boxes = rt.run(frame)
        stats, names = rt.stats, rt.class_names
    shown = boxes[boxes["score"] >= a.min_score]
    print(f"{stats['points_in']} points -> {stats['pillars']} pillars -> {len(boxes)} boxes "
          f"({len(shown)} with score >= {a.min_score}) in {stats['stage_ms']['total']:.1f} ms "
          f"({', '.join(f'{k} {v:.1f}' for k, v in stats['stage_ms'].items() if k != 'total')})")
    print(f"{'label':<22}{'score':>6}{'x':>8}{'y':>8}{'z':>7}{'w':>6}{'l':>6}{'h':>6}{'yaw':>7}")
    for b in shown:
        print(f"{names[b['label']]:<22}{b['score']:6.3f}{b['x']:8.2f}{b['y']:8.2f}{b['z']:7.2f}"
              f"{b['w']:6.2f}{b['l']:6.2f}{b['h']:6.2f}{b['yaw']:7.3f}")
    if a.no_draw:
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    try:
        draw_matplotlib(a.out, key_points, shown, names, a.range)
        print(f"wrote {a.out} (matplotlib)")
        return 0
    except ImportError:
        pass
    cmd = find_pprt_command()
    if cmd is None:
        print("no matplotlib and no pprt command: nothing drawn (--no-draw to silence)", file=sys.stderr)
        return 1
    boxes_json = os.path.splitext(a.out)[0] + ".boxes.json"
    write_boxes_json(boxes_json, shown, names)
    src = ["--info", a.info] if a.info else [a.sweep]
    subprocess.run([cmd, "view", *src, "--boxes", boxes_json, "--range", str(a.range), "-o", a.out], check=True)
    print(f"wrote {a.out} (pprt view, boxes in {boxes_json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
