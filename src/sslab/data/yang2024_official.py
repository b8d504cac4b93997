"""Pre-generated official-order random draws, Spec yang2024 §4 (official-mode RNG order)."""

from __future__ import annotations

import random

import numpy as np

__all__ = ["official_draws"]


def official_draws(seed: int, method: str = "ssl", condition: int = 0,
                   T: int = 4000, d: int = 10, n: int = 100, tau: float = 7.0,
                   rho: float = 10 ** -1.5, data_noise: str = "scalar") -> dict:
    """All draws of one official-mode run, made in bulk in the official order.

    Uses ``np.random.RandomState(seed)`` and ``random.Random(seed)`` (the same
    streams as ``np.random.seed(seed); random.seed(seed)``).

    Returns a dict of float64 arrays:

    * ``W0`` (2, d): initial W (SSL, condition 0 or 1) or W^SL (SL).
    * ``F0`` (2,): initial F (SL); zeros for SSL.
    * ``X`` (n, d): data after the official reordering (clusters 1-2, i.e.
      y = +1, first, then clusters 3-4, each block in draw order).
    * ``y`` (n,): labels +-1; ``z`` (n,): hidden feature 0/1;
      ``t`` (n,): SL targets (0 for y = +1, 1 for y = -1).
    * ``zeta`` (T, n, d, 2) for SSL: view j of point i at step s is
      ``X[i] + rho * zeta[s, i, :, j]``; shape (0, n, d, 2) for SL.

    ``data_noise="scalar"`` is the official scripts' broadcast scalar data noise;
    ``"isotropic"`` (project extension) draws d normals per point in its place.
    """
    if method not in ("ssl", "sl"):
        raise ValueError(f"method must be 'ssl' or 'sl', got {method!r}")
    if data_noise not in ("scalar", "isotropic"):
        raise ValueError(f"data_noise must be 'scalar' or 'isotropic', got {data_noise!r}")
    if method == "ssl" and condition not in (0, 1):
        raise ValueError(f"condition must be 0 or 1, got {condition!r}")

    rs = np.random.RandomState(seed)
    pyrng = random.Random(seed)

    # 2. 2*d normals, row-major (a bulk legacy draw equals successive scalar draws)
    W0 = rs.normal(0.0, 1.0, size=(2, d)).astype(np.float64)
    F0 = np.zeros(2)
    if method == "ssl":
        if condition == 0:
            # 3. Python `random` uniforms: w11, w21, w12, w22
            W0[0, 0] = pyrng.uniform(3.1, 3.9)
            W0[1, 0] = -pyrng.uniform(3.1, 3.9)
            W0[0, 1] = pyrng.uniform(8.5, 9) / tau
            W0[1, 1] = pyrng.uniform(8.5, 9) / tau
        else:
            W0[0, 0] = abs(W0[0, 0])
            W0[1, 0] = -abs(W0[1, 0])
            W0[0, 1] = abs(W0[0, 1])
            W0[1, 1] = abs(W0[1, 1])
    else:
        W0[0, 0] = abs(W0[0, 0])
        W0[1, 0] = -abs(W0[1, 0])
        F0 = rs.normal(0.0, 1.0, size=2).astype(np.float64)

    # 4. cluster ids, then the data noise of each point in draw order
    cluster = rs.choice(np.array([1, 2, 3, 4]), size=n, replace=True,
                        p=np.array([0.25, 0.25, 0.25, 0.25]))
    if data_noise == "scalar":
        noise = np.repeat(rs.normal(0.0, 1.0, size=n)[:, None], d, axis=1)
    else:
        noise = rs.normal(0.0, 1.0, size=(n, d))
    y_draw = np.where(cluster <= 2, 1.0, -1.0)
    z_draw = np.where((cluster == 2) | (cluster == 4), 1.0, 0.0)
    centres = np.zeros((n, d))
    centres[:, 0] = y_draw
    centres[:, 1] = tau * z_draw
    X_draw = centres + rho * noise

    # 5. reorder: clusters 1-2 first, then 3-4, each block in draw order
    order = np.concatenate([np.flatnonzero(cluster <= 2), np.flatnonzero(cluster >= 3)])
    X = np.ascontiguousarray(X_draw[order], dtype=np.float64)
    y = y_draw[order]
    z = z_draw[order]
    t = np.where(y > 0, 0.0, 1.0)

    # 6. SSL augmentation: one normal(size=(n, d, 2)) call per step
    if method == "ssl":
        zeta = np.empty((T, n, d, 2))
        for s in range(T):
            zeta[s] = rs.normal(0.0, 1.0, size=(n, d, 2))
    else:
        zeta = np.empty((0, n, d, 2))

    return {"W0": W0, "F0": F0, "X": X, "y": y, "z": z, "t": t, "zeta": zeta}
