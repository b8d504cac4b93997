"""InfoNCE family beyond the one-sided dot form: two-sided (symmetrised) InfoNCE and SimCLR's NT-Xent (issue 11)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .normalize import l2_normalize
from .infonce import infonce


def infonce_two_sided(z1: jax.Array, z2: jax.Array, tau=1.0, similarity: str = "dot") -> jax.Array:
    """L = ½[L(z1 → z2) + L(z2 → z1)], each one-sided InfoNCE with the other view's batch as negatives.

    Args:
      z1, z2: embeddings of the two views, shape (B, r); row i of each is a positive pair.
      tau: temperature τ (may be traced).
      similarity: ``"dot"`` or ``"cosine"`` (rows normalised).
    Returns:
      ½(1/B) Σ_i [LSE_j S_ij − S_ii] + ½(1/B) Σ_i [LSE_j S_ji − S_ii], S_ij = sim(z1_i, z2_j)/τ;
      with ``"dot"`` this is exactly the CLIP loss.
    References:
      Oord et al. 2018 (CPC); Radford et al. 2021 (CLIP, the symmetric form).
    Example:
      >>> infonce_two_sided(jnp.ones((8, 3)), jnp.ones((8, 3)))  # log 8
    """
    return 0.5 * (infonce(z1, z2, tau, similarity) + infonce(z2, z1, tau, similarity))


def nt_xent(z1: jax.Array, z2: jax.Array, tau=0.5) -> jax.Array:
    """SimCLR's NT-Xent: 2B anchors, each with its pair as positive and the other 2B − 2 samples as negatives.

    Args:
      z1, z2: embeddings of the two views, shape (B, r) (normalised here, eps 1e-12).
      tau: temperature τ (SimCLR's CIFAR default 0.5).
    Returns:
      (1/2B) Σ_{k=1}^{2B} −log [exp(s_{k,k⁺}/τ) / Σ_{m≠k} exp(s_km/τ)] over u = [ẑ1; ẑ2], s_km = u_kᵀu_m,
      k⁺ = k ± B; the mean over all 2B anchors (the paper's 1/2N Σ ℓ(2k−1, 2k) + ℓ(2k, 2k−1)).
    References:
      Chen, Kornblith, Norouzi, Hinton 2020 (SimCLR), Algorithm 1.
    Example:
      >>> nt_xent(jnp.ones((4, 3)), jnp.ones((4, 3)))  # log(2B − 1) = log 7
    """
    B = z1.shape[0]
    u = jnp.concatenate([l2_normalize(z1), l2_normalize(z2)], axis=0)
    S = u @ u.T / tau
    S = jnp.where(jnp.eye(2 * B, dtype=bool), -jnp.inf, S)  # an anchor is never its own negative
    pos = jnp.concatenate([jnp.diagonal(S, B), jnp.diagonal(S, -B)])  # S[k, k+B], then S[k+B, k]
    return jnp.mean(jax.nn.logsumexp(S, axis=1) - pos)
