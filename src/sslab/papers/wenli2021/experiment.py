"""Wen & Li 2021: contrastive learning with masking views learns sparse features; without
augmentation it is drawn to the dense noise (spec wenli2021).

Setup (spec §1–§5): x = Mz + ξ, d = 32, d1 = 256, M column-orthonormal, p = ln ln d/d, σ_ξ² = √(ln d)/d;
complementary masking views x_a = 2Dx, x_b = 2(I − D)x (or the ``none`` / ``independent`` controls);
m = 128 soft-threshold neurons with the ramped bias b_i = κ_t s ‖w_i‖; symmetric stop-gradient InfoNCE
(τ = 1) + (λ/2)‖W‖²; online SGD, K = 256 fresh samples per step, η = 0.5, λ = 1e-3, T = 3000.
View modes are lane values (``data.augment``, ``data.independent``), so ``data.augment=1,0`` runs
masking and the no-augmentation control as lanes of one program sharing M, W⁽⁰⁾ and every z, ξ.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

from ...config import (ConfigError, OptimConfig, RunConfig, Section, TrainConfig, get_path, nonnegative, param,
                       positive, resolve, set_path)
from ...engine.train import Problem
from ...losses.infonce_sg import infonce_sg_wenli
from ..paper import Experiment
from . import data as data_mod
from . import metrics as met
from . import model as model_mod
from .figures import LABELS, training_curves

SEEDS = list(range(5))


@dataclass
class InfoNCESG(Section):
    """Spec §4: L = L_{a→b} + L_{b→a} + (λ/2)‖W‖_F², S_nk = ⟨F_a[n], sg F_b[k]⟩/τ."""

    name: Literal["infonce_sg_wenli"] = param("infonce_sg_wenli")
    tau: float = param(1.0, lane=True, check=positive, doc="temperature τ")
    similarity: Literal["dot", "cosine"] = param("dot", doc="dot: ⟨F_a, sg F_b⟩ (spec); cosine: normalised (ablation)")
    stop_grad: bool = param(True, doc="stop-gradient on the target view's embeddings")
    direction_combine: Literal["sum", "mean"] = param("sum", doc="sum (spec) or mean of the two directions")
    weight_decay: float = param(1e-3, lane=True, check=nonnegative, doc="λ in (λ/2)‖W‖_F² (not halved by mean)")


@dataclass
class WenLiConfig(RunConfig):
    """A Wen & Li 2021 run; the ``views`` preset sets the lane fields data.augment and data.independent."""

    views: Literal["complementary", "none", "independent"] = param(
        "complementary", doc="spec §2 view mode (preset: sets data.augment, data.independent; sweep those as lanes)")


def base(views: str = "complementary") -> WenLiConfig:
    """The spec's documented default model (§1–§5, §9) for one view mode."""
    return WenLiConfig(
        experiment="wenli2021",
        data=data_mod.WenLiData(**data_mod.VIEWS[views]),
        model=model_mod.WenLiNet(),
        loss=InfoNCESG(),
        optim=OptimConfig(name="gd", lr=0.5),
        train=TrainConfig(steps=3000, log_every=100, batch="online", batch_size=256, dtype="float32", lane_block=5),
        views=views,
    )


def width(cfg: RunConfig) -> int:
    """m, default 4d (spec §3)."""
    return cfg.model.m or 4 * cfg.data.d


def _dtype(cfg: RunConfig):
    return jnp.float64 if cfg.train.dtype == "float64" else jnp.float32


def _check(cfg: RunConfig) -> None:
    if cfg.train.batch != "online":
        raise ConfigError("train.batch: wenli2021 draws fresh samples every step; use train.batch=online")
    if cfg.optim.name != "gd":
        raise ConfigError("optim.name: wenli2021 uses plain online SGD (optim.name=gd); λ is loss.weight_decay")


def view_objective(params, Xa, Xb, step, view_std, c, loss_fn, T: int, dt):
    """Spec §3–§4: symmetric-ReLU features of both views (bias from the schedule or learned), InfoNCE + λ/2‖W‖²."""
    W = params["W"]
    if c.model.bias_rule == "learned":
        ba = bb = params["b"]
    else:
        kap = model_mod.kappa(step.astype(dt), c.model, T)
        s_a, s_b = view_std
        ba, bb = model_mod.bias(W, kap, s_a), model_mod.bias(W, kap, s_b)
    Fa, Fb = model_mod.encode(W, Xa, ba), model_mod.encode(W, Xb, bb)
    L = loss_fn(Fa, Fb, c.loss.tau, stop_grad=c.loss.stop_grad, similarity=c.loss.similarity,
                combine=c.loss.direction_combine)
    return L + 0.5 * c.loss.weight_decay * jnp.sum(W**2)


def problem(cfg: RunConfig) -> Problem:
    """Assemble the pure pieces of a Wen & Li run for the engine (spec §1–§5)."""
    _check(cfg)
    dt = _dtype(cfg)
    T = cfg.train.steps
    K = cfg.train.batch_size
    loss_fn = infonce_sg_wenli

    def host_inputs(c):
        return data_mod.host_inputs(int(c.seed), c.data)

    def init(key, c, host):
        return model_mod.init(key, dataclasses.replace(c.model, m=width(c)), c.data.d1, dt)

    def dataset(key, c, host):
        return {"M": host["M"], "A": host["A"]}

    def batch(key, c, data, step):
        k_x, k_mask = jax.random.split(key)
        X = data_mod.sample(k_x, c.data, data["M"], data["A"], K, dt)["X"]
        Xa, Xb = data_mod.views(k_mask, X, c.data)
        return {"Xa": Xa, "Xb": Xb, "t": step}

    def objective(params, b, key, c):
        return view_objective(params, b["Xa"], b["Xb"], b["t"], data_mod.view_noise_std(c.data), c, loss_fn, T, dt)

    def metrics(params, data, c):
        return met.neuron_metrics(params["W"], data["M"])

    def project(params, c):
        return {**params, "b": jnp.maximum(params["b"], 0.0)} if "b" in params else params

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=host_inputs, project=project if cfg.model.bias_rule == "learned" else None)


# --- post-hoc evaluation (spec §6) ----------------------------------------------------------------

def lane_config(results, lane: int, template: RunConfig | None = None) -> RunConfig:
    """The resolved config of one lane of a stored run (``template`` or the base config, plus the lane's axis values)."""
    c = results.plan_config["config"]
    cfg = _from_dict(template if template is not None else base(c["views"]), c)
    for col, v in results.lanes().loc[lane].items():
        old = get_path(cfg, col)
        cfg = set_path(cfg, col, int(v) if col == "seed" else (type(old)(v) if old is not None else v))
    return resolve(cfg)


def _from_dict(cfg, d: dict):
    """Rebuild a config from its stored dict (same section types as ``cfg``)."""
    changes = {}
    for f in dataclasses.fields(cfg):
        v = getattr(cfg, f.name)
        if dataclasses.is_dataclass(v):
            changes[f.name] = _from_dict(v, d[f.name])
        elif f.name in d:
            changes[f.name] = d[f.name]
    return dataclasses.replace(cfg, **changes)


def final_weights(results, lane: int) -> np.ndarray:
    """Final W (d1×m) of one lane."""
    idx = int(np.flatnonzero(results.params["lane"] == lane)[0])
    return np.asarray(results.params["W"][idx], np.float64)


def evaluate_lane(results, lane: int, n_tr: int = 4000, n_te: int = 2000) -> dict:
    """Spec §6 on the final W of one lane: per-feature coverage, ρ, PR, ‖w‖ and downstream R² (f and raw x)."""
    cfg = lane_config(results, lane)
    M = data_mod.dictionary(cfg.seed, cfg.data.d, cfg.data.d1)
    W = final_weights(results, lane)
    c = np.asarray(met.cosines(W, M))
    X, Z = data_mod.eval_samples(cfg.seed, M, cfg.data.p, cfg.data.sigma_xi, n_tr + n_te)
    kap = 0.0 if cfg.model.bias_rule == "zero" else cfg.model.kappa_max
    F = met.representation(W, X, kap, cfg.data.sigma_xi)
    return {
        "seed": cfg.seed, "coverage": np.asarray(met.coverage(c)), "rho": np.asarray(met.feature_mass(c)),
        "pr": np.asarray(met.participation_ratio(c)), "wnorm": np.linalg.norm(W, axis=0),
        "r2": met.ridge_r2(F[:n_tr], Z[:n_tr], F[n_tr:], Z[n_tr:]),
        "r2_raw": met.ridge_r2(X[:n_tr], Z[:n_tr], X[n_tr:], Z[n_tr:]),
    }


def setting_label(cfg: dict) -> str:
    """A figure-title label, e.g. 'd=32, d1=256, m=128, complementary views, ramp bias'."""
    c = cfg["config"]
    d = c["data"]["d"]
    d1 = c["data"]["d1"] or 8 * d
    m = c["model"]["m"] or 4 * d
    return f"d={d}, d1={d1}, m={m}, {c['views']} views, {c['model']['bias_rule']} bias"


def figures(results) -> list[str]:
    """Training curves (median ρ, coverage, ‖w‖) per lane group of a run."""
    path = training_curves(results.records, results.handle.figures_dir / "wenli2021_training.png",
                           setting=setting_label(results.plan_config))
    return [str(path)]


EXPERIMENT = Experiment(
    name="wenli2021",
    title="Wen & Li 2021 — feature decoupling by masking augmentation (sparse coding)",
    base=base,
    problem=problem,
    presets=("views",),
    default_axes={"seed": SEEDS},
    figures=figures,
    labels=LABELS,
    setting=setting_label,
)
