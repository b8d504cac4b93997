"""Running an experiment into the results store: plan, lane blocks, executor, atomic parts, summary.

The layer between the engine (which knows no store) and the API: :func:`run_plan` cuts a validated plan
into the engine's lane blocks, skips the blocks already stored (so re-running a command resumes it), runs
the rest as chunks on an executor (each chunk writes its blocks to the run directory itself, atomically,
as soon as each block is done: executors never ship results back and an interrupted sweep loses
nothing), then writes the summary and the experiment's figures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from . import provenance
from .config import Plan, RunConfig, flat_dict, to_dict
from .engine.executors import make_executor
from .engine.lanes import LaneBlock, LaneResult, enable_compilation_cache, footprint, lane_blocks, run_block
from .papers import Experiment
from .results import Results
from .store import RunHandle, RunStore, config_hash, identity


def part_name(block: LaneBlock) -> str:
    """The store part of one lane block (stable across executors and restarts)."""
    return f"g{block.group:03d}-b{block.index:05d}"


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run some lane blocks of a plan and store them (picklable): each block with
    the configs of its lanes, so a worker never re-plans the whole grid."""

    experiment: Experiment
    run_id: str
    store_root: str
    axes: tuple[str, ...]
    blocks: tuple[tuple[LaneBlock, tuple[RunConfig, ...]], ...]


def run_chunk(task: ChunkTask) -> int:
    """Run the task's blocks that are not yet stored; returns the number of lanes written."""
    enable_compilation_cache()
    exp = task.experiment
    handle = RunStore(task.store_root).open(task.run_id)
    axes = list(task.axes)
    written = 0
    for block, configs in task.blocks:
        name = part_name(block)
        if handle.has_part(name):
            continue
        res = run_block(dict(zip(block.lanes, configs)), block, exp.problem)
        lanes = list(block.lanes)
        params = dict(res.params)
        params["lane"] = np.asarray(lanes)
        ckpt = None
        if res.checkpoints is not None:  # written with the block, before its records (the commit marker)
            ckpt = {**res.checkpoints, "lane": np.asarray(lanes), "step": res.checkpoint_steps}
        handle.write_part(name, lane_records(res, lanes, task.run_id, exp.name, axes), params, ckpt)
        written += len(lanes)
    return written


def plan_record(exp_name: str, plan: Plan) -> dict:
    """The JSON-able description of a plan: experiment, base config and axes."""
    return {"experiment": exp_name, "config": to_dict(plan.base), "axes": {k: list(v) for k, v in plan.axes.items()}}


def run_record(exp: Experiment, plan: Plan, overrides: list[str] | None = None) -> dict:
    """What config.json holds: the plan, its provenance (part of the run's identity: sslab version, code hash,
    JAX/jaxlib versions), the machine it was started on and the command's overrides (both recorded only)."""
    return {**plan_record(exp.name, plan), "provenance": provenance.identity(exp), "machine": provenance.machine(),
            "overrides": list(overrides) if overrides is not None else settings_of(exp, plan)}


def settings_of(exp: Experiment, plan: Plan) -> list[str]:
    """``key=value`` strings that rebuild a plan from the experiment's defaults: the base fields that differ
    from them and the axes (a swept axis as a list), for runs made without a command (claims, the API)."""
    out = []
    try:
        default = flat_dict(exp.base())
    except Exception:  # noqa: BLE001 - a base that needs presets: show the axes only
        default = None
    if default is not None:
        for k, v in flat_dict(plan.base).items():
            if k not in plan.axes and (k not in default or repr(default[k]) != repr(v)):
                out.append(f"{k}={v}")
    defaults = exp.default_axes or {}
    for k, v in plan.axes.items():
        if list(defaults.get(k, [])) != list(v):
            out.append(f"{k}={','.join(map(str, v))}")
    return out


def run_id_of(exp: Experiment, record: dict) -> str:
    """``<experiment>-<hash of the plan and its provenance>``: the same command with the same code resumes or
    returns the same run; changed code or versions make a new one."""
    return f"{exp.name}-{config_hash(identity(record))[:10]}"


def lane_configs(run_id: str, points: list[RunConfig], identity: dict | None = None) -> pd.DataFrame:
    """One row per lane with every resolved config field (the store's ``configs`` view) and its ``lane_key``: a
    hash of the lane's whole config (its block size included) and the run's provenance identity, under which
    another run may reuse the lane instead of computing it again."""
    flat: dict[tuple, dict] = {}  # one plan's seeds share their sections: flatten each setting once
    rows = []
    for i, p in enumerate(points):
        key = tuple(id(getattr(p, f)) for f in ("data", "model", "loss", "optim", "train"))
        if key not in flat:
            flat[key] = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else repr(v))
                         for k, v in flat_dict(p).items() if k != "seed"}
        row = {"run": run_id, "lane": i, "seed": int(p.seed), **flat[key]}
        if identity is not None:
            row["lane_key"] = config_hash({"lane": {k: v for k, v in row.items() if k not in ("run", "lane")},
                                           "provenance": identity})[:24]
        rows.append(row)
    return pd.DataFrame(rows)


def _reuse_lanes(store: RunStore, handle: RunHandle, run_id: str, exp: Experiment, axes: list[str],
                 points: list[RunConfig], blocks: list[LaneBlock], todo: list[int], keys: list[str]) -> set[int]:
    """Fill the todo blocks whose every lane another finished run in the store already computed (the same
    config, block size and code): its records and final params are copied, relabelled, instead of recomputed.
    Returns the blocks filled."""
    index = store.lane_index(exclude=run_id)
    filled, sources = set(), {}
    for i in todo:
        b = blocks[i]
        where = [index.get(keys[lane]) for lane in b.lanes]
        if not b.lanes or any(w is None for w in where):
            continue
        recs, params = [], []
        for lane, (src, src_lane) in zip(b.lanes, where):
            if src not in sources:
                h = store.open(src)
                sources[src] = (h.records(), h.params())
            r, p = sources[src]
            one = r[r.lane == src_lane][["step", "metric", "value"]].copy()
            one.insert(0, "lane", lane)
            flat = flat_dict(points[lane])
            one.insert(1, "seed", int(points[lane].seed))
            for a in axes:
                if a != "seed":
                    one[a] = flat[a]
            recs.append(one)
            j = int(np.flatnonzero(p["lane"] == src_lane)[0])
            params.append({k: v[j] for k, v in p.items() if k != "lane"})
        df = pd.concat(recs, ignore_index=True)
        df.insert(0, "run", run_id)
        df.insert(1, "experiment", exp.name)
        stacked = {k: np.stack([p[k] for p in params]) for k in params[0]}
        stacked["lane"] = np.asarray(b.lanes)
        handle.write_part(part_name(b), df, stacked)
        filled.add(i)
    return filled


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
             workers: int | None = None, address: str | None = None, blocks_per_chunk: int = 1,
             force: bool = False, overrides: list[str] | None = None, tags: tuple[str, ...] = ()) -> Results:
    """Run a validated plan (see :func:`sslab.api.run`): chunks of lane blocks on an executor, each block stored
    as done. ``force`` discards what is stored under the run id and computes it again. ``overrides`` (the
    command's ``key=value`` strings) are recorded in config.json, not part of the run's identity; ``tags`` are
    added to the run (``sslab tag``)."""
    store = store if isinstance(store, RunStore) else RunStore(store)
    enable_compilation_cache()
    record = run_record(exp, plan, overrides)
    run_id = name or run_id_of(exp, record)
    parts = [part_name(b) for b in lane_blocks(plan.points())]

    def complete(h: RunHandle) -> bool:  # done, and every block's part is on disk and readable (a damaged one is redone)
        return h.status().get("status") == "done" and all(h.has_part(p) for p in parts)

    try:
        existing = store.open(run_id)
    except KeyError:
        existing = None
    if existing is not None and not force and complete(existing) and _same_run(existing, record):
        if tags:
            existing.tag(tags)
        return Results(run_id, existing, existing.config(), exp)
    pf = preflight(exp, plan, workers=1 if executor == "inprocess" else (workers or os.cpu_count() or 1))
    if pf.problem():
        raise PreflightError(pf.problem())
    handle = store.create(run_id, record)
    if tags:
        handle.tag(tags)
    with handle.lock():  # another process computing this run: wait, then take its result
        if force:
            handle.clear()
        elif complete(handle):
            return Results(run_id, handle, handle.config(), exp)
        return _compute(exp, plan, store, handle, run_id, handle.config(), progress, figures, executor, workers,
                        address, blocks_per_chunk)


def name_conflict(exp: Experiment, plan: Plan, store: RunStore, name: str) -> str | None:
    """Why ``name`` cannot hold this plan (a stored run of another config or code), or None."""
    try:
        handle = store.open(name)
    except KeyError:
        return None
    if _same_run(handle, run_record(exp, plan)):
        return None
    return f"run {name!r} already exists with a different config or code; choose another --name or drop it to resume"


def _same_run(handle: RunHandle, record: dict) -> bool:
    try:
        old = handle.config()
    except (OSError, ValueError):
        return False
    ident = lambda c: config_hash(identity(c))  # noqa: E731
    return isinstance(old, dict) and ident(old) == ident(record)


def _compute(exp: Experiment, plan: Plan, store: RunStore, handle: RunHandle, run_id: str, record: dict, progress: bool,
             figures: bool, executor: str, workers: int | None, address: str | None, blocks_per_chunk: int) -> Results:
    """The body of :func:`run_plan` under the run's lock: the blocks not yet stored, then summary and figures."""
    handle.set_status("running")
    points = plan.points()
    lanes = lane_configs(run_id, points, record.get("provenance"))
    handle.write_table("lanes", lanes)
    blocks = lane_blocks(points)
    todo = [i for i, b in enumerate(blocks) if not handle.has_part(part_name(b))]
    if todo and record.get("provenance") and not any(p.train.save_every for p in points):  # checkpoints: computed
        reused = _reuse_lanes(store, handle, run_id, exp, list(plan.axes), points, blocks, todo,
                              lanes["lane_key"].tolist())
        todo = [i for i in todo if i not in reused]
    per_chunk = max(1, blocks_per_chunk)
    tasks = [ChunkTask(exp, run_id, str(store.root), tuple(plan.axes),
                       tuple((blocks[j], tuple(points[k] for k in blocks[j].lanes)) for j in todo[i:i + per_chunk]))
             for i in range(0, len(todo), per_chunk)]
    t0 = time.time()
    bar = _progress(progress, len(points), len(points) - sum(len(blocks[i].lanes) for i in todo), exp.name)
    runner = make_executor(executor, workers, address) if tasks else None
    try:
        for task, _ in (runner.map(run_chunk, tasks) if runner else []):
            if bar:
                bar(sum(len(b.lanes) for b, _ in task.blocks))
    except KeyboardInterrupt:  # left "running": with the lock released it shows as interrupted, and resumes
        raise
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
    summary["lane_steps"] = sum(blocks[i].size * points[blocks[i].lanes[0]].train.steps for i in todo)
    summary["executor"] = executor
    handle.write_json("summary", summary)
    if figures and exp.figures is not None:
        exp.figures(results)
    handle.set_status("done")
    return results


def summarise(results: Results) -> dict:
    """Mean, std (ddof=1), 95% t-interval half-width, min, max and n over the finite lanes of every metric at
    the last step, separately for every setting of the swept non-seed axes (never pooled across settings).

    ``groups`` holds one entry per setting (``setting``: axis -> value); without swept axes there is one group,
    also given as ``metrics``. Diverged lanes are listed under ``diverged_lanes`` (lane: step) and left out of
    the statistics, so a diverged lane never shows up as a number.
    """
    df = results.records
    last = df[df.step == df.step.max()]
    div = last[(last.metric == "diverged_at") & (last.value >= 0)]
    diverged = {int(r.lane): int(r.value) for r in div.itertuples()}
    live = last[~last.lane.isin(diverged) & (last.metric != "diverged_at")]
    axes = [a for a in results.axes() if a in df.columns]
    groups = []
    for key, sub in (live.groupby(axes, sort=True, dropna=False) if axes else [((), live)]):
        key = key if isinstance(key, tuple) else (key,)
        metrics = {}
        for m, g in sub.groupby("metric"):
            v = g.value.to_numpy()
            v = v[np.isfinite(v)]
            if len(v) == 0:
                continue
            half = float(_stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0
            metrics[m] = {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                          "ci95": half, "min": float(v.min()), "max": float(v.max()), "n": int(len(v))}
        groups.append({"setting": {a: _plain(k) for a, k in zip(axes, key)}, "lanes": int(sub.lane.nunique()),
                       "metrics": metrics})
    out: dict[str, Any] = {"run": results.run_id, "lanes": int(df.lane.nunique()), "axes": axes, "groups": groups,
                           "diverged_lanes": diverged}
    if not axes:
        out["metrics"] = groups[0]["metrics"] if groups else {}
    return out


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


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


# --- pre-flight -----------------------------------------------------------------------------------

#: bytes a tidy record takes in pandas on the host (run, experiment, lane, seed, step, metric, value, axes)
RECORD_BYTES = 80
#: share of the available memory a run may plan to use
MEMORY_SHARE = 0.85
#: a plan longer than this (seconds, estimated) gets a warning: a 2-core machine will not finish it soon
LONG_RUN = 12 * 3600


class PreflightError(ValueError):
    """A plan that cannot run on this machine (memory), stopped before any compute; one line."""


@dataclass
class Preflight:
    """What a plan will do: programs, lane blocks, records, estimated peak memory and time."""

    experiment: str
    programs: list[dict]
    lanes: int
    records: int
    peak_bytes: int
    available_bytes: int | None
    eta_seconds: float | None = None
    eta_source: str = ""

    @property
    def blocks(self) -> int:
        return sum(p["blocks"] for p in self.programs)

    def problem(self) -> str | None:
        """A one-line reason this plan cannot run here, or None."""
        if self.available_bytes is None or self.peak_bytes <= MEMORY_SHARE * self.available_bytes:
            return None
        big = max(self.programs, key=lambda p: p["bytes_block"])
        logging_heavy = big["trace_lane"] > big["bytes_lane"] / 2
        if self.records * RECORD_BYTES > self.peak_bytes / 2 or logging_heavy:
            hint = (f"it would log {self.records:,} records ({_gb(self.records * RECORD_BYTES)} on the host): log less "
                    "often (raise train.log_every) or split the lanes over several runs")
        elif big["block"] > 1 and big["bytes_lane"] <= MEMORY_SHARE * self.available_bytes:
            hint = f"use fewer lanes per block (train.lane_block=1 needs about {_gb(big['bytes_lane'])})"
        else:
            hint = "shrink the run (a smaller dataset or model, fewer logged steps)"
        return (f"this run needs about {_gb(self.peak_bytes)} of memory (estimate) but {_gb(self.available_bytes)} "
                f"is available; {hint}")

    def warnings(self) -> list[str]:
        out = []
        if self.eta_seconds is not None and self.eta_seconds > LONG_RUN:
            out.append(f"about {self.eta_seconds / 3600:.0f} h on this machine ({self.eta_source}): consider fewer "
                       "lanes or steps")
        return out


def _gb(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**28 else f"{n / 2**20:.0f} MiB"


def available_memory() -> int | None:
    """Bytes this process may still allocate: MemAvailable, capped by a cgroup limit (Linux); None elsewhere."""
    avail = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except OSError:
        return None
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            lim = open(limit).read().strip()
            if lim != "max" and int(lim) < 2**60:
                free = int(lim) - int(open(usage).read().strip())
                avail = free if avail is None else min(avail, free)
            break
        except (OSError, ValueError):
            continue
    return avail


def preflight(exp: Experiment, plan: Plan, workers: int = 1, store: RunStore | None = None,
              calibrate: bool = False) -> Preflight:
    """Programs, lane blocks, records, peak memory (abstract shapes, no compute) and, when asked, an ETA from
    stored runs of the experiment or (``calibrate``) a short timed block."""
    points = plan.points()
    blocks = lane_blocks(points)
    programs = []
    for gi in sorted({b.group for b in blocks}):
        mine = [b for b in blocks if b.group == gi]
        template = points[mine[0].lanes[0]]
        fp = footprint(template, exp.problem)
        lanes = sum(len(b.lanes) for b in mine)
        programs.append({"program": gi, "lanes": lanes, "block": mine[0].size, "blocks": len(mine),
                         "padded": len(mine) * mine[0].size - lanes, "steps": template.train.steps,
                         "records": lanes * fp.logged_steps * (fp.metrics + 1), "bytes_lane": fp.lane,
                         "trace_lane": fp.trace,
                         "bytes_block": fp.lane * mine[0].size + 2 * fp.host * mine[0].size,
                         "static": template})
    records = sum(p["records"] for p in programs)
    concurrent = max(1, min(workers, len(blocks)))
    peak = max(p["bytes_block"] for p in programs) * concurrent + records * RECORD_BYTES
    pf = Preflight(exp.name, programs, len(points), records, peak, available_memory())
    lane_steps = sum(p["blocks"] * p["block"] * p["steps"] for p in programs)
    rate = _stored_rate(exp, store) if store is not None else None
    if rate is not None:
        pf.eta_seconds, pf.eta_source = lane_steps * rate / concurrent, "from stored runs of this experiment"
    elif calibrate and pf.problem() is None:
        pf.eta_seconds, pf.eta_source = _calibrate(exp, programs, concurrent), "from a short timed block"
    for p in programs:
        p.pop("static")
    return pf


def _stored_rate(exp: Experiment, store: RunStore) -> float | None:
    """Median seconds per computed lane-step over the stored, finished runs of this experiment."""
    rates = []
    for r in store.runs():
        if r["experiment"] != exp.name or r["status"] != "done":
            continue
        try:
            s = store.open(r["run_id"]).read_json("summary")
        except (OSError, ValueError, KeyError):
            continue
        if s.get("lane_steps") and s.get("wall_seconds"):
            rates.append(s["wall_seconds"] / s["lane_steps"])
    return float(np.median(rates)) if rates else None


def _calibrate(exp: Experiment, programs: list[dict], concurrent: int) -> float:
    """Time one block of each program for one logging interval (after compiling it) and scale to the plan."""
    import dataclasses
    total = 0.0
    for p in programs:
        t = p["static"]
        k = t.train.log_every
        short = dataclasses.replace(t, train=dataclasses.replace(t.train, steps=k))
        pts = [short] * p["block"]
        block = LaneBlock(0, 0, tuple(range(p["block"])), p["block"])
        t0 = time.time()
        run_block(pts, block, exp.problem)  # compile + run
        t1 = time.time()
        run_block(pts, block, exp.problem)
        per_step = (time.time() - t1) / k
        total += (t1 - t0) - (time.time() - t1) + per_step * p["steps"] * p["blocks"]
    return total / concurrent
