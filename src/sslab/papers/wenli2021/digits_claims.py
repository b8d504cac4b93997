"""Wen & Li 2021, real-data analogue on scikit-learn digits (spec wenli2021 §10) as report-only checks.

The spec gives expectations but no pass criterion for this part ("report-only, not gated"), so every
row has verdict REPORT (apart from a FAIL row for any diverged lane); every number comes from running
the code. Rows over seeds give the seed mean ± its 95% t-interval and every seed's value. Quick size:
T = 1000 and seeds 0–1 instead of T = 3000 and seeds 0–4.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..paper import Claim, Context, Row
from ..rows import diverged_rows, fmt, report
from . import digits as exp_mod
from .claims import report_mean

P = "wenli2021_digits"

TITLE = "Wen & Li 2021 — contrastive feature learning with masking, real-data analogue on scikit-learn digits"
SUMMARY = (
    "Wen & Li argue that contrastive learning with masking augmentations learns the sparse, shared "
    "features of the data, while without augmentation it is drawn to dense, sample-specific components "
    "that make each example easy to tell apart. This analogue (not an experiment from the paper) tests "
    "the idea on scikit-learn's bundled 8×8 handwritten digits: every image gets a fixed random dense "
    "vector of growing size, the paper-style one-layer soft-threshold network is trained with the "
    "stop-gradient InfoNCE loss with and without complementary pixel masking, and sslab reports a linear "
    "probe's digit-classification accuracy on the learned features and how much of each neuron lies in "
    "the digits' top-20 principal directions. The spec expects the masking probe to stay near its "
    "noise-free level while the unaugmented one degrades, but gives no pass threshold, so the rows are "
    "reported rather than gated."
)


def _size(ctx: Context) -> list[str]:
    return ["train.steps=1000", "seed=0:2"] if ctx.quick else ["seed=0:5"]


def sweep(ctx: Context):
    """Spec §10 default sweep: seeds × ν ∈ {0, 0.5, 1, 2} × {complementary masking, none}."""
    return ctx.run(P, _size(ctx))


def table(ctx: Context, results) -> pd.DataFrame:
    """Per-lane probe accuracy and ρ^dig (cached per run)."""
    return ctx.memo(("wenli2021_digits_eval", results.run_id), lambda: pd.DataFrame(exp_mod.evaluations(results)))


def _seeds(g: pd.DataFrame, col: str) -> dict[int, float]:
    return {int(r.seed): float(getattr(r, col)) for r in g.sort_values("seed").itertuples()}


def claim_p(ctx: Context) -> list[Row]:
    """Linear-probe test accuracy on f(x_clean + ξ) vs ν, with vs without masking (spec §10)."""
    r = sweep(ctx)
    ev = table(ctx, r)
    rows = diverged_rows("P", r)
    for nu, g in ev.groupby("nu"):
        grp = f"ν={nu:g}"
        for aug, name in ((1.0, "complementary masking"), (0.0, "no augmentation")):
            sub = g[np.isclose(g.augment, aug)]
            if len(sub):
                rows.append(report_mean("P", f"{name}: probe accuracy", _seeds(sub, "acc"),
                                        "stays near its ν=0 level" if aug else "degrades as ν grows", grp))
        raw = g.drop_duplicates("seed")
        rows.append(report_mean("P", "raw pixels + ξ: probe accuracy", _seeds(raw, "acc_raw"),
                                "context: same probe on the inputs", grp))
    mean = ev.groupby(["augment", "nu"]).acc.mean()
    nus = sorted(ev.nu.unique())
    if len(nus) > 1:
        for aug, name in ((1.0, "complementary masking"), (0.0, "no augmentation")):
            if aug in mean.index.get_level_values(0):
                m = mean.loc[aug]
                drops = ", ".join(f"ν={nu:g}: {fmt(float(m.loc[nu] - m.loc[nus[0]]), 3)}" for nu in nus[1:])
                rows.append(report("P", f"{name}: mean accuracy change from ν={nus[0]:g}", drops,
                                   "≈ 0 for masking; increasingly negative for no augmentation"))
    return rows


def claim_r(ctx: Context) -> list[Row]:
    """Median ρ^dig (mass in the top-20 principal directions of the clean digits), masking vs none (spec §10)."""
    r = sweep(ctx)
    ev = table(ctx, r)
    rows = []
    for nu, g in ev.groupby("nu"):
        grp = f"ν={nu:g}"
        for aug, name in ((1.0, "complementary masking"), (0.0, "no augmentation")):
            sub = g[np.isclose(g.augment, aug)]
            if len(sub):
                rows.append(report_mean("R", f"{name}: median ρ^dig", _seeds(sub, "rho_dig_median"),
                                        "masking higher than no augmentation; random direction = 20/64 = 0.3125", grp))
        piv = g.pivot_table(index="seed", columns="augment", values="rho_dig_median")
        if {0.0, 1.0} <= set(piv.columns):
            diff = piv[1.0] - piv[0.0]
            row = report_mean("R", "median ρ^dig: masking − none (paired by seed)",
                              {int(s): float(v) for s, v in diff.items()}, "positive (masking has the higher ρ^dig)", grp)
            row.measured += f"; masking higher in {int((diff > 0).sum())}/{len(diff)} seeds"
            rows.append(row)
    return rows


CLAIMS: list[Claim] = [
    Claim("P", P, "Digits: probe accuracy with vs without masking as the per-image dense vector grows (report)",
          claim_p, "float32 (probe float64)", slow=True, seeds="0–4 (quick: 0–1)"),
    Claim("R", P, "Digits: masked neurons keep more mass in the digits' principal subspace (report)",
          claim_r, "float32", slow=True, seeds="0–4 (quick: 0–1)"),
]


def figures(ctx: Context, outdir) -> list[Path]:
    """The experiment's probe and ρ^dig figures for the claim run, copied into ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    r = sweep(ctx)
    out = []
    for p in exp_mod.figures(r):
        dest = outdir / Path(p).name
        shutil.copyfile(p, dest)
        out.append(dest)
    return out
