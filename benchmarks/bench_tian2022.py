"""Speed benchmark: the Tian 2023 paper command (spec tian2022 §5), sslab vs a PyTorch eager loop.

sslab: 3 seeds (1–3) as lanes of one compiled program (engine ``run_lanes``), timed cold (compile +
run) once, then warm. Reference: a straightforward single-seed PyTorch eager re-implementation of the
official ``bn_gen.py`` training loop (written below: per-RF Linear layers on one-hot inputs,
BatchNormExt, InfoNCE dotprod, SGD momentum 0.9 + wd; torch's default threads), timed per seed.
The two alternate in one process (sslab 3 lanes, torch seed 1, sslab, torch seed 2, ...), so both see
the same machine load; the per-seed ratio of each round is torch seconds / (sslab seconds / 3) and the
row reports the median. GFLOP/s use the network's FLOP count derived from the shapes (forward +
backward ≈ 3× the forward matmul FLOPs, both views, dense one-hot first layer) for both sides — sslab
computes the first layer by table look-up, so its nominal GFLOP/s can exceed the work it does. The peak
row is a plain 2048² float32 ``jnp`` matmul on this CPU (the ceiling for any implementation here).

Run:  PYTHONPATH=src python -m benchmarks.bench_tian2022 [--steps 5000] [--rounds 3]
Needs torch (the ``bench`` extra: torch==2.13.0).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

T, P, G, K, ELL, AUG, BETA, OUT_D, B = 20, 5, 40, 10, 5, 5, 5, 50, 128
LR, MOM, WD, TAU = 0.02, 0.9, 0.005, 0.1


def flops_per_step() -> float:
    """Matmul FLOPs of one step: per view W1 (B·K·multi·d), W2 (B·out·K·multi), M = z1z1ᵀ (B²·out); ×3 for backward."""
    multi, d = BETA * P, T
    fwd_view = 2 * B * K * multi * d + 2 * B * OUT_D * K * multi
    fwd = 2 * fwd_view + 2 * B * B * OUT_D
    return 3.0 * fwd


def sslab_runner(steps: int, seeds: int = 3):
    """A callable timing one sslab run of the paper command with ``seeds`` lanes: () -> (seconds, final loc_all)."""
    from sslab.papers.tian2022.experiment import EXPERIMENT
    from sslab.engine import run_lanes

    pts = EXPERIMENT.plan([f"train.steps={steps}", f"seed=1:{1 + seeds}", f"train.lane_block={seeds}"]).points()

    def run() -> tuple[float, np.ndarray]:
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_lanes(pts, EXPERIMENT.problem)  # returns host NumPy arrays: the device work is done
        CPU["last"] = time.process_time() - c0
        return time.perf_counter() - t0, np.asarray(res.metrics["loc_all"][:, -1])

    return run


CPU: dict[str, float] = {}  # process CPU seconds of the last timed call (all threads)


def _pool_worker(steps: int, seeds: tuple[int, ...]) -> float:
    """One worker's share: its seeds as one lane block, one XLA thread (as sslab's LocalPool workers)."""
    from sslab.papers.tian2022.experiment import EXPERIMENT
    from sslab.engine import enable_compilation_cache, run_lanes

    enable_compilation_cache()
    pts = EXPERIMENT.plan([f"train.steps={steps}", "seed=" + ",".join(map(str, seeds)),
                           f"train.lane_block={len(seeds)}"]).points()
    t0 = time.perf_counter()
    run_lanes(pts, EXPERIMENT.problem)
    return time.perf_counter() - t0


def pool_runner(steps: int, seeds: int = 3, workers: int = 2):
    """Seeds split over ``workers`` spawned processes with one XLA thread each (sslab's local-pool layout).

    Returns (run, close): ``run()`` times one warm round (the pool persists, so programs stay compiled).
    """
    from sslab.engine.executors import LocalPool

    local = LocalPool(workers)  # spawned workers, one XLA thread each
    ids = list(range(1, 1 + seeds))
    shares = [tuple(ids[i::workers]) for i in range(workers) if ids[i::workers]]

    def run() -> float:
        t0 = time.perf_counter()
        list(local.pool.map(_pool_worker, [steps] * len(shares), shares))
        return time.perf_counter() - t0

    return run, local.close


def peak_matmul_gflops(n: int = 2048, reps: int = 5) -> float:
    """Best-of-reps GFLOP/s of a plain n×n float32 jnp matmul (2n³ FLOPs): this CPU's practical peak."""
    import jax
    import jax.numpy as jnp

    a = jax.random.normal(jax.random.key(0), (n, n), jnp.float32)
    f = jax.jit(lambda x: x @ x)
    f(a).block_until_ready()
    best = min(_timed(lambda: f(a).block_until_ready()) for _ in range(reps))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def torch_run(seed: int, steps: int) -> tuple[float, float]:
    """The official loop, eager PyTorch, one seed; returns (seconds, final loc_all)."""
    import torch

    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    multi, d = BETA * P, T
    allowed = torch.stack([torch.randperm(T, generator=g)[:P] for _ in range(K)])
    patterns = torch.full((G, K), -1, dtype=torch.long)
    for i in range(G):
        locs = torch.randperm(K, generator=g)[:ELL]
        for k in locs.tolist():
            patterns[i, k] = allowed[k, torch.randint(P, (1,), generator=g)].item()
    E = torch.eye(T)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = torch.nn.ModuleList([torch.nn.Linear(d, multi, bias=False) for _ in range(K)])
            self.w2 = torch.nn.Linear(K * multi, OUT_D, bias=False)

        def forward(self, x):
            y = torch.cat([torch.relu(self.ws[k](x[:, k])) for k in range(K)], 1)
            mu = y.mean(0)
            var = ((y - mu) ** 2).mean(0).detach()  # backprop_mean=true, backprop_var=false
            return self.w2((y - mu) / torch.sqrt(var + 1e-5))

    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOM, weight_decay=WD)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        idx = torch.randint(G, (B,), generator=g)
        pat = patterns[idx]
        wild = pat < 0
        t1 = torch.where(wild, torch.randint(T, (B, K), generator=g), pat)
        score = torch.where(wild, torch.rand(B, K, generator=g), torch.full((B, K), 2.0))
        redraw = wild & (score.argsort(1).argsort(1) < AUG)
        t2 = torch.where(redraw, torch.randint(T, (B, K), generator=g), t1)
        z1 = torch.nn.functional.normalize(net(E[t1]), dim=1)
        z2 = torch.nn.functional.normalize(net(E[t2]), dim=1)
        M = z1 @ z1.t()
        M = M - torch.diag(torch.diagonal(M)) + torch.diag((z1 * z2).sum(1))
        loss = torch.nn.functional.cross_entropy(M / TAU, torch.arange(B))
        opt.zero_grad()
        loss.backward()
        opt.step()
    secs = time.perf_counter() - t0
    CPU["last"] = time.process_time() - c0
    with torch.no_grad():
        W1 = torch.stack([w.weight for w in net.ws])  # K, multi, T
        cand = torch.zeros(K, T, dtype=torch.bool)
        for k in range(K):
            for t in patterns[:, k].tolist():
                if t >= 0:
                    cand[k, t] = True
        eps = torch.clamp(W1.abs().amax((1, 2)) / 1000, min=1e-6)
        ratio = (W1 / (W1.norm(dim=2, keepdim=True) + eps[:, None, None])).amax(1)
        loc = torch.stack([ratio[k][cand[k]].mean() for k in range(K)]).mean().item()
    return secs, loc


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=3, help="A/B rounds (sslab 3 lanes, torch one seed), seeds cycle 1–3")
    ap.add_argument("--workers", type=int, default=2,
                    help="also time the seeds split over this many worker processes (0: skip)")
    ap.add_argument("--torch-threads", type=int, default=-1,
                    help="torch intra-op threads; -1 (default): the faster of 1 and torch's default on a 100-step "
                         "trial (on a shared 2-core CPU, 2 threads spin in OpenMP barriers and run 10-100x slower)")
    args = ap.parse_args(argv)
    import torch

    threads = args.torch_threads
    if threads < 0:  # give the reference its best thread count on this machine
        trial = {}
        for n in dict.fromkeys((torch.get_num_threads(), 1)):
            torch.set_num_threads(n)
            trial[n] = torch_run(1, 100)[0]
        threads = min(trial, key=trial.get)
        print("torch thread trial (s per 100 steps): " + ", ".join(f"{n}: {t:.2f}" for n, t in trial.items()))
    if threads > 0:
        torch.set_num_threads(threads)
    from sslab.engine import enable_compilation_cache

    enable_compilation_cache()
    flops, lanes = flops_per_step(), 3
    run = sslab_runner(args.steps, lanes)
    cold, loc = run()
    sl, ref, ratios, ref_locs, cpu_ratios = [], [], [], [], []
    for i in range(args.rounds):
        secs, loc = run()
        scpu = CPU["last"]
        seed = 1 + i % 3
        tsecs, tloc = torch_run(seed, args.steps)
        cpu_ratios.append(CPU["last"] / (scpu / lanes))
        sl.append(secs)
        ref.append(tsecs)
        ref_locs.append(tloc)
        ratios.append(tsecs / (secs / lanes))
        print(f"round {i}: sslab {lanes} lanes {secs:.2f} s ({secs / lanes:.2f} s per seed) | torch eager seed {seed} "
              f"{tsecs:.2f} s | per-seed ratio {ratios[-1]:.2f}x (CPU-time ratio {cpu_ratios[-1]:.2f}x)")
    warm, tref, ratio = float(np.median(sl)), float(np.median(ref)), float(np.median(ratios))
    pooled = None
    if args.workers > 1:
        prun, close = pool_runner(args.steps, lanes, args.workers)
        pcold = prun()  # spawn + compile (or load from the persistent cache) in each worker
        pwalls = [prun() for _ in range(args.rounds)]
        close()
        pooled = (pcold, float(np.median(pwalls)))
        print(f"sslab {lanes} seeds over {args.workers} worker processes (one XLA thread each): cold {pcold:.2f} s, "
              f"warm median {pooled[1]:.2f} s ({pooled[1] / lanes:.2f} s per seed); per-seed ratio vs torch "
              f"{tref / (pooled[1] / lanes):.2f}x (the torch reference runs one seed on one process)")
    peak = peak_matmul_gflops()
    print(f"Tian 2023 paper command, {args.steps} steps, B={B}, K={K}, multi={BETA * P}, d={T}, output_d={OUT_D}; "
          f"FLOPs/step (derived from shapes): {flops / 1e6:.2f} MFLOP")
    print(f"sslab {lanes} seeds as lanes: cold {cold:.2f} s, warm median {warm:.2f} s ({warm / lanes:.2f} s per seed, "
          f"{lanes * args.steps * flops / warm / 1e9:.1f} GFLOP/s); final loc_all {np.round(loc, 4)}")
    print(f"torch eager per seed: median {tref:.2f} s ({args.steps * flops / tref / 1e9:.1f} GFLOP/s); final loc_all "
          f"{np.round(ref_locs, 4)}")
    print(f"torch intra-op threads: {torch.get_num_threads()}")
    print(f"per-seed ratio torch / sslab: median {ratio:.2f}x over {args.rounds} interleaved rounds "
          f"{np.round(ratios, 2).tolist()}; CPU-time ratio median {np.median(cpu_ratios):.2f}x "
          f"(process CPU seconds, all threads; less sensitive to a shared machine); peak 2048² f32 jnp matmul on this CPU: {peak:.0f} GFLOP/s")
    nan = float("nan")
    return {"rows": [
        {"job": "tian2022 paper command (per seed)", "sslab_compile_s": cold - warm, "sslab_run_s": warm,
         "reference_s": tref, "ratio": ratio, "lanes": lanes, "lane_steps_per_s": lanes * args.steps / warm,
         "gflops": lanes * args.steps * flops / warm / 1e9},
        *([{"job": f"tian2022 paper command, {args.workers} processes", "sslab_compile_s": pooled[0] - pooled[1],
             "sslab_run_s": pooled[1], "reference_s": tref, "ratio": tref / (pooled[1] / lanes), "lanes": lanes,
             "lane_steps_per_s": lanes * args.steps / pooled[1], "gflops": lanes * args.steps * flops / pooled[1] / 1e9}]
          if pooled else []),
        {"job": "tian2022 torch eager reference (1 seed)", "sslab_compile_s": nan, "sslab_run_s": nan,
         "reference_s": tref, "ratio": nan, "lanes": 1, "lane_steps_per_s": args.steps / tref,
         "gflops": args.steps * flops / tref / 1e9},
        {"job": "peak f32 matmul 2048² (jnp)", "sslab_compile_s": nan, "sslab_run_s": nan, "reference_s": nan,
         "ratio": nan, "lanes": nan, "lane_steps_per_s": nan, "gflops": peak},
    ], "ratios": ratios, "cpu_time_ratios": cpu_ratios}


if __name__ == "__main__":
    main()
