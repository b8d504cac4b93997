"""Python API: run an experiment into the results store, read runs back, check claims.

Experiments are found by name among every registered paper's experiments and composition (``compose``).
"""

from __future__ import annotations

from typing import Any

from . import papers
from .check import ClaimResult, Context, run_claims, select
from .compose import compose
from .papers import Experiment
from .results import Results
from .runner import run_plan
from .store import RunStore


def experiments() -> dict[str, Experiment]:
    """Every runnable experiment by name: each registered paper's, then ``compose``."""
    return {**papers.experiments(), compose.EXPERIMENT.name: compose.EXPERIMENT}


def experiment(name: str) -> Experiment:
    """One experiment by name; a KeyError lists the valid names."""
    if name == compose.EXPERIMENT.name:
        return compose.EXPERIMENT
    try:
        return papers.experiment(name)
    except KeyError:
        raise KeyError(f"unknown experiment {name!r}; valid choices: {', '.join(sorted(experiments()))}") from None


def run(experiment_name: str, overrides: list[str] | dict[str, Any] = (), *, store: RunStore | str | None = None,
        name: str | None = None, progress: bool = False, figures: bool = True, executor: str = "inprocess",
        workers: int | None = None, address: str | None = None, blocks_per_chunk: int = 1,
        tags: tuple[str, ...] | list[str] = ()) -> Results:
    """Run ``experiment_name`` with ``key=value`` overrides; resumable, records written block by block.

    The run id is ``name`` or ``<experiment>-<hash of the plan>``, so the same command resumes an
    interrupted run (finished blocks are skipped) or returns a finished one without recomputing.
    ``executor`` is ``inprocess`` (default), ``local`` (a process pool of ``workers``) or ``ray``
    (the cluster at ``address``, or a local Ray instance). ``tags`` label the run (``sslab runs``, the
    ``tags`` view of ``sslab query``).
    """
    exp = experiment(experiment_name)
    plan = exp.plan(overrides)
    words = [f"{k}={v}" for k, v in overrides.items()] if isinstance(overrides, dict) else list(overrides)
    return run_plan(exp, plan, store=store, name=name, progress=progress, figures=figures, executor=executor,
                    workers=workers, address=address, blocks_per_chunk=blocks_per_chunk, overrides=words,
                    tags=tuple(tags))


def sweep(experiment_name: str, overrides: list[str] | dict[str, Any] = (), **kwargs: Any) -> Results:
    """A run on a process pool by default (``executor="local"``); see :func:`run`."""
    kwargs.setdefault("executor", "local")
    return run(experiment_name, overrides, **kwargs)


def load(run_id: str, store: RunStore | str | None = None) -> Results:
    """Reopen a stored run."""
    store = store if isinstance(store, RunStore) else RunStore(store)
    handle = store.open(run_id)
    config = handle.read_json("config")
    try:
        exp = experiment(config.get("experiment", ""))
    except KeyError:  # a run of an experiment that is no longer registered still loads
        exp = None
    return Results(run_id, handle, config, exp)


def check(target: str | None = None, *, size: str = "full", store: RunStore | str | None = None,
          workers: int = 1, report: bool = False) -> list[ClaimResult]:
    """Run the claims of a paper (``yang2024``), one claim (``yang2024.C5``) or all; results in declared order."""
    claims = select(target, report=report)
    return run_claims(claims, Context(store=store, size=size), workers)


__all__ = ["run", "sweep", "load", "check", "experiment", "experiments", "Results"]
