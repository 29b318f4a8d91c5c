"""The Model Zoo's prototxt pair (tests/data/model-zoo) with pprt-genmodel's full-size xmodels, through
`pprt run --runner cpu`: the pair loads with generated xmodels of the 108 G-op architecture, and the boxes respect
its score_thresh 0.3 (the same boxes as a run at 0.1 keeps above 0.3, and that run has more, so the prototxt's
threshold is the one applied).

  model_zoo_run.py PPRT PPRT_GENMODEL WORK_DIR DATA_DIR"""
import json
import os
import shutil
import subprocess
import sys


def main():
    pprt, genmodel, work, data = sys.argv[1:5]
    gen = os.path.join(work, "zoo_xmodels")
    model = os.path.join(work, "zoo_model")
    # cls bias -3: random weights then score some anchors above 0.3 (the default -4.5 keeps all below 0.2)
    subprocess.run([genmodel, "--size", "full", "--seed", "1", "--cls-bias", "-3", "--out", gen, "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(model, ignore_errors=True)
    for k in (0, 1):
        n = f"pointpillars_nuscenes_40000_64_{k}_pt"
        os.makedirs(os.path.join(model, n))
        shutil.copy(os.path.join(gen, n, n + ".xmodel"), os.path.join(model, n))
        shutil.copy(os.path.join(data, "model-zoo", n + ".prototxt"), os.path.join(model, n))
    sweep = os.path.join(data, "nuscenes_lidar_top_1532402927647951.pcd.bin")

    def run(extra):
        out = subprocess.run([pprt, "run", "--model", model, sweep, "--runner", "cpu", "--json"] + extra,
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)["boxes"]

    a = run([])
    b = run(["--score-thresh", "0.1"])
    errors = []
    if not a:
        errors.append("no box at the prototxt's score_thresh 0.3")
    low = [x["score"] for x in a if x["score"] < 0.3]
    if low:
        errors.append(f"{len(low)} boxes below 0.3 (lowest {min(low)})")
    b_hi = [x for x in b if x["score"] >= 0.3]
    if len(b_hi) != len(a) or any(x["box"] != y["box"] or x["score"] != y["score"] for x, y in zip(a, b_hi)):
        errors.append(f"the run at 0.1 has {len(b_hi)} boxes >= 0.3, the run at the prototxt's 0.3 has {len(a)}")
    if len(b) <= len(a):
        errors.append(f"the run at 0.1 has {len(b)} boxes, not more than the {len(a)} at 0.3")
    print(f"score_thresh 0.3: {len(a)} boxes (lowest {min(x['score'] for x in a) if a else None}); "
          f"0.1: {len(b)} boxes, {len(b_hi)} of them >= 0.3")
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
