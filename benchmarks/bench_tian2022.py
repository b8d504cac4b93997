"""Speed benchmark: the Tian 2023 paper command (spec tian2022 §5), sslab vs a PyTorch eager loop.

sslab: 3 seeds (1–3) as lanes of one compiled program (engine ``run_lanes``), timed cold (compile +
run) and warm. Reference: a straightforward single-seed PyTorch eager re-implementation of the official
``bn_gen.py`` training loop (written below: per-RF Linear layers, BatchNormExt, InfoNCE dotprod, SGD
momentum 0.9 + wd), timed per seed in the same process. Printed: seconds, per-seed ratio
(torch seconds per seed / (sslab warm seconds / 3)) and GFLOP/s from a FLOP count derived from the
shapes (forward + backward ≈ 3× forward matmul FLOPs, both views).

Run:  PYTHONPATH=src python -m benchmarks.bench_tian2022 [--steps 5000]
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


def time_sslab(steps: int, seeds: int = 3) -> tuple[float, float, np.ndarray]:
    import jax
    from sslab.experiments.tian2022 import EXPERIMENT
    from sslab.train.engine import _PROGRAMS, run_lanes

    pts = EXPERIMENT.plan([f"train.steps={steps}", f"seed=1:{1 + seeds}", f"train.lane_block={seeds}"]).points()
    _PROGRAMS.clear()
    out = []
    for _ in range(2):
        t0 = time.perf_counter()
        res = run_lanes(pts, EXPERIMENT.problem)
        jax.block_until_ready(jax.tree_util.tree_leaves((res.params, res.metrics)))
        out.append(time.perf_counter() - t0)
    return out[0], out[1], np.asarray(res.metrics["loc_all"][:, -1])


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
    t0 = time.perf_counter()
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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5000)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    flops = flops_per_step()
    cold, warm, loc = time_sslab(args.steps)
    print(f"Tian 2023 paper command, {args.steps} steps, B={B}, K={K}, multi={BETA * P}, d={T}, output_d={OUT_D}")
    print(f"FLOPs/step (derived from shapes): {flops / 1e6:.2f} MFLOP")
    print(f"sslab 3 seeds as lanes: cold {cold:.2f} s, warm {warm:.2f} s "
          f"({warm / 3:.2f} s per seed; {3 * args.steps * flops / warm / 1e9:.2f} GFLOP/s); final loc_all {np.round(loc, 4)}")
    for seed in (1, 2, 3):
        secs, l = torch_run(seed, args.steps)
        print(f"torch eager seed {seed}: {secs:.2f} s ({args.steps * flops / secs / 1e9:.2f} GFLOP/s), final loc_all "
              f"{l:.4f}; ratio torch / sslab-per-seed = {secs / (warm / 3):.2f}x")


if __name__ == "__main__":
    main()
