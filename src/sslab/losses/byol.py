"""BYOL normalised-MSE loss with an EMA target, and the EMA update itself (issue 11)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .normalize import cosine


_cos = cosine


def byol(p1: jax.Array, p2: jax.Array, z1: jax.Array, z2: jax.Array) -> jax.Array:
    """L = mean_i [(2 − 2 cos(p1_i, sg z2_i)) + (2 − 2 cos(p2_i, sg z1_i))], in [0, 8].

    Args:
      p1, p2: online predictor outputs q_θ(z_θ) of views 1 and 2, shape (B, r).
      z1, z2: target-network projections z'_ξ of views 1 and 2, shape (B, r); stop-gradient applied here.
    Returns:
      the symmetrised loss L + L̃ of the paper, ‖q̄ − z̄'‖² = 2 − 2cos per term, averaged over the batch.
    References:
      Grill et al. 2020 (BYOL), Eqn. (2) and the symmetrisation L^BYOL = L + L̃.
    Example:
      >>> z = jnp.ones((4, 3)); byol(z, z, z, z)  # 0.0
    """
    sg = jax.lax.stop_gradient
    return jnp.mean((2.0 - 2.0 * _cos(p1, sg(z2))) + (2.0 - 2.0 * _cos(p2, sg(z1))))


def ema_update(target_params, online_params, m):
    """ξ ← m ξ + (1 − m) θ leaf-wise on matching pytrees (BYOL's target update; paper default m = 0.996).

    Args:
      target_params: target network ξ (a pytree of arrays).
      online_params: online network θ, same structure.
      m: momentum in [0, 1] (may be traced).
    Returns:
      the updated target pytree.
    References:
      Grill et al. 2020 (BYOL), §3.1.
    Example:
      >>> ema_update({"W": jnp.zeros(2)}, {"W": jnp.ones(2)}, 0.9)  # {"W": [0.1, 0.1]}
    """
    return jax.tree_util.tree_map(lambda xi, th: m * xi + (1.0 - m) * th, target_params, online_params)
