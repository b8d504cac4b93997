"""Wen & Li 2021 claims A–I: quick size in the normal suite, spec size under -m slow; report figures."""

from __future__ import annotations

import pytest

import numpy as np

from sslab.check import Context, run_claim, select
from sslab.papers.paper import FAIL, PASS, REPORT
from sslab.papers.wenli2021 import claims as wl

CLAIMS = wl.CLAIMS


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("wenli_quick"), size="quick")


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("wenli_full"), size="full")


def _failed(claim, ctx):
    res = run_claim(claim, ctx)
    assert res.error is None, res.error
    assert res.rows, "a claim must produce rows"
    no_rule = [r.criterion for r in res.rows if not r.rule]
    assert not no_rule, f"rows without a decision rule: {no_rule}"
    return [f"[{r.group}] {r.criterion}: {r.measured} vs {r.predicted}" for r in res.rows if r.verdict == "FAIL"]


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_quick(claim, quick):
    failed = _failed(claim, quick)
    assert not failed, "\n".join(failed)


def test_report_figures(quick, tmp_path):
    paths = wl.figures(quick, tmp_path)
    assert len(paths) == 4
    for p in paths:
        assert p.exists() and p.stat().st_size > 10_000, p


@pytest.mark.slow
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_full(claim, full):
    failed = _failed(claim, full)
    assert not failed, "\n".join(failed)


@pytest.mark.slow
@pytest.mark.parametrize("claim", wl.ABLATIONS, ids=[c.id for c in wl.ABLATIONS])
def test_ablation_full(claim, full):
    failed = _failed(claim, full)
    assert not failed, "\n".join(failed)


def test_seedwise_row_needs_four_of_five():
    row = wl.seedwise("C", "x", {0: 0.9, 1: 0.9, 2: 0.9, 3: 0.9, 4: 0.1}, ">=", 0.85)
    assert row.verdict == "PASS" and "4/5" in row.measured
    assert row.rule == "≥ 4/5 seeds >= 0.850" and "worst: seed 4" in row.measured and "s4: 0.100" in row.measured
    assert row.stat["kind"] == "count" and row.stat["value"] == 4 and row.stat["lo"] < 0.8 < row.stat["hi"]
    row = wl.seedwise("C", "x", {0: 0.9, 1: 0.9, 2: 0.9, 3: 0.1, 4: float("nan")}, ">=", 0.85)
    assert row.verdict == "FAIL" and "3/5" in row.measured


def test_median_bound_row():
    vals = {0: 0.0, 1: 0.0, 2: 0.2, 3: 0.0, 4: 0.3}
    row = wl.median_bound("I", "x", vals, "<=", 0.1)
    assert row.verdict == PASS and row.stat["value"] == 0.0 and (row.stat["lo"], row.stat["hi"]) == (0.0, 0.3)
    assert "93.8% order-statistic CI" in row.measured and row.rule == "seed median <= 0.100"
    row = wl.median_bound("I", "x", {**vals, 1: 0.2, 3: 0.15}, "<=", 0.1)
    assert row.verdict == FAIL and row.stat["value"] == 0.2
    assert wl.median_bound("I", "x", {**vals, 0: float("nan")}, "<=", 0.1).verdict == FAIL


def test_ablations_are_named_report_only_items():
    from sslab.papers import paper

    p = paper("wenli2021")
    ids = [c.id for c in p.claims]
    assert ids == list("ABCDEFGHI") + [f"X{i}" for i in range(1, 8)]
    assert all(c.report_only for c in p.claims if c.id.startswith("X"))
    assert not any(c.report_only for c in p.claims if not c.id.startswith("X"))
    assert [c.id for c in select("wenli2021")] == list("ABCDEFGHI")  # the default check is unchanged
    assert [c.id for c in select("wenli2021", report=True)] == ids
    assert [c.key for c in select("wenli2021.x3")] == ["wenli2021.X3"]


def test_x1_gates_and_other_ablations_report(tmp_path, monkeypatch):
    """X1 (the spec's one gated ablation) is decided by ≥ 4/5 seeds; X2–X7 rows only report. Tiny runs: the claims'
    own code on d = 16, T = 60 (``_steps`` is the only size knob of the ablations)."""
    monkeypatch.setattr(wl, "_steps", lambda ctx: ["train.steps=60", "data.d=16", "train.log_every=30"])
    ctx = Context(store=tmp_path, size="quick")
    rows = wl.ablation_independent(ctx)
    gated = [r for r in rows if r.verdict != REPORT]
    assert len(gated) == 1 and gated[0].rule == "≥ 4/5 seeds <= 0.100"
    for fn in (wl.ablation_cosine, wl.ablation_mean, wl.ablation_lowrank):
        rows = fn(ctx)
        assert rows and all(r.verdict == REPORT and r.rule for r in rows), [(r.criterion, r.verdict) for r in rows]
