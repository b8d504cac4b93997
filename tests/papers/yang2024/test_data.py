"""Yang 2024 data model and initialisations (spec §2–§4): statistics on large deterministic samples."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.papers.yang2024.data import YangData, augmentation_noise, sample, views
from sslab.papers.yang2024.model import YangSL, YangSSL, init_sl, init_ssl

N = 200_000
SE = 5 * np.sqrt(0.25 * 0.75 / N)  # 5 sigma on a frequency of 1/4


def draw(noise="isotropic", n=N, seed=0, **kw):
    cfg = YangData(noise=noise, **kw).resolve()
    out = sample(jax.random.key(seed), cfg, n)
    return cfg, {k: np.asarray(v, np.float64) for k, v in out.items()}


def test_rho_default():
    assert YangData().resolve().rho == pytest.approx(10 ** -1.5)
    assert YangData(d=4).resolve().rho == pytest.approx(4 ** -1.5)
    assert YangData(rho=0.5).resolve().rho == 0.5


@pytest.mark.parametrize("noise", ["isotropic", "scalar"])
def test_shapes_and_values(noise):
    cfg, s = draw(noise, n=50)
    assert s["X"].shape == (50, 10) and s["y"].shape == s["z"].shape == s["t"].shape == (50,)
    assert set(np.unique(s["y"])) <= {-1.0, 1.0}
    assert set(np.unique(s["z"])) <= {0.0, 1.0}
    np.testing.assert_array_equal(s["t"], np.where(s["y"] > 0, 0.0, 1.0))  # t = 0 for y = +1


def test_cluster_frequencies_and_independence():
    _, s = draw()
    y, z = s["y"], s["z"]
    for yv in (1.0, -1.0):
        for zv in (0.0, 1.0):
            assert abs(np.mean((y == yv) & (z == zv)) - 0.25) < SE, (yv, zv)
    # label and hidden variable independent: P(z=1 | y) = 1/2 for both labels
    for yv in (1.0, -1.0):
        assert abs(np.mean(z[y == yv]) - 0.5) < 5 * np.sqrt(0.25 / np.sum(y == yv))
    assert abs(np.corrcoef(y, z)[0, 1]) < 5 / np.sqrt(N)


def test_isotropic_noise_moments():
    cfg, s = draw("isotropic", tau=5.0)
    centres = np.zeros_like(s["X"])
    centres[:, 0], centres[:, 1] = s["y"], cfg.tau * s["z"]
    xi = (s["X"] - centres) / cfg.rho
    assert np.all(np.abs(xi.mean(0)) < 5 / np.sqrt(N))
    np.testing.assert_allclose(xi.var(0), 1.0, atol=5 * np.sqrt(2 / N))
    C = np.corrcoef(xi.T)
    assert np.all(np.abs(C - np.eye(10)) < 5 / np.sqrt(N))  # independent coordinates
    # noise independent of the cluster
    assert abs(np.corrcoef(xi[:, 0], s["y"])[0, 1]) < 5 / np.sqrt(N)


def test_scalar_noise_is_one_value_per_point():
    cfg, s = draw("scalar", n=20_000)
    centres = np.zeros_like(s["X"])
    centres[:, 0], centres[:, 1] = s["y"], cfg.tau * s["z"]
    xi = (s["X"] - centres) / cfg.rho
    # coordinates 2.. are rho*g exactly; 0 and 1 up to the float32 rounding of y + rho*g, tau*z + rho*g
    np.testing.assert_array_equal(xi[:, 2:], np.repeat(xi[:, 2:3], 8, axis=1))
    np.testing.assert_allclose(xi[:, :2], np.repeat(xi[:, 2:3], 2, axis=1), atol=5e-5)
    g = xi[:, 2]
    assert abs(g.mean()) < 5 / np.sqrt(20_000)
    assert abs(g.var() - 1.0) < 5 * np.sqrt(2 / 20_000)


def test_sample_dtype_and_determinism():
    cfg = YangData().resolve()
    a = sample(jax.random.key(3), cfg, 10)
    b = sample(jax.random.key(3), cfg, 10)
    c = sample(jax.random.key(4), cfg, 10)
    assert a["X"].dtype == jnp.float32
    np.testing.assert_array_equal(a["X"], b["X"])
    assert not np.array_equal(a["X"], c["X"])
    with jax.enable_x64(True):
        assert sample(jax.random.key(3), cfg, 10, jnp.float64)["X"].dtype == jnp.float64


def test_augmentation_noise_moments_and_views():
    n, d = 20_000, 10
    zeta = np.asarray(augmentation_noise(jax.random.key(1), n, d), np.float64)
    assert zeta.shape == (2, n, d)
    flat = np.concatenate([zeta[0], zeta[1]], axis=1)  # (n, 2d): both views' coordinates per point
    assert np.all(np.abs(flat.mean(0)) < 5 / np.sqrt(n))
    np.testing.assert_allclose(flat.var(0), 1.0, atol=5 * np.sqrt(2 / n))
    # the two views' noises are independent of each other and across coordinates
    C = np.corrcoef(flat.T)
    assert np.all(np.abs(C - np.eye(2 * d)) < 5 / np.sqrt(n))
    other = np.asarray(augmentation_noise(jax.random.key(2), n, d))
    assert not np.array_equal(other, zeta.astype(np.float32))
    X = np.arange(2 * d, dtype=np.float32).reshape(2, d)
    z = zeta[:, :2].astype(np.float32)
    v1, v2 = views(jnp.asarray(X), jnp.asarray(z), 0.1)
    np.testing.assert_allclose(v1, X + 0.1 * z[0], rtol=1e-6)
    np.testing.assert_allclose(v2, X + 0.1 * z[1], rtol=1e-6)


# --- initialisation (spec §4) ----------------------------------------------------------------------

K = 4000
KEYS = jax.random.split(jax.random.key(0), K)


def inits_ssl(tau=7.0, **kw):
    cfg = YangSSL(**kw)
    return np.asarray(jax.vmap(lambda k: init_ssl(k, cfg, 10, tau)["W"])(KEYS), np.float64)


def test_ssl_condition0_ranges():
    for tau in (7.0, 3.0):
        W = inits_ssl(tau, condition=0)
        assert W.shape == (K, 2, 10)
        assert np.all((W[:, 0, 0] >= 3.1) & (W[:, 0, 0] <= 3.9))
        assert np.all((W[:, 1, 0] >= -3.9) & (W[:, 1, 0] <= -3.1))
        for k in (0, 1):
            b = tau * W[:, k, 1]
            assert np.all((b >= 8.5 - 1e-5) & (b <= 9.0 + 1e-5))
            assert b.min() < 8.52 and b.max() > 8.98  # the whole interval is used
            assert abs(b.mean() - 8.75) < 0.02
        assert W[:, 0, 0].min() < 3.12 and W[:, 0, 0].max() > 3.88
        # the four uniforms are independent draws
        assert abs(np.corrcoef(W[:, 0, 0], -W[:, 1, 0])[0, 1]) < 0.1
        assert abs(np.corrcoef(W[:, 0, 1], W[:, 1, 1])[0, 1]) < 0.1
        rest = W[:, :, 2:].ravel()
        assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1.0) < 0.02  # N(0,1), not small


def test_ssl_condition1_signs():
    W = inits_ssl(condition=1)
    assert np.all(W[:, 0, 0] > 0) and np.all(W[:, 1, 0] < 0)
    assert np.all(W[:, 0, 1] > 0) and np.all(W[:, 1, 1] > 0)
    # magnitudes are |N(0,1)|: mean sqrt(2/pi)
    for (i, j) in [(0, 0), (1, 0), (0, 1), (1, 1)]:
        assert abs(np.abs(W[:, i, j]).mean() - np.sqrt(2 / np.pi)) < 0.05
    assert W[:, 0, 0].max() > 2.5  # not the condition-0 interval
    rest = W[:, :, 2:].ravel()
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1.0) < 0.02


@pytest.mark.parametrize("condition", [0, 1])
def test_ssl_rest_init_zero(condition):
    W = inits_ssl(condition=condition, rest_init="zero")
    assert np.all(W[:, :, 2:] == 0.0)
    ref = inits_ssl(condition=condition)
    np.testing.assert_array_equal(W[:, :, :2], ref[:, :, :2])  # only the rest changes


def test_sl_init_signs():
    cfg = YangSL()
    out = jax.vmap(lambda k: init_sl(k, cfg, 10))(KEYS)
    W, F = np.asarray(out["W"], np.float64), np.asarray(out["F"], np.float64)
    assert W.shape == (K, 2, 10) and F.shape == (K, 2)
    assert np.all(W[:, 0, 0] > 0) and np.all(W[:, 1, 0] < 0)
    # w12, w22 and F unconstrained N(0, 1)
    for v in (W[:, 0, 1], W[:, 1, 1], F[:, 0], F[:, 1]):
        assert abs(v.mean()) < 0.1 and abs(v.std() - 1.0) < 0.05
        assert np.any(v > 0) and np.any(v < 0)
    Wz = np.asarray(jax.vmap(lambda k: init_sl(k, dataclasses.replace(cfg, rest_init="zero"), 10)["W"])(KEYS))
    assert np.all(Wz[:, :, 2:] == 0.0)
    np.testing.assert_array_equal(Wz[:, :, :2], W[:, :, :2].astype(np.float32))
