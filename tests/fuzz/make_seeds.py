#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses, tests/fuzz/corpus/<name>/, from tests/data (and a few small
hand-made files for formats tests/data has no file of). Run by `tools/fuzz.sh --seeds`; the output is checked in so
the replay tests (ctest fuzz_replay_<name>) and the fuzzers start from the same inputs. Deterministic."""
import json
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", ".."))
data = os.path.join(root, "tests", "data")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")


def rd(*p):
    with open(os.path.join(data, *p), "rb") as f:
        return f.read()


def put(name, fname, blob):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(blob if isinstance(blob, bytes) else blob.encode())


# points: selector byte (0 nuScenes, 1 KITTI, 2 AUTO) + the first points of the real sweeps
nus = rd("nuscenes_lidar_top_1532402927647951.pcd.bin")
kit = rd("kitti_000008.bin")
put("points", "nuscenes_100", b"\x00" + nus[: 100 * 20])
put("points", "kitti_100", b"\x01" + kit[: 100 * 16])
put("points", "auto_nuscenes_7", b"\x02" + nus[: 7 * 20])
put("points", "auto_kitti_5", b"\x02" + kit[: 5 * 16])
put("points", "empty", b"\x00")

# pcd: ASCII and binary PCD v0.7 of the first points of the nuScenes sweep
pts = [struct.unpack_from("<5f", nus, 20 * i) for i in range(40)]
hdr = ("# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z intensity ring\nSIZE 4 4 4 4 4\n"
       "TYPE F F F F F\nCOUNT 1 1 1 1 1\nWIDTH {n}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS {n}\nDATA {d}\n")
put("pcd", "ascii_xyzir", hdr.format(n=len(pts), d="ascii") +
    "".join("%.6f %.6f %.6f %.1f %d\n" % (p[0], p[1], p[2], p[3], int(p[4])) for p in pts))
put("pcd", "binary_xyzir", hdr.format(n=len(pts), d="binary").encode() + nus[: 20 * len(pts)])
mixed = ("VERSION .7\nFIELDS x y z intensity timestamp\nSIZE 4 4 4 1 8\nTYPE F F F U F\nCOUNT 1 1 1 1 1\n"
         "WIDTH 3\nHEIGHT 1\nPOINTS 3\nDATA binary\n").encode()
for i in range(3):
    mixed += struct.pack("<fffBd", pts[i][0], pts[i][1], pts[i][2], i * 40, 1.5 + i)
put("pcd", "binary_mixed_types", mixed)
put("pcd", "ascii_xyz", "VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 2\nHEIGHT 1\n"
    "DATA ascii\n1 2 3\n4 5 6\n")

# info: the .info fixtures with their data paths renamed to the harness's point files
for src, fname in (("info/two_sweeps.info", "two_sweeps"), ("sim/sim_10.info", "sim_10")):
    lines = rd(*src.split("/")).decode().splitlines(True)
    k = 0
    res = []
    for ln in lines:
        key = ln.strip().split(":", 1)[0]
        if key in ("lidar_path", "data_path"):
            ln = ln[: ln.index(":") + 1] + ("a.pcd.bin", "b.pcd.bin", "e.pcd.bin")[k % 3] + "\n"
            k += 1
        res.append(ln)
    put("info", fname, "".join(res))
put("info", "key_only_crlf", "lidar_path:a.pcd.bin\r\ntimestamp:1\r\nsweeps:0\r\n")

# prototxt: the nuScenes prototxts of tests/data and the demo model, and a pprt settings file
put("prototxt", "nuscenes_0", rd("prototxt", "pointpillars_nuscenes_0.prototxt"))
put("prototxt", "model_zoo_0", rd("model-zoo", "pointpillars_nuscenes_40000_64_0_pt.prototxt"))
put("prototxt", "demo_0", rd("demo-model", "pointpillars_demo_0_pt", "pointpillars_demo_0_pt.prototxt"))
put("prototxt", "demo_settings", rd("demo-model", "pointpillars_demo_0_pt", "pointpillars_demo_0_pt.pprt"))

# kitti_param: pprt's copy of Xilinx's demo configuration (Model Zoo prototxt + second.pytorch pipeline)
for f in ("pointpillars_custom_op.prototxt", "pointpillars_custom_op_officialcfg.prototxt"):
    with open(os.path.join(root, "models", "kitti", f), "rb") as fh:
        put("kitti_param", f.replace(".prototxt", ""), fh.read())

# nusc_tables: selector byte (table index in fuzz_nusc_tables.c's order) + that table of the v1.0-mini fixture,
# cut to the annotations of its first 8 instances (a fuzzer run parses every table each time: small tables, more
# runs). The harness builds its base dataset from these files too, so they must stay consistent with each other.
tables = ["sample", "sample_data", "calibrated_sensor", "ego_pose", "sample_annotation", "scene", "category",
          "instance", "attribute", "sensor"]
tab = {t: json.loads(rd("nuscenes-mini", "v1.0-mini", t + ".json")) for t in tables}
keep_inst = {r["token"] for r in tab["instance"][:8]}
tab["instance"] = [r for r in tab["instance"] if r["token"] in keep_inst]
tab["sample_annotation"] = [r for r in tab["sample_annotation"] if r["instance_token"] in keep_inst]
for i, t in enumerate(tables):
    put("nusc_tables", "%02d_%s" % (i, t), bytes([i]) + json.dumps(tab[t], indent=1).encode())

# detset / eval: detection-results files built from the real sample's ground truth
gt = json.loads(rd("nuscenes_lidar_top_1532402927647951.gt.json"))
names = {"car", "truck", "trailer", "bus", "construction_vehicle", "bicycle", "motorcycle", "pedestrian",
         "traffic_cone", "barrier"}
boxes = []
for inst in gt.get("instances", [])[:8]:
    lab = inst.get("label") or inst.get("name")
    if lab not in names:
        continue
    x, y, z, l, w, h, yaw = inst["box"][:7]
    import math
    boxes.append({"sample_token": "s0", "translation": [x, y, z], "size": [w, l, h],
                  "rotation": [math.cos(yaw / 2), 0, 0, math.sin(yaw / 2)], "velocity": [0.5, -0.25],
                  "detection_name": lab, "detection_score": 0.9 - 0.1 * len(boxes), "attribute_name": "",
                  "num_lidar_pts": 10 + len(boxes), "ego_translation": [x, y, 0]})
if not boxes:
    raise SystemExit("make_seeds: no boxes in the ground-truth file")
meta = {"use_camera": False, "use_lidar": True, "use_radar": False, "use_map": False, "use_external": False}
res = {"meta": meta, "results": {"s0": boxes, "s1": [dict(b, sample_token="s1") for b in boxes[:2]]},
       "ego_poses": {"s0": {"translation": [0, 0, 0], "rotation": [1, 0, 0, 0]}}}
pred = {"meta": meta, "results": {"s0": [dict(b, translation=[b["translation"][0] + 0.3] + b["translation"][1:])
                                         for b in boxes[1:]], "s1": []}}
text_gt = json.dumps(res, indent=1)
put("detset", "two_samples", text_gt)
put("detset", "empty_results", json.dumps({"meta": meta, "results": {}}))
put("detset", "null_velocity", json.dumps({"results": {"t": [dict(boxes[0], sample_token="t", velocity=None, ego_dist=12.5)]}}))
put("eval", "gt_pred", text_gt.encode() + b"\x00" + json.dumps(pred).encode())
put("eval", "self", text_gt)

# boxes: pprt run --json output and VAI-L's accuracy text
jb = {"boxes": [{"label": b["detection_name"], "label_id": i, "score": b["detection_score"],
                 "box": b["translation"] + b["size"] + [0.5, 0.1, -0.2]} for i, b in enumerate(boxes)],
      "timings_ms": {"total": 1.5}}
put("boxes", "run_json", json.dumps(jb))
put("boxes", "vai_text", "".join("%.9g %.9g %.9g %.9g %.9g %.9g %.9g %.9g %.9g %d %.9g\n" %
                                 tuple(b["translation"] + b["size"] + [0.5, 0.1, -0.2, i, b["detection_score"]])
                                 for i, b in enumerate(boxes)))
print("make_seeds: wrote", out)
