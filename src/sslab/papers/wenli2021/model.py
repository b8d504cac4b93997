"""Wen & Li 2021 network: one layer of symmetric ReLUs with bias (soft thresholds), spec wenli2021 §3."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ...config import Section, in_range, nonnegative, param, positive


@dataclass
class WenLiNet(Section):
    """Spec §3: f(x) = (h_1(x), …, h_m(x)), h_i = soft threshold of ⟨w_i, x⟩ at b_i; bias rule ramp | zero | learned."""

    name: Literal["wenli2021"] = param("wenli2021")
    m: int | None = param(None, check=positive, doc="width m (default 4d)")
    init_var: float = param(0.01, lane=True, check=positive, doc="W entries ~ N(0, init_var/d1) (‖w_i‖ ≈ √init_var)")
    bias_rule: Literal["ramp", "zero", "learned"] = param(
        "ramp", doc="ramp: b_i = κ_t s ‖w_i‖ (not learned); zero: b = 0 (linear net); learned: per-neuron b_i ≥ 0 (ablation)")
    kappa_max: float = param(2.5, lane=True, check=nonnegative, doc="κ_max of the ramp and of evaluation")
    ramp_frac: float = param(1 / 3, lane=True, check=in_range(1e-9, 1.0), doc="T_ramp = ramp_frac·T (not rounded)")


def soft_threshold(u: jax.Array, b: jax.Array) -> jax.Array:
    """Symmetric ReLU h(u) = ReLU(u − b) − ReLU(−u − b) (spec §3)."""
    return jax.nn.relu(u - b) - jax.nn.relu(-u - b)


def kappa(t, cfg: WenLiNet, steps: int):
    """Spec §3 κ_t = κ_max·min(1, t/T_ramp), T_ramp = ramp_frac·T; 0 under bias_rule = zero."""
    if cfg.bias_rule == "zero":
        return jnp.zeros_like(jnp.asarray(t, jnp.float32))
    return cfg.kappa_max * jnp.minimum(1.0, t / (cfg.ramp_frac * steps))


def bias(W: jax.Array, kappa_t, s) -> jax.Array:
    """b_i = κ_t·s·‖w_i‖ with ‖w_i‖ held constant (stop-gradient), spec §3; W is d1×m."""
    return kappa_t * s * jax.lax.stop_gradient(jnp.linalg.norm(W, axis=0))


def encode(W: jax.Array, X: jax.Array, b: jax.Array) -> jax.Array:
    """f(X) = h(X W; b): (n, d1) -> (n, m)."""
    return soft_threshold(X @ W, b)


def init(key: jax.Array, cfg: WenLiNet, d1: int, dtype=jnp.float32) -> dict[str, jax.Array]:
    """Spec §3: W ∈ R^{d1×m}, entries i.i.d. N(0, init_var/d1); plus b = 0 under bias_rule = learned."""
    W = jnp.sqrt(cfg.init_var / d1) * jax.random.normal(key, (d1 * cfg.m,), dtype).reshape(d1, cfg.m)
    if cfg.bias_rule == "learned":
        return {"W": W, "b": jnp.zeros((cfg.m,), dtype)}
    return {"W": W}


