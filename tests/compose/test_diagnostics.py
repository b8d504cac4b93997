"""Representation diagnostics (issue 11) against closed forms and naive loop constructions."""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sslab.compose.diagnostics import c_alpha_top, collapse_std, cov_spectrum, diagnostics, rankme


def gaussian(seed, B, r):
    return np.random.default_rng(seed).normal(size=(B, r))


# --- collapse_std -----------------------------------------------------------------------------------

def test_collapse_std_zero_for_parallel_rows():
    c = np.array([[0.3, -1.0, 2.0, 0.5]])
    Z = np.tile(c, (10, 1)) * np.linspace(0.5, 3.0, 10)[:, None]  # one direction, different norms
    assert float(collapse_std(jnp.asarray(Z))) == pytest.approx(0.0, abs=1e-6)


def test_collapse_std_isotropic_is_one_over_sqrt_r():
    # ẑ uniform on the sphere: E ẑ_j = 0, E ẑ_j² = 1/r, so std_j → 1/√r. Var ẑ_j² ≤ 2/r², hence the
    # sample variance has relative sd ≤ √(2/B) and the std ≤ 1/√(2B) per dimension; 5 sd, not averaged.
    B, r = 4096, 8
    with jax.enable_x64(True):
        got = float(collapse_std(jnp.asarray(gaussian(0, B, r))))
    assert got == pytest.approx(1 / math.sqrt(r), rel=5 / math.sqrt(2 * B))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), shift=st.floats(-3, 3))
def test_collapse_std_at_most_one_over_sqrt_r(seed, shift):
    # Σ_j std_j² = 1 − ‖mean ẑ‖² ≤ 1, so mean_j std_j ≤ 1/√r (Cauchy–Schwarz), for any batch
    Z = gaussian(seed, 9, 4) + shift
    assert float(collapse_std(jnp.asarray(Z))) <= 0.5 * (1 + 1e-6)


# --- rankme -----------------------------------------------------------------------------------------

def naive_rankme(s, eps=1e-7):
    total = sum(s)
    H = 0.0
    for sk in s:
        p = sk / total + eps
        H -= p * math.log(p)
    return math.exp(H)


def test_rankme_known_singular_values():
    rng = np.random.default_rng(1)
    B, r = 12, 5
    s = np.array([4.0, 2.0, 1.0, 0.5, 0.1])
    U = np.linalg.qr(rng.normal(size=(B, r)))[0]
    V = np.linalg.qr(rng.normal(size=(r, r)))[0]
    with jax.enable_x64(True):
        got = float(rankme(jnp.asarray(U @ np.diag(s) @ V.T)))
    assert got == pytest.approx(naive_rankme(list(s)), rel=1e-10)


def test_rankme_rank_one_is_one():
    rng = np.random.default_rng(2)
    Z = np.outer(rng.normal(size=20), rng.normal(size=6))
    # float32 trailing singular values are ~1e-7 σ1, like eps: −Σ p log p ≤ 6·2e-7·|log 1e-7| ≈ 2e-5
    assert float(rankme(jnp.asarray(Z, jnp.float32))) == pytest.approx(1.0, abs=1e-4)


def test_rankme_isotropic_gaussian_second_order():
    # σ_k = σ̄(1 + e_k): exp H = r exp(−Σ e_k²/(2r) + …) ≈ r − ½Σ e_k², e_k ≈ (λ_k − λ̄)/2 with λ the
    # eigenvalues of ZᵀZ/B (Wishart): E Σ(λ_k − λ̄)² = (r(r+1) − 2)/B, so E[r − RankMe] ≈ (r+2)(r−1)/(8B).
    # Per-seed sd ≈ 10% at r = 16 (fluctuation of Σ(λ−λ̄)²) and O(√(r/B)) higher-order terms ≈ 4%:
    # the mean over 8 seeds is held to 20%.
    B, r = 1000, 16
    with jax.enable_x64(True):
        Zs = jnp.asarray(np.stack([gaussian(10 + s, B, r) for s in range(8)]))
        deficit = float(jnp.mean(r - jax.vmap(rankme)(Zs)))
    assert deficit == pytest.approx((r + 2) * (r - 1) / (8 * B), rel=0.2)
    assert deficit > 0


# --- covariance spectrum ------------------------------------------------------------------------------

@pytest.mark.parametrize("B, r, k", [(7, 3, 3), (20, 6, 2), (3, 5, 4)])
def test_cov_spectrum_vs_numpy(B, r, k):
    Z = gaussian(B * r, B, r) @ np.diag(np.arange(1, r + 1))
    with jax.enable_x64(True):
        got = np.asarray(cov_spectrum(jnp.asarray(Z), k))
    expected = np.linalg.eigvalsh(np.cov(Z.T, bias=True))[::-1][:k]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


# --- C_α -------------------------------------------------------------------------------------------

def naive_c_alpha(f1, f2, tau):
    """C_α/(2N) by loops: α_ij = softmax prob. of negative j in row i, logits (d²_i − d²_ij)/τ, '1' on the diagonal."""
    N, d = f1.shape
    C = np.zeros((d, d))
    for i in range(N):
        d2i = 0.5 * sum((f1[i, a] - f2[i, a]) ** 2 for a in range(d))
        w = [1.0 if j == i else math.exp((d2i - 0.5 * sum((f1[i, a] - f1[j, a]) ** 2 for a in range(d))) / tau)
             for j in range(N)]
        row = 0.0
        for j in range(N):
            if j != i:
                alpha = w[j] / sum(w)
                row += alpha
                C += alpha * np.outer(f1[i] - f1[j], f1[i] - f1[j])
        C -= row * np.outer(f1[i] - f2[i], f1[i] - f2[i])
    return C / (2 * N)


def test_c_alpha_top_vs_naive_loops():
    f1 = gaussian(3, 8, 4)
    f2 = f1 + 0.3 * gaussian(4, 8, 4)
    with jax.enable_x64(True):
        got = np.asarray(c_alpha_top(jnp.asarray(f1), jnp.asarray(f2), 0.7, 3))
    expected = np.linalg.eigvalsh(naive_c_alpha(f1, f2, 0.7))[::-1][:3]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_c_alpha_equal_views_uniform_limit():
    # f1 = f2 and τ → ∞: all logits 0, α_ij = 1/N (j ≠ i), the positive term vanishes and
    # C_α/(2N) = (1/(2N²)) Σ_{i,j} (f_i − f_j)(f_i − f_j)ᵀ = (1/N) Σ_i (f_i − f̄)(f_i − f̄)ᵀ = the batch covariance.
    f = gaussian(5, 10, 3)
    with jax.enable_x64(True):
        got = np.asarray(c_alpha_top(jnp.asarray(f), jnp.asarray(f), 1e12, 3))
        cov = np.asarray(cov_spectrum(jnp.asarray(f), 3))
    np.testing.assert_allclose(got, cov, rtol=1e-9)


# --- the bundle --------------------------------------------------------------------------------------

def test_diagnostics_keys_and_values():
    z1, z2 = gaussian(6, 12, 4), gaussian(7, 12, 4)
    with jax.enable_x64(True):
        a, b = jnp.asarray(z1), jnp.asarray(z2)
        out = diagnostics(a, b, contrastive=True, tau=0.5, k=2)
        plain = diagnostics(a, b, contrastive=False, tau=0.5, k=2)
        assert set(out) == {"diag_collapse_std", "diag_rankme", "diag_cov_eig0", "diag_cov_eig1",
                            "diag_calpha_eig0", "diag_calpha_eig1"}
        assert set(plain) == {"diag_collapse_std", "diag_rankme", "diag_cov_eig0", "diag_cov_eig1"}
        assert all(v.shape == () for v in out.values())
        assert float(out["diag_rankme"]) == pytest.approx(float(rankme(a)))
        assert float(out["diag_cov_eig1"]) == pytest.approx(float(cov_spectrum(a, 2)[1]))
        assert float(out["diag_calpha_eig0"]) == pytest.approx(float(c_alpha_top(a, b, 0.5, 1)[0]))
    with pytest.raises(ValueError, match="k must be in 1..4"):
        diagnostics(a, b, contrastive=False, k=5)


def test_diagnostics_jit_vmap_over_lanes_with_traced_tau():
    Z1 = jnp.asarray(np.stack([gaussian(20 + l, 10, 3) for l in range(3)]), jnp.float32)
    Z2 = Z1 + 0.1
    taus = jnp.asarray([0.2, 0.5, 1.0], jnp.float32)
    got = jax.jit(jax.vmap(partial(diagnostics, contrastive=True, k=2)))(Z1, Z2, tau=taus)
    single = jax.jit(partial(diagnostics, contrastive=True, k=2))
    for lane in range(3):
        one = single(Z1[lane], Z2[lane], tau=taus[lane])
        for key, v in one.items():
            assert float(got[key][lane]) == pytest.approx(float(v), rel=1e-4, abs=1e-6)
