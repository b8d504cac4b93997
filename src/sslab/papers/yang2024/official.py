"""The official scripts of Yang et al. 2024 (spec yang2024 §4 official mode, claim C11, §8).

Two independent pieces:

- :func:`official_draws`: every random draw of one official-mode run, made in bulk in the official order
  (the engine's ``mode=official`` reads them as host inputs).
- :func:`ssl_loop`, :func:`sl_loop`: a per-point-loop float64 reference of the official training, which
  draws its own numbers inline (it shares no code with the engine or with :func:`official_draws`).

The reference loop is an independent, deliberately straightforward re-implementation of the
training performed by the official scripts ``SSL_update_process.py`` and
``SL_update_process.py`` (wanshuiyin/AAAI-2023-The-Learnability-of-Nonlinear-SSL):
Python loops over GD steps and over data points, summed per-point gradients,
step size ``eta`` (official 1e-3) and regulariser gradients 2*alpha*n*W
(SSL) / 2*beta*n*W and 2*gamma*n*F (SL).  All random numbers are drawn inline,
at the same places and in the same order as in the official scripts, from a
local ``np.random.RandomState(seed)`` and ``random.Random(seed)``; these give
the same streams as ``np.random.seed(seed); random.seed(seed)`` followed by the
legacy global functions.

Differences from the published scripts (none changes the mathematical update):

* §8 defects patched: no ``run`` wrapper with a missing ``path`` argument, no
  file I/O, no tqdm; the functions simply return the trajectories.
* The BCE gradient factor ``(-t/p + (1-t)/(1-p)) * p*(1-p)`` of the SL script is
  written in its algebraically equal form ``p - t`` (no 0/0 at saturation).
* The sigmoid is evaluated in an overflow-free form.
* ``data_noise="isotropic"`` is a **project extension** (the paper's model,
  spec §2): instead of one scalar N(0,1) per point broadcast over all d
  coordinates (``"scalar"``, the only mode of the official scripts), d normals
  are drawn per point, as ``normal(0, 1, size=d)`` at the same place of the
  stream.

These functions are the C11 reference and the slow baseline of the speed
benchmark; they are intentionally not vectorised across points.
"""

from __future__ import annotations

import math
import random

import numpy as np

__all__ = ["official_draws", "ssl_loop", "sl_loop", "official_reference"]


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


# --- the per-point reference loop ------------------------------------------------------------------

_DATA_NOISE_MODES = ("scalar", "isotropic")


def _sigmoid(u: float) -> float:
    """Logistic sigmoid of a scalar, without overflow."""
    if u >= 0.0:
        return 1.0 / (1.0 + math.exp(-u))
    e = math.exp(u)
    return e / (1.0 + e)


def _check_noise(data_noise: str) -> None:
    if data_noise not in _DATA_NOISE_MODES:
        raise ValueError(
            f"data_noise must be one of {_DATA_NOISE_MODES}, got {data_noise!r}"
        )


def _draw_normal_matrix(rs: np.random.RandomState, d: int) -> np.ndarray:
    """2*d scalar N(0,1) draws, row-major, into a (2, d) matrix."""
    W = np.zeros((2, d))
    for row in range(2):
        for col in range(d):
            W[row, col] = rs.normal(0, 1)
    return W


def _draw_dataset(rs: np.random.RandomState, n: int, d: int, rho: float,
                  tau: float, data_noise: str):
    """Cluster ids, per-point data noise and the official reordering.

    Returns (points, targets): a list of n float64 d-vectors with clusters 1-2
    (y = +1) first and clusters 3-4 (y = -1) after, each in draw order, and the
    SL targets (0 for y = +1, 1 for y = -1).
    """
    e1 = np.zeros(d)
    e1[0] = 1.0
    e2 = np.zeros(d)
    e2[1] = 1.0
    centres = {1: e1, 2: e1 + tau * e2, 3: -e1, 4: -e1 + tau * e2}

    cluster = rs.choice(np.array([1, 2, 3, 4]), size=n, replace=True,
                        p=np.array([0.25, 0.25, 0.25, 0.25]))
    positive, negative = [], []
    for i in range(n):
        c = int(cluster[i])
        if data_noise == "scalar":
            noise = rs.normal(0, 1)          # one scalar, broadcast over d
        else:
            noise = rs.normal(0, 1, size=d)  # project extension: isotropic
        x = centres[c] + rho * noise
        if c in (1, 2):
            positive.append(x)
        else:
            negative.append(x)
    points = positive + negative
    targets = [0.0] * len(positive) + [1.0] * len(negative)
    return points, targets


def ssl_loop(seed: int, condition: int = 0, T: int = 4000, d: int = 10,
             n: int = 100, tau: float = 7.0, rho: float = 10 ** -1.5,
             alpha: float = 1 / 800, eta: float = 1e-3,
             data_noise: str = "scalar") -> np.ndarray:
    """Official-mode SSL gradient ascent; returns all iterates, shape (T+1, 2, d).

    Each step: W <- W + eta * (sum_i grad_W <sigma(W x_i^(1)), sigma(W x_i^(2))>
    - 2*alpha*n*W), with a fresh augmentation pair per point, drawn inside the
    point loop (for j in range(d): view-1 normal, then view-2 normal).
    """
    _check_noise(data_noise)
    if condition not in (0, 1):
        raise ValueError(f"condition must be 0 or 1, got {condition!r}")
    rs = np.random.RandomState(seed)
    pyrng = random.Random(seed)

    # --- initialisation (spec §4) ---
    W = _draw_normal_matrix(rs, d)
    if condition == 0:
        W[0, 0] = pyrng.uniform(3.1, 3.9)
        W[1, 0] = -pyrng.uniform(3.1, 3.9)
        W[0, 1] = pyrng.uniform(8.5, 9) / tau
        W[1, 1] = pyrng.uniform(8.5, 9) / tau
    else:
        W[0, 0] = abs(W[0, 0])    # w11 > 0
        W[1, 0] = -abs(W[1, 0])   # w21 < 0
        W[0, 1] = abs(W[0, 1])    # w12 > 0
        W[1, 1] = abs(W[1, 1])    # w22 > 0

    points, _ = _draw_dataset(rs, n, d, rho, tau, data_noise)

    traj = np.empty((T + 1, 2, d))
    traj[0] = W
    for step in range(T):
        grad = -2.0 * alpha * n * W          # gradient of -alpha*n*||W||^2
        for x in points:
            v1 = np.zeros(d)
            v2 = np.zeros(d)
            for j in range(d):
                v1[j] = x[j] + rho * rs.normal(0, 1)
                v2[j] = x[j] + rho * rs.normal(0, 1)
            for k in range(2):
                s1 = _sigmoid(float(np.dot(W[k], v1)))
                s2 = _sigmoid(float(np.dot(W[k], v2)))
                grad[k] = grad[k] + s1 * (1.0 - s1) * s2 * v1 \
                    + s2 * (1.0 - s2) * s1 * v2
        W = W + eta * grad                   # ascent on the alignment
        traj[step + 1] = W
    return traj


def sl_loop(seed: int, T: int = 8000, d: int = 10, n: int = 100,
            tau: float = 7.0, rho: float = 10 ** -1.5, beta: float = 1 / 800,
            gamma: float = 1 / 800, eta: float = 1e-3,
            data_noise: str = "scalar"):
    """Official-mode SL gradient descent (Gauss-Seidel: W^SL, then F).

    Returns (W_traj, F_traj) of shapes (T+1, 2, d) and (T+1, 2), every iterate
    including the initial one.  Gradients are summed over points, with
    regulariser gradients 2*beta*n*W and 2*gamma*n*F.
    """
    _check_noise(data_noise)
    rs = np.random.RandomState(seed)

    # --- initialisation (spec §4): W^SL with w11 > 0 > w21, then F ---
    W = _draw_normal_matrix(rs, d)
    W[0, 0] = abs(W[0, 0])
    W[1, 0] = -abs(W[1, 0])
    F = np.zeros(2)
    for k in range(2):
        F[k] = rs.normal(0, 1)

    points, targets = _draw_dataset(rs, n, d, rho, tau, data_noise)

    W_traj = np.empty((T + 1, 2, d))
    F_traj = np.empty((T + 1, 2))
    W_traj[0] = W
    F_traj[0] = F
    for step in range(T):
        # W^SL step with the current F
        grad_W = 2.0 * beta * n * W
        for x, t in zip(points, targets):
            h = [_sigmoid(float(np.dot(W[k], x))) for k in range(2)]
            p = _sigmoid(F[0] * h[0] + F[1] * h[1])
            delta = p - t                    # dBCE/dlogit
            for k in range(2):
                grad_W[k] = grad_W[k] + delta * F[k] * h[k] * (1.0 - h[k]) * x
        W_new = W - eta * grad_W

        # F step with the new W^SL and the current F
        grad_F = 2.0 * gamma * n * F
        for x, t in zip(points, targets):
            h = [_sigmoid(float(np.dot(W_new[k], x))) for k in range(2)]
            p = _sigmoid(F[0] * h[0] + F[1] * h[1])
            delta = p - t
            for k in range(2):
                grad_F[k] = grad_F[k] + delta * h[k]
        F_new = F - eta * grad_F

        W, F = W_new, F_new
        W_traj[step + 1] = W
        F_traj[step + 1] = F
    return W_traj, F_traj


def official_reference(seed: int = 0, method: str = "ssl", condition: int = 0, T: int = 50, n: int = 100,
                       eta: float | None = None, data_noise: str = "scalar") -> dict:
    """The C11 reference as a theory object: the per-point-loop float64 trajectory of one official-mode run
    (spec §4, §7 C11), ``eta`` defaulting to 0.1/n (spec §4: η·n = 0.1; η = 0.001 at n = 100).

    Returns ``W`` (T+1, 2, d): every iterate, and for ``method="sl"`` also ``F`` (T+1, 2).
    """
    eta = 0.1 / n if eta is None else float(eta)
    if method == "sl":
        W, F = sl_loop(int(seed), T=int(T), n=int(n), eta=eta, data_noise=data_noise)
        return {"seed": int(seed), "method": method, "eta": eta, "W": W, "F": F}
    if method != "ssl":
        raise ValueError(f"method must be 'ssl' or 'sl', got {method!r}")
    W = ssl_loop(int(seed), condition=int(condition), T=int(T), n=int(n), eta=eta, data_noise=data_noise)
    return {"seed": int(seed), "method": method, "condition": int(condition), "eta": eta, "W": W}
