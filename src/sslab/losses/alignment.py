"""Negative-free alignment loss of Yang et al. 2024 (spec yang2024 §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ..config import Section, param
from ..registry import LOSSES


@dataclass
class AlignmentLoss(Section):
    """Spec yang2024 §3: −(1/n) Σ_i ⟨f(x̃_i^(1)), f(x̃_i^(2))⟩ (no negatives; regularisation lives in the model)."""

    name: Literal["alignment"] = param("alignment")


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


LOSSES.register("alignment", alignment)
