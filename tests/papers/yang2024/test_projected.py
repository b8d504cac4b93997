"""Yang 2024 `data.augment=projected`: the same GD update law as the literal two-view sampler (spec §3).

The update of one GD step is a function of the augmentation through the gradient; both samplers are
run on many independent keys at a fixed W and X, and the first and second moments of the gradient and
the loss value are compared entry by entry (z-scores against Monte-Carlo standard errors).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.config import ConfigError
from sslab.papers.yang2024.data import YangData, augmentation_noise, projected_alignment, sample
from sslab.losses.alignment import alignment
from sslab.papers.yang2024.model import encode

D, N, KEYS, RHO = 4, 6, 10_000, 0.5


def _setup():
    cfg = YangData(d=D, n=N, rho=RHO, tau=2.0).resolve()
    X = sample(jax.random.key(3), cfg, N)["X"]
    W = jnp.array([[1.5, 0.8, 0.3, -0.2], [-1.2, 0.9, -0.4, 0.5]], jnp.float32)
    return X, W


def _full(W, X, key):
    zeta = augmentation_noise(key, N, D)
    return alignment(encode(W, X + RHO * zeta[0]), encode(W, X + RHO * zeta[1]))


def _projected(W, X, key):
    return projected_alignment(W, X, key, RHO, alignment)


@functools.lru_cache(maxsize=None)
def _sampler(fn):
    return jax.jit(jax.vmap(jax.value_and_grad(fn), in_axes=(None, None, 0)))


def _draws(fn, seed):
    X, W = _setup()
    keys = jax.random.split(jax.random.key(seed), KEYS)
    value, grad = _sampler(fn)(W, X, keys)
    g = np.asarray(grad, np.float64).reshape(KEYS, -1)
    return np.concatenate([np.asarray(value, np.float64)[:, None], g], axis=1)


def _moment_z(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |z| over the means and all pairwise second moments of the columns of a and b."""
    feats = lambda x: np.concatenate([x, (x[:, :, None] * x[:, None, :]).reshape(len(x), -1)], axis=1)  # noqa: E731
    fa, fb = feats(a), feats(b)
    se = np.sqrt(fa.var(0, ddof=1) / len(fa) + fb.var(0, ddof=1) / len(fb))
    return float(np.max(np.abs(fa.mean(0) - fb.mean(0)) / np.where(se > 0, se, np.inf)))


def test_projected_gradient_has_the_full_samplers_law():
    full = _draws(_full, 0)
    proj = _draws(_projected, 1)
    assert _moment_z(full, proj) < 5.0
    # the test has power: a second literal-sampler draw agrees, and dropping the P⊥ part of the gradient
    # (the b draws) is detected
    assert _moment_z(full, _draws(_full, 2)) < 5.0
    X, W = _setup()
    Q = np.linalg.qr(np.asarray(W, np.float64).T)[0]
    g = proj[:, 1:].reshape(KEYS, 2, D)
    in_span = np.concatenate([proj[:, :1], (g @ Q @ Q.T).reshape(KEYS, -1)], axis=1)
    assert _moment_z(full, in_span) > 20.0


def test_projected_loss_value_is_the_loss_at_the_drawn_preactivations():
    """Forward value: W x̃ = Wx + ρ WQa, so the value is the §3 loss, and the surrogate term adds 0."""
    X, W = _setup()
    key = jax.random.key(5)
    v = projected_alignment(W, X, key, RHO, alignment)
    k_a, _ = jax.random.split(key)
    a = np.asarray(jax.random.normal(k_a, (2 * N * 2,)), np.float64).reshape(2, N, 2)
    Wn, Xn = np.asarray(W, np.float64), np.asarray(X, np.float64)
    Q = np.linalg.qr(Wn.T)[0]
    sig = lambda u: 1 / (1 + np.exp(-u))  # noqa: E731
    P = [Xn @ Wn.T + RHO * a[j] @ (Wn @ Q).T for j in range(2)]
    assert float(v) == pytest.approx(-np.mean(np.sum(sig(P[0]) * sig(P[1]), axis=1)), rel=1e-5)


def test_projected_needs_the_jax_rng():
    with pytest.raises(ConfigError, match="data.augment"):
        YangData(augment="projected", rng="official").check()
