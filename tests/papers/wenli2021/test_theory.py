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


# --- public theory objects (claims A and B at any size) ------------------------------------------------------

def test_sampling_error_keep_probability():
    d, d1, p, sig, n = 4, 32, 0.1, 0.3, 2000
    M = dm.dictionary(1, d, d1)
    # q = 1/2 is the spec §7.4 formula (factor 4); general q: factor 1/(q(1 − q))
    assert th.sampling_error(M, p, sig, n, 0.5) == th.sampling_error(M, p, sig, n)
    assert th.sampling_error(M, p, sig, n, 0.25) / th.sampling_error(M, p, sig, n) == pytest.approx(
        math.sqrt((1 / (0.25 * 0.75)) / 4), rel=1e-12)
    rng = np.random.default_rng(3)
    G = th.gamma(M, p)
    errs = []
    for _ in range(30):
        X, _ = dm.sample_np(rng, M, n, p, sig)
        Xa, Xb = dm.views_np(rng, X, "complementary", 0.25)
        errs.append(np.linalg.norm(Xa.T @ Xb / n - G) ** 2)
    assert math.sqrt(np.mean(errs)) / th.sampling_error(M, p, sig, n, 0.25) == pytest.approx(1.0, abs=0.06)


def test_dictionary_object():
    o = th.dictionary(seed=2, d=16)
    assert o["d1"] == 128 and o["M"].shape == (128, 16)
    np.testing.assert_array_equal(o["M"], dm.dictionary(2, 16, 128))
    assert o["orthonormality_error"] < 1e-12
    assert o["p"] == pytest.approx(math.log(math.log(16)) / 16) and o["sigma_xi"] ** 2 == pytest.approx(math.sqrt(math.log(16)) / 16)
    assert o["dense_gamma"] == pytest.approx(o["dense_gamma_approx"], rel=0.15)


def test_decoupling_object_is_the_claim_prefix_at_any_n():
    path = th.decoupling_path((20_000, 40_000), d=16, batch=10_000)
    one = th.decoupling(n=40_000, d=16)
    assert one == path[40_000]  # nested prefixes of one stream: the same numbers alone or on the path
    assert one["max_diag"] == 0.0  # complementary views: zero diagonal sample-wise
    assert 0.85 < one["err_ratio"] < 1.15 and 0.95 < one["control"] < 1.05
    # a size that is not a multiple of the batch, given as the command line gives it (a float)
    odd = th.decoupling(n=2.5e4, d=16)
    assert odd["n"] == 25_000 and odd["max_diag"] == 0.0
    with pytest.raises(ValueError, match="positive integer"):
        th.decoupling(n=10.5, d=16)


def test_neuron_correlation_object_small():
    st = th.neuron_correlation(n=60_000, d=16, n_dense=8)
    c, no, t = st["complementary"], st["none"], st["thresholded"]
    assert len(c["per_feature"]) == 16 and len(c["per_dense"]) == 8
    assert c["feature"] == pytest.approx(c["feature_exact"], abs=0.02)
    assert c["dense"] == pytest.approx(c["dense_exact"], abs=0.02)
    assert no["feature"] > 0.999 and no["dense"] > 0.999
    # the thresholded correlations are reported at any size (claim B gates their ordering at the spec's d = 32 only)
    assert np.all(np.abs(t["per_feature"]) <= 1) and np.all(np.abs(t["per_dense"]) <= 1)
