"""Every bad input raises a pprt.Error subclass (or TypeError for a wrong type) and never crashes the interpreter."""
import numpy as np
import pytest

import pprt
from conftest import DEMO_MODEL, data


def test_error_classes_follow_the_statuses():
    assert pprt.errors, "no status classes"
    for code, cls in pprt.errors.items():
        assert issubclass(cls, pprt.Error) and cls.status == code
        words = "".join(w[:1].upper() + w[1:] for w in cls.status_name.replace("/", "").split())
        assert cls.__name__ in (words, words + "Error")
        assert getattr(pprt, cls.__name__) is cls
    assert issubclass(pprt.InvalidArgumentError, ValueError) and issubclass(pprt.BadInputError, ValueError)
    assert issubclass(pprt.IOError, OSError)


@pytest.mark.parametrize("arr", [np.zeros((10, 4), np.complex64), np.array([["a"] * 4] * 3), np.zeros((3, 4), object),
                                 np.zeros((3, 4), bool), "points", None, 3.0, [[1, 2, 3, 4], [1, 2]]],
                         ids=["complex", "str", "object", "bool", "a string", "None", "a float", "ragged list"])
def test_wrong_dtype(dummy_rt, arr):
    with pytest.raises((TypeError, ValueError)):
        dummy_rt.run(arr)
    with pytest.raises((TypeError, ValueError)):
        dummy_rt.run([np.zeros((5, 4), np.float32), arr])


@pytest.mark.parametrize("shape", [(10, 3), (10,), (0,), (10, 4, 1), (), (4, 0)])
def test_wrong_shape(dummy_rt, shape):
    with pytest.raises(pprt.InvalidArgumentError, match=r"shape \(N, 4\|5\)"):
        dummy_rt.run(np.zeros(shape, np.float32))
    with pytest.raises(pprt.InvalidArgumentError):
        pprt.Sweep(np.zeros(shape, np.float32))


def test_nan_and_inf_points_are_dropped_and_counted(cpu_rt):
    pts = pprt.load_points(data("sim", "sim_8.pcd.bin"))
    clean = cpu_rt.run(pts)
    dirty = np.concatenate([pts, np.full((7, 5), np.nan, np.float32), np.full((3, 5), np.inf, np.float32)])
    dirty[5, 0] = np.nan
    got = cpu_rt.run(dirty)
    assert cpu_rt.stats["points_nonfinite"] == 11
    want = cpu_rt.run(np.delete(dirty[: len(pts)], 5, axis=0))
    np.testing.assert_array_equal(got, want)
    assert len(clean) > 0


def test_empty_input(dummy_rt):
    assert len(dummy_rt.run(np.zeros((0, 4), np.float32))) == 0
    assert len(dummy_rt.run(np.zeros((0, 5), np.float64))) == 0
    for empty in ([], ()):
        with pytest.raises(pprt.InvalidArgumentError, match="key sweep"):
            dummy_rt.run(empty)


def test_empty_sweep_real_model(cpu_rt):
    assert len(cpu_rt.run(np.zeros((0, 4), np.float32))) == 0
    assert cpu_rt.stats["boxes"] == 0


def test_capacities():
    with pprt.Runtime(DEMO_MODEL, runner="dummy", max_points=100, max_sweeps=2) as rt:
        with pytest.raises(pprt.CapacityExceededError, match="100"):
            rt.run(np.zeros((101, 4), np.float32))
        with pytest.raises(pprt.CapacityExceededError):
            rt.run([np.zeros((1, 4), np.float32)] * 3)
        many = [np.zeros((1, 4), np.float32)] * 40  # more than the parser's stack buffer
        with pytest.raises(pprt.CapacityExceededError):
            rt.run(many)
        assert rt.run([np.zeros((50, 4), np.float32)] * 2).dtype == pprt.box_dtype  # at the limits: runs
        assert rt.stats["points_in"] == 100


def test_bad_sweep_arguments():
    pts = np.zeros((5, 4), np.float32)
    with pytest.raises(pprt.InvalidArgumentError, match="rotation"):
        pprt.Sweep(pts, rotation=np.eye(2))
    with pytest.raises(pprt.InvalidArgumentError, match="translation"):
        pprt.Sweep(pts, translation=[1, 2])
    with pytest.raises(TypeError):
        pprt.Sweep(pts, rotation="eye")
    with pytest.raises(OverflowError):
        pprt.Sweep(pts, timestamp_us=2**70)
    with pytest.raises(TypeError):
        pprt.Sweep()


def test_non_finite_transform(dummy_rt):
    pts = np.zeros((5, 4), np.float32)
    with pytest.raises(pprt.BadInputError, match="non-finite"):
        dummy_rt.run([pts, pprt.Sweep(pts, translation=[0, np.inf, 0])])


def test_bad_runtime_arguments():
    with pytest.raises(pprt.IOError, match="nonexistent"):
        pprt.Runtime("/nonexistent/model")
    with pytest.raises(pprt.InvalidArgumentError, match="runner"):
        pprt.Runtime(DEMO_MODEL, runner="gpu")
    for v in (float("nan"), 0.0, 1.0, -0.5):
        with pytest.raises(pprt.InvalidArgumentError, match="score_thresh"):
            pprt.Runtime(DEMO_MODEL, runner="dummy", score_thresh=v)
    with pytest.raises(pprt.InvalidArgumentError, match="max_points"):
        pprt.Runtime(DEMO_MODEL, runner="dummy", max_points=-1)
    with pytest.raises(pprt.InvalidArgumentError, match="max_points"):
        pprt.Runtime(DEMO_MODEL, runner="dummy", max_points=2**40)
    with pytest.raises(TypeError):
        pprt.Runtime(DEMO_MODEL, runner="dummy", max_sweeps="10")
    with pytest.raises(pprt.InvalidArgumentError):
        pprt.Runtime(DEMO_MODEL, runner="dummy", max_sweeps=1000)
    with pytest.raises(pprt.Error):
        pprt.Runtime(DEMO_MODEL, runner="cpu", runner_lib="/nonexistent/libx.so")
    with pytest.raises(TypeError):
        pprt.Runtime(None)


def test_closed_runtime():
    rt = pprt.Runtime(DEMO_MODEL, runner="dummy")
    rt.close()
    rt.close()
    with pytest.raises(pprt.InvalidArgumentError, match="closed"):
        rt.run(np.zeros((5, 4), np.float32))
    with pytest.raises(pprt.InvalidArgumentError, match="closed"):
        rt.simulate_dpu(1, 1)
    with pytest.raises(pprt.InvalidArgumentError, match="closed"):
        with rt:
            pass
    assert len(rt.class_names) == 10 and rt.stats is None


def test_bad_files(tmp_path):
    with pytest.raises(pprt.IOError):
        pprt.load_points(tmp_path / "missing.bin")
    trunc = tmp_path / "trunc.bin"
    trunc.write_bytes(b"\0" * 17)
    with pytest.raises(pprt.ParseError, match="whole number"):
        pprt.load_points(trunc, format="kitti")
    with pytest.raises(pprt.InvalidArgumentError, match="format"):
        pprt.load_points(trunc, format="las")
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert pprt.load_points(empty).shape == (0, 5)
    bad_info = tmp_path / "bad.info"
    bad_info.write_text("lidar_path:missing.bin\ntimestamp:x\n")
    with pytest.raises(pprt.ParseError, match="timestamp"):
        pprt.load_info(bad_info)
    with pytest.raises(pprt.IOError):
        pprt.load_info(tmp_path / "missing.info")
    with pytest.raises(pprt.InvalidArgumentError):
        pprt.load_info(bad_info, max_sweeps=0)


def test_random_frames_never_crash(dummy_rt):
    """Random shapes, dtypes, values (NaN, Inf, huge) and transforms: a result or a clean exception, every time."""
    rng = np.random.default_rng(16)
    dtypes = [np.float32, np.float64, np.float16, np.int32, np.uint8, np.complex64, bool, object]
    values = [0.0, np.nan, np.inf, -np.inf, 1e30, -1e30, 3.0, -60.0]
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        frame = []
        for _ in range(int(rng.integers(1, 4))):
            shape = tuple(int(d) for d in rng.integers(0, 7, size=int(rng.integers(0, 4))))
            arr = rng.choice(values, size=shape) if shape else np.float64(rng.choice(values))
            try:
                with np.errstate(all="ignore"):
                    arr = np.asarray(arr).astype(rng.choice(dtypes))
            except (TypeError, ValueError, OverflowError):
                pass
            if rng.random() < 0.5:
                rot, tr = rng.choice(values, size=(3, 3)), rng.choice(values, size=3)
                try:
                    arr = pprt.Sweep(arr, rot, tr, int(rng.integers(-2**62, 2**62)))
                except (TypeError, ValueError):
                    outcomes["error"] += 1
                    continue
            frame.append(arr)
        try:
            out = dummy_rt.run(frame if rng.random() < 0.7 or not frame else frame[0])
            assert out.dtype == pprt.box_dtype
            outcomes["ok"] += 1
        except (TypeError, ValueError, pprt.Error):
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0, outcomes
