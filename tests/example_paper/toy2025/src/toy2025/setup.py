"""Setup: x_i ~ N(μ, σ²), i = 1..n; one scalar parameter m; L(m) = (1/2n) Σ (m − x_i)², full-batch GD."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp

from sslab.config import OptimConfig, RunConfig, Section, TrainConfig, param, positive
from sslab.engine import Problem, full_batch
from sslab.papers import Experiment

from .figures import trajectory

SEEDS = list(range(4))


@dataclass
class Data(Section):
    """n points from N(μ, σ²)."""

    name: Literal["toy2025_gauss"] = param("toy2025_gauss")
    n: int = param(50, check=positive, doc="number of points")
    mu: float = param(2.0, lane=True, doc="mean μ")
    sigma: float = param(1.0, lane=True, check=positive, doc="standard deviation σ")


@dataclass
class Model(Section):
    """One scalar m, started at m₀."""

    name: Literal["toy2025_scalar"] = param("toy2025_scalar")
    m0: float = param(0.0, lane=True, doc="initial value m₀")


@dataclass
class Loss(Section):
    """L(m) = (1/2n) Σ (m − x_i)²."""

    name: Literal["half_squared"] = param("half_squared")


def base() -> RunConfig:
    """The default run: 4 seeds as lanes of one block, η = 0.1, 60 steps."""
    return RunConfig(experiment="toy2025", data=Data(), model=Model(), loss=Loss(),
                     optim=OptimConfig(name="gd", lr=0.1),
                     train=TrainConfig(steps=60, log_every=1, lane_block=len(SEEDS)))


def sample(key, c) -> dict:
    return {"x": c.data.mu + c.data.sigma * jax.random.normal(key, (c.data.n,))}


def problem(cfg: RunConfig) -> Problem:
    """The pure pieces the engine traces: init, dataset, batch, objective, logged metrics."""
    return Problem(
        init=lambda key, c, host: {"m": jnp.asarray(c.model.m0, jnp.float32)},
        dataset=lambda key, c, host: sample(key, c),
        batch=full_batch,
        objective=lambda p, b, key, c: 0.5 * jnp.mean((p["m"] - b["x"]) ** 2),
        metrics=lambda p, data, c: {"m": p["m"], "xbar": jnp.mean(data["x"])},
    )


def figures(results) -> list[str]:
    """The run's figure: m_t of every seed with the closed form."""
    c = results.plan_config["config"]
    path = results.handle.figures_dir / "toy2025_trajectory.png"
    return [str(trajectory(results.records, path, c["model"]["m0"], c["optim"]["lr"]))]


EXPERIMENT = Experiment(name="toy2025", title="toy2025 — GD finds the sample mean", base=base,
                        problem=problem, default_axes={"seed": SEEDS}, figures=figures)
