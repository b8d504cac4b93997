"""α-CL (spec tian2022 §1): the loss family Σφ(ξ_i), pairwise importance α, contrastive covariance C_α, energy.

Conventions (spec §1): f1 = f[i] (view 1, rows), f2 = f[i'] (view 2); d²_i = ½‖f[i] − f[i']‖²;
d²_ij = ½‖f[i] − f[j]‖², j ≠ i, negatives from view 1. α is an N×N matrix with zero diagonal.
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp


def sq_distances(f1: jax.Array, f2: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(d²_i, d²_ij) of spec §1: positive distances [N] and view-1 pairwise distances [N, N]."""
    d2_pos = 0.5 * jnp.sum((f1 - f2) ** 2, axis=-1)
    d2_neg = 0.5 * jnp.sum((f1[:, None, :] - f1[None, :, :]) ** 2, axis=-1)
    return d2_pos, d2_neg


def alpha_cl_loss(f1: jax.Array, f2: jax.Array, phi: Callable, psi: Callable) -> jax.Array:
    """L = Σ_i φ(ξ_i), ξ_i = Σ_{j≠i} ψ(d²_i − d²_ij) (spec §1 loss family).

    Args:
      f1: view-1 features f[i], shape (N, d).
      f2: view-2 features f[i'], shape (N, d).
      phi: monotone φ, elementwise.
      psi: monotone ψ, elementwise.
    Returns:
      the scalar loss (sum over i).
    References:
      Tian 2022, arXiv:2201.12680 (α-CL); Tian 2023, arXiv:2206.01342 §2; spec tian2022 §1.
    Example:
      >>> alpha_cl_loss(f1, f2, lambda x: jnp.log1p(x), lambda x: jnp.exp(x / 0.1))
    """
    d2_pos, d2_neg = sq_distances(f1, f2)
    off = 1.0 - jnp.eye(f1.shape[0], dtype=f1.dtype)
    xi = jnp.sum(off * psi(d2_pos[:, None] - d2_neg), axis=1)
    return jnp.sum(phi(xi))


def infonce_alpha_cl(f1: jax.Array, f2: jax.Array, tau=0.1) -> jax.Array:
    """L = Σ_i log(1 + ξ_i), ψ(x) = e^{x/τ} (spec §1; = Σ_i −log softmax_ii for unit-norm f).

    Args:
      f1: view-1 features (N, d); f2: view-2 features (N, d); tau: temperature τ.
    Returns:
      the scalar loss (sum over i).
    References:
      spec tian2022 §1 and C1.
    Example:
      >>> infonce_alpha_cl(jnp.ones((4, 2)), jnp.ones((4, 2)), 0.1)  # 4·log 4
    """
    d2_pos, d2_neg = sq_distances(f1, f2)
    N = f1.shape[0]
    logits = jnp.where(jnp.eye(N, dtype=bool), 0.0, (d2_pos[:, None] - d2_neg) / tau)  # diagonal: the '1'
    return jnp.sum(jax.nn.logsumexp(logits, axis=1))


def infonce_alpha(f1: jax.Array, f2: jax.Array, tau=0.1) -> jax.Array:
    """α_ij = φ'(ξ_i)ψ'(d²_i − d²_ij) for InfoNCE = softmax prob. of negative j in row i, α_ii = 0 (spec §1).

    Args:
      f1, f2: view features (N, d); tau: temperature τ.
    Returns:
      α, shape (N, N), zero diagonal, row sums 1 − p_ii. Not detached: wrap in ``stop_gradient`` for the rule.
    References:
      spec tian2022 §1 (pairwise importance).
    Example:
      >>> infonce_alpha(f1, f2, 0.1).sum(1)  # = 1 − p_ii
    """
    d2_pos, d2_neg = sq_distances(f1, f2)
    eye = jnp.eye(f1.shape[0], dtype=bool)
    logits = jnp.where(eye, 0.0, (d2_pos[:, None] - d2_neg) / tau)
    return jnp.where(eye, 0.0, jax.nn.softmax(logits, axis=1))


def contrastive_covariance(a1: jax.Array, a2: jax.Array, alpha: jax.Array,
                           b1: jax.Array | None = None, b2: jax.Array | None = None) -> jax.Array:
    """C_α[a, b] = Σ_{i≠j} α_ij (a_i−a_j)(b_i−b_j)ᵀ − Σ_i (Σ_{j≠i} α_ij)(a_i−a_i')(b_i−b_i')ᵀ (spec §1).

    Args:
      a1, a2: first factor, views 1 and 2, shape (N, p); b1, b2: second factor (N, q), default a.
      alpha: pairwise importance (N, N); the diagonal is ignored.
    Returns:
      C_α[a, b], shape (p, q).
    References:
      Tian 2022 (α-CL) Eqn. of the contrastive covariance; spec tian2022 §1 (default constants).
    Example:
      >>> contrastive_covariance(f1, f2, jnp.ones((N, N)) / N)
    """
    b1 = a1 if b1 is None else b1
    b2 = a2 if b2 is None else b2
    alpha = alpha * (1.0 - jnp.eye(alpha.shape[0], dtype=alpha.dtype))
    r, c = alpha.sum(1), alpha.sum(0)
    # Σ_ij α_ij (a_i − a_j)(b_i − b_j)ᵀ expanded into four matrix products.
    neg = (a1 * (r + c)[:, None]).T @ b1 - a1.T @ alpha @ b1 - a1.T @ alpha.T @ b1
    pos = ((a1 - a2) * r[:, None]).T @ (b1 - b2)
    return neg - pos


def negative_term(a: jax.Array, alpha: jax.Array) -> jax.Array:
    """Σ_{i≠j} α_ij (a_i − a_j)(a_i − a_j)ᵀ, the first sum of C_α (spec §1)."""
    return contrastive_covariance(a, a, alpha)


def contrastive_covariance_uniform(a1: jax.Array, a2: jax.Array, b1: jax.Array | None = None,
                                   b2: jax.Array | None = None) -> jax.Array:
    """C_α[a, b] for α ≡ 1/N (i ≠ j) without forming α: O(N p q) (spec §1 uniform case, §2 default α)."""
    b1 = a1 if b1 is None else b1
    b2 = a2 if b2 is None else b2
    N = a1.shape[0]
    neg = 2.0 * (a1.T @ b1) - (2.0 / N) * jnp.outer(a1.sum(0), b1.sum(0))
    pos = ((N - 1) / N) * ((a1 - a2).T @ (b1 - b2))
    return neg - pos


def energy(f1: jax.Array, f2: jax.Array, alpha: jax.Array) -> jax.Array:
    """E_α = ½ tr C_α[f] (spec §1).

    Args:
      f1, f2: view features (N, d); alpha: (N, N) pairwise importance.
    Returns:
      the scalar energy.
    References:
      spec tian2022 §1.
    Example:
      >>> energy(f1, f2, jax.lax.stop_gradient(infonce_alpha(f1, f2, 0.1)))
    """
    return 0.5 * jnp.trace(contrastive_covariance(f1, f2, alpha))


def energy_sg(f1: jax.Array, f2: jax.Array, tau=0.1) -> jax.Array:
    """E_{sg(α(θ))}: the InfoNCE α takes its value from θ but carries no gradient (spec §1, Eqn. 2).

    Args:
      f1, f2: view features (N, d); tau: temperature τ.
    Returns:
      the scalar energy with detached α; −(1/τ)∇ of it equals ∇ of ``infonce_alpha_cl`` (C1).
    References:
      Tian 2023, arXiv:2206.01342 Eqn. 2; spec tian2022 §1 (training rule).
    Example:
      >>> jax.grad(lambda f: -energy_sg(f, f2) / 0.1)(f1)
    """
    alpha = jax.lax.stop_gradient(infonce_alpha(f1, f2, tau))
    return energy(f1, f2, alpha)


def variance_p(f: jax.Array, p: jax.Array) -> jax.Array:
    """V_p[f] = Σ_i p(i) f_i f_iᵀ − (Σ_i p(i) f_i)(Σ_i p(i) f_i)ᵀ (spec §1, kernel case)."""
    m = p @ f
    return (f * p[:, None]).T @ f - jnp.outer(m, m)


def kernel_negative_term(f: jax.Array, phis: jax.Array) -> jax.Array:
    """Σ_l 2 Z_l² V_{p_l}[f] with Z_l = Σ_i φ_l(x_i), p_l = φ_l/Z_l; phis: (L, N) (spec §1, kernel case)."""
    Z = phis.sum(1)
    return sum(2.0 * Z[l] ** 2 * variance_p(f, phis[l] / Z[l]) for l in range(phis.shape[0]))
