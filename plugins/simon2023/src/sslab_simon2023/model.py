"""Simon et al. 2023 model (spec simon2023 §3–§4): the linear embedding f(x) = Wx, W ∈ R^{d×m}, from W(0) = α W̃."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sslab.config import Section, param, positive

from .data import contrastive_kernel, eigenmodes, initial_direction


@dataclass
class LinearEmbedding(Section):
    """Spec §3–§4: d embedding dimensions; W(0) = α W̃ with W̃ random (N(0,1) entries) or aligned (V_dᵀ)."""

    name: Literal["linear"] = param("linear")
    d: int = param(4, check=positive, doc="embedding dimension d")
    init: Literal["random", "aligned"] = param(
        "random", doc="random: W̃_ij ~ N(0, 1); aligned: W̃ = V_dᵀ, the top-d eigenvectors of Γ (paper's exact solution)")
    init_scale: float = param(1e-3, lane=True, check=positive, doc="initialisation scale α: W(0) = α W̃")


def initial_matrix(seed: int, c: LinearEmbedding, X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """W̃ (d×m, float64) of spec §4; the scale α is applied inside the program (it is a lane field)."""
    if c.init == "aligned":
        _, V = eigenmodes(contrastive_kernel(X1, X2))
        return V[:, : c.d].T.copy()
    return initial_direction(seed, c.d, X1.shape[1])


def embed(W, X):
    """f(x) = Wx for each row of X: (n, m) -> (n, d)."""
    return X @ W.T
