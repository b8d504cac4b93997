"""Bansal et al. 2024 §9 reproduction grid: one axis at a time from the defaults, as ONE sweep of lanes.

Axes (spec §9): (a) n in fixed-dataset mode, (b) δ (with the control δ = 1), (c) d with Δ = 3, (d) κ, the
other axes in population mode. InfoNCE and SimSiam are trained by the engine; PCA, the mean span, labelled
LDA and the closed form are computed on the host in float64 (spec §4 data rules). The grid is not a
Cartesian product, so it is run as an explicit list of points (:class:`PointsPlan`) through the normal
executor (``run_plan``, ``executor="local"``): every point is a lane, points sharing a static config
(method, mode, n, d, budget) share one compiled program, and lane fields (δ, κ, seed) vary inside it.
Identical points (the default cell appears on axes b, c and d) are run once and reported on every axis.

:func:`grid` returns one row per (axis, value, method) with the §5 metrics as mean ± std (ddof = 1) over
the seeds whose lane finished finite; diverged lanes are counted, never averaged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...config import Plan, flat_dict, resolve, set_path, to_dict, validate
from ..paper import Context, Results
from ..rows import fmt
from . import data as dm
from . import experiment as ex
from . import metrics as met
from . import theory as th

AXES = {"n": "data.n", "delta": "data.delta", "d": "data.d", "kappa": "data.kappa"}
AXIS_MODE = {"n": "fixed", "delta": "population", "d": "population", "kappa": "population"}
SIZES = {
    # spec §9: 5 seeds per cell, §2 budgets
    "full": {"seeds": 5, "values": {"n": [500, 2000, 8000, 32_000, 128_000], "delta": [0.0, 0.25, 0.5, 0.75, 1.0],
                                    "d": [10, 20, 50, 100], "kappa": [1.0, 10.0, 100.0, 1000.0]},
             "steps": None, "kmeans": True},
    # smoke size: 2 seeds, 2 values per axis, short budgets, no k-means; its numbers are not the spec's
    "quick": {"seeds": 2, "values": {"n": [500, 8000], "delta": [0.5, 1.0], "d": [10, 50], "kappa": [1.0, 1000.0]},
              "steps": {("infonce", "population"): 400, ("simsiam", "population"): 800,
                        ("infonce", "fixed"): 400, ("simsiam", "fixed"): 400},
              "batch": 256, "kmeans": False},
}
TRAINED = ("infonce", "simsiam")
NAMES = {"infonce": "InfoNCE", "simsiam": "SimSiam"}
BASELINES = ("PCA", "mean span", "LDA", "closed form")
METHODS = tuple(NAMES.values()) + BASELINES
N_LABELLED = 20_000


@dataclass
class PointsPlan(Plan):
    """A plan given as an explicit list of points; ``axes`` lists the varied paths (for records and the hash)."""

    explicit: list = field(default_factory=list)

    def points(self) -> list:
        return list(self.explicit)

    def size(self) -> int:
        return len(self.explicit)


def point(method: str, axis: str, value: Any, seed: int, size: str) -> Any:
    """The config of one grid lane: the spec defaults with one axis changed, §2 budget (quick: shortened)."""
    spec = SIZES[size]
    mode = AXIS_MODE[axis]
    cfg = ex.base(method, mode)
    cfg = set_path(cfg, AXES[axis], value)
    if mode == "fixed":
        steps, B = ex.budget(method, mode, int(value))
    else:
        steps, B = ex.budget(method, mode)
    if spec["steps"] is not None:
        steps, B = spec["steps"][(method, mode)], min(B, spec["batch"])
    cfg = set_path(set_path(cfg, "train.steps", steps), "train.batch_size", B)
    cfg = set_path(cfg, "seed", seed)
    cfg = resolve(cfg)
    validate(cfg)
    return cfg


def cells(size: str = "full") -> list[tuple[str, Any, str, int]]:
    """(axis, value, trained method, seed) of every lane of the grid, before de-duplication."""
    spec = SIZES[size]
    return [(axis, v, m, s) for axis, vals in spec["values"].items() for v in vals for m in TRAINED
            for s in range(spec["seeds"])]


def plan(size: str = "full") -> tuple[PointsPlan, dict[tuple, int]]:
    """The grid as one plan of unique points, and the map (axis, value, method, seed) -> point index."""
    pts, index, where = [], {}, {}
    for axis, v, m, s in cells(size):
        cfg = point(m, axis, v, s, size)
        key = repr(sorted(flat_dict(cfg).items()))
        if key not in index:
            index[key] = len(pts)
            pts.append(cfg)
        where[(axis, v, m, s)] = index[key]
    flats = [flat_dict(p) for p in pts]
    varied = [k for k in flats[0] if len({repr(f[k]) for f in flats}) > 1]
    if "seed" not in varied:
        varied.insert(0, "seed")
    axes = {k: list(dict.fromkeys(f[k] for f in flats)) for k in varied}
    return PointsPlan(pts[0], axes, explicit=pts), where


def run(ctx: Context, size: str = "full") -> tuple[Results, dict[tuple, int]]:
    """Run (or reopen) the grid sweep through ``ctx`` (a local process pool of ``ctx.workers``; 1: in the
    calling process); returns (Results, where). The run id names the size and hashes the points."""
    p, where = plan(size)
    points = {"grid": size, "points": [to_dict(x) for x in p.explicit]}
    digest = hashlib.sha256(json.dumps(points, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:10]
    return ctx.run_plan("bansal2024", p, name=f"bansal2024-grid-{size}-{digest}"), where


# --- host-side evaluation (float64) ---------------------------------------------------------------

def _data(cfg) -> dm.BansalData:
    return cfg.data


def _subspace_metrics(U_F: np.ndarray, U: np.ndarray, A: np.ndarray | None = None) -> dict[str, float]:
    out = {"err": met.sin_theta_max(U_F, U), "proj": met.projection_distance(U_F, U)}
    out["E_F"] = met.energy_fraction(A if A is not None else U.T, U_F)
    return out


def _downstream(V: np.ndarray, tr: dict, te: dict, k: int, seed: int, kmeans: bool) -> dict[str, float]:
    """§5 downstream metrics of the embedding z = Vᵀx (V is d × r)."""
    Ztr, Zte = tr["x"] @ V, te["x"] @ V
    out = {"lda_acc": met.lda_accuracy(Ztr, tr["c"], Zte, te["c"], k),
           "nm_acc": met.nearest_mean_accuracy(Ztr, tr["c"], Zte, te["c"], k)}
    if kmeans:
        out["nmi"], out["ari"] = met.kmeans_scores(Zte, te["c"], k, seed)
    return out


def evaluate_cell(cfg, params: dict[str, dict[str, np.ndarray] | None], kmeans: bool) -> list[dict]:
    """All six methods at one (cell, seed): trained params per method (None when diverged) and the baselines."""
    seed, data = int(cfg.seed), _data(cfg)
    g = ex.gmm_of(seed, data)
    q = g.k - 1
    U_F = th.fisher_subspace(g.mu, g.Sigma, g.pi)
    tr = g.sample(np.random.default_rng([seed, dm.TAG_LABELLED]), N_LABELLED)
    te = g.sample(np.random.default_rng([seed, dm.TAG_TEST]), N_LABELLED)
    bayes = met.bayes_accuracy(te["x"], te["c"], g.mu, g.Sigma)
    if data.mode == "fixed":  # §4: PCA (anchors), LDA (anchors, labels), closed form (pairs) on the n samples
        s = dm.fixed_dataset(seed, data)
        xc = s["x"] - s["x"].mean(axis=0)
        M, C = th.empirical_alignment_matrices(s["x"], s["xp"])
        subs = {"PCA": th.pca_subspace(xc.T @ xc / len(xc), q), "LDA": th.lda_subspace(s["x"], s["c"], g.k)}
    else:  # population matrices; labelled LDA on 20 000 fresh labelled anchors
        M, C = th.population_alignment_matrices(g.mu, g.Sigma, data.delta, g.pi)
        subs = {"PCA": th.pca_subspace(g.Sigma + g.S_B, q), "LDA": th.lda_subspace(tr["x"], tr["c"], g.k)}
    subs["mean span"] = th.mean_span(g.mu, g.pi)
    subs["closed form"] = th.whitened_alignment(M, C, q)
    rows = []
    for m, P in params.items():
        row = {"method": NAMES[m], "seed": seed, "bayes_acc": bayes, "diverged": P is None}
        if P is not None:
            A = P["A"]
            row.update(_subspace_metrics(U_F, met.row_space(A, q), A))
            row.update(_downstream(A.T, tr, te, g.k, seed, kmeans))
        rows.append(row)
    for m in BASELINES:
        U = subs[m][:, :q]
        row = {"method": m, "seed": seed, "bayes_acc": bayes, "diverged": False, **_subspace_metrics(U_F, U)}
        row.update(_downstream(U, tr, te, g.k, seed, kmeans))
        rows.append(row)
    return rows


def final_A(results) -> dict[int, np.ndarray]:
    """Final encoder A per lane, read part by part (InfoNCE and SimSiam parts hold different params)."""
    h = results.handle
    out = {}
    for name in h.parts():
        path = h.params_path(name)
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                for i, lane in enumerate(z["lane"]):
                    out[int(lane)] = np.asarray(z["A"][i], np.float64)
    return out


def per_seed_table(results, where: dict[tuple, int], size: str) -> pd.DataFrame:
    """One row per (axis, value, method, seed) with the §5 metrics (trained lanes' final params, float64)."""
    A_of = final_A(results)
    rec = results.records
    div = rec[(rec.metric == "diverged_at") & (rec.value >= 0)].lane.astype(int).tolist()
    pts = plan(size)[0].explicit
    kmeans = SIZES[size]["kmeans"]
    cache: dict[tuple, list[dict]] = {}
    rows = []
    spec = SIZES[size]
    for axis, vals in spec["values"].items():
        for v in vals:
            for s in range(spec["seeds"]):
                lanes = {m: where[(axis, v, m, s)] for m in TRAINED}
                key = tuple(sorted(lanes.items()))
                if key not in cache:
                    params = {m: (None if lane in div else {"A": A_of[lane]}) for m, lane in lanes.items()}
                    cache[key] = evaluate_cell(pts[lanes["infonce"]], params, kmeans)
                rows += [{"axis": axis, "value": v, **r} for r in cache[key]]
    return pd.DataFrame(rows)


METRIC_COLS = ("err", "proj", "E_F", "lda_acc", "nm_acc", "bayes_acc", "nmi", "ari")


def summarise(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Mean and std (ddof = 1) over the finite seeds per (axis, value, method); diverged seeds counted apart."""
    out = []
    for (axis, value, method), g in per_seed.groupby(["axis", "value", "method"], sort=False):
        live = g[~g.diverged]
        row = {"axis": axis, "value": value, "method": method, "seeds": len(live), "diverged": int(g.diverged.sum())}
        for c in METRIC_COLS:
            if c in g:
                v = live[c].to_numpy(float)
                row[f"{c}_mean"] = float(v.mean()) if len(v) else np.nan
                row[f"{c}_std"] = float(v.std(ddof=1)) if len(v) > 1 else np.nan
        out.append(row)
    return pd.DataFrame(out)


def grid(ctx: Context, size: str = "full") -> pd.DataFrame:
    """The §9 grid: one row per (axis, value, method), §5 metrics as mean ± std (ddof = 1) over seeds.

    ``size`` is ``full`` (spec §9) or ``quick`` (2 seeds, 2 values per axis, short budgets, no k-means: a
    smoke test, not the spec's numbers). The per-seed float64 evaluation (LDA, k-means on 20 000 points per
    cell) is kept next to the grid's run (``per_seed.parquet``), so it is done once per finished run, not
    once per process that reads the grid (a check's workers and its report); the table is memoised in ``ctx``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")

    def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
        res, where = run(ctx, size)
        ps = ctx.stored_table(res, "per_seed", lambda: per_seed_table(res, where, size))
        return summarise(ps), ps

    return ctx.memo(("bansal2024-grid", size), compute)[0]


def grid_per_seed(ctx, size: str = "full") -> pd.DataFrame:
    """The per-seed table behind :func:`grid` (Context only; memoised with it)."""
    grid(ctx, size)
    return ctx.memo(("bansal2024-grid", size), lambda: None)[1]


def format_cell(row: pd.Series) -> str:
    """'err 0.0123 ± 0.0045; proj …; E_F …; LDA acc …' for one grid row."""
    parts = []
    for c, label in (("err", "sin θ_max"), ("proj", "proj"), ("E_F", "E_F"), ("lda_acc", "LDA acc %"),
                     ("nm_acc", "NM acc %"), ("bayes_acc", "Bayes %"), ("nmi", "NMI"), ("ari", "ARI")):
        if f"{c}_mean" in row and np.isfinite(row[f"{c}_mean"]):
            parts.append(f"{label} {fmt(row[f'{c}_mean'])} ± {fmt(row[f'{c}_std'])}")
    if row["diverged"]:
        parts.append(f"{int(row['diverged'])} diverged seed(s) excluded")
    return "; ".join(parts) or "all seeds diverged"
