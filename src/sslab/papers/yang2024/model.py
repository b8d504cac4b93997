"""Yang et al. 2024 models: the two-neuron sigmoid SSL encoder and the SL network (spec §3, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ...config import Section, nonnegative, param


@dataclass
class YangSSL(Section):
    """Spec §3: f_W(x) = σ(Wx), W ∈ R^{2×d}; L2 coefficient α; initialisation conditions 0 and 1 (§4)."""

    name: Literal["yang_ssl"] = param("yang_ssl")
    alpha: float = param(1 / 800, lane=True, check=nonnegative, doc="L2 coefficient α on W")
    condition: Literal[0, 1] = param(0, doc="0: around the local minimum; 1: only the correct signs")
    rest_init: Literal["normal", "zero"] = param("normal", doc="coordinates 3..d at init: N(0,1) (code) or 0")


@dataclass
class YangSL(Section):
    """Spec §3: ŷ = σ(Fᵀσ(W x)); L2 coefficients β on W and γ on F."""

    name: Literal["yang_sl"] = param("yang_sl")
    beta: float = param(1 / 800, lane=True, check=nonnegative, doc="L2 coefficient β on W^SL")
    gamma: float = param(1 / 800, lane=True, check=nonnegative, doc="L2 coefficient γ on F")
    rest_init: Literal["normal", "zero"] = param("normal", doc="coordinates 3..d at init: N(0,1) (code) or 0")
    init_signs: Literal["opposite", "same"] = param(
        "opposite", doc="opposite: w11 > 0 > w21 (spec §4); same: w11, w21 > 0 (not in the spec: starts every seed "
                        "on the same-sign side, the basin of the §5.3 same-sign critical point; a C5 negative control)")


def encode(W: jax.Array, X: jax.Array) -> jax.Array:
    """σ(W x) for each row of X: (n, d) -> (n, 2)."""
    return jax.nn.sigmoid(X @ W.T)


def sl_logit(params: dict, X: jax.Array) -> jax.Array:
    """Fᵀσ(W x), the SL pre-sigmoid output: (n, d) -> (n,)."""
    return encode(params["W"], X) @ params["F"]


def init_ssl(key: jax.Array, cfg: YangSSL, d: int, tau, dtype=jnp.float32) -> dict:
    """Spec §4 SSL initialisation: all entries N(0,1), then condition 0 or 1."""
    kw, ku = jax.random.split(key)
    W = jax.random.normal(kw, (2, d), dtype)
    if cfg.condition == 0:
        u = jax.random.uniform(ku, (4,), dtype)
        W = W.at[0, 0].set(3.1 + 0.8 * u[0]).at[1, 0].set(-(3.1 + 0.8 * u[1]))
        W = W.at[0, 1].set((8.5 + 0.5 * u[2]) / tau).at[1, 1].set((8.5 + 0.5 * u[3]) / tau)
    else:
        W = W.at[0, 0].set(jnp.abs(W[0, 0])).at[1, 0].set(-jnp.abs(W[1, 0]))
        W = W.at[0, 1].set(jnp.abs(W[0, 1])).at[1, 1].set(jnp.abs(W[1, 1]))
    if cfg.rest_init == "zero":
        W = W.at[:, 2:].set(0.0)
    return {"W": W}


def init_sl(key: jax.Array, cfg: YangSL, d: int, dtype=jnp.float32) -> dict:
    """Spec §4 SL initialisation: W ~ N(0,1) with w11 > 0 > w21; F ~ N(0, I_2).

    ``init_signs=same`` flips w21 > 0 instead (a negative control for C5, not the spec's initialisation).
    """
    kw, kf = jax.random.split(key)
    W = jax.random.normal(kw, (2, d), dtype)
    sign2 = 1.0 if cfg.init_signs == "same" else -1.0
    W = W.at[0, 0].set(jnp.abs(W[0, 0])).at[1, 0].set(sign2 * jnp.abs(W[1, 0]))
    if cfg.rest_init == "zero":
        W = W.at[:, 2:].set(0.0)
    return {"W": W, "F": jax.random.normal(kf, (2,), dtype)}


