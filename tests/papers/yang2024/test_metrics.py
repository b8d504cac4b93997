"""Yang 2024 metrics: projections and cond(A) vs NumPy, per-neuron metrics on hand-made W (spec §6)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.papers.yang2024.metrics import neuron_metrics, projections, sl_metrics


def numpy_projections(W):
    A = W.T  # d x 2, columns w1, w2
    # P = A (A^T A)^{-1} A^T through a least-squares solve: P e = A argmin_x ||A x - e||
    d = A.shape[0]
    out = []
    for j in (0, 1):
        e = np.zeros(d)
        e[j] = 1.0
        x, *_ = np.linalg.lstsq(A, e, rcond=None)
        out.append(np.linalg.norm(A @ x))
    P = A @ np.linalg.pinv(A)
    np.testing.assert_allclose([np.linalg.norm(P[:, 0]), np.linalg.norm(P[:, 1])], out, rtol=1e-10)
    return out[0], out[1], np.linalg.cond(A)


@pytest.mark.parametrize("d", [2, 3, 10, 50])
@pytest.mark.parametrize("seed", range(5))
def test_projections_vs_numpy(d, seed):
    rng = np.random.default_rng(1000 * d + seed)
    W = rng.normal(size=(2, d)) * rng.uniform(0.1, 5.0, size=(2, 1))
    Pe1, Pe2, cond = numpy_projections(W)
    with jax.enable_x64(True):
        got = [float(v) for v in projections(jnp.asarray(W))]
    np.testing.assert_allclose(got, [Pe1, Pe2, cond], rtol=1e-10)
    if d == 2:
        np.testing.assert_allclose(got[:2], [1.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-1, 1e-3, 1e-5])
def test_projections_nearly_collinear(eps):
    rng = np.random.default_rng(3)
    w = rng.normal(size=10)
    W = np.stack([w, w + eps * rng.normal(size=10)])
    Pe1, Pe2, cond = numpy_projections(W)
    with jax.enable_x64(True):
        got = [float(v) for v in projections(jnp.asarray(W))]
    assert got[2] > 0.1 / eps  # ill-conditioned, reported as such
    np.testing.assert_allclose(got[2], cond, rtol=1e-6)
    np.testing.assert_allclose(got[:2], [Pe1, Pe2], rtol=1e-6)


def test_projections_float32_close_to_numpy():
    rng = np.random.default_rng(11)
    W = rng.normal(size=(2, 10))
    Pe1, Pe2, cond = numpy_projections(W)
    got = [float(v) for v in projections(jnp.asarray(W, jnp.float32))]
    np.testing.assert_allclose(got, [Pe1, Pe2, cond], rtol=1e-5)


def test_projection_invariance_to_basis_of_span():
    rng = np.random.default_rng(5)
    W = rng.normal(size=(2, 8))
    M = np.array([[2.0, 1.0], [-0.5, 3.0]])  # invertible mix of the rows: same span, same P
    with jax.enable_x64(True):
        a = [float(v) for v in projections(jnp.asarray(W))]
        b = [float(v) for v in projections(jnp.asarray(M @ W))]
    np.testing.assert_allclose(a[:2], b[:2], rtol=1e-10)


def test_neuron_metrics_hand_made():
    d, tau = 6, 7.0
    W = np.zeros((2, d))
    W[0, :2] = [3.0, 4.0]
    W[1, :2] = [-3.0, 4.0]
    with jax.enable_x64(True):
        m = {k: float(v) for k, v in neuron_metrics(jnp.asarray(W), tau).items()}
    assert m["w11"] == 3.0 and m["w12"] == 4.0 and m["w21"] == -3.0 and m["w22"] == 4.0
    assert m["b1"] == pytest.approx(28.0) and m["b2"] == pytest.approx(28.0)
    assert m["r1"] == pytest.approx(0.8) and m["r2"] == pytest.approx(0.8)
    assert m["cos"] == pytest.approx(7 / 25)  # (-9 + 16) / 25
    # span(w1, w2) = span(e1, e2)
    assert m["Pe1"] == pytest.approx(1.0) and m["Pe2"] == pytest.approx(1.0)
    # A^T A = [[25, 7], [7, 25]]: singular values sqrt(32), sqrt(18)
    assert m["condA"] == pytest.approx(4 / 3)


def test_neuron_metrics_hand_made_off_plane():
    tau = 5.0
    W = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    with jax.enable_x64(True):
        m = {k: float(v) for k, v in neuron_metrics(jnp.asarray(W), tau).items()}
    # span(w1, w2) = span((e1 + e3)/sqrt2, e2): ||P e1|| = 1/sqrt2, ||P e2|| = 1
    assert m["Pe1"] == pytest.approx(1 / math.sqrt(2)) and m["Pe2"] == pytest.approx(1.0)
    assert m["cos"] == pytest.approx(0.0, abs=1e-15)
    assert m["r1"] == 0.0 and m["r2"] == pytest.approx(1.0)
    assert m["b1"] == 0.0 and m["b2"] == pytest.approx(10.0)
    assert m["condA"] == pytest.approx(2 / math.sqrt(2))  # singular values 2 and sqrt2


def test_sl_metrics_accuracy_and_F():
    # neuron 1 reads +e1, neuron 2 reads -e1; F = (-5, 5): logit > 0 (ŷ > 0.5, t = 1) iff y = -1
    W = jnp.array([[4.0, 0.0, 0.0], [-4.0, 0.0, 0.0]])
    F = jnp.array([-5.0, 5.0])
    X = jnp.array([[1.0, 0.0, 0.1], [1.0, 7.0, 0.0], [-1.0, 0.0, 0.0], [-1.0, 7.0, -0.1]])
    t = jnp.array([0.0, 0.0, 1.0, 1.0])
    m = sl_metrics({"W": W, "F": F}, X, t, 7.0)
    assert float(m["acc"]) == 1.0
    assert float(m["F1"]) == -5.0 and float(m["F2"]) == 5.0
    assert float(m["w11"]) == 4.0 and float(m["r1"]) == 0.0
    m = sl_metrics({"W": W, "F": -F}, X, t, 7.0)
    assert float(m["acc"]) == 0.0
    t_mixed = jnp.array([0.0, 1.0, 1.0, 1.0])
    assert float(sl_metrics({"W": W, "F": F}, X, t_mixed, 7.0)["acc"]) == 0.75
