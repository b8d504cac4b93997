"""The two losses this paper needs that sslab.losses does not have (spec simon2023 §3): the paper's linearised
Barlow Twins loss ‖C − I‖²_F on the symmetrised cross-correlation, and SimCLR's NT-Xent with dot-product
similarity. Pure functions of arrays (jax only), ``vmap``-able over lanes; VICReg is ``sslab.losses.vicreg``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def cross_correlation(z1: jax.Array, z2: jax.Array) -> jax.Array:
    """C = (1/2n) Σ_i [z1_i z2_iᵀ + z2_i z1_iᵀ], the symmetrised, uncentred cross-correlation (spec §3)."""
    n = z1.shape[0]
    raw = z1.T @ z2 / n
    return 0.5 * (raw + raw.T)


def barlow_twins_linear(z1: jax.Array, z2: jax.Array) -> jax.Array:
    """L = ‖C − I‖²_F with C the symmetrised cross-correlation of the two views' embeddings.

    Args:
      z1, z2: embeddings f(x_i), f(x'_i) of the n positive pairs, shape (n, d).
    Returns:
      Σ_j (1 − C_jj)² + Σ_{j≠k} C_jk²: Barlow Twins with λ = 1 and no batch normalisation.
    References:
      Simon et al. 2023 (the simplified Barlow Twins loss of the linear model); spec simon2023 §3.
    Example:
      >>> barlow_twins_linear(jnp.zeros((8, 3)), jnp.zeros((8, 3)))  # d = 3 at collapse
    """
    C = cross_correlation(z1, z2)
    return jnp.sum((C - jnp.eye(C.shape[0], dtype=C.dtype)) ** 2)


def barlow_twins_kernel(W: jax.Array, Gamma: jax.Array) -> jax.Array:
    """The same loss as a function of the linear map: ‖WΓWᵀ − I‖²_F, since C = WΓWᵀ for f(x) = Wx (spec §3)."""
    C = W @ Gamma @ W.T
    return jnp.sum((C - jnp.eye(C.shape[0], dtype=C.dtype)) ** 2)


def nt_xent_dot(z1: jax.Array, z2: jax.Array, tau=1.0) -> jax.Array:
    """SimCLR's NT-Xent with the dot product as similarity (no normalisation of the embeddings).

    Args:
      z1, z2: embeddings of the two views, shape (n, d); row i of each is a positive pair.
      tau: temperature τ (may be traced).
    Returns:
      (1/2n) Σ_{k=1}^{2n} −log [exp(s_{k,k⁺}) / Σ_{l≠k} exp(s_kl)] over u = [z1; z2], s_kl = u_k·u_l/τ,
      k⁺ = k ± n.
    References:
      Chen et al. 2020 (SimCLR), Algorithm 1, with sim(u, v) = uᵀv instead of the cosine; spec simon2023 §3
      (a cosine similarity makes the loss invariant to the scale of W, so there would be no small-initialisation
      regime to study).
    Example:
      >>> nt_xent_dot(jnp.zeros((4, 3)), jnp.zeros((4, 3)))  # log(2n − 1) = log 7
    """
    n = z1.shape[0]
    u = jnp.concatenate([z1, z2], axis=0)
    S = u @ u.T / tau
    S = jnp.where(jnp.eye(2 * n, dtype=bool), -jnp.inf, S)  # an anchor is never its own negative
    pos = jnp.concatenate([jnp.diagonal(S, n), jnp.diagonal(S, -n)])  # S[k, k+n], then S[k+n, k]
    return jnp.mean(jax.nn.logsumexp(S, axis=1) - pos)
