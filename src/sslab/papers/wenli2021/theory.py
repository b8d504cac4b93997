"""Exact second-moment identities of Wen & Li 2021 masking views (spec wenli2021 §7), float64 NumPy."""

from __future__ import annotations

import numpy as np



def sigma(M: np.ndarray, p: float, sigma_xi: float) -> np.ndarray:
    """Σ = E[x xᵀ] = p·MMᵀ + σ_ξ² I (spec §1)."""
    return p * M @ M.T + sigma_xi**2 * np.eye(M.shape[0])


def gamma(M: np.ndarray, p: float) -> np.ndarray:
    """Γ = p(MMᵀ − Diag(MMᵀ)), the complementary-view cross-covariance E[x_a x_bᵀ] (spec §7.1)."""
    G = p * M @ M.T
    return G - np.diag(np.diag(G))


def cross_moment(M: np.ndarray, p: float, sigma_xi: float, mode: str) -> np.ndarray:
    """E[x_a x_bᵀ] for view mode complementary (Γ, any q), none or independent (Σ), spec §7.1–7.2."""
    S = sigma(M, p, sigma_xi)
    if mode == "complementary":
        return S - np.diag(np.diag(S))
    if mode in ("none", "independent"):
        return S
    raise ValueError(f"unknown view mode {mode!r}; valid choices: complementary, none, independent")


def perp(M: np.ndarray) -> np.ndarray:
    """P_⊥ = I − MMᵀ."""
    return np.eye(M.shape[0]) - M @ M.T


def dense_block_norm(M: np.ndarray, C: np.ndarray) -> float:
    """‖P_⊥ C P_⊥‖_F."""
    P = perp(M)
    return float(np.linalg.norm(P @ C @ P))


def sampling_error(M: np.ndarray, p: float, sigma_xi: float, n: int, q: float = 0.5) -> float:
    """Spec §7.4 e_n = √(4·d1(d1 − 1)(σ_ξ² + p·d/d1)²/n), the leading-order RMS of ‖C_n − Γ‖_F.

    For keep probability q the factor 4 = 1/(q(1 − q)) at q = 1/2 becomes 1/(q(1 − q)):
    E[(x_a)_k²(x_b)_l²] = E[x_k² x_l²]/(q(1 − q)) for k ≠ l.
    """
    d1, d = M.shape
    factor = 4 if q == 0.5 else 1 / (q * (1 - q))
    return float(np.sqrt(factor * d1 * (d1 - 1) * (sigma_xi**2 + p * d / d1) ** 2 / n))


def view_correlation(w: np.ndarray, M: np.ndarray, p: float, sigma_xi: float, mode: str, q: float = 0.5) -> np.ndarray:
    """Exact corr(⟨w, x_a⟩, ⟨w, x_b⟩) per column of w (d1×k), spec §7.3 (general keep probability q).

    complementary: wᵀ(Σ − DiagΣ)w / √(wᵀ(Σ + (1/q − 1)DiagΣ)w · wᵀ(Σ + (1/(1−q) − 1)DiagΣ)w);
    independent: wᵀΣw / wᵀ(Σ + (1/q − 1)DiagΣ)w; none: 1.
    """
    S = sigma(M, p, sigma_xi)
    Dg = np.diag(np.diag(S))
    quad = lambda A: np.einsum("ik,ij,jk->k", w, A, w)  # noqa: E731
    if mode == "none":
        return np.ones(w.shape[1])
    if mode == "complementary":
        return quad(S - Dg) / np.sqrt(quad(S + (1 / q - 1) * Dg) * quad(S + (1 / (1 - q) - 1) * Dg))
    if mode == "independent":
        return quad(S) / quad(S + (1 / q - 1) * Dg)
    raise ValueError(f"unknown view mode {mode!r}; valid choices: complementary, none, independent")


def feature_corr_approx(p: float, sigma_xi: float, q_w: float) -> float:
    """Spec §7.3 corr(M_j) = p(1 − q_w)/(p(1 + q_w) + 2σ_ξ²) (complementary, q = 1/2)."""
    return p * (1 - q_w) / (p * (1 + q_w) + 2 * sigma_xi**2)


def dense_corr_approx(p: float, sigma_xi: float, q_w: float) -> float:
    """Spec §7.3 corr(w) = −p·q_w/(2σ_ξ² + p·q_w) for unit w ∈ span(M^⊥)."""
    return -p * q_w / (2 * sigma_xi**2 + p * q_w)




# --- public theory objects: the dictionary and the claim A/B statistics at any size ----------------------
# (`sslab theory wenli2021.OBJECT key=value`; the claims call them with the spec's sizes)

SPEC_D = 32  # spec §1 default d (d1 = 8d, p = ln ln d / d, σ_ξ² = √(ln d)/d)


def _data(d: int = SPEC_D, d1: int | None = None):
    from .data import WenLiData
    cfg = WenLiData(d=int(d), d1=None if d1 is None else int(d1))
    cfg.check()
    return cfg.resolve()


def _count(n, name: str = "n") -> int:
    """A sample size given as 1e6 or 1000000 (the command line reads 1e6 as a float)."""
    if float(n) != int(float(n)) or int(float(n)) < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(float(n))


def dictionary(seed: int = 0, d: int = SPEC_D, d1: int | None = None) -> dict:
    """Spec §1: the seed's dictionary M (d1×d, column-orthonormal, float64) with the data model's p and σ_ξ, and Γ's
    dense block ‖P⊥ΓP⊥‖_F next to its §7.1 approximation p(d/d1)√(d1 − d)."""
    from .data import dictionary as _dictionary
    cfg = _data(d, d1)
    M = _dictionary(int(seed), cfg.d, cfg.d1)
    return {"seed": int(seed), "d": cfg.d, "d1": cfg.d1, "p": cfg.p, "sigma_xi": cfg.sigma_xi, "M": M,
            "dense_gamma": dense_block_norm(M, gamma(M, cfg.p)),
            "dense_gamma_approx": cfg.p * cfg.d / cfg.d1 * np.sqrt(cfg.d1 - cfg.d),
            "orthonormality_error": float(np.max(np.abs(M.T @ M - np.eye(cfg.d))))}


def decoupling_path(ns, seed: int = 0, d: int = SPEC_D, d1: int | None = None, q: float = 0.5,
                    batch: int = 10_000) -> dict[int, dict]:
    """Spec §8 A at every n of ``ns``: C_n = (1/n)Σ x_a x_bᵀ over `complementary` pairs (keep probability q) and
    Ĉ_n = (1/n)Σ x xᵀ over the same clean x, accumulated in float64 over nested prefixes of one stream (batches
    of ``batch`` pairs; M from ``seed``). Per n: max|diag C_n| (0 by construction), ‖C_n − Γ‖_F and its ratio to
    e_n (§7.4), the dense blocks ‖P⊥C_nP⊥‖_F and ‖P⊥ΓP⊥‖_F, and the `none` control ‖P⊥Ĉ_nP⊥‖_F/(σ_ξ²√(d1 − d))."""
    from .data import dictionary as _dictionary, sample_np, views_np
    cfg = _data(d, d1)
    ns = sorted({_count(n) for n in np.atleast_1d(ns)})
    batch = _count(batch, "batch")
    M = _dictionary(int(seed), cfg.d, cfg.d1)
    rng_x, rng_v = np.random.default_rng([int(seed), 1]), np.random.default_rng([int(seed), 2])
    C = np.zeros((cfg.d1, cfg.d1))
    Ch = np.zeros_like(C)
    G = gamma(M, cfg.p)
    dense_gamma = dense_block_norm(M, G)
    out, n = {}, 0
    for target in ns:
        while n < target:
            k = min(batch, target - n)  # whole batches for multiples of ``batch`` (the spec's sizes)
            X, _ = sample_np(rng_x, M, k, cfg.p, cfg.sigma_xi)
            Xa, Xb = views_np(rng_v, X, "complementary", q)
            C += Xa.T @ Xb
            Ch += X.T @ X
            n += k
        Cn, Chn = C / n, Ch / n
        e_n = sampling_error(M, cfg.p, cfg.sigma_xi, n, q)
        err = float(np.linalg.norm(Cn - G))
        out[n] = {
            "n": n, "max_diag": float(np.max(np.abs(np.diag(Cn)))), "err": err, "e_n": e_n, "err_ratio": err / e_n,
            "dense": dense_block_norm(M, Cn), "dense_gamma": dense_gamma,
            "control": dense_block_norm(M, Chn) / (cfg.sigma_xi**2 * np.sqrt(cfg.d1 - cfg.d)),
        }
    return out


def decoupling(n: int = 1_000_000, seed: int = 0, d: int = SPEC_D, d1: int | None = None, q: float = 0.5,
               batch: int = 10_000) -> dict:
    """Claim A's statistics at one n (spec §7.1–7.2, 7.4, §8 A): see :func:`decoupling_path` (the same numbers as
    the claim's nested prefix at that n)."""
    return decoupling_path([n], seed, d, d1, q, batch)[_count(n)]


def neuron_correlation(n: int = 400_000, seed: int = 0, d: int = SPEC_D, d1: int | None = None, n_dense: int = 32,
                       kappa: float = 2.5, batch: int = 10_000) -> dict:
    """Claim B's statistics (spec §7.3, §8 B): corr(⟨w, x_a⟩, ⟨w, x_b⟩) over n pairs for w = M_j (all j, "feature")
    and ``n_dense`` unit w = P⊥g/‖P⊥g‖ ("dense"), with `complementary` and `none` views, next to the exact §7.3
    values for the same w (Σ from M); and the thresholded correlation of h(⟨w,x_a⟩), h(⟨w,x_b⟩) with
    b = κ·√2·σ_ξ (`complementary`). Means are over the j, or over the dense w; per-w values are returned too."""
    from .data import dictionary as _dictionary, sample_np, views_np
    from .metrics import PearsonAccumulator
    cfg = _data(d, d1)
    n, batch, n_dense = _count(n), _count(batch, "batch"), _count(n_dense, "n_dense")
    M = _dictionary(int(seed), cfg.d, cfg.d1)
    g = np.random.default_rng([int(seed), 3]).standard_normal(cfg.d1 * n_dense).reshape(cfg.d1, n_dense)
    dense = g - M @ (M.T @ g)
    dense /= np.linalg.norm(dense, axis=0)
    Wp = np.concatenate([M, dense], axis=1)
    b = kappa * np.sqrt(2) * cfg.sigma_xi  # unit-norm probes: b = κ_max·s·‖w‖
    h = lambda u: np.sign(u) * np.maximum(np.abs(u) - b, 0.0)  # noqa: E731
    out: dict = {"n": n, "d": cfg.d, "d1": cfg.d1, "n_dense": n_dense, "bias": b}
    for mode in ("complementary", "none"):
        rng_x, rng_v = np.random.default_rng([int(seed), 1]), np.random.default_rng([int(seed), 2])
        acc, acc_h = PearsonAccumulator(), PearsonAccumulator()
        done = 0
        while done < n:
            k = min(batch, n - done)
            X, _ = sample_np(rng_x, M, k, cfg.p, cfg.sigma_xi)
            Xa, Xb = views_np(rng_v, X, mode)
            Ua, Ub = Xa @ Wp, Xb @ Wp
            acc.add(Ua, Ub)
            if mode == "complementary":
                acc_h.add(h(Ua), h(Ub))
            done += k
        r = acc.value()
        exact = view_correlation(Wp, M, cfg.p, cfg.sigma_xi, mode)
        out[mode] = {"feature": r[: cfg.d].mean(), "dense": r[cfg.d:].mean(),
                     "feature_exact": exact[: cfg.d].mean(), "dense_exact": exact[cfg.d:].mean(),
                     "per_feature": r[: cfg.d], "per_dense": r[cfg.d:]}
        if mode == "complementary":
            rh = acc_h.value()
            out["thresholded"] = {"feature": rh[: cfg.d].mean(), "dense": rh[cfg.d:].mean(),
                                  "per_feature": rh[: cfg.d], "per_dense": rh[cfg.d:]}
    return out
