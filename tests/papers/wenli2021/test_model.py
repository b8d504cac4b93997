"""Wen & Li 2021 network, bias schedule and full-objective gradient (spec wenli2021 §3–§4)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.papers.wenli2021 import model as mm


def test_soft_threshold_is_symmetric_relu():
    u = jnp.linspace(-3, 3, 13)
    b = 1.0
    np.testing.assert_allclose(mm.soft_threshold(u, b), jnp.sign(u) * jnp.maximum(jnp.abs(u) - b, 0.0), atol=1e-7)
    np.testing.assert_allclose(mm.soft_threshold(u, 0.0), u)
    g = jax.vmap(jax.grad(lambda x: mm.soft_threshold(x, b)))(u)
    np.testing.assert_array_equal(g, (jnp.abs(u) > b).astype(g.dtype))


def test_kappa_ramp_and_zero_rule():
    cfg = mm.WenLiNet()
    T = 3000
    ks = [float(mm.kappa(t, cfg, T)) for t in (0, 500, 1000, 2999)]
    assert ks == pytest.approx([0.0, 1.25, 2.5, 2.5])
    assert float(mm.kappa(700.0, dataclasses.replace(cfg, bias_rule="zero"), T)) == 0.0


def test_init_scale_and_bias_stop_gradient():
    cfg = dataclasses.replace(mm.WenLiNet(), m=128)
    W = mm.init(jax.random.key(0), cfg, 256)["W"]
    assert W.shape == (256, 128)
    assert float(jnp.median(jnp.linalg.norm(W, axis=0))) == pytest.approx(0.1, rel=0.05)
    g = jax.grad(lambda W: jnp.sum(mm.bias(W, 2.0, 0.3)))(W)
    assert float(jnp.max(jnp.abs(g))) == 0.0
    assert "b" in mm.init(jax.random.key(0), dataclasses.replace(cfg, bias_rule="learned"), 256)


def test_objective_gradient_matches_spec_formula():
    """∂L/∂W = X_aᵀ(G_a ⊙ 1[|U_a| > b_a]) + X_bᵀ(G_b ⊙ 1[|U_b| > b_b]) + λW (spec §4)."""
    from sslab.losses.infonce_sg import infonce_sg_wenli

    rng = np.random.default_rng(0)
    K, d1, m, lam, tau = 12, 10, 6, 1e-3, 1.0
    with jax.enable_x64(True):
        Xa, Xb = jnp.asarray(rng.normal(size=(K, d1))), jnp.asarray(rng.normal(size=(K, d1)))
        W = jnp.asarray(rng.normal(size=(d1, m)))
        sa, sb, kap = 0.3, 0.2, 1.5

        def L(W):
            Fa = mm.encode(W, Xa, mm.bias(W, kap, sa))
            Fb = mm.encode(W, Xb, mm.bias(W, kap, sb))
            return infonce_sg_wenli(Fa, Fb, tau) + 0.5 * lam * jnp.sum(W**2)

        got = jax.grad(L)(W)
        ba, bb = mm.bias(W, kap, sa), mm.bias(W, kap, sb)
        Ua, Ub = Xa @ W, Xb @ W
        Fa, Fb = mm.soft_threshold(Ua, ba), mm.soft_threshold(Ub, bb)
        Ga = (jax.nn.softmax(Fa @ Fb.T / tau, axis=1) @ Fb - Fb) / (tau * K)
        Gb = (jax.nn.softmax(Fb @ Fa.T / tau, axis=1) @ Fa - Fa) / (tau * K)
        want = Xa.T @ (Ga * (jnp.abs(Ua) > ba)) + Xb.T @ (Gb * (jnp.abs(Ub) > bb)) + lam * W
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
