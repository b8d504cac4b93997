"""Speed benchmark: the Wen & Li 2021 default claim C run, sslab (lane-vectorised JAX) vs a per-seed NumPy loop.

Job (spec wenli2021 §1–§5, claim C): seeds 0–4 × {complementary masking, no augmentation} = 10 lanes of
online SGD, T = 3000, K = 256 fresh samples and masks a step, d = 32, d1 = 256, m = 128, float32; metrics
every 100 steps, exactly the run ``sslab check wenli2021.C`` makes (``seed=0:5 data.augment=1,0``).
Timed in one process:

* sslab compile: first call of the job's compiled program minus the second (``_PROGRAMS`` cleared first;
  the persistent compilation cache is not used);
* sslab run: the same job again with the program cached, outputs forced to host memory;
* reference: :func:`reference_run`, the same training written independently here in NumPy float32 (one
  seed and view mode at a time, a Python loop over steps, the spec §4 gradient formula by hand). With
  ``--ref-lanes`` / ``--ref-steps`` below the job's, the reference is timed on fewer lanes or steps and
  scaled linearly (marked ``*``, "extrapolated"). It runs with the faster of NumPy's default BLAS
  threads and one thread, chosen by a short trial (BLAS threads spin-wait on a busy machine).

Run:  python -m benchmarks.bench_wenli2021 [--quick] [--ref-lanes N] [--ref-steps T] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np

JOB = ["seed=0:5", "data.augment=1,0"]  # claims C–G: the paired default run (sslab.papers.wenli2021.claims.paired)
T, K, D = 3000, 256, 32


def matmul_flops(d: int = D, K: int = K) -> float:
    """FLOPs of the matrix products of one lane-step: X_vW (2 views), S, and the backward dF and dW products."""
    d1, m = 8 * d, 4 * d
    return 2 * (2 * K * d1 * m) + 2 * (2 * K * K * m) + 2 * (2 * K * K * m) + 2 * (2 * K * d1 * m)


# --- reference: one lane in NumPy, written from the spec -------------------------------------------

def reference_run(seed: int, augment: bool, steps: int = T, d: int = D, K: int = K) -> np.ndarray:
    """Spec §1–§5 online SGD for one seed and view mode in NumPy float32; returns the final W (d1×m)."""
    rng = np.random.default_rng([seed, 7])
    d1, m = 8 * d, 4 * d
    p = math.log(math.log(d)) / d
    sig = math.sqrt(math.sqrt(math.log(d)) / d)
    M = np.linalg.qr(rng.standard_normal((d1, d)))[0].astype(np.float32)
    W = (math.sqrt(0.01 / d1) * rng.standard_normal((d1, m))).astype(np.float32)
    lr, lam, kmax, t_ramp = 0.5, 1e-3, 2.5, steps / 3
    s_view = math.sqrt(2) * sig if augment else sig  # §3: per-view noise std of ⟨w, x_v⟩ per unit ‖w‖
    eye = np.eye(K, dtype=np.float32)
    for t in range(steps):
        u = rng.random((K, d), dtype=np.float32)
        z = np.where(u < p / 2, 1.0, np.where(u < p, -1.0, 0.0)).astype(np.float32)
        x = z @ M.T + sig * rng.standard_normal((K, d1), dtype=np.float32)
        if augment:
            mask = rng.random((K, d1), dtype=np.float32) < 0.5
            xa, xb = 2 * x * mask, 2 * x * ~mask
        else:
            xa = xb = x
        b = kmax * min(1.0, t / t_ramp) * s_view * np.linalg.norm(W, axis=0)
        ua, ub = xa @ W, xb @ W
        fa = np.sign(ua) * np.maximum(np.abs(ua) - b, 0)
        fb = np.sign(ub) * np.maximum(np.abs(ub) - b, 0)
        S = fa @ fb.T  # S_ab; S_ba = Sᵀ (τ = 1)
        Pab = np.exp(S - S.max(1, keepdims=True))
        Pab /= Pab.sum(1, keepdims=True)
        Pba = np.exp(S.T - S.T.max(1, keepdims=True))
        Pba /= Pba.sum(1, keepdims=True)
        ga = (Pab - eye) @ fb / K  # ∂L_{a→b}/∂F_a (sg on F_b)
        gb = (Pba - eye) @ fa / K  # ∂L_{b→a}/∂F_b
        grad = xa.T @ (ga * (np.abs(ua) > b)) + xb.T @ (gb * (np.abs(ub) > b)) + lam * W
        W = W - lr * grad
    return W


def coverage_min(W: np.ndarray, seed: int, d: int = D) -> float:
    """min_j max_i |cos(w_i, M_j)| of a reference run (its own M, same draw order as reference_run)."""
    rng = np.random.default_rng([seed, 7])
    M = np.linalg.qr(rng.standard_normal((8 * d, d)))[0]
    c = (W.T @ M) / np.linalg.norm(W, axis=0)[:, None]
    return float(np.abs(c).max(0).min())


def _blas_threads(n: int | None):
    """A context limiting NumPy's BLAS to n threads (None: leave the default)."""
    import contextlib

    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(n)


def _fastest_blas_threads(steps: int = 40) -> int | None:
    """1 or None (default): the faster for the reference on a short trial (BLAS threads spin-wait on a busy machine)."""
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return None
    walls = {}
    for n in (None, 1, None, 1):
        with _blas_threads(n):
            t0 = time.perf_counter()
            reference_run(0, True, steps)
            walls[n] = min(walls.get(n, math.inf), time.perf_counter() - t0)
    return min(walls, key=walls.get)


# --- sslab ---------------------------------------------------------------------------------------------

def _run(points):
    import jax

    from sslab.papers.wenli2021.experiment import EXPERIMENT
    from sslab.engine import run_lanes
    t0 = time.perf_counter()
    res = run_lanes(points, EXPERIMENT.problem)
    leaves = jax.tree_util.tree_leaves((res.params, res.metrics, res.loss))
    _ = [np.asarray(a) for a in leaves]
    return time.perf_counter() - t0, res


def time_sslab(steps: int) -> dict:
    from sslab.papers.wenli2021.experiment import EXPERIMENT
    from sslab.engine.lanes import _PROGRAMS
    pts = EXPERIMENT.plan(JOB + ([f"train.steps={steps}"] if steps != T else [])).points()
    _PROGRAMS.clear()
    cold, _ = _run(pts)
    warm, res = _run(pts)
    aug = np.array([p.data.augment for p in res.points])
    return {"cold": cold, "warm": warm, "lanes": len(pts), "lane_block": pts[0].train.lane_block,
            "cov_min_masking": res.metrics["cov_min"][aug > 0.5, -1].astype(float).tolist()}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="reference on 2 lanes × 300 steps, scaled (marked *)")
    ap.add_argument("--ref-lanes", type=int, default=None, help="lanes to time the reference on (default all 10)")
    ap.add_argument("--ref-steps", type=int, default=None, help="steps per reference lane (default T = 3000)")
    ap.add_argument("--json", default=None, help="write the numbers to this JSON file")
    a = ap.parse_args(argv)
    lanes_all = [(s, aug) for s in range(5) for aug in (True, False)]
    ref_lanes = a.ref_lanes or (2 if a.quick else len(lanes_all))
    ref_steps = a.ref_steps or (300 if a.quick else T)
    if not 1 <= ref_lanes <= len(lanes_all) or not 1 <= ref_steps <= T:
        ap.error(f"--ref-lanes must be in 1..{len(lanes_all)} and --ref-steps in 1..{T}")
    scale = len(lanes_all) / ref_lanes * T / ref_steps
    extrap = scale != 1.0

    import jax
    print(f"machine: {os.cpu_count()} CPUs, jax {jax.__version__} ({jax.default_backend()}), "
          f"python {platform.python_version()}; the ratio is measured in this process", flush=True)
    print(f"job: wenli2021 claim C run, {len(lanes_all)} lanes (seeds 0–4 × masking, none), T={T}", flush=True)
    sx = time_sslab(T)
    print(f"sslab: compile+run {sx['cold']:.2f} s, run {sx['warm']:.2f} s", flush=True)

    threads = _fastest_blas_threads()
    t0 = time.perf_counter()
    ref_cov = []
    with _blas_threads(threads):
        for seed, aug in lanes_all[:ref_lanes]:  # seed 0 masking first, then seed 0 none, ...
            W = reference_run(seed, aug, ref_steps)
            if aug and ref_steps == T:
                ref_cov.append(coverage_min(W, seed))
    ref_meas = time.perf_counter() - t0
    ref = ref_meas * scale
    star = "*" if extrap else ""
    row = {"job": "wenli2021 claim C run (seeds 0–4 × masking/none, T=3000)",
           "sslab_compile_s": sx["cold"] - sx["warm"], "sslab_run_s": sx["warm"],
           "reference_s": f"{ref:.1f}{star}", "reference_measured_s": ref_meas, "reference_extrapolated": extrap,
           "ratio": f"{ref / sx['warm']:.1f}x{star}", "ratio_value": ref / sx["warm"], "lanes": sx["lanes"],
           "lane_steps_per_s": sx["lanes"] * T / sx["warm"],
           "gflops": sx["lanes"] * T * matmul_flops() / sx["warm"] / 1e9}
    print(f"reference: {ref_lanes} lane(s) × {ref_steps} steps in {ref_meas:.1f} s on {threads or 'default'} BLAS thread(s)"
          + (f", scaled x{scale:.3g} to the job: {ref:.1f} s (EXTRAPOLATED)" if extrap else " (full job, measured)"))
    print(f"ratio (reference / sslab run): {row['ratio']}; sslab {row['lane_steps_per_s']:.3g} lane-steps/s, "
          f"{row['gflops']:.1f} GFLOP/s in matrix products (lane_block={sx['lane_block']})")
    # Sanity (not timed, not asserted): both recover the features with masking (claim C's first criterion).
    print(f"sanity: masking min_j coverage_j  sslab {np.round(sx['cov_min_masking'], 3).tolist()}"
          + (f"  reference {np.round(ref_cov, 3).tolist()}" if ref_cov else "  (reference: full T only)"))
    out = {"rows": [row], "sslab": sx, "reference_lanes": ref_lanes, "reference_steps": ref_steps,
           "reference_blas_threads": threads or "default",
           "reference_coverage_min": ref_cov}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2, default=str)
        print(f"wrote {a.json}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
