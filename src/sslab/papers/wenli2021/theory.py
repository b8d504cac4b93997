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


def sampling_error(M: np.ndarray, p: float, sigma_xi: float, n: int) -> float:
    """Spec §7.4 e_n = √(4·d1(d1 − 1)(σ_ξ² + p·d/d1)²/n), the leading-order RMS of ‖C_n − Γ‖_F."""
    d1, d = M.shape
    return float(np.sqrt(4 * d1 * (d1 - 1) * (sigma_xi**2 + p * d / d1) ** 2 / n))


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


