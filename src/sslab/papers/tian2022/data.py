"""Tian 2023 data (spec tian2022 §2 clusters, §4 global-modulation tokens, §5 token/RF generator)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

# --- §2: one-layer cluster data -------------------------------------------------------------------


def cluster_centres(key: jax.Array, d: int = 10, L: int = 4, dtype=jnp.float64) -> jax.Array:
    """c_l = m_l u_l, u the Q factor of a d×L Gaussian, m = linspace(2, 1, L); shape (L, d) (spec §2)."""
    Q, _ = jnp.linalg.qr(jax.random.normal(key, (d, L), dtype))
    return (Q * jnp.linspace(2.0, 1.0, L, dtype=dtype)[None, :]).T


def cluster_views(key: jax.Array, centres: jax.Array, N: int, noise: float = 0.1,
                  aug_noise: float = 0.1) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(x[i], x[i'], cluster) with x0 = c_l + 0.1ε, views x0 + 0.1ε' (fresh ε' per view) (spec §2)."""
    L, d = centres.shape
    kl, k0, k1, k2 = jax.random.split(key, 4)
    lab = jax.random.randint(kl, (N,), 0, L)
    x0 = centres[lab] + noise * jax.random.normal(k0, (N, d), centres.dtype)
    x1 = x0 + aug_noise * jax.random.normal(k1, (N, d), centres.dtype)
    x2 = x0 + aug_noise * jax.random.normal(k2, (N, d), centres.dtype)
    return x1, x2, lab


def cluster_data(key: jax.Array, d: int = 10, L: int = 4, N: int = 10_000, dtype=jnp.float64) -> dict:
    """One draw of §2 data: centres and both views (split the key: centres, samples)."""
    kc, ks = jax.random.split(key)
    c = cluster_centres(kc, d, L, dtype)
    x1, x2, lab = cluster_views(ks, c, N)
    return {"centres": c, "x1": x1, "x2": x2, "label": lab}


def population_covariance(centres: np.ndarray, noise: float = 0.1) -> np.ndarray:
    """V_pop = Σ_l c_lc_lᵀ/L − μμᵀ + noise²·I (spec C3: the variance of E_aug[x|x0])."""
    c = np.asarray(centres, np.float64)
    mu = c.mean(0)
    return c.T @ c / c.shape[0] - np.outer(mu, mu) + noise**2 * np.eye(c.shape[1])


# --- §4: global-modulation token data --------------------------------------------------------------


def modulation_tokens(rng: np.random.Generator, N: int, K: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """z ~ Bernoulli(½); per RF token z w.p. ½, else uniform on {2, 3}; returns (z [N], tokens [N, K]) (spec §4)."""
    z = rng.integers(0, 2, N)
    keep = rng.random((N, K)) < 0.5
    other = 2 + rng.integers(0, 2, (N, K))
    return z, np.where(keep, z[:, None], other)


def modulation_means() -> np.ndarray:
    """E[one-hot token | z] for z = 0, 1 (before gating): shape (2, 4) (spec §4)."""
    return np.array([[0.5, 0.0, 0.25, 0.25], [0.0, 0.5, 0.25, 0.25]])


# --- §5: token/RF generator -----------------------------------------------------------------------


def make_patterns(key: jax.Array, T: int, K: int, P: int, G: int, ell: int) -> tuple[jax.Array, jax.Array]:
    """(allowed [K, P], patterns [G, K] with −1 for a wildcard), spec §5 Distribution steps 1–2."""
    ka, kl, kt = jax.random.split(key, 3)
    allowed = jnp.argsort(jax.random.uniform(ka, (K * T,)).reshape(K, T), axis=1)[:, :P]
    locs = jnp.argsort(jax.random.uniform(kl, (G * K,)).reshape(G, K), axis=1)[:, :ell]  # ℓ distinct locations
    pick = jax.random.randint(kt, (G * K,), 0, P).reshape(G, K)
    token = allowed[jnp.arange(K)[None, :], pick]  # a token uniform on allowed_k at every location
    chosen = jnp.zeros((G, K), bool).at[jnp.arange(G)[:, None], locs].set(True)
    return allowed, jnp.where(chosen, token, -1)


def embedding(key: jax.Array, T: int, d: int | None, dtype=jnp.float32) -> jax.Array:
    """E ∈ R^{d×T}: I_T when d is None or T, else N(0,1) columns scaled to unit norm (spec §5 step 4)."""
    if d is None or d == T:
        return jnp.eye(T, dtype=dtype)
    E = jax.random.normal(key, (d * T,), dtype).reshape(d, T)
    return E / jnp.linalg.norm(E, axis=0, keepdims=True)


def magnitudes(T: int, mag_split: float, dtype=jnp.float32) -> jax.Array:
    """mags: first ⌊T/2⌋ tokens ÷ mag_split, the rest × mag_split (spec §5 step 4)."""
    return jnp.where(jnp.arange(T) < T // 2, 1.0 / mag_split, mag_split).astype(dtype)


def sample_tokens(key: jax.Array, patterns: jax.Array, B: int, T: int, aug_degree: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(pattern index [B], tokens of view 1 and view 2 [B, K]) — spec §5 Generator steps 1–3, from one draw.

    All of a batch's randomness is one ``random.bits`` call of B + 3BK words (one PRNG hash in the compiled
    step instead of eight: on CPU each hash is a loop of its own kernels, and the program compiles about a
    quarter faster); each word gives a 24-bit uniform u, and an integer in [0, n) is ⌊u·n⌋ (off uniform by at
    most n·2⁻²⁴, < 3e-6 for n ≤ 40).
    """
    G, K = patterns.shape
    u = (jax.random.bits(key, (B + 3 * B * K,), jnp.uint32) >> 8).astype(jnp.float32) * 2.0**-24
    u_g, u_w, u_a, u_r = u[:B], *u[B:].reshape(3, B, K)
    idx = (u_g * G).astype(jnp.int32)
    pat = patterns[idx]
    wild = pat < 0
    t1 = jnp.where(wild, (u_w * T).astype(jnp.int32), pat)
    # aug_degree of the wildcard positions, uniformly without replacement: smallest random scores.
    score = jnp.where(wild, u_a, 2.0)
    redraw = wild & (stable_rank(score) < aug_degree)
    t2 = jnp.where(redraw, (u_r * T).astype(jnp.int32), t1)
    return idx, t1, t2


def stable_rank(score: jax.Array) -> jax.Array:
    """rank[b, i] = #{j: s_j < s_i} + #{j < i: s_j = s_i}: stable argsort(argsort(score)) without a sort."""
    K = score.shape[-1]
    s_i, s_j = score[..., :, None], score[..., None, :]
    earlier = jnp.arange(K)[None, :] < jnp.arange(K)[:, None]  # [i, j]: j < i
    return jnp.sum((s_j < s_i) | ((s_j == s_i) & earlier), axis=-1)


def embed(tokens: jax.Array, E: jax.Array, mags: jax.Array) -> jax.Array:
    """x[b, k] = E[:, token]·mags[token], shape (B, K, d) (spec §5 step 4)."""
    return E.T[tokens] * mags[tokens][..., None]
