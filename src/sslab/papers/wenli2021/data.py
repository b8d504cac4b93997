"""Wen & Li 2021 sparse-coding data x = M z + ξ and its masking views (spec wenli2021 §1–§2, §8 ablations).

Views are value switches, so the three view modes run as lanes of one compiled program:
``augment`` (1: masked views, 0: the ``none`` control x_a = x_b = x) and ``independent``
(0: complementary masks D, I − D; 1: independent masks D, D′), with keep probability ``keep_prob``.
Random numbers are drawn as flat arrays and reshaped (several times faster on CPU).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

from ...config import ConfigError, Section, in_range, param, positive

VIEWS = {  # spec §2 view modes as values of the lane fields (augment, independent)
    "complementary": {"augment": 1.0, "independent": 0.0},
    "none": {"augment": 0.0, "independent": 0.0},
    "independent": {"augment": 1.0, "independent": 1.0},
}


def _zero_one(x) -> str | None:
    return None if x in (0.0, 1.0) else "must be 0 or 1"


@dataclass
class WenLiData(Section):
    """Spec §1–§2: d sparse features in R^{d1}, p = ln ln d / d, σ_ξ² = √(ln d)/d, masking views."""

    name: Literal["wenli2021"] = param("wenli2021")
    d: int = param(32, check=positive, doc="number of sparse features d (>= 3, so that ln ln d > 0)")
    d1: int | None = param(None, check=positive, doc="input dimension d1 (default 8d)")
    p: float | None = param(None, lane=True, check=in_range(0.0, 1.0), doc="Pr[z_j != 0] (default ln ln d / d)")
    noise_scale: Literal["variance", "std"] = param(
        "variance", doc="variance: σ_ξ² = √(ln d)/d (spec default); std: σ_ξ = √(ln d)/d (related code)")
    noise_ratio: float | None = param(
        None, check=positive, doc="stress test: σ_ξ² = ν·d·p/d1 so that E‖ξ‖²/E‖Mz‖² = ν (overrides noise_scale)")
    sigma_xi: float | None = param(None, lane=True, check=positive, doc="dense-noise std σ_ξ (derived by default)")
    noise: Literal["isotropic", "lowrank"] = param(
        "isotropic", doc="isotropic: ξ ~ N(0, σ_ξ² I); lowrank: ξ = √(d1σ_ξ²/r)·Aη, A ⊂ span(M^⊥) (negative control)")
    noise_rank: int | None = param(None, check=positive, doc="rank r of low-rank dense noise (default d)")
    augment: float = param(1.0, lane=True, check=_zero_one, doc="1: masked views; 0: no augmentation (x_a = x_b = x)")
    independent: float = param(0.0, lane=True, check=_zero_one, doc="0: complementary masks D, I−D; 1: independent D, D′")
    keep_prob: float = param(0.5, lane=True, check=in_range(1e-6, 1 - 1e-6), doc="keep probability q of mask D")
    mask_bits: int | None = param(
        None, check=in_range(1, 16),
        doc="random bits per mask entry, k (default: the fewest ≤ 16 with 2^k·q an integer: 1 for q = 1/2); "
            "static, so keep_prob lanes that need different k compile apart unless k is set")

    def check(self) -> None:
        if self.d < 3:
            raise ConfigError(f"data.d: must be >= 3 (p = ln ln d / d must be positive), got {self.d}")
        d1 = self.d1 or 8 * self.d
        if d1 < self.d:
            raise ConfigError(f"data.d1: must be >= data.d={self.d} (M is column-orthonormal), got {d1}")
        if self.noise == "lowrank" and d1 - self.d < (self.noise_rank or self.d):
            raise ConfigError("data.noise_rank: must be <= d1 - d (A lies in span(M^⊥))")

    def resolve(self) -> "WenLiData":
        d1 = self.d1 or 8 * self.d
        p = self.p if self.p is not None else math.log(math.log(self.d)) / self.d
        if self.sigma_xi is not None:
            sigma = self.sigma_xi
        elif self.noise_ratio is not None:
            sigma = math.sqrt(self.noise_ratio * self.d * p / d1)
        elif self.noise_scale == "variance":
            sigma = math.sqrt(math.sqrt(math.log(self.d)) / self.d)
        else:
            sigma = math.sqrt(math.log(self.d)) / self.d
        return dataclasses.replace(self, d1=d1, p=p, sigma_xi=sigma, noise_rank=self.noise_rank or self.d,
                                   mask_bits=mask_bits(self.keep_prob, self.mask_bits))


def mask_bits(q: float, k: int | None = None) -> int:
    """Bits per mask entry (see ``masks``): ``k`` if given, else the fewest k ≤ 16 with 2^k·q an integer, else 16."""
    return k or next((k for k in range(1, 17) if abs(q * 2**k - round(q * 2**k)) < 1e-9), 16)


# --- the fixed per-seed objects -------------------------------------------------------------------

def seed_keys(seed: int) -> dict[str, jax.Array]:
    """Spec §5: PRNGKey(seed) split into keys for M, W⁽⁰⁾, the training stream and evaluation samples.

    The engine derives W⁽⁰⁾ and the stream from the lane key itself; M (and A) and the evaluation
    samples use the ``M`` and ``eval`` keys here, so runs that differ only in view mode or bias rule
    share M, W⁽⁰⁾ and every z, ξ.
    """
    with jax.threefry_partitionable(True):  # host-side draws are independent of train.prng
        k = jax.random.split(jax.random.key(int(seed)), 4)
    return {"M": k[0], "W": k[1], "stream": k[2], "eval": k[3]}


def dictionary(seed: int, d: int, d1: int) -> np.ndarray:
    """Spec §1: M = Q factor of QR(G), G a d1×d standard Gaussian matrix from the seed's M key (float64)."""
    with jax.threefry_partitionable(True):
        G = np.asarray(jax.random.normal(seed_keys(seed)["M"], (d1 * d,), jnp.float32), np.float64).reshape(d1, d)
    Q, _ = np.linalg.qr(G)
    return Q


def lowrank_basis(seed: int, M: np.ndarray, r: int) -> np.ndarray:
    """§8 negative control: A ∈ R^{d1×r} with orthonormal columns in span(M^⊥) (QR of P_⊥ G)."""
    d1 = M.shape[0]
    with jax.threefry_partitionable(True):
        key = jax.random.fold_in(seed_keys(seed)["M"], 1)
        G = np.asarray(jax.random.normal(key, (d1 * r,), jnp.float32), np.float64).reshape(d1, r)
    A, _ = np.linalg.qr(G - M @ (M.T @ G))
    return A


def host_inputs(seed: int, cfg: WenLiData) -> dict[str, np.ndarray]:
    """The per-seed fixed arrays: M, and A for low-rank noise (zeros otherwise)."""
    M = dictionary(seed, cfg.d, cfg.d1)
    A = lowrank_basis(seed, M, cfg.noise_rank) if cfg.noise == "lowrank" else np.zeros((cfg.d1, 1))
    return {"M": M, "A": A}


# --- sampling -------------------------------------------------------------------------------------

def latents(key: jax.Array, n: int, d: int, p, dtype=jnp.float32) -> jax.Array:
    """Spec §1: z_j = ±1 with probability p/2 each, else 0 (n×d)."""
    u = jax.random.uniform(key, (n * d,), dtype).reshape(n, d)
    return jnp.where(u < p / 2, 1.0, jnp.where(u < p, -1.0, 0.0)).astype(dtype)


def dense_noise(key: jax.Array, n: int, cfg: WenLiData, A: jax.Array, dtype=jnp.float32) -> jax.Array:
    """Spec §1 ξ ~ N(0, σ_ξ² I_{d1}), or the §8 low-rank control ξ = √(d1σ_ξ²/r)·Aη (same E‖ξ‖²)."""
    if cfg.noise == "lowrank":
        r = A.shape[1]
        eta = jax.random.normal(key, (n * r,), dtype).reshape(n, r)
        return math.sqrt(cfg.d1 / r) * cfg.sigma_xi * (eta @ A.T)
    return cfg.sigma_xi * jax.random.normal(key, (n * cfg.d1,), dtype).reshape(n, cfg.d1)


def sample(key: jax.Array, cfg: WenLiData, M: jax.Array, A: jax.Array, n: int, dtype=jnp.float32) -> dict:
    """n fresh samples x = Mz + ξ (spec §1); returns X (n×d1) and Z (n×d)."""
    kz, kxi = jax.random.split(key)
    Z = latents(kz, n, cfg.d, cfg.p, dtype)
    X = Z @ M.T + dense_noise(kxi, n, cfg, A, dtype)
    return {"X": X, "Z": Z}


def masks(key: jax.Array, shape: tuple[int, int], cfg: WenLiData, dtype=jnp.float32) -> tuple[jax.Array, jax.Array]:
    """Spec §2 view scalings: x_a = S_a ⊙ x, x_b = S_b ⊙ x.

    complementary: S_a = D/q, S_b = (1 − D)/(1 − q); independent: S_a = D/q, S_b = D′/q;
    none (augment = 0): S_a = S_b = 1. D, D′ ~ Bernoulli(q) i.i.d. per coordinate and sample.
    """
    n, d1 = shape
    # Each mask entry is a k-bit uniform u ∈ {0, …, 2^k − 1} and D = 1[u < 2^k q], so P(D = 1) = q exactly when
    # 2^k q is an integer (resolve() picks the fewest such k ≤ 16; else q is rounded up to a multiple of 2^-k).
    # A 32-bit word holds ⌊32/k⌋ entries: at q = 1/2 one word serves 16 coordinates' two masks.
    q, k = cfg.keep_prob, cfg.mask_bits
    per, count = 32 // k, 2 * n * d1
    words = jax.random.bits(key, (-(-count // per),), jnp.uint32)
    # entry j of word i at flat position j·(#words) + i: the unpacking broadcasts along a leading axis and fuses
    u = (words[None, :] >> (k * jnp.arange(per, dtype=jnp.uint32))[:, None]) & jnp.uint32(2**k - 1)
    u = u.reshape(-1)[:count].reshape(2, n, d1)
    below = jnp.ceil(q * 2.0**k).astype(jnp.uint32)  # u < 2^k q ⟺ u < ⌈2^k q⌉ for integer u
    D, D2 = (u[0] < below).astype(dtype), (u[1] < below).astype(dtype)
    Db = jnp.where(cfg.independent > 0.5, D2 / q, (1.0 - D) / (1.0 - q))
    masked = cfg.augment > 0.5
    return jnp.where(masked, D / q, 1.0), jnp.where(masked, Db, 1.0)


def views(key: jax.Array, X: jax.Array, cfg: WenLiData) -> tuple[jax.Array, jax.Array]:
    """The two views (x_a, x_b) of each row of X (spec §2)."""
    Sa, Sb = masks(key, X.shape, cfg, X.dtype)
    return Sa * X, Sb * X


def view_noise_std(cfg: WenLiData) -> tuple:
    """Spec §3 s_a, s_b: per-view noise std of ⟨w, ·⟩ per unit ‖w‖ (σ_ξ/√q_v masked, σ_ξ unaugmented)."""
    q = cfg.keep_prob
    s_a = jnp.where(cfg.augment > 0.5, cfg.sigma_xi / jnp.sqrt(q), cfg.sigma_xi)
    q_b = jnp.where(cfg.independent > 0.5, q, 1.0 - q)
    s_b = jnp.where(cfg.augment > 0.5, cfg.sigma_xi / jnp.sqrt(q_b), cfg.sigma_xi)
    return s_a, s_b


# --- NumPy float64 sampler for the identity claims (A, B) and evaluation --------------------------

def sample_np(rng: np.random.Generator, M: np.ndarray, n: int, p: float, sigma_xi: float) -> tuple[np.ndarray, np.ndarray]:
    """n samples (X, Z) of spec §1 in float64 from a NumPy generator (flat draws, reshaped)."""
    d1, d = M.shape
    u = rng.random(n * d).reshape(n, d)
    Z = np.where(u < p / 2, 1.0, np.where(u < p, -1.0, 0.0))
    X = Z @ M.T + sigma_xi * rng.standard_normal(n * d1).reshape(n, d1)
    return X, Z


def views_np(rng: np.random.Generator, X: np.ndarray, mode: str, q: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Spec §2 views of X in NumPy: ``complementary``, ``none`` or ``independent``."""
    if mode == "none":
        return X, X
    if mode not in ("complementary", "independent"):
        raise ValueError(f"unknown view mode {mode!r}; valid choices: complementary, none, independent")
    # Bernoulli(q) masks from float32 uniforms (a comparison needs no more bits; several times faster),
    # one draw per mask actually used.
    D = rng.random(X.shape, dtype=np.float32) < q
    if mode == "complementary":
        return X * D / q, X * ~D / (1 - q)
    return X * D / q, X * (rng.random(X.shape, dtype=np.float32) < q) / q


def eval_samples(seed: int, M: np.ndarray, p: float, sigma_xi: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Spec §6: fresh unaugmented samples (X, Z) from the seed's evaluation key, float64."""
    d1, d = M.shape
    with jax.enable_x64(True), jax.threefry_partitionable(True):
        kz, kxi = jax.random.split(seed_keys(seed)["eval"])
        u = np.asarray(jax.random.uniform(kz, (n * d,), jnp.float64)).reshape(n, d)
        xi = np.asarray(jax.random.normal(kxi, (n * d1,), jnp.float64)).reshape(n, d1)
    Z = np.where(u < p / 2, 1.0, np.where(u < p, -1.0, 0.0))
    return Z @ M.T + sigma_xi * xi, Z


