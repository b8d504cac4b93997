"""Simon et al. 2023: the linear SSL model f(x) = Wx trained by full-batch GD from W(0) = α W̃ (spec simon2023).

Setup (spec §2–§4): n = 500 positive pairs in m = 16 dimensions, d = 4 embedding dimensions; loss ``method`` =
``barlow_twins`` (the paper's ‖C − I‖²_F, C = WΓWᵀ), ``simclr`` (NT-Xent, dot-product similarity) or ``vicreg``
(sslab.losses.vicreg). The pairs and W̃ are float64 NumPy draws from the seed, handed to the program as host
inputs; α (``model.init_scale``) is a lane field, so an α sweep × seeds is one compiled program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax.numpy as jnp
import numpy as np

from sslab.config import OptimConfig, RunConfig, Section, TrainConfig, param, positive
from sslab.engine import Problem, full_batch
from sslab.losses.vicreg import vicreg
from sslab.papers import Experiment

from . import data as data_mod
from .losses import barlow_twins_kernel, barlow_twins_linear, nt_xent_dot
from .model import LinearEmbedding, embed, initial_matrix

SEEDS = list(range(5))


@dataclass
class BarlowTwinsLinear(Section):
    """Spec §3: L = ‖C − I‖²_F; ``form`` kernel computes C = WΓWᵀ (equal to the pair form, tested)."""

    name: Literal["barlow_twins_linear"] = param("barlow_twins_linear")
    form: Literal["kernel", "pairs"] = param(
        "kernel", doc="kernel: C = WΓWᵀ with Γ formed once from the pairs; pairs: C from the n embedded pairs each step")


@dataclass
class SimCLRDot(Section):
    """Spec §3: SimCLR's NT-Xent over the 2n embedded views with dot-product similarity at temperature τ."""

    name: Literal["nt_xent_dot"] = param("nt_xent_dot")
    tau: float = param(1.0, lane=True, check=positive, doc="temperature τ")


@dataclass
class VICReg(Section):
    """Spec §3: VICReg (sslab.losses.vicreg) with the VICReg paper's weights λ = μ = 25, ν = 1."""

    name: Literal["vicreg"] = param("vicreg")
    lam: float = param(25.0, lane=True, check=positive, doc="invariance weight λ")
    mu: float = param(25.0, lane=True, check=positive, doc="variance weight μ")
    nu: float = param(1.0, lane=True, check=positive, doc="covariance weight ν")


@dataclass
class SimonConfig(RunConfig):
    """A Simon et al. 2023 run; ``method`` selects the loss and its GD protocol (spec §4)."""

    method: Literal["barlow_twins", "simclr", "vicreg"] = param(
        "barlow_twins", doc="barlow_twins: the paper's linear model; simclr, vicreg: the same model, other losses")


#: spec §4: (loss section, GD step η, steps T, log_every) per method; effective time t = η·step
PROTOCOL = {
    "barlow_twins": (BarlowTwinsLinear, 0.002, 6000, 5),
    "simclr": (SimCLRDot, 0.05, 600, 2),
    "vicreg": (VICReg, 0.001, 20000, 10),
}


def base(method: str = "barlow_twins") -> SimonConfig:
    """The spec's default configuration for one loss (spec §4)."""
    loss, lr, steps, log_every = PROTOCOL[method]
    return SimonConfig(
        experiment="simon2023",
        data=data_mod.GaussianPairs(),
        model=LinearEmbedding(),
        loss=loss(),
        optim=OptimConfig(name="gd", lr=lr),
        train=TrainConfig(steps=steps, log_every=log_every, batch="full", lane_block=len(SEEDS)),
        method=method,
    )


def host_inputs(cfg: SimonConfig) -> dict[str, np.ndarray]:
    """Per-lane float64 draws from the seed (spec §2, §4): the pairs, W̃, Γ and its top-d eigenmodes."""
    seed = int(cfg.seed)
    X1, X2 = data_mod.sample_pairs(seed, cfg.data)
    Gamma = data_mod.contrastive_kernel(X1, X2)
    g, V = data_mod.eigenmodes(Gamma)
    d = cfg.model.d
    return {"X1": X1, "X2": X2, "Gamma": Gamma, "Wt": initial_matrix(seed, cfg.model, X1, X2),
            "V": V[:, :d], "gamma": g[:d]}


def metrics(params: dict, data: dict, c: SimonConfig) -> dict:
    """Spec §6: eigenvalues λ_1 ≥ … ≥ λ_d of C = WΓWᵀ, mode strengths q_j = γ_j‖Wv_j‖², and ‖C − I‖²_F."""
    W = params["W"]
    C = W @ data["Gamma"] @ W.T
    lam = jnp.linalg.eigvalsh(C)[::-1]
    q = data["gamma"] * jnp.sum((W @ data["V"]) ** 2, axis=0)
    out = {f"lam{j + 1}": lam[j] for j in range(c.model.d)}
    out.update({f"q{j + 1}": q[j] for j in range(c.model.d)})
    out["L_bt"] = jnp.sum((C - jnp.eye(c.model.d, dtype=C.dtype)) ** 2)
    return out


def problem(cfg: SimonConfig) -> Problem:
    """The pure pieces of a Simon et al. 2023 run for the engine (spec §3–§4)."""
    method, form = cfg.method, getattr(cfg.loss, "form", "pairs")

    def objective(params, b, key, c):
        W = params["W"]
        if method == "barlow_twins" and form == "kernel":
            return barlow_twins_kernel(W, b["Gamma"])
        z1, z2 = embed(W, b["X1"]), embed(W, b["X2"])
        if method == "barlow_twins":
            return barlow_twins_linear(z1, z2)
        if method == "simclr":
            return nt_xent_dot(z1, z2, c.loss.tau)
        return vicreg(z1, z2, c.loss.lam, c.loss.mu, c.loss.nu)

    return Problem(
        init=lambda key, c, host: {"W": c.model.init_scale * host["Wt"]},
        dataset=lambda key, c, host: dict(host),
        batch=full_batch,
        objective=objective,
        metrics=metrics,
        host_inputs=host_inputs,
    )


def run_figures(results) -> list[str]:
    """A stored run's figures (spec §7): trajectories against the closed form, or the α-phase figure."""
    from .figures import run_figures as draw

    return [str(p) for p in draw(results.records, results.plan_config, results.handle.figures_dir)]


EXPERIMENT = Experiment(
    name="simon2023",
    title="Simon et al. 2023 — stepwise learning of a linear SSL model from small initialisation",
    base=base,
    problem=problem,
    presets=("method",),
    default_axes={"seed": SEEDS},
    figures=run_figures,
)

__all__ = ["EXPERIMENT", "SEEDS", "base", "problem", "host_inputs", "metrics"]
