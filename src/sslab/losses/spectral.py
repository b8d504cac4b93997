"""Spectral contrastive loss of HaoChen, Wei, Gaidon, Ma 2021 (issue 11)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def spectral_contrastive(z1: jax.Array, z2: jax.Array) -> jax.Array:
    """L = −2 E[z1ᵀz2⁺] + E[(z1ᵀz2⁻)²], batch estimator with the B(B − 1) off-diagonal pairs as negatives.

    Args:
      z1, z2: embeddings of the two views, shape (B, r), B ≥ 2; row i of each is a positive pair.
    Returns:
      −(2/B) Σ_i z1_iᵀz2_i + (1/(B(B−1))) Σ_{i≠j} (z1_iᵀz2_j)² (the official code's estimator,
      without its optional norm clipping at √μ).
    References:
      HaoChen, Wei, Gaidon, Ma 2021, "Provable guarantees for self-supervised deep learning with
      spectral contrastive loss", Eqn. (3) and github.com/jhaochenz96/spectral_contrastive_learning.
    Example:
      >>> spectral_contrastive(jnp.eye(4), jnp.eye(4))  # −2
    """
    B = z1.shape[0]
    G = z1 @ z2.T
    pos = jnp.mean(jnp.diagonal(G))
    off = jnp.sum(G**2) - jnp.sum(jnp.diagonal(G) ** 2)
    return -2.0 * pos + off / (B * (B - 1))
