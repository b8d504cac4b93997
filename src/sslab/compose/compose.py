"""Composition (issue 11): any data model of the four papers × any encoder × any loss of the zoo.

``sslab run compose data=wenli2021 model=symrelu loss=vicreg`` trains one encoder on one paper's data
model, with that data model's own views, under any loss of the zoo or of a plugin (``sslab.losses`` entry points), and logs the data model's own
feature-recovery metrics whatever the loss, plus collapse diagnostics on a fixed probe batch.

Data models and encoders are what the registered papers offer (``Paper.data_models``, ``Paper.encoders``);
this module never reaches into a paper's internals. Data (the papers' own sections, generators and views;
``data=NAME``):
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
from importlib.metadata import entry_points
from typing import Any, Callable, Literal

import jax
import jax.numpy as jnp
import numpy as np

from ..config import (ConfigError, OptimConfig, RunConfig, Section, TrainConfig, in_range, nonnegative, param,
                      positive)
from ..engine.train import Problem
from ..losses.byol import ema_update
from ..losses.zoo import VIEW_LOSSES, ViewLoss
from ..papers import DataModel, Encoder, Experiment, papers
from ..plotting import save
from .diagnostics import diagnostics

SEEDS = list(range(3))
PROBE = 256  # size of the fixed probe batch of the diagnostics


# --- what the papers offer ------------------------------------------------------------------------

class _Table(dict):
    """name -> item; an unknown name is a KeyError listing the valid names."""

    def __init__(self, kind: str, items: dict):
        super().__init__(items)
        self.kind = kind

    def __missing__(self, name: str) -> Any:
        raise KeyError(f"unknown {self.kind} {name!r}; valid choices: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return sorted(self)


LOSS_GROUP = "sslab.losses"
_PLUGIN_LOSSES: dict[str, ViewLoss] = {}
LOSS_PROBLEMS: list[str] = []


def view_losses() -> _Table:
    """The two-view losses composition can train: the zoo (``sslab.losses.zoo``) and every ``ViewLoss`` a
    distribution declares in the entry-point group ``sslab.losses`` (``name = "module:attribute"``). A plugin
    loss needs hyper-parameters one of :data:`LOSS_SECTIONS` covers; a broken one is left out with a problem line."""
    if not _PLUGIN_LOSSES and not LOSS_PROBLEMS:
        for ep in entry_points(group=LOSS_GROUP):
            try:
                vl = ep.load()
                if not isinstance(vl, ViewLoss):
                    raise TypeError(f"{ep.value} is a {type(vl).__name__}, not a sslab.losses.zoo.ViewLoss")
                if vl.name in VIEW_LOSSES:
                    raise ValueError(f"the name {vl.name!r} is taken by the loss zoo")
                hyper = set(vl.hyper) | ({"ema_m"} if vl.target == "ema" else set())
                if frozenset(hyper) not in LOSS_SECTIONS:
                    raise ValueError(f"no config section for hyper-parameters {sorted(hyper)}; use one of "
                                     + "; ".join(str(sorted(k)) for k in LOSS_SECTIONS))
                _PLUGIN_LOSSES[vl.name] = vl
            except Exception as e:  # noqa: BLE001 - a broken plugin loss must not break composition
                LOSS_PROBLEMS.append(f"loss {ep.name!r} ({ep.value}) is left out: {type(e).__name__}: {e}")
    return _Table("two-view loss", {**VIEW_LOSSES, **_PLUGIN_LOSSES})


def data_models() -> _Table:
    """Every data model a registered paper offers to composition, by name."""
    return _Table("compose data model", {dm.name: dm for p in papers().values() for dm in p.data_models})


def encoders() -> _Table:
    """Every encoder a registered paper offers to composition, by name."""
    return _Table("model", {e.name: e for p in papers().values() for e in p.encoders})


def adapter(data_name: str) -> DataModel:
    """The data model of a data section by its ``name`` (e.g. ``tian2022_tokens``) or its key (``tian2022``)."""
    table = data_models()
    for key, dm in table.items():
        if data_name in (key, dm.section().name):
            return dm
    return table[data_name]  # raises with the valid choices


# --- config sections ------------------------------------------------------------------------------

@dataclass
class ComposeModel(Section):
    """The encoder of a composed run (module docstring): linear | yang | symrelu | tian_rf, or auto."""

    name: str = param("auto", doc="auto: the data model's own (yang2024: yang, wenli2021: symrelu, bansal2024: linear, "
                                  "tian2022: tian_rf); or any encoder a paper offers")
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
    return adapter(c.data.name).own_encoder if c.model.name == "auto" else c.model.name


# A zoo loss's section holds its hyper-parameters as lane fields; one class per set of hyper-parameters,
# with the loss's own defaults filled in when the section is made (:func:`loss_section`).

@dataclass
class PlainLoss(Section):
    """A zoo loss without hyper-parameters."""

    name: str = param("alignment", doc="zoo loss")


@dataclass
class TemperatureLoss(Section):
    """A zoo loss with a temperature τ."""

    name: str = param("infonce", doc="zoo loss")
    tau: float = param(1.0, lane=True, check=positive, doc="temperature τ")


@dataclass
class EMATargetLoss(Section):
    """A zoo loss with an exponential-moving-average target encoder."""

    name: str = param("byol", doc="zoo loss")
    ema_m: float = param(0.99, lane=True, check=in_range(0.0, 1.0), doc="EMA momentum m of the target encoder")


@dataclass
class BarlowTwinsLoss(Section):
    """Barlow Twins' off-diagonal weight λ."""

    name: str = param("barlow_twins", doc="zoo loss")
    lam: float = param(5e-3, lane=True, doc="off-diagonal weight λ")


@dataclass
class VICRegLoss(Section):
    """VICReg's invariance, variance and covariance weights."""

    name: str = param("vicreg", doc="zoo loss")
    lam: float = param(25.0, lane=True, doc="invariance weight λ")
    mu: float = param(25.0, lane=True, doc="variance weight μ")
    nu: float = param(1.0, lane=True, doc="covariance weight ν")


LOSS_SECTIONS: dict[frozenset, type] = {
    frozenset(): PlainLoss, frozenset({"tau"}): TemperatureLoss, frozenset({"ema_m"}): EMATargetLoss,
    frozenset({"lam"}): BarlowTwinsLoss, frozenset({"lam", "mu", "nu"}): VICRegLoss,
}


def loss_section(name: str) -> Section:
    """The config section of zoo loss ``name`` with its own hyper-parameter defaults."""
    vl = view_losses()[name]
    hyper = dict(vl.hyper)
    if vl.target == "ema":
        hyper["ema_m"] = 0.99
    cls = LOSS_SECTIONS.get(frozenset(hyper))
    if cls is None:
        raise KeyError(f"loss {name!r}: no config section for hyper-parameters {sorted(hyper)}")
    return cls(name=name, **{h: float(v) for h, v in hyper.items()})


@dataclass(frozen=True)
class SectionChoice:
    """Swaps a whole section by name (``data=NAME``, ``model=NAME``, ``loss=NAME``); lists its choices."""

    kind: Literal["data", "model", "loss"]

    def __call__(self, name: str) -> Section:
        if self.kind == "data":
            return data_models()[name].section()
        if self.kind == "loss":
            return loss_section(name)
        if name not in self.choices():
            raise KeyError(f"unknown model {name!r}; valid choices: {', '.join(self.choices())}")
        return ComposeModel(name=name)

    def choices(self) -> list[str]:
        return {"data": data_models().names, "model": lambda: ["auto", *encoders().names()],
                "loss": view_losses().names}[self.kind]()


SECTIONS = {k: SectionChoice(k) for k in ("data", "model", "loss")}


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
    return view_losses()[c.loss.name].needs_predictor if c.model.predictor is None else c.model.predictor


@functools.lru_cache(maxsize=None)
def _finite_on_one(name: str) -> bool:
    """Whether loss ``name`` is finite on a batch of one example (losses with batch statistics are not)."""
    z = jnp.array([[1.0, -0.5, 0.25]])
    with np.errstate(all="ignore"):
        return bool(np.isfinite(np.asarray(view_losses()[name](z, 0.5 * z, z, 0.5 * z))))


def check_compatible(c: RunConfig) -> None:
    """Reject a data × model × loss combination that cannot fit, with a one-line ConfigError (before compute)."""
    ad = adapter(c.data.name)
    model = _resolved_model(c)
    enc = encoders()[model]
    vl = view_losses()[c.loss.name]
    B = c.train.batch_size
    if c.train.batch != "online":
        raise ConfigError("train.batch: compose draws fresh views every step; use train.batch=online")
    if enc.needs_data is not None and ad.name != enc.needs_data:
        fitting = [e.name for e in encoders().values() if e.needs_data in (None, ad.name)]
        raise ConfigError(f"model={model} ({enc.doc.split(' (')[0]}) needs the inputs of data={enc.needs_data}, "
                          f"got data={ad.name}; valid models for data={ad.name}: auto, {', '.join(fitting)}")
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
    if vl.needs_predictor and c.model.predictor is False:
        raise ConfigError(f"loss={vl.name} needs a predictor head: set model.predictor=true (or leave it unset)")
    if vl.target == "ema" and c.optim.weight_decay != 0.0:
        raise ConfigError(f"loss={vl.name} keeps an EMA target that the optimiser must not touch: "
                          "set optim.weight_decay=0 (use model.l2 for the encoder)")
    enc.check(c)
    ad.check(c, output_dim(c))


# --- the engine problem ---------------------------------------------------------------------------

def problem(cfg: RunConfig) -> Problem:
    """Assemble data model, encoder (+ predictor, + EMA target) and zoo loss for the engine."""
    check_compatible(cfg)
    ad = adapter(cfg.data.name)
    enc_ = encoders()[_resolved_model(cfg)]
    vl = view_losses()[cfg.loss.name]
    dt = jnp.float64 if cfg.train.dtype == "float64" else jnp.float32
    names = enc_.params
    pred, ema = has_predictor(cfg), vl.target == "ema"
    B = cfg.train.batch_size

    def split(params):
        return {n: params[n] for n in names}

    def init(key, c, host):
        params = enc_.init(key, c, input_shape(c), output_dim(c), dt)
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

    def encode(enc, x, c, s, t):
        if enc_.needs_data is None:
            x = x.reshape(x.shape[0], -1)
        return enc_.encode(enc, x, c, s, t)

    def objective(params, b, key, c):
        s1, s2 = ad.noise_std(c.data)
        t = b["t"].astype(dt)
        enc = split(params)
        z1, z2 = encode(enc, b["x1"], c, s1, t), encode(enc, b["x2"], c, s2, t)
        p1, p2 = (z1 @ params["P"].T, z2 @ params["P"].T) if pred else (None, None)
        if ema:
            tgt = {n: jax.lax.stop_gradient(params[f"ema_{n}"]) for n in names}
            z1 = jax.lax.stop_gradient(encode(tgt, b["x1"], c, s1, t))
            z2 = jax.lax.stop_gradient(encode(tgt, b["x2"], c, s2, t))
        penalty = sum(jnp.sum(v**2) for v in enc.values())
        return vl(z1, z2, p1, p2, **hyper(c)) + c.model.l2 * penalty

    def metrics(params, data, c):
        enc = split(params)
        out = dict(ad.recovery(enc_.features(enc), data, c))
        s1, s2 = ad.noise_std(c.data)
        T = jnp.asarray(c.train.steps, dt)  # evaluation bias: the end of the ramp
        z1 = encode(enc, data["probe1"], c, s1, T)
        z2 = encode(enc, data["probe2"], c, s2, T)
        tau = getattr(c.loss, "tau", 1.0)
        out.update(diagnostics(z1, z2, contrastive=vl.contrastive, tau=tau, k=min(3, output_dim(c))))
        return out

    def project(params, c):
        online = split(params)
        target = ema_update({n: params[f"ema_{n}"] for n in names}, online, c.loss.ema_m)
        return {**params, **{f"ema_{n}": v for n, v in target.items()}}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=ad.host, project=project if ema else None)


# --- config ---------------------------------------------------------------------------------------

def base() -> ComposeConfig:
    """Yang's toy with InfoNCE (issue 11's first example); swap with data=, model=, loss=."""
    return ComposeConfig(
        experiment="compose", data=data_models()["yang2024"].section(), model=ComposeModel(),
        loss=loss_section("infonce"), optim=OptimConfig(name="adam", lr=1e-2),
        train=TrainConfig(steps=1000, log_every=100, batch="online", batch_size=256, dtype="float32"),
    )


def setting_label(plan_config: dict) -> str:
    """A figure-title label, e.g. 'data=wenli2021, model=symrelu, loss=vicreg, 1000 steps, B=256'."""
    c = plan_config["config"]
    model = c["model"]["name"]
    if model == "auto":
        model = f"{adapter(c['data']['name']).own_encoder} (auto)"
    return (f"data={c['data']['name']}, model={model}, loss={c['loss']['name']}, "
            f"{c['train']['steps']} steps, B={c['train']['batch_size']}")


#: readable names of the metrics composition logs (figure axes and legends; Results.plot)
LABELS = {"recovery": "feature recovery (1 = all found)", "diag_rankme": "RankMe (effective rank)",
          "diag_effective_rank": "effective rank", "diag_collapse_std": "std of normalised outputs (collapse → 0)",
          "diag_cov_eig0": "top covariance eigenvalue", "diag_cov_eig1": "2nd covariance eigenvalue",
          "diag_cov_eig2": "3rd covariance eigenvalue", "loss": "training loss"}


def figures(results) -> list[str]:
    """Recovery (and effective rank, when logged) over training: seed mean with its 95% CI band, seeds as lines."""
    metrics = ["recovery"] + [m for m in ("diag_rankme", "diag_effective_rank") if m in set(results.records.metric)][:1]
    fig = results.plot(metrics, title=f"Composition — recovery and effective rank: {setting_label(results.plan_config)}")
    return [str(save(fig, results.handle.figures_dir / "compose_curves.png"))]


EXPERIMENT = Experiment(
    name="compose",
    title="Composition — any data model × encoder × zoo loss, with the data model's recovery metrics",
    base=base, problem=problem, default_axes={"seed": SEEDS}, figures=figures, sections=SECTIONS,
    labels=LABELS, setting=setting_label,
)
