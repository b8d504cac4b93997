"""Every Yang et al. 2024 claim as a test: quick size in the normal suite, spec size under -m slow."""

from __future__ import annotations

import pytest

from sslab.check import Context, run_claim, select
from sslab.papers.yang2024.claims import CLAIMS

# Measured, not assumed: with sslab's default RNG (jax threefry, key = seed), SL seed 11 starts with
# |w21| = 0.009 and both F entries negative, and GD ends in the same-sign critical point of the SL
# loss (both w_k·e1 > 0, training accuracy 0.53) that spec §5.3 itself mentions. The spec's C5
# requires every seed to reach the e1-only minimiser, so C5 fails on that seed. Strict: if it ever
# passes, this marker must be removed.
KNOWN_FAILURES = {
    "C5": "SL seed 11 ends in the same-sign critical point (train acc 0.53); see tests/claims note",
}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("runs_quick"), size="quick")


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("runs_full"), size="full")


def _check(claim, ctx):
    res = run_claim(claim, ctx)
    assert res.error is None, res.error
    assert res.rows, "a claim must produce rows"
    failed = [f"[{r.group}] {r.criterion}: {r.measured} vs {r.predicted}" for r in res.rows if r.verdict == "FAIL"]
    return res, failed


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_quick(claim, quick):
    res, failed = _check(claim, quick)
    if claim.id in KNOWN_FAILURES:
        assert failed, f"{claim.id} now passes: remove it from KNOWN_FAILURES"
        pytest.xfail(KNOWN_FAILURES[claim.id] + " | " + "; ".join(failed))
    assert not failed, "\n".join(failed)


@pytest.mark.slow
@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.slow], ids=[c.id for c in CLAIMS if c.slow])
def test_claim_full(claim, full):
    res, failed = _check(claim, full)
    if claim.id in KNOWN_FAILURES:
        assert failed, f"{claim.id} now passes: remove it from KNOWN_FAILURES"
        pytest.xfail(KNOWN_FAILURES[claim.id])
    assert not failed, "\n".join(failed)


def test_select_errors():
    with pytest.raises(KeyError, match="valid choices"):
        select("nopaper")
    with pytest.raises(KeyError, match="yang2024.C1"):
        select("yang2024.C99")
    assert [c.id for c in select("yang2024:c3")] == ["C3"]


def test_claim_error_becomes_fail():
    from sslab.papers import Claim

    def boom(ctx):
        raise RuntimeError("lane 3 diverged")

    res = run_claim(Claim("CX", "yang2024", "boom", boom), Context(size="quick"))
    assert res.verdict == "FAIL" and "diverged" in res.error


def test_per_seed_row_names_worst_seed():
    from sslab.papers.rows import per_seed
    row = per_seed("C", "x", {0: 0.5, 1: 0.2, 2: float("nan")}, ">", 0.3)
    assert row.verdict == "FAIL" and "seed 2" in row.measured
    row = per_seed("C", "x", {0: 0.5, 1: 0.4}, ">", 0.3)
    assert row.verdict == "PASS" and "seed 1" in row.measured
