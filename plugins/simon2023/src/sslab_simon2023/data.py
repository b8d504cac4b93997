"""Simon et al. 2023 data model (spec simon2023 §2): n positive pairs x = z + σξ, x' = z + σξ' in R^m.

Everything here is float64 NumPy drawn from the seed alone, so the simulation (which receives it as host inputs)
and the theory module (which redraws it) see the same pairs and the same initial W̃ without sharing any result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from sslab.config import ConfigError, Section, nonnegative, param, positive

#: stream tags of the seed's NumPy generator (spec §2): one for the pairs, one for the initial matrix W̃
PAIRS, INIT = 0, 1


@dataclass
class GaussianPairs(Section):
    """Spec §2: latent z ~ N(0, diag(s)), views x = z + σξ and x' = z + σξ' with ξ, ξ' ~ N(0, I_m)."""

    name: Literal["gaussian_pairs"] = param("gaussian_pairs")
    m: int = param(16, check=positive, doc="input dimension m")
    n: int = param(500, check=positive, doc="number of positive pairs (paper Fig. 1: n = 500)")
    k: int = param(4, check=positive, doc="number of strong latent directions")
    decay: float = param(0.7, check=nonnegative, doc="strong latent variances s_j = 1/(1 + decay·(j − 1)), j ≤ k")
    tail: float = param(0.05, check=nonnegative, doc="latent variance of the other m − k directions")
    noise: float = param(0.3, check=nonnegative, doc="view noise σ")

    def check(self) -> None:
        if self.k > self.m:
            raise ConfigError(f"data.k: must be <= data.m = {self.m}, got {self.k}")
        if self.n < 2:
            raise ConfigError(f"data.n: must be >= 2, got {self.n}")


def latent_variances(c: GaussianPairs) -> np.ndarray:
    """s ∈ R^m: 1/(1 + decay·(j − 1)) for j = 1..k, then ``tail`` (spec §2)."""
    j = np.arange(c.m)
    return np.where(j < c.k, 1.0 / (1.0 + c.decay * j), c.tail)


def sample_pairs(seed: int, c: GaussianPairs) -> tuple[np.ndarray, np.ndarray]:
    """The n positive pairs (X, X'), each (n, m) float64, from the seed's ``PAIRS`` stream."""
    rng = np.random.default_rng([int(seed), PAIRS])
    z = rng.standard_normal((c.n, c.m)) * np.sqrt(latent_variances(c))
    return z + c.noise * rng.standard_normal((c.n, c.m)), z + c.noise * rng.standard_normal((c.n, c.m))


def contrastive_kernel(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """Γ = (1/2n) Σ_i (x_i x'_iᵀ + x'_i x_iᵀ), the symmetrised cross-correlation of the data (spec §3)."""
    raw = X1.T @ X2 / X1.shape[0]
    return 0.5 * (raw + raw.T)


def eigenmodes(Gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues γ_1 ≥ … ≥ γ_m of Γ and its eigenvectors as columns of V (signs fixed: largest entry > 0)."""
    g, V = np.linalg.eigh(Gamma)
    g, V = g[::-1], V[:, ::-1]
    signs = np.sign(V[np.argmax(np.abs(V), axis=0), np.arange(V.shape[1])])
    return g, V * signs


def initial_direction(seed: int, d: int, m: int) -> np.ndarray:
    """W̃ ∈ R^{d×m} with i.i.d. N(0, 1) entries from the seed's ``INIT`` stream; W(0) = α W̃ (spec §4)."""
    return np.random.default_rng([int(seed), INIT]).standard_normal((d, m))
