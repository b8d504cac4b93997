"""Lane scaling: wall time of L lanes in one program vs 1 lane, and vs L sequential single-lane runs.

    python -m benchmarks.bench_lanes [--method ssl|sl] [--steps T] [--lanes 1,10,100,1000] [--sequential N]

Every figure is measured in this process (compile excluded: each program is run once to compile,
then timed). L lanes run as one block (``train.lane_block=L``); the sequential baseline calls the
compiled 1-lane program once per seed. With ``--sequential N`` smaller than the largest L, the
sequential figure is N runs scaled linearly, and marked ``*``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import jax


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    from sslab.papers.yang2024.experiment import EXPERIMENT
    from sslab.engine import run_lanes

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--method", default="ssl", choices=["ssl", "sl"])
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--lanes", default="1,10,100,1000")
    ap.add_argument("--sequential", type=int, default=1000, help="single-lane runs timed for the sequential baseline")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    lanes = [int(x) for x in args.lanes.split(",")]
    common = [f"method={args.method}", f"train.steps={args.steps}", f"train.log_every={args.steps // 10}"]

    def job(L: int):
        pts = EXPERIMENT.plan(common + [f"seed=0:{L}" if L > 1 else "seed=0", f"train.lane_block={L}"]).points()
        return lambda: run_lanes(pts, EXPERIMENT.problem)

    print(f"machine: {os.cpu_count()} CPUs, jax {jax.__version__}, backend {jax.default_backend()}")
    print(f"job: Yang {args.method.upper()}, T={args.steps}, lanes in one block each")
    walls = {}
    for L in lanes:
        f = job(L)
        f()  # compile
        walls[L] = min(timed(f) for _ in range(2 if L < 1000 else 1))
        print(f"  {L:5d} lanes: {walls[L]:8.3f} s  ({L * args.steps / walls[L]:.3g} lane-steps/s)", flush=True)

    one = [EXPERIMENT.plan(common + [f"seed={s}", "train.lane_block=1"]).points() for s in range(args.sequential)]
    run_lanes(one[0], EXPERIMENT.problem)
    t_seq = timed(lambda: [run_lanes(p, EXPERIMENT.problem) for p in one])
    Lmax = max(lanes)
    seq = t_seq * Lmax / args.sequential
    star = "" if args.sequential == Lmax else "*"
    print(f"  {Lmax} sequential single-lane runs: {seq:.2f} s{star}"
          + (f"  (*{args.sequential} runs measured, scaled to {Lmax})" if star else ""))
    print(f"\n{Lmax} lanes / 1 lane: {walls[Lmax] / walls[1]:.1f}x   (target <= 10x)")
    print(f"{Lmax} sequential runs / {Lmax} lanes: {seq / walls[Lmax]:.1f}x faster as lanes")
    out = {"method": args.method, "steps": args.steps, "walls": walls, "sequential": seq,
           "sequential_measured_runs": args.sequential}
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return out


if __name__ == "__main__":
    main()
