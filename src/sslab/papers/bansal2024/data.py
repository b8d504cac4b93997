"""Bansal et al. 2024 data: shared-covariance GMM, noisy positive coupling δ, CLIP block model (spec bansal2024 §1).

GMM parameters are drawn per seed in float64 NumPy from ``np.random.default_rng([seed, tag])`` (one
stream per object, so changing κ or Δ keeps Q and the raw means) and passed to the compiled program as
host inputs; population-mode pairs are drawn inside the program with JAX from the per-step key.
Mixture weights π are uniform (spec §1.1 default); the in-program sampler assumes it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

from ...config import ConfigError, Section, in_range, param, positive

# Stream tags of np.random.default_rng([seed, tag]); one tag per independent draw.
TAG_Q, TAG_MEANS, TAG_T, TAG_FIXED, TAG_LABELLED, TAG_TEST = 1, 2, 3, 4, 5, 6
TAG_BLOCK = {"x": 10, "y": 20}  # + 1 Q_m, + 2 Q_s, + 3 μ_s, + 4 Q_u, + 5 ν


@dataclass
class BansalData(Section):
    """Spec §1: GMM (d, k, κ, Δ), pairs in population or fixed-dataset mode, noise δ; or the §1.6 block model."""

    name: Literal["bansal2024"] = param("bansal2024")
    structure: Literal["gmm", "block"] = param("gmm", doc="gmm: §1.1 GMM; block: §1.6 CLIP block model")
    d: int = param(20, check=positive, doc="input dimension (block model: d_s + d_u)")
    k: int = param(4, check=positive, doc="number of components (block model: shared components)")
    kappa: float = param(100.0, lane=True, check=lambda x: None if x >= 1 else "must be >= 1",
                         doc="cond(Σ) (§1.2); host-side only")
    Delta: float = param(3.0, lane=True, check=positive, doc="mean pairwise Mahalanobis distance (§1.3); host-side only")
    delta: float = param(0.0, lane=True, check=in_range(0.0, 1.0), doc="probability of redrawing c′ (§1.5)")
    mode: Literal["population", "fixed"] = param("population", doc="population: fresh pairs; fixed: n pairs once")
    n: int = param(32000, check=positive, doc="fixed-dataset size")
    d_s: int = param(10, check=positive, doc="block model: shared-block dimension")
    d_u: int = param(10, check=positive, doc="block model: private-block dimension")
    k_u: int = param(4, check=positive, doc="block model: private components")
    transform: Literal["none", "random"] = param("none", doc="random: train on Tx, cond(T) ≤ t_cond (claim 4)")
    t_cond: float = param(10.0, check=positive, doc="redraw T until cond(T) ≤ t_cond")

    def check(self) -> None:
        if self.k < 2:
            raise ConfigError(f"data.k: must be >= 2, got {self.k}")
        if self.structure == "block" and self.d != self.d_s + self.d_u:
            raise ConfigError(f"data.d: must equal d_s + d_u = {self.d_s + self.d_u} for structure=block, got {self.d}")
        if self.structure == "block" and self.transform != "none":
            raise ConfigError("data.transform=random needs data.structure=gmm")


# --- §1.1–1.3: float64 NumPy parameters -----------------------------------------------------------

def haar(rng: np.random.Generator, d: int) -> np.ndarray:
    """§1.2: Haar-orthogonal Q, the QR factor of a standard Gaussian matrix with diag(R) > 0."""
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def spectrum(kappa: float, d: int) -> np.ndarray:
    """§1.2: λ_i = κ^{1/2 − (i−1)/(d−1)} (cond κ, det 1)."""
    if d == 1:
        return np.ones(1)
    i = np.arange(d)
    return float(kappa) ** (0.5 - i / (d - 1))


def mean_pairwise_mahalanobis(mu: np.ndarray, Sigma: np.ndarray) -> float:
    """§1.3: mean over c < c′ of ‖Σ^{-1/2}(μ_c − μ_c′)‖."""
    k = len(mu)
    P = np.linalg.inv(Sigma)
    ds = [np.sqrt((mu[a] - mu[b]) @ P @ (mu[a] - mu[b])) for a in range(k) for b in range(a + 1, k)]
    return float(np.mean(ds))


def scaled_means(m: np.ndarray, pi: np.ndarray, Sigma: np.ndarray, Delta: float) -> np.ndarray:
    """§1.3: centre the raw means m and rescale them so the mean pairwise Mahalanobis distance is Δ."""
    mu = m - pi @ m
    return mu * (Delta / mean_pairwise_mahalanobis(mu, Sigma))


@dataclass
class GMM:
    """A shared-covariance GMM in float64: π (k,), μ (k, d), Σ = Q diag(λ) Qᵀ, and L = Q diag(√λ) (Σ = LLᵀ)."""

    pi: np.ndarray
    mu: np.ndarray
    Sigma: np.ndarray
    L: np.ndarray

    @property
    def d(self) -> int:
        return self.mu.shape[1]

    @property
    def k(self) -> int:
        return self.mu.shape[0]

    @property
    def S_B(self) -> np.ndarray:
        """§1.1: between-class scatter Σ_c π_c (μ_c − μ̄)(μ_c − μ̄)ᵀ."""
        mc = self.mu - self.pi @ self.mu
        return (mc.T * self.pi) @ mc

    def transformed(self, T: np.ndarray) -> "GMM":
        """The GMM of Tx: means Tμ_c, covariance TΣTᵀ (claim 4)."""
        return GMM(self.pi, self.mu @ T.T, T @ self.Sigma @ T.T, T @ self.L)

    def sample(self, rng: np.random.Generator, n: int, delta: float = 0.0) -> dict[str, np.ndarray]:
        """§1.4–1.5 in NumPy: n labelled pairs (x, x⁺, c, c′), float64."""
        c = rng.choice(self.k, size=n, p=self.pi)
        redraw = rng.random(n) < delta
        c2 = np.where(redraw, rng.choice(self.k, size=n, p=self.pi), c)
        z = rng.standard_normal((2, n, self.d))
        return {"x": self.mu[c] + z[0] @ self.L.T, "xp": self.mu[c2] + z[1] @ self.L.T, "c": c, "c2": c2}


def gmm_params(seed: int, d: int = 20, k: int = 4, kappa: float = 100.0, Delta: float = 3.0,
               tag0: int = 0) -> GMM:
    """§1.1–1.3: the seed's GMM (uniform π); Q and the raw means come from separate streams."""
    Q = haar(np.random.default_rng([seed, tag0 + TAG_Q]), d)
    lam = spectrum(kappa, d)
    Sigma = (Q * lam) @ Q.T
    pi = np.full(k, 1.0 / k)
    m = np.random.default_rng([seed, tag0 + TAG_MEANS]).standard_normal((k, d))
    return GMM(pi, scaled_means(m, pi, Sigma, Delta), Sigma, Q * np.sqrt(lam))


def random_transform(seed: int, d: int, max_cond: float = 10.0) -> np.ndarray:
    """Claim 4: T with i.i.d. N(0, 1) entries, redrawn until cond(T) ≤ max_cond (read-only, cached per seed).

    For d = 20 about one draw in 10⁴ has cond ≤ 10, so a draw costs seconds; every caller (host inputs, reference
    subspaces, evaluation, the claim-4 rows) gets the same cached matrix.
    """
    return _random_transform(int(seed), int(d), float(max_cond))


@functools.lru_cache(maxsize=None)
def _random_transform(seed: int, d: int, max_cond: float) -> np.ndarray:
    # Draws in chunks: rng.standard_normal((m, d, d)) is the same stream as m draws of (d, d), and the batched
    # np.linalg.cond is the per-matrix one, so the first accepted T is the one the one-at-a-time loop returns.
    rng = np.random.default_rng([seed, TAG_T])
    while True:
        Ts = rng.standard_normal((1024, d, d))
        ok = np.flatnonzero(np.linalg.cond(Ts) <= max_cond)
        if ok.size:
            T = Ts[ok[0]].copy()
            T.flags.writeable = False
            return T


# --- §1.6: block model ----------------------------------------------------------------------------

@dataclass
class Modality:
    """One modality m = Q_m[s; u] (§1.6), in input coordinates.

    ``shared`` and ``private`` are the block GMMs (in block coordinates); ``mu`` (k, d) and ``nu`` (k_u, d)
    are their means mapped through Q_m; L = Q_m blockdiag(L_s, L_u).
    """

    Q: np.ndarray
    shared: GMM
    private: GMM

    @property
    def d_s(self) -> int:
        return self.shared.d

    @property
    def mu(self) -> np.ndarray:
        return self.shared.mu @ self.Q[:, : self.d_s].T

    @property
    def nu(self) -> np.ndarray:
        return self.private.mu @ self.Q[:, self.d_s:].T

    @property
    def L(self) -> np.ndarray:
        ds, du = self.shared.d, self.private.d
        Lb = np.zeros((ds + du, ds + du))
        Lb[:ds, :ds], Lb[ds:, ds:] = self.shared.L, self.private.L
        return self.Q @ Lb

    @property
    def Sigma(self) -> np.ndarray:
        return self.L @ self.L.T

    def marginal(self) -> GMM:
        """The modality's own k·k_u-component GMM (components (c, e))."""
        k, ku = self.shared.k, self.private.k
        mu = (self.mu[:, None, :] + self.nu[None, :, :]).reshape(k * ku, -1)
        pi = np.outer(self.shared.pi, self.private.pi).reshape(-1)
        return GMM(pi, mu, self.Sigma, self.L)

    def sample(self, rng: np.random.Generator, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Samples for given shared components c, with fresh private components e; returns (x, e)."""
        e = rng.choice(self.private.k, size=len(c), p=self.private.pi)
        z = rng.standard_normal((len(c), self.L.shape[0]))
        return self.mu[c] + self.nu[e] + z @ self.L.T, e


def block_modality(seed: int, m: str, d_s: int = 10, d_u: int = 10, k: int = 4, k_u: int = 4,
                   kappa: float = 100.0, Delta: float = 3.0) -> Modality:
    """§1.6: modality m ∈ {x, y}: its own Haar Q_m and one §1.2–1.3 GMM per block."""
    t = TAG_BLOCK[m]
    Q = haar(np.random.default_rng([seed, t + 1]), d_s + d_u)
    shared = gmm_params(seed, d_s, k, kappa, Delta, tag0=t + 1)  # tags t+2 (Q_s), t+3 (means)
    private = gmm_params(seed, d_u, k_u, kappa, Delta, tag0=t + 3)  # tags t+4 (Q_u), t+5 (means)
    return Modality(Q, shared, private)


# --- host inputs and in-program sampling ----------------------------------------------------------

def host_arrays(seed: int, cfg: BansalData) -> dict[str, np.ndarray]:
    """Per-lane float64 arrays for the program: μ, L (and ν, T⁻¹, the y modality, the fixed dataset)."""
    if cfg.structure == "block":
        out = {}
        for m in ("x", "y"):
            mod = block_modality(seed, m, cfg.d_s, cfg.d_u, cfg.k, cfg.k_u, cfg.kappa, cfg.Delta)
            out.update({f"mu_{m}": mod.mu, f"nu_{m}": mod.nu, f"L_{m}": mod.L})
        return out
    g = gmm_params(seed, cfg.d, cfg.k, cfg.kappa, cfg.Delta)
    out = {}
    if cfg.transform == "random":
        T = random_transform(seed, cfg.d, cfg.t_cond)
        out["Tinv"] = np.linalg.inv(T)
        g = g.transformed(T)
    out.update({"mu": g.mu, "L": g.L})
    if cfg.mode == "fixed":
        s = fixed_dataset(seed, cfg)
        out.update({"x": s["x"], "xp": s["xp"]})
    return out


def fixed_dataset(seed: int, cfg: BansalData) -> dict[str, np.ndarray]:
    """§1.4 fixed-dataset mode: the seed's n pairs (float64; the baselines use the same samples)."""
    g = gmm_params(seed, cfg.d, cfg.k, cfg.kappa, cfg.Delta)
    if cfg.transform == "random":
        g = g.transformed(random_transform(seed, cfg.d, cfg.t_cond))
    return g.sample(np.random.default_rng([seed, TAG_FIXED, cfg.n]), cfg.n, cfg.delta)


def _normals(key: jax.Array, B: int, d: int, dtype) -> jax.Array:
    # A flat draw reshaped is much faster on CPU than a multi-dimensional draw.
    return jax.random.normal(key, (2 * B * d,), dtype).reshape(2, B, d)


def sample_pairs(key: jax.Array, mu: jax.Array, L: jax.Array, B: int, delta) -> tuple[jax.Array, jax.Array]:
    """§1.4–1.5 population mode: B anchors x ~ N(μ_c, Σ) and positives x⁺ ~ N(μ_c′, Σ), c′ = c w.p. 1 − δ."""
    k, d = mu.shape
    kc, kr, kc2, kz = jax.random.split(key, 4)
    c = jax.random.randint(kc, (B,), 0, k)
    c2 = jnp.where(jax.random.bernoulli(kr, delta, (B,)), jax.random.randint(kc2, (B,), 0, k), c)
    z = _normals(kz, B, d, mu.dtype)
    return mu[c] + z[0] @ L.T, mu[c2] + z[1] @ L.T


def sample_block(key: jax.Array, host: dict, B: int, unimodal: bool) -> tuple[jax.Array, jax.Array]:
    """§1.6: CLIP pairs (x, y) sharing c with independent private e, e′; or unimodal pairs (x, x⁺) sharing (c, e)."""
    kc, ke, ke2, kz = jax.random.split(key, 4)
    k, ku = host["mu_x"].shape[0], host["nu_x"].shape[0]
    d = host["L_x"].shape[0]
    c = jax.random.randint(kc, (B,), 0, k)
    e = jax.random.randint(ke, (B,), 0, ku)
    z = _normals(kz, B, d, host["mu_x"].dtype)
    x = host["mu_x"][c] + host["nu_x"][e] + z[0] @ host["L_x"].T
    if unimodal:
        return x, host["mu_x"][c] + host["nu_x"][e] + z[1] @ host["L_x"].T
    e2 = jax.random.randint(ke2, (B,), 0, ku)
    return x, host["mu_y"][c] + host["nu_y"][e2] + z[1] @ host["L_y"].T


def minibatch_with_replacement(key: jax.Array, x: jax.Array, xp: jax.Array, B: int) -> tuple[jax.Array, jax.Array]:
    """§1.4 fixed-dataset mode: B pair indices uniformly with replacement."""
    idx = jax.random.randint(key, (B,), 0, x.shape[0])
    return x[idx], xp[idx]


