"""Bansal et al. 2024 data, theory and metrics in float64 (spec bansal2024 §1, §3–§6, claim 4)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.papers.bansal2024 import data as dm
from sslab.losses.infonce import infonce
from sslab.papers.bansal2024 import metrics as met
from sslab.papers.bansal2024 import theory as th


# --- §1 data model --------------------------------------------------------------------------------

@pytest.mark.parametrize("kappa", [1.0, 100.0, 1000.0])
def test_covariance_condition_and_determinant(kappa):
    g = dm.gmm_params(0, d=20, k=4, kappa=kappa)
    w = np.linalg.eigvalsh(g.Sigma)
    assert w.max() / w.min() == pytest.approx(kappa, rel=1e-9)
    assert np.prod(w) == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(g.L @ g.L.T, g.Sigma, atol=1e-12)


def test_haar_signs_and_orthogonality():
    Q = dm.haar(np.random.default_rng(0), 7)
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-12)
    R = Q.T @ np.random.default_rng(0).standard_normal((7, 7))
    assert np.all(np.diag(R) > 0)


@pytest.mark.parametrize("Delta", [1.0, 3.0])
def test_means_centred_and_scaled(Delta):
    g = dm.gmm_params(3, d=20, k=4, kappa=100.0, Delta=Delta)
    np.testing.assert_allclose(g.pi @ g.mu, 0.0, atol=1e-12)
    assert dm.mean_pairwise_mahalanobis(g.mu, g.Sigma) == pytest.approx(Delta, rel=1e-12)


def test_seed_determines_parameters_and_kappa_keeps_Q():
    a, b = dm.gmm_params(1, kappa=100.0), dm.gmm_params(1, kappa=100.0)
    np.testing.assert_array_equal(a.mu, b.mu)
    c = dm.gmm_params(1, kappa=10.0)
    # same Q and raw means: the eigenvectors of Σ agree, the means are parallel up to one scalar.
    ratio = c.mu / a.mu
    assert np.allclose(ratio, ratio.flat[0])


def test_noisy_coupling_moments():
    """§1.5: E[x x⁺ᵀ] = (1 − δ) S_B (Monte Carlo, 4σ)."""
    g = dm.gmm_params(0, d=5, k=3, kappa=10.0)
    n, delta = 400_000, 0.5
    s = g.sample(np.random.default_rng(0), n, delta)
    C = s["x"].T @ s["xp"] / n
    assert np.max(np.abs(C - (1 - delta) * g.S_B)) < 4 * 3.0 / np.sqrt(n) * 4


def test_jax_sampler_matches_moments():
    g = dm.gmm_params(0, d=4, k=3, kappa=10.0)
    with jax.enable_x64(True):
        x, xp = dm.sample_pairs(jax.random.key(0), jnp.asarray(g.mu), jnp.asarray(g.L), 200_000, 0.0)
        x, xp = np.asarray(x), np.asarray(xp)
    np.testing.assert_allclose(np.cov(x.T, bias=True), g.Sigma + g.S_B, atol=0.1)
    np.testing.assert_allclose(x.T @ xp / len(x), g.S_B, atol=0.05)


def test_block_model_subspaces():
    mod = dm.block_modality(0, "x")
    from sslab.papers.bansal2024.experiment import block_subspaces
    U = block_subspaces(mod, "x")
    assert U["F_sh_x"].shape == (20, 3) and U["F_pr_x"].shape == (20, 3)
    assert np.max(np.abs(U["F_sh_x"].T @ U["F_pr_x"])) < 1e-12  # orthogonal blocks under Q_x
    # The marginal's Fisher subspace is F_sh ⊕ F_pr (§1.6).
    m = mod.marginal()
    F = th.fisher_subspace(m.mu, m.Sigma, m.pi, q=6)
    assert met.sin_theta_max(U["F_both_x"], F) < 1e-8


# --- §3–§4 theory ---------------------------------------------------------------------------------

def test_fisher_is_sigma_inverse_mean_span():
    g = dm.gmm_params(0)
    F = th.fisher_subspace(g.mu, g.Sigma, g.pi)
    ref = th.orth(np.linalg.solve(g.Sigma, (g.mu - g.pi @ g.mu).T)[:, :3])
    assert met.sin_theta_max(F, ref) < 1e-10


@pytest.mark.parametrize("delta", [0.0, 0.5, 0.9])
def test_closed_form_equals_fisher(delta):
    g = dm.gmm_params(2)
    M, C = th.population_alignment_matrices(g.mu, g.Sigma, delta, g.pi)
    assert met.sin_theta_max(th.fisher_subspace(g.mu, g.Sigma, g.pi), th.whitened_alignment(M, C, 3)) < 1e-8


def test_identity_kappa_pca_equals_fisher():
    g = dm.gmm_params(0, kappa=1.0)
    F = th.fisher_subspace(g.mu, g.Sigma, g.pi)
    assert met.sin_theta_max(F, th.pca_subspace(g.Sigma + g.S_B, 3)) < 1e-10
    assert met.sin_theta_max(F, th.mean_span(g.mu, g.pi)) < 1e-10


def test_labelled_lda_converges():
    g = dm.gmm_params(0, kappa=100.0)
    F = th.fisher_subspace(g.mu, g.Sigma, g.pi)
    s = g.sample(np.random.default_rng(1), 200_000)
    assert met.sin_theta_max(F, th.lda_subspace(s["x"], s["c"], 4)) < 0.05


# --- claim 4: affine invariance --------------------------------------------------------------------

@pytest.mark.parametrize("similarity", ["dot"])
def test_affine_invariance_identity(similarity):
    """Claim 4: L_T(AT⁻¹) on (Tx, Tx⁺) equals L(A) on (x, x⁺) to 1e-10 (float64)."""
    g = dm.gmm_params(0)
    T = dm.random_transform(0, g.d)
    assert np.linalg.cond(T) <= 10
    s = g.sample(np.random.default_rng(5), 256)
    rng = np.random.default_rng(6)
    with jax.enable_x64(True):
        for _ in range(20):
            A = rng.standard_normal((3, g.d))
            L = float(infonce(jnp.asarray(s["x"] @ A.T), jnp.asarray(s["xp"] @ A.T), similarity=similarity))
            AT = A @ np.linalg.inv(T)
            LT = float(infonce(jnp.asarray(s["x"] @ T.T @ AT.T), jnp.asarray(s["xp"] @ T.T @ AT.T), similarity=similarity))
            assert abs(LT - L) / abs(L) < 1e-10


def test_fisher_transforms_as_T_inverse_transpose():
    g = dm.gmm_params(1)
    T = dm.random_transform(1, g.d)
    gT = g.transformed(T)
    F = th.fisher_subspace(g.mu, g.Sigma, g.pi)
    assert met.sin_theta_max(th.fisher_subspace(gT.mu, gT.Sigma, gT.pi), th.orth(np.linalg.solve(T.T, F))) < 1e-8


# --- §5 metrics ------------------------------------------------------------------------------------

def test_sin_theta_matches_principal_angles():
    rng = np.random.default_rng(0)
    U_F, U = th.orth(rng.normal(size=(10, 3))), th.orth(rng.normal(size=(10, 3)))
    assert met.sin_theta_max(U_F, U) == pytest.approx(np.sin(met.principal_angles(U_F, U).max()), abs=1e-7)
    assert met.sin_theta_max(U_F, U_F) < 1e-14
    assert 0 <= met.projection_distance(U_F, U) <= 1


def test_energy_and_trailing_ratios():
    U = np.eye(5)[:, :2]
    A = np.diag([3.0, 2.0, 0.0, 0.0, 0.0])[:3]
    A[2, 4] = 1.0
    assert met.energy_fraction(A, U) == pytest.approx(13 / 14)
    np.testing.assert_allclose(met.trailing_ratios(A, 2), [1 / 3])
    np.testing.assert_allclose(met.row_space(A, 2).T @ met.row_space(A, 2), np.eye(2), atol=1e-12)


def test_jax_sin_theta_matches_numpy():
    rng = np.random.default_rng(1)
    A, U_F = rng.normal(size=(3, 20)), th.orth(rng.normal(size=(20, 3)))
    with jax.enable_x64(True):
        got = float(met.sin_theta_max_jax(jnp.asarray(A), jnp.asarray(U_F)))
    assert got == pytest.approx(met.sin_theta_max(U_F, met.row_space(A, 3)), rel=1e-8)


def test_downstream_accuracies_on_truth():
    g = dm.gmm_params(0, kappa=10.0)
    tr, te = (g.sample(np.random.default_rng(i), 5000) for i in (1, 2))
    bayes = met.bayes_accuracy(te["x"], te["c"], g.mu, g.Sigma)
    lda = met.lda_accuracy(tr["x"], tr["c"], te["x"], te["c"], 4)
    assert abs(bayes - lda) < 2.0
    assert met.nearest_mean_accuracy(tr["x"], tr["c"], te["x"], te["c"], 4) <= bayes + 2.0
    nmi, ari = met.kmeans_scores(te["x"] @ th.fisher_subspace(g.mu, g.Sigma, g.pi), te["c"], 4)
    assert 0 <= nmi <= 1 and -1 <= ari <= 1


# --- §6 worked example ----------------------------------------------------------------------------

def test_worked_example_diagonal():
    """§6 row 1: Σ = diag(1, 4): PC1 = e₂ ⟂ Fisher = e₁; errors 0.50 and 0.159."""
    w = th.worked_example(np.diag([1.0, 4.0]))
    assert round(w["pc1_y"], 2) == 1.0 and round(w["angle_pc1_fisher"], 1) == 90.0
    assert w["angle_mean_fisher"] == pytest.approx(0.0, abs=1e-12)
    assert round(w["err_pc1"], 2) == 0.50
    assert round(w["err_fisher"], 3) == 0.159


@pytest.mark.parametrize("s2", [2.5, 4.0, 9.0])
def test_worked_example_diagonal_any_s2_above_2(s2):
    w = th.worked_example(np.diag([1.0, s2]))
    assert round(w["err_pc1"], 2) == 0.50 and round(w["err_fisher"], 3) == 0.159


def test_worked_example_correlated():
    """§6 row 2: Σ = [[1, .9], [.9, 1]]: PC1 72.5° and e₁ 42.0° from Fisher; errors 0.011, 0.26, 0.159."""
    w = th.worked_example(np.array([[1.0, 0.9], [0.9, 1.0]]))
    assert round(w["angle_pc1_fisher"], 1) == 72.5
    assert round(w["angle_mean_fisher"], 1) == 42.0
    assert round(w["err_fisher"], 3) == 0.011
    assert round(w["err_pc1"], 2) == 0.26
    assert round(w["err_mean"], 3) == 0.159


def test_sample_closed_form_error_scales_as_inverse_signal_root_n():
    """§4/§7 (claim-6 diagnosis): the same-sample closed form eigh(M̂, Ĉ) has error ≈ c/((1 − δ)√n).

    First-order perturbation: M = (1 − δ)S_B sets the eigengap, while the sampling noise of M̂ and Ĉ does not
    shrink with 1 − δ. Predicted ratios of mean errors over 8 replicate samples: × 1/(1 − δ) = 4 from δ = 0 to
    0.75, and × ½ from n to 4n; each must hold to 25%.
    """
    g = dm.gmm_params(0)
    U_F = th.fisher_subspace(g.mu, g.Sigma, g.pi)

    def mean_err(n, delta):
        errs = []
        for rep in range(8):
            s = g.sample(np.random.default_rng([0, 500, rep]), n, delta)
            M, C = th.empirical_alignment_matrices(s["x"], s["xp"])
            errs.append(met.sin_theta_max(U_F, th.whitened_alignment(M, C, g.k - 1)))
        return float(np.mean(errs))

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small products: BLAS threads only spin-wait (see claims.bansal2024.one_blas_thread)
        e0, e75, e75_4n = mean_err(20_000, 0.0), mean_err(20_000, 0.75), mean_err(80_000, 0.75)
    assert e75 / e0 == pytest.approx(4.0, rel=0.25)
    assert e75_4n / e75 == pytest.approx(0.5, rel=0.25)
