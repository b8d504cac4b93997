"""Tian 2023 metrics (spec tian2022 §5 Metrics): loc_all, loc_other_all, within-RF |cos|; jnp, usable in-program."""

from __future__ import annotations

import jax.numpy as jnp


def candidate_mask(patterns: jnp.ndarray, T: int) -> jnp.ndarray:
    """cand[k, t] = token t appears at location k in at least one pattern, shape (K, T) (spec §5 Metrics step 4)."""
    G, K = patterns.shape
    onehot = (patterns[:, :, None] == jnp.arange(T)[None, None, :])
    return jnp.any(onehot, axis=0)


def token_ratios(W1: jnp.ndarray, E: jnp.ndarray, linear: bool = False) -> jnp.ndarray:
    """ratio[k, t] = max_r w[r,t]/(‖w_r‖ + ε_k), w = W1[k]E; |w| for linear (spec §5 Metrics steps 1–3)."""
    w = jnp.einsum("krd,dt->krt", W1, E)
    eps = jnp.maximum(jnp.max(jnp.abs(w), axis=(1, 2)) / 1000.0, 1e-6)  # ε_k
    num = jnp.abs(w) if linear else w
    return jnp.max(num / (jnp.linalg.norm(w, axis=2, keepdims=True) + eps[:, None, None]), axis=1)


def loc_scores(W1: jnp.ndarray, E: jnp.ndarray, patterns: jnp.ndarray, linear: bool = False) -> dict:
    """loc_all, loc_other_all (means over the k where they are defined) and the undefined counts (spec §5)."""
    ratio = token_ratios(W1, E, linear)
    cand = candidate_mask(patterns, E.shape[1])
    other = ~cand
    n_c, n_o = cand.sum(1), other.sum(1)
    loc_k = jnp.sum(jnp.where(cand, ratio, 0.0), 1) / jnp.maximum(n_c, 1)
    oth_k = jnp.sum(jnp.where(other, ratio, 0.0), 1) / jnp.maximum(n_o, 1)
    def_c, def_o = n_c > 0, n_o > 0
    return {
        "loc_all": jnp.sum(jnp.where(def_c, loc_k, 0.0)) / jnp.maximum(def_c.sum(), 1),
        "loc_other_all": jnp.sum(jnp.where(def_o, oth_k, 0.0)) / jnp.maximum(def_o.sum(), 1),
        "n_empty_cand": jnp.sum(~def_c).astype(W1.dtype),
        "n_empty_other": jnp.sum(~def_o).astype(W1.dtype),
    }


def within_rf_abs_cos(W1: jnp.ndarray) -> jnp.ndarray:
    """Mean over k and row pairs r < r' of |cos(W1[k]_r, W1[k]_r')| (spec §5, required by C11)."""
    K, M, _ = W1.shape
    u = W1 / jnp.maximum(jnp.linalg.norm(W1, axis=2, keepdims=True), 1e-12)
    c = jnp.abs(jnp.einsum("krd,ksd->krs", u, u))
    iu = jnp.triu(jnp.ones((M, M), bool), 1)
    return jnp.sum(jnp.where(iu[None], c, 0.0)) / (K * max(M * (M - 1) // 2, 1))
