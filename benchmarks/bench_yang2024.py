"""Speed benchmark: the full Yang et al. 2024 job, sslab (lane-vectorised JAX) vs the per-point NumPy loop.

Job (spec yang2024): 20 seeds of SSL (T = 4000) + 20 seeds of SL (T = 8000), every iterate logged
(``train.log_every=1``).  Timed in one process:

* sslab cold: ``_PROGRAMS`` cleared, so compile + run of SSL then SL;
* sslab warm: the same job again with the compiled programs cached;
* reference: ``sslab.papers.yang2024.official.ssl_loop`` / ``sl_loop`` per seed (the straightforward
  per-point loop that mirrors the official scripts).  With ``--ref-seeds N < 20`` the reference is
  timed on N seeds and extrapolated linearly to the full seed count (marked "extrapolated").

Run:  PYTHONPATH=src python -m benchmarks.bench_yang2024 [--seeds 20] [--ref-seeds N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

TARGET = 100.0
JOBS = (("ssl", 4000), ("sl", 8000))


def _points(method: str, seeds: int):
    from sslab.papers.yang2024.experiment import EXPERIMENT
    return EXPERIMENT.plan([f"method={method}", "train.log_every=1", f"seed=0:{seeds}"]).points()


def _run(points):
    """run_lanes, with every output forced to host memory before the clock stops."""
    import jax
    from sslab.papers.yang2024.experiment import EXPERIMENT
    from sslab.engine import run_lanes
    t0 = time.perf_counter()
    res = run_lanes(points, EXPERIMENT.problem)
    jax.block_until_ready(jax.tree_util.tree_leaves((res.params, res.metrics, res.loss)))
    _ = [np.asarray(a) for a in jax.tree_util.tree_leaves((res.params, res.metrics, res.loss))]
    return time.perf_counter() - t0, res


def time_sslab(seeds: int) -> dict:
    from sslab.engine.lanes import _PROGRAMS
    pts = {m: _points(m, seeds) for m, _ in JOBS}
    for m, T in JOBS:
        assert pts[m][0].train.steps == T, (m, pts[m][0].train.steps)
    out: dict = {"cold": {}, "warm": {}, "lane_block": pts["ssl"][0].train.lane_block}
    _PROGRAMS.clear()
    for m, _ in JOBS:
        out["cold"][m], _res = _run(pts[m])
    results = {}
    for m, _ in JOBS:
        out["warm"][m], results[m] = _run(pts[m])
    ssl = results["ssl"]
    assert ssl.metrics["w11"].shape == (seeds, JOBS[0][1] + 1), ssl.metrics["w11"].shape
    out["ssl_final_w11"] = ssl.metrics["w11"][:, -1].astype(float).tolist()
    out["ssl_final_w11_from_params"] = ssl.params["W"][:, 0, 0].astype(float).tolist()
    return out


def time_reference(ref_seeds: int) -> dict:
    from sslab.papers.yang2024.official import sl_loop, ssl_loop
    out: dict = {"ssl": 0.0, "sl": 0.0, "ssl_final_w11": []}
    for s in range(ref_seeds):
        t0 = time.perf_counter()
        traj = ssl_loop(s, T=JOBS[0][1])
        out["ssl"] += time.perf_counter() - t0
        out["ssl_final_w11"].append(float(traj[-1, 0, 0]))
        t0 = time.perf_counter()
        sl_loop(s, T=JOBS[1][1])
        out["sl"] += time.perf_counter() - t0
    return out


def machine() -> dict:
    import jax
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "jax": jax.__version__, "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds (lanes) per method in the job (default 20)")
    ap.add_argument("--ref-seeds", type=int, default=None,
                    help="seeds to time the reference on (default: all); fewer are extrapolated linearly")
    ap.add_argument("--json", default=None, help="write the numbers to this JSON file")
    a = ap.parse_args(argv)
    seeds = a.seeds
    ref_seeds = seeds if a.ref_seeds is None else a.ref_seeds
    if not 1 <= ref_seeds <= seeds:
        ap.error("--ref-seeds must be between 1 and --seeds")
    extrap = ref_seeds < seeds
    scale = seeds / ref_seeds

    mach = machine()
    print(f"machine: {mach['cpu_count']} CPUs, jax {mach['jax']}, backend {mach['backend']} "
          f"({', '.join(mach['devices'])}), python {mach['python']}", flush=True)
    print(f"job: {seeds} seeds SSL (T={JOBS[0][1]}) + {seeds} seeds SL (T={JOBS[1][1]}), every iterate logged",
          flush=True)

    sx = time_sslab(seeds)
    print(f"sslab done: cold {sum(sx['cold'].values()):.2f} s, warm {sum(sx['warm'].values()):.2f} s", flush=True)
    print(f"reference: timing {ref_seeds} seed(s) per method"
          + (f", extrapolated x{scale:.3g} to {seeds} seeds" if extrap else " (full job, measured)") + " ...",
          flush=True)
    rf = time_reference(ref_seeds)

    rows = []
    for name, ms in (("ssl", ["ssl"]), ("sl", ["sl"]), ("total", ["ssl", "sl"])):
        warm = sum(sx["warm"][m] for m in ms)
        cold = sum(sx["cold"][m] for m in ms)
        ref_meas = sum(rf[m] for m in ms)
        ref = ref_meas * scale
        steps = sum(T for m, T in JOBS if m in ms)
        rows.append({
            "job": name, "T": steps if len(ms) == 1 else None, "sslab_warm_s": warm, "sslab_cold_s": cold,
            "reference_s": ref, "reference_measured_s": ref_meas, "reference_extrapolated": extrap,
            "ratio_warm": ref / warm, "ratio_cold": ref / cold, "lanes": seeds * len(ms),
            "lane_steps_per_s_warm": seeds * steps / warm,
        })

    star = "*" if extrap else ""
    hdr = f"{'job':<6} {'lanes':>5} {'sslab warm':>11} {'sslab cold':>11} {'reference':>11} " \
          f"{'ratio warm':>11} {'ratio cold':>11} {'lane-steps/s':>13}"
    print()
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['job']:<6} {r['lanes']:>5} {r['sslab_warm_s']:>10.2f}s {r['sslab_cold_s']:>10.2f}s "
              f"{r['reference_s']:>10.1f}s{star or ' '}{r['ratio_warm']:>10.0f}x{star or ' '}"
              f"{r['ratio_cold']:>9.0f}x{star or ' '} {r['lane_steps_per_s_warm']:>12.3g}")
    print("-" * len(hdr))
    if extrap:
        print(f"* EXTRAPOLATED: reference timed on {ref_seeds} of {seeds} seeds per method "
              f"(measured {rows[-1]['reference_measured_s']:.1f} s) and scaled linearly x{scale:.3g}.")
    else:
        print(f"reference measured on the full job ({seeds} seeds per method).")
    print(f"sslab lanes run in blocks of train.lane_block={sx['lane_block']} (padded lanes not counted); "
          "lane-steps/s uses the warm wall.")
    tot = rows[-1]
    verdict = "MET" if tot["ratio_warm"] >= TARGET else "NOT MET"
    print(f"target: >= {TARGET:.0f}x (warm)  ->  total warm ratio {tot['ratio_warm']:.0f}x{star}: {verdict}")

    # Sanity (not timed): loosely comparable (different RNG streams, sslab paper mode vs official scalar noise).
    m_sx = float(np.mean(sx["ssl_final_w11"]))
    m_rf = float(np.mean(rf["ssl_final_w11"]))
    ok = abs(m_sx - m_rf) <= 0.3
    print(f"sanity: SSL final w11 seed mean  sslab {m_sx:.4f} ({seeds} seeds)  reference {m_rf:.4f} "
          f"({ref_seeds} seeds)  |diff| {abs(m_sx - m_rf):.4f} {'<=' if ok else '>'} 0.3 "
          f"({'ok' if ok else 'CHECK'}; loose: different RNG streams and noise modes)")

    report = {"machine": mach, "seeds": seeds, "ref_seeds": ref_seeds, "reference_extrapolated": extrap,
              "target_ratio_warm": TARGET, "target_met": tot["ratio_warm"] >= TARGET, "rows": rows,
              "sslab_cold_s": sx["cold"], "sslab_warm_s": sx["warm"],
              "reference_measured_s": {"ssl": rf["ssl"], "sl": rf["sl"]},
              "sanity": {"sslab_ssl_final_w11_mean": m_sx, "reference_ssl_final_w11_mean": m_rf,
                         "abs_diff": abs(m_sx - m_rf), "within_0.3": ok}}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {a.json}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
