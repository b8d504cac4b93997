"""What Tian 2023 offers to composition: the token/RF data model with its two views, and the per-RF encoder.

Data (spec §5): K receptive fields of one-hot tokens drawn from G patterns; view 2 re-draws ``aug_degree``
wildcard positions. ``recovery`` = loc_all (spec §5 Metrics; a flat encoder's weights are read per RF slice).
Encoder ``tian_rf``: the per-RF two-layer net of spec §5 (token data only).
"""

from __future__ import annotations

import jax

from ...config import ConfigError
from ..paper import DataModel, Encoder
from . import data as data_mod
from . import model as model_mod
from .experiment import TianData
from .metrics import loc_scores


def dataset(key, c, host, dt):
    """The patterns, the token embedding E and the token magnitudes of one seed (spec §5 Generator)."""
    D = c.data
    kp, ke = jax.random.split(key)
    _, patterns = data_mod.make_patterns(kp, D.num_tokens, D.num_loc, D.num_tokens_per_pos, D.pattern_cnt,
                                         D.pattern_len)
    return {"patterns": patterns, "E": data_mod.embedding(ke, D.num_tokens, D.d, dt),
            "mags": data_mod.magnitudes(D.num_tokens, D.mag_split, dt)}


def views(key, c, data, B, dt):
    _, t1, t2 = data_mod.sample_tokens(key, data["patterns"], B, c.data.num_tokens, c.data.aug_degree)
    x1 = data_mod.embed(t1, data["E"], data["mags"])
    return x1, (data_mod.embed(t2, data["E"], data["mags"]) if c.data.aug else x1)


def recovery(W, data, c):
    """loc_all and loc_other_all of the learned weights (per RF: (K, n, d); a flat (n, K·d) is sliced per RF)."""
    if W.ndim == 2:  # a flat encoder: neuron n's slice k is its weight on RF k
        n = W.shape[0]
        W = W.reshape(n, c.data.num_loc, c.data.dim).transpose(1, 0, 2)
    encoder = "tian_rf" if c.model.name == "auto" else c.model.name
    linear = encoder == "linear" or (encoder == "tian_rf" and c.model.activation == "linear")
    s = loc_scores(W, data["E"], data["patterns"], linear=linear)
    return {"recovery": s["loc_all"], "loc_all": s["loc_all"], "loc_other_all": s["loc_other_all"]}


DATA_MODEL = DataModel(
    name="tian2022", section=TianData, shape=lambda d: (d.num_loc, d.dim), default_r=lambda d: 50,
    own_encoder="tian_rf", views=views, recovery=recovery, dataset=dataset,
    noise_std=lambda d: (0.0, 0.0),  # one-hot tokens: no dense noise
    recovery_doc="loc_all: mean over RFs of the best node's normalised weight on each candidate token")


def init(key, c, shape, r, dt):
    K, d = shape
    return model_mod.init_two_layer(key, K, c.model.beta * c.data.num_tokens_per_pos, d, r, dt)


def check(c):
    if c.model.bn and c.train.batch_size < 2:
        raise ConfigError(f"model=tian_rf with model.bn=true normalises over the batch: train.batch_size must be >= 2, "
                          f"got {c.train.batch_size}")


ENCODER = Encoder(
    name="tian_rf", params=("W1", "W2"), init=init, check=check,
    encode=lambda enc, x, c, s, t: model_mod.two_layer(enc, x, act=c.model.activation, bn=c.model.bn),
    features=lambda enc: enc["W1"], needs_data="tian2022",
    doc="the per-RF two-layer net of Tian 2023 §5 (β·P nodes per RF, activation, BatchNormExt, linear top)")
