"""Yang et al. 2024 data model: x = y·e1 + τ·z·e2 + ρ·ξ with Gaussian two-view augmentation (spec §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from ...config import ConfigError, Section, param, positive


@dataclass
class YangData(Section):
    """Spec yang2024 §1–§2: four equiprobable clusters, label feature e1, hidden feature e2."""

    name: Literal["yang2024"] = param("yang2024")
    d: int = param(10, check=positive, doc="input dimension (>= 2)")
    n: int = param(100, check=positive, doc="training points drawn once per seed (default d**2)")
    tau: float = param(7.0, lane=True, check=positive, doc="hidden-feature scale τ")
    rho: float | None = param(None, lane=True, check=positive, doc="noise scale ρ (default d**-1.5)")
    noise: Literal["isotropic", "scalar"] = param(
        "isotropic", lane=True, doc="isotropic: ξ ~ N(0, I_d) (paper); scalar: ξ = g·1_d (official scripts)")
    rng: Literal["jax", "official"] = param("jax", doc="official: NumPy legacy RNG in the official draw order")
    augment: Literal["full", "projected"] = param(
        "full", doc="full: ζ ~ N(0, I_d) per point and view (2nd normals a step); projected: the same update in law "
                    "from 2(2n + 2d) normals (ζ split along W's row space; see projected_alignment)")

    def check(self) -> None:
        if self.d < 2:
            raise ConfigError(f"data.d: must be >= 2 (e1 and e2 are features), got {self.d}")
        if self.augment == "projected" and self.rng == "official":
            raise ConfigError("data.augment=projected: the official RNG order draws every ζ; use data.augment=full")

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
    # noise is a lane field (both modes run as lanes of one program): draw both, keep the lane's
    xi = jnp.where(cfg.noise == "scalar", jnp.broadcast_to(jax.random.normal(kxi, (n, 1), dtype), (n, cfg.d)),
                   jax.random.normal(kxi, (n * cfg.d,), dtype).reshape(n, cfg.d))
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


def _sqrtm2(S: jax.Array) -> jax.Array:
    """Symmetric square root of a PSD 2×2 matrix: (S + √det S·I)/√(tr S + 2√det S), 0 for S = 0."""
    s = jnp.sqrt(jnp.maximum(S[0, 0] * S[1, 1] - S[0, 1] * S[1, 0], 0.0))
    t = jnp.sqrt(S[0, 0] + S[1, 1] + 2.0 * s)
    return jnp.where(t > 0, (S + s * jnp.eye(2, dtype=S.dtype)) / jnp.where(t > 0, t, 1.0), 0.0)


def projected_alignment(W: jax.Array, X: jax.Array, key: jax.Array, rho, loss_fn) -> jax.Array:
    """Spec §3 loss of W (2×d) on both views, augmentation drawn in law from 2(2n + 2d) normals.

    Split ζ = Q a + P⊥ b, Q (d×2) an orthonormal basis of W's row space, P⊥ = I − QQᵀ, a ~ N(0, I_2) and
    b ~ N(0, I_d) independent, so ζ ~ N(0, I_d) and Wζ = WQa: the loss value depends on a only. The gradient
    Σ_i g_i x̃_iᵀ (g_i = ∂L/∂(Wx̃_i)) splits into Σ_i g_i (x_i + ρQa_i)ᵀ, by autodiff of the loss at
    x̃ = x + ρQa, and ρ Σ_i g_i b_iᵀP⊥, which given the g_i is matrix normal MN(0, GᵀG, P⊥) and is drawn
    as ρ (GᵀG)^{1/2} N P⊥ with N 2×d standard normal; it enters through ρ⟨W − sg W, sg R⟩ (value 0).
    Same update law as ``augmentation_noise``; a different stream.
    """
    n, d = X.shape
    k_a, k_b = jax.random.split(key)
    Q = jnp.linalg.qr(jax.lax.stop_gradient(W).T)[0]  # d×2
    a = jax.random.normal(k_a, (2 * n * 2,), X.dtype).reshape(2, n, 2)

    def loss_of(P):  # P: pre-activations W x̃ of both views, (2, n, 2)
        return loss_fn(jax.nn.sigmoid(P[0]), jax.nn.sigmoid(P[1]))

    P = (X @ W.T)[None] + rho * (a @ (W @ Q).T)  # W(x + ρQa) without forming the n×d views
    G = jax.grad(loss_of)(jax.lax.stop_gradient(P))  # (2, n, 2): g_i of each view
    N = jax.random.normal(k_b, (2 * 2 * d,), X.dtype).reshape(2, 2, d)
    R = jnp.stack([_sqrtm2(G[j].T @ G[j]) @ (N[j] - (N[j] @ Q) @ Q.T) for j in range(2)]).sum(0)
    return loss_of(P) + rho * jnp.sum((W - jax.lax.stop_gradient(W)) * jax.lax.stop_gradient(R))


