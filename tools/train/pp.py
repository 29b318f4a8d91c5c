"""PointPillars for pprt's demo model: pprt's exact voxelization, the pprt-genmodel graph in PyTorch, mmdet3d 0.x
anchors / box coding / direction classifier / losses / target assignment, and a float post-processing equivalent to
runtime/src/postprocess.c.  Debian's python3-torch + python3-numpy only."""
import json
import math
import os
import subprocess

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- model contract (pprt-genmodel --size small)
CLASSES = ["car", "truck", "trailer", "bus", "construction_vehicle", "bicycle", "motorcycle", "pedestrian",
           "traffic_cone", "barrier"]
PC_RANGE = np.array([-51.2, -51.2, -5.0, 51.2, 51.2, 3.0], np.float32)
VOXEL = np.array([0.4, 0.4, 8.0], np.float32)
GRID = 256
SLOTS = 32
MAX_PILLARS = 12000
FP_IN = 7  # DPU0 input fix point (pprt-genmodel's)
MEAN = np.array([0.0, 0.0, -1.0, 127.5, 0.275], np.float32)
SCALE = np.array([0.02, 0.02, 0.25, 0.0078, 3.6364], np.float32)
QSCALE = (SCALE * np.float32(2.0 ** FP_IN)).astype(np.float32)  # ldexpf: exact
FEAT = 128  # head map size
ANCHOR_XY = (-50.8, -50.8, 50.8, 50.8)
ANCHOR_SIZES = [  # z (bottom), w, l, h  (docs/DESIGN.md, model contract 6)
    (-1.80032795, 1.95017717, 4.60718145, 1.72270761), (-1.74440365, 2.4560939, 6.73778078, 2.73004906),
    (-1.68526504, 2.87427237, 12.01320693, 3.81509561), (-1.67339111, 0.60058911, 1.68452161, 1.27192197),
    (-1.61785072, 0.66344886, 0.7256437, 1.75748069), (-1.80984986, 0.39694519, 0.40359262, 1.06232151),
    (-1.763965, 2.49008838, 0.48578221, 0.98297065)]
ROTS = [0.0, 1.57]
NA = 14
NC = 10
DIR_OFFSET = 0.7854
# Assignment thresholds (pos, neg) by ground-truth class; nearest-BEV IoU as mmdet3d's nuScenes PointPillars
# (BboxOverlapsNearest3D, MaxIoUAssigner over all anchors), with per-class thresholds like its KITTI configs.
IOU_THR = {"car": (0.6, 0.45), "truck": (0.55, 0.4), "bus": (0.55, 0.4), "trailer": (0.55, 0.4),
           "construction_vehicle": (0.55, 0.4), "pedestrian": (0.5, 0.35), "bicycle": (0.5, 0.35),
           "motorcycle": (0.5, 0.35), "traffic_cone": (0.4, 0.25), "barrier": (0.5, 0.35)}
MIN_POS_IOU = 0.1  # each ground truth keeps its best anchors down to this IoU (0.8 m anchor stride vs 0.4 m cones)
CODE_WEIGHT = [1, 1, 1, 1, 1, 1, 1, 0.2, 0.2]


# ---------------------------------------------------------------- voxelization, bit-exact with pprt (float32)
def quantize_points(pts, rot=None, trans=None, dt=0.0):
    """pprt_pointquant_scalar: returns (cell int64 or -1, q int8 [N, 5])."""
    pts = np.asarray(pts, np.float32)
    x, y, z, it = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]
    finite = np.isfinite(x) & np.isfinite(y) & np.isfinite(z) & np.isfinite(it)
    if rot is not None:
        R = np.asarray(rot, np.float32).reshape(9)
        t = np.asarray(trans, np.float32).reshape(3)
        x, y, z = (((R[0] * x + R[1] * y) + R[2] * z) + t[0], ((R[3] * x + R[4] * y) + R[5] * z) + t[1],
                   ((R[6] * x + R[7] * y) + R[8] * z) + t[2])
    with np.errstate(invalid="ignore"):
        # mmdetection3d 0.6.1 PointsRangeFilter: min <= p < max (pprt's default mode)
        keep = finite & (x >= PC_RANGE[0]) & (x < PC_RANGE[3]) & (y >= PC_RANGE[1]) & (y < PC_RANGE[4]) & \
            (z >= PC_RANGE[2]) & (z < PC_RANGE[5])
        fx = np.floor((x - PC_RANGE[0]) / VOXEL[0])
        fy = np.floor((y - PC_RANGE[1]) / VOXEL[1])
        fz = np.floor((z - PC_RANGE[2]) / VOXEL[2])
    keep &= (fx >= 0) & (fx < GRID) & (fy >= 0) & (fy < GRID) & (fz >= 0) & (fz < 1)
    cell = np.full(len(pts), -1, np.int64)
    cell[keep] = fy[keep].astype(np.int64) * GRID + fx[keep].astype(np.int64)
    feats = [x, y, z, it, np.full(len(pts), np.float32(dt), np.float32)]
    q = np.zeros((len(pts), 5), np.int8)
    for k in range(5):
        v = (feats[k][keep] - MEAN[k]) * QSCALE[k]
        q[keep, k] = np.clip(np.floor(v + np.float32(0.5)), -128, 127).astype(np.int8)
    return cell, q


def voxelize(sweeps):
    """sweeps: list of (points, rot9 or None, trans3 or None, dt) in pprt's order (key first).
    Returns (vox int8 [P, SLOTS, 5], coords int32 [P, 2] (y, x)) like pprt voxelize (mmdet3d pillar limit)."""
    cells, qs = [], []
    for pts, rot, trans, dt in sweeps:
        c, q = quantize_points(pts, rot, trans, dt)
        m = c >= 0
        cells.append(c[m])
        qs.append(q[m])
    cell = np.concatenate(cells)
    q = np.concatenate(qs)
    if len(cell) == 0:
        return np.zeros((0, SLOTS, 5), np.int8), np.zeros((0, 2), np.int32)
    uniq, first, inv = np.unique(cell, return_index=True, return_inverse=True)
    rank = np.empty(len(uniq), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    pid = rank[inv]
    keep = pid < MAX_PILLARS
    pid, q, cell = pid[keep], q[keep], cell[keep]
    order = np.argsort(pid, kind="stable")
    ps = pid[order]
    start = np.searchsorted(ps, ps, side="left")
    slot = np.arange(len(ps)) - start
    ok = slot < SLOTS
    P = int(min(len(uniq), MAX_PILLARS))
    vox = np.zeros((P, SLOTS, 5), np.int8)
    vox[ps[ok], slot[ok]] = q[order][ok]
    coords = np.zeros((P, 2), np.int32)
    coords[pid, 0] = cell // GRID
    coords[pid, 1] = cell % GRID
    return vox, coords


def read_info(path):
    """VAI-L .info -> list of (points path, rot9, trans3, dt) with the key sweep first."""
    base = os.path.dirname(path)
    lines = [l.strip() for l in open(path) if l.strip()]
    kv = [(l.split(":", 1)[0], l.split(":", 1)[1]) for l in lines]
    key_path = os.path.join(base, kv[0][1])
    ts = int(kv[1][1])
    out = [(key_path, None, None, 0.0)]
    i = 3
    while i + 3 < len(kv) + 1 and i < len(kv):
        p = os.path.join(base, kv[i][1])
        t = int(kv[i + 1][1])
        R = [float(v) for v in kv[i + 2][1].split()]
        T = [float(v) for v in kv[i + 3][1].split()]
        out.append((p, R, T, (ts - t) / 1e6))
        i += 4
    return out


def load_frame(pcd_path, info_path=None):
    if info_path:
        sw = [(np.fromfile(p, np.float32).reshape(-1, 5), R, T, dt) for p, R, T, dt in read_info(info_path)]
    else:
        sw = [(np.fromfile(pcd_path, np.float32).reshape(-1, 5), None, None, 0.0)]
    return voxelize(sw)


# ---------------------------------------------------------------- anchors and box coding (mmdet3d 0.x)
def make_anchors():
    """[FEAT*FEAT*14, 7] (x, y, z_bottom, w, l, h, r) in pprt's anchor order."""
    x0, y0, x1, y1 = ANCHOR_XY
    xs = np.array([np.float32(x0 + (x1 - x0) / FEAT * (i + 0.5)) for i in range(FEAT)], np.float64)
    ys = np.array([np.float32(y0 + (y1 - y0) / FEAT * (i + 0.5)) for i in range(FEAT)], np.float64)
    a = np.zeros((FEAT, FEAT, 7, 2, 7))
    a[..., 0] = xs[None, :, None, None]
    a[..., 1] = ys[:, None, None, None]
    for s, (z, w, l, h) in enumerate(ANCHOR_SIZES):
        a[:, :, s, :, 2] = np.float32(z)
        a[:, :, s, :, 3] = np.float32(w)
        a[:, :, s, :, 4] = np.float32(l)
        a[:, :, s, :, 5] = np.float32(h)
    for r, rv in enumerate(ROTS):
        a[:, :, :, r, 6] = np.float32(rv)
    return a.reshape(-1, 7)


def encode(gt, an):
    """gt, an: [N, 7+] model boxes (x, y, zb, w, l, h, r[, vx, vy]) -> 9 deltas."""
    za = an[:, 2] + an[:, 5] / 2
    zg = gt[:, 2] + gt[:, 5] / 2
    d = torch.sqrt(an[:, 3] ** 2 + an[:, 4] ** 2)
    return torch.stack([(gt[:, 0] - an[:, 0]) / d, (gt[:, 1] - an[:, 1]) / d, (zg - za) / an[:, 5],
                        torch.log(gt[:, 3] / an[:, 3]), torch.log(gt[:, 4] / an[:, 4]), torch.log(gt[:, 5] / an[:, 5]),
                        gt[:, 6] - an[:, 6], gt[:, 7], gt[:, 8]], 1)


def decode(t, an):
    za = an[:, 2] + an[:, 5] / 2
    d = torch.sqrt(an[:, 3] ** 2 + an[:, 4] ** 2)
    h = torch.exp(t[:, 5]) * an[:, 5]
    return torch.stack([t[:, 0] * d + an[:, 0], t[:, 1] * d + an[:, 1], t[:, 2] * an[:, 5] + za - h / 2,
                        torch.exp(t[:, 3]) * an[:, 3], torch.exp(t[:, 4]) * an[:, 4], h, t[:, 6] + an[:, 6],
                        t[:, 7], t[:, 8]], 1)


def limit_period(v, offset, period):
    return v - torch.floor(v / period + offset) * period


def gt_to_model(gt_json):
    """tests/data .gt.json -> (boxes [N, 9] model convention, labels [N]); classes outside CLASSES dropped."""
    d = json.load(open(gt_json)) if isinstance(gt_json, str) else gt_json
    boxes, labels = [], []
    for ins in d["instances"]:
        if ins["label"] not in CLASSES:
            continue
        x, y, zc, l, w, h, yaw = ins["box"]
        vx, vy = ins.get("velocity", [0.0, 0.0])
        boxes.append([x, y, zc - h / 2, w, l, h, -yaw - math.pi / 2, vx, vy])
        labels.append(CLASSES.index(ins["label"]))
    return np.array(boxes, np.float64).reshape(-1, 9), np.array(labels, np.int64)


def model_to_gt(b):
    """model box (x, y, zb, w, l, h, r, vx, vy) -> gt fields (x, y, zc, l, w, h, yaw)."""
    x, y, zb, w, l, h, r = b[:7]
    return [x, y, zb + h / 2, l, w, h, -r - math.pi / 2]


def nearest_bev(b):
    """axis-aligned BEV (x1, y1, x2, y2) of model boxes: l lies along yaw_gt = -r - pi/2."""
    yaw = -b[:, 6] - math.pi / 2
    along_x = torch.abs(torch.cos(yaw)) >= torch.abs(torch.sin(yaw))
    ex = torch.where(along_x, b[:, 4], b[:, 3]) / 2
    ey = torch.where(along_x, b[:, 3], b[:, 4]) / 2
    return torch.stack([b[:, 0] - ex, b[:, 1] - ey, b[:, 0] + ex, b[:, 1] + ey], 1)


def iou_aligned(a, b):
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (aa[:, None] + ab[None, :] - inter)


def assign(anchors_bev, anchors, gt, labels):
    """MaxIoUAssigner over all anchors with per-class thresholds.
    Returns cls target [A] (-1 ignore, NC background, else class), reg target [A, 9], dir target [A], pos mask."""
    A = anchors.shape[0]
    cls_t = torch.full((A,), NC, dtype=torch.long)
    reg_t = torch.zeros((A, 9))
    dir_t = torch.zeros((A,), dtype=torch.long)
    if len(gt) == 0:
        return cls_t, reg_t, dir_t, torch.zeros(A, dtype=torch.bool)
    gtb = nearest_bev(gt)
    iou = iou_aligned(anchors_bev, gtb)  # [A, G]
    best, arg = iou.max(1)
    pos_thr = torch.tensor([IOU_THR[CLASSES[int(c)]][0] for c in labels])
    neg_thr = torch.tensor([IOU_THR[CLASSES[int(c)]][1] for c in labels])
    pos = best >= pos_thr[arg]
    neg = best < neg_thr[arg]
    gbest = iou.max(0).values  # per gt
    for g in range(len(gt)):
        if gbest[g] >= MIN_POS_IOU:
            m = iou[:, g] == gbest[g]
            pos |= m
            arg[m] = g
    cls_t[~neg] = -1
    cls_t[pos] = labels[arg[pos]]
    reg_t[pos] = encode(gt[arg[pos]], anchors[pos]).float()
    r = gt[arg[pos], 6]
    dir_t[pos] = (torch.floor(limit_period(r - DIR_OFFSET, 0, 2 * math.pi) / math.pi)).long().clamp(0, 1)
    return cls_t, reg_t, dir_t, pos


# ---------------------------------------------------------------- the network (pprt-genmodel small graph)
class PointPillars(nn.Module):
    """PFN (1x1 conv 5->C + BN + ReLU, max over slots incl. empty ones) -> canvas -> SECOND stages -> SECONDFPN
    deconvs (BN + ReLU) -> concat -> 1x1 heads (cls 140, reg 126, dir 28).  spec: pfn, stages [(extra, ch, stride,
    up_stride, up_ch)]."""

    def __init__(self, pfn=32, stages=((1, 32, 2, 1, 64), (1, 64, 2, 2, 64))):
        super().__init__()
        self.pfn_channels = pfn
        self.stages_spec = [tuple(s) for s in stages]
        self.pfn = nn.Linear(5, pfn, bias=False)
        self.pfn_bn = nn.BatchNorm1d(pfn, eps=1e-3, momentum=0.01)
        self.blocks = nn.ModuleList()
        self.deblocks = nn.ModuleList()
        cin = pfn
        for extra, ch, s, up, upc in self.stages_spec:
            layers = [nn.Conv2d(cin, ch, 3, s, 1, bias=False), nn.BatchNorm2d(ch, eps=1e-3, momentum=0.01), nn.ReLU()]
            for _ in range(extra):
                layers += [nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch, eps=1e-3, momentum=0.01),
                           nn.ReLU()]
            self.blocks.append(nn.Sequential(*layers))
            self.deblocks.append(nn.Sequential(nn.ConvTranspose2d(ch, upc, up, up, bias=False),
                                               nn.BatchNorm2d(upc, eps=1e-3, momentum=0.01), nn.ReLU()))
            cin = ch
        cat = sum(s[4] for s in self.stages_spec)
        self.conv_cls = nn.Conv2d(cat, NA * NC, 1)
        self.conv_reg = nn.Conv2d(cat, NA * 9, 1)
        self.conv_dir = nn.Conv2d(cat, NA * 2, 1)
        nn.init.constant_(self.conv_cls.bias, -4.595)  # prior 0.01 as mmdet3d
        nn.init.normal_(self.conv_cls.weight, std=0.01)
        nn.init.normal_(self.conv_reg.weight, std=0.01)
        nn.init.zeros_(self.conv_reg.bias)

    def pillar_features(self, vox):
        """vox float [P, SLOTS, 5] (q * 2^-FP_IN) -> [P, C]."""
        P = vox.shape[0]
        x = self.pfn(vox.reshape(-1, 5))
        x = F.relu(self.pfn_bn(x))
        return x.reshape(P, SLOTS, -1).max(1).values

    def scatter(self, feat, coords, batch_idx, B):
        canvas = feat.new_zeros(B, GRID * GRID, feat.shape[1])
        canvas[batch_idx, coords[:, 0] * GRID + coords[:, 1]] = feat
        return canvas.reshape(B, GRID, GRID, -1).permute(0, 3, 1, 2).contiguous()

    def backbone(self, x):
        ups = []
        for blk, de in zip(self.blocks, self.deblocks):
            x = blk(x)
            ups.append(de(x))
        x = torch.cat(ups, 1)
        return self.conv_cls(x), self.conv_reg(x), self.conv_dir(x)

    def forward(self, vox, coords, batch_idx, B):
        return self.backbone(self.scatter(self.pillar_features(vox), coords, batch_idx, B))


def flat_heads(cls, reg, dir_):
    """NCHW heads -> [B, A, 10], [B, A, 9], [B, A, 2] in pprt's anchor order."""
    B = cls.shape[0]
    return (cls.permute(0, 2, 3, 1).reshape(B, -1, NC), reg.permute(0, 2, 3, 1).reshape(B, -1, 9),
            dir_.permute(0, 2, 3, 1).reshape(B, -1, 2))


# ---------------------------------------------------------------- losses (mmdet3d)
def sigmoid_focal(logits, target_onehot, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, target_onehot, reduction="none")
    pt = p * target_onehot + (1 - p) * (1 - target_onehot)
    w = alpha * target_onehot + (1 - alpha) * (1 - target_onehot)
    return w * (1 - pt) ** gamma * ce


def smooth_l1(x, beta=1.0 / 9.0):
    ax = torch.abs(x)
    return torch.where(ax < beta, 0.5 * ax * ax / beta, ax - 0.5 * beta)


def losses(cls, reg, dir_, targets):
    """targets: list per frame of (cls_t, reg_t, dir_t, pos)."""
    c, r, d = flat_heads(cls, reg, dir_)
    cls_t = torch.stack([t[0] for t in targets])
    reg_t = torch.stack([t[1] for t in targets])
    dir_t = torch.stack([t[2] for t in targets])
    pos = torch.stack([t[3] for t in targets])
    npos = max(1.0, float(pos.sum()))
    valid = (cls_t >= 0).float()
    onehot = F.one_hot(cls_t.clamp(min=0), NC + 1)[..., :NC].float()
    l_cls = (sigmoid_focal(c, onehot).sum(-1) * valid).sum() / npos
    rp, tp = r[pos], reg_t[pos]
    # sin difference on the yaw delta (mmdet3d add_sin_difference)
    p6, t6 = rp[:, 6], tp[:, 6]
    rp = torch.cat([rp[:, :6], (torch.sin(p6) * torch.cos(t6))[:, None], rp[:, 7:]], 1)
    tp = torch.cat([tp[:, :6], (torch.cos(p6) * torch.sin(t6))[:, None], tp[:, 7:]], 1)
    cw = torch.tensor(CODE_WEIGHT)
    l_reg = (smooth_l1(rp - tp) * cw).sum() / npos
    l_dir = F.cross_entropy(d[pos], dir_t[pos], reduction="sum") / npos * 0.2
    return l_cls, l_reg, l_dir


# ---------------------------------------------------------------- float post-processing (as pprt's mmdet3d mode)
def rotated_iou_bev(a, b):
    """exact rotated-rectangle IoU of one box a (x, y, w, l, r model) against boxes b, numpy polygon clipping."""
    # As pprt's NMS (runtime/src/stages/nms.c), mmdet3d 0.6.1's rotated-IoU kernel and VAI-L 2.5: w along the local x axis,
    # l along the local y axis, corners rotated CLOCKWISE by r: (dx, dy) -> (dx cos + dy sin, -dx sin + dy cos)
    # (docs/DESIGN.md, model contract 7; mmdet3d v1.0 flipped it). A rotation keeps the polygon counter-clockwise.
    def corners(x, y, w, l, r):
        c, s = math.cos(r), math.sin(r)
        pts = [(w / 2, l / 2), (-w / 2, l / 2), (-w / 2, -l / 2), (w / 2, -l / 2)]
        return [(x + c * px + s * py, y - s * px + c * py) for px, py in pts]

    def clip(subject, clipper):
        out = subject
        for i in range(len(clipper)):
            if not out:
                break
            a1, a2 = clipper[i], clipper[(i + 1) % len(clipper)]
            inp, out = out, []

            def inside(p):
                return (a2[0] - a1[0]) * (p[1] - a1[1]) - (a2[1] - a1[1]) * (p[0] - a1[0]) >= 0

            def inter(p, q):
                x1, y1, x2, y2 = a1[0], a1[1], a2[0], a2[1]
                x3, y3, x4, y4 = p[0], p[1], q[0], q[1]
                den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
                if abs(den) < 1e-12:
                    return q
                t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
                return (x1 + t * (x2 - x1), y1 + t * (y2 - y1))
            for j in range(len(inp)):
                cur, prev = inp[j], inp[j - 1]
                if inside(cur):
                    if not inside(prev):
                        out.append(inter(prev, cur))
                    out.append(cur)
                elif inside(prev):
                    out.append(inter(prev, cur))
        return out

    def area(p):
        return 0.5 * abs(sum(p[i][0] * p[(i + 1) % len(p)][1] - p[(i + 1) % len(p)][0] * p[i][1]
                             for i in range(len(p)))) if len(p) >= 3 else 0.0
    ca = corners(*a)
    res = np.zeros(len(b))
    for i, bb in enumerate(b):
        if math.hypot(a[0] - bb[0], a[1] - bb[1]) > 0.5 * (math.hypot(a[2], a[3]) + math.hypot(bb[2], bb[3])):
            continue
        inter = area(clip(ca, corners(*bb)))
        res[i] = inter / (a[2] * a[3] + bb[2] * bb[3] - inter + 1e-12)
    return res


def postprocess(cls, reg, dir_, anchors, score_thr=0.05, nms_pre=1000, nms_thr=0.2, max_num=500):
    """one frame: cls [A, 10], reg [A, 9], dir [A, 2] float tensors -> list of (model box 9, score, label)."""
    scores = torch.sigmoid(cls)
    maxs = scores.max(1).values
    cand = torch.nonzero(maxs > score_thr).flatten()
    if len(cand) > nms_pre:  # the nms_pre best, ties to the lower anchor (as pprt), kept in anchor order
        order = np.lexsort((cand.numpy(), -maxs[cand].double().numpy()))[:nms_pre]
        cand = cand[torch.from_numpy(np.sort(order))]
    boxes = decode(reg[cand].double(), anchors[cand])
    dirs = torch.argmax(dir_[cand], 1)
    yaw = limit_period(boxes[:, 6] - DIR_OFFSET, 0, math.pi) + DIR_OFFSET + math.pi * dirs.double()
    boxes[:, 6] = yaw
    out = []
    sc = scores[cand]
    bnp = boxes.numpy()
    for c in range(NC):
        s = sc[:, c].numpy()
        idx = np.nonzero(s > score_thr)[0]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        keep = []
        for i in idx:
            if keep:
                ious = rotated_iou_bev((bnp[i, 0], bnp[i, 1], bnp[i, 3], bnp[i, 4], bnp[i, 6]),
                                       [(bnp[k, 0], bnp[k, 1], bnp[k, 3], bnp[k, 4], bnp[k, 6]) for k in keep])
                if (ious > nms_thr).any():
                    continue
            keep.append(i)
        out += [(bnp[i].tolist(), float(s[i]), c) for i in keep]
    out.sort(key=lambda t: -t[1])
    return out[:max_num]


# ---------------------------------------------------------------- data
def simlidar_exe():
    for p in [os.environ.get("PPRT_SIMLIDAR", ""), os.path.join(os.path.dirname(__file__), "../../build/tools/pprt-simlidar")]:
        if p and os.path.exists(p):
            return p
    raise FileNotFoundError("pprt-simlidar not found: set PPRT_SIMLIDAR to the built binary")


def gen_frames(out_dir, seed, count, sweeps=1):
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run([simlidar_exe(), "--out", out_dir, "--seed", str(seed), "--count", str(count), "--sweeps",
                    str(sweeps), "--quiet"], check=True)
    return [os.path.join(out_dir, "sim_%d" % (seed + i)) for i in range(count)]
