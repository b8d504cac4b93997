"""Wen & Li 2021 data model and views (spec wenli2021 §1–§2, §8 low-rank control)."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.config import ConfigError
from sslab.papers.wenli2021 import data as dm


def cfg(**kw) -> dm.WenLiData:
    c = dataclasses.replace(dm.WenLiData(), **kw).resolve()
    c.check()
    return c


def test_defaults_match_spec_table():
    c = cfg()
    assert (c.d, c.d1) == (32, 256)
    assert c.p == pytest.approx(math.log(math.log(32)) / 32) and round(c.p, 5) == 0.03884
    assert c.sigma_xi**2 == pytest.approx(math.sqrt(math.log(32)) / 32) and round(c.sigma_xi**2, 5) == 0.05818
    assert cfg(noise_scale="std").sigma_xi == pytest.approx(math.sqrt(math.log(32)) / 32)
    nu = cfg(noise_ratio=4.0)
    assert nu.d1 * nu.sigma_xi**2 / (nu.d * nu.p) == pytest.approx(4.0)


def test_config_errors():
    with pytest.raises(ConfigError, match="data.d"):
        cfg(d=2)
    with pytest.raises(ConfigError, match="data.d1"):
        cfg(d1=16)


def test_dictionary_orthonormal_delocalised_and_deterministic():
    M = dm.dictionary(0, 32, 256)
    np.testing.assert_allclose(M.T @ M, np.eye(32), atol=1e-12)
    assert np.max(np.abs(M)) < 5 / math.sqrt(256)
    np.testing.assert_array_equal(M, dm.dictionary(0, 32, 256))
    assert not np.allclose(M, dm.dictionary(1, 32, 256))


def test_sample_statistics():
    c = cfg()
    M = dm.dictionary(0, c.d, c.d1)
    n = 20_000
    out = dm.sample(jax.random.key(0), c, jnp.asarray(M, jnp.float32), jnp.zeros((c.d1, 1)), n)
    Z, X = np.asarray(out["Z"], np.float64), np.asarray(out["X"], np.float64)
    assert set(np.unique(Z)) <= {-1.0, 0.0, 1.0}
    se = math.sqrt(c.p / (n * c.d))
    assert np.mean(Z != 0) == pytest.approx(c.p, abs=5 * se)
    assert np.mean(Z == 1) == pytest.approx(c.p / 2, abs=5 * se)
    xi = X - Z @ M.T
    assert np.var(xi) == pytest.approx(c.sigma_xi**2, rel=0.01)
    assert np.mean(np.sum((Z @ M.T) ** 2, 1)) == pytest.approx(math.log(math.log(32)), rel=0.05)
    assert np.mean(np.sum(xi**2, 1)) == pytest.approx(c.d1 * c.sigma_xi**2, rel=0.01)


def test_complementary_views_partition_x():
    c = cfg()
    X = jax.random.normal(jax.random.key(1), (64, c.d1))
    Xa, Xb = dm.views(jax.random.key(2), X, c)
    np.testing.assert_array_equal(np.asarray(Xa * Xb), 0.0)
    np.testing.assert_allclose(np.asarray(Xa / 2 + Xb / 2), np.asarray(X), rtol=1e-6)
    frac = float(jnp.mean(Xa != 0))
    assert frac == pytest.approx(0.5, abs=0.02)


def test_keep_prob_none_and_independent():
    X = jax.random.normal(jax.random.key(1), (64, 256))
    c = cfg(keep_prob=0.25)
    Xa, Xb = dm.views(jax.random.key(2), X, c)
    np.testing.assert_allclose(np.asarray(Xa * 0.25 + Xb * 0.75), np.asarray(X), rtol=1e-5, atol=1e-6)
    assert float(jnp.mean(Xa != 0)) == pytest.approx(0.25, abs=0.02)
    Xa, Xb = dm.views(jax.random.key(2), X, cfg(**dm.VIEWS["none"]))
    np.testing.assert_array_equal(np.asarray(Xa), np.asarray(X))
    np.testing.assert_array_equal(np.asarray(Xb), np.asarray(X))
    Xa, Xb = dm.views(jax.random.key(2), X, cfg(**dm.VIEWS["independent"]))
    both = float(jnp.mean((Xa != 0) & (Xb != 0)))
    assert both == pytest.approx(0.25, abs=0.02)  # independent masks overlap
    s_a, s_b = dm.view_noise_std(cfg(keep_prob=0.25))
    sig = cfg().sigma_xi
    assert float(s_a) == pytest.approx(sig / 0.5, rel=1e-6) and float(s_b) == pytest.approx(sig / math.sqrt(0.75), rel=1e-6)
    s_a, s_b = dm.view_noise_std(cfg(**dm.VIEWS["none"]))
    assert float(s_a) == pytest.approx(sig, rel=1e-6) and float(s_b) == pytest.approx(sig, rel=1e-6)


def test_lowrank_noise_lives_in_span_of_A_perp_M():
    c = cfg(noise="lowrank")
    host = dm.host_inputs(0, c)
    M, A = host["M"], host["A"]
    assert A.shape == (256, 32)
    np.testing.assert_allclose(A.T @ A, np.eye(32), atol=1e-10)
    assert np.max(np.abs(M.T @ A)) < 1e-10
    xi = np.asarray(dm.dense_noise(jax.random.key(3), 20_000, c, jnp.asarray(A, jnp.float32)), np.float64)
    resid = xi - xi @ A @ A.T
    assert np.max(np.abs(resid)) < 1e-4
    assert np.mean(np.sum(xi**2, 1)) == pytest.approx(c.d1 * c.sigma_xi**2, rel=0.02)  # same E‖ξ‖²


def test_eval_samples_deterministic_float64():
    M = dm.dictionary(0, 32, 256)
    X1, Z1 = dm.eval_samples(0, M, 0.04, 0.2, 100)
    X2, Z2 = dm.eval_samples(0, M, 0.04, 0.2, 100)
    assert X1.dtype == np.float64
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Z1, Z2)


def test_mask_bits_resolve_to_the_fewest_exact():
    """k bits per mask entry: the fewest with 2^k·q an integer (q = 1/2: 1 bit), else 16; an explicit k is kept."""
    assert [cfg(keep_prob=q).mask_bits for q in (0.5, 0.25, 0.75, 0.375, 0.3)] == [1, 2, 2, 3, 16]
    assert cfg(keep_prob=0.5, mask_bits=8).mask_bits == 8


def test_mask_bits_are_bernoulli_q_and_independent():
    """Mask entries are k-bit uniforms packed ⌊32/k⌋ to a random word: each mask is Bernoulli(q) (exact when 2^k q
    is an integer, else to 2⁻¹⁶) and the two are independent (a million coordinates: 5 standard errors ≈ 0.0025)."""
    X = jnp.ones((2000, 512))
    for q in (0.3, 0.5, 0.75, 0.375):
        Xa, Xb = dm.views(jax.random.key(7), X, cfg(keep_prob=q, **dm.VIEWS["independent"]))
        Da, Db = np.asarray(Xa != 0), np.asarray(Xb != 0)
        assert Da.mean() == pytest.approx(q, abs=0.0025) and Db.mean() == pytest.approx(q, abs=0.0025)
        assert (Da & Db).mean() == pytest.approx(q * q, abs=0.0025)
