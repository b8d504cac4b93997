"""Wen & Li 2021 claims A–I: quick size in the normal suite, spec size under -m slow; report figures."""

from __future__ import annotations

import pytest

from sslab.check import Context, run_claim
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
    row = wl.seedwise("C", "x", {0: 0.9, 1: 0.9, 2: 0.9, 3: 0.1, 4: float("nan")}, ">=", 0.85)
    assert row.verdict == "FAIL" and "3/5" in row.measured
