"""Run a plan's lane blocks as chunks on an executor: in-process, a local process pool, or Ray.

A *chunk* is a list of lane blocks (group index, first lane of the block). Every chunk writes its
blocks' records and parameters to the run directory itself, atomically, as soon as each block is
done, so executors never ship results back and an interrupted sweep loses nothing. Workers get one
XLA CPU thread each, so a pool of N workers uses N cores without oversubscription.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import multiprocessing as mp

from ..config import Plan

SINGLE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

Block = tuple[int, int]  # (group index, first lane of the block within the group)


def part_name(gi: int, start: int, block: int) -> str:
    """The store part of one lane block (stable across executors and restarts)."""
    return f"g{gi:03d}-b{start // block:05d}"


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run some blocks of a plan and write them (picklable)."""

    experiment: str
    plan: Plan
    run_id: str
    store_root: str
    blocks: tuple[Block, ...]


def run_chunk(task: ChunkTask) -> int:
    """Run the task's blocks that are not yet stored; returns the number of lanes written."""
    from ..api import lane_records
    from ..registry import EXPERIMENTS
    from ..store import RunStore
    from ..train.engine import enable_compilation_cache, group_points, iter_blocks
    from .. import experiments  # noqa: F401  (registers experiments in a fresh worker)
    import numpy as np

    enable_compilation_cache()
    exp = EXPERIMENTS[task.experiment]
    handle = RunStore(task.store_root).open(task.run_id)
    points = task.plan.points()
    groups = group_points(points)
    axes = list(task.plan.axes)
    written = 0
    for gi, start in task.blocks:
        group = groups[gi]
        B = points[group[0]].train.lane_block
        name = part_name(gi, start, B)
        if handle.has_part(name):
            continue
        lanes = group[start:start + B]
        for _, res in iter_blocks([points[i] for i in lanes], exp.problem):
            recs = lane_records(res, lanes, task.run_id, exp.name, axes)
            params = dict(res.params)
            params["lane"] = np.asarray(lanes)
            handle.write_part(name, recs, params)
        written += len(lanes)
    return written


def plan_blocks(plan: Plan) -> list[tuple[Block, int, str]]:
    """Every lane block of a plan: (block, lane count, part name), in program order."""
    from ..train.engine import group_points

    points = plan.points()
    out = []
    for gi, group in enumerate(group_points(points)):
        B = points[group[0]].train.lane_block
        out += [((gi, start), min(B, len(group) - start), part_name(gi, start, B)) for start in range(0, len(group), B)]
    return out


def chunk(blocks: list[Block], blocks_per_chunk: int) -> list[tuple[Block, ...]]:
    return [tuple(blocks[i:i + blocks_per_chunk]) for i in range(0, len(blocks), blocks_per_chunk)]


class InProcess:
    """Run chunks one after another in this process (the default for ``sslab run``)."""

    name = "inprocess"

    def map(self, tasks: list[ChunkTask]) -> Iterator[tuple[ChunkTask, int]]:
        for t in tasks:
            yield t, run_chunk(t)

    def close(self) -> None:
        pass


@contextlib.contextmanager
def single_thread_xla() -> Iterator[None]:
    """``XLA_FLAGS`` with one XLA CPU thread while the block runs, for the processes it spawns (inherited)."""
    before = os.environ.get("XLA_FLAGS")
    os.environ["XLA_FLAGS"] = f"{before or ''} {SINGLE_THREAD_XLA}".strip()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XLA_FLAGS", None)
        else:
            os.environ["XLA_FLAGS"] = before


class LocalPool:
    """A local process pool (spawned workers, one XLA thread each); needs nothing extra installed."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._xla = single_thread_xla()  # held until close(): the pool spawns its workers on demand
        self._xla.__enter__()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"))

    def map(self, tasks: list[ChunkTask]) -> Iterator[tuple[ChunkTask, int]]:
        futures = {self.pool.submit(run_chunk, t): t for t in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield futures[f], f.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._xla.__exit__(None, None, None)


class RayExecutor:
    """Chunks as Ray tasks on the cluster at ``address`` (or a local Ray instance); ``pip install sslab[ray]``."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import ray
        except ImportError:
            raise RuntimeError("the Ray executor needs Ray: pip install 'sslab[ray]'") from None
        self.ray = ray
        self._started = False
        if not ray.is_initialized():
            env = {"env_vars": {"XLA_FLAGS": SINGLE_THREAD_XLA}}
            kwargs: dict[str, Any] = {"runtime_env": env, "include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            elif workers:
                kwargs["num_cpus"] = workers
            ray.init(**kwargs)
            self._started = True
        self.remote = ray.remote(num_cpus=1)(run_chunk)

    def map(self, tasks: list[ChunkTask]) -> Iterator[tuple[ChunkTask, int]]:
        refs = {self.remote.remote(t): t for t in tasks}
        pending = list(refs)
        while pending:
            done, pending = self.ray.wait(pending, num_returns=1)
            for r in done:
                yield refs[r], self.ray.get(r)

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()


def make_executor(name: str = "inprocess", workers: int | None = None, address: str | None = None) -> Any:
    if name == "inprocess":
        return InProcess()
    if name == "local":
        return LocalPool(workers)
    if name == "ray":
        return RayExecutor(address, workers)
    raise ValueError(f"unknown executor {name!r}; valid choices: inprocess, local, ray")
