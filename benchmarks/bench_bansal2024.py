"""Speed benchmark: the Bansal et al. 2024 InfoNCE default run (spec bansal2024 §2, §8 claim 1), sslab vs NumPy.

Job: population-mode linear InfoNCE (dot product, τ = 1), d = 20, k = 4, κ = 100, Δ = 3, r = 3, B = 512,
Adam (0.9, 0.999, 1e-8) lr 1e-2 with cosine decay to 0, float32, 3000 steps, seeds 0–4: the claim-1
default setting. Timed in one process:

* sslab cold / warm: the seeds as lanes of one compiled program (engine ``run_lanes``), ``_PROGRAMS`` cleared
  before the cold run; the warm run repeats it with the program cached;
* reference: :func:`numpy_run`, a straightforward per-seed float32 NumPy loop written here (fresh pairs, the
  hand-derived InfoNCE gradient, Adam with the cosine schedule), timed per seed with the faster of default and
  one BLAS thread on a 50-step trial (OpenBLAS threads spin-wait under load; one thread was ~50x faster on the
  shared 2-core machine) (``--ref-seeds N`` times N seeds and scales to all; marked extrapolated);
* lane scaling: 1, 10, 100, 1000 lanes (seeds) of the same run in one block, ``--lane-steps`` steps each,
  compile excluded; wall of L lanes against 1 lane.

Both sides report sin θ_max(row(A), F) per seed (a sanity check, not asserted: the RNG streams differ).
Run:  PYTHONPATH=src python -m benchmarks.bench_bansal2024 [--quick] [--steps 3000] [--ref-seeds N]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

B, LR, B1, B2, EPS = 512, 1e-2, 0.9, 0.999, 1e-8


def _points(seeds: int, steps: int, first: int = 0):
    from sslab.papers.bansal2024.experiment import EXPERIMENT
    return EXPERIMENT.plan(["method=infonce", "mode=population", f"seed={first}:{first + seeds}",
                            f"train.lane_block={seeds}", f"train.steps={steps}",
                            f"train.log_every={math.gcd(100, steps)}"]).points()  # 100 (the default) for T = 3000


def _run(points) -> tuple[float, object]:
    """run_lanes with every output forced to host memory before the clock stops."""
    import jax
    from sslab.papers.bansal2024.experiment import EXPERIMENT
    from sslab.engine import run_lanes
    t0 = time.perf_counter()
    res = run_lanes(points, EXPERIMENT.problem)
    _ = [np.asarray(a) for a in jax.tree_util.tree_leaves((res.params, res.metrics, res.loss))]
    return time.perf_counter() - t0, res


def fisher_error(seed: int, A: np.ndarray) -> float:
    """sin θ_max between row(A) and the seed's Fisher subspace F (float64)."""
    from sslab.papers.bansal2024 import data as dm
    from sslab.papers.bansal2024 import metrics as met
    from sslab.papers.bansal2024 import theory as th
    g = dm.gmm_params(seed)
    return met.sin_theta_max(th.fisher_subspace(g.mu, g.Sigma, g.pi), met.row_space(A, g.k - 1))


def time_sslab(seeds: int, steps: int) -> dict:
    from sslab.engine.lanes import _PROGRAMS
    pts = _points(seeds, steps)
    _PROGRAMS.clear()
    cold, _ = _run(pts)
    warm, res = _run(pts)
    errs = [fisher_error(p.seed, np.asarray(res.params["A"][i], np.float64)) for i, p in enumerate(res.points)]
    return {"cold": cold, "warm": warm, "err": errs}


def numpy_run(seed: int, steps: int) -> tuple[float, np.ndarray]:
    """One seed of the job in float32 NumPy: fresh pairs, InfoNCE gradient by hand, Adam + cosine; (seconds, A)."""
    from sslab.papers.bansal2024 import data as dm
    g = dm.gmm_params(seed)  # the seed's GMM (host-side float64 parameters, as in sslab)
    mu, L = g.mu.astype(np.float32), g.L.astype(np.float32)
    k, d = mu.shape
    rng = np.random.default_rng(seed)
    A = (rng.standard_normal((3, d)) / np.sqrt(d)).astype(np.float32)
    m, v = np.zeros_like(A), np.zeros_like(A)
    eye = np.eye(B, dtype=np.float32)
    t0 = time.perf_counter()
    for t in range(steps):
        c = rng.integers(0, k, B)
        z = rng.standard_normal((2, B, d), dtype=np.float32)
        x, xp = mu[c] + z[0] @ L.T, mu[c] + z[1] @ L.T
        Z, Zp = x @ A.T, xp @ A.T
        S = Z @ Zp.T                                      # S_ij = (Ax_i)ᵀ(Ax⁺_j), τ = 1
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)                  # softmax over j
        G = (P - eye) / B                                  # ∂L/∂S
        grad = (G @ Zp).T @ x + (G.T @ Z).T @ xp           # ∂L/∂A
        lr = LR * 0.5 * (1.0 + np.cos(np.pi * t / steps))  # cosine decay to 0
        m = B1 * m + (1 - B1) * grad
        v = B2 * v + (1 - B2) * grad * grad
        A = A - lr * (m / (1 - B1 ** (t + 1))) / (np.sqrt(v / (1 - B2 ** (t + 1))) + EPS)
    return time.perf_counter() - t0, A


def lane_scaling(lanes: list[int], steps: int) -> dict[int, float]:
    """Warm wall of L lanes (seeds 0..L−1, one block) per L; compile excluded (each L is run twice)."""
    walls = {}
    for n in lanes:
        _run(_points(n, steps))
        walls[n] = _run(_points(n, steps, first=n))[0]
    return walls


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--ref-seeds", type=int, default=None, help="seeds the NumPy reference is timed on (default all)")
    ap.add_argument("--lanes", default="1,10,100,1000")
    ap.add_argument("--lane-steps", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="--steps 600 --ref-seeds 2 --lanes 1,10,100 --lane-steps 100")
    a = ap.parse_args(argv)
    if a.quick:
        a.steps, a.ref_seeds, a.lanes, a.lane_steps = 600, 2, "1,10,100", 100
    ref_seeds = min(a.ref_seeds or a.seeds, a.seeds)
    s = time_sslab(a.seeds, a.steps)
    ref_walls, ref_errs = [], []
    from threadpoolctl import threadpool_limits
    # BLAS threads: the faster of default and one thread on a 50-step trial (OpenBLAS threads spin-wait on a busy
    # machine, ~50× slower there; on an idle one threads may help the B×B products).
    with threadpool_limits(1):
        one = numpy_run(0, 50)[0]
    threads = 1 if one <= numpy_run(0, 50)[0] else None
    for seed in range(ref_seeds):
        with threadpool_limits(threads):
            secs, A = numpy_run(seed, a.steps)
        ref_walls.append(secs)
        ref_errs.append(fisher_error(seed, A.astype(np.float64)))
    ref_total = float(np.mean(ref_walls)) * a.seeds
    extrapolated = ref_seeds < a.seeds
    per_seed = s["warm"] / a.seeds
    print(f"Bansal 2024 InfoNCE default: {a.seeds} seeds, {a.steps} steps, B={B}, d=20, r=3")
    print(f"sslab {a.seeds} seeds as lanes: cold {s['cold']:.2f} s, warm {s['warm']:.2f} s ({per_seed:.2f} s per seed); "
          f"sin θ_max to F {np.round(s['err'], 4).tolist()}")
    print(f"NumPy reference ({'one BLAS thread' if threads == 1 else 'default BLAS threads'}), {ref_seeds} seeds: "
          f"{np.round(ref_walls, 2).tolist()} s per seed; sin θ_max to F "
          f"{np.round(ref_errs, 4).tolist()}; ratio NumPy per seed / sslab per seed = {np.mean(ref_walls) / per_seed:.1f}x"
          + (" (reference EXTRAPOLATED to all seeds)" if extrapolated else ""))
    star = "*" if extrapolated else ""
    rows = [{"job": f"bansal2024 InfoNCE default (T={a.steps})", "sslab_compile_s": s["cold"] - s["warm"],
             "sslab_run_s": s["warm"], "reference_s": f"{ref_total:.1f}{star}",
             "ratio": f"{np.mean(ref_walls) / per_seed:.1f}x per seed{star}", "lanes": a.seeds,
             "lane_steps_per_s": a.seeds * a.steps / s["warm"], "reference_extrapolated": extrapolated}]
    walls = lane_scaling([int(x) for x in a.lanes.split(",")], a.lane_steps)
    one = walls.get(1) or next(iter(walls.values()))
    for n, wall in walls.items():
        print(f"lane scaling: {n} lanes x {a.lane_steps} steps: {wall:.2f} s ({wall / one:.1f}x of 1 lane)")
        rows.append({"job": f"bansal2024 InfoNCE lane scaling (T={a.lane_steps})", "sslab_compile_s": float("nan"),
                     "sslab_run_s": wall, "reference_s": f"{one:.2f} (1 lane)", "ratio": f"{wall / one:.1f}x of 1 lane",
                     "lanes": n, "lane_steps_per_s": n * a.lane_steps / wall})
    return {"rows": rows}


if __name__ == "__main__":
    main()
