"""Python API: run an experiment into the results store and read its results back."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import experiments as _experiments  # noqa: F401  (registers experiments)
from .config import Plan, RunConfig, flat_dict, to_dict
from .registry import EXPERIMENTS
from .store import RunHandle, RunStore, config_hash
from .train.engine import LaneResult, enable_compilation_cache


@dataclass
class Results:
    """A finished run: its handle in the store, its plan, tidy records and final parameters."""

    run_id: str
    handle: RunHandle
    plan_config: dict
    _records: pd.DataFrame | None = None
    _params: dict[str, np.ndarray] | None = None

    @property
    def records(self) -> pd.DataFrame:
        """Tidy records (run, experiment, lane, seed, step, metric, value, axis columns)."""
        if self._records is None:
            self._records = self.handle.records()
        return self._records

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Final parameters stacked over lanes (with a ``lane`` array)."""
        if self._params is None:
            self._params = self.handle.params()
        return self._params

    def metric(self, name: str, step: int | None = None) -> pd.Series:
        """One metric per lane at ``step`` (default: the last logged step), indexed by lane."""
        df = self.records[self.records.metric == name]
        if df.empty:
            raise KeyError(f"metric {name!r} not in run {self.run_id}; have {sorted(self.records.metric.unique())}")
        s = df.step.max() if step is None else step
        out = df[df.step == s].set_index("lane")["value"].sort_index()
        if out.empty:
            raise KeyError(f"metric {name!r} was not logged at step {s}")
        return out

    def lanes(self) -> pd.DataFrame:
        """One row per lane: lane, seed and the axis columns."""
        cols = [c for c in self.records.columns if c not in ("run", "experiment", "step", "metric", "value")]
        return self.records[cols].drop_duplicates("lane").set_index("lane").sort_index()

    @property
    def figures(self) -> list[str]:
        return sorted(str(p) for p in self.handle.figures_dir.glob("*.png"))

    def axes(self) -> list[str]:
        """The run's swept config paths other than the seed."""
        return [a for a in self.plan_config.get("axes", {}) if a != "seed"]

    def summary(self, step: int | None = None) -> pd.DataFrame:
        """Mean, std (ddof=1), min, max and n over finite non-diverged lanes of every metric at ``step``
        (default: the last), one row per metric and setting of the non-seed axes."""
        df = self.records
        s = df.step.max() if step is None else step
        last = df[df.step == df.step.max()]
        diverged = set(last[(last.metric == "diverged_at") & (last.value >= 0)].lane)
        at = df[(df.step == s) & ~df.lane.isin(diverged) & (df.metric != "diverged_at") & np.isfinite(df.value)]
        keys = self.axes() + ["metric"]
        out = at.groupby(keys).value.agg(["mean", "std", "min", "max", "count"]).rename(columns={"count": "n"})
        return out.reset_index()

    def plot(self, metrics: str | list[str], *, title: str | None = None, path: Any = None,
             log_y: bool = False):
        """Learning curves: mean ± std over seeds of each metric against the step, one line per setting of
        the non-seed axes and one panel per metric; returns the matplotlib Figure (saved when ``path``)."""
        from .report.figures import BAND_ALPHA, new_figure, save, style, suptitle

        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        df, axes = self.records, self.axes()
        missing = [m for m in metrics if m not in set(df.metric)]
        if missing:
            raise KeyError(f"metric(s) {missing} not in run {self.run_id}; have {sorted(df.metric.unique())}")
        n_seeds = df.seed.nunique()
        with style():
            fig, ax_grid = new_figure(1, len(metrics), figsize=(5.0 * len(metrics), 4.0))
            for ax, m in zip(ax_grid[0], metrics):
                sub = df[df.metric == m]
                groups = sub.groupby(axes, sort=True) if axes else [((), sub)]
                for key, g in groups:
                    key = key if isinstance(key, tuple) else (key,)
                    stats = g.groupby("step").value.agg(["mean", "std"]).fillna(0.0)
                    label = ", ".join(f"{a.split('.')[-1]}={v}" for a, v in zip(axes, key)) or None
                    line, = ax.plot(stats.index, stats["mean"], label=label)
                    ax.fill_between(stats.index, stats["mean"] - stats["std"], stats["mean"] + stats["std"],
                                    color=line.get_color(), alpha=BAND_ALPHA, linewidth=0)
                ax.set_xlabel("step")
                ax.set_ylabel(m)
                if log_y:
                    ax.set_yscale("log")
                if axes:
                    ax.legend()
            suptitle(fig, (title or f"{self.plan_config.get('experiment', '')} {self.run_id}")
                     + f" — mean ± std over {n_seeds} seed{'s' if n_seeds != 1 else ''}")
        if path is not None:
            save(fig, path)
        return fig

    def figure(self) -> list[str]:
        """(Re)draw the experiment's own figures from the stored records; returns their paths."""
        exp = EXPERIMENTS[self.plan_config["experiment"]]
        if exp.figures is None:
            return []
        return exp.figures(self)


def plan_record(exp_name: str, plan: Plan) -> dict:
    """The JSON-able description of a run stored as config.json."""
    return {"experiment": exp_name, "config": to_dict(plan.base), "axes": {k: list(v) for k, v in plan.axes.items()}}


def lane_records(res: LaneResult, lanes: list[int], run_id: str, experiment: str, axes: list[str]) -> pd.DataFrame:
    """Tidy records of one block: metrics at the logged steps, the block-mean loss, and divergence."""
    steps = res.steps
    L, S = len(lanes), len(steps)
    frames = []
    for name, arr in sorted(res.metrics.items()):
        frames.append(pd.DataFrame({"lane": np.repeat(lanes, S), "step": np.tile(steps, L),
                                    "metric": name, "value": np.asarray(arr, np.float64).reshape(-1)}))
    frames.append(pd.DataFrame({"lane": np.repeat(lanes, S - 1), "step": np.tile(steps[1:], L),
                                "metric": "loss", "value": np.asarray(res.loss, np.float64).reshape(-1)}))
    frames.append(pd.DataFrame({"lane": lanes, "step": steps[-1], "metric": "diverged_at",
                                "value": res.diverged_at.astype(np.float64)}))
    df = pd.concat(frames, ignore_index=True)
    flat = [flat_dict(p) for p in res.points]
    by_lane = {lane: f for lane, f in zip(lanes, flat)}
    df["seed"] = df.lane.map({l: int(f["seed"]) for l, f in by_lane.items()}).astype(np.int64)
    for a in axes:
        if a != "seed":
            df[a] = df.lane.map({l: f[a] for l, f in by_lane.items()})
    df.insert(0, "run", run_id)
    df.insert(1, "experiment", experiment)
    return df[["run", "experiment", "lane", "seed", "step", "metric", "value"] + [a for a in axes if a != "seed"]]


def run(experiment: str, overrides: list[str] | dict[str, Any] = (), *, store: RunStore | str | None = None,
        name: str | None = None, progress: bool = False, figures: bool = True, executor: str = "inprocess",
        workers: int | None = None, address: str | None = None, blocks_per_chunk: int = 1) -> Results:
    """Run ``experiment`` with ``key=value`` overrides; resumable, records written block by block.

    The run id is ``name`` or ``<experiment>-<hash of the plan>``, so the same command resumes an
    interrupted run (finished blocks are skipped) or returns a finished one without recomputing.
    ``executor`` is ``inprocess`` (default), ``local`` (a process pool of ``workers``) or ``ray``
    (the cluster at ``address``, or a local Ray instance).
    """
    exp = EXPERIMENTS[experiment]
    plan = exp.plan(overrides)
    return run_plan(exp, plan, store=store, name=name, progress=progress, figures=figures, executor=executor,
                    workers=workers, address=address, blocks_per_chunk=blocks_per_chunk)


def sweep(experiment: str, overrides: list[str] | dict[str, Any] = (), **kwargs: Any) -> Results:
    """A run on a process pool by default (``executor="local"``); see :func:`run`."""
    kwargs.setdefault("executor", "local")
    return run(experiment, overrides, **kwargs)


def run_plan(exp: Any, plan: Plan, *, store: RunStore | str | None = None, name: str | None = None,
             progress: bool = False, figures: bool = True, executor: str = "inprocess",
             workers: int | None = None, address: str | None = None, blocks_per_chunk: int = 1) -> Results:
    """Run a validated plan (see :func:`run`): chunks of lane blocks on an executor, each block stored as done."""
    store = store if isinstance(store, RunStore) else RunStore(store)
    enable_compilation_cache()
    record = plan_record(exp.name, plan)
    run_id = name or f"{exp.name}-{config_hash(record)[:10]}"
    handle = store.create(run_id, record)
    if handle.status().get("status") == "done":
        return Results(run_id, handle, record)
    with handle.lock():  # another process computing this run: wait, then take its result
        if handle.status().get("status") == "done":
            return Results(run_id, handle, record)
        return _compute(exp, plan, store, handle, run_id, record, progress, figures, executor, workers, address,
                        blocks_per_chunk)


def _compute(exp: Any, plan: Plan, store: RunStore, handle: RunHandle, run_id: str, record: dict, progress: bool,
             figures: bool, executor: str, workers: int | None, address: str | None, blocks_per_chunk: int) -> Results:
    """The body of :func:`run_plan` under the run's lock: the blocks not yet stored, then summary and figures."""
    from .parallel.executors import ChunkTask, chunk, make_executor, plan_blocks

    handle.set_status("running")
    points = plan.points()
    todo = [(blk, n) for blk, n, part in plan_blocks(plan) if not handle.has_part(part)]
    sizes = dict(todo)
    tasks = [ChunkTask(exp.name, plan, run_id, str(store.root), c)
             for c in chunk([blk for blk, _ in todo], max(1, blocks_per_chunk))]
    t0 = time.time()
    bar = _progress(progress, len(points), len(points) - sum(sizes.values()), exp.name)
    runner = make_executor(executor, workers, address) if tasks else None
    try:
        for task, _ in (runner.map(tasks) if runner else []):
            if bar:
                bar(sum(sizes[b] for b in task.blocks))
    except BaseException as e:
        handle.set_status("failed", error=f"{type(e).__name__}: {e}")
        raise
    finally:
        if runner:
            runner.close()
        if bar:
            bar(None)
    results = Results(run_id, handle, record)
    summary = summarise(results)
    summary["wall_seconds"] = time.time() - t0
    summary["executor"] = executor
    handle.write_json("summary", summary)
    if figures and exp.figures is not None:
        exp.figures(results)
    handle.set_status("done")
    return results


def summarise(results: Results) -> dict:
    """Mean, std (ddof=1), min and max over the finite lanes of every metric at the last step.

    Diverged lanes are listed under ``diverged_lanes`` (lane: step) and left out of the statistics,
    so a diverged lane never shows up as a number.
    """
    df = results.records
    last = df[df.step == df.step.max()]
    div = last[(last.metric == "diverged_at") & (last.value >= 0)]
    diverged = {int(r.lane): int(r.value) for r in div.itertuples()}
    live = last[~last.lane.isin(diverged)]
    out: dict[str, Any] = {"run": results.run_id, "lanes": int(df.lane.nunique()), "metrics": {},
                           "diverged_lanes": diverged}
    for m, g in live.groupby("metric"):
        v = g.value.to_numpy()
        v = v[np.isfinite(v)]
        if len(v) == 0:
            continue
        out["metrics"][m] = {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                             "min": float(v.min()), "max": float(v.max())}
    return out


def load(run_id: str, store: RunStore | str | None = None) -> Results:
    """Reopen a stored run."""
    store = store if isinstance(store, RunStore) else RunStore(store)
    handle = store.open(run_id)
    return Results(run_id, handle, handle.read_json("config"))


def _progress(enabled: bool, n_lanes: int, already: int, label: str):
    """A rich progress bar over lanes (done, rate, time left); returns advance(n) (None closes it)."""
    if not enabled:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    prog = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("lanes"),
                    TimeElapsedColumn(), TimeRemainingColumn(), transient=False)
    task = prog.add_task(label, total=n_lanes, completed=already)
    prog.start()

    def advance(n: int | None) -> None:
        if n is None:
            prog.stop()
        else:
            prog.advance(task, n)

    return advance
