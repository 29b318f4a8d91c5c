#!/usr/bin/env python3
"""Write the tiny nuScenes table set of tests/data/nuscenes-mini (run from anywhere; rewrites v1.0-mini/ and the
symlinks under samples/ and sweeps/).

Two samples of one scene, built from the real sweep and its 69 annotated objects in tests/data:
  sample 0 = ca9a282c9e77460f8360f564131a8af5, the real one: key LIDAR_TOP sweep = the real .pcd.bin, its calibrated
             sensor and ego pose from the .gt.json matrices, its annotations = the 69 objects moved to the global
             frame; two earlier sweeps (same points, other ego poses: 50 and 100 ms earlier, the ego 1 and 2 m
             behind and turned by 0.05 / 0.1 rad).
  sample 1 = every object moved by its velocity (gt.json, lidar frame, rotated to global) times 0.5 s, so the
             devkit's box_velocity gives back exactly that velocity; its key sweep is again the real one, 0.5 s later.
Objects with a NaN velocity are in sample 0 only (no neighbour: velocity NaN). The 'ignore' object becomes movable_object.debris (no detection class). Cars get attribute vehicle.parked,
pedestrians pedestrian.standing, the others none.
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
GT = json.load(open(os.path.join(DATA, "nuscenes_lidar_top_1532402927647951.gt.json")))
SWEEP = "nuscenes_lidar_top_1532402927647951.pcd.bin"
T0 = 1532402927647951
CATEGORY = {"car": "vehicle.car", "truck": "vehicle.truck", "trailer": "vehicle.trailer", "bus": "vehicle.bus.rigid",
            "construction_vehicle": "vehicle.construction", "bicycle": "vehicle.bicycle",
            "motorcycle": "vehicle.motorcycle", "pedestrian": "human.pedestrian.adult",
            "traffic_cone": "movable_object.trafficcone", "barrier": "movable_object.barrier",
            "ignore": "movable_object.debris"}


def tok(name):
    """A stable 32-hex token from a name."""
    import hashlib
    return hashlib.md5(name.encode()).hexdigest()


def mat_to_quat(m):
    tr = m[0][0] + m[1][1] + m[2][2]
    if tr > 0:
        s = math.sqrt(tr + 1.0) * 2
        q = [0.25 * s, (m[2][1] - m[1][2]) / s, (m[0][2] - m[2][0]) / s, (m[1][0] - m[0][1]) / s]
    elif m[0][0] > m[1][1] and m[0][0] > m[2][2]:
        s = math.sqrt(1.0 + m[0][0] - m[1][1] - m[2][2]) * 2
        q = [(m[2][1] - m[1][2]) / s, 0.25 * s, (m[0][1] + m[1][0]) / s, (m[0][2] + m[2][0]) / s]
    elif m[1][1] > m[2][2]:
        s = math.sqrt(1.0 + m[1][1] - m[0][0] - m[2][2]) * 2
        q = [(m[0][2] - m[2][0]) / s, (m[0][1] + m[1][0]) / s, 0.25 * s, (m[1][2] + m[2][1]) / s]
    else:
        s = math.sqrt(1.0 + m[2][2] - m[0][0] - m[1][1]) * 2
        q = [(m[1][0] - m[0][1]) / s, (m[0][2] + m[2][0]) / s, (m[1][2] + m[2][1]) / s, 0.25 * s]
    n = math.sqrt(sum(c * c for c in q))
    return [c / n for c in q]


def quat_to_mat(q):
    w, x, y, z = q
    return [[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]]


def qmul(a, b):
    return [a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
            a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
            a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
            a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0]]


def apply(q, t, p):
    r = quat_to_mat(q)
    return [sum(r[i][k] * p[k] for k in range(3)) + t[i] for i in range(3)]


def yaw_quat(yaw):
    return [math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)]


def main():
    l2e = GT["lidar2ego"]
    e2g = GT["ego2global"]
    q_l2e, t_l2e = mat_to_quat(l2e), [l2e[i][3] for i in range(3)]
    q_e2g, t_e2g = mat_to_quat(e2g), [e2g[i][3] for i in range(3)]
    tables = {k: [] for k in ["sample", "sample_data", "calibrated_sensor", "ego_pose", "sample_annotation", "scene",
                              "log", "category", "attribute", "instance", "sensor", "visibility"]}
    tables["sensor"].append({"token": tok("sensor LIDAR_TOP"), "channel": "LIDAR_TOP", "modality": "lidar"})
    tables["sensor"].append({"token": tok("sensor CAM_FRONT"), "channel": "CAM_FRONT", "modality": "camera"})
    calib = tok("calib LIDAR_TOP")
    tables["calibrated_sensor"].append({"token": calib, "sensor_token": tok("sensor LIDAR_TOP"), "translation": t_l2e,
                                        "rotation": q_l2e, "camera_intrinsic": []})
    tables["log"].append({"token": tok("log"), "logfile": "n015-2018-07-24-11-22-45+0800", "vehicle": "n015",
                          "date_captured": "2018-07-24", "location": "singapore-onenorth"})
    scene = tok("scene")
    samples = ["ca9a282c9e77460f8360f564131a8af5", tok("sample 1")]
    tables["scene"].append({"token": scene, "log_token": tok("log"), "nbr_samples": 2, "first_sample_token": samples[0],
                            "last_sample_token": samples[1], "name": "scene-fixture",
                            "description": "pprt test fixture"})
    times = [T0, T0 + 500000]
    for i, s in enumerate(samples):
        tables["sample"].append({"token": s, "timestamp": times[i], "scene_token": scene,
                                 "prev": samples[i - 1] if i else "", "next": samples[i + 1] if i + 1 < 2 else ""})
    tables["visibility"].append({"token": "4", "level": "v80-100", "description": "visibility of whole object"})
    for name in ["vehicle.parked", "pedestrian.standing"]:
        tables["attribute"].append({"token": tok("attr " + name), "name": name, "description": ""})
    for name in sorted(set(CATEGORY.values())):
        tables["category"].append({"token": tok("cat " + name), "name": name, "description": ""})
    # ego poses: the key one, two earlier sweeps, the second sample's
    os.makedirs(os.path.join(HERE, "samples", "LIDAR_TOP"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "sweeps", "LIDAR_TOP"), exist_ok=True)
    base = "n015-2018-07-24-11-22-45+0800__LIDAR_TOP__%d.pcd.bin"
    sd = []  # (token, timestamp, pose q, pose t, folder, key, sample)
    fwd = quat_to_mat(q_e2g)
    for k, back in [(2, 2.0), (1, 1.0)]:
        q = qmul(q_e2g, yaw_quat(-0.05 * k))
        t = [t_e2g[i] - back * fwd[i][0] for i in range(3)]
        sd.append((tok("sweep %d" % k), T0 - 50000 * k, q, t, "sweeps", False, samples[0]))
    sd.append((tok("key 0"), T0, q_e2g, t_e2g, "samples", True, samples[0]))
    q1 = qmul(q_e2g, yaw_quat(0.02))
    t1 = [t_e2g[i] + 3.0 * fwd[i][0] for i in range(3)]
    sd.append((tok("key 1"), times[1], q1, t1, "samples", True, samples[1]))
    for j, (t, ts, q, tr, folder, key, s) in enumerate(sd):
        fn = "%s/LIDAR_TOP/%s" % (folder, base % ts)
        link = os.path.join(HERE, fn)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join("..", "..", "..", SWEEP), link)
        tables["ego_pose"].append({"token": tok("ego %d" % j), "timestamp": ts, "rotation": q, "translation": tr})
        tables["sample_data"].append({"token": t, "sample_token": s, "ego_pose_token": tok("ego %d" % j),
                                      "calibrated_sensor_token": calib, "timestamp": ts, "fileformat": "pcd",
                                      "is_key_frame": key, "height": 0, "width": 0, "filename": fn,
                                      "prev": sd[j - 1][0] if j else "", "next": sd[j + 1][0] if j + 1 < len(sd) else ""})
    # a camera key frame of sample 0, which the reader must skip
    tables["sample_data"].append({"token": tok("cam 0"), "sample_token": samples[0], "ego_pose_token": tok("ego 2"),
                                  "calibrated_sensor_token": tok("calib CAM_FRONT"), "timestamp": T0,
                                  "fileformat": "jpg", "is_key_frame": True, "height": 900, "width": 1600,
                                  "filename": "samples/CAM_FRONT/missing.jpg", "prev": "", "next": ""})
    tables["calibrated_sensor"].append({"token": tok("calib CAM_FRONT"), "sensor_token": tok("sensor CAM_FRONT"),
                                        "translation": [1.7, 0.0, 1.5], "rotation": [0.5, -0.5, 0.5, -0.5],
                                        "camera_intrinsic": [[1266.4, 0, 816.3], [0, 1266.4, 491.5], [0, 0, 1]]})
    for n, obj in enumerate(GT["instances"]):
        x, y, zc, l, w, h, yaw = obj["box"]
        c = apply(q_e2g, t_e2g, apply(q_l2e, t_l2e, [x, y, zc]))
        rot = qmul(q_e2g, qmul(q_l2e, yaw_quat(yaw)))
        v = apply(q_e2g, [0, 0, 0], apply(q_l2e, [0, 0, 0], [obj["velocity"][0], obj["velocity"][1], 0.0]))
        moving = all(math.isfinite(c) for c in obj["velocity"])  # NaN velocity: the object is not in sample 1
        inst = tok("instance %d" % n)
        cat = CATEGORY[obj["label"]]
        tables["instance"].append({"token": inst, "category_token": tok("cat " + cat),
                                   "nbr_annotations": 2 if moving else 1,
                                   "first_annotation_token": tok("ann 0 %d" % n),
                                   "last_annotation_token": tok("ann %d %d" % (1 if moving else 0, n))})
        attr = {"vehicle.car": ["vehicle.parked"], "human.pedestrian.adult": ["pedestrian.standing"]}.get(cat, [])
        for k in range(2 if moving else 1):
            tr = [c[i] + 0.5 * v[i] for i in range(3)] if k else c
            tables["sample_annotation"].append({
                "token": tok("ann %d %d" % (k, n)), "sample_token": samples[k], "instance_token": inst,
                "visibility_token": "4", "attribute_tokens": [tok("attr " + a) for a in attr], "translation": tr,
                "size": [w, l, h], "rotation": rot, "prev": tok("ann 0 %d" % n) if k else "",
                "next": "" if k or not moving else tok("ann 1 %d" % n), "num_lidar_pts": obj["num_lidar_pts"],
                "num_radar_pts": 0})
    out = os.path.join(HERE, "v1.0-mini")
    os.makedirs(out, exist_ok=True)
    for name, rows in tables.items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(rows, f, indent=0)
            f.write("\n")


if __name__ == "__main__":
    main()
