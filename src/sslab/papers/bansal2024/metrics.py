"""Bansal et al. 2024 metrics (spec §5): subspace errors, energy fractions, downstream accuracy, clustering.

Host-side metrics are float64 NumPy/scikit-learn, computed from final parameters and the seed's GMM;
:func:`sin_theta_max_jax` is the cheap float32 learning-curve version logged inside the program.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from scipy.stats import ortho_group



def row_space(A: np.ndarray, q: int) -> np.ndarray:
    """§3: U_A, the top-q right singular vectors of A (input-space directions), as a (d, q) basis."""
    return np.linalg.svd(np.asarray(A, np.float64), full_matrices=False)[2][:q].T


def sin_theta_max(U_F: np.ndarray, U: np.ndarray) -> float:
    """§5: sin θ_max = ‖(I − U_F U_Fᵀ)U‖₂ for orthonormal bases of equal dimension."""
    R = U - U_F @ (U_F.T @ U)
    return float(np.linalg.norm(R, 2))


def principal_angles(U_F: np.ndarray, U: np.ndarray) -> np.ndarray:
    """§5: principal angles θ_i with cos θ_i = σ_i(U_Fᵀ U), in radians, ascending."""
    s = np.clip(np.linalg.svd(U_F.T @ U, compute_uv=False), -1.0, 1.0)
    return np.sort(np.arccos(s))


def projection_distance(U_F: np.ndarray, U: np.ndarray) -> float:
    """§5: ‖P_U − P_F‖_F / √(2q)."""
    q = U.shape[1]
    return float(np.linalg.norm(U @ U.T - U_F @ U_F.T) / np.sqrt(2 * q))


def energy_fraction(A: np.ndarray, U: np.ndarray) -> float:
    """§5: E_U(A) = ‖A P_U‖²_F / ‖A‖²_F for an orthonormal basis U."""
    A = np.asarray(A, np.float64)
    return float(np.sum((A @ U) ** 2) / np.sum(A**2))


def trailing_ratios(A: np.ndarray, q: int) -> np.ndarray:
    """§5: σ_{q+1..r}(A)/σ_1(A)."""
    s = np.linalg.svd(np.asarray(A, np.float64), compute_uv=False)
    return s[q:] / s[0]


def random_subspace_error(rng: np.random.Generator, U_F: np.ndarray) -> float:
    """§5 reference: sin θ_max between F and a Haar-random subspace of the same dimension."""
    d, q = U_F.shape
    U = ortho_group.rvs(d, random_state=rng)[:, :q]
    return sin_theta_max(U_F, U)


def _class_means(Z: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    return np.stack([Z[c == j].mean(axis=0) for j in range(k)])


def lda_accuracy(Z_tr: np.ndarray, c_tr: np.ndarray, Z_te: np.ndarray, c_te: np.ndarray, k: int) -> float:
    """§5 LDA accuracy (%): class means, pooled covariance and empirical priors fitted on (Z_tr, c_tr)."""
    means = _class_means(Z_tr, c_tr, k)
    R = Z_tr - means[c_tr]
    S = R.T @ R / (len(Z_tr) - k)
    P = np.linalg.pinv(S)
    logp = np.log(np.array([np.mean(c_tr == j) for j in range(k)]))
    scores = Z_te @ P @ means.T - 0.5 * np.sum(means @ P * means, axis=1) + logp
    return 100.0 * float(np.mean(np.argmax(scores, axis=1) == c_te))


def nearest_mean_accuracy(Z_tr: np.ndarray, c_tr: np.ndarray, Z_te: np.ndarray, c_te: np.ndarray, k: int) -> float:
    """§5 Euclidean nearest-class-mean accuracy (%)."""
    means = _class_means(Z_tr, c_tr, k)
    d2 = np.sum((Z_te[:, None, :] - means[None]) ** 2, axis=-1)
    return 100.0 * float(np.mean(np.argmin(d2, axis=1) == c_te))


def bayes_accuracy(X: np.ndarray, c: np.ndarray, mu: np.ndarray, Sigma: np.ndarray) -> float:
    """§5 Bayes accuracy (%): Mahalanobis nearest true mean (equal priors, shared Σ)."""
    P = np.linalg.inv(Sigma)
    D = X[:, None, :] - mu[None]
    d2 = np.einsum("nkd,de,nke->nk", D, P, D)
    return 100.0 * float(np.mean(np.argmin(d2, axis=1) == c))


def kmeans_scores(Z: np.ndarray, c: np.ndarray, k: int, seed: int = 0) -> tuple[float, float]:
    """§5 clustering: k-means (k-means++, 10 restarts) on Z, scored by (NMI, ARI) against c.

    Runs on one OpenMP thread: for these small problems (≤ 10⁵ points, r ≤ 8 dims) sklearn's threaded Lloyd
    loop spin-waits on a busy machine and is up to ~100× slower; the labels are the same.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        labels = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=seed).fit_predict(Z)
    return float(normalized_mutual_info_score(c, labels)), float(adjusted_rand_score(c, labels))


def sin_theta_max_jax(A: jnp.ndarray, U_F: jnp.ndarray) -> jnp.ndarray:
    """In-program (float32) learning-curve version of sin θ_max(row_q(A), F)."""
    q = U_F.shape[1]
    U = jnp.linalg.svd(A, full_matrices=False)[2][:q].T
    R = U - U_F @ (U_F.T @ U)
    return jnp.sqrt(jnp.max(jnp.linalg.eigvalsh(R.T @ R)).clip(0.0))


