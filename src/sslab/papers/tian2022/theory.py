"""Tian 2023 theory (spec tian2022 §1, §2, §4), NumPy float64.

One-layer: A(w) = C_α[x̃_w]/(2N) for α ≡ 1/N, fixed-point residuals, merging of optima, the brute-force
coverage formula. Global modulation (C = 2, M = 1): per-RF moments, the closed-form top eigenvector
s_k = b_k/(Z(d_k − λ)) with λ by bisection, δ_k, the §4 dynamics, and the Davis–Kahan bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --- §1 identities --------------------------------------------------------------------------------


def contrastive_covariance_uniform(a1: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """C_α[a] for α ≡ 1/N (i ≠ j), NumPy float64 (spec §1)."""
    N = a1.shape[0]
    s = a1.sum(0)
    return 2.0 * a1.T @ a1 - (2.0 / N) * np.outer(s, s) - ((N - 1) / N) * (a1 - a2).T @ (a1 - a2)


# --- §2 one-layer ---------------------------------------------------------------------------------


def gate(w: np.ndarray, x: np.ndarray, act: str) -> np.ndarray:
    """x̃_w = h'(wᵀx) x (spec §2; ReLU h'(0) = 0, LeakyReLU slope 0.05)."""
    pre = x @ w
    slope = {"linear": np.ones_like(pre), "relu": (pre > 0).astype(float),
             "leakyrelu": np.where(pre > 0, 1.0, 0.05)}[act]
    return slope[:, None] * x


def A_of(w: np.ndarray, x1: np.ndarray, x2: np.ndarray, act: str) -> np.ndarray:
    """A(w) = C_α[x̃_w]/(2N) with α ≡ 1/N, each view gated by its own pre-activation (spec §2 default)."""
    return contrastive_covariance_uniform(gate(w, x1, act), gate(w, x2, act)) / (2 * x1.shape[0])


def fixed_point_residual(w: np.ndarray, A: np.ndarray) -> float:
    """‖(I − wwᵀ)A w‖/‖A w‖ (spec C5)."""
    Aw = A @ w
    return float(np.linalg.norm(Aw - w * (w @ Aw)) / max(np.linalg.norm(Aw), 1e-300))


def is_dead(w: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> bool:
    """wᵀx ≤ 0 for every view of every sample: A(w) = 0 (spec §2 dead points)."""
    return bool(np.all(x1 @ w <= 0) and np.all(x2 @ w <= 0))


def merge_optima(ws: np.ndarray, linear: bool, thr: float = 0.99) -> tuple[list[np.ndarray], list[int]]:
    """Each final w joins the first earlier optimum with cos > thr (|cos| if linear), else starts one (spec §2)."""
    optima: list[np.ndarray] = []
    assign: list[int] = []
    for w in ws:
        w = w / np.linalg.norm(w)
        for j, o in enumerate(optima):
            c = float(o @ w)
            if (abs(c) if linear else c) > thr:
                assign.append(j)
                break
        else:
            optima.append(w)
            assign.append(len(optima) - 1)
    return optima, assign


def found(w: np.ndarray, centres: np.ndarray, thr: float = 0.95) -> np.ndarray:
    """Boolean per cluster l: cos(w, c_l/‖c_l‖) > thr (spec §2 'finds')."""
    u = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    return (u @ (w / np.linalg.norm(w))) > thr


def coverage_prediction(q: np.ndarray, n: int) -> float:
    """mean_l [1 − (1 − q_l)^n]: brute force with n independent nodes (spec §2)."""
    return float(np.mean(1.0 - (1.0 - np.asarray(q)) ** n))


# --- §4 global modulation -------------------------------------------------------------------------


@dataclass
class Moments:
    """Per-RF moments of the gated inputs: L_k, Δ_k, V[x̃_k] (each per k), p0, p1 and d, b for W."""

    L: np.ndarray  # (K, 4, 4) E_z V[x̃_k|z]
    Delta: np.ndarray  # (K, 4)
    V: np.ndarray  # (K, 4, 4) V[x̃_k]
    p0: float
    p1: float
    d: np.ndarray  # (K,)
    b: np.ndarray  # (K,)


def population_moments(W: np.ndarray, p0: float = 0.5) -> Moments:
    """§4 population moments: x̃_k = 1[w_k[t] > 0] e_t, V[x̃|z] = diag(m_z) − m_zm_zᵀ; W (..., K, 4)."""
    means = np.array([[0.5, 0.0, 0.25, 0.25], [0.0, 0.5, 0.25, 0.25]])
    p1 = 1.0 - p0
    g = (W > 0).astype(float)
    m0, m1 = g * means[0], g * means[1]
    eye = np.eye(4)
    Vz = [mz[..., None] * eye - mz[..., :, None] * mz[..., None, :] for mz in (m0, m1)]
    L = p0 * Vz[0] + p1 * Vz[1]
    Delta = m1 - m0
    V = L + p0 * p1 * Delta[..., :, None] * Delta[..., None, :]
    return _with_w(L, Delta, V, p0, p1, W)


def empirical_moments(W: np.ndarray, z: np.ndarray, tokens: np.ndarray) -> tuple[Moments, np.ndarray]:
    """Moments with 1/n normalisation and p̂_z = n_z/N; also returns x̃ (N, K, 4) (spec C8)."""
    N, K = tokens.shape
    onehot = np.eye(4)[tokens]  # (N, K, 4)
    xt = onehot * (W[None] > 0)
    p1 = float(np.mean(z))
    p0 = 1.0 - p1
    Vz, mz = [], []
    for v in (0, 1):
        s = xt[z == v]
        mu = s.mean(0)
        c = s - mu
        Vz.append(np.einsum("nki,nkj->kij", c, c) / s.shape[0])
        mz.append(mu)
    L = p0 * Vz[0] + p1 * Vz[1]
    Delta = mz[1] - mz[0]
    c = xt - xt.mean(0)
    V = np.einsum("nki,nkj->kij", c, c) / N
    return _with_w(L, Delta, V, p0, p1, W), xt


def _with_w(L, Delta, V, p0, p1, W) -> Moments:
    d = np.einsum("...ki,...kij,...kj->...k", W, L, W)
    b = np.einsum("...ki,...ki->...k", W, Delta)
    return Moments(L, Delta, V, p0, p1, d, b)


def secular_lambda(d: np.ndarray, b: np.ndarray, c: float, iters: int = 200) -> np.ndarray:
    """λ ∈ (max d, max d + c‖b‖²] solving 1 + c Σ_k b_k²/(d_k − λ) = 0 by bisection; batched over leading axes (spec §4).

    RFs with b_k = 0 do not enter the secular equation (their d_k bounds nothing); the interval uses
    the max of d over the RFs with b_k ≠ 0.
    """
    on = b**2 > 1e-300
    dmax = np.max(np.where(on, d, -np.inf), axis=-1)
    lo, hi = dmax.copy(), dmax + c * np.sum(b**2, axis=-1)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 1.0 + c * np.sum(np.where(on, b**2 / (d - mid[..., None]), 0.0), axis=-1)
        lo, hi = np.where(g < 0, mid, lo), np.where(g < 0, hi, mid)
    return 0.5 * (lo + hi)


@dataclass
class TopLayer:
    """Closed form of the top layer: λ, s, Z and δ (spec §4)."""

    lam: np.ndarray
    s: np.ndarray
    Z: np.ndarray
    delta: np.ndarray


def top_layer(d: np.ndarray, b: np.ndarray, c: float) -> TopLayer:
    """s_k = b_k/(Z(d_k − λ)), Z > 0 with ‖s‖ = 1; δ_k = c/(Z²(d_k − λ))·Σ_{k'≠k} b_k'²/(d_k' − λ) (spec §4).

    Batched over leading axes. Degenerate case (an RF with b_k = 0 whose d_k exceeds the secular root,
    or b = 0): the top eigenvector is e_k of that RF and δ = 0.
    """
    on = b**2 > 1e-300
    lam = secular_lambda(d, b, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(on, b / (d - lam[..., None]), 0.0)
        r = np.where(on, b**2 / (d - lam[..., None]), 0.0)
    Z = np.linalg.norm(u, axis=-1)
    d_off = np.max(np.where(on, -np.inf, d), axis=-1)
    degenerate = (d_off > lam) | ~np.any(on, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = u / Z[..., None]
        delta = np.where(on, c / (Z[..., None] ** 2 * (d - lam[..., None])) * (r.sum(-1, keepdims=True) - r), 0.0)
    k_off = np.argmax(np.where(on, -np.inf, d), axis=-1)
    e = np.eye(d.shape[-1])[k_off]
    s = np.where(degenerate[..., None], e, s)
    delta = np.where(degenerate[..., None], 0.0, delta)
    lam = np.where(degenerate, np.maximum(d_off, lam), lam)
    return TopLayer(lam, s, Z, delta)


def modulation_gradient(W: np.ndarray, m: Moments, top: TopLayer, delta_on: bool = True) -> np.ndarray:
    """(s_k² V[x̃_k] + δ_k Δ_kΔ_kᵀ) w_k per k (spec §4 dynamics, before projection); batched."""
    g = top.s[..., None] ** 2 * np.einsum("...kij,...kj->...ki", m.V, W)
    if delta_on:
        g = g + (top.delta * m.b)[..., None] * m.Delta
    return g


def modulation_dynamics(W0: np.ndarray, steps: int = 3000, eta: float = 0.5, delta_on: bool = True) -> np.ndarray:
    """w_k ← normalise(w_k + η (I − w_kw_kᵀ)(s_k²V[x̃_k] + δ_kΔ_kΔ_kᵀ)w_k), population moments, all k at once,
    s and δ recomputed each step; W0 (R, K, 4), all R initialisations vectorised (spec C9)."""
    W = W0 / np.linalg.norm(W0, axis=-1, keepdims=True)
    for _ in range(steps):
        m = population_moments(W)
        top = top_layer(m.d, m.b, m.p0 * m.p1)
        g = modulation_gradient(W, m, top, delta_on)
        g = g - W * np.sum(W * g, axis=-1, keepdims=True)
        Wn = W + eta * g
        W = Wn / np.linalg.norm(Wn, axis=-1, keepdims=True)
    return W


def davis_kahan_bound(E: np.ndarray, lam1: float, lam2: float) -> float:
    """sin∠ ≤ 2‖E‖₂/(λ1 − λ2) (spec C8 (c))."""
    return float(2.0 * np.linalg.norm(E, 2) / (lam1 - lam2))
