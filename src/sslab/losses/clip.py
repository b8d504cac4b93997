"""CLIP symmetric cross-entropy (spec bansal2024 §2)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .lse_gram import infonce_gram


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
    ux = zx / tau  # S = ux zyᵀ; its column LSE is the row LSE of Sᵀ (losses.lse_gram: one exp per entry each)
    return 0.5 * (infonce_gram(ux, zy) + infonce_gram(zy, ux))
