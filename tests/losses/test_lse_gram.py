"""The chunked Gram log-sum-exp equals the plain one in value and gradient (float64), for any batch size."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from sslab.losses.lse_gram import chunk_rows, row_lse_gram


def plain(u, v):
    return jax.nn.logsumexp(u @ v.T, axis=1)


def test_chunk_rows():
    assert chunk_rows(64) == 64 and chunk_rows(512) == 128 and chunk_rows(500) == 125
    assert chunk_rows(509) == 509  # prime: one chunk rather than 509 one-row chunks
    for B in range(1, 700):
        assert B % chunk_rows(B) == 0


@pytest.mark.parametrize("B, Bv, r", [(1, 1, 3), (7, 5, 1), (128, 128, 3), (384, 384, 6), (500, 500, 2), (509, 509, 3),
                                      (256, 64, 3)])
def test_value_and_gradient_match_plain(B, Bv, r):
    with jax.enable_x64(True):
        rng = np.random.default_rng(B + r)
        u = jnp.asarray(rng.standard_normal((B, r)) * 2)
        v = jnp.asarray(rng.standard_normal((Bv, r)))
        w = jnp.asarray(rng.standard_normal(B))  # a generic cotangent
        np.testing.assert_allclose(row_lse_gram(u, v), plain(u, v), rtol=1e-12, atol=1e-12)
        f = lambda a, b, fn: jnp.sum(w * fn(a, b))  # noqa: E731
        ga = jax.grad(f, argnums=(0, 1))(u, v, row_lse_gram)
        gb = jax.grad(f, argnums=(0, 1))(u, v, plain)
        for x, y in zip(ga, gb):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
        check_grads(lambda a, b: row_lse_gram(a, b), (u, v), order=1, modes=["rev"])


def test_lanes_and_float32_large_logits():
    """vmapped over lanes under jit, and stable where exp(S) would overflow float32."""
    rng = np.random.default_rng(0)
    u = jnp.asarray(rng.standard_normal((3, 256, 3)) * 30, jnp.float32)
    v = jnp.asarray(rng.standard_normal((3, 256, 3)) * 30, jnp.float32)
    got = jax.jit(jax.vmap(row_lse_gram))(u, v)
    want = jax.vmap(plain)(u, v)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    g = jax.jit(jax.grad(lambda a: jax.vmap(row_lse_gram)(a, v).sum()))(u)
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("B, r", [(1, 3), (7, 2), (384, 6), (509, 3)])
def test_both_sides_match_plain(B, r):
    """Row and column LSE (CLIP) from one pass: values and gradients for generic cotangents on both outputs."""
    from sslab.losses.lse_gram import both_lse_gram

    with jax.enable_x64(True):
        rng = np.random.default_rng(B * r)
        u, v = (jnp.asarray(rng.standard_normal((B, r)) * 2) for _ in range(2))
        wr, wc = (jnp.asarray(rng.standard_normal(B)) for _ in range(2))
        rows, cols = both_lse_gram(u, v)
        np.testing.assert_allclose(rows, plain(u, v), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cols, jax.nn.logsumexp(u @ v.T, axis=0), rtol=1e-12, atol=1e-12)

        def f(a, b, fused):
            if fused:
                r_, c_ = both_lse_gram(a, b)
            else:
                S = a @ b.T
                r_, c_ = jax.nn.logsumexp(S, axis=1), jax.nn.logsumexp(S, axis=0)
            return jnp.sum(wr * r_) + jnp.sum(wc * c_)

        for x, y in zip(jax.grad(f, argnums=(0, 1))(u, v, True), jax.grad(f, argnums=(0, 1))(u, v, False)):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
        check_grads(lambda a, b: both_lse_gram(a, b), (u, v), order=1, modes=["rev"])
