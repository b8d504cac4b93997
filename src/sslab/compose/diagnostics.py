"""Representation diagnostics for any run (issue 11): collapse, effective rank, covariance and C_α spectra.

All functions are pure jnp, jit/vmap-friendly (no Python branching on values); ``k`` and ``contrastive``
are static. Z is a representation matrix (B, r), one row per sample.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..losses.alpha_cl import contrastive_covariance, infonce_alpha


def collapse_std(Z: jax.Array) -> jax.Array:
    """mean_j std_b(ẑ_bj) of the L2-normalised rows ẑ_b = z_b/‖z_b‖ (biased std; SimSiam §4.1 collapse indicator).

    Reference values: 0 at complete collapse (all rows parallel); 1/√r for a well-spread (isotropic)
    representation; always ≤ 1/√r, since Σ_j std_j² = 1 − ‖mean ẑ‖² ≤ 1 (Cauchy–Schwarz).
    """
    u = Z / jnp.maximum(jnp.linalg.norm(Z, axis=-1, keepdims=True), 1e-12)
    return jnp.mean(jnp.std(u, axis=0))


def rankme(Z: jax.Array, eps: float = 1e-7) -> jax.Array:
    """RankMe = exp(−Σ_k p_k log p_k), p_k = σ_k/‖σ‖₁ + eps, σ the singular values of Z (Garrido et al. 2023, Eqn. 1).

    In [1, min(B, r)] up to eps: 1 for a rank-1 Z, ≈ r for an isotropic batch with B ≫ r. Z is not centred.
    """
    s = jnp.linalg.svd(Z, compute_uv=False)
    p = s / jnp.maximum(jnp.sum(s), jnp.finfo(s.dtype).tiny) + eps
    return jnp.exp(-jnp.sum(p * jnp.log(p)))


def _top_eigvalsh(C: jax.Array, k: int) -> jax.Array:
    """Top-k eigenvalues of the symmetric part of C, descending."""
    return jnp.linalg.eigvalsh(0.5 * (C + C.T))[::-1][:k]


def cov_spectrum(Z: jax.Array, k: int) -> jax.Array:
    """Top-k eigenvalues, descending, of the batch covariance (1/B) Σ_b (z_b − z̄)(z_b − z̄)ᵀ (biased)."""
    Zc = Z - jnp.mean(Z, axis=0)
    return _top_eigvalsh(Zc.T @ Zc / Z.shape[0], k)


def c_alpha_top(f1: jax.Array, f2: jax.Array, tau, k: int) -> jax.Array:
    """Top-k eigenvalues of C_α[f]/(2N) with InfoNCE's α at the current representation (spec tian2022 §1–2).

    C_α = Σ_{i≠j} α_ij (f_i − f_j)(f_i − f_j)ᵀ − Σ_i (Σ_{j≠i} α_ij)(f_i − f_i')(f_i − f_i')ᵀ with
    α_ij the softmax probability of negative j (view-1 negatives) in row i; divided by 2N (the spec's
    A = C_α/(2N)) so that for α ≡ 1/N it tends to V_x0[E_aug f] and is comparable with ``cov_spectrum``.
    """
    N = f1.shape[0]
    alpha = infonce_alpha(f1, f2, tau)
    return _top_eigvalsh(contrastive_covariance(f1, f2, alpha) / (2 * N), k)


def diagnostics(z1: jax.Array, z2: jax.Array, *, contrastive: bool, tau=1.0, k: int = 3) -> dict[str, jax.Array]:
    """Flat scalar diagnostics of a two-view representation (issue 11): z1 is the representation measured.

    Keys: ``diag_collapse_std``, ``diag_rankme``, ``diag_cov_eig0..k-1`` and, when ``contrastive``,
    ``diag_calpha_eig0..k-1`` (C_α from both views at temperature ``tau``).
    """
    if not 1 <= k <= z1.shape[1]:
        raise ValueError(f"diagnostics: k must be in 1..{z1.shape[1]} (the representation dimension r), got {k}")
    out = {"diag_collapse_std": collapse_std(z1), "diag_rankme": rankme(z1)}
    out.update({f"diag_cov_eig{i}": v for i, v in enumerate(cov_spectrum(z1, k))})
    if contrastive:
        out.update({f"diag_calpha_eig{i}": v for i, v in enumerate(c_alpha_top(z1, z2, tau, k))})
    return out


