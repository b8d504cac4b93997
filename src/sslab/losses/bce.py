"""Binary cross-entropy on logits for the supervised baselines (spec yang2024 §3)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def bce_with_logits(logits: jax.Array, t: jax.Array) -> jax.Array:
    """Mean of −t ln σ(s) − (1−t) ln(1−σ(s)), computed stably from the logit s.

    Args:
      logits: pre-sigmoid outputs s, shape (n,).
      t: targets in [0, 1], shape (n,).
    Returns:
      scalar mean binary cross-entropy.
    Example:
      >>> bce_with_logits(jnp.zeros(3), jnp.ones(3))  # log 2
    """
    return jnp.mean(jax.nn.softplus(logits) - t * logits)
