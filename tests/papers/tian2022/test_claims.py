"""Tian 2023 claims: quick size in the normal suite, spec size under -m slow."""

from __future__ import annotations

import pytest

from sslab.check import Context, run_claim
from sslab.papers.tian2022.claims import CLAIMS

# At quick size (1000 instead of 5000 steps) the nodes have not specialised yet, so the spec's
# thresholds (loc_all ≥ 0.99, loc_other_all ≤ 0.02; monotone in β) are out of reach: these claims
# are checked for running and producing rows only; their spec-size versions assert the criteria.
QUICK_UNMET = {"C10", "C12"}
# Too slow for the normal-suite budget even at quick size (many 1000-step configs): run under -m slow.
QUICK_SLOW = {"C12", "C13"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("tian_quick"), size="quick")


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    return Context(store=tmp_path_factory.mktemp("tian_full"), size="full")


def _check(claim, ctx, gate=True):
    res = run_claim(claim, ctx)
    assert res.error is None, res.error
    assert res.rows
    failed = [f"{r.criterion}: {r.measured} vs {r.predicted}" for r in res.rows if r.verdict == "FAIL"]
    if gate:
        assert not failed, "\n".join(failed)


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.id not in QUICK_SLOW], ids=lambda c: c.id)
def test_claim_quick(claim, quick):
    _check(claim, quick, gate=claim.id not in QUICK_UNMET)


@pytest.mark.slow
@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.id in QUICK_SLOW], ids=lambda c: c.id)
def test_claim_quick_slow(claim, quick):
    _check(claim, quick, gate=claim.id not in QUICK_UNMET)


@pytest.mark.slow
@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.slow], ids=lambda c: c.id)
def test_claim_full(claim, full):
    _check(claim, full)
