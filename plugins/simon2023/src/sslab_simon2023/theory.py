"""Closed forms of the linear Barlow Twins model (spec simon2023 §5), float64 NumPy, from the seed's inputs only.

Gradient flow Ẇ = 4(I − C)WΓ on L = ‖C − I‖²_F, C = WΓWᵀ. In the eigenbasis Γ = Σ_k γ_k v_k v_kᵀ the columns
w_k = Wv_k obey ẇ_k = 4γ_k (I − C) w_k with C = Σ_k γ_k w_k w_kᵀ (§5.1). Each learned mode's eigenvalue λ_j of
C follows the logistic λ̇_j = 8γ_j λ_j (1 − λ_j) (§5.2, exact for aligned W(0)); from small random W(0) = αW̃
the same holds with the effective initial value λ_j(0) = γ_j ‖P⊥_{j−1} w_j(0)‖² of a Gram–Schmidt sweep (§5.3).
Nothing here reads a simulated trajectory: the inputs are the pairs, W̃, α and the time grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import GaussianPairs, contrastive_kernel, eigenmodes, sample_pairs
from .model import LinearEmbedding, initial_matrix


@dataclass(frozen=True)
class Prediction:
    """The closed-form objects of one seed and initialisation scale (spec §5)."""

    gamma: np.ndarray  # γ_1 ≥ … ≥ γ_m, eigenvalues of Γ
    V: np.ndarray  # eigenvectors of Γ as columns (m × m)
    lam0: np.ndarray  # effective initial eigenvalues λ_j(0), j = 1..d (§5.2 aligned, §5.3 random)
    basis: np.ndarray  # u_1..u_d: the embedding directions the modes are learned along (d × d, columns)
    W0: np.ndarray  # W(0) = α W̃

    @property
    def d(self) -> int:
        return len(self.lam0)

    @property
    def rates(self) -> np.ndarray:
        """8γ_j: the logistic rate of mode j in effective time t = η·step (§5.2)."""
        return 8.0 * self.gamma[: self.d]

    @property
    def small(self) -> bool:
        """The small-initialisation regime of §5.3: every effective λ_j(0) below 1/2 (a step exists)."""
        return bool(np.all(self.lam0 < 0.5))


def predict(seed: int, data: GaussianPairs, model: LinearEmbedding, alpha: float) -> Prediction:
    """Effective initial eigenvalues and learned directions for W(0) = α W̃ (spec §5.2–§5.3)."""
    X1, X2 = sample_pairs(seed, data)
    gamma, V = eigenmodes(contrastive_kernel(X1, X2))
    W0 = alpha * initial_matrix(seed, model, X1, X2)
    d = model.d
    if model.init == "aligned":  # W(0) = α V_dᵀ: s_j(0) = α, λ_j(0) = γ_j α², u_j = e_j (§5.2)
        return Prediction(gamma, V, gamma[:d] * alpha**2, np.eye(d), W0)
    lam0, basis = gram_schmidt(W0 @ V[:, :d], gamma[:d])
    return Prediction(gamma, V, lam0, basis, W0)


def gram_schmidt(w: np.ndarray, gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """λ_j(0) = γ_j ‖P⊥_{j−1} w_j‖² and u_j = P⊥_{j−1} w_j / ‖·‖, sweeping the columns w_1..w_d in order (§5.3)."""
    d = w.shape[1]
    U = np.zeros((w.shape[0], d))
    lam0 = np.zeros(d)
    for j in range(d):
        b = w[:, j] - U[:, :j] @ (U[:, :j].T @ w[:, j])
        lam0[j] = gamma[j] * (b @ b)
        U[:, j] = b / np.linalg.norm(b)
    return lam0, U


def eigenvalues(p: Prediction, t: np.ndarray) -> np.ndarray:
    """λ_j(t) = λ_j(0)e^{8γ_j t} / (1 + λ_j(0)(e^{8γ_j t} − 1)), shape (len(t), d) (§5.2).

    Evaluated as a logistic in the log-odds when 0 < λ_j(0) < 1 (stable for λ_j(0) ~ 1e-12), directly otherwise.
    """
    t = np.asarray(t, float)[:, None]
    lam0, r = p.lam0[None, :], p.rates[None, :]
    inside = (lam0 > 0) & (lam0 < 1)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        logit0 = np.log(np.where(inside, lam0, 0.5)) - np.log1p(-np.where(inside, lam0, 0.5))
        logistic = 1.0 / (1.0 + np.exp(-(logit0 + r * t)))
        e = np.exp(np.minimum(r * t, 700.0))
        direct = lam0 * e / (1.0 + lam0 * (e - 1.0))
    return np.where(inside, logistic, direct)


def loss(p: Prediction, t: np.ndarray) -> np.ndarray:
    """L(t) = Σ_j (1 − λ_j(t))²: d at collapse, one unit less per learned mode (§5.2)."""
    return np.sum((1.0 - eigenvalues(p, t)) ** 2, axis=1)


def step_times(p: Prediction) -> np.ndarray:
    """t_j = ln(1/λ_j(0) − 1) / (8γ_j), when λ_j crosses 1/2 (§5.2); NaN outside the small regime."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.log(1.0 / p.lam0 - 1.0) / p.rates
    return np.where(p.lam0 < 0.5, t, np.nan)


def interference(p: Prediction) -> float:
    """I = max_j λ_{j+1}(t_j): how far the next mode has grown when mode j is half learned (§5.5)."""
    t = step_times(p)
    return float(max(1.0 / (1.0 + np.exp(p.rates[j + 1] * (t[j + 1] - t[j]))) for j in range(p.d - 1)))


def sharpness(p: Prediction) -> float:
    """S = −log10 I (§5.5): about (2/ln 10)·min_j(1 − γ_{j+1}/γ_j)·ln(1/α) + O(1) as α → 0."""
    return -np.log10(interference(p)) if p.small else float("nan")


def final_gram(p: Prediction) -> np.ndarray:
    """WᵀW at the α → 0 fixed point W = U Γ_d^{−1/2} V_dᵀ (any orthogonal U): V_d Γ_d^{−1} V_dᵀ (§5.4)."""
    Vd = p.V[:, : p.d]
    return Vd @ np.diag(1.0 / p.gamma[: p.d]) @ Vd.T


def residual(p: Prediction) -> np.ndarray:
    """R_jk = (u_j·w_k(0)) λ_j(0)^{−γ_k/(2γ_j)}, k > d: what the lower modes keep of W(0) at the end (§5.4)."""
    d = p.d
    w = p.W0 @ p.V[:, d:]  # columns w_k(0), k > d
    g = p.gamma
    growth = p.lam0[:, None] ** (-g[None, d:] / (2.0 * g[:d, None]))
    return (p.basis.T @ w) * growth


def subspace_distance(p: Prediction) -> float:
    """sin θ_max between the final row space of W and span(v_1..v_d): ‖diag(√γ_j) R‖₂ to first order (§5.4)."""
    return float(np.linalg.norm(np.sqrt(p.gamma[: p.d])[:, None] * residual(p), 2))


# --- public theory objects (``sslab theory simon2023.NAME key=value``), at the spec's default data and model ---

def closed_form_steps(seed: int = 0, alpha: float = 1e-3, init: str = "random") -> dict:
    """γ_j, effective λ_j(0) and step times t_j of modes j = 1..d for one seed and α (spec §5.2–5.3)."""
    p = predict(int(seed), GaussianPairs(), LinearEmbedding(init=init), float(alpha))
    return {"gamma": p.gamma[: p.d], "lam0": p.lam0, "step_times": step_times(p), "small": p.small}


def closed_form_sharpness(seed: int = 0, alpha: float = 1e-3) -> float:
    """Step sharpness S = −log10 max_j λ_{j+1}(t_j) (spec §5.5); NaN outside the small regime."""
    return sharpness(predict(int(seed), GaussianPairs(), LinearEmbedding(), float(alpha)))


def closed_form_residual(seed: int = 0, alpha: float = 1e-3) -> float:
    """sin θ_max between the final row space of W and the top-d eigenspace of Γ at finite α (spec §5.4)."""
    return subspace_distance(predict(int(seed), GaussianPairs(), LinearEmbedding(), float(alpha)))


PUBLIC = {"steps": closed_form_steps, "sharpness": closed_form_sharpness, "residual": closed_form_residual}
