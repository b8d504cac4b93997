"""Wen & Li 2021 decoupling identities (spec wenli2021 §7): exact over masks and Monte-Carlo checks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sslab.papers.wenli2021 import data as dm
from sslab.papers.wenli2021 import theory as th


@pytest.mark.parametrize("q", [0.25, 0.5, 0.75])
def test_decoupling_identity_exact_over_all_masks(q):
    """For a fixed x, E_D[x_a x_bᵀ] = x xᵀ − Diag(x²) exactly (enumerating every mask of d1 = 4), any q."""
    x = np.array([0.3, -1.2, 2.0, 0.7])
    E = np.zeros((4, 4))
    for bits in itertools.product([0, 1], repeat=4):
        D = np.array(bits, float)
        prob = np.prod(np.where(D == 1, q, 1 - q))
        E += prob * np.outer(D * x / q, (1 - D) * x / (1 - q))
    np.testing.assert_allclose(E, np.outer(x, x) - np.diag(x**2), atol=1e-14)


def test_cross_moment_monte_carlo_and_controls():
    d, d1, p, sig = 4, 24, 0.2, 0.3
    M = dm.dictionary(0, d, d1)
    rng = np.random.default_rng(0)
    X, _ = dm.sample_np(rng, M, 100_000, p, sig)
    for mode in ("complementary", "none", "independent"):
        Xa, Xb = dm.views_np(rng, X, mode)
        C = Xa.T @ Xb / len(X)
        exact = th.cross_moment(M, p, sig, mode)
        # entrywise standard error ≈ 2(σ² + p d/d1)/√n
        assert np.max(np.abs(C - exact)) < 6 * 2 * (sig**2 + p) / math.sqrt(len(X)), mode
    np.testing.assert_allclose(th.cross_moment(M, p, sig, "complementary"), th.gamma(M, p), atol=1e-15)


def test_sampling_error_formula():
    d, d1, p, sig, n = 4, 32, 0.1, 0.3, 2000
    M = dm.dictionary(1, d, d1)
    rng = np.random.default_rng(1)
    G = th.gamma(M, p)
    errs = []
    for _ in range(30):
        X, _ = dm.sample_np(rng, M, n, p, sig)
        Xa, Xb = dm.views_np(rng, X, "complementary")
        errs.append(np.linalg.norm(Xa.T @ Xb / n - G) ** 2)
    assert math.sqrt(np.mean(errs)) / th.sampling_error(M, p, sig, n) == pytest.approx(1.0, abs=0.06)


def test_view_correlation_exact_vs_monte_carlo_and_approximations():
    d, d1, p, sig = 8, 64, 0.1, 0.25
    M = dm.dictionary(2, d, d1)
    rng = np.random.default_rng(2)
    g = rng.standard_normal((d1, 4))
    dense = g - M @ (M.T @ g)
    dense /= np.linalg.norm(dense, axis=0)
    W = np.concatenate([M, dense], axis=1)
    X, _ = dm.sample_np(rng, M, 80_000, p, sig)
    from sslab.papers.wenli2021.metrics import pearson
    for mode in ("complementary", "independent", "none"):
        Xa, Xb = dm.views_np(rng, X, mode)
        mc = pearson(Xa @ W, Xb @ W)
        np.testing.assert_allclose(mc, th.view_correlation(W, M, p, sig, mode), atol=0.015)
    exact = th.view_correlation(W, M, p, sig, "complementary")
    qw = d / d1
    assert exact[:d].mean() == pytest.approx(th.feature_corr_approx(p, sig, qw), abs=0.02)
    assert exact[d:].mean() == pytest.approx(th.dense_corr_approx(p, sig, qw), abs=0.02)
    assert np.all(exact[:d] > 0) and np.all(exact[d:] < 0)


def test_dense_block_norms():
    d, d1, p, sig = 32, 256, 0.0388, 0.24
    M = dm.dictionary(0, d, d1)
    assert th.dense_block_norm(M, th.gamma(M, p)) == pytest.approx(p * d / d1 * math.sqrt(d1 - d), rel=0.1)
    assert th.dense_block_norm(M, th.sigma(M, p, sig)) == pytest.approx(sig**2 * math.sqrt(d1 - d), rel=1e-10)
