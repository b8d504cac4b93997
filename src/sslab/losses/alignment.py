"""Negative-free alignment loss of Yang et al. 2024 (spec yang2024 §3)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def alignment(z1: jax.Array, z2: jax.Array) -> jax.Array:
    """Negative mean inner product of paired embeddings.

    Args:
      z1, z2: embeddings of the two views, shape (n, k).
    Returns:
      scalar −(1/n) Σ_i ⟨z1_i, z2_i⟩.
    References:
      Yang et al. 2024, spec yang2024 §3.
    Example:
      >>> alignment(jnp.ones((4, 2)), jnp.ones((4, 2)))  # -2.0
    """
    return -jnp.mean(jnp.sum(z1 * z2, axis=-1))
