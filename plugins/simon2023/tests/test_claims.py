"""Every claim as a test: quick size in the normal run, spec size under -m slow; the report figures (spec §7–§8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sslab.check import Context, run_claim, select

IDS = ["C1", "C2", "C3", "C4", "C5"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory, paper):
    return Context(store=tmp_path_factory.mktemp("runs_quick"), size="quick", workers=1)


@pytest.fixture(scope="module")
def full(tmp_path_factory, paper):
    return Context(store=tmp_path_factory.mktemp("runs_full"), size="full", workers=1)


def _check(key, ctx):
    res = run_claim(select(key)[0], ctx)
    assert res.error is None, res.error
    assert res.rows, "a claim must produce rows"
    return res, [f"[{r.group}] {r.criterion}: {r.measured} vs {r.predicted}" for r in res.rows if r.verdict == "FAIL"]


def test_paper_is_found_with_its_claims(paper):
    assert paper.name == "simon2023" and [c.id for c in paper.claims] == IDS
    assert [c.key for c in select("simon2023")] == [f"simon2023.{i}" for i in IDS]


@pytest.mark.parametrize("cid", IDS)
def test_claim_quick(cid, quick):
    res, failed = _check(f"simon2023.{cid}", quick)
    assert not failed, "\n".join(failed)
    if cid == "C4":  # the paper shows SimCLR/VICReg only as figures: nothing is gated but finiteness
        assert all(r.verdict == "REPORT" for r in res.rows)
    else:
        assert any(r.verdict == "PASS" for r in res.rows)


def test_report_figures(quick, tmp_path, paper):
    paths = paper.figures(quick, tmp_path)
    assert [p.name for p in paths] == ["simon2023_stepwise_random.png", "simon2023_stepwise_aligned.png",
                                       "simon2023_simclr_vicreg.png", "simon2023_phase.png"]
    assert all(Path(p).stat().st_size > 20_000 for p in paths)


@pytest.mark.slow
@pytest.mark.parametrize("cid", IDS)
def test_claim_full(cid, full):
    _, failed = _check(f"simon2023.{cid}", full)
    assert not failed, "\n".join(failed)
