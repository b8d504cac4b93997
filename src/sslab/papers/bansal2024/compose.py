"""What Bansal et al. 2024 offers to composition: the shared-covariance GMM with its positive pairs, and the
linear encoder.

Data (spec §1, population mode): pairs (x, x⁺) of the §1.1 GMM with augmentation noise δ. ``recovery`` =
1 − sin θ_max(U_W, F), U_W the top-(k−1) right singular subspace of the learned input weights, F the Fisher
subspace (spec §5); principal-angle cosines are logged too. Encoder ``linear``: z = Ax (spec §2).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ...config import ConfigError
from ..paper import DataModel, Encoder
from . import data as data_mod
from .experiment import reference_subspaces


def host(c):
    """The GMM's means, covariance factor and Fisher subspace of one seed (float64, host)."""
    h = data_mod.host_arrays(int(c.seed), c.data)
    return {"mu": h["mu"], "L": h["L"], "U_F": reference_subspaces(int(c.seed), c.data)["F"]}


def recovery(W, data, c):
    U_F = data["U_F"]
    U = jnp.linalg.svd(W, full_matrices=False)[2][:U_F.shape[1]].T
    cos = jnp.clip(jnp.linalg.svd(U_F.T @ U, compute_uv=False), 0.0, 1.0)  # cosines of the principal angles
    err = jnp.sqrt(jnp.clip(1.0 - jnp.min(cos) ** 2, 0.0))  # sin θ_max
    return {"recovery": 1.0 - err, "err": err, "pa_cos_min": jnp.min(cos), "pa_cos_mean": jnp.mean(cos)}


def check(c, r):
    d = c.data
    if d.structure != "gmm" or d.mode != "population" or d.transform != "none":
        raise ConfigError("data=bansal2024: compose uses the §1.1 GMM in population mode; set data.structure=gmm, "
                          "data.mode=population, data.transform=none")
    if r < d.k - 1:
        raise ConfigError(f"model.r={r} < k − 1 = {d.k - 1}: the learned subspace cannot hold the "
                          f"Fisher subspace of data=bansal2024; use model.r >= {d.k - 1}")


DATA_MODEL = DataModel(
    name="bansal2024", section=data_mod.BansalData, shape=lambda d: (d.d,), default_r=lambda d: d.k - 1,
    own_encoder="linear",
    views=lambda key, c, data, B, dt: data_mod.sample_pairs(key, data["mu"], data["L"], B, c.data.delta),
    recovery=recovery, check=check, host=host, dataset=lambda key, c, host, dt: dict(host),
    noise_std=lambda d: (1.0, 1.0),  # det Σ = 1: unit geometric-mean noise std
    recovery_doc="1 − sin θ_max between the top-(k−1) right singular subspace of the weights and the Fisher subspace")


def init(key, c, shape, r, dt):
    D = math.prod(shape)
    A = c.model.init_scale / jnp.sqrt(D).astype(dt) * jax.random.normal(key, (r * D,), dt)
    return {"A": A.reshape(r, D)}


ENCODER = Encoder(name="linear", params=("A",), init=init, encode=lambda enc, x, c, s, t: x @ enc["A"].T,
                  features=lambda enc: enc["A"], doc="z = Ax (Bansal et al. 2024 §2)")
