"""Yang et al. 2024 data model: x = y·e1 + τ·z·e2 + ρ·ξ with Gaussian two-view augmentation (spec §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ..config import ConfigError, Section, param, positive
from ..registry import DATA


@dataclass
class YangData(Section):
    """Spec yang2024 §1–§2: four equiprobable clusters, label feature e1, hidden feature e2."""

    name: Literal["yang2024"] = param("yang2024")
    d: int = param(10, check=positive, doc="input dimension (>= 2)")
    n: int = param(100, check=positive, doc="training points drawn once per seed (default d**2)")
    tau: float = param(7.0, lane=True, check=positive, doc="hidden-feature scale τ")
    rho: float | None = param(None, lane=True, check=positive, doc="noise scale ρ (default d**-1.5)")
    noise: Literal["isotropic", "scalar"] = param(
        "isotropic", doc="isotropic: ξ ~ N(0, I_d) (paper); scalar: ξ = g·1_d (official scripts)")
    rng: Literal["jax", "official"] = param("jax", doc="official: NumPy legacy RNG in the official draw order")

    def check(self) -> None:
        if self.d < 2:
            raise ConfigError(f"data.d: must be >= 2 (e1 and e2 are features), got {self.d}")

    def resolve(self) -> "YangData":
        return self if self.rho is not None else _replace(self, rho=self.d ** -1.5)


def _replace(obj, **kw):
    import dataclasses
    return dataclasses.replace(obj, **kw)


def sample(key: jax.Array, cfg: YangData, n: int, dtype=jnp.float32) -> dict[str, jax.Array]:
    """Spec §2: n i.i.d. points; returns X (n, d), labels y ∈ {±1}, hidden z ∈ {0, 1}, SL targets t."""
    ky, kz, kxi = jax.random.split(key, 3)
    y = jnp.where(jax.random.bernoulli(ky, 0.5, (n,)), 1.0, -1.0).astype(dtype)
    z = jax.random.bernoulli(kz, 0.5, (n,)).astype(dtype)
    if cfg.noise == "isotropic":
        xi = jax.random.normal(kxi, (n * cfg.d,), dtype).reshape(n, cfg.d)
    else:
        xi = jnp.broadcast_to(jax.random.normal(kxi, (n, 1), dtype), (n, cfg.d))
    X = cfg.rho * xi
    X = X.at[:, 0].add(y).at[:, 1].add(cfg.tau * z)
    return {"X": X, "y": y, "z": z, "t": (1.0 - y) / 2.0}


def augmentation_noise(key: jax.Array, n: int, d: int, dtype=jnp.float32) -> jax.Array:
    """Spec §3: ζ of shape (2, n, d); view j of point i is x_i + ρ·ζ[j, i]; isotropic in every mode."""
    # A flat draw reshaped view-major is several times faster on CPU than a 3-d or point-major draw.
    return jax.random.normal(key, (2 * n * d,), dtype).reshape(2, n, d)


def views(X: jax.Array, zeta: jax.Array, rho) -> tuple[jax.Array, jax.Array]:
    """The two augmented views x̃^(j) = x + ρ ζ_j, with ζ of shape (2, n, d)."""
    return X + rho * zeta[0], X + rho * zeta[1]


DATA.register("yang2024", YangData)
