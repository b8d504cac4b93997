"""Each loss against a naive per-entry loop written here, plus closed-form values and invariances (spec §3)."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses.vicreg import vicreg
from sslab_simon2023.losses import barlow_twins_kernel, barlow_twins_linear, cross_correlation, nt_xent_dot



@pytest.fixture(autouse=True)
def x64():
    """float64 for these reference comparisons only (the engine sets its own precision per program)."""
    with jax.enable_x64(True):
        yield


def _views(n, d, seed=0, m=None):
    rng = np.random.default_rng(seed)
    if m is None:
        return rng.standard_normal((n, d)), rng.standard_normal((n, d))
    return rng.standard_normal((n, m)), rng.standard_normal((n, m)), rng.standard_normal((d, m))


def naive_barlow_twins(z1, z2):
    n, d = z1.shape
    total = 0.0
    for j, k in itertools.product(range(d), range(d)):
        c = sum(z1[i, j] * z2[i, k] + z2[i, j] * z1[i, k] for i in range(n)) / (2 * n)
        total += (c - (1.0 if j == k else 0.0)) ** 2
    return total


def naive_nt_xent_dot(z1, z2, tau):
    n = z1.shape[0]
    u = np.concatenate([z1, z2])
    total = 0.0
    for k in range(2 * n):
        pos = (k + n) % (2 * n)
        num = math.exp(float(u[k] @ u[pos]) / tau)
        den = sum(math.exp(float(u[k] @ u[l]) / tau) for l in range(2 * n) if l != k)
        total += -math.log(num / den)
    return total / (2 * n)


def naive_vicreg(z1, z2, lam, mu, nu, eps=1e-4):
    n, d = z1.shape
    inv = sum((z1[i, j] - z2[i, j]) ** 2 for i in range(n) for j in range(d)) / (n * d)

    def var(z):
        out = 0.0
        for j in range(d):
            m = sum(z[:, j]) / n
            v = sum((z[i, j] - m) ** 2 for i in range(n)) / (n - 1)
            out += max(0.0, 1.0 - math.sqrt(v + eps))
        return out / d

    def cov(z):
        m = z.mean(0)
        out = 0.0
        for j, k in itertools.product(range(d), range(d)):
            if j != k:
                out += (sum((z[i, j] - m[j]) * (z[i, k] - m[k]) for i in range(n)) / (n - 1)) ** 2
        return out / d

    return lam * inv + mu * 0.5 * (var(z1) + var(z2)) + nu * (cov(z1) + cov(z2))


@pytest.mark.parametrize("n,d,scale", [(5, 2, 1.0), (9, 4, 0.3), (16, 3, 2.0)])
def test_barlow_twins_linear_matches_naive_loop(n, d, scale):
    z1, z2 = (scale * z for z in _views(n, d, seed=n))
    assert float(barlow_twins_linear(z1, z2)) == pytest.approx(naive_barlow_twins(z1, z2), rel=1e-12)


def test_barlow_twins_linear_symmetric_and_closed_values():
    z1, z2 = _views(12, 3, seed=1)
    assert float(barlow_twins_linear(z1, z2)) == pytest.approx(float(barlow_twins_linear(z2, z1)), rel=1e-14)
    assert float(barlow_twins_linear(np.zeros((8, 3)), np.zeros((8, 3)))) == 3.0  # collapse: L = d
    # orthonormal columns scaled by sqrt(n): C = I exactly, L = 0
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((10, 3)))
    assert float(barlow_twins_linear(np.sqrt(10) * q, np.sqrt(10) * q)) == pytest.approx(0.0, abs=1e-24)


def test_kernel_form_equals_pair_form_in_value_and_gradient():
    """C = WΓWᵀ: the program's kernel form is the pair loss of f(x) = Wx; its gradient is 4(C − I)WΓ."""
    X1, X2, W = _views(30, 3, seed=3, m=6)
    Gamma = 0.5 * (X1.T @ X2 + X2.T @ X1) / 30
    pair = lambda W: barlow_twins_linear(X1 @ W.T, X2 @ W.T)  # noqa: E731
    assert float(barlow_twins_kernel(W, Gamma)) == pytest.approx(float(pair(W)), rel=1e-12)
    g_pair, g_kernel = jax.grad(pair)(W), jax.grad(barlow_twins_kernel)(W, Gamma)
    C = W @ Gamma @ W.T
    np.testing.assert_allclose(g_kernel, g_pair, rtol=1e-11)
    np.testing.assert_allclose(g_kernel, 4 * (C - np.eye(3)) @ W @ Gamma, rtol=1e-11)
    np.testing.assert_allclose(cross_correlation(X1 @ W.T, X2 @ W.T), C, rtol=1e-12)


@pytest.mark.parametrize("n,d,tau", [(3, 2, 1.0), (6, 4, 0.5), (10, 3, 2.0)])
def test_nt_xent_dot_matches_naive_loop(n, d, tau):
    z1, z2 = _views(n, d, seed=10 + n)
    assert float(nt_xent_dot(z1, z2, tau)) == pytest.approx(naive_nt_xent_dot(z1, z2, tau), rel=1e-12)


def test_nt_xent_dot_symmetric_and_collapse_value():
    z1, z2 = _views(7, 3, seed=4)
    assert float(nt_xent_dot(z1, z2, 0.7)) == pytest.approx(float(nt_xent_dot(z2, z1, 0.7)), rel=1e-13)
    assert float(nt_xent_dot(np.zeros((4, 3)), np.zeros((4, 3)))) == pytest.approx(math.log(7), rel=1e-14)


def test_nt_xent_dot_is_not_scale_invariant():
    """The reason for the dot product (spec §3): shrinking W changes the loss (the cosine form would not)."""
    z1, z2 = _views(8, 3, seed=5)
    assert abs(float(nt_xent_dot(z1, z2)) - float(nt_xent_dot(1e-3 * z1, 1e-3 * z2))) > 1e-2


@pytest.mark.parametrize("n,d", [(6, 2), (11, 4)])
def test_reused_vicreg_matches_naive_loop(n, d):
    """sslab.losses.vicreg has the normalisations the spec states (§3)."""
    z1, z2 = _views(n, d, seed=20 + n)
    z1 *= 0.4  # some dimensions below the hinge's target std
    assert float(vicreg(z1, z2, 25.0, 25.0, 1.0)) == pytest.approx(naive_vicreg(z1, z2, 25.0, 25.0, 1.0), rel=1e-10)
