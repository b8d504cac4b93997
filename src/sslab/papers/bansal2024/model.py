"""Bansal et al. 2024 models: the unconstrained linear encoder A and the SimSiam predictor W (spec §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ...config import Section, param, positive


@dataclass
class BansalLinear(Section):
    """Spec §2: f(x) = Ax, A ∈ ℝ^{r×d} unconstrained, A₀ ~ N(0, 1/d); SimSiam adds p = Wz, W₀ = I or N(0, 1/r)."""

    name: Literal["bansal_linear"] = param("bansal_linear")
    r: int = param(3, check=positive, doc="embedding dimension r (≥ q)")
    predictor: bool = param(False, doc="SimSiam's linear predictor W ∈ ℝ^{r×r}")
    W_init: Literal["identity", "normal"] = param("identity", doc="W₀ = I (default) or i.i.d. N(0, 1/r) (ablation)")
    two_towers: bool = param(False, doc="CLIP: separate A_x, A_y")


def init_encoder(key: jax.Array, r: int, d: int, dtype=jnp.float32) -> jax.Array:
    """A₀ with i.i.d. N(0, 1/d) entries (flat draw, reshaped)."""
    return jax.random.normal(key, (r * d,), dtype).reshape(r, d) / jnp.sqrt(d).astype(dtype)


def init(key: jax.Array, cfg: BansalLinear, d: int, dtype=jnp.float32) -> dict[str, jax.Array]:
    """Spec §2 initialisation of every trained matrix."""
    ka, kw, ky = jax.random.split(key, 3)
    if cfg.two_towers:
        return {"A_x": init_encoder(ka, cfg.r, d, dtype), "A_y": init_encoder(ky, cfg.r, d, dtype)}
    params = {"A": init_encoder(ka, cfg.r, d, dtype)}
    if cfg.predictor:
        params["W"] = (jnp.eye(cfg.r, dtype=dtype) if cfg.W_init == "identity"
                       else init_encoder(kw, cfg.r, cfg.r, dtype))
    return params


def encode(A: jax.Array, X: jax.Array) -> jax.Array:
    """z = Ax for each row of X: (B, d) -> (B, r)."""
    return X @ A.T


