"""Lane scaling on a device against the CPU: lane-steps/s of 1, 10, 100, 1 000 and 10 000 lanes in one block.

``python -m benchmarks.bench_device --device gpu [--jobs yang,bansal] [--lanes 1,10,100,1000,10000]``

For every job and lane count, the same program (``run_lanes``, the lanes as one block) is timed after
compiling, on the chosen device in this process and on the CPU in a child process (``JAX_PLATFORMS=cpu``,
all cores), so both columns come from the same run on the same machine. CPU lane counts above
``--cpu-max-lanes`` are not timed (a 2-core CPU would take minutes) and are left blank, never estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

JOBS = {
    # name: (experiment, overrides, steps)
    "yang": ("yang2024", ["train.log_every=100"], 400),
    "bansal": ("bansal2024", ["method=infonce", "mode=population", "train.log_every=100"], 200),
}


def time_lanes(job: str, lanes: list[int]) -> dict[int, float]:
    """Seconds per run of each lane count (compiled first, best of two)."""
    import jax

    from sslab.engine import run_lanes
    from sslab.papers import experiment

    name, overrides, steps = JOBS[job]
    exp = experiment(name)
    out = {}
    for L in lanes:
        pts = exp.plan(overrides + [f"train.steps={steps}", f"seed=0:{L}" if L > 1 else "seed=0",
                                    f"train.lane_block={L}"]).points()
        run_lanes(pts, exp.problem)  # compile
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            res = run_lanes(pts, exp.problem)
            jax.block_until_ready(res.params)
            best = min(best, time.perf_counter() - t0)
        out[L] = best
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="gpu", choices=["gpu", "cpu"])
    ap.add_argument("--jobs", default="yang,bansal")
    ap.add_argument("--lanes", default="1,10,100,1000,10000")
    ap.add_argument("--cpu-max-lanes", type=int, default=1000)
    ap.add_argument("--json")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    lanes = [int(x) for x in a.lanes.split(",")]
    jobs = a.jobs.split(",")
    if a.child:  # the CPU column
        print(json.dumps({j: time_lanes(j, lanes) for j in jobs}))
        return {}
    import jax
    platform = {"gpu": "cuda", "cpu": "cpu"}[a.device]
    try:
        jax.config.update("jax_platforms", platform)
        dev = jax.devices()[0]
    except (RuntimeError, AssertionError) as e:
        sys.exit(f"--device {a.device}: no such device ({e or 'no backend'}); for a GPU: pip install -U 'jax[cuda12]'")
    on_device = {j: time_lanes(j, lanes) for j in jobs}
    cpu_lanes = [L for L in lanes if L <= a.cpu_max_lanes]
    child = subprocess.run([sys.executable, "-m", "benchmarks.bench_device", "--child", "--jobs", a.jobs,
                            "--lanes", ",".join(map(str, cpu_lanes))], capture_output=True, text=True,
                           env={**os.environ, "JAX_PLATFORMS": "cpu"})
    on_cpu = json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 else {}
    rows = []
    print(f"device: {dev.device_kind} ({dev.platform}); CPU: {os.cpu_count()} cores")
    print(f"{'job':8s}{'lanes':>8s}{'device s':>11s}{'lane-steps/s':>15s}{'CPU s':>10s}{'lane-steps/s':>15s}{'device/CPU':>12s}")
    for j in jobs:
        steps = JOBS[j][2]
        for L in lanes:
            d = on_device[j][L]
            c = on_cpu.get(j, {}).get(str(L))
            rows.append({"job": j, "lanes": L, "device_s": d, "device_lane_steps_per_s": L * steps / d, "cpu_s": c,
                         "cpu_lane_steps_per_s": L * steps / c if c else None})
            print(f"{j:8s}{L:8d}{d:11.3f}{L * steps / d:15.3g}" + (f"{c:10.3f}{L * steps / c:15.3g}{c / d:11.1f}x"
                                                                    if c else f"{'':10s}{'(not timed)':>15s}"))
    out = {"device": dev.device_kind, "platform": dev.platform, "rows": rows}
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return out


if __name__ == "__main__":
    main()
