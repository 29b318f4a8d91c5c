#!/usr/bin/env python3
"""What the Python binding adds to a frame: pprt.Runtime.run's wall time against the C call's own time, same frame.

For every frame the wall time of `rt.run(points)` (perf_counter_ns around the Python call: argument parsing, the lock,
GIL release/re-acquire, the C call, the result array) is compared with the C call's time as pprt_runtime_run measures
it (rt.stats["stage_ms"]["total"], from its first stage to its last). The difference is the binding's overhead
(an upper bound: it also holds pprt_runtime_run's few argument checks before its clock starts).

    PYTHONPATH=build/host/python /usr/bin/python3 tools/bench/python_overhead.py [--runner cpu|dummy] [--frames N]

Prints one line per runner: median C ms, median Python ms, median overhead in microseconds and in percent of the
C frame. docs/BENCHMARKS.md ("Python binding") has the published figures and the command.
"""
import argparse
import os
import statistics
import sys
import time

import pprt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def measure(model, runner, sweep, frames, warmup):
    pts = pprt.load_points(sweep)
    with pprt.Runtime(model, runner=runner) as rt:
        c_ms, py_ms, over_us = [], [], []
        for i in range(warmup + frames):
            t0 = time.perf_counter_ns()
            rt.run(pts)
            t1 = time.perf_counter_ns()
            if i < warmup:
                continue
            wall = (t1 - t0) / 1e6
            c = rt.stats["stage_ms"]["total"]
            c_ms.append(c)
            py_ms.append(wall)
            over_us.append((wall - c) * 1e3)
    med_c, med_over = statistics.median(c_ms), statistics.median(over_us)
    return {"runner": runner, "points": len(pts), "frames": frames, "c_ms": med_c, "py_ms": statistics.median(py_ms),
            "over_us": med_over, "over_us_max": max(over_us), "over_pct": 100.0 * med_over / 1e3 / med_c}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "tests", "data", "demo-model"))
    ap.add_argument("--sweep", default=os.path.join(ROOT, "tests", "data", "sim", "sim_10.pcd.bin"))
    ap.add_argument("--runner", action="append", choices=["cpu", "dummy", "dpu"],
                    help="runner(s) to measure (default: cpu and dummy)")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--max-pct", type=float, default=None,
                    help="exit 1 if the overhead of the first runner is at or above this percentage")
    a = ap.parse_args()
    results = [measure(a.model, r, a.sweep, a.frames, a.warmup) for r in (a.runner or ["cpu", "dummy"])]
    print(f"pprt {pprt.__version__} Python binding overhead, {os.path.basename(a.sweep)}, median of {a.frames} frames")
    for r in results:
        print(f"  runner {r['runner']:5s}: C call {r['c_ms']:9.3f} ms   Python rt.run {r['py_ms']:9.3f} ms   "
              f"overhead {r['over_us']:7.1f} us (max {r['over_us_max']:.1f}) = {r['over_pct']:.4f} % of the frame")
    if a.max_pct is not None and results[0]["over_pct"] >= a.max_pct:
        print(f"overhead {results[0]['over_pct']:.4f} % is not under {a.max_pct} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
