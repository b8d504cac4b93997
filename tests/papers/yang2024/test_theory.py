"""Tests for sslab.papers.yang2024.theory (spec yang2024 §5, claims C1, C6, C7, C9).

References used here are independent of the module: central finite differences,
naive per-centre loops written with `math`, and the spec's reference values.
"""

import math

import numpy as np
import pytest

from sslab.papers.yang2024 import theory as y

TAU = 7.0
ALPHA = 1 / 800
D = 10


# ---------------------------------------------------------------- helpers


def _sig(u):
    return 1.0 / (1.0 + math.exp(-u))


def _fd_grad(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _fd_jac(grad, x, h=1e-5):
    x = np.asarray(x, dtype=float).ravel()
    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (np.ravel(grad(x + e)) - np.ravel(grad(x - e))) / (2 * h)
    return H


def _naive_Ltilde(W, tau, alpha):
    """-E_x ||sigma(Wx)||^2 + alpha ||W||_F^2 by a loop over the 4 centres."""
    W = np.asarray(W, dtype=float)
    d = W.shape[1]
    total = 0.0
    for y1, z in [(1, 0), (1, 1), (-1, 0), (-1, 1)]:
        x = [0.0] * d
        x[0] = float(y1)
        x[1] = tau * z
        for k in range(2):
            u = sum(W[k, j] * x[j] for j in range(d))
            total += _sig(u) ** 2
    reg = alpha * sum(W[k, j] ** 2 for k in range(2) for j in range(d))
    return -total / 4 + reg


def _naive_sl_loss(theta, tau, beta, gamma):
    """Mean BCE over the 4 centres (t=0 for y=+1, t=1 for y=-1) + L2, by a loop."""
    w1 = theta[0:2]
    w2 = theta[2:4]
    F1, F2 = theta[4], theta[5]
    total = 0.0
    for y1, z in [(1, 0), (1, 1), (-1, 0), (-1, 1)]:
        x = (float(y1), tau * z)
        h1 = _sig(w1[0] * x[0] + w1[1] * x[1])
        h2 = _sig(w2[0] * x[0] + w2[1] * x[1])
        p = _sig(F1 * h1 + F2 * h2)
        t = 0.0 if y1 == 1 else 1.0
        total += -t * math.log(p) - (1 - t) * math.log(1 - p)
    reg = beta * sum(v * v for v in theta[:4]) + gamma * (F1 * F1 + F2 * F2)
    return total / 4 + reg


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ssl_min():
    return y.ssl_minimiser(tau=TAU, alpha=ALPHA, d=D)


@pytest.fixture(scope="module")
def sl_min():
    return y.sl_minimiser(tau=TAU, beta=1 / 800, gamma=1 / 800, n_starts=10)


@pytest.fixture(scope="module")
def mech():
    return y.mechanism(tau=TAU, alpha=ALPHA)


# ---------------------------------------------------------------- sigmoid


def test_sigmoid_stable_and_correct():
    x = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])
    s = y.sigmoid(x)
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 or s[0] < 1e-300
    assert s[-1] == 1.0
    for xi, si in zip(x[1:-1], s[1:-1]):
        assert si == pytest.approx(_sig(xi), rel=1e-14)
    np.testing.assert_allclose(y.sigmoid(x) + y.sigmoid(-x), 1.0, rtol=0, atol=1e-15)


# ---------------------------------------------------------------- Ltilde and J


def test_Ltilde_matches_naive_loop():
    rng = np.random.default_rng(1)
    for _ in range(3):
        W = rng.normal(0, 2, size=(2, D))
        assert y.Ltilde(W, TAU, ALPHA) == pytest.approx(_naive_Ltilde(W, TAU, ALPHA), rel=1e-12, abs=1e-14)


def test_Ltilde_grad_vs_finite_differences():
    rng = np.random.default_rng(2)
    W = rng.normal(0, 1.5, size=(2, D))
    g = y.Ltilde_grad(W, TAU, ALPHA)
    assert g.shape == (2, D)
    g_fd = _fd_grad(lambda w: y.Ltilde(w.reshape(2, D), TAU, ALPHA), W.ravel()).reshape(2, D)
    np.testing.assert_allclose(g, g_fd, rtol=1e-6, atol=1e-9)


def test_Ltilde_hessian_vs_finite_differences():
    rng = np.random.default_rng(3)
    W = rng.normal(0, 1.5, size=(2, D))
    H = y.Ltilde_hessian(W, TAU, ALPHA)
    assert H.shape == (2 * D, 2 * D)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    H_fd = _fd_jac(lambda w: y.Ltilde_grad(w.reshape(2, D), TAU, ALPHA), W)
    np.testing.assert_allclose(H, H_fd, rtol=1e-5, atol=1e-8)


def test_J_is_per_neuron_reduction_of_Ltilde():
    # W rows (a_k, b_k/tau, rest_k): Ltilde = -(J(a1,b1) + J(a2,b2)) + alpha ||rest||^2,
    # because alpha ||w_k||^2 = alpha (a_k^2 + b_k^2/tau^2) + alpha ||rest_k||^2.
    rng = np.random.default_rng(4)
    for _ in range(3):
        a1, b1, a2, b2 = rng.normal(0, 4, size=4)
        W = np.zeros((2, D))
        W[0, :2] = a1, b1 / TAU
        W[1, :2] = a2, b2 / TAU
        ref = -(y.J(a1, b1, TAU, ALPHA) + y.J(a2, b2, TAU, ALPHA))
        assert _naive_Ltilde(W, TAU, ALPHA) == pytest.approx(ref, rel=1e-12, abs=1e-14)
        rest = rng.normal(0, 1, size=(2, D - 2))
        W[:, 2:] = rest
        assert _naive_Ltilde(W, TAU, ALPHA) == pytest.approx(ref + ALPHA * np.sum(rest**2), rel=1e-12, abs=1e-14)


def test_J_vectorised():
    a = np.linspace(-3, 3, 7)
    b = np.linspace(0, 12, 7)
    vals = y.J(a, b, TAU, ALPHA)
    assert vals.shape == (7,)
    for ai, bi, vi in zip(a, b, vals):
        assert vi == pytest.approx(float(y.J(ai, bi, TAU, ALPHA)), rel=1e-14)


@pytest.mark.parametrize("a,b", [(0.0, 7.8), (3.8, 10.6), (-1.3, 0.0), (2.0, -3.0)])
def test_J_derivatives_vs_finite_differences(a, b):
    h = 1e-5
    fd_db = (y.J(a, b + h, TAU, ALPHA) - y.J(a, b - h, TAU, ALPHA)) / (2 * h)
    assert float(y.dJ_db(a, b, TAU, ALPHA)) == pytest.approx(fd_db, rel=1e-6, abs=1e-10)
    h = 1e-4
    fd_daa = (y.J(a + h, b, TAU, ALPHA) - 2 * y.J(a, b, TAU, ALPHA) + y.J(a - h, b, TAU, ALPHA)) / h**2
    assert float(y.d2J_da2(a, b, TAU, ALPHA)) == pytest.approx(fd_daa, rel=1e-4, abs=1e-7)


# ---------------------------------------------------------------- init


def test_condition0_init_seed0_official_order():
    import random

    st_np = np.random.get_state()
    st_py = random.getstate()
    W = y.condition0_init_seed0(D, TAU)
    # global RNG state untouched
    assert np.array_equal(np.random.get_state()[1], st_np[1])
    assert random.getstate() == st_py
    # independent reconstruction with the legacy global functions
    np.random.seed(0)
    random.seed(0)
    try:
        ref = np.array([np.random.normal(0, 1) for _ in range(2 * D)]).reshape(2, D)
        ref[0, 0] = random.uniform(3.1, 3.9)
        ref[1, 0] = -random.uniform(3.1, 3.9)
        ref[0, 1] = random.uniform(8.5, 9) / TAU
        ref[1, 1] = random.uniform(8.5, 9) / TAU
    finally:
        np.random.set_state(st_np)
        random.setstate(st_py)
    np.testing.assert_array_equal(W, ref)
    assert 3.1 <= W[0, 0] <= 3.9 and -3.9 <= W[1, 0] <= -3.1
    assert 8.5 <= TAU * W[0, 1] <= 9 and 8.5 <= TAU * W[1, 1] <= 9


# ---------------------------------------------------------------- C1 minimiser


def test_C1_minimiser_values(ssl_min):
    m = ssl_min
    assert m.success
    assert m.W.shape == (2, D)
    assert m.W[0, 0] == pytest.approx(3.816, abs=0.01)
    assert m.W[1, 0] == pytest.approx(-3.816, abs=0.01)
    assert m.a == pytest.approx(3.816, abs=0.01)
    for k in range(2):
        assert TAU * m.W[k, 1] == pytest.approx(10.639, abs=0.02)
    assert m.b == pytest.approx(10.639, abs=0.02)
    assert np.max(np.abs(m.W[:, 2:])) < 1e-6
    assert m.cos == pytest.approx(-0.726, abs=0.002)
    assert m.r == pytest.approx(0.370, abs=0.002)
    assert m.grad_norm < 1e-8


def test_C1_minimiser_hessian(ssl_min):
    m = ssl_min
    assert m.hessian_eigs.shape == (2 * D,)
    assert m.hessian_eigs[0] > 0
    np.testing.assert_allclose(m.block_eigs, [0.0114, 0.0114, 0.0298, 0.0298], rtol=0.02)
    # full spectrum = the 4 block eigs + 2(d-2) copies of 2 alpha (rest coordinates)
    is_rest = np.isclose(m.hessian_eigs, 2 * ALPHA, rtol=1e-9, atol=0)
    assert np.sum(is_rest) == 2 * (D - 2)
    np.testing.assert_allclose(np.sort(m.hessian_eigs[~is_rest]), m.block_eigs, rtol=1e-10)


def test_C1_minimiser_is_critical_point_of_J(ssl_min):
    # independent check through the per-neuron reduction: dJ/db = 0 at (a*, b*)
    m = ssl_min
    for k in range(2):
        assert abs(float(y.dJ_db(m.W[k, 0], TAU * m.W[k, 1], TAU, ALPHA))) < 1e-8


# ---------------------------------------------------------------- C7 mechanism


def test_C7_dJdb_positive_at_b0(mech):
    assert mech["a_grid"].shape == (1001,)
    assert mech["a_grid"][0] == -5.0 and mech["a_grid"][-1] == 5.0
    assert np.all(mech["dJdb_at_b0"] > 0)


def test_C7_saddle_at_a0(mech):
    b0 = mech["b_at_a0"]
    assert b0 == pytest.approx(7.825, abs=0.005)
    assert mech["d2J_da2_at_a0"] == pytest.approx(0.060, abs=0.002)
    assert mech["d2J_da2_at_a0"] > 0
    # independent check that b0 maximises J(0, .) on a fine grid over b >= 0
    bs = np.linspace(0, 30, 300001)
    assert bs[np.argmax(y.J(0.0, bs, TAU, ALPHA))] == pytest.approx(b0, abs=2e-4)


@pytest.mark.parametrize("sign", [+1, -1])
def test_C7_same_sign_configurations_positive_definite(ssl_min, sign):
    eigs = y.same_sign_hessian_eigs(ssl_min.a, ssl_min.b, TAU, ALPHA, D, sign=sign)
    assert eigs.shape == (2 * D,)
    assert eigs[0] > 0


# ---------------------------------------------------------------- C9 tau-sweep


def test_C9_tau_sweep_theory():
    taus = (3, 5, 7, 9, 11)
    res = y.tau_sweep(taus=taus, alpha=ALPHA, d=D)
    assert len(res) == len(taus)
    for tau, m in zip(taus, res):
        assert m.success
        assert m.b > 0
        assert m.hessian_eigs[0] > 0
        assert m.b == pytest.approx(tau * m.W[0, 1])
        assert np.max(np.abs(m.W[:, 2:])) < 1e-6
        # opposite-sign minimum selected by condition 0
        assert m.W[0, 0] > 0 > m.W[1, 0]
    # tau = 7 agrees with the default minimiser
    assert res[2].a == pytest.approx(y.ssl_minimiser().a, abs=1e-8)


# ---------------------------------------------------------------- C6 SL


def test_sl_loss_matches_naive_loop():
    rng = np.random.default_rng(5)
    for _ in range(4):
        theta = rng.normal(0, 2, size=6)
        assert y.sl_population_loss(theta, TAU, 1 / 800, 1 / 700) == pytest.approx(
            _naive_sl_loss(theta, TAU, 1 / 800, 1 / 700), rel=1e-12
        )


def test_sl_loss_stable_for_large_logits():
    theta = np.array([3.0, 0.0, -3.0, 0.0, -800.0, 800.0])
    assert np.isfinite(y.sl_population_loss(theta, TAU, 1 / 800, 1 / 800))
    theta = np.array([3.0, 0.0, -3.0, 0.0, 800.0, -800.0])
    assert np.isfinite(y.sl_population_loss(theta, TAU, 1 / 800, 1 / 800))


def test_sl_grad_and_hessian_vs_finite_differences():
    rng = np.random.default_rng(6)
    for _ in range(2):
        theta = rng.normal(0, 1.5, size=6)
        g = y.sl_population_grad(theta, TAU, 1 / 800, 1 / 700)
        g_fd = _fd_grad(lambda th: y.sl_population_loss(th, TAU, 1 / 800, 1 / 700), theta)
        np.testing.assert_allclose(g, g_fd, rtol=1e-6, atol=1e-9)
        H = y.sl_population_hessian(theta, TAU, 1 / 800, 1 / 700)
        np.testing.assert_allclose(H, H.T, atol=1e-15)
        H_fd = _fd_jac(lambda th: y.sl_population_grad(th, TAU, 1 / 800, 1 / 700), theta)
        np.testing.assert_allclose(H, H_fd, rtol=1e-5, atol=1e-8)


def test_C6_sl_minimiser_structure(sl_min):
    m = sl_min
    th = m.theta
    assert m.success
    assert abs(th[1]) < 1e-4 and abs(th[3]) < 1e-4
    assert abs(th[0] + th[2]) < 1e-4
    assert abs(th[4] + th[5]) < 1e-4
    assert np.sign(th[4]) == -np.sign(th[0])
    assert np.sign(th[5]) == -np.sign(th[2])
    assert m.hessian_eigs.shape == (6,)
    assert m.hessian_eigs[0] > 0
    assert m.a_SL == pytest.approx(abs(th[0])) and m.a_SL > 0
    assert m.F_SL == pytest.approx(abs(th[4])) and m.F_SL > 0
    assert m.loss == pytest.approx(_naive_sl_loss(th, TAU, 1 / 800, 1 / 800), rel=1e-12)
    assert len(m.all_starts) == 10
    assert m.loss == min(l for l, _ in m.all_starts)
    # the gradient vanishes (independent check by finite differences of the loss)
    g_fd = _fd_grad(lambda t: y.sl_population_loss(t, TAU, 1 / 800, 1 / 800), th)
    assert np.max(np.abs(g_fd)) < 1e-7


# ---------------------------------------------------------------- public theory objects (issue 19)


def test_ssl_minimiser_carries_its_exact_hessian_and_both_neurons(ssl_min):
    m = ssl_min
    # the matrix is the exact Hessian at W*, checked against finite differences of the exact gradient
    H_fd = _fd_jac(lambda w: y.Ltilde_grad(w.reshape(2, D), TAU, ALPHA), m.W)
    np.testing.assert_allclose(m.hessian, H_fd, atol=1e-7)
    np.testing.assert_allclose(m.hessian, m.hessian.T, atol=0)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(m.hessian)), m.hessian_eigs, rtol=1e-12)
    assert len(m.neurons) == 2
    for k, nk in enumerate(m.neurons):
        assert nk["w_e1"] == m.W[k, 0] and nk["w_e2"] == m.W[k, 1]
        assert nk["b"] == pytest.approx(TAU * m.W[k, 1], rel=1e-15)
        assert nk["r"] == pytest.approx(abs(m.W[k, 1]) / np.linalg.norm(m.W[k]), rel=1e-15)
    # spec §5.1: the neurons are mirror images in e1 (w2·e1 = −w1·e1), equal in e2
    assert m.neurons[1]["w_e1"] == pytest.approx(-m.neurons[0]["w_e1"], abs=1e-8)
    assert m.neurons[1]["b"] == pytest.approx(m.neurons[0]["b"], abs=1e-8)


def test_sl_minimiser_carries_its_hessian(sl_min):
    H = sl_min.hessian
    assert H.shape == (6, 6)
    H_fd = _fd_jac(lambda th: y.sl_population_grad(th, TAU, ALPHA, ALPHA), sl_min.theta)
    np.testing.assert_allclose(H, H_fd, atol=1e-6)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), sl_min.hessian_eigs, rtol=1e-12)


@pytest.mark.parametrize("sign", [1, -1])
def test_same_sign_point_is_a_strict_minimum(ssl_min, sign):
    p = y.same_sign_point(sign=sign)
    assert np.all(p["W"][:, 0] == sign * ssl_min.a) and np.all(p["W"][:, 2:] == 0)
    # by separability each row is at a critical point of its own neuron's objective (spec §5.1)
    assert np.max(np.abs(p["grad"])) < 1e-8
    assert p["hessian_eigs"][0] > 0
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(p["hessian"])), p["hessian_eigs"], rtol=1e-12)
    with pytest.raises(ValueError, match="sign"):
        y.same_sign_point(sign=0)


def test_theory_cli_json_is_full_precision_with_both_neurons_and_hessian():
    """`sslab theory yang2024.ssl_minimiser tau=3,5,7 --json`: one entry per τ, every float at full precision."""
    import json

    from typer.testing import CliRunner

    from sslab.cli import app

    r = CliRunner().invoke(app, ["theory", "yang2024.ssl_minimiser", "tau=3,5,7", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [o["params"]["tau"] for o in out] == [3, 5, 7]
    for o in out:
        m = y.ssl_minimiser(tau=float(o["params"]["tau"]))
        v = o["value"]
        assert np.array_equal(np.array(v["W"]), m.W)  # bit-for-bit: JSON floats round-trip exactly
        assert np.array_equal(np.array(v["hessian"]), m.hessian) and np.array(v["hessian"]).shape == (2 * D, 2 * D)
        assert np.array_equal(np.array(v["hessian_eigs"]), m.hessian_eigs)
        assert len(v["neurons"]) == 2 and v["neurons"][1]["w_e1"] == m.W[1, 0]


def test_official_reference_theory_object_is_the_c11_loop():
    from sslab.papers.yang2024.official import official_reference, sl_loop, ssl_loop

    ref = official_reference(seed=1, condition=1, T=3)
    assert ref["eta"] == 1e-3  # 0.1/n at n = 100 (spec §4)
    np.testing.assert_array_equal(ref["W"], ssl_loop(1, condition=1, T=3))
    sl = official_reference(seed=2, method="sl", T=3, n=200)
    assert sl["eta"] == pytest.approx(5e-4)
    W, F = sl_loop(2, T=3, n=200, eta=5e-4)
    np.testing.assert_array_equal(sl["W"], W)
    np.testing.assert_array_equal(sl["F"], F)
