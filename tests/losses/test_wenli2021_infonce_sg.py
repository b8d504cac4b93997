"""Symmetric stop-gradient InfoNCE of Wen & Li 2021 (spec wenli2021 §4) vs a naive loop reference."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses.infonce_sg import infonce_sg_wenli

GRID = [(1, 1, 1.0), (2, 3, 1.0), (5, 4, 0.5), (8, 2, 2.0), (16, 7, 1.0)]


def naive_direction(Fq, Fk, tau, cosine=False):
    """(1/K) Σ_n [−S_nn + log Σ_k exp S_nk], S_nk = ⟨Fq[n], Fk[k]⟩/τ, written as loops."""
    K, m = len(Fq), len(Fq[0])

    def norm(v):
        return math.sqrt(sum(x * x for x in v)) + 1e-8

    total = 0.0
    for n in range(K):
        S = []
        for k in range(K):
            dot = sum(float(Fq[n][i]) * float(Fk[k][i]) for i in range(m))
            if cosine:
                dot /= norm(Fq[n]) * norm(Fk[k])
            S.append(dot / tau)
        top = max(S)
        total += -S[n] + top + math.log(sum(math.exp(s - top) for s in S))
    return total / K


def naive(Fa, Fb, tau, cosine=False):
    return naive_direction(Fa, Fb, tau, cosine) + naive_direction(Fb, Fa, tau, cosine)


@pytest.mark.parametrize("K, m, tau", GRID)
@pytest.mark.parametrize("similarity", ["dot", "cosine"])
def test_vs_naive_loop(K, m, tau, similarity):
    rng = np.random.default_rng(K * 31 + m)
    Fa, Fb = rng.normal(size=(K, m)), rng.normal(size=(K, m))
    with jax.enable_x64(True):
        got = float(infonce_sg_wenli(jnp.asarray(Fa), jnp.asarray(Fb), tau, similarity=similarity))
    assert got == pytest.approx(naive(Fa, Fb, tau, similarity == "cosine"), rel=1e-10, abs=1e-12)
    got32 = float(jax.jit(lambda a, b: infonce_sg_wenli(a, b, tau, similarity=similarity))(
        jnp.asarray(Fa, jnp.float32), jnp.asarray(Fb, jnp.float32)))
    assert got32 == pytest.approx(naive(Fa, Fb, tau, similarity == "cosine"), rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("K, m, tau", GRID)
def test_symmetric_and_mean_is_half(K, m, tau):
    rng = np.random.default_rng(K + 7 * m)
    Fa, Fb = jnp.asarray(rng.normal(size=(K, m))), jnp.asarray(rng.normal(size=(K, m)))
    with jax.enable_x64(True):
        Fa, Fb = Fa.astype(jnp.float64), Fb.astype(jnp.float64)
        ab, ba = infonce_sg_wenli(Fa, Fb, tau), infonce_sg_wenli(Fb, Fa, tau)
        assert float(ab) == pytest.approx(float(ba), rel=1e-13)
        assert float(infonce_sg_wenli(Fa, Fb, tau, combine="mean")) == pytest.approx(float(ab) / 2, rel=1e-13)


@pytest.mark.parametrize("K", [1, 2, 4, 9])
@pytest.mark.parametrize("r2, tau", [(1.0, 1.0), (3.0, 0.5), (0.25, 2.0)])
def test_closed_form_orthogonal_aligned(K, r2, tau):
    """F_a = F_b with orthogonal rows of squared norm r²: L = 2(−r²/τ + log(e^{r²/τ} + K − 1)); zeros give 2 log K."""
    with jax.enable_x64(True):
        F = math.sqrt(r2) * jnp.eye(K, K + 1, dtype=jnp.float64)
        got = float(infonce_sg_wenli(F.astype(jnp.float64), F.astype(jnp.float64), tau))
        zero = float(infonce_sg_wenli(jnp.zeros((K, 3)), jnp.zeros((K, 3)), tau))
    a = r2 / tau
    assert got == pytest.approx(2 * (-a + math.log(math.exp(a) + K - 1)), rel=1e-12)
    assert zero == pytest.approx(2 * math.log(K), abs=1e-12)


def test_gradient_matches_spec_formula_and_stop_grad():
    """∂L/∂F_a = (P F_b − F_b)/(τK) with P = row-softmax(F_a F_bᵀ/τ) (spec §4); without sg it changes."""
    rng = np.random.default_rng(0)
    K, m, tau = 6, 4, 0.7
    with jax.enable_x64(True):
        Fa, Fb = jnp.asarray(rng.normal(size=(K, m))), jnp.asarray(rng.normal(size=(K, m)))
        ga, gb = jax.grad(lambda a, b: infonce_sg_wenli(a, b, tau), argnums=(0, 1))(Fa, Fb)
        P = jax.nn.softmax(Fa @ Fb.T / tau, axis=1)
        Pb = jax.nn.softmax(Fb @ Fa.T / tau, axis=1)
        np.testing.assert_allclose(ga, (P @ Fb - Fb) / (tau * K), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(gb, (Pb @ Fa - Fa) / (tau * K), rtol=1e-12, atol=1e-14)
        g_nosg = jax.grad(lambda a: infonce_sg_wenli(a, Fb, tau, stop_grad=False))(Fa)
        assert float(jnp.max(jnp.abs(g_nosg - ga))) > 1e-3


def test_vmappable():
    F = jnp.ones((3, 5, 2))
    out = jax.vmap(lambda a: infonce_sg_wenli(a, a, 1.0))(F)
    assert out.shape == (3,) and np.allclose(out, 2 * math.log(5), atol=1e-6)
