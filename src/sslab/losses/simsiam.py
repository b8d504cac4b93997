"""SimSiam negative cosine with a predictor and stop-gradient (spec bansal2024 §2)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .normalize import cosine


_cos = cosine


def simsiam(p: jax.Array, p_pos: jax.Array, z: jax.Array, z_pos: jax.Array) -> jax.Array:
    """L = −½ mean_i [cos(p_i, sg(z⁺_i)) + cos(p⁺_i, sg(z_i))].

    Args:
      p, p_pos: predictor outputs Wz and Wz⁺, shape (B, r).
      z, z_pos: encoder outputs Ax and Ax⁺, shape (B, r); the stop-gradient is applied here.
    Returns:
      the scalar loss, in [−1, 1].
    References:
      Chen & He 2021 (SimSiam); Bansal, Kavis, Sanghavi 2024; spec bansal2024 §2.
    Example:
      >>> z = jnp.ones((4, 3)); simsiam(z, z, z, z)  # -1.0
    """
    sg = jax.lax.stop_gradient
    return -0.5 * jnp.mean(_cos(p, sg(z_pos)) + _cos(p_pos, sg(z)))
