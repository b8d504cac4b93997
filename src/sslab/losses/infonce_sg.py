"""Symmetric InfoNCE with a stop-gradient dot-product similarity (spec wenli2021 §4)."""

from __future__ import annotations

from typing import Literal

import jax
import jax.numpy as jnp


def _one_direction(F_q: jax.Array, F_k: jax.Array, tau, stop_grad: bool, similarity: str) -> jax.Array:
    """(1/K) Σ_n [−S_nn + log Σ_k exp S_nk] with S = F_q sg(F_k)ᵀ/τ."""
    if stop_grad:
        F_k = jax.lax.stop_gradient(F_k)
    if similarity == "cosine":
        F_q = F_q / (jnp.linalg.norm(F_q, axis=1, keepdims=True) + 1e-8)
        F_k = F_k / (jnp.linalg.norm(F_k, axis=1, keepdims=True) + 1e-8)
    S = F_q @ F_k.T / tau
    return jnp.mean(jax.nn.logsumexp(S, axis=1) - jnp.diagonal(S))


def infonce_sg_wenli(F_a: jax.Array, F_b: jax.Array, tau=1.0, *, stop_grad: bool = True,
                     similarity: Literal["dot", "cosine"] = "dot",
                     combine: Literal["sum", "mean"] = "sum") -> jax.Array:
    """Symmetric InfoNCE of two views with a stop-gradient similarity (no weight decay).

    Args:
      F_a, F_b: embeddings of the two views of K positive pairs, shape (K, m); row n of each is a pair.
      tau: temperature τ > 0 (a Python float or a traced scalar).
      stop_grad: if True, each direction treats the other view's embeddings as constants (sg).
      similarity: "dot" (⟨F_a[n], F_b[k]⟩, spec default) or "cosine" (rows normalised, +1e-8).
      combine: "sum" (spec default: L_{a→b} + L_{b→a}) or "mean" (half of it).
    Returns:
      scalar L_{a→b} + L_{b→a} (or their mean), L_{a→b} = (1/K) Σ_n [−S_nn + log Σ_k exp S_nk],
      S_nk = ⟨F_a[n], sg F_b[k]⟩/τ; L_{b→a} swaps the roles of a and b.
    References:
      Wen & Li, *Toward Understanding the Feature Learning Process of Self-supervised Contrastive
      Learning*, ICML 2021 (arXiv:2105.15134); spec wenli2021 §4.
    Example:
      >>> F = jnp.eye(4)
      >>> infonce_sg_wenli(F, F)  # 2·(−1 + log(e + 3)) ≈ 1.4873
    """
    l_ab = _one_direction(F_a, F_b, tau, stop_grad, similarity)
    l_ba = _one_direction(F_b, F_a, tau, stop_grad, similarity)
    total = l_ab + l_ba
    return total / 2 if combine == "mean" else total
