"""InfoNCE with in-batch negatives (spec bansal2024 §2): dot product with τ, or the cosine ablation."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .lse_gram import infonce_gram
from .normalize import l2_normalize


_normalize = l2_normalize


def infonce(z: jax.Array, z_pos: jax.Array, tau=1.0, similarity: str = "dot") -> jax.Array:
    """L = (1/B) Σ_i [−S_ii + log Σ_j exp S_ij] with S_ij = sim(z_i, z⁺_j)/τ.

    Args:
      z: anchor embeddings Ax_i, shape (B, r).
      z_pos: positive embeddings Ax⁺_j, shape (B, r); row j ≠ i is a negative for anchor i.
      tau: temperature τ (a scalar, may be traced).
      similarity: ``"dot"`` (default, spec §2) or ``"cosine"`` (ablation).
    Returns:
      the scalar loss.
    References:
      Bansal, Kavis, Sanghavi 2024, arXiv:2411.03517v2; spec bansal2024 §2. Oord et al. 2018 (CPC).
    Example:
      >>> infonce(jnp.zeros((8, 3)), jnp.zeros((8, 3)))  # log 8 = 2.0794
    """
    if similarity == "cosine":
        z, z_pos = _normalize(z), _normalize(z_pos)
    elif similarity != "dot":
        raise ValueError(f"similarity: invalid value {similarity!r}; valid choices: dot, cosine")
    u = z / tau  # S_ij = u_i · z⁺_j; the B × B matrix is formed chunk by chunk (losses.lse_gram)
    return infonce_gram(u, z_pos)
