"""Losses vs naive loops: the negative-free alignment loss and BCE on logits (spec yang2024 §3)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses.alignment import alignment
from sslab.losses.bce import bce_with_logits

SHAPES = [(1, 1), (1, 5), (4, 2), (7, 3), (33, 10)]


def naive_alignment(z1, z2):
    n, k = len(z1), len(z1[0])
    total = 0.0
    for i in range(n):
        for j in range(k):
            total += float(z1[i][j]) * float(z2[i][j])
    return -total / n


@pytest.mark.parametrize("n, k", SHAPES)
def test_alignment_vs_double_loop(n, k):
    rng = np.random.default_rng(100 * n + k)
    z1, z2 = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    with jax.enable_x64(True):
        got = float(alignment(jnp.asarray(z1), jnp.asarray(z2)))
    assert got == pytest.approx(naive_alignment(z1, z2), rel=1e-12, abs=1e-14)
    got32 = float(alignment(jnp.asarray(z1, jnp.float32), jnp.asarray(z2, jnp.float32)))
    assert got32 == pytest.approx(naive_alignment(z1, z2), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("n, k", SHAPES)
def test_alignment_symmetric(n, k):
    rng = np.random.default_rng(n * k)
    z1 = jnp.asarray(rng.uniform(size=(n, k)), jnp.float32)
    z2 = jnp.asarray(rng.uniform(size=(n, k)), jnp.float32)
    assert float(alignment(z1, z2)) == float(alignment(z2, z1))


@pytest.mark.parametrize("n, k", SHAPES)
@pytest.mark.parametrize("c", [0.0, 0.5, 1.0, -2.0])
def test_alignment_constant_embeddings(n, k, c):
    z = c * jnp.ones((n, k))
    assert float(alignment(z, z)) == pytest.approx(-k * c * c, rel=1e-6)


def test_alignment_pairs_points_not_cross_terms():
    # only <z1_i, z2_i> counts: permuting the rows of one view changes the value
    z1 = jnp.array([[1.0, 0.0], [0.0, 1.0]])
    z2 = jnp.array([[0.0, 1.0], [1.0, 0.0]])
    assert float(alignment(z1, z2)) == 0.0
    assert float(alignment(z1, z1)) == -1.0


def test_alignment_gradient():
    rng = np.random.default_rng(0)
    z1, z2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    with jax.enable_x64(True):
        g = jax.grad(alignment)(jnp.asarray(z1), jnp.asarray(z2))
    np.testing.assert_allclose(g, -z2 / 5, rtol=1e-12)


def naive_bce(s, t):
    total = 0.0
    for si, ti in zip(s, t):
        p = 1.0 / (1.0 + math.exp(-si))
        total += -ti * math.log(p) - (1 - ti) * math.log(1 - p)
    return total / len(s)


@pytest.mark.parametrize("n", [1, 3, 16, 101])
def test_bce_vs_naive_loop_float64(n):
    rng = np.random.default_rng(n)
    s = rng.normal(scale=4.0, size=n)
    t = rng.uniform(size=n)
    t[: n // 2] = np.round(t[: n // 2])  # hard and soft targets
    with jax.enable_x64(True):
        got = float(bce_with_logits(jnp.asarray(s), jnp.asarray(t)))
    assert got == pytest.approx(naive_bce(s, t), rel=1e-12)


@pytest.mark.parametrize("n", [1, 8, 50])
def test_bce_vs_naive_loop_float32(n):
    rng = np.random.default_rng(7 + n)
    s = rng.normal(scale=3.0, size=n)
    t = (rng.uniform(size=n) > 0.5).astype(float)
    got = float(bce_with_logits(jnp.asarray(s, jnp.float32), jnp.asarray(t, jnp.float32)))
    assert got == pytest.approx(naive_bce(s, t), rel=1e-5)


def test_bce_at_zero_is_log2():
    assert float(bce_with_logits(jnp.zeros(3), jnp.ones(3))) == pytest.approx(math.log(2), rel=1e-6)
    assert float(bce_with_logits(jnp.zeros(3), jnp.zeros(3))) == pytest.approx(math.log(2), rel=1e-6)


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
@pytest.mark.parametrize("s, t, expected", [
    (100.0, 1.0, 0.0), (-100.0, 0.0, 0.0),  # confident and right: ~e^-100
    (100.0, 0.0, 100.0), (-100.0, 1.0, 100.0),  # confident and wrong: |s|
    (100.0, 0.5, 50.0), (-100.0, 0.5, 50.0),
])
def test_bce_stable_at_large_logits(dtype, s, t, expected):
    with jax.enable_x64(dtype == jnp.float64):
        x, y = jnp.asarray([s], dtype), jnp.asarray([t], dtype)
        val = float(bce_with_logits(x, y))
        g = jax.grad(bce_with_logits)(x, y)
    assert math.isfinite(val)
    assert val == pytest.approx(expected, abs=1e-6, rel=1e-6)
    # dBCE/ds = sigmoid(s) - t, finite and in [-1, 1]
    assert np.all(np.isfinite(np.asarray(g)))
    assert float(g[0]) == pytest.approx((1.0 if s > 0 else 0.0) - t, abs=1e-6)


def test_bce_mean_over_batch():
    s = jnp.array([-100.0, 100.0, 0.0, 2.0])
    t = jnp.array([1.0, 0.0, 1.0, 1.0])
    expected = (100.0 + 100.0 + math.log(2) + math.log1p(math.exp(-2.0))) / 4
    assert float(bce_with_logits(s, t)) == pytest.approx(expected, rel=1e-6)
