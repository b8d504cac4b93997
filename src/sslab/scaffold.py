"""``sslab new paper NAME``: a minimal, working paper plugin to start from.

The package it writes is a complete paper of the lab's shape (docs/ENGINE.md, docs/PLUGINS.md): a
``pyproject.toml`` declaring the entry point ``sslab.papers``, one data model, one experiment, one closed-form
theory object, one claim, one figure and one test. ``pip install -e DIR/NAME`` makes ``sslab check NAME``
pass out of the box; then replace the toy (gradient descent on ½(m − x)² finds the sample mean) with your
paper. It imports only public sslab names.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")

_FILES: dict[str, str] = {
    "pyproject.toml": '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "__DIST__"
version = "0.1.0"
description = "__NAME__: a paper plugin for sslab"
requires-python = ">=3.11"
dependencies = ["sslab"]

# sslab finds the paper through this entry point: name = "module:attribute of its sslab.papers.Paper"
[project.entry-points."sslab.papers"]
__NAME__ = "__NAME__:PAPER"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
''',
    "README.md": '''# __NAME__ — an sslab paper plugin

`pip install -e .` declares the paper to sslab (entry point `sslab.papers`); then `sslab list` shows it,
`sslab check __NAME__` runs its claims and `python -m pytest -q` its tests. Start by replacing the toy in
`src/__NAME__/` with your paper: setup (config, data model, model, engine problem), theory, claims, figures.
''',
    "src/__NAME__/__init__.py": '''"""__NAME__: gradient descent on ½(m − x)² converges geometrically to the sample mean (a template paper).

The whole paper in one folder: :mod:`.setup` (config sections, data model, model, the engine problem, the
experiment), :mod:`.theory` (the closed-form trajectory), :mod:`.claims`, :mod:`.figures`. It imports only
public sslab names (sslab.config, sslab.engine, sslab.losses, sslab.papers, sslab.plotting).
"""

from sslab.papers import Paper

from . import claims, setup

PAPER = Paper(
    name="__NAME__",
    title="__NAME__ — gradient descent on the squared loss finds the sample mean",
    summary="GD with step η on L(m) = (1/2n) Σ (m − x_i)² moves m_t − x̄ by the factor (1 − η) each step.",
    experiments=(setup.EXPERIMENT,),
    claims=tuple(claims.CLAIMS),
    figures=claims.figures,
)
''',
    "src/__NAME__/setup.py": '''"""Setup: x_i ~ N(μ, σ²), i = 1..n; one scalar parameter m; L(m) = (1/2n) Σ (m − x_i)², full-batch GD."""

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

    name: Literal["__NAME___gauss"] = param("__NAME___gauss")
    n: int = param(50, check=positive, doc="number of points")
    mu: float = param(2.0, lane=True, doc="mean μ")
    sigma: float = param(1.0, lane=True, check=positive, doc="standard deviation σ")


@dataclass
class Model(Section):
    """One scalar m, started at m₀."""

    name: Literal["__NAME___scalar"] = param("__NAME___scalar")
    m0: float = param(0.0, lane=True, doc="initial value m₀")


@dataclass
class Loss(Section):
    """L(m) = (1/2n) Σ (m − x_i)²."""

    name: Literal["half_squared"] = param("half_squared")


def base() -> RunConfig:
    """The default run: 4 seeds as lanes of one block, η = 0.1, 60 steps."""
    return RunConfig(experiment="__NAME__", data=Data(), model=Model(), loss=Loss(),
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
    path = results.handle.figures_dir / "__NAME___trajectory.png"
    return [str(trajectory(results.records, path, c["model"]["m0"], c["optim"]["lr"]))]


EXPERIMENT = Experiment(name="__NAME__", title="__NAME__ — GD finds the sample mean", base=base,
                        problem=problem, default_axes={"seed": SEEDS}, figures=figures)
''',
    "src/__NAME__/theory.py": '''"""Closed form: m_t = x̄ + (m₀ − x̄)(1 − η)^t for GD with step η on L(m) = (1/2n) Σ (m − x_i)²."""

import numpy as np


def trajectory(m0: float, xbar: float, lr: float, steps) -> np.ndarray:
    return xbar + (m0 - xbar) * (1.0 - lr) ** np.asarray(steps, float)
''',
    "src/__NAME__/claims.py": '''"""Claim T1: the simulated trajectory follows the closed form on every seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sslab.papers import Claim, Context, Row
from sslab.papers.rows import per_seed

from . import theory
from .figures import trajectory


def run(ctx: Context):
    return ctx.run("__NAME__", ["train.steps=20"] if ctx.quick else [])


def t1(ctx: Context) -> list[Row]:
    r = run(ctx)
    c = r.plan_config["config"]
    worst = {}
    for seed, g in r.records.groupby("seed"):
        m = g[g.metric == "m"].sort_values("step")
        xbar = float(g[g.metric == "xbar"].value.iloc[0])
        pred = theory.trajectory(c["model"]["m0"], xbar, c["optim"]["lr"], m.step.to_numpy())
        worst[int(seed)] = float(np.max(np.abs(m.value.to_numpy() - pred)))
    return [per_seed("T1", "max_t |m_t − closed form| (float32 GD vs float64 theory)", worst, "<", 1e-4)]


CLAIMS = [Claim("T1", "__NAME__", "GD follows the closed-form trajectory to the sample mean", t1, seeds="0–3")]


def figures(ctx: Context, outdir) -> list[Path]:
    """The check report's figure, drawn from the claim's run."""
    r = run(ctx)
    c = r.plan_config["config"]
    return [trajectory(r.records, Path(outdir) / "__NAME___trajectory.png", c["model"]["m0"], c["optim"]["lr"])]
''',
    "src/__NAME__/figures.py": '''"""The paper's figure: m_t over steps, every seed, with the closed form."""

from __future__ import annotations

from sslab.plotting import THEORY_COLOR, new_figure, save, style, suptitle

from . import theory


def trajectory(records, path, m0: float, lr: float):
    with style():
        fig, axes = new_figure(1, 1)
        ax = axes[0, 0]
        for seed, g in records.groupby("seed"):
            m = g[g.metric == "m"].sort_values("step")
            xbar = float(g[g.metric == "xbar"].value.iloc[0])
            ax.plot(m.step, m.value, "o", ms=3, label=f"seed {seed} (simulation)")
            ax.plot(m.step, theory.trajectory(m0, xbar, lr, m.step), color=THEORY_COLOR, lw=0.8,
                    label="closed form" if seed == records.seed.min() else None)
        ax.set_xlabel("GD step t")
        ax.set_ylabel("$m_t$")
        ax.legend()
        suptitle(fig, f"__NAME__ — GD on ½(m − x)² (η = {lr:g}): simulation and closed form")
    return save(fig, path)
''',
    "tests/test___NAME__.py": '''"""__NAME__: the paper is found through its entry point, and its claims pass at quick size."""

import sslab
from sslab.papers import papers


def test_paper_is_declared():
    assert "__NAME__" in papers()


def test_claims_pass(tmp_path):
    results = sslab.check("__NAME__", size="quick", store=tmp_path)
    assert results and all(r.verdict == "PASS" for r in results), [r.rows for r in results]
''',
}


def check_name(name: str) -> str:
    """A paper name is a lower-case Python identifier (it is the package, entry-point and claim prefix)."""
    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ValueError(f"paper name {name!r}: use 2-41 lower-case letters, digits and _, starting with a letter")
    return name


def paper_files(name: str) -> dict[str, str]:
    """Relative path -> text of every file of the template plugin for paper ``name``."""
    check_name(name)
    fill = lambda s: s.replace("__DIST__", f"sslab-{name.replace('_', '-')}").replace("__NAME__", name)  # noqa: E731
    return {fill(path): fill(text) for path, text in _FILES.items()}


def write_paper(name: str, directory: str | Path = ".") -> Path:
    """Write the template plugin into ``directory/name`` (which must not exist); returns that folder."""
    root = Path(directory) / check_name(name)
    if root.exists():
        raise FileExistsError(f"{root} already exists; choose another --dir or name")
    files = paper_files(name)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
