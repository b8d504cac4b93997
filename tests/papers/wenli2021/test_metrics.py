"""Wen & Li 2021 metrics on hand-made examples (spec wenli2021 §6)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sslab.papers.wenli2021 import data as dm
from sslab.papers.wenli2021 import metrics as met


@pytest.fixture(scope="module")
def M():
    return dm.dictionary(0, 8, 64)


def test_single_feature_neurons(M):
    W = 3.0 * M[:, [0, 1, 2]]  # neurons are scaled features
    c = np.asarray(met.cosines(W, M))
    np.testing.assert_allclose(np.asarray(met.feature_mass(c)), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.asarray(met.participation_ratio(c)), 1.0, atol=1e-6)
    cov = np.asarray(met.coverage(c))
    np.testing.assert_allclose(cov[:3], 1.0, atol=1e-6)
    np.testing.assert_allclose(cov[3:], 0.0, atol=1e-6)
    assert float(met.frac_covered(c)) == pytest.approx(3 / 8)


def test_mixed_and_dense_neurons(M):
    mix = (M[:, 0] - M[:, 1]) / math.sqrt(2)
    g = np.random.default_rng(0).standard_normal(64)
    dense = g - M @ (M.T @ g)
    half = (M[:, 3] + dense / np.linalg.norm(dense)) / math.sqrt(2)
    W = np.stack([mix, dense, half], axis=1)
    c = np.asarray(met.cosines(W, M))
    rho = np.asarray(met.feature_mass(c))
    pr = np.asarray(met.participation_ratio(c[[0, 2]]))
    np.testing.assert_allclose(rho, [1.0, 0.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(pr, [2.0, 1.0], atol=1e-5)
    cov = np.asarray(met.coverage(c))
    assert cov[0] == pytest.approx(1 / math.sqrt(2), abs=1e-6) and cov[3] == pytest.approx(1 / math.sqrt(2), abs=1e-6)
    assert float(met.frac_covered(c)) == 0.0


def test_pr_of_random_direction_in_span_is_about_d_over_3():
    d = 300
    c = np.random.default_rng(1).standard_normal((2000, d))
    assert float(np.mean(np.asarray(met.participation_ratio(c)))) == pytest.approx(d / 3, rel=0.05)


def test_neuron_metrics_keys_and_values(M):
    W = np.concatenate([M[:, :4], M[:, :4] * 2], axis=1)
    m = {k: float(v) for k, v in met.neuron_metrics(W, M).items()}
    assert m["frac_covered"] == pytest.approx(0.5) and m["cov_min"] == pytest.approx(0.0, abs=1e-6)
    assert m["rho_median"] == pytest.approx(1.0, abs=1e-6) and m["pr_median"] == pytest.approx(1.0, abs=1e-5)
    assert m["wnorm_median"] == pytest.approx(1.5, abs=1e-6)


def test_pearson_accumulator_matches_numpy():
    rng = np.random.default_rng(2)
    u = rng.standard_normal((1000, 3))
    v = 0.5 * u + rng.standard_normal((1000, 3))
    acc = met.PearsonAccumulator()
    for i in range(0, 1000, 250):
        acc.add(u[i:i + 250], v[i:i + 250])
    want = [np.corrcoef(u[:, k], v[:, k])[0, 1] for k in range(3)]
    np.testing.assert_allclose(acc.value(), want, rtol=1e-10)
    np.testing.assert_allclose(met.pearson(u, v), want, rtol=1e-10)


def test_ridge_r2_matches_spec_formula():
    rng = np.random.default_rng(3)
    F = rng.standard_normal((600, 10)) + 1.0
    Z = F[:, :3] @ rng.standard_normal((3, 4)) + 0.5 * rng.standard_normal((600, 4)) + 2.0
    Ftr, Fte, Ztr, Zte = F[:400], F[400:], Z[:400], Z[400:]
    mu_f, mu_z = Ftr.mean(0), Ztr.mean(0)
    A = (Ftr - mu_f).T @ (Ftr - mu_f) / 400
    alpha = 1e-2 * np.trace(A) / 10
    B = np.linalg.solve(A + alpha * np.eye(10), (Ftr - mu_f).T @ (Ztr - mu_z) / 400)
    Zhat = (Fte - mu_f) @ B + mu_z
    r2 = np.mean(1 - ((Zte - Zhat) ** 2).sum(0) / ((Zte - Zte.mean(0)) ** 2).sum(0))
    assert met.ridge_alpha(Ftr) == pytest.approx(alpha, rel=1e-12)
    assert met.ridge_r2(Ftr, Ztr, Fte, Zte) == pytest.approx(r2, rel=1e-9)


def test_representation_soft_threshold():
    W = np.array([[2.0, 0.0], [0.0, 1.0]])
    X = np.array([[1.0, 1.0], [-3.0, 0.1]])
    F = met.representation(W, X, kappa=1.0, sigma_xi=0.5)  # b = (1.0, 0.5)
    np.testing.assert_allclose(F, [[1.0, 0.5], [-5.0, 0.0]])
