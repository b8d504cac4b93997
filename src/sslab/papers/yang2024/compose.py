"""What Yang et al. 2024 offers to composition: its data model with its own views, and its encoder.

Data (spec §2–§3): x = y·e1 + τ·z·e2 + ρ·ξ, views x + ρζ. ``recovery`` = min(‖P e1‖, ‖P e2‖), P the projector
on the top-2 right singular subspace of the learned input weights (= span(w1, w2) for the two-neuron model;
spec §6). Encoder ``yang``: z = σ(Wx) (spec §3), W₀ ~ N(0, init_scale²/D).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ...config import ConfigError
from ..paper import DataModel, Encoder
from . import data as data_mod


def views(key, c, data, B, dt):
    """B fresh points and their two views x + ρζ (spec §3)."""
    kx, kz = jax.random.split(key)
    X = data_mod.sample(kx, c.data, B, dt)["X"]
    return data_mod.views(X, data_mod.augmentation_noise(kz, B, c.data.d, dt), c.data.rho)


def recovery(W, data, c):
    """min(‖P e1‖, ‖P e2‖) on the top-2 right singular subspace of the weights W (n, D)."""
    U = jnp.linalg.svd(W, full_matrices=False)[2][:2].T
    Pe1, Pe2 = jnp.linalg.norm(U[0]), jnp.linalg.norm(U[1])
    return {"recovery": jnp.minimum(Pe1, Pe2), "Pe1": Pe1, "Pe2": Pe2}


def check(c, r):
    if c.data.rng != "jax":
        raise ConfigError("data.rng=official: compose draws its views with JAX; use data.rng=jax")
    if getattr(c.data, "augment", "full") != "full":
        raise ConfigError(f"data.augment={c.data.augment}: compose draws full views x + ρζ; use data.augment=full")
    if r < 2:
        raise ConfigError(f"model.r={r}: data=yang2024 recovery needs two directions (e1, e2); use model.r >= 2")


DATA_MODEL = DataModel(
    name="yang2024", section=data_mod.YangData, shape=lambda d: (d.d,), default_r=lambda d: 2, own_encoder="yang",
    views=views, recovery=recovery, check=check,
    noise_std=lambda d: (math.sqrt(2) * d.rho, math.sqrt(2) * d.rho),  # data noise ρξ plus augmentation ρζ
    recovery_doc="min(‖P e1‖, ‖P e2‖), P on the top-2 right singular subspace of the learned weights")


def init(key, c, shape, r, dt):
    D = math.prod(shape)
    W = c.model.init_scale / jnp.sqrt(D).astype(dt) * jax.random.normal(key, (r * D,), dt)
    return {"W": W.reshape(r, D)}


ENCODER = Encoder(
    name="yang", params=("W",), init=init, encode=lambda enc, x, c, s, t: jax.nn.sigmoid(x @ enc["W"].T),
    features=lambda enc: enc["W"], doc="z = σ(Wx) (Yang et al. 2024 §3)")
