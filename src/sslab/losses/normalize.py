"""Row norms, L2 normalisation and cosine similarity that stay finite (value and gradient) at z = 0."""

from __future__ import annotations

import jax
import jax.numpy as jnp

EPS = 1e-12


def safe_norm(z: jax.Array, eps: float = EPS, keepdims: bool = False) -> jax.Array:
    """max(‖z_i‖, eps) row-wise, written as √max(‖z_i‖², eps²) so the gradient at z_i = 0 is 0, not NaN."""
    return jnp.sqrt(jnp.maximum(jnp.sum(z * z, axis=-1, keepdims=keepdims), eps * eps))


def l2_normalize(z: jax.Array, eps: float = EPS) -> jax.Array:
    """z_i / max(‖z_i‖, eps) row-wise (torch's F.normalize convention); a zero row stays 0."""
    return z / safe_norm(z, eps, keepdims=True)


def cosine(a: jax.Array, b: jax.Array, eps: float = EPS) -> jax.Array:
    """Row-wise ⟨a_i, b_i⟩ / (max(‖a_i‖, eps) max(‖b_i‖, eps)); 0 when either row is 0."""
    return jnp.sum(a * b, axis=-1) / (safe_norm(a, eps) * safe_norm(b, eps))
