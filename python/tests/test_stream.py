"""pprt.Stream: submission order, equality with Runtime.run, failing frames, queue full, threads, close."""
import gc
import sys
import threading

import numpy as np
import pytest

import pprt
from conftest import DEMO_MODEL, data

FRAMES = [data("sim", "sim_10.pcd.bin"), data("sim", "sim_8.pcd.bin"),
          data("nuscenes_lidar_top_1532402927647951.pcd.bin")]


@pytest.fixture(scope="module")
def frames():
    pts = [pprt.load_points(f) for f in FRAMES]
    return pts + [pts[0][: len(pts[0]) // 2], pprt.load_info(data("sim", "sim_10.info")), np.zeros((0, 4), np.float32)]


def test_order_and_boxes_equal_run(cpu_rt, frames):
    want = [cpu_rt.run(f) for f in frames]
    with pprt.Stream(cpu_rt, dpu_cores=2, max_in_flight=3) as st:
        assert (st.dpu_cores, st.max_in_flight) == (2, 3)
        got = []
        tags = [f"frame-{i}" for i in range(len(frames))]
        for i, f in enumerate(frames):
            if st.in_flight == st.max_in_flight:
                got.append(st.receive())
            st.submit(f, tags[i])
        got.extend(st)  # iteration receives the rest, in order, and stops when nothing is in flight
        assert st.in_flight == 0
        assert [t for t, _ in got] == tags
        for (_, b), w, f in zip(got, want, frames):
            np.testing.assert_array_equal(b, w)
        assert st.stats["points_in"] == 0 and st.stats["boxes"] == 0  # the last frame: the empty sweep
    assert st.closed


def test_failing_frame_keeps_its_turn(dummy_rt):
    pts = np.zeros((10, 4), np.float32)
    bad = [pts, pprt.Sweep(pts, rotation=np.full((3, 3), np.nan))]
    with pprt.Stream(dummy_rt, max_in_flight=4) as st:
        st.submit(pts, 0)
        st.submit(bad, {"id": 1})
        st.submit(pts, 2)
        assert st.receive()[0] == 0
        with pytest.raises(pprt.BadInputError, match="non-finite") as e:
            st.receive()
        assert e.value.tag == {"id": 1} and e.value.status == pprt.BadInputError.status
        assert st.receive()[0] == 2
        with pytest.raises(pprt.InvalidArgumentError, match="no frame in flight"):
            st.receive()


def test_try_submit_when_full(dummy_rt):
    pts = np.zeros((10, 4), np.float32)
    with pprt.Stream(dummy_rt, max_in_flight=2) as st:
        assert st.try_submit(pts, "a") and st.try_submit(pts, "b")
        assert st.try_submit(pts, "c") is False  # full: nothing queued
        assert st.in_flight == 2
        assert [t for t, _ in st] == ["a", "b"]


def test_producer_and_consumer_threads(dummy_rt):
    dummy_rt_frames = [np.full((50 + i, 4), float(i), np.float32) for i in range(16)]
    with pprt.Stream(dummy_rt, dpu_cores=2, max_in_flight=3) as st:
        def produce():
            for i, f in enumerate(dummy_rt_frames):
                st.submit(f, i)  # blocks (GIL released) while 3 are in flight
        t = threading.Thread(target=produce)
        t.start()
        got = []
        while len(got) < len(dummy_rt_frames):
            if st.in_flight:
                got.append(st.receive()[0])
        t.join()
        assert got == list(range(len(dummy_rt_frames)))


def test_close_with_frames_in_flight_releases_them(dummy_rt):
    pts = np.zeros((1000, 4), np.float32)
    before = sys.getrefcount(pts)
    st = pprt.Stream(dummy_rt, max_in_flight=4)
    for i in range(4):
        st.submit(pts, i)
    assert sys.getrefcount(pts) > before  # the stream keeps the arrays it reads
    st.close()
    assert sys.getrefcount(pts) == before
    st.close()  # twice is fine
    for call in (lambda: st.submit(pts), lambda: st.receive(), lambda: st.try_submit(pts), lambda: iter(st)):
        with pytest.raises(pprt.InvalidArgumentError, match="closed"):
            call()
    assert st.in_flight == 0


def test_runtime_outlives_its_streams():
    rt = pprt.Runtime(DEMO_MODEL, runner="dummy")
    st = pprt.Stream(rt)
    with pytest.raises(pprt.InvalidArgumentError, match="open stream"):
        rt.close()
    with pytest.raises(pprt.BusyError):  # the C library refuses it while a stream lives (PPRT_STATUS_BUSY)
        rt.simulate_dpu(1, 1, 1)
    st.submit(np.zeros((5, 4), np.float32), "x")
    del st  # dropped with a frame in flight: the C stream is destroyed first
    gc.collect()
    rt.close()
    with pytest.raises(pprt.InvalidArgumentError, match="closed"):
        pprt.Stream(rt)


def test_reference_cycle_is_collected(dummy_rt):
    st = pprt.Stream(dummy_rt)
    st.submit(np.zeros((5, 4), np.float32), st)  # the tag refers to the stream itself
    del st
    gc.collect()
    dummy_rt.close()  # would fail if the cycle kept the stream open


def test_bad_options(dummy_rt):
    with pytest.raises(pprt.InvalidArgumentError):
        pprt.Stream(dummy_rt, dpu_cores=9)
    with pytest.raises(pprt.InvalidArgumentError):
        pprt.Stream(dummy_rt, max_in_flight=-1)
    with pytest.raises(TypeError):
        pprt.Stream("not a runtime")
    with pytest.raises(TypeError):
        pprt.Stream(dummy_rt, dpu_cores="2")
