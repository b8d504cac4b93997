"""Bansal et al. 2024 losses vs naive loops: InfoNCE (dot, cosine), SimSiam, CLIP (spec bansal2024 §2)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.losses.clip import clip
from sslab.losses.infonce import infonce
from sslab.losses.simsiam import simsiam
from sslab.losses.zoo import VIEW_LOSSES

SHAPES = [(1, 1), (2, 3), (7, 3), (16, 6)]


def naive_infonce(z, zp, tau, cosine):
    B = len(z)
    if cosine:
        z = [[a / math.sqrt(sum(b * b for b in v)) for a in v] for v in z]
        zp = [[a / math.sqrt(sum(b * b for b in v)) for a in v] for v in zp]
    total = 0.0
    for i in range(B):
        s = [sum(a * b for a, b in zip(z[i], zp[j])) / tau for j in range(B)]
        total += -s[i] + math.log(sum(math.exp(v) for v in s))
    return total / B


def naive_cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def naive_simsiam(p, pp, z, zp):
    B = len(p)
    return -0.5 * sum(naive_cos(p[i], zp[i]) + naive_cos(pp[i], z[i]) for i in range(B)) / B


def naive_clip(zx, zy, tau):
    B = len(zx)
    S = [[sum(a * b for a, b in zip(zx[i], zy[j])) / tau for j in range(B)] for i in range(B)]
    rows = sum(-S[i][i] + math.log(sum(math.exp(S[i][j]) for j in range(B))) for i in range(B)) / B
    cols = sum(-S[j][j] + math.log(sum(math.exp(S[i][j]) for i in range(B))) for j in range(B)) / B
    return 0.5 * (rows + cols)


def _x64(fn, *arrays, **kw):
    with jax.enable_x64(True):
        return float(fn(*(jnp.asarray(a) for a in arrays), **kw))


class TestInfoNCE:
    @pytest.mark.parametrize("B, r", SHAPES)
    @pytest.mark.parametrize("tau", [1.0, 0.5, 2.0])
    @pytest.mark.parametrize("similarity", ["dot", "cosine"])
    def test_vs_naive_loop(self, B, r, tau, similarity):
        rng = np.random.default_rng(10 * B + r)
        z, zp = rng.normal(size=(B, r)), rng.normal(size=(B, r))
        got = _x64(infonce, z, zp, tau=tau, similarity=similarity)
        assert got == pytest.approx(naive_infonce(z.tolist(), zp.tolist(), tau, similarity == "cosine"), rel=1e-12)

    @pytest.mark.parametrize("B", [2, 8, 512])
    def test_zero_encoder_gives_log_B(self, B):
        """Spec §7 T1.3: at scale 0 the loss is log(m + 1) = log B."""
        got = _x64(infonce, np.zeros((B, 3)), np.zeros((B, 3)))
        assert got == pytest.approx(math.log(B), rel=1e-14)

    def test_perfectly_aligned_orthogonal_embeddings(self):
        """z_i = z⁺_i = s·e_i: L = −s² + log(e^{s²} + B − 1) (closed form)."""
        B, s = 5, 3.0
        z = s * np.eye(B)
        got = _x64(infonce, z, z)
        assert got == pytest.approx(-s**2 + math.log(math.exp(s**2) + B - 1), rel=1e-12)

    def test_float32_close(self):
        rng = np.random.default_rng(0)
        z, zp = rng.normal(size=(64, 3)), rng.normal(size=(64, 3))
        got = float(infonce(jnp.asarray(z, jnp.float32), jnp.asarray(zp, jnp.float32)))
        assert got == pytest.approx(naive_infonce(z.tolist(), zp.tolist(), 1.0, False), rel=1e-5)

    def test_bad_similarity(self):
        with pytest.raises(ValueError, match="dot, cosine"):
            infonce(jnp.zeros((2, 2)), jnp.zeros((2, 2)), similarity="l2")

    def test_in_the_loss_table_and_vmappable(self):
        a, b = jnp.arange(12.0).reshape(4, 3) / 10, jnp.ones((4, 3))
        assert float(VIEW_LOSSES["infonce"](a, b)) == float(infonce(a, b))
        z = jnp.ones((4, 8, 3))
        out = jax.vmap(lambda a, t: infonce(a, a, t))(z, jnp.ones(4))
        assert out.shape == (4,)


class TestSimSiam:
    @pytest.mark.parametrize("B, r", SHAPES)
    def test_vs_naive_loop(self, B, r):
        rng = np.random.default_rng(B * r)
        p, pp, z, zp = (rng.normal(size=(B, r)) for _ in range(4))
        got = _x64(simsiam, p, pp, z, zp)
        assert got == pytest.approx(naive_simsiam(p.tolist(), pp.tolist(), z.tolist(), zp.tolist()), rel=1e-12)

    def test_aligned_is_minus_one(self):
        z = np.random.default_rng(1).normal(size=(6, 3))
        assert _x64(simsiam, 2 * z, 3 * z, z, z) == pytest.approx(-1.0, abs=1e-14)

    def test_stop_gradient_on_targets(self):
        """∂L/∂z and ∂L/∂z⁺ through the targets are zero (the encoder gets gradient only through p)."""
        rng = np.random.default_rng(2)
        p, pp, z, zp = (jnp.asarray(rng.normal(size=(5, 3))) for _ in range(4))
        gz, gzp = jax.grad(lambda a, b: simsiam(p, pp, a, b), argnums=(0, 1))(z, zp)
        assert float(jnp.max(jnp.abs(gz))) == 0.0 and float(jnp.max(jnp.abs(gzp))) == 0.0
        gp = jax.grad(lambda a: simsiam(a, pp, z, zp))(p)
        assert float(jnp.max(jnp.abs(gp))) > 0.0

    def test_in_the_loss_table(self):
        a, b = jnp.arange(12.0).reshape(4, 3) / 10, jnp.ones((4, 3))
        assert float(VIEW_LOSSES["simsiam"](a, b, 2 * a, b + 1)) == float(simsiam(2 * a, b + 1, a, b))


class TestCLIP:
    @pytest.mark.parametrize("B, r", SHAPES)
    @pytest.mark.parametrize("tau", [1.0, 0.3])
    def test_vs_naive_loop(self, B, r, tau):
        rng = np.random.default_rng(B + 7 * r)
        zx, zy = rng.normal(size=(B, r)), rng.normal(size=(B, r))
        assert _x64(clip, zx, zy, tau=tau) == pytest.approx(naive_clip(zx.tolist(), zy.tolist(), tau), rel=1e-12)

    @pytest.mark.parametrize("B, r", SHAPES)
    def test_symmetric_in_modalities(self, B, r):
        rng = np.random.default_rng(3 + B)
        zx, zy = rng.normal(size=(B, r)), rng.normal(size=(B, r))
        assert _x64(clip, zx, zy) == pytest.approx(_x64(clip, zy, zx), rel=1e-13)

    def test_zero_is_log_B(self):
        assert _x64(clip, np.zeros((9, 2)), np.zeros((9, 2))) == pytest.approx(math.log(9), rel=1e-14)

    def test_in_the_loss_table(self):
        a, b = jnp.arange(12.0).reshape(4, 3) / 10, jnp.ones((4, 3))
        assert float(VIEW_LOSSES["clip"](a, b)) == float(clip(a, b))
