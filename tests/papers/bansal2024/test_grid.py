"""Bansal et al. 2024 §9 grid at quick size: one sweep, one row per (axis, value, method), mean ± std (ddof = 1).

Quick budgets are far below §2, so the trained methods' errors are not asserted; only structure, finiteness,
the aggregation, and budget-independent float64 facts (spec §4, claims 2 and 7) are.
"""

from __future__ import annotations

import numpy as np
import pytest

from sslab.check import Context
from sslab.papers.bansal2024 import grid as gr


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    ctx = Context(store=tmp_path_factory.mktemp("bansal_grid"), size="quick")
    return ctx, gr.grid(ctx, "quick"), gr.grid_per_seed(ctx, "quick")


def test_plan_is_one_sweep_of_unique_points():
    p, where = gr.plan("quick")
    assert len(p.explicit) == len(set(where.values())) == len(where)  # quick values never repeat a cell
    full, fwhere = gr.plan("full")
    assert len(full.explicit) == len(set(fwhere.values())) < len(fwhere)  # the default cell (axes b, c, d) runs once
    assert {a: sorted({k[1] for k in fwhere if k[0] == a}) for a in gr.AXES} == \
        {a: sorted(v) for a, v in gr.SIZES["full"]["values"].items()}
    assert {k[3] for k in fwhere} == set(range(5))


def test_grid_rows_and_aggregation(quick):
    _, t, ps = quick
    spec = gr.SIZES["quick"]
    assert len(t) == sum(len(v) for v in spec["values"].values()) * len(gr.METHODS)
    assert not t.duplicated(["axis", "value", "method"]).any()
    assert (t.diverged == 0).all() and (t.seeds == spec["seeds"]).all()
    for c in ("err", "proj", "E_F", "lda_acc", "nm_acc", "bayes_acc"):
        assert np.isfinite(t[f"{c}_mean"]).all() and np.isfinite(t[f"{c}_std"]).all()
    r = t.iloc[0]
    sel = ps[(ps.axis == r.axis) & (ps.value == r.value) & (ps.method == r.method)]
    assert r.err_std == pytest.approx(float(np.std(sel.err.to_numpy(), ddof=1)))
    assert ((t.err_mean >= 0) & (t.err_mean <= 1 + 1e-9)).all()


def test_budget_independent_baselines(quick):
    _, _, ps = quick
    pop = ps[ps.axis != "n"]
    cf = pop[(pop.method == "closed form") & ~((pop.axis == "delta") & (pop.value == 1.0))]
    assert (cf.err <= 1e-8).all()  # spec §4 / claim 7: population closed form equals F for δ < 1
    k1 = ps[(ps.axis == "kappa") & (ps.value == 1.0) & ps.method.isin(["PCA", "mean span"])]
    assert len(k1) and (k1.err < 0.05).all()  # claim-2 sanity at κ = 1


def test_claim_rows_and_figure(quick, tmp_path):
    from sslab.check import run_claim
    from sslab.papers.bansal2024.claims import CLAIMS
    from sslab.papers.bansal2024.figures import grid_errors

    ctx, t, _ = quick
    res = run_claim(next(c for c in CLAIMS if c.id == "grid"), ctx)
    assert res.error is None and len(res.rows) == len(t) and all(r.verdict == "REPORT" for r in res.rows)
    out = tmp_path / "grid.png"
    grid_errors(t, out)
    assert out.stat().st_size > 0
