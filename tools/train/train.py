#!/usr/bin/env python3
"""Train pprt's demo PointPillars on pprt-simlidar scenes (CPU, seeds fixed).

  train.py train --out DIR [--steps N] [--batch B]   float training; DIR/float.pt
  train.py smoke                                     two training steps on two frames (CI)
Frames are generated on the fly by pprt-simlidar (PPRT_SIMLIDAR=path) in a worker process; training seeds start at
1,000,000 (held-out evaluation frames use seeds 1..100, calibration 500..531)."""
import argparse
import math
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time

import numpy as np

try:
    import torch
except ImportError:  # the CI smoke test skips (ctest SKIP_RETURN_CODE 77) with this message
    if __name__ == "__main__" and sys.argv[1:2] == ["smoke"]:
        print("SKIPPED: python3-torch is not installed (tools/setup-deps.sh installs it)")
        sys.exit(77)
    raise

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pp  # noqa: E402

TRAIN_SEED0 = 1000000


def prepare(stem, anchors, anchors_bev, sweeps=1):
    info = stem + ".info" if sweeps > 1 else None
    vox, coords = pp.load_frame(stem + ".pcd.bin", info)
    gt, labels = pp.gt_to_model(stem + ".gt.json")
    # objects with no point are not learnable: mmdet3d's nuScenes pipeline drops them too
    import json
    npts = [i["num_lidar_pts"] for i in json.load(open(stem + ".gt.json"))["instances"] if i["label"] in pp.CLASSES]
    m = np.array(npts, np.int64).reshape(-1) > 0
    gt, labels = gt[m], labels[m]
    tg = pp.assign(anchors_bev, anchors, torch.from_numpy(gt), torch.from_numpy(labels))
    return vox, coords, tg


def producer(q, seed0, stride, sweeps):
    torch.set_num_threads(1)
    anchors = torch.from_numpy(pp.make_anchors())
    anchors_bev = pp.nearest_bev(anchors)
    tmp = tempfile.mkdtemp(prefix="pprt-train-")
    seed = seed0
    try:
        while True:
            stems = pp.gen_frames(tmp, seed, 4, sweeps)
            for s in stems:
                q.put(prepare(s, anchors, anchors_bev, sweeps))
                for f in os.listdir(tmp):
                    if f.startswith(os.path.basename(s) + ".") or f.startswith(os.path.basename(s) + "_"):
                        os.remove(os.path.join(tmp, f))
            seed += 4 * stride
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def batch_inputs(items):
    vox = torch.from_numpy(np.concatenate([it[0] for it in items])).float() * (2.0 ** -pp.FP_IN)
    coords = torch.from_numpy(np.concatenate([it[1] for it in items])).long()
    bidx = torch.cat([torch.full((len(it[1]),), i, dtype=torch.long) for i, it in enumerate(items)])
    return vox, coords, bidx


def train(out, steps, batch, lr, workers, sweeps=1, log_every=20):
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)
    os.makedirs(out, exist_ok=True)
    model = pp.PointPillars()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.3,
                                                div_factor=10, final_div_factor=100)
    ctx = mp.get_context("fork")
    q = ctx.Queue(maxsize=16)
    procs = [ctx.Process(target=producer, args=(q, TRAIN_SEED0 + 4 * w, workers, sweeps), daemon=True)
             for w in range(workers)]
    for p in procs:
        p.start()
    t0 = time.time()
    hist = []
    try:
        for step in range(steps):
            items = [q.get() for _ in range(batch)]
            vox, coords, bidx = batch_inputs(items)
            model.train()
            cls, reg, dir_ = model(vox, coords, bidx, batch)
            lc, lr_, ld = pp.losses(cls, reg, dir_, [it[2] for it in items])
            loss = lc + lr_ + ld
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 35.0)
            opt.step()
            sched.step()
            hist.append([float(lc), float(lr_), float(ld)])
            if (step + 1) % log_every == 0 or step == 0 or step + 1 == steps:
                h = np.mean(hist[-log_every:], 0)
                print("step %d/%d  cls %.4f  reg %.4f  dir %.4f  lr %.2e  %.1f s" %
                      (step + 1, steps, h[0], h[1], h[2], sched.get_last_lr()[0], time.time() - t0), flush=True)
            if (step + 1) % 500 == 0 or step + 1 == steps:
                torch.save({"model": model.state_dict(), "step": step + 1, "seconds": time.time() - t0},
                           os.path.join(out, "float.pt"))
    finally:
        for p in procs:
            p.terminate()
    return model, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["train", "smoke"])
    ap.add_argument("--out", default="build/train")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    if a.cmd == "smoke":
        out = tempfile.mkdtemp(prefix="pprt-smoke-")
        try:
            _, sec = train(out, 2, 1, 1e-3, 1, log_every=1)
            sd = torch.load(os.path.join(out, "float.pt"))["model"]
            assert all(torch.isfinite(v).all() for v in sd.values()), "non-finite weights after two steps"
            print("smoke: 2 training steps in %.1f s, weights finite" % sec)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return 0
    _, sec = train(a.out, a.steps, a.batch, a.lr, a.workers)
    print("training: %d steps x batch %d in %.0f s" % (a.steps, a.batch, sec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
