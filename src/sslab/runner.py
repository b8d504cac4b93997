"""Running an experiment into the results store: plan, lane blocks, executor, atomic parts, summary.

The layer between the engine (which knows no store) and the API: :func:`run_plan` cuts a validated plan
into the engine's lane blocks, skips the blocks already stored (so re-running a command resumes it), runs
the rest as chunks on an executor (each chunk writes its blocks to the run directory itself, atomically,
as soon as each block is done: executors never ship results back and an interrupted sweep loses
nothing), then writes the summary and the experiment's figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import Plan, flat_dict, to_dict
from .engine.executors import make_executor
from .engine.lanes import LaneBlock, LaneResult, enable_compilation_cache, lane_blocks, run_block
from .papers import Experiment
from .results import Results
from .store import RunHandle, RunStore, config_hash


def part_name(block: LaneBlock) -> str:
    """The store part of one lane block (stable across executors and restarts)."""
    return f"g{block.group:03d}-b{block.index:05d}"


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run some lane blocks of a plan and store them (picklable)."""

    experiment: Experiment
    plan: Plan
    run_id: str
    store_root: str
    blocks: tuple[int, ...]  # indices into lane_blocks(plan.points())


def run_chunk(task: ChunkTask) -> int:
    """Run the task's blocks that are not yet stored; returns the number of lanes written."""
    enable_compilation_cache()
    exp = task.experiment
    handle = RunStore(task.store_root).open(task.run_id)
    points = task.plan.points()
    blocks = lane_blocks(points)
    axes = list(task.plan.axes)
    written = 0
    for i in task.blocks:
        block = blocks[i]
        name = part_name(block)
        if handle.has_part(name):
            continue
        res = run_block(points, block, exp.problem)
        lanes = list(block.lanes)
        params = dict(res.params)
        params["lane"] = np.asarray(lanes)
        handle.write_part(name, lane_records(res, lanes, task.run_id, exp.name, axes), params)
        written += len(lanes)
    return written


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


def run_plan(exp: Experiment, plan: Plan, *, store: RunStore | str | None = None, name: str | None = None,
             progress: bool = False, figures: bool = True, executor: str = "inprocess",
             workers: int | None = None, address: str | None = None, blocks_per_chunk: int = 1) -> Results:
    """Run a validated plan (see :func:`run`): chunks of lane blocks on an executor, each block stored as done."""
    store = store if isinstance(store, RunStore) else RunStore(store)
    enable_compilation_cache()
    record = plan_record(exp.name, plan)
    run_id = name or f"{exp.name}-{config_hash(record)[:10]}"
    handle = store.create(run_id, record)
    if handle.status().get("status") == "done":
        return Results(run_id, handle, record, exp)
    with handle.lock():  # another process computing this run: wait, then take its result
        if handle.status().get("status") == "done":
            return Results(run_id, handle, record, exp)
        return _compute(exp, plan, store, handle, run_id, record, progress, figures, executor, workers, address,
                        blocks_per_chunk)


def _compute(exp: Experiment, plan: Plan, store: RunStore, handle: RunHandle, run_id: str, record: dict, progress: bool,
             figures: bool, executor: str, workers: int | None, address: str | None, blocks_per_chunk: int) -> Results:
    """The body of :func:`run_plan` under the run's lock: the blocks not yet stored, then summary and figures."""
    handle.set_status("running")
    points = plan.points()
    blocks = lane_blocks(points)
    todo = [i for i, b in enumerate(blocks) if not handle.has_part(part_name(b))]
    per_chunk = max(1, blocks_per_chunk)
    tasks = [ChunkTask(exp, plan, run_id, str(store.root), tuple(todo[i:i + per_chunk]))
             for i in range(0, len(todo), per_chunk)]
    t0 = time.time()
    bar = _progress(progress, len(points), len(points) - sum(len(blocks[i].lanes) for i in todo), exp.name)
    runner = make_executor(executor, workers, address) if tasks else None
    try:
        for task, _ in (runner.map(run_chunk, tasks) if runner else []):
            if bar:
                bar(sum(len(blocks[i].lanes) for i in task.blocks))
    except BaseException as e:
        handle.set_status("failed", error=f"{type(e).__name__}: {e}")
        raise
    finally:
        if runner:
            runner.close()
        if bar:
            bar(None)
    results = Results(run_id, handle, record, exp)
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
