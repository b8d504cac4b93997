"""Official-mode draws vs the per-point-loop reference (spec yang2024 §4, C11)."""

import random

import numpy as np
import pytest

from sslab.papers.yang2024.official import official_draws
from sslab.papers.yang2024.official import sl_loop, ssl_loop

T_TEST = 50
TAU = 7.0
RHO = 10 ** -1.5
N = 100
D = 10


def _sig(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def _ssl_vectorised(dr, T, alpha=1 / 800, eta=1e-3, rho=RHO):
    """Full-batch official-mode SSL ascent from pre-generated draws."""
    W = dr["W0"].copy()
    X = dr["X"]
    n = X.shape[0]
    out = [W.copy()]
    for s in range(T):
        A1 = X + rho * dr["zeta"][s, :, :, 0]
        A2 = X + rho * dr["zeta"][s, :, :, 1]
        S1 = _sig(A1 @ W.T)              # (n, 2)
        S2 = _sig(A2 @ W.T)
        G = (S1 * (1 - S1) * S2).T @ A1 + (S2 * (1 - S2) * S1).T @ A2
        W = W + eta * (G - 2 * alpha * n * W)
        out.append(W.copy())
    return np.stack(out)


def _sl_vectorised(dr, T, beta=1 / 800, gamma=1 / 800, eta=1e-3):
    """Full-batch official-mode SL descent (Gauss-Seidel) from pre-generated draws."""
    W = dr["W0"].copy()
    F = dr["F0"].copy()
    X, t = dr["X"], dr["t"]
    n = X.shape[0]
    Ws, Fs = [W.copy()], [F.copy()]
    for _ in range(T):
        H = _sig(X @ W.T)
        r = _sig(H @ F) - t
        GW = ((r[:, None] * F[None, :] * H * (1 - H)).T @ X) + 2 * beta * n * W
        W = W - eta * GW
        H = _sig(X @ W.T)
        r = _sig(H @ F) - t
        GF = H.T @ r + 2 * gamma * n * F
        F = F - eta * GF
        Ws.append(W.copy())
        Fs.append(F.copy())
    return np.stack(Ws), np.stack(Fs)


@pytest.mark.parametrize("condition", [0, 1])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ssl_draws_match_inline_loop(seed, condition):
    ref = ssl_loop(seed, condition=condition, T=T_TEST)
    dr = official_draws(seed, "ssl", condition=condition, T=T_TEST)
    vec = _ssl_vectorised(dr, T_TEST)
    assert ref.shape == vec.shape == (T_TEST + 1, 2, D)
    assert np.array_equal(ref[0], dr["W0"])
    assert np.max(np.abs(ref - vec)) < 1e-10
    # the run actually moves (the comparison is not vacuous)
    assert np.max(np.abs(ref[-1] - ref[0])) > 1e-3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sl_draws_match_inline_loop(seed):
    W_ref, F_ref = sl_loop(seed, T=T_TEST)
    dr = official_draws(seed, "sl", T=T_TEST)
    W_vec, F_vec = _sl_vectorised(dr, T_TEST)
    assert W_ref.shape == (T_TEST + 1, 2, D) and F_ref.shape == (T_TEST + 1, 2)
    assert np.array_equal(W_ref[0], dr["W0"]) and np.array_equal(F_ref[0], dr["F0"])
    assert max(np.max(np.abs(W_ref - W_vec)), np.max(np.abs(F_ref - F_vec))) < 1e-10
    assert np.max(np.abs(W_ref[-1] - W_ref[0])) > 1e-4
    assert dr["zeta"].shape == (0, N, D, 2)


def test_isotropic_variant_matches():
    ref = ssl_loop(0, condition=0, T=10, data_noise="isotropic")
    dr = official_draws(0, "ssl", condition=0, T=10, data_noise="isotropic")
    assert np.max(np.abs(ref - _ssl_vectorised(dr, 10))) < 1e-10
    W_ref, F_ref = sl_loop(1, T=10, data_noise="isotropic")
    drs = official_draws(1, "sl", T=10, data_noise="isotropic")
    W_vec, F_vec = _sl_vectorised(drs, 10)
    assert max(np.max(np.abs(W_ref - W_vec)), np.max(np.abs(F_ref - F_vec))) < 1e-10
    # isotropic noise is not constant across coordinates; scalar noise is
    resid = drs["X"][:, 2:]
    assert np.ptp(resid, axis=1).min() > 0
    scal = official_draws(1, "sl", T=0)["X"][:, 2:]
    assert np.ptp(scal, axis=1).max() == 0.0


@pytest.mark.parametrize("seed", range(10))
def test_initial_conditions(seed):
    W = official_draws(seed, "ssl", condition=0, T=0)["W0"]
    assert 3.1 <= W[0, 0] <= 3.9 and -3.9 <= W[1, 0] <= -3.1
    assert 8.5 / TAU <= W[0, 1] <= 9 / TAU and 8.5 / TAU <= W[1, 1] <= 9 / TAU
    # rest coordinates are the untouched N(0,1) draws
    raw = np.random.RandomState(seed).normal(size=(2, D))
    assert np.array_equal(W[:, 2:], raw[:, 2:])

    W1 = official_draws(seed, "ssl", condition=1, T=0)["W0"]
    assert W1[0, 0] > 0 > W1[1, 0] and W1[0, 1] > 0 and W1[1, 1] > 0
    assert np.array_equal(np.abs(W1), np.abs(raw))

    dsl = official_draws(seed, "sl")
    assert dsl["W0"][0, 0] > 0 > dsl["W0"][1, 0]
    assert np.array_equal(np.abs(dsl["W0"]), np.abs(raw))
    assert np.array_equal(dsl["W0"][:, 1:], raw[:, 1:])
    assert not np.all(dsl["F0"] == 0)
    assert np.all(official_draws(seed, "ssl", T=0)["F0"] == 0)


def test_global_legacy_stream_equivalence():
    """np.random.seed + random.seed and scalar draws give the same condition-0 W0."""
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        np.random.seed(3)
        random.seed(3)
        W = np.array([[np.random.normal(0, 1) for _ in range(D)] for _ in range(2)])
        W[0, 0] = random.uniform(3.1, 3.9)
        W[1, 0] = -random.uniform(3.1, 3.9)
        W[0, 1] = random.uniform(8.5, 9) / TAU
        W[1, 1] = random.uniform(8.5, 9) / TAU
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    assert np.array_equal(W, official_draws(3, "ssl", condition=0, T=0)["W0"])


@pytest.mark.parametrize("method", ["ssl", "sl"])
@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_cluster_reordering(seed, method):
    dr = official_draws(seed, method, T=0)
    y, z, t, X = dr["y"], dr["z"], dr["t"], dr["X"]
    assert X.shape == (N, D) and all(a.dtype == np.float64 for a in (X, y, z, t))
    n_pos = int(np.sum(y == 1))
    assert 0 < n_pos < N
    assert np.all(y[:n_pos] == 1) and np.all(y[n_pos:] == -1)
    assert set(np.unique(z)) <= {0.0, 1.0}
    assert np.array_equal(t, np.where(y > 0, 0.0, 1.0))
    assert np.all(np.abs(X[:, 0] - y) < 0.2)
    assert np.all(np.abs(X[:, 1] - TAU * z) < 0.2)
    # each block keeps the draw order of the cluster ids
    rs = np.random.RandomState(seed)
    rs.normal(size=2 * D + (2 if method == "sl" else 0))
    cl = rs.choice([1, 2, 3, 4], size=N, p=[0.25] * 4)
    ordered = np.concatenate([cl[cl <= 2], cl[cl >= 3]])
    assert np.array_equal(z, np.isin(ordered, [2, 4]).astype(float))
    assert np.array_equal(y, np.where(ordered <= 2, 1.0, -1.0))
