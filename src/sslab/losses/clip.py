"""CLIP symmetric cross-entropy (spec bansal2024 §2)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ..registry import LOSSES
from .lse_gram import both_lse_gram


def clip(zx: jax.Array, zy: jax.Array, tau=1.0) -> jax.Array:
    """Mean of the row-wise and column-wise cross-entropies of S = zx zyᵀ/τ with the diagonal as targets.

    Args:
      zx: embeddings A_x x_i of modality x, shape (B, r).
      zy: embeddings A_y y_j of modality y, shape (B, r).
      tau: temperature (spec default 1).
    Returns:
      ½[(1/B) Σ_i (LSE_j S_ij − S_ii) + (1/B) Σ_j (LSE_i S_ij − S_jj)].
    References:
      Radford et al. 2021 (CLIP); Bansal, Kavis, Sanghavi 2024; spec bansal2024 §2.
    Example:
      >>> clip(jnp.zeros((8, 3)), jnp.zeros((8, 3)))  # log 8
    """
    ux = zx / tau  # S = ux zyᵀ: row and column LSE from one chunked pass (losses.lse_gram)
    diag = jnp.sum(ux * zy, axis=1)
    lse_rows, lse_cols = both_lse_gram(ux, zy)
    return 0.5 * (jnp.mean(lse_rows - diag) + jnp.mean(lse_cols - diag))


LOSSES.register("clip", clip)
