"""Bansal et al. 2024 theory in float64: Fisher subspace, baselines, closed form, the §6 example (spec §3, §4, §6).

The last section holds the paper's public theory objects (``Paper.theory``; ``sslab theory bansal2024.NAME
key=value``): per seed, the GMM, its Fisher subspace, the §4 baselines, the population and same-sample closed
forms, the claim-4 invariance quantities and the downstream references. The claims measure exactly these.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.stats import norm

from . import data as dm
from . import metrics as met



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




# --- public theory objects (Paper.theory) ---------------------------------------------------------

N_LABELLED = 20_000  # labelled anchors for LDA and the downstream fits (spec §4, §5)


def gmm(seed: int = 0, kappa: float = 100.0, d: int = 20, k: int = 4, Delta: float = 3.0) -> dict:
    """The seed's §1 GMM: π, μ (centred), Σ (cond κ, det 1), S_B, eig(Σ), the mean pairwise Mahalanobis distance."""
    g = dm.gmm_params(seed, d=d, k=k, kappa=kappa, Delta=Delta)
    return {"pi": g.pi, "mu": g.mu, "Sigma": g.Sigma, "S_B": g.S_B, "Sigma_eigenvalues": np.linalg.eigvalsh(g.Sigma),
            "rank_S_B": int(np.linalg.matrix_rank(g.S_B)), "mean_pairwise_mahalanobis": dm.mean_pairwise_mahalanobis(g.mu, g.Sigma)}


def fisher(seed: int = 0, kappa: float = 100.0, d: int = 20, k: int = 4, Delta: float = 3.0) -> dict:
    """§3: U_F (orthonormal basis of range(Σ⁻¹S_B), from eigh(S_B, Σ)), the q generalized eigenvalues, and
    how far F is from the mean span and from PCA (sin θ_max)."""
    g = dm.gmm_params(seed, d=d, k=k, kappa=kappa, Delta=Delta)
    w = scipy.linalg.eigh(g.S_B, g.Sigma, eigvals_only=True)
    U_F = fisher_subspace(g.mu, g.Sigma, g.pi)
    return {"U_F": U_F, "generalized_eigenvalues": np.sort(w)[::-1][: k - 1],
            "sin_theta_max_mean_span": met.sin_theta_max(U_F, mean_span(g.mu, g.pi)),
            "sin_theta_max_pca": met.sin_theta_max(U_F, pca_subspace(g.Sigma + g.S_B, k - 1))}


def baselines(seed: int = 0, kappa: float = 100.0) -> dict:
    """§4 population baselines of one seed's GMM (claim 2): PCA (Σ + S_B), the mean span, labelled LDA
    (20 000 anchors from stream [seed, TAG_LABELLED]), the closed form eigh(M, C) at δ = 0; their sin θ_max to F,
    and the random-subspace reference (Haar draw from stream [seed, 99])."""
    g = dm.gmm_params(seed, kappa=kappa)
    q = g.k - 1
    s = g.sample(np.random.default_rng([seed, dm.TAG_LABELLED]), N_LABELLED)
    M, C = population_alignment_matrices(g.mu, g.Sigma, 0.0, g.pi)
    U = {"F": fisher_subspace(g.mu, g.Sigma, g.pi), "PCA": pca_subspace(g.Sigma + g.S_B, q),
         "mean span": mean_span(g.mu, g.pi), "LDA": lda_subspace(s["x"], s["c"], g.k),
         "closed form": whitened_alignment(M, C, q)}
    errors = {m: met.sin_theta_max(U["F"], V) for m, V in U.items() if m != "F"}
    errors["random"] = met.random_subspace_error(np.random.default_rng([seed, 99]), U["F"])
    return {"subspaces": U, "sin_theta_max": errors}


def closed_form(seed: int = 0, delta: float = 0.0, kappa: float = 100.0) -> dict:
    """§4 population closed form (claim 7): top-q of eigh(M, C) with M = (1 − δ)S_B, C = S_B + Σ; its
    sin θ_max to F and its generalized eigenvalues (each λ_M = (1 − δ)λ/(1 + λ) of a λ of eigh(S_B, Σ))."""
    g = dm.gmm_params(seed, kappa=kappa)
    M, C = population_alignment_matrices(g.mu, g.Sigma, delta, g.pi)
    U = whitened_alignment(M, C, g.k - 1)
    w = np.sort(scipy.linalg.eigh(M, C, eigvals_only=True))[::-1][: g.k - 1]
    return {"U": U, "sin_theta_max": met.sin_theta_max(fisher_subspace(g.mu, g.Sigma, g.pi), U), "eigenvalues": w}


def sample_closed_form(seed: int = 0, n: int = 32_000, delta: float = 0.0, kappa: float = 100.0) -> dict:
    """The §4 fixed-dataset estimators on the seed's n training pairs (the pairs a fixed-dataset run trains on;
    claims 3 and 6): the closed form eigh(M̂, Ĉ) (second moments of the pairs), labelled LDA (anchors and
    labels) and PCA (anchor covariance); their subspaces and sin θ_max to F."""
    data = dm.BansalData(mode="fixed", n=int(n), delta=float(delta), kappa=float(kappa))
    s = dm.fixed_dataset(seed, data)
    g = dm.gmm_params(seed, data.d, data.k, data.kappa, data.Delta)
    q = g.k - 1
    U_F = fisher_subspace(g.mu, g.Sigma, g.pi)
    M, C = empirical_alignment_matrices(s["x"], s["xp"])
    xc = s["x"] - s["x"].mean(axis=0)
    U = {"closed form": whitened_alignment(M, C, q), "LDA": lda_subspace(s["x"], s["c"], g.k),
         "PCA": pca_subspace(xc.T @ xc / len(xc), q)}
    return {"subspaces": U, "sin_theta_max": {m: met.sin_theta_max(U_F, V) for m, V in U.items()}}


def invariance_identity(seed: int = 0, n_A: int = 20, B: int = 512) -> float:
    """Claim 4: max over n_A random A of |L_T(AT⁻¹) − L(A)|/|L(A)| on one float64 batch (dot product, τ = 1)."""
    import jax
    import jax.numpy as jnp

    from ...losses.infonce import infonce

    g = dm.gmm_params(seed)
    T = dm.random_transform(seed, g.d)
    Tinv = np.linalg.inv(T)
    s = g.sample(np.random.default_rng([seed, 77]), B)
    rng = np.random.default_rng([seed, 78])
    worst = 0.0
    loss = jax.jit(infonce)  # one compile; eager calls would retrace the kernel's scan for every A
    with jax.enable_x64(True):
        for _ in range(n_A):
            A = rng.standard_normal((g.k - 1, g.d)) / np.sqrt(g.d)
            L = float(loss(jnp.asarray(s["x"] @ A.T), jnp.asarray(s["xp"] @ A.T)))
            AT = A @ Tinv
            LT = float(loss(jnp.asarray((s["x"] @ T.T) @ AT.T), jnp.asarray((s["xp"] @ T.T) @ AT.T)))
            worst = max(worst, abs(LT - L) / abs(L))
    return worst


def fisher_transform_error(seed: int = 0) -> float:
    """Claim 4: sin θ_max(F_T, T⁻ᵀF), F_T from (Tμ_c, TΣTᵀ), float64."""
    g = dm.gmm_params(seed)
    T = dm.random_transform(seed, g.d)
    gT = g.transformed(T)
    F = fisher_subspace(g.mu, g.Sigma, g.pi)
    FT = fisher_subspace(gT.mu, gT.Sigma, gT.pi)
    return met.sin_theta_max(FT, orth(np.linalg.solve(T.T, F)))


def invariance(seed: int = 0) -> dict:
    """Claim 4: the seed's T (i.i.d. N(0, 1), cond ≤ 10), the loss identity error over 20 random A and the Fisher
    map error sin θ_max(F_T, T⁻ᵀF)."""
    T = dm.random_transform(seed, 20)
    return {"T": T, "cond_T": float(np.linalg.cond(T)), "identity_rel_err": invariance_identity(seed),
            "fisher_map_err": fisher_transform_error(seed)}


def embedding_scores(V: np.ndarray, tr: dict, te: dict, k: int, seed: int, kmeans: bool = True) -> dict:
    """§5 downstream scores of the embedding z = xV (V: d × r): LDA and nearest-mean accuracy (%) fitted on
    ``tr`` and tested on ``te``; k-means NMI and ARI on the test embedding."""
    Ztr, Zte = tr["x"] @ V, te["x"] @ V
    out = {"lda": met.lda_accuracy(Ztr, tr["c"], Zte, te["c"], k), "nm": met.nearest_mean_accuracy(Ztr, tr["c"], Zte, te["c"], k)}
    if kmeans:
        out["nmi"], out["ari"] = met.kmeans_scores(Zte, te["c"], k, seed)
    return out


def downstream_sets(seed: int, kappa: float) -> tuple:
    """The seed's GMM with its 20 000 labelled fitting samples and 20 000 fresh test samples (§5)."""
    g = dm.gmm_params(seed, kappa=kappa)
    tr = g.sample(np.random.default_rng([seed, dm.TAG_LABELLED]), N_LABELLED)
    te = g.sample(np.random.default_rng([seed, dm.TAG_TEST]), N_LABELLED)
    return g, tr, te


def downstream(seed: int = 0, kappa: float = 100.0, kmeans: int = 1) -> dict:
    """§5 downstream references of claim 9: the Bayes accuracy (%) on the test set, and the scores of the
    labelled-LDA and PCA embeddings (the trained InfoNCE embedding is scored the same way by the claim)."""
    g, tr, te = downstream_sets(seed, kappa)
    return {"bayes": met.bayes_accuracy(te["x"], te["c"], g.mu, g.Sigma),
            "LDA": embedding_scores(lda_subspace(tr["x"], tr["c"], g.k), tr, te, g.k, seed, bool(kmeans)),
            "PCA": embedding_scores(pca_subspace(g.Sigma + g.S_B, g.k - 1), tr, te, g.k, seed, bool(kmeans))}


def worked_example_2d(s2: float = 4.0, c: float = 0.0) -> dict[str, float]:
    """§6 with Σ = [[1, c], [c, s2]] (the spec's cases: s2 = 4, c = 0 and s2 = 1, c = 0.9)."""
    return worked_example(np.array([[1.0, c], [c, s2]]))
