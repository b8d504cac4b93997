"""Yang et al. 2024: a 1-layer sigmoid SSL model learns the label feature e1 *and* the hidden feature e2;
supervised learning learns only e1 (spec yang2024).

Setup (spec §1–§4): x = y·e1 + τ·z·e2 + ρ·ξ in d = 10, n = d² points per seed, τ = 7, ρ = d^(−3/2).
SSL: f_W(x) = σ(Wx) with two neurons, two Gaussian views per point per step, loss
−(1/n)Σ⟨σ(Wx̃¹), σ(Wx̃²)⟩ + α‖W‖², full-batch GD, lr 0.1, T = 4000, initialisation condition 0 or 1.
SL: ŷ = σ(Fᵀσ(W x)), mean BCE + β‖W‖² + γ‖F‖², Gauss–Seidel GD (W then F), T = 8000.
Modes: ``paper`` (mean loss, lr 0.1, float32) and ``official`` (summed loss, η = 0.1/n — 0.001 at the
default n = 100 — scalar data noise, NumPy legacy RNG in the official draw order, float64).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

from ...config import ConfigError, OptimConfig, RunConfig, Section, TrainConfig, param
from ...engine.train import Problem, full_batch, minibatch, online
from ...losses.alignment import alignment
from ...losses.bce import bce_with_logits
from ...plotting import readable, save
from ..paper import Experiment
from . import data as data_mod
from . import model as model_mod
from .figures import LABELS, render_setting, sweep_figure
from .metrics import neuron_metrics, sl_metrics
from .official import official_draws
from .theory import ssl_minimiser

SEEDS = list(range(20))


@dataclass
class AlignmentLoss(Section):
    """Spec §3: −(1/n) Σ_i ⟨f(x̃_i^(1)), f(x̃_i^(2))⟩ (no negatives; regularisation lives in the model)."""

    name: Literal["alignment"] = param("alignment")


@dataclass
class BCELoss(Section):
    """Spec §3: mean BCE(σ(logit), t) of the supervised baseline."""

    name: Literal["bce"] = param("bce")


LOSS_FNS = {"alignment": alignment, "bce": bce_with_logits}


PAPER_LR = 0.1  # spec §1, §4: lr on the mean loss; official mode's η on the summed loss is PAPER_LR / n


@dataclass
class YangConfig(RunConfig, Section):
    """A Yang et al. 2024 run: ``method`` ssl | sl and ``mode`` paper | official (spec §4).

    Also a :class:`Section`, so that :meth:`resolve` sees the whole run: in official mode an unset ``optim.lr``
    becomes η = 0.1/n for the run's ``data.n`` (spec §4; 0.001 at n = 100); an explicit ``optim.lr=`` wins.
    """

    method: Literal["ssl", "sl"] = param("ssl", doc="ssl: two-neuron sigmoid SSL; sl: supervised baseline")
    mode: Literal["paper", "official"] = param(
        "paper", doc="paper: mean loss, lr 0.1; official: the scripts' summed loss, η = 0.1/n (0.001 at n = 100)")

    def resolve(self) -> "YangConfig":
        if self.optim.lr is None:
            lr = PAPER_LR / self.data.n if self.train.reduction == "sum" else PAPER_LR
            return replace(self, optim=replace(self.optim, lr=lr))
        return self


def _check(cfg: YangConfig) -> None:
    if cfg.data.rng == "official":
        if cfg.train.batch != "full":
            raise ConfigError("data.rng=official needs train.batch=full (the official scripts are full-batch)")
        if cfg.method == "ssl":
            size = cfg.train.steps * cfg.data.n * cfg.data.d * 2 * 8 * cfg.train.lane_block
            if size > 2 * 2**30:
                raise ConfigError(
                    f"data.rng=official pre-generates T·n·d·2 draws per lane ({size / 2**30:.1f} GiB per block); "
                    "lower train.steps or train.lane_block")
    if cfg.train.batch == "online" and cfg.train.batch_size == 0:
        raise ConfigError("train.batch=online needs train.batch_size > 0")


def base(method: str = "ssl", mode: str = "paper") -> YangConfig:
    """The spec's default configuration for one method and mode (spec §1, §4)."""
    ssl = method == "ssl"
    official = mode == "official"
    data = data_mod.YangData(noise="scalar" if official else "isotropic", rng="official" if official else "jax")
    train = TrainConfig(
        steps=4000 if ssl else 8000, log_every=1, batch="full",
        reduction="sum" if official else "mean",
        update_order="joint" if ssl else "gauss_seidel",
        dtype="float64" if official else "float32",
        # blocks sized to the default seed axis (no padded lanes in the default run); official mode keeps 8:
        # its host inputs hold T·n·d·2 pre-drawn normals per lane
        lane_block=8 if official else len(SEEDS),
    )
    return YangConfig(
        experiment="yang2024",
        data=data,
        model=model_mod.YangSSL() if ssl else model_mod.YangSL(),
        loss=AlignmentLoss() if ssl else BCELoss(),
        # official: lr unset, resolved to η = 0.1/n once data.n is known (YangConfig.resolve; spec §4)
        optim=OptimConfig(name="gd", lr=None if official else PAPER_LR),
        train=train,
        method=method,
        mode=mode,
    )


def _dtype(cfg: RunConfig):
    return jnp.float64 if cfg.train.dtype == "float64" else jnp.float32


def _host_inputs(cfg: YangConfig) -> dict[str, np.ndarray]:
    """Official RNG order: every draw made by NumPy's legacy RNG outside the program (spec §4)."""
    dr = official_draws(int(cfg.seed), method=cfg.method, condition=getattr(cfg.model, "condition", 0),
                        T=cfg.train.steps, d=cfg.data.d, n=cfg.data.n, tau=float(cfg.data.tau),
                        rho=float(cfg.data.rho), data_noise=cfg.data.noise)
    out = {k: dr[k] for k in ("W0", "F0", "X", "y", "z", "t")}
    out["zeta"] = np.ascontiguousarray(np.moveaxis(dr["zeta"], -1, 1))  # (T, n, d, 2) -> (T, 2, n, d)
    return out


def problem(cfg: YangConfig) -> Problem:
    """Assemble the pure pieces of a Yang run for the engine."""
    _check(cfg)
    official = cfg.data.rng == "official"
    dt = _dtype(cfg)
    ssl = cfg.method == "ssl"

    def init(key, c, host):
        if official:
            return {"W": host["W0"]} if ssl else {"W": host["W0"], "F": host["F0"]}
        if ssl:
            return model_mod.init_ssl(key, c.model, c.data.d, c.data.tau, dt)
        return model_mod.init_sl(key, c.model, c.data.d, dt)

    def dataset(key, c, host):
        if official:
            return {k: host[k] for k in ("X", "y", "z", "t", "zeta")}
        return data_mod.sample(key, c.data, c.data.n, dt)

    points = ("X", "y", "z", "t")
    if cfg.train.batch == "full":
        select = full_batch
    elif cfg.train.batch == "minibatch":
        select = minibatch(points)
    else:
        select = online(lambda key, c, size: data_mod.sample(key, c.data, size, dt))

    def batch(key, c, data, step):
        b = {k: v for k, v in select(key, c, data, step).items() if k in points}
        if ssl and c.data.augment == "full":
            n = b["X"].shape[0]
            b["zeta"] = data["zeta"][step] if official else data_mod.augmentation_noise(
                jax.random.fold_in(key, 1), n, c.data.d, dt)
        return b

    loss_fn = LOSS_FNS[cfg.loss.name]

    def objective(params, b, key, c):
        n = b["X"].shape[0]
        if ssl and c.data.augment == "projected":
            W = params["W"]
            value = data_mod.projected_alignment(W, b["X"], key, c.data.rho, loss_fn) + c.model.alpha * jnp.sum(W**2)
        elif ssl:
            x1, x2 = data_mod.views(b["X"], b["zeta"], c.data.rho)
            W = params["W"]
            value = loss_fn(model_mod.encode(W, x1), model_mod.encode(W, x2)) + c.model.alpha * jnp.sum(W**2)
        else:
            value = (loss_fn(model_mod.sl_logit(params, b["X"]), b["t"])
                     + c.model.beta * jnp.sum(params["W"] ** 2) + c.model.gamma * jnp.sum(params["F"] ** 2))
        return value * n if c.train.reduction == "sum" else value

    def metrics(params, data, c):
        if ssl:
            return neuron_metrics(params["W"], c.data.tau)
        return sl_metrics(params, data["X"], data["t"], c.data.tau)

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=_host_inputs if official else None,
                   param_groups=(("W",), ("F",)) if not ssl else None)




def setting_label(cfg: dict) -> str:
    """A figure-title label for a stored config dict, e.g. 'SSL, condition 0, isotropic noise'."""
    c = cfg["config"]
    parts = [c["method"].upper()]
    if c["method"] == "ssl":
        parts.append(f"condition {c['model']['condition']}")
    parts.append(f"{c['data']['noise']} noise")
    if c["mode"] == "official":
        parts.append("official mode")
    return ", ".join(parts)


def figures(results) -> list[str]:
    """Spec §6 figures of a run (learning curves, final scatter, projection histograms) per non-seed setting."""
    cfg = results.plan_config
    df = results.records
    axes = [a for a in cfg["axes"] if a != "seed"]
    label = setting_label(cfg)
    out = []
    groups = df.groupby(axes, sort=True) if axes else [((), df)]
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        suffix = "".join(f"_{a.split('.')[-1]}{v}" for a, v in zip(axes, key))
        extra = "".join(f", {readable(a, LABELS)} = {v:g}" if isinstance(v, (int, float)) else f", {v}"
                        for a, v in zip(axes, key))
        c = cfg["config"]
        tau = float(dict(zip(axes, key)).get("data.tau", c["data"]["tau"]))
        theory = None
        if c["method"] == "ssl":
            alpha = float(dict(zip(axes, key)).get("model.alpha", c["model"]["alpha"]))
            m = ssl_minimiser(tau=tau, alpha=alpha, d=int(c["data"]["d"]))
            theory = {"a_star": m.a, "b_star": m.b, "tau": tau}
        paths = render_setting(sub.assign(method=c["method"]), results.handle.figures_dir, f"yang2024_{c['method']}{suffix}",
                               title_setting=f"{label}{extra}", theory=theory)
        out += [str(p) for p in paths.values()]
    numeric = [a for a in axes if np.issubdtype(df[a].dtype, np.number)]
    if len(axes) == 1 and numeric:
        a = numeric[0]
        path = results.handle.figures_dir / f"yang2024_{c['method']}_sweep_{a.split('.')[-1]}.png"
        out.append(str(save(sweep_figure(df, a, c, label), path)))
    return out


EXPERIMENT = Experiment(
    name="yang2024",
    title="Yang et al. 2024 — nonlinear SSL learns the label and the hidden feature",
    base=base,
    problem=problem,
    presets=("method", "mode"),
    default_axes={"seed": SEEDS},
    figures=figures,
    labels=LABELS,
    setting=setting_label,
)
