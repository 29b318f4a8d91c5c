#!/usr/bin/env python3
"""Voxelization oracle: a numpy implementation written straight from docs/DESIGN.md, model contract 3-4, in float32
with the contract's operation order, compared byte for byte with pprt's C voxelizer.

    voxelize_ref.py --data-dir tests/data --work DIR -- [EMULATOR ARGS...] voxelize_dump

For each case it writes a job file (parameters and sweeps, floats in hex so both sides see the same float32
values), runs the dump program (prefixed with the cross emulator when one is given; only the C binary is emulated,
this script runs natively), computes the expected frame itself and compares, for every kernel variant the dump
wrote (<prefix>.<isa>.bin): the pillar count, the counts (points in, non-finite, out of range, overflow), the (y, x)
coords of every pillar and every byte of the live rows of the DPU0 input tensor.
Exit status 0 when all cases agree, 1 on a mismatch, 2 on a setup error.

The arithmetic, per point (float32 throughout, no fused multiply-add):
    earlier sweep: x' = ((R0*x + R1*y) + R2*z) + t0, likewise y', z'   (key sweep: unchanged)
    non-finite x, y, z or intensity (before the transform): counted, dropped
    c_j = floor((p'_j - min_j) / size_j), v_k = (f_k - mean_k) * (scale_k * 2^fp), f = (x', y', z', intensity, dt)
    mmdet3d mode (mmdetection3d 0.6.1 PointsRangeFilter + hard voxelization):
        keep iff min_j <= p'_j < max_j and 0 <= c_j < grid_j;  q_k = clip(floor(v_k + 0.5), -128, 127)
    vai_compat (VAI-L 2.5's voxelizer):
        keep iff 0 <= c_j < grid_j;  q_k = low byte of round-half-away-from-zero(v_k) as an int32 (saturated as
        AArch64 converts: std::round then a plain cast to int8_t, so 127.5 -> -128)
Pillars get ids in order of first appearance, points fill slots in arrival order (extra points: overflow), empty
slots are 0; past max_pillars mmdet3d skips new pillars (overflow) and keeps filling old ones, VAI-L (vai_compat)
stops the frame (every later point, also of later sweeps, is overflow).
"""
import argparse
import glob
import math
import os
import subprocess
import sys

import numpy as np

F32 = np.float32
MEAN = [0.0, 0.0, -1.0, 127.5, 0.275]
SCALE = [0.02, 0.02, 0.25, 0.0078, 3.6364]
RANGE = [-50.0, -50.0, -5.0, 50.0, 50.0, 3.0]
VOXEL = [0.25, 0.25, 8.0]


def hexf(v):
    return float(F32(v)).hex()


class Case:
    def __init__(self, name, sweeps, fp=6, vai_compat=0, max_voxels=40000, max_points=64, in_channels=5,
                 expect_pillars=None):
        self.name, self.sweeps, self.fp, self.vai_compat = name, sweeps, fp, vai_compat
        self.max_voxels, self.max_points, self.in_channels = max_voxels, max_points, in_channels
        self.expect_pillars = expect_pillars

    def job_text(self):
        nf = self.in_channels
        lines = [f"fix_point {self.fp}", f"vai_compat {self.vai_compat}", f"max_voxels {self.max_voxels}",
                 f"max_points {self.max_points}", f"in_channels {nf}",
                 "range " + " ".join(hexf(v) for v in RANGE), "voxel " + " ".join(hexf(v) for v in VOXEL),
                 "mean " + " ".join(hexf(v) for v in MEAN[:nf]), "scale " + " ".join(hexf(v) for v in SCALE[:nf])]
        for s in self.sweeps:
            head = f"sweep {s['path']} {s['stride']} {hexf(s['dt'])}"
            if s.get('rot') is None:
                lines.append(head + " key")
            else:
                lines.append(head + " " + " ".join(hexf(v) for v in list(s['rot']) + list(s['trans'])))
        return "\n".join(lines) + "\n"


def load(path, stride):
    a = np.fromfile(path, dtype='<f4')
    assert a.size % stride == 0, path
    return a.reshape(-1, stride)


def expected(case):
    """The frame per the contract: (num_pillars, counts, coords[P][2] int32, rows[P][slots*nf] int8)."""
    nf, slots, maxp = case.in_channels, case.max_points, case.max_voxels
    lo = np.array(RANGE[:3], F32)
    hi = np.array(RANGE[3:], F32)
    size = np.array(VOXEL, F32)
    grid = [int(np.round((hi[j] - lo[j]) / size[j])) for j in range(3)]
    assert grid[2] == 1
    mean = np.array(MEAN[:nf], F32)
    qscale = np.ldexp(np.array(SCALE[:nf], F32), case.fp).astype(F32)  # exact power-of-two scaling

    def quant(f, k):
        v = (f - mean[k]) * qscale[k]
        if case.vai_compat:  # half away from zero, int32 with saturation, low byte
            r = np.sign(v) * np.floor(np.abs(v.astype(np.float64)) + 0.5)  # exact for float32 inputs
            i = np.clip(np.nan_to_num(r, nan=0.0), -2.0 ** 31, 2.0 ** 31 - 1).astype(np.int64)
            return (i & 0xff).astype(np.uint8).view(np.int8)
        v = np.floor(v + F32(0.5))
        return np.clip(v, F32(-128.0), F32(127.0)).astype(np.int8)

    cell_pillar = {}
    coords, rows, fill = [], [], []
    counts = dict(points_in=0, nonfinite=0, out_of_range=0, overflow=0)
    stopped = False
    for s in case.sweeps:
        pts = load(s['path'], s['stride'])
        n = pts.shape[0]
        counts['points_in'] += n
        if stopped:
            counts['overflow'] += n
            continue
        with np.errstate(all='ignore'):
            x, y, z, it = (pts[:, j].astype(F32) for j in range(4))
            fin = np.isfinite(x) & np.isfinite(y) & np.isfinite(z) & np.isfinite(it)
            if s.get('rot') is not None:
                R = [F32(v) for v in s['rot']]
                t = [F32(v) for v in s['trans']]
                x, y, z = (((R[0] * x + R[1] * y) + R[2] * z) + t[0], ((R[3] * x + R[4] * y) + R[5] * z) + t[1],
                           ((R[6] * x + R[7] * y) + R[8] * z) + t[2])
                assert x.dtype == F32 and y.dtype == F32 and z.dtype == F32
            keep = fin.copy()
            cells = []
            for j, p in enumerate((x, y, z)):
                if not case.vai_compat:
                    keep &= (p >= lo[j]) & (p < hi[j])
                c = np.floor((p - lo[j]) / size[j])
                assert c.dtype == F32
                keep &= (c >= F32(0)) & (c < F32(grid[j]))
                cells.append(np.where(keep, c, 0).astype(np.int64))
            cell = cells[1] * grid[0] + cells[0]
            dt = F32(s['dt'])
            feats = [quant(x, 0), quant(y, 1), quant(z, 2), quant(it, 3)]
            q = np.stack(feats, axis=1)
            if nf > 4:
                extra = np.array([quant(np.array([dt], F32), k)[0] for k in range(4, nf)], np.int8)
                q = np.concatenate([q, np.broadcast_to(extra, (n, nf - 4))], axis=1)
        for i in range(n):
            if not fin[i]:
                counts['nonfinite'] += 1
                continue
            if not keep[i]:
                counts['out_of_range'] += 1
                continue
            c = int(cell[i])
            pid = cell_pillar.get(c)
            if pid is None:
                if len(coords) == maxp:
                    if case.vai_compat:
                        stopped = True
                        counts['overflow'] += n - i
                        break
                    counts['overflow'] += 1
                    continue
                pid = len(coords)
                cell_pillar[c] = pid
                coords.append((c // grid[0], c % grid[0]))
                rows.append(np.zeros((slots, nf), np.int8))
                fill.append(0)
            if fill[pid] >= slots:
                counts['overflow'] += 1
                continue
            rows[pid][fill[pid]] = q[i]
            fill[pid] += 1
    P = len(coords)
    c_arr = np.array(coords, np.int32).reshape(P, 2)
    r_arr = np.stack(rows).reshape(P, slots * nf) if P else np.zeros((0, slots * nf), np.int8)
    return P, counts, c_arr, r_arr


def read_dump(path):
    raw = open(path, 'rb').read()
    hdr = np.frombuffer(raw[:24], '<u4')
    P, row_bytes = int(hdr[0]), int(hdr[5])
    off = 24
    coords = np.frombuffer(raw[off:off + P * 8], '<i4').reshape(P, 2)
    off += P * 8
    rows = np.frombuffer(raw[off:off + P * row_bytes], np.int8).reshape(P, row_bytes)
    assert off + P * row_bytes == len(raw), f"{path}: {len(raw)} bytes, expected {off + P * row_bytes}"
    counts = dict(points_in=int(hdr[1]), nonfinite=int(hdr[2]), out_of_range=int(hdr[3]), overflow=int(hdr[4]))
    return P, counts, coords, rows


def compare(case, exp, got, label):
    P, counts, coords, rows = exp
    gP, gcounts, gcoords, grows = got
    errs = []
    if gP != P:
        errs.append(f"pillars {gP}, expected {P}")
    if gcounts != counts:
        errs.append(f"counts {gcounts}, expected {counts}")
    m = min(P, gP)
    bad = np.nonzero(np.any(gcoords[:m] != coords[:m], axis=1))[0]
    if bad.size:
        i = int(bad[0])
        errs.append(f"{bad.size} pillars with other coords, first {i}: {tuple(gcoords[i])} expected {tuple(coords[i])}")
    if grows.shape[1:] != rows.shape[1:]:
        errs.append(f"row bytes {grows.shape[1]}, expected {rows.shape[1]}")
    else:
        bad = np.nonzero(np.any(grows[:m] != rows[:m], axis=1))[0]
        if bad.size:
            i = int(bad[0])
            j = int(np.nonzero(grows[i] != rows[i])[0][0])
            errs.append(f"{bad.size} rows differ, first pillar {i} byte {j} (slot {j // case.in_channels} feature "
                        f"{j % case.in_channels}): {grows[i, j]} expected {rows[i, j]}")
    for e in errs:
        print(f"  {case.name} [{label}]: {e}")
    return not errs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data-dir', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('cmd', nargs=argparse.REMAINDER, help='-- [emulator...] voxelize_dump')
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    cmd = [c for c in cmd if c != '']
    if not cmd:
        print("voxelize_ref.py: give the dump command after --", file=sys.stderr)
        return 2
    os.makedirs(a.work, exist_ok=True)
    nus = os.path.join(a.data_dir, 'nuscenes_lidar_top_1532402927647951.pcd.bin')
    kitti = os.path.join(a.data_dir, 'kitti_000008.bin')

    # An earlier sweep: the key sweep's points moved by a rotation about z (plus a small tilt) and a translation,
    # with a time lag from microsecond timestamps (computed in double, as the runtime does).
    ang, tilt = 0.3, 0.02
    ca, sa, ct, st = math.cos(ang), math.sin(ang), math.cos(tilt), math.sin(tilt)
    rz = np.array([[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, ct, -st], [0, st, ct]])
    rot = [float(F32(v)) for v in (rz @ rx).reshape(-1)]
    trans = [1.5, -2.25, 0.125]
    t_key, t_sweep = 1532402927647951, 1532402927598063
    dt = float(F32((t_key - t_sweep) * 1e-6))
    key = dict(path=nus, stride=5, dt=0.0)
    earlier = dict(path=nus, stride=5, dt=dt, rot=rot, trans=trans)

    # A copy of the sweep with non-finite values planted in every feature and some points far outside.
    pts = load(nus, 5).copy()
    rng = np.random.default_rng(20240)
    for col, val in ((0, np.nan), (1, np.inf), (2, -np.inf), (3, np.nan), (0, 1e30), (2, -1e30)):
        pts[rng.choice(pts.shape[0], 97, replace=False), col] = val
    bad_path = os.path.join(a.work, 'nuscenes_nonfinite.bin')
    pts.astype('<f4').tofile(bad_path)
    # KITTI: stride 4, 4 features.
    cases = [
        Case('nuscenes key sweep, fp 6', [key], fp=6, expect_pillars=6522),
        Case('nuscenes key sweep, fp 7 (saturating)', [key], fp=7, expect_pillars=6522),
        Case('nuscenes 2 sweeps, transform + dt, fp 6', [key, earlier], fp=6),
        Case('non-finite points, 2 sweeps', [dict(path=bad_path, stride=5, dt=0.0), earlier], fp=6),
        Case('pillar limit 3000, mmdet3d', [key, earlier], fp=6, max_voxels=3000),
        Case('pillar limit 3000, vai_compat', [key, earlier], fp=6, max_voxels=3000, vai_compat=1),
        Case('nuscenes 2 sweeps, fp 7, vai_compat (wraps)', [key, earlier], fp=7, vai_compat=1),
        Case('16 slots', [key, earlier], fp=5, max_points=16),
        Case('kitti, stride 4, 4 features', [dict(path=kitti, stride=4, dt=0.0)], fp=6, in_channels=4),
    ]
    ok = True
    for ci, case in enumerate(cases):
        job = os.path.join(a.work, f'case{ci}.job')
        prefix = os.path.join(a.work, f'case{ci}')
        for old in glob.glob(prefix + '.*.bin'):
            os.remove(old)
        with open(job, 'w') as f:
            f.write(case.job_text())
        r = subprocess.run(cmd + [job, prefix], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            print(f"{case.name}: the dump program failed ({r.returncode}):\n{r.stdout}")
            return 2
        exp = expected(case)
        dumps = sorted(glob.glob(prefix + '.*.bin'))
        if not dumps:
            print(f"{case.name}: the dump program wrote nothing")
            return 2
        good = True
        if case.expect_pillars is not None and exp[0] != case.expect_pillars:
            print(f"  {case.name}: the oracle finds {exp[0]} pillars, the data README says {case.expect_pillars}")
            good = False
        for d in dumps:
            good &= compare(case, exp, read_dump(d), d.split('.')[-2])
        print(f"{'ok  ' if good else 'FAIL'} {case.name}: {exp[0]} pillars, {exp[1]}, variants "
              f"{[d.split('.')[-2] for d in dumps]}")
        ok &= good
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
