"""Batch-norm folding, power-of-two post-training quantization (per tensor, as vai_q_pytorch: each fix point chosen
to minimise the quantization error on calibration frames, round half up) and an integer forward that reproduces
pprt's CPU runner arithmetic (docs/DESIGN.md, model contract 9) for checking the export."""
import numpy as np
import torch
import torch.nn.functional as F

import pp

PFN = "pts_voxel_encoder_pfn_layers_0_linear_fix"


def fold(model):
    """-> ordered list of (name, kind, W xir [oc, kh, kw, ic] float64, b [oc] float64, relu, k, stride)."""
    model.eval()
    out = []

    def bn_scale(bn):
        s = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
        return s, bn.bias.detach().double() - bn.running_mean.double() * s

    s, t = bn_scale(model.pfn_bn)
    W = model.pfn.weight.detach().double() * s[:, None]
    out.append((PFN, "conv", W[:, None, None, :], t, True, 1, 1))
    for i, (blk, de) in enumerate(zip(model.blocks, model.deblocks)):
        mods = list(blk)
        j = 0
        for c in range(0, len(mods), 3):
            conv, bn = mods[c], mods[c + 1]
            s, t = bn_scale(bn)
            W = conv.weight.detach().double() * s[:, None, None, None]
            out.append(("pts_backbone_blocks_%d_%d_fix" % (i, j), "conv", W.permute(0, 2, 3, 1), t, True, 3,
                        conv.stride[0]))
            j += 1
        dc, bn = de[0], de[1]
        s, t = bn_scale(bn)
        W = dc.weight.detach().double() * s[None, :, None, None]  # [ic, oc, k, k]
        # XIR / the DPU store a transposed conv's kernel flipped (output y = in_y * stride + (k - 1 - ky)): flip it
        out.append(("pts_neck_deblocks_%d_fix" % i, "deconv", W.flip(2, 3).permute(1, 2, 3, 0), t, True, dc.kernel_size[0],
                    dc.stride[0]))
    for name, conv in (("cls", model.conv_cls), ("reg", model.conv_reg), ("dir_cls", model.conv_dir)):
        W = conv.weight.detach().double().permute(0, 2, 3, 1)
        out.append(("pts_bbox_head_conv_%s_fix" % name, "conv", W, conv.bias.detach().double(), False, 1, 1))
    return out


def qround(x):
    return torch.floor(x + 0.5)


def best_fp(x, lo=-8, hi=20):
    """fix point minimising the squared error of int8 round-half-up quantization of tensor x."""
    x = x.double().flatten()
    if x.numel() > 2_000_000:
        x = x[torch.randperm(x.numel(), generator=torch.Generator().manual_seed(0))[:2_000_000]]
    best, bfp = None, lo
    for fp in range(lo, hi + 1):
        q = torch.clamp(qround(x * 2.0 ** fp), -128, 127) * 2.0 ** -fp
        e = float(((q - x) ** 2).sum())
        if best is None or e < best:
            best, bfp = e, fp
    return bfp


def float_forward(layers, vox, coords, B=1, collect=None):
    """folded float forward (eval mode); collect[name] gets each layer output (after RELU)."""
    def rec(n, v):
        if collect is not None:
            collect.setdefault(n, []).append(v.detach())
        return v
    L = {l[0]: l for l in layers}
    name, _, W, b, _, _, _ = L[PFN]
    x = F.relu(vox.double() @ W[:, 0, 0, :].T + b)  # [P, S, C]
    rec(PFN, x)
    feat = x.max(1).values
    canvas = feat.new_zeros(B, pp.GRID * pp.GRID, feat.shape[1])
    canvas[0, coords[:, 0].long() * pp.GRID + coords[:, 1].long()] = feat
    x = canvas.reshape(B, pp.GRID, pp.GRID, -1).permute(0, 3, 1, 2)
    ups = []
    names = [l[0] for l in layers]
    i = 0
    while True:
        blk = [n for n in names if n.startswith("pts_backbone_blocks_%d_" % i)]
        if not blk:
            break
        for n in blk:
            _, _, W, b, _, k, s = L[n]
            x = rec(n, F.relu(F.conv2d(x, W.permute(0, 3, 1, 2), b, s, (k - 1) // 2)))
        n = "pts_neck_deblocks_%d_fix" % i
        _, _, W, b, _, k, s = L[n]
        ups.append(rec(n, F.relu(F.conv_transpose2d(x, W.permute(3, 0, 1, 2).flip(2, 3), b, s))))
        i += 1
    x = torch.cat(ups, 1)
    heads = []
    for h in ("cls", "reg", "dir_cls"):
        n = "pts_bbox_head_conv_%s_fix" % h
        _, _, W, b, _, _, _ = L[n]
        heads.append(rec(n, F.conv2d(x, W.permute(0, 3, 1, 2), b)))
    return heads


def calibrate(layers, frames):
    """frames: list of (vox int8, coords). Returns {name: {fp_w, fp_b, fp_out, w int8, b int8}}."""
    col = {}
    with torch.no_grad():
        for vox, coords in frames:
            float_forward(layers, torch.from_numpy(vox).double() * 2.0 ** -pp.FP_IN, torch.from_numpy(coords),
                          collect=col)
    fp_out = {n: best_fp(torch.cat([v.flatten() for v in vs])) for n, vs in col.items()}
    # the concat needs one fix point: choose it on all neck outputs together
    necks = [n for n in col if n.startswith("pts_neck_deblocks_")]
    fcat = best_fp(torch.cat([v.flatten() for n in necks for v in col[n]]))
    for n in necks:
        fp_out[n] = fcat
    q = {}
    fp_of_input = {}
    prev = pp.FP_IN
    for name, kind, W, b, relu, k, s in layers:
        if name == PFN:
            fin = pp.FP_IN
        elif name.startswith("pts_bbox_head"):
            fin = fcat
        elif name.startswith("pts_neck_deblocks_"):
            i = int(name.split("_")[3])
            fin = fp_out[[n for n in col if n.startswith("pts_backbone_blocks_%d_" % i)][-1]]
        elif name == "pts_backbone_blocks_0_0_fix":
            fin = fp_out[PFN]
        elif name.endswith("_0_fix"):
            i = int(name.split("_")[3])
            fin = fp_out[[n for n in col if n.startswith("pts_backbone_blocks_%d_" % (i - 1))][-1]]
        else:
            fin = prev
        fp_of_input[name] = fin
        fw = best_fp(W)
        fw = max(fw, fp_out[name] - fin)  # keep the output shift >= 0 (DPU)
        fb = min(best_fp(b), fin + fw)     # bias shift >= 0
        wq = torch.clamp(qround(W * 2.0 ** fw), -128, 127)
        bq = torch.clamp(qround(b * 2.0 ** fb), -128, 127)
        q[name] = dict(fp_in=fin, fp_w=fw, fp_b=fb, fp_out=fp_out[name], w=wq, b=bq, relu=relu, k=k, s=s, kind=kind)
        prev = fp_out[name]
    return q


def int_forward(q, vox_i8, coords):
    """pprt CPU runner arithmetic on one frame. vox_i8 int8 [P, S, 5]. Returns int8-valued heads (NCHW, float64)."""
    def requant(acc, L):
        sh = L["fp_in"] + L["fp_w"] - L["fp_out"]
        acc = acc + L["b"].view(1, -1, 1, 1) * 2.0 ** (L["fp_in"] + L["fp_w"] - L["fp_b"])
        y = torch.floor((acc + (2.0 ** (sh - 1) if sh > 0 else 0.0)) / 2.0 ** sh) if sh > 0 else acc * 2.0 ** -sh
        if L["relu"]:
            y = y.clamp(min=0)
        return y.clamp(-128, 127)
    L = q[PFN]
    x = torch.from_numpy(vox_i8).double()
    acc = x @ L["w"][:, 0, 0, :].T  # [P, S, C]
    y = requant(acc.permute(2, 0, 1)[None], L)[0].permute(1, 2, 0)
    feat = y.max(1).values
    canvas = feat.new_zeros(pp.GRID * pp.GRID, feat.shape[1])
    c = torch.from_numpy(coords).long()
    canvas[c[:, 0] * pp.GRID + c[:, 1]] = feat
    x = canvas.reshape(1, pp.GRID, pp.GRID, -1).permute(0, 3, 1, 2)
    ups = []
    i = 0
    while True:
        blk = [n for n in q if n.startswith("pts_backbone_blocks_%d_" % i)]
        if not blk:
            break
        for n in blk:
            L = q[n]
            x = requant(F.conv2d(x, L["w"].permute(0, 3, 1, 2), None, L["s"], (L["k"] - 1) // 2), L)
        L = q["pts_neck_deblocks_%d_fix" % i]
        ups.append(requant(F.conv_transpose2d(x, L["w"].permute(3, 0, 1, 2).flip(2, 3), None, L["s"]), L))
        i += 1
    x = torch.cat(ups, 1)
    heads = []
    for h in ("cls", "reg", "dir_cls"):
        L = q["pts_bbox_head_conv_%s_fix" % h]
        heads.append(requant(F.conv2d(x, L["w"].permute(0, 3, 1, 2)), L))
    return heads


def write_weights(path, q, model):
    with open(path, "w") as f:
        f.write("pprt-weights 1\ninput_fp %d\n" % pp.FP_IN)
        f.write("widths %d %d %s\n" % (model.pfn_channels, len(model.stages_spec),
                                       " ".join(" ".join(str(v) for v in s) for s in model.stages_spec)))
        for name, L in q.items():
            oc, kh, kw, ic = L["w"].shape
            f.write("layer %s %d %d %d %d %d %d %d\n" % (name, oc, kh, kw, ic, L["fp_w"], L["fp_b"], L["fp_out"]))
            w = L["w"].flatten().long().tolist()
            for i in range(0, len(w), 64):
                f.write(" ".join(str(v) for v in w[i:i + 64]) + "\n")
            f.write(" ".join(str(v) for v in L["b"].long().tolist()) + "\n")
        f.write("end\n")
