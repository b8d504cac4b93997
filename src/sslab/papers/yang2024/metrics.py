"""Yang et al. 2024 feature-recovery metrics (spec yang2024 §6)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .model import sl_logit



def projections(W: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """‖P e1‖, ‖P e2‖ and cond(A) for A = [w1, w2] (spec §6), P the projector on span(A).

    A thin QR by Gram–Schmidt on the two columns (A = QR, P = QQᵀ, ‖Pe‖ = ‖Qᵀe‖), with no inverse;
    written out for two columns because LAPACK calls dominate the step time of this tiny model.
    cond(A) = σ1/σ2 of the 2×2 factor R.
    """
    r11 = jnp.linalg.norm(W[0])
    q1 = W[0] / r11
    r12 = q1 @ W[1]
    u = W[1] - r12 * q1
    r22 = jnp.linalg.norm(u)
    q2 = u / r22
    fro2 = r11**2 + r12**2 + r22**2
    det = r11 * r22
    s1 = jnp.sqrt((fro2 + jnp.sqrt(jnp.maximum(fro2**2 - 4 * det**2, 0.0))) / 2)
    return jnp.hypot(q1[0], q2[0]), jnp.hypot(q1[1], q2[1]), s1**2 / det


def neuron_metrics(W: jax.Array, tau) -> dict[str, jax.Array]:
    """Per-neuron weights on e1, e2, b_k = τ w_k·e2, r_k = |w_k·e2|/‖w_k‖, cos(w1, w2), projections."""
    norms = jnp.linalg.norm(W, axis=1)
    Pe1, Pe2, condA = projections(W)
    return {
        "w11": W[0, 0], "w12": W[0, 1], "w21": W[1, 0], "w22": W[1, 1],
        "b1": tau * W[0, 1], "b2": tau * W[1, 1],
        "r1": jnp.abs(W[0, 1]) / norms[0], "r2": jnp.abs(W[1, 1]) / norms[1],
        "cos": W[0] @ W[1] / (norms[0] * norms[1]),
        "Pe1": Pe1, "Pe2": Pe2, "condA": condA,
    }


def sl_metrics(params: dict, X: jax.Array, t: jax.Array, tau) -> dict[str, jax.Array]:
    """SL extras (spec §6): F and the training accuracy 1[ŷ > 0.5] = t."""
    yhat_pos = sl_logit(params, X) > 0.0  # σ(s) > 0.5 ⇔ s > 0
    acc = jnp.mean((yhat_pos == (t > 0.5)).astype(X.dtype))
    return {**neuron_metrics(params["W"], tau), "F1": params["F"][0], "F2": params["F"][1], "acc": acc}


