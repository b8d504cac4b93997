"""Bansal et al. 2024: linear InfoNCE, SimSiam and CLIP on shared-covariance GMMs learn the Fisher subspace.

Setup (spec bansal2024 §1–§2): x ~ Σ_c π_c N(μ_c, Σ) in d = 20 with k = 4, cond(Σ) = κ = 100, mean pairwise
Mahalanobis distance Δ = 3; positives share the anchor's component except with probability δ; encoder
f(x) = Ax, A ∈ ℝ^{r×d} unconstrained; Adam lr 1e-2 with cosine decay to 0, B = 512, float32.
Methods: ``infonce`` (dot product, τ = 1; cosine ablation), ``simsiam`` (predictor W, stop-gradient),
``clip`` (two towers on the §1.6 block model) and ``unimodal`` (InfoNCE on the block model's x with
augmentations sharing (c, e)). Modes: ``population`` (fresh pairs each step) and ``fixed`` (n pairs).
Final metrics are computed on the host in float64 by :func:`evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax.numpy as jnp
import numpy as np
import pandas as pd

from ...config import ConfigError, OptimConfig, RunConfig, Section, TrainConfig, param, positive
from ...engine.train import Problem
from ...losses.clip import clip
from ...losses.infonce import infonce
from ...losses.simsiam import simsiam
from ...plotting import figure_path
from ..paper import Experiment
from . import data as data_mod
from . import metrics as met
from . import model as model_mod
from . import theory as th
from .figures import LABELS, learning_curves

SEEDS = list(range(5))
METHODS = ("infonce", "simsiam", "clip", "unimodal")


@dataclass
class BansalLoss(Section):
    """Spec §2: the SSL objective; InfoNCE similarity dot (default) or cosine (ablation) and temperature τ."""

    name: Literal["infonce", "simsiam", "clip"] = param("infonce")
    similarity: Literal["dot", "cosine"] = param("dot", doc="InfoNCE similarity: dot (default) or cosine")
    tau: float = param(1.0, lane=True, check=positive, doc="temperature τ (1 default; 0.5 with cosine)")


@dataclass
class BansalConfig(RunConfig):
    """A Bansal et al. 2024 run: ``method`` infonce | simsiam | clip | unimodal, ``mode`` population | fixed."""

    method: Literal["infonce", "simsiam", "clip", "unimodal"] = param("infonce", doc="SSL method (spec §2)")
    mode: Literal["population", "fixed"] = param("population", doc="population: fresh pairs; fixed: n pairs (§1.4)")


def budget(method: str, mode: str, n: int | None = None) -> tuple[int, int]:
    """Spec §2 step budget and batch size: (steps, B)."""
    if mode == "fixed":
        return (2000, 256) if n is not None and n <= 2000 else (6000, 512)
    return {"infonce": 3000, "simsiam": 10_000, "clip": 20_000, "unimodal": 20_000}[method], 512


def base(method: str = "infonce", mode: str = "population") -> BansalConfig:
    """The spec's default configuration for one method and mode (spec §2, §8 defaults)."""
    block = method in ("clip", "unimodal")
    steps, B = budget(method, mode)
    data = data_mod.BansalData(structure="block" if block else "gmm", mode=mode)
    model = model_mod.BansalLinear(r=6 if block else 3, predictor=method == "simsiam", two_towers=method == "clip")
    loss = BansalLoss(name={"unimodal": "infonce"}.get(method, method))
    return BansalConfig(
        experiment="bansal2024", data=data, model=model, loss=loss,
        optim=OptimConfig(name="adam", lr=1e-2, schedule="cosine", b1=0.9, b2=0.999, eps=1e-8),
        train=TrainConfig(steps=steps, log_every=100, batch="online" if mode == "population" else "minibatch",
                          batch_size=B, dtype="float32", lane_block=len(SEEDS)),  # the default seeds: one block
        method=method, mode=mode,
    )


def _check(cfg: BansalConfig) -> None:
    if cfg.data.mode != cfg.mode:
        raise ConfigError(f"data.mode={cfg.data.mode} must match mode={cfg.mode} (set mode=...)")
    if cfg.method in ("clip", "unimodal") and cfg.mode != "population":
        raise ConfigError(f"method={cfg.method} supports mode=population only")
    if cfg.model.predictor != (cfg.method == "simsiam"):
        raise ConfigError("model.predictor must be true exactly for method=simsiam")


# --- reference subspaces (float64, host) ----------------------------------------------------------

def reference_subspaces(seed: int, data: data_mod.BansalData) -> dict[str, np.ndarray]:
    """The seed's reference bases: F (gmm; F_T under the transform), or F_sh/F_pr per modality (block)."""
    if data.structure == "block":
        out = {}
        for m in ("x", "y"):
            mod = data_mod.block_modality(seed, m, data.d_s, data.d_u, data.k, data.k_u, data.kappa, data.Delta)
            out.update(block_subspaces(mod, m))
        return out
    g = gmm_of(seed, data)
    return {"F": th.fisher_subspace(g.mu, g.Sigma, g.pi)}


def block_subspaces(mod: data_mod.Modality, m: str) -> dict[str, np.ndarray]:
    """§1.6: F^m_sh = Q_m[Σ_s⁻¹span{μ}; 0], F^m_pr = Q_m[0; Σ_u⁻¹span{ν}] and their sum."""
    ds = mod.d_s
    sh = mod.Q[:, :ds] @ th.fisher_subspace(mod.shared.mu, mod.shared.Sigma, mod.shared.pi)
    pr = mod.Q[:, ds:] @ th.fisher_subspace(mod.private.mu, mod.private.Sigma, mod.private.pi)
    return {f"F_sh_{m}": sh, f"F_pr_{m}": pr, f"F_both_{m}": th.orth(np.hstack([sh, pr]))}


def gmm_of(seed: int, data: data_mod.BansalData) -> data_mod.GMM:
    """The seed's GMM as the program sees it (transformed by T when data.transform=random)."""
    g = data_mod.gmm_params(seed, data.d, data.k, data.kappa, data.Delta)
    return g.transformed(data_mod.random_transform(seed, data.d, data.t_cond)) if data.transform == "random" else g


def _host_inputs(cfg: BansalConfig) -> dict[str, np.ndarray]:
    host = data_mod.host_arrays(int(cfg.seed), cfg.data)
    refs = reference_subspaces(int(cfg.seed), cfg.data)
    if cfg.data.structure == "block":
        host["U_ref"] = refs["F_sh_x"] if cfg.method == "clip" else refs["F_both_x"]
        host["U_pr"] = refs["F_pr_x"]
    else:
        host["U_ref"] = refs["F"]
    return host


# --- the engine problem ---------------------------------------------------------------------------

def problem(cfg: BansalConfig) -> Problem:
    """Assemble the pure pieces of a Bansal run for the engine."""
    _check(cfg)
    dt = jnp.float64 if cfg.train.dtype == "float64" else jnp.float32
    method, B = cfg.method, cfg.train.batch_size
    block = cfg.data.structure == "block"

    def init(key, c, host):
        params = model_mod.init(key, c.model, c.data.d, dt)
        if c.data.transform == "random":
            params["A"] = params["A"] @ host["Tinv"]  # claim 4: start from A₀T⁻¹
        return params

    def dataset(key, c, host):
        data = {k: host[k] for k in ("U_ref", "U_pr") if k in host}
        if c.data.mode == "fixed":
            data.update(x=host["x"], xp=host["xp"])
        return data

    def batch(key, c, data_, step):
        if block:
            return data_mod.sample_block(key, data_, B, unimodal=method == "unimodal")
        if c.data.mode == "fixed":
            return data_mod.minibatch_with_replacement(key, data_["x"], data_["xp"], B)
        return data_mod.sample_pairs(key, data_["mu"], data_["L"], B, c.data.delta)

    def objective(params, b, key, c):
        x, xp = b
        if method == "clip":
            return clip(model_mod.encode(params["A_x"], x), model_mod.encode(params["A_y"], xp), c.loss.tau)
        z, zp = model_mod.encode(params["A"], x), model_mod.encode(params["A"], xp)
        if method == "simsiam":
            W = params["W"]
            return simsiam(z @ W.T, zp @ W.T, z, zp)
        return infonce(z, zp, c.loss.tau, c.loss.similarity)

    def metrics(params, data_, c):
        A = params["A_x"] if method == "clip" else params["A"]
        out = {"err": met.sin_theta_max_jax(A, data_["U_ref"]), "normA": jnp.linalg.norm(A),
               "sigma1": jnp.linalg.norm(A, 2)}
        if "U_pr" in data_:
            out["E_pr"] = jnp.sum((A @ data_["U_pr"]) ** 2) / jnp.sum(A**2)
        return out

    # population mode needs μ and L in the program: pass them through the dataset dict.
    def dataset_all(key, c, host):
        data = dataset(key, c, host)
        for k in ("mu", "L", "mu_x", "nu_x", "L_x", "mu_y", "nu_y", "L_y"):
            if k in host:
                data[k] = host[k]
        return data

    return Problem(init=init, dataset=dataset_all, batch=batch, objective=objective, metrics=metrics,
                   host_inputs=_host_inputs)


# --- host-side evaluation of final parameters (float64) -------------------------------------------

def lane_params(results) -> list[tuple[int, dict, dict[str, np.ndarray]]]:
    """(seed, flat axis values, final params) per lane, in lane order."""
    lanes = results.lanes()
    P = results.params
    out = []
    for i, lane in enumerate(np.asarray(P["lane"])):
        row = lanes.loc[int(lane)]
        params = {k: np.asarray(v[i], np.float64) for k, v in P.items() if k != "lane"}
        out.append((int(row["seed"]), {k: row[k] for k in lanes.columns if k != "seed"}, params))
    return out


def data_config(results, axes: dict) -> data_mod.BansalData:
    """The data section of a stored run, with one lane's axis values applied."""
    c = dict(results.plan_config["config"]["data"])
    for k, v in axes.items():
        if k.startswith("data."):
            c[k[5:]] = v
    return data_mod.BansalData(**c)


def evaluate(results) -> pd.DataFrame:
    """Spec §5 subspace metrics of every lane's final params, in float64 (one row per lane)."""
    cfg = results.plan_config["config"]
    q = cfg["data"]["k"] - 1
    rows = []
    for seed, axes, P in lane_params(results):
        data = data_config(results, axes)
        refs = reference_subspaces(seed, data)
        row = {"seed": seed, **axes}
        if cfg["method"] == "clip":
            for m in ("x", "y"):
                A = P[f"A_{m}"]
                row[f"err_sh_{m}"] = met.sin_theta_max(refs[f"F_sh_{m}"], met.row_space(A, q))
                row[f"E_pr_{m}"] = met.energy_fraction(A, refs[f"F_pr_{m}"])
                row[f"E_sh_{m}"] = met.energy_fraction(A, refs[f"F_sh_{m}"])
        elif cfg["method"] == "unimodal":
            A = P["A"]
            row["E_pr_x"] = met.energy_fraction(A, refs["F_pr_x"])
            row["E_sh_x"] = met.energy_fraction(A, refs["F_sh_x"])
            row["err_both_x"] = met.sin_theta_max(refs["F_both_x"], met.row_space(A, A.shape[0]))
        else:
            A, U_F = P["A"], refs["F"]
            U = met.row_space(A, q)
            g = gmm_of(seed, data)
            row.update(err=met.sin_theta_max(U_F, U), proj=met.projection_distance(U_F, U),
                       err_mean=met.sin_theta_max(th.mean_span(g.mu, g.pi), U),
                       E_F=met.energy_fraction(A, U_F), normA=float(np.linalg.norm(A)),
                       sigma1=float(np.linalg.svd(A, compute_uv=False)[0]))
            for j, t in enumerate(met.trailing_ratios(A, q)):
                row[f"trail{j + 1}"] = float(t)
        rows.append(row)
    return pd.DataFrame(rows)


def setting_label(plan_config: dict) -> str:
    """A figure-title label, e.g. 'InfoNCE, population mode, κ=100, δ=0'."""
    c = plan_config["config"]
    swept = set(plan_config.get("axes", {}))  # a swept value is named per curve, not in the title
    names = {"infonce": "InfoNCE", "simsiam": "SimSiam", "clip": "CLIP", "unimodal": "unimodal InfoNCE"}
    parts = [names[c["method"]], f"{c['mode']} mode"]
    parts += [f"{sym}={c['data'][key]:g}" for key, sym in (("d", "d"), ("kappa", "κ"), ("delta", "δ"))
              if f"data.{key}" not in swept]
    if c["mode"] == "fixed" and "data.n" not in swept:
        parts.append(f"n={c['data']['n']}")
    return ", ".join(parts)


def figures(results) -> list[str]:
    """Learning curves of sin θ_max(U_A, reference) per non-seed setting of a run."""
    path = results.handle.figures_dir / "bansal2024_learning_curves.png"
    learning_curves(results.records, setting_label(results.plan_config), path, results.plan_config)
    return [str(figure_path(path))]


EXPERIMENT = Experiment(
    name="bansal2024",
    title="Bansal et al. 2024 — linear SSL on shared-covariance GMMs learns the Fisher subspace",
    base=base,
    problem=problem,
    presets=("method", "mode"),
    default_axes={"seed": SEEDS},
    figures=figures,
    labels=LABELS,
    setting=setting_label,
)
