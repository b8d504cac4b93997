"""Wen & Li 2021 feature-learning metrics (spec wenli2021 §6) and the decoupling estimate (§7.1).

With c_ij = ⟨w_i, M_j⟩/‖w_i‖: coverage_j = max_i |c_ij|, feature mass ρ_i = Σ_j c_ij², participation
ratio PR_i = (Σ_j c_ij²)² / Σ_j c_ij⁴. W is d1×m (columns are neurons), M is d1×d.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


COVERED = 0.9  # spec §6: feature j is covered when coverage_j > 0.9


def cosines(W, M):
    """c (m×d): c_ij = ⟨w_i, M_j⟩ / ‖w_i‖ (spec §6)."""
    return (W.T @ M) / jnp.linalg.norm(W, axis=0)[:, None]


def coverage(c):
    """coverage_j = max_i |c_ij| (length d)."""
    return jnp.max(jnp.abs(c), axis=0)


def frac_covered(c, level: float = COVERED):
    """Fraction of features j with coverage_j > level."""
    return jnp.mean(coverage(c) > level)


def feature_mass(c):
    """ρ_i = Σ_j c_ij² = ‖Mᵀw_i‖²/‖w_i‖² (length m); 1 − ρ_i is the dense mass."""
    return jnp.sum(c**2, axis=1)


def participation_ratio(c):
    """PR_i = (Σ_j c_ij²)² / Σ_j c_ij⁴ (≈ 1 for one feature, ≈ d/3 for a random direction in span(M))."""
    c2 = c**2
    return jnp.sum(c2, axis=1) ** 2 / jnp.sum(c2**2, axis=1)


def neuron_metrics(W, M) -> dict:
    """Scalars logged during training: coverage (min, median, frac), medians of ρ, PR and ‖w_i‖."""
    c = cosines(W, M)
    cov = coverage(c)
    return {
        "cov_min": jnp.min(cov), "cov_median": jnp.median(cov), "frac_covered": jnp.mean(cov > COVERED),
        "rho_median": jnp.median(feature_mass(c)), "pr_median": jnp.median(participation_ratio(c)),
        "wnorm_median": jnp.median(jnp.linalg.norm(W, axis=0)),
    }


# --- host-side (NumPy, float64) -------------------------------------------------------------------

def pearson(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Pearson correlation of u[:, k] and v[:, k] over rows, per column k."""
    u = u - u.mean(0)
    v = v - v.mean(0)
    return (u * v).sum(0) / np.sqrt((u**2).sum(0) * (v**2).sum(0))


class PearsonAccumulator:
    """Streaming per-column Pearson correlation from batch sums (float64)."""

    def __init__(self) -> None:
        self.n, self.s = 0, None

    def add(self, u: np.ndarray, v: np.ndarray) -> None:
        sums = np.stack([u.sum(0), v.sum(0), (u * u).sum(0), (v * v).sum(0), (u * v).sum(0)])
        self.s = sums if self.s is None else self.s + sums
        self.n += len(u)

    def value(self) -> np.ndarray:
        su, sv, suu, svv, suv = self.s / self.n
        return (suv - su * sv) / np.sqrt((suu - su**2) * (svv - sv**2))


def cross_covariance(Xa: np.ndarray, Xb: np.ndarray) -> np.ndarray:
    """C_n = (1/n) Σ x_a x_bᵀ, the empirical E[x_a x_bᵀ] of spec §7.1."""
    return Xa.T @ Xb / len(Xa)


def representation(W: np.ndarray, X: np.ndarray, kappa: float, sigma_xi: float) -> np.ndarray:
    """Spec §6 evaluation features f(x) with b_i = κ·σ_ξ·‖w_i‖ (clean inputs, s = σ_ξ)."""
    U = X @ W
    b = kappa * sigma_xi * np.linalg.norm(W, axis=0)
    return np.sign(U) * np.maximum(np.abs(U) - b, 0.0)


def ridge_alpha(F_tr: np.ndarray) -> float:
    """Spec §6 α = 10⁻²·tr(A)/dim(A), A the centred training second moment FᵀF/n."""
    Fc = F_tr - F_tr.mean(0)
    return 1e-2 * float(np.sum(Fc**2)) / (len(Fc) * Fc.shape[1])


def ridge_r2(F_tr: np.ndarray, Z_tr: np.ndarray, F_te: np.ndarray, Z_te: np.ndarray) -> float:
    """Spec §6 downstream R² of z from F: ridge (scikit-learn) with α of spec §6, mean R² over the d targets.

    scikit-learn's Ridge minimises ‖Z − FB‖² + a‖B‖², so a = n_tr·α gives B = (A + αI)⁻¹FᵀZ/n_tr.
    """
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    model = Ridge(alpha=len(F_tr) * ridge_alpha(F_tr), fit_intercept=True, solver="cholesky")
    model.fit(F_tr, Z_tr)
    return float(r2_score(Z_te, model.predict(F_te), multioutput="uniform_average"))


