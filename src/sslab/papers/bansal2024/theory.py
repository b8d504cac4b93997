"""Bansal et al. 2024 theory in float64: Fisher subspace, baselines, closed form, the §6 example (spec §3, §4, §6)."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.stats import norm



def orth(V: np.ndarray) -> np.ndarray:
    """Euclidean orthonormal basis of the column span of V (QR, full column rank assumed)."""
    return np.linalg.qr(V)[0]


def top_generalized(M: np.ndarray, C: np.ndarray, q: int) -> np.ndarray:
    """Orthonormalised top-q eigenvectors of the pencil M v = λ C v (``scipy.linalg.eigh(M, C)``)."""
    w, V = scipy.linalg.eigh(M, C)
    return orth(V[:, np.argsort(w)[::-1][:q]])


def fisher_subspace(mu: np.ndarray, Sigma: np.ndarray, pi: np.ndarray | None = None, q: int | None = None) -> np.ndarray:
    """§3: U_F, orthonormal basis of range(Σ⁻¹S_B), from eigh(S_B, Σ) with q = rank(S_B) (default k − 1)."""
    k = len(mu)
    pi = np.full(k, 1.0 / k) if pi is None else pi
    mc = mu - pi @ mu
    S_B = (mc.T * pi) @ mc
    return top_generalized(S_B, Sigma, k - 1 if q is None else q)


def pca_subspace(cov: np.ndarray, q: int) -> np.ndarray:
    """§4: top-q eigenvectors of a covariance (population version Σ + S_B)."""
    w, V = np.linalg.eigh(cov)
    return V[:, np.argsort(w)[::-1][:q]]


def mean_span(mu: np.ndarray, pi: np.ndarray | None = None, q: int | None = None) -> np.ndarray:
    """§4 oracle: orth{μ_c − μ̄} (top-q left singular vectors of the centred means)."""
    k = len(mu)
    pi = np.full(k, 1.0 / k) if pi is None else pi
    U = np.linalg.svd((mu - pi @ mu).T, full_matrices=False)[0]
    return U[:, : (k - 1 if q is None else q)]


def lda_subspace(X: np.ndarray, c: np.ndarray, k: int, q: int | None = None) -> np.ndarray:
    """§4 labelled LDA: top-q of eigh(Ŝ_B, Ŝ_W); empirical proportions, pooled within-class covariance /(n − k)."""
    n = len(X)
    classes = np.arange(k)
    p = np.array([np.mean(c == j) for j in classes])
    means = np.stack([X[c == j].mean(axis=0) for j in classes])
    mbar = p @ means
    mc = means - mbar
    S_B = (mc.T * p) @ mc
    R = X - means[c]
    S_W = R.T @ R / (n - k)
    return top_generalized(S_B, S_W, k - 1 if q is None else q)


def whitened_alignment(M: np.ndarray, C: np.ndarray, q: int) -> np.ndarray:
    """§4 closed form: argmax tr((ACAᵀ)⁻¹AMAᵀ), the top-q of eigh(M, C)."""
    return top_generalized(M, C, q)


def population_alignment_matrices(mu: np.ndarray, Sigma: np.ndarray, delta: float,
                                  pi: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """§4: population M = ½(E[xx⁺ᵀ] + E[x⁺xᵀ]) = (1 − δ)S_B and C = ½(E[xxᵀ] + E[x⁺x⁺ᵀ]) = S_B + Σ (μ̄ = 0)."""
    k = len(mu)
    pi = np.full(k, 1.0 / k) if pi is None else pi
    mc = mu - pi @ mu
    S_B = (mc.T * pi) @ mc
    return (1.0 - delta) * S_B, S_B + Sigma


def empirical_alignment_matrices(x: np.ndarray, xp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """§4 fixed-dataset closed form: M and C from the n training pairs (second moments)."""
    n = len(x)
    Cxy = x.T @ xp / n
    return 0.5 * (Cxy + Cxy.T), 0.5 * (x.T @ x + xp.T @ xp) / n


# --- §6 worked 2-D example ------------------------------------------------------------------------

def bayes_error_1d(w: np.ndarray, mu_plus: np.ndarray, Sigma: np.ndarray) -> float:
    """§6: 1-D Bayes error along w for μ_± = ±μ₊, equal priors: Φ(−|wᵀμ₊|/√(wᵀΣw))."""
    return float(norm.cdf(-abs(w @ mu_plus) / np.sqrt(w @ Sigma @ w)))


def angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between the lines spanned by u and v, in degrees (in [0, 90])."""
    c = abs(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(c, 0.0, 1.0))))


def worked_example(Sigma: np.ndarray) -> dict[str, float]:
    """§6: d = k = 2, μ_± = ±e₁: Fisher ∝ Σ⁻¹e₁, PC1 of Σ + e₁e₁ᵀ, the mean direction e₁; angles and errors."""
    e1 = np.array([1.0, 0.0])
    fisher = np.linalg.solve(Sigma, e1)
    cov = Sigma + np.outer(e1, e1)
    w, V = np.linalg.eigh(cov)
    pc1 = V[:, np.argmax(w)]
    return {
        "angle_pc1_fisher": angle_deg(pc1, fisher),
        "angle_mean_fisher": angle_deg(e1, fisher),
        "err_fisher": bayes_error_1d(fisher, e1, Sigma),
        "err_pc1": bayes_error_1d(pc1, e1, Sigma),
        "err_mean": bayes_error_1d(e1, e1, Sigma),
        "pc1_x": float(abs(pc1[0])), "pc1_y": float(abs(pc1[1])),
    }


