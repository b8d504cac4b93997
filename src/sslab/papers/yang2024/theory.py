"""Float64 theory objects for Yang et al. (AAAI 2023), spec yang2024 §5.

Everything here is NumPy/SciPy in float64; nothing is hard-coded, every number
is computed from the definitions of the spec.

Notation (spec §2, §5.1):
    centres  x in {+e1, +e1 + tau e2, -e1, -e1 + tau e2}, each with probability 1/4,
    per neuron  a = w . e1,  b = tau * w . e2,
    Ltilde(W) = -E_x ||sigma(W x)||^2 + alpha ||W||_F^2,
    J(a, b)   = 1/4 [sigma(a)^2 + sigma(a+b)^2 + sigma(-a)^2 + sigma(b-a)^2]
                - alpha (a^2 + b^2 / tau^2),
so that for W with rows (a_k, b_k / tau, rest_k)
    Ltilde(W) = -(J(a_1, b_1) + J(a_2, b_2)) + alpha (||rest_1||^2 + ||rest_2||^2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

__all__ = [
    "sigmoid",
    "J",
    "dJ_db",
    "d2J_da2",
    "Ltilde",
    "Ltilde_grad",
    "Ltilde_hessian",
    "condition0_init_seed0",
    "SSLMinimiser",
    "ssl_minimiser",
    "same_sign_hessian_eigs",
    "same_sign_point",
    "mechanism",
    "sl_population_loss",
    "sl_population_grad",
    "sl_population_hessian",
    "SLMinimiser",
    "sl_minimiser",
    "tau_sweep",
]

_GTOL = 1e-10  # BFGS gtol of spec §5.1 / §5.3 (max-abs gradient)
_NEWTON_MAX_STEPS = 20


# --------------------------------------------------------------------------
# Scalar building blocks: sigma and the derivatives of sigma^2
# --------------------------------------------------------------------------


def sigmoid(x):
    """Numerically stable logistic sigmoid sigma(x) = 1/(1+e^-x) (spec yang2024 §3)."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out[()]


def _log_sigmoid(x):
    """log sigma(x) = -log(1 + e^-x), stable for all x."""
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


def _dsig(u):
    """sigma'(u) = sigma(u) sigma(-u)."""
    return sigmoid(u) * sigmoid(-u)


def _d2sig(u):
    """sigma''(u) = sigma'(u) (1 - 2 sigma(u))."""
    return _dsig(u) * (1.0 - 2.0 * sigmoid(u))


def _g(u):
    """d/du sigma(u)^2 = 2 sigma(u)^2 (1 - sigma(u))."""
    s = sigmoid(u)
    return 2.0 * s * s * sigmoid(-u)


def _h(u):
    """d^2/du^2 sigma(u)^2 = 2 sigma(u)^2 (1 - sigma(u)) (2 - 3 sigma(u))."""
    s = sigmoid(u)
    return 2.0 * s * s * sigmoid(-u) * (2.0 - 3.0 * s)


# --------------------------------------------------------------------------
# §5.1 per-neuron objective J(a, b)
# --------------------------------------------------------------------------


def J(a, b, tau, alpha):
    """Per-neuron objective J(a, b) maximised by each neuron (spec yang2024 §5.1)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    feat = 0.25 * (sigmoid(a) ** 2 + sigmoid(a + b) ** 2 + sigmoid(-a) ** 2 + sigmoid(b - a) ** 2)
    return feat - alpha * (a**2 + b**2 / tau**2)


def dJ_db(a, b, tau, alpha):
    """Analytic dJ/db of the per-neuron objective (spec yang2024 §5.1, §5.2)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return 0.25 * (_g(a + b) + _g(b - a)) - 2.0 * alpha * b / tau**2


def d2J_da2(a, b, tau, alpha):
    """Analytic d^2J/da^2 of the per-neuron objective (spec yang2024 §5.1, §5.2)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return 0.25 * (_h(a) + _h(a + b) + _h(-a) + _h(b - a)) - 2.0 * alpha


# --------------------------------------------------------------------------
# §5.1 simplified SSL objective Ltilde(W)
# --------------------------------------------------------------------------


def _centres(tau, d):
    """The 4 noise-free cluster centres (rows): +e1, +e1+tau e2, -e1, -e1+tau e2."""
    X = np.zeros((4, d))
    X[:, 0] = (1.0, 1.0, -1.0, -1.0)
    X[:, 1] = (0.0, tau, 0.0, tau)
    return X


def _as_W(W):
    W = np.asarray(W, dtype=np.float64)
    return W.reshape(2, -1)


def Ltilde(W, tau, alpha):
    """Ltilde(W) = -E_x ||sigma(W x)||^2 + alpha ||W||_F^2 over the 4 centres (spec yang2024 §5.1)."""
    W = _as_W(W)
    X = _centres(tau, W.shape[1])
    U = X @ W.T  # (4, 2): U[x, k] = w_k . x
    return float(-np.mean(np.sum(sigmoid(U) ** 2, axis=1)) + alpha * np.sum(W**2))


def Ltilde_grad(W, tau, alpha):
    """Exact gradient of Ltilde, same shape as W (spec yang2024 §5.1)."""
    shape = np.shape(W)
    W = _as_W(W)
    X = _centres(tau, W.shape[1])
    U = X @ W.T
    grad = -0.25 * _g(U).T @ X + 2.0 * alpha * W
    return grad.reshape(shape)


def Ltilde_hessian(W, tau, alpha):
    """Exact Hessian of Ltilde over the 2d entries of W, row-major, shape (2d, 2d) (spec yang2024 §5.1)."""
    W = _as_W(W)
    d = W.shape[1]
    X = _centres(tau, d)
    U = X @ W.T
    H = np.zeros((2 * d, 2 * d))
    for k in range(2):  # neurons do not interact: block diagonal
        Hk = -0.25 * (X.T * _h(U[:, k])) @ X + 2.0 * alpha * np.eye(d)
        H[k * d:(k + 1) * d, k * d:(k + 1) * d] = Hk
    return H


# --------------------------------------------------------------------------
# §4 condition-0 initialisation (official RNG order), seed 0
# --------------------------------------------------------------------------


def condition0_init_seed0(d=10, tau=7.0):
    """Seed-0 condition-0 SSL initial W in the official draw order (spec yang2024 §4, §5.1)."""
    np_rng = np.random.RandomState(0)  # same stream as np.random.seed(0)
    py_rng = random.Random(0)  # same stream as random.seed(0)
    W = np.empty((2, d))
    for k in range(2):
        for j in range(d):
            W[k, j] = np_rng.normal(0, 1)
    W[0, 0] = py_rng.uniform(3.1, 3.9)
    W[1, 0] = -py_rng.uniform(3.1, 3.9)
    W[0, 1] = py_rng.uniform(8.5, 9) / tau
    W[1, 1] = py_rng.uniform(8.5, 9) / tau
    return W


# --------------------------------------------------------------------------
# §5.1 reference minimiser (claim C1, C9)
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SSLMinimiser:
    """Minimiser of Ltilde with its exact Hessian (spec yang2024 §5.1, C1), all in float64.

    ``W`` (2×d) holds both neurons; ``a``, ``b``, ``r`` are neuron 1's w·e1, τ·w·e2 and |w·e2|/‖w‖ (the
    spec's a*, b*, r*), ``neurons`` the same quantities for each neuron. ``hessian`` is the exact Hessian
    over the 2d entries of W (row-major: w1 then w2), ``hessian_eigs`` its sorted eigenvalues, and
    ``block_eigs`` the sorted eigenvalues of its 4×4 block on (w11, w12, w21, w22).
    """

    W: np.ndarray
    a: float
    b: float
    r: float
    cos: float
    hessian_eigs: np.ndarray
    block_eigs: np.ndarray
    loss: float
    grad_norm: float
    success: bool
    tau: float = field(default=np.nan)
    alpha: float = field(default=np.nan)
    neurons: tuple = ()
    hessian: np.ndarray | None = None


def _newton_polish(x, fun_grad, fun_hess, gtol=_GTOL, max_steps=_NEWTON_MAX_STEPS):
    """Plain Newton steps x <- x - H^-1 g until max|g| <= gtol (only used at a PD Hessian)."""
    for _ in range(max_steps):
        g = fun_grad(x)
        if np.max(np.abs(g)) <= gtol:
            break
        H = fun_hess(x)
        if np.linalg.eigvalsh(H)[0] <= 0:
            break
        x = x - np.linalg.solve(H, g)
    return x


def _block_indices(d):
    """Row-major indices of (w11, w12, w21, w22)."""
    return np.array([0, 1, d, d + 1])


def ssl_minimiser(tau=7.0, alpha=1 / 800, d=10, W0=None):
    """Float64 BFGS minimiser of Ltilde from the condition-0 seed-0 init (spec yang2024 §5.1, C1)."""
    if W0 is None:
        W0 = condition0_init_seed0(d, tau)
    W0 = np.asarray(W0, dtype=np.float64).reshape(2, d)

    def fun(w):
        return Ltilde(w.reshape(2, d), tau, alpha)

    def jac(w):
        return Ltilde_grad(w.reshape(2, d), tau, alpha).ravel()

    def hess(w):
        return Ltilde_hessian(w.reshape(2, d), tau, alpha)

    res = optimize.minimize(fun, W0.ravel(), jac=jac, method="BFGS", options={"gtol": _GTOL})
    w = res.x
    if np.max(np.abs(jac(w))) > _GTOL:
        w = _newton_polish(w, jac, hess)

    W = w.reshape(2, d)
    grad = jac(w)
    H = hess(w)
    hessian_eigs = np.sort(np.linalg.eigvalsh(H))
    idx = _block_indices(d)
    block_eigs = np.sort(np.linalg.eigvalsh(H[np.ix_(idx, idx)]))
    w1, w2 = W[0], W[1]
    return SSLMinimiser(
        W=W,
        a=float(W[0, 0]),
        b=float(tau * W[0, 1]),
        r=float(abs(W[0, 1]) / np.linalg.norm(w1)),
        cos=float(w1 @ w2 / (np.linalg.norm(w1) * np.linalg.norm(w2))),
        hessian_eigs=hessian_eigs,
        block_eigs=block_eigs,
        loss=fun(w),
        grad_norm=float(np.linalg.norm(grad)),
        success=bool(np.max(np.abs(grad)) <= _GTOL),
        tau=float(tau),
        alpha=float(alpha),
        neurons=tuple(_neuron(W[k], tau) for k in range(2)),
        hessian=H,
    )


def _neuron(w, tau):
    """One neuron's w·e1, w·e2, τ·w·e2, r = |w·e2|/‖w‖ and ‖w‖ (spec §6 per-neuron metrics)."""
    norm = float(np.linalg.norm(w))
    return {"w_e1": float(w[0]), "w_e2": float(w[1]), "b": float(tau * w[1]), "r": float(abs(w[1]) / norm),
            "norm": norm}


def same_sign_hessian_eigs(a, b, tau, alpha, d, sign=+1):
    """Sorted eigenvalues of the exact Ltilde Hessian with both rows (sign*a, b/tau, 0, ...) (spec yang2024 C7)."""
    W = np.zeros((2, d))
    W[:, 0] = sign * a
    W[:, 1] = b / tau
    return np.sort(np.linalg.eigvalsh(Ltilde_hessian(W, tau, alpha)))


def same_sign_point(tau=7.0, alpha=1 / 800, d=10, sign=+1):
    """The same-sign configuration of Ltilde used by C7 (spec §5.1 "Other minima"): both rows (sign·a*, b*/τ, 0, …)
    with a*, b* from :func:`ssl_minimiser` at (tau, alpha, d); returns W, the gradient there (≈ 0 by
    separability), the exact Hessian and its sorted eigenvalues."""
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1, got {sign!r}")
    m = ssl_minimiser(tau=tau, alpha=alpha, d=d)
    W = np.zeros((2, d))
    W[:, 0] = sign * m.a
    W[:, 1] = m.b / tau
    H = Ltilde_hessian(W, tau, alpha)
    return {"W": W, "a": m.a, "b": m.b, "sign": int(sign), "grad": Ltilde_grad(W, tau, alpha), "hessian": H,
            "hessian_eigs": same_sign_hessian_eigs(m.a, m.b, tau, alpha, d, sign)}


# --------------------------------------------------------------------------
# §5.2 mechanism quantities (claim C7)
# --------------------------------------------------------------------------


def _argmax_J_over_b(a, tau, alpha):
    """argmax_{b >= 0} J(a, b) as the root of dJ/db (dJ/db(a, 0) > 0, < 0 for large b)."""
    hi = 1.0
    while dJ_db(a, hi, tau, alpha) > 0:
        hi *= 2.0
    b_root = optimize.brentq(lambda b: dJ_db(a, b, tau, alpha), 0.0, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps)
    # cross-check against a bounded 1-D maximisation of J itself
    res = optimize.minimize_scalar(lambda b: -J(a, b, tau, alpha), bounds=(0.0, hi), method="bounded",
                                   options={"xatol": 1e-10})
    if J(a, res.x, tau, alpha) > J(a, b_root, tau, alpha) + 1e-12:
        return float(res.x)
    return float(b_root)


def mechanism(tau=7.0, alpha=1 / 800):
    """dJ/db at b=0 over a-grid, argmax_b J(0, b) and d2J/da2 there (spec yang2024 §5.2, C7)."""
    a_grid = np.linspace(-5.0, 5.0, 1001)
    b_at_a0 = _argmax_J_over_b(0.0, tau, alpha)
    return {
        "a_grid": a_grid,
        "dJdb_at_b0": dJ_db(a_grid, 0.0, tau, alpha),
        "b_at_a0": b_at_a0,
        "d2J_da2_at_a0": float(d2J_da2(0.0, b_at_a0, tau, alpha)),
    }


# --------------------------------------------------------------------------
# §5.3 SL population minimiser (claim C6)
# --------------------------------------------------------------------------
# theta = (w1.e1, w1.e2, w2.e1, w2.e2, F1, F2); centres in the (e1, e2) plane.


def _sl_data(tau):
    X = np.array([[1.0, 0.0], [1.0, tau], [-1.0, 0.0], [-1.0, tau]])
    t = np.array([0.0, 0.0, 1.0, 1.0])  # t = 0 for y = +1, t = 1 for y = -1
    return X, t


def _sl_unpack(theta):
    theta = np.asarray(theta, dtype=np.float64)
    return theta[:4].reshape(2, 2), theta[4:6]


def sl_population_loss(theta, tau, beta, gamma):
    """Mean BCE over the 4 centres + beta||W||^2 + gamma||F||^2 (spec yang2024 §5.3)."""
    W, F = _sl_unpack(theta)
    X, t = _sl_data(tau)
    z = sigmoid(X @ W.T) @ F  # logit of y_hat
    bce = -t * _log_sigmoid(z) - (1.0 - t) * _log_sigmoid(-z)
    return float(np.mean(bce) + beta * np.sum(W**2) + gamma * np.sum(F**2))


def sl_population_grad(theta, tau, beta, gamma):
    """Exact gradient of the SL population loss over the 6 parameters (spec yang2024 §5.3)."""
    W, F = _sl_unpack(theta)
    X, t = _sl_data(tau)
    U = X @ W.T
    z = sigmoid(U) @ F
    e = sigmoid(z) - t  # d BCE / dz
    dW = np.stack([np.mean((e * F[k] * _dsig(U[:, k]))[:, None] * X, axis=0) for k in range(2)])
    dF = np.mean(e[:, None] * sigmoid(U), axis=0)
    return np.concatenate([(dW + 2.0 * beta * W).ravel(), dF + 2.0 * gamma * F])


def sl_population_hessian(theta, tau, beta, gamma):
    """Exact (analytic) Hessian of the SL population loss, shape (6, 6) (spec yang2024 §5.3)."""
    W, F = _sl_unpack(theta)
    X, t = _sl_data(tau)
    U = X @ W.T
    z = sigmoid(U) @ F
    e = sigmoid(z) - t
    s = sigmoid(z) * sigmoid(-z)  # d^2 BCE / dz^2
    H = np.zeros((6, 6))
    for i in range(4):
        x = X[i]
        dz = np.concatenate([F[0] * _dsig(U[i, 0]) * x, F[1] * _dsig(U[i, 1]) * x, sigmoid(U[i])])
        d2z = np.zeros((6, 6))
        for k in range(2):
            wk = slice(2 * k, 2 * k + 2)
            d2z[wk, wk] = F[k] * _d2sig(U[i, k]) * np.outer(x, x)
            d2z[wk, 4 + k] = _dsig(U[i, k]) * x
            d2z[4 + k, wk] = _dsig(U[i, k]) * x
        H += s[i] * np.outer(dz, dz) + e[i] * d2z
    H /= 4.0
    H += np.diag([2 * beta] * 4 + [2 * gamma] * 2)
    return H


@dataclass(frozen=True, eq=False)
class SLMinimiser:
    """Lowest-loss SL population critical point over the starts (spec yang2024 §5.3, C6).

    ``theta`` = (w1·e1, w1·e2, w2·e1, w2·e2, F1, F2); ``hessian`` the exact 6×6 Hessian there and
    ``hessian_eigs`` its sorted eigenvalues; ``all_starts`` the (loss, theta) reached from each start.
    """

    theta: np.ndarray
    a_SL: float
    F_SL: float
    loss: float
    hessian_eigs: np.ndarray
    all_starts: list
    success: bool
    hessian: np.ndarray | None = None


def sl_minimiser(tau=7.0, beta=1 / 800, gamma=1 / 800, n_starts=10):
    """Multi-start float64 BFGS minimiser of the SL population loss (spec yang2024 §5.3, C6)."""

    def fun(th):
        return sl_population_loss(th, tau, beta, gamma)

    def jac(th):
        return sl_population_grad(th, tau, beta, gamma)

    def hess(th):
        return sl_population_hessian(th, tau, beta, gamma)

    all_starts = []
    for s in range(n_starts):
        theta0 = np.random.default_rng(s).normal(0.0, 1.0, size=6)
        res = optimize.minimize(fun, theta0, jac=jac, method="BFGS", options={"gtol": _GTOL})
        th = res.x
        if np.max(np.abs(jac(th))) > _GTOL:
            th = _newton_polish(th, jac, hess)
        all_starts.append((fun(th), th.copy()))

    loss, theta = min(all_starts, key=lambda lt: lt[0])
    grad = jac(theta)
    H = hess(theta)
    return SLMinimiser(
        theta=theta,
        a_SL=float(abs(theta[0])),
        F_SL=float(abs(theta[4])),
        loss=float(loss),
        hessian_eigs=np.sort(np.linalg.eigvalsh(H)),
        all_starts=all_starts,
        success=bool(np.max(np.abs(grad)) <= _GTOL),
        hessian=H,
    )


# --------------------------------------------------------------------------
# C9 tau-sweep (theory side)
# --------------------------------------------------------------------------


def tau_sweep(taus=(3, 5, 7, 9, 11), alpha=1 / 800, d=10):
    """Ltilde minimiser per tau from the condition-0 seed-0 init at that tau (spec yang2024 C9)."""
    taus = np.atleast_1d(np.asarray(taus, dtype=np.float64)).tolist()
    return [ssl_minimiser(tau=float(tau), alpha=alpha, d=d, W0=condition0_init_seed0(d, float(tau))) for tau in taus]
