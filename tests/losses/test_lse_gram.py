"""The fused chunked InfoNCE Gram kernel equals the plain one in value and gradient (float64), for any batch size."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from sslab.losses.lse_gram import chunk_rows, infonce_gram


def plain(u, v):
    S = u @ v.T
    return jnp.mean(jax.nn.logsumexp(S, axis=1) - jnp.diag(S))


def test_chunk_rows():
    assert chunk_rows(64) == 64 and chunk_rows(512) == 128 and chunk_rows(500) == 125
    assert chunk_rows(509) == 509  # prime: one chunk rather than 509 one-row chunks
    for B in range(1, 700):
        assert B % chunk_rows(B) == 0


@pytest.mark.parametrize("B, r", [(1, 3), (7, 1), (128, 3), (384, 6), (500, 2), (509, 3)])
def test_value_and_gradient_match_plain(B, r):
    with jax.enable_x64(True):
        rng = np.random.default_rng(B + r)
        u = jnp.asarray(rng.standard_normal((B, r)) * 2)
        v = jnp.asarray(rng.standard_normal((B, r)))
        np.testing.assert_allclose(infonce_gram(u, v), plain(u, v), rtol=1e-12, atol=1e-12)
        f = lambda a, b, fn: 0.7 * fn(a, b) + jnp.sum(jnp.sin(a))  # a generic cotangent; composed with another term  # noqa: E731
        ga = jax.grad(f, argnums=(0, 1))(u, v, infonce_gram)
        gb = jax.grad(f, argnums=(0, 1))(u, v, plain)
        for x, y in zip(ga, gb):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
        check_grads(infonce_gram, (u, v), order=1, modes=["rev"])


def test_lanes_and_float32_large_logits():
    """vmapped over lanes under jit, and stable where exp(S) would overflow float32."""
    rng = np.random.default_rng(0)
    u = jnp.asarray(rng.standard_normal((3, 256, 3)) * 30, jnp.float32)
    v = jnp.asarray(rng.standard_normal((3, 256, 3)) * 30, jnp.float32)
    got = jax.jit(jax.vmap(infonce_gram))(u, v)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, jax.vmap(plain)(u, v), rtol=1e-5)
    g = jax.jit(jax.grad(lambda a, b: jax.vmap(infonce_gram)(a, b).sum(), argnums=(0, 1)))(u, v)
    want = jax.grad(lambda a, b: jax.vmap(plain)(a, b).sum(), argnums=(0, 1))(u, v)
    for x, y in zip(g, want):
        assert np.all(np.isfinite(x))
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)


def test_column_side_is_the_transpose():
    """CLIP's column term is the same kernel on Sᵀ: infonce_gram(v, u) against logsumexp over axis 0."""
    with jax.enable_x64(True):
        rng = np.random.default_rng(5)
        u, v = (jnp.asarray(rng.standard_normal((384, 6)) * 2) for _ in range(2))
        cols = lambda a, b: jnp.mean(jax.nn.logsumexp(a @ b.T, axis=0) - jnp.diag(a @ b.T))  # noqa: E731
        np.testing.assert_allclose(infonce_gram(v, u), cols(u, v), rtol=1e-12)
        for x, y in zip(jax.grad(lambda a, b: infonce_gram(b, a), argnums=(0, 1))(u, v),
                        jax.grad(cols, argnums=(0, 1))(u, v)):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)


def test_common_scale_cancels_in_float32():
    """Equal embeddings of large norm (S_ij = 2700, float32 ulp 2.4e-4): every row is log B, since m_i − S_ii = 0
    exactly; subtracting the mean diagonal from the mean LSE instead would leave errors of order the ulp."""
    for B in (13, 512):
        z = jnp.full((B, 3), 30.0, jnp.float32)
        assert float(infonce_gram(z, z)) == pytest.approx(np.log(B), abs=1e-5)
