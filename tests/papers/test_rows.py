"""Claim rows: the statistics they print (t-interval, Clopper–Pearson), their rules and verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sslab.papers.paper import FAIL, PASS, REPORT
from sslab.papers.rows import at_least, by_construction, clopper_pearson, fraction, mean_ci, per_seed, t_interval


def test_t_interval_by_hand():
    v = [1.0, 2.0, 4.0, 5.0]
    m, lo, hi = t_interval(v)
    s = np.std(v, ddof=1)
    assert m == 3.0 and hi - m == pytest.approx(3.182446305284263 * s / 2)  # t_{0.975, 3} = 3.1824
    assert t_interval([2.5]) == (2.5, 2.5, 2.5)


@pytest.mark.parametrize("k,n", [(0, 20), (2, 20), (20, 20), (5, 10), (1, 3)])
def test_clopper_pearson_against_scipy_binomtest(k, n):
    from scipy.stats import binomtest
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    got = clopper_pearson(k, n)
    assert got[0] == pytest.approx(ref.low, abs=1e-10) and got[1] == pytest.approx(ref.high, abs=1e-10)
    if k == 0:
        assert got[1] == pytest.approx(1 - 0.025 ** (1 / n))  # closed form at k = 0


def test_clopper_pearson_covers_at_least_95_percent():
    """Exact interval: coverage ≥ 95% for every true p on a grid (n = 20, computed from the binomial law)."""
    from scipy.stats import binom
    n = 20
    ints = [clopper_pearson(k, n) for k in range(n + 1)]
    for p in np.linspace(0.01, 0.99, 99):
        cover = sum(binom.pmf(k, n, p) for k, (lo, hi) in enumerate(ints) if lo <= p <= hi)
        assert cover >= 0.95 - 1e-12


def test_mean_ci_gates_on_the_mean_and_states_rule_and_interval():
    vals = {0: 1.0, 1: 1.1, 2: 0.9}
    r = mean_ci("C", "x", vals, target=1.0, tol=0.05)
    assert r.verdict == PASS and "95% t-CI, n = 3" in r.measured and r.rule.startswith("|seed mean")
    assert r.values == {"0": 1.0, "1": 1.1, "2": 0.9} and r.stat["n"] == 3
    assert mean_ci("C", "x", vals, target=1.2, tol=0.05).verdict == FAIL
    assert mean_ci("C", "x", vals, op=">", limit=0.95).verdict == PASS
    assert mean_ci("C", "x", {0: 1.0, 1: math.nan}, op=">", limit=0.0).verdict == FAIL
    assert mean_ci("C", "x", vals).verdict == REPORT


def test_fraction_and_at_least():
    r = fraction("C5", "escaped seeds", 1, 20, "<=", 0.1)
    assert r.verdict == PASS and "1/20" in r.measured and "Clopper–Pearson" in r.measured
    assert fraction("C5", "escaped seeds", 3, 20, "<=", 0.1).verdict == FAIL
    vals = {s: float(s) for s in range(5)}
    assert at_least("D", "x", vals, ">", 0.5, 4).verdict == PASS  # seeds 1..4 pass
    assert at_least("D", "x", vals, ">", 1.5, 4).verdict == FAIL  # only 3 pass
    r = at_least("D", "x", vals, ">", 1.5, 4)
    assert "3/5 seeds pass" in r.measured and "worst: seed 0" in r.measured


def test_per_seed_and_by_construction():
    r = per_seed("C3", "r", {0: 0.4, 1: 0.2}, ">", 0.3)
    assert r.verdict == FAIL and "worst: seed 1" in r.measured and r.stat["failing"] == 1 and r.rule == "every seed > 0.3000"
    b = by_construction("B", "diagonal is zero", "0.0", "complementary masks share no coordinate")
    assert "holds by construction" in b.criterion and b.verdict == PASS
