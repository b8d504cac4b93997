"""The official bn_gen InfoNCE (spec tian2022 §5 Loss): view-1 negatives, positive on the diagonal."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def _l2(z: jax.Array, l2_type: str) -> jax.Array:
    """Row normalisation: regular z/max(‖z‖, 1e-12); no_l2 identity; no_proj forward z/(‖z‖+1e-8), backward ÷ norm only."""
    if l2_type == "regular":
        return z / jnp.maximum(jnp.linalg.norm(z, axis=-1, keepdims=True), 1e-12)
    if l2_type == "no_l2":
        return z
    if l2_type == "no_proj":
        return z / jax.lax.stop_gradient(jnp.linalg.norm(z, axis=-1, keepdims=True) + 1e-8)
    raise ValueError(f"l2_type: invalid value {l2_type!r}; valid choices: regular, no_l2, no_proj")


def infonce_tian(z1: jax.Array, z2: jax.Array, tau=0.1, similarity: str = "dotprod", loss_type: str = "infoNCE",
                 l2_type: str = "regular") -> jax.Array:
    """Mean over rows of CE(M_i/τ, i), M = z1z1ᵀ with M_ii ← z1_i·z2_i (spec §5 Loss).

    Args:
      z1: view-1 outputs (B, D); z2: view-2 outputs (B, D) (pass z1 for aug=false).
      tau: temperature τ (config key ``T``, 0.1).
      similarity: ``dotprod`` (default) or ``negdist`` (M_ij = −½‖z1_i − z1_j‖², diagonal −½‖z1_i − z2_i‖²).
      loss_type: ``infoNCE`` (default) or ``quadratic`` (−(1 + 1/B) mean_i M_ii/τ + mean of all M/τ).
      l2_type: ``regular`` | ``no_l2`` | ``no_proj``.
    Returns:
      the scalar loss; B − 1 view-1 negatives per row.
    References:
      Tian 2023, arXiv:2206.01342; luckmatters ssl/real-dataset/bn_gen.py; spec tian2022 §5.
    Example:
      >>> infonce_tian(jnp.eye(4), jnp.eye(4))  # positives aligned, negatives orthogonal: log(1 + 3e^{-10})
    """
    z1, z2 = _l2(z1, l2_type), _l2(z2, l2_type)
    B = z1.shape[0]
    eye = jnp.eye(B, dtype=bool)
    if similarity == "dotprod":
        M = jnp.where(eye, jnp.sum(z1 * z2, axis=-1)[:, None], z1 @ z1.T)
    elif similarity == "negdist":
        neg = -0.5 * jnp.sum((z1[:, None, :] - z1[None, :, :]) ** 2, axis=-1)
        M = jnp.where(eye, (-0.5 * jnp.sum((z1 - z2) ** 2, axis=-1))[:, None], neg)
    else:
        raise ValueError(f"similarity: invalid value {similarity!r}; valid choices: dotprod, negdist")
    S = M / tau
    if loss_type == "infoNCE":
        return jnp.mean(jax.nn.logsumexp(S, axis=1) - jnp.diagonal(S))
    if loss_type == "quadratic":
        return -(1.0 + 1.0 / B) * jnp.mean(jnp.diagonal(S)) + jnp.mean(S)
    raise ValueError(f"loss_type: invalid value {loss_type!r}; valid choices: infoNCE, quadratic")
