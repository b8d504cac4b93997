"""Barlow Twins redundancy-reduction loss (Zbontar et al. 2021; issue 11)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def standardize(z: jax.Array, eps: float = 1e-5) -> jax.Array:
    """(z − μ)/√(σ² + eps) per dimension over the batch, σ² the biased variance (BatchNorm1d(affine=False))."""
    mu = jnp.mean(z, axis=0)
    var = jnp.mean((z - mu) ** 2, axis=0)
    return (z - mu) / jnp.sqrt(var + eps)


def cross_correlation(z1: jax.Array, z2: jax.Array, eps: float = 1e-5) -> jax.Array:
    """C_ij = (1/B) Σ_b ẑ1_bi ẑ2_bj of the batch-standardised views, shape (r, r)."""
    return standardize(z1, eps).T @ standardize(z2, eps) / z1.shape[0]


def barlow_twins(z1: jax.Array, z2: jax.Array, lam=5e-3, eps: float = 1e-5) -> jax.Array:
    """L = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij² on the cross-correlation of the batch-standardised views.

    Args:
      z1, z2: embeddings of the two views, shape (B, r).
      lam: off-diagonal weight λ (paper: 5e-3).
      eps: added to the biased per-dimension variance before the square root (BatchNorm's 1e-5).
    Returns:
      the scalar loss; 0 when both views are equal, standardised and decorrelated (up to eps).
    References:
      Zbontar, Jing, Misra, LeCun, Deny 2021 (Barlow Twins), Eqns. (1)–(2).
    Example:
      >>> barlow_twins(z, z)  # ≈ λ Σ_{i≠j} corr(z_i, z_j)²
    """
    C = cross_correlation(z1, z2, eps)
    on = jnp.sum((1.0 - jnp.diagonal(C)) ** 2)
    off = jnp.sum(C**2) - jnp.sum(jnp.diagonal(C) ** 2)
    return on + lam * off
