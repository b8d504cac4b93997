"""Composition (issue 11): any data model of the four papers × any encoder × any loss of the zoo.

``sslab run compose data=wenli2021 model=symrelu loss=vicreg`` trains one encoder on one paper's data
model, with that data model's own views, under any ``VIEW_LOSSES`` entry, and logs the data model's own
feature-recovery metrics whatever the loss, plus collapse diagnostics on a fixed probe batch.

Data (the papers' own sections, generators and views; ``data=NAME``):
- ``yang2024``: x = y·e1 + τ·z·e2 + ρ·ξ, views x + ρζ (spec yang2024 §2–§3).
  ``recovery`` = min(‖P e1‖, ‖P e2‖), P the projector on the top-2 right singular subspace of the
  learned input weights (= span(w1, w2) for the two-neuron model; spec yang2024 §6).
- ``wenli2021``: x = Mz + ξ, masking views (spec wenli2021 §1–§2). ``recovery`` = mean_j coverage_j,
  coverage_j = max_i |⟨w_i, M_j⟩|/‖w_i‖ (spec wenli2021 §6).
- ``bansal2024``: shared-covariance GMM pairs (x, x⁺) (spec bansal2024 §1, population mode).
  ``recovery`` = 1 − sin θ_max(U_W, F), U_W the top-(k−1) right singular subspace of the learned
  input weights, F the Fisher subspace (spec bansal2024 §5); principal-angle cosines are logged too.
- ``tian2022``: token/RF patterns and their two views (spec tian2022 §5). ``recovery`` = loc_all
  (spec tian2022 §5 Metrics; a flat model's weights are read per RF slice).
Every ``recovery`` lies in [0, 1], higher = better recovery of the data model's features.

Models (``model=NAME``; ``auto`` picks the data model's own): ``linear`` z = Ax (Bansal §2),
``yang`` z = σ(Wx) (Yang §3), ``symrelu`` soft thresholds with the ramped bias (Wen–Li §3), ``tian_rf``
the per-RF two-layer net (Tian §5, token data only). An identity-initialised linear predictor p = Pz
is added for losses that need one; ``target="ema"`` losses get an EMA copy of the encoder, updated
after every step ξ ← mξ + (1 − m)θ (m = ``loss.ema_m``). The objective is the loss plus
``model.l2``·‖θ‖² on the encoder weights; training is online (fresh samples every step).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any, Callable, Literal

import jax
import jax.numpy as jnp
import numpy as np

from ..config import (ConfigError, OptimConfig, RunConfig, Section, TrainConfig, in_range, nonnegative, param,
                      positive)
from ..data import bansal2024 as bansal_data
from ..data import tian2022 as tian_data
from ..data import wenli2021 as wenli_data
from ..data import yang2024 as yang_data
from ..losses.zoo import VIEW_LOSSES
from ..metrics import tian2022 as tian_met
from ..metrics import wenli2021 as wenli_met
from ..models import tian2022 as tian_model
from ..models import wenli2021 as wenli_model
from ..registry import EXPERIMENTS, Registry
from ..train.engine import Problem
from .base import Experiment
from .tian2022 import TianData

try:  # the collapse diagnostics land with the loss zoo (issue 11); runs work without them
    from ..metrics.diagnostics import diagnostics as _diagnostics
except ImportError:  # pragma: no cover - depends on the repository state
    _diagnostics = None

SEEDS = list(range(3))
PROBE = 256  # size of the fixed probe batch of the diagnostics
MODEL_NAMES = ("linear", "yang", "symrelu", "tian_rf")


# --- data adapters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataAdapter:
    """One paper's data model seen by composition: its section, views and recovery metrics."""

    name: str
    section: Callable[[], Section]
    shape: Callable[[Section], tuple[int, ...]]  # one example's input shape
    default_r: Callable[[Section], int]
    own_model: str
    views: Callable[..., tuple[jax.Array, jax.Array]]  # (key, cfg, data, B, dtype) -> (x1, x2)
    recovery: Callable[..., dict]  # (weights, data, cfg) -> {"recovery": ..., ...}
    noise_std: Callable[[Section], tuple]  # per-view dense-noise std per unit ‖w‖ (symrelu bias)
    recovery_doc: str
    host: Callable[[RunConfig], dict] | None = None
    dataset: Callable[..., dict] = lambda key, c, host, dt: {}
    check: Callable[[RunConfig], None] = lambda c: None


DATA_MODELS: Registry[DataAdapter] = Registry("compose data model")


def adapter(data_name: str) -> DataAdapter:
    """The adapter of a data section by its ``name`` (e.g. ``tian2022_tokens``) or registry key (``tian2022``)."""
    for key, a in DATA_MODELS.items():
        if data_name in (key, a.section().name):
            return a
    return DATA_MODELS[data_name]  # raises with the valid choices


def top_subspace(W: jax.Array, q: int) -> jax.Array:
    """Orthonormal basis (D, q) of the top-q right singular subspace of the neuron weights W (n, D)."""
    return jnp.linalg.svd(W, full_matrices=False)[2][:q].T


# Yang et al. 2024 (spec yang2024 §2–§3, §6)

def _yang_views(key, c, data, B, dt):
    kx, kz = jax.random.split(key)
    X = yang_data.sample(kx, c.data, B, dt)["X"]
    return yang_data.views(X, yang_data.augmentation_noise(kz, B, c.data.d, dt), c.data.rho)


def _yang_recovery(W, data, c):
    U = top_subspace(W, 2)
    Pe1, Pe2 = jnp.linalg.norm(U[0]), jnp.linalg.norm(U[1])
    return {"recovery": jnp.minimum(Pe1, Pe2), "Pe1": Pe1, "Pe2": Pe2}


def _yang_check(c):
    if c.data.rng != "jax":
        raise ConfigError("data.rng=official: compose draws its views with JAX; use data.rng=jax")
    if getattr(c.data, "augment", "full") != "full":
        raise ConfigError(f"data.augment={c.data.augment}: compose draws full views x + ρζ; use data.augment=full")


DATA_MODELS.register("yang2024", DataAdapter(
    name="yang2024", section=yang_data.YangData, shape=lambda d: (d.d,), default_r=lambda d: 2, own_model="yang",
    views=_yang_views, recovery=_yang_recovery, check=_yang_check,
    noise_std=lambda d: (math.sqrt(2) * d.rho, math.sqrt(2) * d.rho),  # data noise ρξ plus augmentation ρζ
    recovery_doc="min(‖P e1‖, ‖P e2‖), P on the top-2 right singular subspace of the learned weights"))


# Wen & Li 2021 (spec wenli2021 §1–§2, §6)

def _wenli_views(key, c, data, B, dt):
    kx, km = jax.random.split(key)
    X = wenli_data.sample(kx, c.data, data["M"], data["A"], B, dt)["X"]
    return wenli_data.views(km, X, c.data)


def _wenli_recovery(W, data, c):
    cos = wenli_met.cosines(W.T, data["M"])
    cov = wenli_met.coverage(cos)
    return {"recovery": jnp.mean(cov), "cov_min": jnp.min(cov), "cov_median": jnp.median(cov),
            "frac_covered": jnp.mean(cov > wenli_met.COVERED), "rho_median": jnp.median(wenli_met.feature_mass(cos))}


DATA_MODELS.register("wenli2021", DataAdapter(
    name="wenli2021", section=wenli_data.WenLiData, shape=lambda d: (d.d1,), default_r=lambda d: 4 * d.d,
    own_model="symrelu", views=_wenli_views, recovery=_wenli_recovery,
    noise_std=wenli_data.view_noise_std,
    host=lambda c: wenli_data.host_inputs(int(c.seed), c.data),
    dataset=lambda key, c, host, dt: {"M": host["M"], "A": host["A"]},
    recovery_doc="mean over features j of coverage_j = max_i |⟨w_i, M_j⟩|/‖w_i‖"))


# Bansal et al. 2024 (spec bansal2024 §1, §5)

def _bansal_host(c):
    from .bansal2024 import reference_subspaces
    host = bansal_data.host_arrays(int(c.seed), c.data)
    return {"mu": host["mu"], "L": host["L"], "U_F": reference_subspaces(int(c.seed), c.data)["F"]}


def _bansal_recovery(W, data, c):
    U_F = data["U_F"]
    U = top_subspace(W, U_F.shape[1])
    cos = jnp.clip(jnp.linalg.svd(U_F.T @ U, compute_uv=False), 0.0, 1.0)  # cosines of the principal angles
    err = jnp.sqrt(jnp.clip(1.0 - jnp.min(cos) ** 2, 0.0))  # sin θ_max
    return {"recovery": 1.0 - err, "err": err, "pa_cos_min": jnp.min(cos), "pa_cos_mean": jnp.mean(cos)}


def _bansal_check(c):
    d = c.data
    if d.structure != "gmm" or d.mode != "population" or d.transform != "none":
        raise ConfigError("data=bansal2024: compose uses the §1.1 GMM in population mode; set data.structure=gmm, "
                          "data.mode=population, data.transform=none")
    if output_dim(c) < d.k - 1:
        raise ConfigError(f"model.r={output_dim(c)} < k − 1 = {d.k - 1}: the learned subspace cannot hold the "
                          f"Fisher subspace of data=bansal2024; use model.r >= {d.k - 1}")


DATA_MODELS.register("bansal2024", DataAdapter(
    name="bansal2024", section=bansal_data.BansalData, shape=lambda d: (d.d,), default_r=lambda d: d.k - 1,
    own_model="linear",
    views=lambda key, c, data, B, dt: bansal_data.sample_pairs(key, data["mu"], data["L"], B, c.data.delta),
    recovery=_bansal_recovery, check=_bansal_check, host=_bansal_host,
    dataset=lambda key, c, host, dt: dict(host),
    noise_std=lambda d: (1.0, 1.0),  # det Σ = 1: unit geometric-mean noise std
    recovery_doc="1 − sin θ_max between the top-(k−1) right singular subspace of the weights and the Fisher subspace"))


# Tian 2023 (spec tian2022 §5)

def _tian_dataset(key, c, host, dt):
    D = c.data
    kp, ke = jax.random.split(key)
    _, patterns = tian_data.make_patterns(kp, D.num_tokens, D.num_loc, D.num_tokens_per_pos, D.pattern_cnt,
                                          D.pattern_len)
    return {"patterns": patterns, "E": tian_data.embedding(ke, D.num_tokens, D.d, dt),
            "mags": tian_data.magnitudes(D.num_tokens, D.mag_split, dt)}


def _tian_views(key, c, data, B, dt):
    _, t1, t2 = tian_data.sample_tokens(key, data["patterns"], B, c.data.num_tokens, c.data.aug_degree)
    x1 = tian_data.embed(t1, data["E"], data["mags"])
    return x1, (tian_data.embed(t2, data["E"], data["mags"]) if c.data.aug else x1)


def _tian_recovery(W, data, c):
    if W.ndim == 2:  # a flat model: neuron n's slice k is its weight on RF k
        n = W.shape[0]
        W = W.reshape(n, c.data.num_loc, c.data.dim).transpose(1, 0, 2)
    model = _resolved_model(c)
    linear = model == "linear" or (model == "tian_rf" and c.model.activation == "linear")
    s = tian_met.loc_scores(W, data["E"], data["patterns"], linear=linear)
    return {"recovery": s["loc_all"], "loc_all": s["loc_all"], "loc_other_all": s["loc_other_all"]}


DATA_MODELS.register("tian2022", DataAdapter(
    name="tian2022", section=TianData, shape=lambda d: (d.num_loc, d.dim), default_r=lambda d: 50,
    own_model="tian_rf", views=_tian_views, recovery=_tian_recovery, dataset=_tian_dataset,
    noise_std=lambda d: (0.0, 0.0),  # one-hot tokens: no dense noise
    recovery_doc="loc_all: mean over RFs of the best node's normalised weight on each candidate token"))


# --- config sections ------------------------------------------------------------------------------

@dataclass
class ComposeModel(Section):
    """The encoder of a composed run (module docstring): linear | yang | symrelu | tian_rf, or auto."""

    name: Literal["auto", "linear", "yang", "symrelu", "tian_rf"] = param(
        "auto", doc="auto: the data model's own (yang2024: yang, wenli2021: symrelu, bansal2024: linear, tian2022: tian_rf)")
    r: int | None = param(None, check=positive, doc="output dim / neurons (default: the data model's own)")
    d_in: int | None = param(None, check=positive, doc="expected input dim, checked against the data (default: the data's)")
    predictor: bool | None = param(None, doc="linear predictor p = Pz, P₀ = I (default: when the loss needs one)")
    init_scale: float | None = param(None, lane=True, check=positive,
                                     doc="flat models: W₀ ~ N(0, init_scale²/D) (default 0.1 symrelu, else 1)")
    l2: float = param(1e-3, lane=True, check=nonnegative, doc="l2·‖θ‖² on the encoder weights")
    bias_rule: Literal["ramp", "zero"] = param("ramp", doc="symrelu: b_i = κ_t s ‖w_i‖ (Wen–Li §3) or 0")
    kappa_max: float = param(2.5, lane=True, check=nonnegative, doc="symrelu: κ_max of the ramp")
    ramp_frac: float = param(1 / 3, lane=True, check=in_range(1e-9, 1.0), doc="symrelu: T_ramp = ramp_frac·T")
    activation: Literal["relu", "linear", "leakyrelu", "sigmoid", "quadratic"] = param("relu", doc="tian_rf: h")
    bn: bool = param(True, doc="tian_rf: BatchNormExt on the hidden layer")
    beta: int = param(5, check=positive, doc="tian_rf: nodes per RF = β·P")


def _resolved_model(c: RunConfig) -> str:
    return adapter(c.data.name).own_model if c.model.name == "auto" else c.model.name


def loss_section(name: str) -> type:
    """The config section of zoo loss ``name``: its hyper-parameters as lane fields (+ ema_m for EMA targets)."""
    cls_name = f"Loss_{name}"
    if cls_name in globals():
        return globals()[cls_name]
    vl = VIEW_LOSSES[name]
    fields: list[tuple] = [("name", Literal[name], param(name))]
    for h, v in vl.hyper.items():
        fields.append((h, float, param(float(v), lane=True, check=positive if h == "tau" else None,
                                       doc=f"{name} hyper-parameter {h}")))
    if vl.target == "ema":
        fields.append(("ema_m", float, param(0.99, lane=True, check=in_range(0.0, 1.0),
                                             doc="EMA momentum m of the target encoder")))
    cls = dataclasses.make_dataclass(cls_name, fields, bases=(Section,), namespace={"__doc__": vl.doc})
    cls.__module__, cls.__qualname__ = __name__, cls_name  # picklable by reference (process-pool sweeps)
    globals()[cls_name] = cls
    return cls


def __getattr__(attr: str) -> Any:  # a loss registered after import still unpickles
    if attr.startswith("Loss_") and attr[5:] in VIEW_LOSSES:
        return loss_section(attr[5:])
    raise AttributeError(attr)


for _name in VIEW_LOSSES.names():
    loss_section(_name)


def _section_factory(kind: str) -> Callable[[str], Section]:
    def make(name: str) -> Section:
        if kind == "data":
            return DATA_MODELS[name].section()
        if kind == "loss":
            return loss_section(name)()
        if name not in ("auto",) + MODEL_NAMES:
            raise KeyError(f"unknown model {name!r}; valid choices: auto, {', '.join(MODEL_NAMES)}")
        return ComposeModel(name=name)
    make.choices = lambda: {"data": DATA_MODELS.names(), "model": ["auto", *MODEL_NAMES],  # type: ignore[attr-defined]
                            "loss": VIEW_LOSSES.names()}[kind]
    return make


SECTIONS = {k: _section_factory(k) for k in ("data", "model", "loss")}


@dataclass
class ComposeConfig(RunConfig, Section):
    """A composed run; its ``check`` rejects data × model × loss combinations that cannot fit."""

    def check(self) -> None:
        check_compatible(self)

    def resolve(self) -> "ComposeConfig":
        """Fill the model's init scale once the model is known (0.1 for symrelu, Wen–Li §3; else 1)."""
        if self.model.init_scale is not None:
            return self
        scale = 0.1 if _resolved_model(self) == "symrelu" else 1.0
        return dataclasses.replace(self, model=dataclasses.replace(self.model, init_scale=scale))


def input_shape(c: RunConfig) -> tuple[int, ...]:
    """One example's input shape under the data model of ``c`` (resolved)."""
    return adapter(c.data.name).shape(c.data)


def output_dim(c: RunConfig) -> int:
    return c.model.r or adapter(c.data.name).default_r(c.data)


def has_predictor(c: RunConfig) -> bool:
    return VIEW_LOSSES[c.loss.name].needs_predictor if c.model.predictor is None else c.model.predictor


@functools.lru_cache(maxsize=None)
def _finite_on_one(name: str) -> bool:
    """Whether loss ``name`` is finite on a batch of one example (losses with batch statistics are not)."""
    z = jnp.array([[1.0, -0.5, 0.25]])
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.asarray(VIEW_LOSSES[name](z, 0.5 * z, z, 0.5 * z))))


def check_compatible(c: RunConfig) -> None:
    """Reject a data × model × loss combination that cannot fit, with a one-line ConfigError (before compute)."""
    ad = adapter(c.data.name)
    model = _resolved_model(c)
    vl = VIEW_LOSSES[c.loss.name]
    B = c.train.batch_size
    if c.train.batch != "online":
        raise ConfigError("train.batch: compose draws fresh views every step; use train.batch=online")
    flat_models = [m for m in MODEL_NAMES if m != "tian_rf"]
    if model == "tian_rf" and ad.name != "tian2022":
        raise ConfigError(f"model=tian_rf (per-RF two-layer net) needs token/RF inputs (data=tian2022), "
                          f"got data={ad.name}; valid models for data={ad.name}: auto, {', '.join(flat_models)}")
    shape = input_shape(c)
    D = math.prod(shape)
    if c.model.d_in is not None and c.model.d_in != D:
        raise ConfigError(f"model.d_in={c.model.d_in} does not match data={ad.name}, whose inputs have "
                          f"dimension {D} (shape {shape}); drop model.d_in or change the data's dimension")
    if vl.contrastive and B < 2:
        raise ConfigError(f"loss={vl.name} uses in-batch negatives: train.batch_size must be >= 2, got {B}")
    if B < 2 and not _finite_on_one(vl.name):
        raise ConfigError(f"loss={vl.name} needs batch statistics (not finite on one example): "
                          f"train.batch_size must be >= 2, got {B}")
    if model == "tian_rf" and c.model.bn and B < 2:
        raise ConfigError(f"model=tian_rf with model.bn=true normalises over the batch: train.batch_size must be >= 2, got {B}")
    if vl.needs_predictor and c.model.predictor is False:
        raise ConfigError(f"loss={vl.name} needs a predictor head: set model.predictor=true (or leave it unset)")
    if vl.target == "ema" and c.optim.weight_decay != 0.0:
        raise ConfigError(f"loss={vl.name} keeps an EMA target that the optimiser must not touch: "
                          "set optim.weight_decay=0 (use model.l2 for the encoder)")
    if ad.name == "yang2024" and output_dim(c) < 2:
        raise ConfigError(f"model.r={output_dim(c)}: data=yang2024 recovery needs two directions (e1, e2); use model.r >= 2")
    ad.check(c)


# --- encoders -------------------------------------------------------------------------------------

def _encoder_names(model: str) -> tuple[str, ...]:
    return {"linear": ("A",), "yang": ("W",), "symrelu": ("W",), "tian_rf": ("W1", "W2")}[model]


def init_encoder(key, c: RunConfig, model: str, dt) -> dict:
    """Encoder weights: N(0, init_scale²/D) for flat models (symrelu stores W as D×m, Wen–Li §3), Tian §5 init for tian_rf."""
    shape, r = input_shape(c), output_dim(c)
    D = math.prod(shape)
    if model == "tian_rf":
        K, d = shape
        return tian_model.init_two_layer(key, K, c.model.beta * c.data.num_tokens_per_pos, d, r, dt)
    W = c.model.init_scale / jnp.sqrt(D).astype(dt) * jax.random.normal(key, (r * D,), dt)
    return {"W": W.reshape(D, r)} if model == "symrelu" else {_encoder_names(model)[0]: W.reshape(r, D)}


def encode(enc: dict, x: jax.Array, c: RunConfig, model: str, s, t) -> jax.Array:
    """z = f(x) for a batch x (B, *shape); ``s`` the view's noise std and ``t`` the step (symrelu bias ramp)."""
    if model == "tian_rf":
        m = c.model
        return tian_model.two_layer(enc, x, act=m.activation, bn=m.bn)
    x = x.reshape(x.shape[0], -1)
    if model == "linear":
        return x @ enc["A"].T
    if model == "yang":
        return jax.nn.sigmoid(x @ enc["W"].T)
    b = wenli_model.bias(enc["W"], wenli_model.kappa(t, c.model, c.train.steps), s)
    return wenli_model.encode(enc["W"], x, b)


def features(enc: dict, model: str) -> jax.Array:
    """The learned input weights, one row per neuron (n, D); per-RF (K, n, d) for tian_rf."""
    return {"linear": lambda: enc["A"], "yang": lambda: enc["W"], "symrelu": lambda: enc["W"].T,
            "tian_rf": lambda: enc["W1"]}[model]()


def _ema_update(target: dict, online: dict, m) -> dict:
    try:
        from ..losses.byol import ema_update
    except ImportError:  # pragma: no cover - before the BYOL module lands
        return jax.tree_util.tree_map(lambda a, b: m * a + (1.0 - m) * b, target, online)
    return ema_update(target, online, m)


# --- the engine problem ---------------------------------------------------------------------------

def problem(cfg: RunConfig) -> Problem:
    """Assemble data ad, encoder (+ predictor, + EMA target) and zoo loss for the engine."""
    check_compatible(cfg)
    ad = adapter(cfg.data.name)
    model = _resolved_model(cfg)
    vl = VIEW_LOSSES[cfg.loss.name]
    dt = jnp.float64 if cfg.train.dtype == "float64" else jnp.float32
    names = _encoder_names(model)
    pred, ema = has_predictor(cfg), vl.target == "ema"
    B = cfg.train.batch_size

    def split(params):
        return {n: params[n] for n in names}

    def init(key, c, host):
        params = init_encoder(key, c, model, dt)
        if pred:
            params["P"] = jnp.eye(output_dim(c), dtype=dt)
        if ema:
            params.update({f"ema_{n}": params[n] for n in names})
        return params

    def dataset(key, c, host):
        k_data, k_probe = jax.random.split(key)
        data = ad.dataset(k_data, c, host, dt)
        data["probe1"], data["probe2"] = ad.views(k_probe, c, data, PROBE, dt)
        return data

    def batch(key, c, data, step):
        x1, x2 = ad.views(key, c, data, B, dt)
        return {"x1": x1, "x2": x2, "t": step}

    def hyper(c):
        return {h: getattr(c.loss, h) for h in vl.hyper}

    def objective(params, b, key, c):
        s1, s2 = ad.noise_std(c.data)
        t = b["t"].astype(dt)
        enc = split(params)
        z1, z2 = encode(enc, b["x1"], c, model, s1, t), encode(enc, b["x2"], c, model, s2, t)
        p1, p2 = (z1 @ params["P"].T, z2 @ params["P"].T) if pred else (None, None)
        if ema:
            tgt = {n: jax.lax.stop_gradient(params[f"ema_{n}"]) for n in names}
            z1 = jax.lax.stop_gradient(encode(tgt, b["x1"], c, model, s1, t))
            z2 = jax.lax.stop_gradient(encode(tgt, b["x2"], c, model, s2, t))
        penalty = sum(jnp.sum(v**2) for v in enc.values())
        return vl(z1, z2, p1, p2, **hyper(c)) + c.model.l2 * penalty

    def metrics(params, data, c):
        enc = split(params)
        out = dict(ad.recovery(features(enc, model), data, c))
        s1, s2 = ad.noise_std(c.data)
        T = jnp.asarray(c.train.steps, dt)  # evaluation bias: the end of the ramp
        z1 = encode(enc, data["probe1"], c, model, s1, T)
        z2 = encode(enc, data["probe2"], c, model, s2, T)
        if _diagnostics is not None:
            tau = getattr(c.loss, "tau", 1.0)
            out.update(_diagnostics(z1, z2, contrastive=vl.contrastive, tau=tau, k=min(3, output_dim(c))))
        return out

    def project(params, c):
        online = split(params)
        target = _ema_update({n: params[f"ema_{n}"] for n in names}, online, c.loss.ema_m)
        return {**params, **{f"ema_{n}": v for n, v in target.items()}}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=ad.host, project=project if ema else None)


# --- config ---------------------------------------------------------------------------------------

def base() -> ComposeConfig:
    """Yang's toy with InfoNCE (issue 11's first example); swap with data=, model=, loss=."""
    return ComposeConfig(
        experiment="compose", data=yang_data.YangData(), model=ComposeModel(), loss=loss_section("infonce")(),
        optim=OptimConfig(name="adam", lr=1e-2),
        train=TrainConfig(steps=1000, log_every=100, batch="online", batch_size=256, dtype="float32"),
    )


def setting_label(plan_config: dict) -> str:
    """A figure-title label, e.g. 'data=wenli2021, model=symrelu, loss=vicreg, 1000 steps, B=256'."""
    c = plan_config["config"]
    model = c["model"]["name"]
    if model == "auto":
        model = f"{adapter(c['data']['name']).own_model} (auto)"
    return (f"data={c['data']['name']}, model={model}, loss={c['loss']['name']}, "
            f"{c['train']['steps']} steps, B={c['train']['batch_size']}")


def figures(results) -> list[str]:
    """Recovery (and effective rank, when logged) over training, mean ± std over seeds."""
    from ..report.figures import save
    metrics = ["recovery"] + [m for m in ("diag_rankme", "diag_effective_rank") if m in set(results.records.metric)][:1]
    fig = results.plot(metrics, title=f"compose — {setting_label(results.plan_config)}")
    path = results.handle.figures_dir / "compose_curves.png"
    save(fig, path)
    return [str(path)]


EXPERIMENT = EXPERIMENTS.register("compose", Experiment(
    name="compose",
    title="Composition — any data model × encoder × zoo loss, with the data model's recovery metrics",
    base=base, problem=problem, default_axes={"seed": SEEDS}, figures=figures, sections=SECTIONS,
))
