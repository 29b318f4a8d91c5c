"""pprt.Runtime: the same boxes as `pprt run --json`, input conversion, statistics, point files, threads."""
import threading
import time

import numpy as np
import pytest

import pprt
from conftest import DEMO_MODEL, SANITIZED, assert_same_as_cli, cli_json, data

NUSC_SWEEP = data("nuscenes_lidar_top_1532402927647951.pcd.bin")
SIM_SWEEP = data("sim", "sim_10.pcd.bin")
SIM_INFO = data("sim", "sim_10.info")


@pytest.mark.parametrize("sweep", [SIM_SWEEP, NUSC_SWEEP], ids=["sim_10", "nuscenes"])
def test_same_boxes_as_cli_one_sweep(cpu_rt, sweep):
    cli_boxes, cli_stats = cli_json("--model", DEMO_MODEL, "--runner", "cpu", sweep)
    pts = pprt.load_points(sweep)
    boxes = cpu_rt.run(pts)
    assert boxes.dtype == pprt.box_dtype
    assert len(boxes) > 0
    assert_same_as_cli(boxes, cli_boxes, cpu_rt.class_names)
    s = cpu_rt.stats
    for k in ("points_nonfinite", "points_out_of_range", "points_overflow", "pillars", "candidates", "boxes"):
        assert s[k] == cli_stats[k], k
    assert s["points_in"] == cli_stats["points"] == len(pts)
    assert s["boxes"] == len(boxes)


def test_same_boxes_as_cli_info(cpu_rt):
    cli_boxes, cli_stats = cli_json("--model", DEMO_MODEL, "--runner", "cpu", "--info", SIM_INFO)
    sweeps = pprt.load_info(SIM_INFO)
    assert cli_stats["sweeps"] == len(sweeps) == 3
    boxes = cpu_rt.run(sweeps)
    assert_same_as_cli(boxes, cli_boxes, cpu_rt.class_names)
    assert cpu_rt.stats["points_in"] == sum(len(s.points) for s in sweeps)
    # The multi-sweep frame differs from the key sweep alone (the transforms and time lags are used).
    alone = cpu_rt.run(sweeps[0].points)
    assert len(alone) != len(boxes) or not np.array_equal(alone, boxes)


def test_sweep_built_by_hand_equals_load_info(cpu_rt):
    """A frame of pprt.Sweep objects made from the .info text (parsed here) gives the boxes of load_info's."""
    text = [ln.strip() for ln in open(SIM_INFO) if ln.strip()]
    kv = [ln.split(":", 1) for ln in text]
    frame = [pprt.Sweep(pprt.load_points(data("sim", kv[0][1])), timestamp_us=int(kv[1][1]))]
    for i in range(3, len(kv), 4):
        rot = np.array(kv[i + 2][1].split(), dtype=np.float64).reshape(3, 3)
        tr = np.array(kv[i + 3][1].split(), dtype=np.float64)
        frame.append(pprt.Sweep(pprt.load_points(data("sim", kv[i][1])), rot, tr, int(kv[i + 1][1])))
    loaded = pprt.load_info(SIM_INFO)
    for a, b in zip(frame, loaded):
        assert a.timestamp_us == b.timestamp_us
        np.testing.assert_array_equal(a.rotation, b.rotation)
        np.testing.assert_array_equal(a.translation, b.translation)
    np.testing.assert_array_equal(cpu_rt.run(frame), cpu_rt.run(loaded))


def test_conversions_give_the_same_boxes(cpu_rt):
    pts = pprt.load_points(SIM_SWEEP)
    want = cpu_rt.run(pts)
    wide = np.zeros((len(pts), 8), np.float32)
    wide[:, :5] = pts
    variants = {
        "float64": pts.astype(np.float64),
        "fortran": np.asfortranarray(pts),
        "big-endian": pts.astype(">f4"),
        "sliced view": wide[:, :5],
        "Sweep": pprt.Sweep(pts),
        "list of one": [pts],
        "tuple of one": (pts,),
    }
    if SANITIZED:
        variants = {k: variants[k] for k in ("float64", "sliced view")}
    for name, v in variants.items():
        np.testing.assert_array_equal(cpu_rt.run(v), want, err_msg=name)
    # more columns than 5: the stride is the row length, extra columns are skipped
    np.testing.assert_array_equal(cpu_rt.run(wide), want)


def test_zero_copy_keeps_the_array():
    pts = pprt.load_points(SIM_SWEEP)
    assert pprt.Sweep(pts).points is pts  # float32 C-contiguous: the same object, no copy
    conv = pprt.Sweep(pts.astype(np.float64)).points
    assert conv.dtype == np.float32 and conv.flags.c_contiguous
    np.testing.assert_array_equal(conv, pts)


def test_stats_and_names(cpu_rt):
    rt = pprt.Runtime(DEMO_MODEL, runner="dummy")
    assert rt.stats is None
    assert rt.runner == "dummy" and cpu_rt.runner == "cpu"
    assert rt.class_names == ("car", "truck", "trailer", "bus", "construction_vehicle", "bicycle", "motorcycle",
                              "pedestrian", "traffic_cone", "barrier")
    rt.run(np.zeros((100, 4), np.float32))
    s = rt.stats
    assert set(s["stage_ms"]) == set(pprt.stages)
    assert s["points_in"] == 100 and s["stage_ms"]["total"] > 0
    rt.close()
    assert rt.closed and rt.stats["points_in"] == 100  # the last frame's statistics stay readable


def test_load_points_matches_numpy():
    pts = pprt.load_points(NUSC_SWEEP)
    np.testing.assert_array_equal(pts, np.fromfile(NUSC_SWEEP, dtype="<f4").reshape(-1, 5))
    k = pprt.load_points(data("kitti_000008.bin"))
    raw = np.fromfile(data("kitti_000008.bin"), dtype="<f4").reshape(-1, 4)
    assert k.shape == (len(raw), 5)
    np.testing.assert_array_equal(k[:, :4], raw)
    with pytest.raises(pprt.CapacityExceededError):
        pprt.load_points(NUSC_SWEEP, max_points=1000)


def test_load_info_reads_the_file():
    sweeps = pprt.load_info(SIM_INFO)
    assert [s.timestamp_us for s in sweeps] == [1600000010000000, 1600000009950000, 1600000009900000]
    np.testing.assert_array_equal(sweeps[0].rotation, np.eye(3, dtype=np.float32))
    np.testing.assert_allclose(sweeps[2].rotation[0], [0.999994788, -0.003228548, 0], rtol=1e-7)
    np.testing.assert_array_equal(sweeps[1].points, pprt.load_points(data("sim", "sim_10_sweep1.pcd.bin")))
    with pytest.raises(pprt.CapacityExceededError):
        pprt.load_info(SIM_INFO, max_sweeps=2)


def test_threads_share_a_runtime(cpu_rt):
    """Two threads on one runtime take turns and get the serial answers; the GIL is free while C works."""
    frames = [pprt.load_points(SIM_SWEEP), pprt.load_points(data("sim", "sim_8.pcd.bin"))]
    want = [cpu_rt.run(f) for f in frames]
    got = [None, None]
    ticks = [0]
    done = threading.Event()

    def work(i):
        got[i] = cpu_rt.run(frames[i])

    def tick():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    t0 = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    done.set()
    ticker.join()
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    # a thread holding the GIL through two CPU-runner frames would starve the ticker
    assert ticks[0] >= min(20, int(elapsed * 1000 / 4)), (ticks[0], elapsed)


KITTI_XMODEL = data("xilinx-kitti", "pointpillars_custom_op.xmodel")
# Xilinx's example on a board: label x y z w l h yaw score (README, "KITTI PointPillars"; test_kitti pins the same).
KITTI_BOARD = [(0, 18.541065, 4.000000, -1.732742, 1.703191, 4.419279, 1.465484, 1.679375, 0.880797),
               (0, 34.522400, 1.505865, -1.515198, 1.503061, 3.550991, 1.420396, 1.710625, 0.851953),
               (0, 10.917599, 4.705866, -1.622433, 1.650789, 4.350764, 1.634866, 1.632500, 0.851953),
               (1, 21.338512, -2.400002, -1.681677, 0.600000, 1.963422, 1.784916, 4.742843, 0.777300),
               (0, 57.891731, -4.188267, -1.536627, 1.575194, 3.780010, 1.512004, 2.007500, 0.679179)]


@pytest.mark.skipif(SANITIZED, reason="two KITTI frames on the Debug+ASan CPU runner take minutes; host builds run it")
def test_same_boxes_as_cli_kitti(tmp_path):
    """Xilinx's compiled KITTI model (custom-op graph) on the board's input (the sample with its halves swapped)."""
    raw = open(data("xilinx-kitti", "sample_pointpillars.bin"), "rb").read()
    half = len(raw) // 32 * 16
    swapped = tmp_path / "swapped.bin"
    swapped.write_bytes(raw[half:] + raw[:half])
    cli_boxes, _ = cli_json("--model", KITTI_XMODEL, "--runner", "cpu", str(swapped))
    with pprt.Runtime(KITTI_XMODEL, runner="cpu") as rt:
        assert rt.class_names == ("Car", "Cyclist", "Pedestrian")
        boxes = rt.run(pprt.load_points(swapped))
        assert_same_as_cli(boxes, cli_boxes, rt.class_names)
    assert len(boxes) == len(KITTI_BOARD)
    for b, want in zip(boxes, KITTI_BOARD):
        assert int(b["label"]) == want[0]
        got = [float(b[f]) for f in ("x", "y", "z", "w", "l", "h", "yaw", "score")]
        np.testing.assert_allclose(got, want[1:], rtol=0, atol=1.5e-6)
