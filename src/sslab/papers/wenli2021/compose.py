"""What Wen & Li 2021 offers to composition: the sparse-coding data model with masking views, and the
soft-threshold encoder.

Data (spec §1–§2): x = Mz + ξ with a random dictionary M, complementary masking views. ``recovery`` =
mean_j coverage_j, coverage_j = max_i |⟨w_i, M_j⟩|/‖w_i‖ (spec §6). Encoder ``symrelu``: symmetric
soft thresholds with the ramped bias b_i = κ_t s ‖w_i‖ (spec §3), W₀ ~ N(0, init_scale²/D) stored as D × m.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ..paper import DataModel, Encoder
from . import data as data_mod
from . import metrics as met
from . import model as model_mod


def views(key, c, data, B, dt):
    """B fresh samples x = Mz + ξ and their two masked views (spec §2)."""
    kx, km = jax.random.split(key)
    X = data_mod.sample(kx, c.data, data["M"], data["A"], B, dt)["X"]
    return data_mod.views(km, X, c.data)


def recovery(W, data, c):
    cos = met.cosines(W.T, data["M"])
    cov = met.coverage(cos)
    return {"recovery": jnp.mean(cov), "cov_min": jnp.min(cov), "cov_median": jnp.median(cov),
            "frac_covered": jnp.mean(cov > met.COVERED), "rho_median": jnp.median(met.feature_mass(cos))}


DATA_MODEL = DataModel(
    name="wenli2021", section=data_mod.WenLiData, shape=lambda d: (d.d1,), default_r=lambda d: 4 * d.d,
    own_encoder="symrelu", views=views, recovery=recovery, noise_std=data_mod.view_noise_std,
    host=lambda c: data_mod.host_inputs(int(c.seed), c.data),
    dataset=lambda key, c, host, dt: {"M": host["M"], "A": host["A"]},
    recovery_doc="mean over features j of coverage_j = max_i |⟨w_i, M_j⟩|/‖w_i‖")


def init(key, c, shape, r, dt):
    D = math.prod(shape)
    W = c.model.init_scale / jnp.sqrt(D).astype(dt) * jax.random.normal(key, (r * D,), dt)
    return {"W": W.reshape(D, r)}


def encode(enc, x, c, s, t):
    """Soft thresholds with the ramped bias κ_t·s·‖w_i‖ (s: the view's dense-noise std per unit ‖w‖)."""
    b = model_mod.bias(enc["W"], model_mod.kappa(t, c.model, c.train.steps), s)
    return model_mod.encode(enc["W"], x, b)


ENCODER = Encoder(
    name="symrelu", params=("W",), init=init, encode=encode, features=lambda enc: enc["W"].T,
    doc="symmetric soft thresholds with the ramped bias b_i = κ_t s ‖w_i‖ (Wen & Li 2021 §3)")
