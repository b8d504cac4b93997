"""Claim T1: the simulated trajectory follows the closed form on every seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sslab.papers import Claim, Context, Row
from sslab.papers.rows import per_seed

from . import theory
from .figures import trajectory


def run(ctx: Context):
    return ctx.run("toy2025", ["train.steps=20"] if ctx.quick else [])


def t1(ctx: Context) -> list[Row]:
    r = run(ctx)
    c = r.plan_config["config"]
    worst = {}
    for seed, g in r.records.groupby("seed"):
        m = g[g.metric == "m"].sort_values("step")
        xbar = float(g[g.metric == "xbar"].value.iloc[0])
        pred = theory.trajectory(c["model"]["m0"], xbar, c["optim"]["lr"], m.step.to_numpy())
        worst[int(seed)] = float(np.max(np.abs(m.value.to_numpy() - pred)))
    return [per_seed("T1", "max_t |m_t − closed form| (float32 GD vs float64 theory)", worst, "<", 1e-4)]


CLAIMS = [Claim("T1", "toy2025", "GD follows the closed-form trajectory to the sample mean", t1, seeds="0–3")]


def figures(ctx: Context, outdir) -> list[Path]:
    """The check report's figure, drawn from the claim's run."""
    r = run(ctx)
    c = r.plan_config["config"]
    return [trajectory(r.records, Path(outdir) / "toy2025_trajectory.png", c["model"]["m0"], c["optim"]["lr"])]
