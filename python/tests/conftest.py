"""Shared fixtures of the pprt Python module tests (run by ctest: test_python; see python/CMakeLists.txt).

Environment (set by ctest): PYTHONPATH=<build>/python, PPRT_TEST_DATA=<repo>/tests/data, PPRT_TEST_WORK=scratch folder,
PPRT_CLI=the pprt command of the same build (the oracle for "same boxes as `pprt run --json`").
"""
import json
import os
import subprocess

import numpy as np
import pytest

import pprt

DATA = os.environ.get("PPRT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data"))
DEMO_MODEL = os.path.join(DATA, "demo-model")
SANITIZED = os.environ.get("PPRT_TEST_SANITIZED") == "1"


def data(*parts):
    return os.path.join(DATA, *parts)


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory):
    w = os.environ.get("PPRT_TEST_WORK")
    if w:
        os.makedirs(w, exist_ok=True)
        return w
    return str(tmp_path_factory.mktemp("pprt"))


@pytest.fixture(scope="session")
def cpu_rt():
    """The demo model on pprt's int8 CPU runner (real outputs)."""
    rt = pprt.Runtime(DEMO_MODEL, runner="cpu")
    yield rt
    rt.close()


@pytest.fixture()
def dummy_rt():
    """The demo model on VART's dummy runner (no outputs: plumbing and timing only)."""
    rt = pprt.Runtime(DEMO_MODEL, runner="dummy")
    yield rt
    rt.close()


def cli_json(*args):
    """`pprt run --json ...` of the same build: (boxes as a list of dicts, stats)."""
    cli = os.environ.get("PPRT_CLI")
    if not cli:
        pytest.skip("PPRT_CLI not set (ctest sets it)")
    out = subprocess.run([cli, "run", "--json", *args], check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
    return doc["boxes"], doc["stats"]


FIELDS = ("x", "y", "z", "w", "l", "h", "yaw", "vx", "vy")


def assert_same_as_cli(boxes, cli_boxes, class_names):
    """Same boxes, same order: labels exactly, floats to the CLI's %.6g (6 significant digits)."""
    assert len(boxes) == len(cli_boxes)
    for i, (b, c) in enumerate(zip(boxes, cli_boxes)):
        assert int(b["label"]) == c["label_id"], i
        assert class_names[int(b["label"])] == c["label"], i
        got = np.array([float(b[f]) for f in FIELDS] + [float(b["score"])])
        want = np.array(list(c["box"]) + [c["score"]], dtype=np.float64)
        np.testing.assert_allclose(got, want, rtol=6e-6, atol=1e-30, err_msg=f"box {i}")
