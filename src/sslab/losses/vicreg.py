"""VICReg: variance–invariance–covariance regularisation (Bardes, Ponce, LeCun 2022; issue 11)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def variance_hinge(z: jax.Array, gamma=1.0, eps: float = 1e-4) -> jax.Array:
    """v(Z) = (1/r) Σ_j max(0, γ − √(Var(z_j) + eps)), Var unbiased over the batch."""
    var = jnp.var(z, axis=0, ddof=1)
    return jnp.mean(jax.nn.relu(gamma - jnp.sqrt(var + eps)))


def covariance_penalty(z: jax.Array) -> jax.Array:
    """c(Z) = (1/r) Σ_{i≠j} C(Z)_ij², C(Z) = (1/(B−1)) Σ_b (z_b − z̄)(z_b − z̄)ᵀ."""
    B, r = z.shape
    zc = z - jnp.mean(z, axis=0)
    C = zc.T @ zc / (B - 1)
    return (jnp.sum(C**2) - jnp.sum(jnp.diagonal(C) ** 2)) / r


def vicreg(z1: jax.Array, z2: jax.Array, lam=25.0, mu=25.0, nu=1.0, gamma=1.0, eps: float = 1e-4) -> jax.Array:
    """L = λ s(Z, Z') + μ ½[v(Z) + v(Z')] + ν [c(Z) + c(Z')] (normalisations of the official code).

    Args:
      z1, z2: embeddings Z, Z' of the two views, shape (B, r), B ≥ 2.
      lam, mu, nu: weights λ, μ, ν (paper: 25, 25, 1).
      gamma: target standard deviation γ (paper: 1).
      eps: added to the variance inside the square root (paper: 1e-4).
    Returns:
      the scalar loss with s = (1/(B r)) Σ ‖z_b − z'_b‖² (mean squared error over all entries),
      v and c as in :func:`variance_hinge` and :func:`covariance_penalty`.
    References:
      Bardes, Ponce, LeCun 2022 (VICReg), Eqns. (1)–(6); github.com/facebookresearch/vicreg main_vicreg.py,
      whose normalisation (MSE over B·r entries, variance hinge averaged over the two branches) is used here.
    Example:
      >>> vicreg(z, z)  # 0 when every dimension has std ≥ 1 and the covariance is diagonal
    """
    inv = jnp.mean((z1 - z2) ** 2)
    var = 0.5 * (variance_hinge(z1, gamma, eps) + variance_hinge(z2, gamma, eps))
    cov = covariance_penalty(z1) + covariance_penalty(z2)
    return lam * inv + mu * var + nu * cov
