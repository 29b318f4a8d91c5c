#!/usr/bin/env python3
"""Oracle for pprt's rotated BEV IoU and greedy NMS (runtime/src/stages/nms.c), computed with shapely.

Box convention (docs/DESIGN.md, model contract 7): mmdetection3d 0.6.1's IoU kernel and VAI-L 2.5 rotate a box's corners
CLOCKWISE by its yaw: corner = centre + (dx cos + dy sin, -dx sin + dy cos).

Usage: iou_nms_ref.py --work DIR [--seed S] -- [EMULATOR ...] IOU_DUMP
The command after "--" is the tests/iou_dump.c binary, prefixed by ${CMAKE_CROSSCOMPILING_EMULATOR} when cross-built.
The seed defaults to PPRT_TEST_SEED from the environment (replayable), else a fixed value.

Checks:
 1. pprt_bev_iou on special cases (identical, touching edge / corner, nested, zero area, 90-degree rotations, same
    centre different yaw, far apart, tiny, huge, collinear edges, yaw wrap) and thousands of seeded random pairs:
    |pprt - shapely| <= 1e-5.
 2. NMS kept sets on random box sets with many overlaps and tied scores (priority = score descending, index
    ascending on both sides): identical kept lists. A set whose greedy run compares an IoU within 1e-6 of the
    threshold is ambiguous and skipped (reported; the test fails if more than a few are skipped).
"""
import argparse
import math
import os
import struct
import subprocess
import sys

import numpy as np
from shapely.geometry import Polygon

IOU_TOL = 1e-5
AMBIG = 1e-6


def corners(b):
    """b = (x, y, w, l, yaw) as float32 values; corners = centre + R(yaw) (+-w/2, +-l/2), R clockwise:
    (dx, dy) -> (dx cos + dy sin, -dx sin + dy cos). Returned in polygon order (the rotation keeps it simple)."""
    x, y, w, l, yaw = (float(v) for v in b)
    c, s = math.cos(yaw), math.sin(yaw)
    pts = []
    for px, py in ((w / 2, -l / 2), (w / 2, l / 2), (-w / 2, l / 2), (-w / 2, -l / 2)):
        pts.append((x + c * px + s * py, y - s * px + c * py))
    return pts


def shapely_iou(a, b):
    if float(a[2]) * float(a[3]) == 0.0 or float(b[2]) * float(b[3]) == 0.0:
        return 0.0
    pa, pb = Polygon(corners(a)), Polygon(corners(b))
    inter = pa.intersection(pb).area
    union = pa.area + pb.area - inter
    return 0.0 if union <= 0.0 else inter / union


def run_dump(cmd, mode, inp, outp):
    r = subprocess.run(cmd + [mode, inp, outp], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("iou_dump %s failed (%d): %s %s" % (mode, r.returncode, r.stdout, r.stderr))
    with open(outp, "rb") as f:
        return f.read()


def special_pairs():
    hp = math.pi / 2
    f = np.float32
    return [
        ("identical", (0, 0, 2, 4, 0.3), (0, 0, 2, 4, 0.3), 1.0),
        # issue 12: clockwise (mmdet3d 0.6.1, VAI-L) 0.19116; counter-clockwise would give 0.20465
        ("handedness", (0, 0, 4, 1, 0.5), (1, 0.5, 4, 1, -0.3), 0.191155275),
        ("handedness mirrored", (0, 0, 4, 1, -0.5), (-1, 0.5, 4, 1, 0.3), 0.191155275),
        ("identical rotated 90", (1, 2, 2, 4, hp), (1, 2, 2, 4, hp), 1.0),
        ("identical yaw+pi", (0, 0, 2, 4, 0.0), (0, 0, 2, 4, math.pi), 1.0),
        ("identical yaw+2pi", (0, 0, 2, 4, 0.5), (0, 0, 2, 4, 0.5 + 2 * math.pi), 1.0),
        ("w/l swapped + 90 deg", (0, 0, 2, 4, 0.0), (0, 0, 4, 2, hp), 1.0),
        ("touching edge", (0, 0, 2, 2, 0), (2, 0, 2, 2, 0), 0.0),
        ("touching edge rotated", (0, 0, 2, 2, 0.7), (2 * math.cos(0.7), -2 * math.sin(0.7), 2, 2, 0.7), 0.0),
        ("touching corner", (0, 0, 2, 2, 0), (2, 2, 2, 2, 0), 0.0),
        ("corner touching edge", (0, 0, 2, 2, 0), (1 + math.sqrt(2) / 2, 0, 1, 1, math.pi / 4), 0.0),
        ("nested", (0, 0, 4, 4, 0.2), (0.5, 0.3, 1, 1, 1.0), 1.0 / 16),
        ("nested shared edge", (0, 0, 4, 4, 0), (1, 0, 2, 4, 0), 0.5),
        ("half overlap collinear", (0, 0, 2, 2, 0), (1, 0, 2, 2, 0), 1.0 / 3),
        ("collinear edges offset", (0, 0, 2, 2, 0), (1, 0.5, 2, 1, 0), None),
        ("zero w", (0, 0, 0, 4, 0), (0, 0, 2, 4, 0), 0.0),
        ("zero l", (0, 0, 2, 4, 0), (0, 0, 2, 0, 0.3), 0.0),
        ("both zero", (0, 0, 0, 0, 0), (0, 0, 0, 0, 0), 0.0),
        ("90 deg cross", (0, 0, 2, 4, 0), (0, 0, 2, 4, hp), 4.0 / 12),
        ("90 deg float", (0, 0, 2, 4, 0), (0, 0, 2, 4, float(f(1.57))), None),
        ("same centre 45 deg", (0, 0, 2, 2, 0), (0, 0, 2, 2, math.pi / 4), None),
        ("same centre 30 deg", (3, -2, 1.9, 4.6, 0.1), (3, -2, 1.9, 4.6, 0.6236), None),
        ("far apart", (0, 0, 2, 4, 0), (100, -50, 2, 4, 1), 0.0),
        ("just apart", (0, 0, 2, 2, 0), (2.001, 0, 2, 2, 0), 0.0),
        ("tiny", (0, 0, 1e-3, 2e-3, 0.1), (2e-4, 1e-4, 1e-3, 2e-3, 0.4), None),
        ("tiny vs big", (0, 0, 1e-3, 1e-3, 0), (0, 0, 10, 10, 0), 1e-8),
        ("huge", (0, 0, 1e3, 2e3, 0.1), (100, 200, 1e3, 2e3, 0.4), None),
        ("huge vs small", (0, 0, 1e4, 1e4, 0.3), (10, 10, 2, 2, 1.0), 4e-8),
        ("negative yaw", (1, 1, 3, 1, -2.5), (1.5, 1.2, 2, 2, -0.4), None),
        ("far centre", (1000, -2000, 3, 1, 0.2), (1000.5, -2000.2, 2, 2, -0.4), None),
        ("thin cross", (0, 0, 10, 0.01, 0), (0, 0, 10, 0.01, hp), None),
        ("coincident corners", (0, 0, 2, 2, 0), (1, 1, 2, 2, math.pi / 4 * 0), None),
    ]


def random_pairs(rng, n):
    pairs = []
    for i in range(n):
        kind = i % 4
        w1, l1 = rng.uniform(0.1, 6, 2)
        if kind == 3:  # mixed scales
            w1, l1 = 10 ** rng.uniform(-2, 2, 2)
        a = (rng.uniform(-5, 5), rng.uniform(-5, 5), w1, l1, rng.uniform(-4, 4))
        # b near a so that most pairs overlap
        spread = (w1 + l1) * (0.6 if kind != 1 else 0.15)
        if kind == 2:  # right-angle multiples
            yb = a[4] + rng.integers(-2, 3) * (math.pi / 2)
        else:
            yb = rng.uniform(-4, 4)
        w2, l2 = rng.uniform(0.1, 6, 2) if kind != 3 else 10 ** rng.uniform(-2, 2, 2)
        b = (a[0] + rng.uniform(-spread, spread), a[1] + rng.uniform(-spread, spread), w2, l2, yb)
        pairs.append(("random %d" % i, a, b, None))
    return pairs


def check_iou(cmd, work, rng):
    pairs = special_pairs() + random_pairs(rng, 6000)
    arr = np.array([list(a) + list(b) for _, a, b, _ in pairs], dtype=np.float32)
    inp, outp = os.path.join(work, "iou_in.bin"), os.path.join(work, "iou_out.bin")
    arr.tofile(inp)
    got = np.frombuffer(run_dump(cmd, "iou", inp, outp), dtype=np.float64)
    if got.shape[0] != len(pairs):
        sys.exit("iou_dump returned %d values for %d pairs" % (got.shape[0], len(pairs)))
    fails, overlapping, worst = 0, 0, 0.0
    for (name, _, _, expect), row, g in zip(pairs, arr, got):
        ref = shapely_iou(row[:5], row[5:])
        if ref > 0:
            overlapping += 1
        err = abs(g - ref)
        worst = max(worst, err)
        bad = not (err <= IOU_TOL) or not (0.0 <= g <= 1.0)
        if expect is not None and not abs(g - expect) <= IOU_TOL:
            bad = True
        if bad:
            fails += 1
            if fails <= 20:
                print("IoU MISMATCH %s: a=%s b=%s pprt=%.9g shapely=%.9g expected=%s" %
                      (name, row[:5].tolist(), row[5:].tolist(), g, ref, expect))
    print("iou: %d pairs (%d special, %d overlapping), max |pprt - shapely| = %.3g, %d failures" %
          (len(pairs), len(special_pairs()), overlapping, worst, fails))
    return fails == 0


def oracle_nms(boxes, thresh, ge):
    """Greedy NMS in priority order with shapely IoU. Returns (kept positions, ambiguous?)."""
    polys = [Polygon(corners(b)) if float(b[2]) * float(b[3]) != 0.0 else None for b in boxes]
    kept, ambiguous = [], False
    for i, pi_ in enumerate(polys):
        sup = False
        for k in kept:
            pk = polys[k]
            disjoint = pi_ is None or pk is None or not pi_.intersects(pk)
            if disjoint:
                iou = 0.0
            else:
                inter = pi_.intersection(pk).area
                iou = inter / (pi_.area + pk.area - inter)
            # exactly 0 for disjoint boxes is not ambiguous; touching boxes (IoU 0 but intersecting) are
            if abs(iou - thresh) < AMBIG and not disjoint:
                ambiguous = True
            if (iou >= thresh) if ge else (iou > thresh):
                sup = True
                break
        if not sup:
            kept.append(i)
    return kept, ambiguous


def random_set(rng, case):
    n = int(rng.integers(20, 160))
    kind = case % 5
    area = 12.0 if kind != 4 else 3.0
    boxes = []
    for _ in range(n):
        if kind == 3:  # mixed scales: levels of the grid
            w, l = 10 ** rng.uniform(-1.5, 1.2, 2)
        else:
            w, l = rng.uniform(0.3, 5, 2)
        if rng.random() < 0.05:
            w = 0.0  # zero-area boxes mixed in
        yaw = rng.uniform(-4, 4) if kind != 2 else rng.integers(0, 4) * (math.pi / 2)
        boxes.append((rng.uniform(-area, area), rng.uniform(-area, area), w, l, yaw))
    scores = rng.integers(0, 12, n)  # many ties
    order = sorted(range(n), key=lambda i: (-int(scores[i]), i))
    boxes = np.array([boxes[i] for i in order], dtype=np.float32)
    thresh, ge = [(0.2, 0), (0.2, 1), (0.5, 0), (0.01, 1), (0.0, 0), (0.7, 1), (0.1, 0)][case % 7]
    # extent: usual one around the boxes, or a tiny one so every centre is clamped to the border cells
    extent = (-area, -area, area, area) if case % 3 != 2 else (30.0, 30.0, 30.5, 30.5)
    return boxes, thresh, ge, extent


def check_nms(cmd, work, rng, nsets):
    sets = [random_set(rng, c) for c in range(nsets)]
    # special sets: suppress-everything thresholds, all identical boxes, empty
    # special sets with known answers (the 5th element)
    same = np.array([(1, 1, 2, 4, 0.3)] * 10, dtype=np.float32)
    sets.append((same, 0.2, 0, (-10, -10, 10, 10), [0]))
    sets.append((same, 1.0, 1, (-10, -10, 10, 10), [0]))  # IoU == 1 exactly, >= 1: suppressed
    sets.append((same, 1.0, 0, (-10, -10, 10, 10), list(range(10))))  # IoU 1 > 1 never: all kept
    far = np.array([(i * 10.0, 0, 2, 2, 0) for i in range(5)], dtype=np.float32)
    sets.append((far, -0.1, 0, (-10, -10, 50, 10), [0]))  # IoU > -0.1 always: only the first
    sets.append((far, 0.0, 1, (-10, -10, 50, 10), [0]))   # IoU >= 0 always: only the first
    sets.append((far, 0.0, 0, (-10, -10, 50, 10), list(range(5))))  # disjoint, IoU 0 > 0 never: all kept
    touch = np.array([(0, 0, 2, 2, 0), (2, 0, 2, 2, 0), (1, 0, 2, 2, 0)], dtype=np.float32)
    sets.append((touch, 0.0, 0, (-10, -10, 10, 10), [0, 1]))  # touching: IoU 0, kept; the middle one overlaps
    sets.append((np.zeros((0, 5), dtype=np.float32), 0.2, 0, (-10, -10, 10, 10), []))
    buf = bytearray(struct.pack("<i", len(sets)))
    sets = [st if len(st) == 5 else st + (None,) for st in sets]
    for boxes, thresh, ge, ext, _ in sets:
        buf += struct.pack("<Idi4f", boxes.shape[0], thresh, ge, *ext)
        buf += boxes.astype(np.float32).tobytes()
    inp, outp = os.path.join(work, "nms_in.bin"), os.path.join(work, "nms_out.bin")
    with open(inp, "wb") as f:
        f.write(buf)
    out = run_dump(cmd, "nms", inp, outp)
    pos, fails, skipped, total_kept, total_boxes = 0, 0, 0, 0, 0
    for si, (boxes, thresh, ge, ext, known) in enumerate(sets):
        (nk,) = struct.unpack_from("<I", out, pos)
        pos += 4
        got = list(struct.unpack_from("<%dI" % nk, out, pos))
        pos += 4 * nk
        if known is not None:
            ref, amb = known, False
        else:
            ref, amb = oracle_nms(boxes, thresh, ge)
        total_boxes += boxes.shape[0]
        if amb:
            skipped += 1
            print("nms set %d: ambiguous (an IoU within %g of the threshold %g), skipped" % (si, AMBIG, thresh))
            continue
        total_kept += len(ref)
        if got != ref:
            fails += 1
            print("NMS MISMATCH set %d (n=%d thresh=%g ge=%d): pprt kept %s, oracle kept %s" %
                  (si, boxes.shape[0], thresh, ge, got, ref))
    if pos != len(out):
        print("nms: trailing output")
        fails += 1
    print("nms: %d sets, %d boxes, %d kept by the oracle, %d ambiguous skipped, %d failures" %
          (len(sets), total_boxes, total_kept, skipped, fails))
    return fails == 0 and skipped <= len(sets) // 10


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--nms-sets", type=int, default=60)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = [c for c in args.cmd if c != "--"]
    cmd = [c for c in cmd if c != ""]  # an empty emulator
    if not cmd:
        sys.exit("no iou_dump command given")
    seed = args.seed
    if seed is None:
        env = os.environ.get("PPRT_TEST_SEED", "")
        seed = int(env, 0) if env else 0x5eed1234abcd
    print("iou_nms_ref: seed %d (replay with PPRT_TEST_SEED=%d)" % (seed, seed))
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(seed)
    ok_iou = check_iou(cmd, args.work, rng)
    ok_nms = check_nms(cmd, args.work, rng, args.nms_sets)
    if not (ok_iou and ok_nms):
        print("FAILED")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
