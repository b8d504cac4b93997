"""Lanes: many points of one static config run as vmapped blocks of one compiled program.

:func:`lane_blocks` is the one place where a list of points is cut into programs (points sharing a static
config) and blocks of ``train.lane_block`` lanes; :func:`iter_blocks` runs them and :func:`run_lanes` runs
any list of points and returns the results in input order.

Lane independence: every block has exactly ``train.lane_block`` lanes (padded with copies of the last
lane whose results are dropped), so a lane's arithmetic is the same program whatever its batch-mates,
and its result is bit-identical alone or among many lanes for a fixed ``train.lane_block``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ..config import Choice, RunConfig, get_path, lane_choices, lane_paths, set_path, static_key
from .train import Problem, param_entries, train

@dataclass
class LaneResult:
    """Results of a group of points that share one compiled program, in the order given."""

    points: list[RunConfig]
    params: dict[str, np.ndarray]  # each [L, ...]
    metrics: dict[str, np.ndarray]  # each [L, T/k + 1]
    loss: np.ndarray  # [L, T/k]
    diverged_at: np.ndarray  # [L]
    steps: np.ndarray  # logged steps, [T/k + 1]
    checkpoints: dict[str, np.ndarray] | None = None  # params at checkpoint_steps, each [L, T/S + 1, ...]
    checkpoint_steps: np.ndarray | None = None  # 0, S, 2S, ..., T (train.save_every = S > 0)


_PROGRAMS: dict[tuple, Callable] = {}


def enable_compilation_cache(path: str | None = None) -> None:
    """Turn on JAX's persistent compilation cache (``SSLAB_JAX_CACHE`` or ``~/.cache/sslab/jax``)."""
    path = path or os.environ.get("SSLAB_JAX_CACHE") or os.path.expanduser("~/.cache/sslab/jax")
    if path.lower() in ("0", "off", "none"):
        return
    try:
        os.makedirs(path, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", path)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    except Exception:  # a read-only home must not stop a run
        pass


def lane_options(template: RunConfig) -> dict[str, tuple[str, ...] | None]:
    """Each lane path's categorical options (``Literal`` fields, traced as the option's index), or None."""
    return {p: lane_choices(template, p) for p in lane_paths(template)}


def _program(template: RunConfig, problem_of: Callable[[RunConfig], Problem], block: int) -> Callable:
    """One jitted, vmapped program per (static config, block size); cached across calls."""
    key = (static_key(template), block, problem_of)
    if key in _PROGRAMS:
        return _PROGRAMS[key]
    problem = problem_of(template)
    options = lane_options(template)

    def one_lane(dyn: dict[str, jax.Array], host: Any) -> tuple:
        cfg = template
        for p, opts in options.items():
            cfg = set_path(cfg, p, dyn[p] if opts is None else Choice(dyn[p], opts))
        return train(jax.random.key(dyn["seed"]), cfg, problem, host)

    fn = jax.jit(jax.vmap(one_lane))
    _PROGRAMS[key] = fn
    return fn


def group_points(points: list[RunConfig]) -> list[list[int]]:
    """Indices of points grouped by static config (one compiled program per group), in first-seen order."""
    groups: dict[tuple, list[int]] = {}
    keys: dict[tuple, tuple] = {}  # points that share their section objects (one plan's seeds) share a key
    for i, p in enumerate(points):
        ident = tuple((f.name, id(v)) if dataclasses.is_dataclass(v) else (f.name, repr(v))
                      for f in dataclasses.fields(p) if f.name != "seed" for v in (getattr(p, f.name),))
        key = keys.get(ident)
        if key is None:
            key = keys[ident] = static_key(p)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


@dataclass(frozen=True)
class LaneBlock:
    """One block of lanes: ``lanes`` (indices into the point list) of program ``group``, its ``index``-th block.

    ``size`` lanes are computed (``train.lane_block``); a short last block is padded with copies of its last
    lane whose results are dropped.
    """

    group: int
    index: int
    lanes: tuple[int, ...]
    size: int


def lane_blocks(points: list[RunConfig]) -> list[LaneBlock]:
    """Every block of a list of points, program by program (first-seen order), block by block."""
    out = []
    for gi, group in enumerate(group_points(points)):
        B = points[group[0]].train.lane_block
        out += [LaneBlock(gi, start // B, tuple(group[start:start + B]), B) for start in range(0, len(group), B)]
    return out


class _program_ctx:
    """Trace and run under the config's precision and PRNG layout (both part of the static config)."""

    def __init__(self, cfg: RunConfig):
        self.ctxs = [jax.enable_x64(cfg.train.dtype == "float64"),
                     jax.threefry_partitionable(cfg.train.prng == "threefry_partitionable")]

    def __enter__(self) -> None:
        for c in self.ctxs:
            c.__enter__()

    def __exit__(self, *exc: Any) -> None:
        for c in reversed(self.ctxs):
            c.__exit__(*exc)


@dataclass(frozen=True)
class Footprint:
    """Per-lane sizes of one program's pieces, in bytes, from abstract evaluation (no compute)."""

    host: int  # per-lane inputs made outside the program
    params: int
    data: int  # the fixed per-lane dataset
    batch: int  # what one step sees
    metrics: int  # number of logged metrics (with every parameter entry when train.log_params)
    logged_steps: int  # T/k + 1
    trace: int  # the logged trace of one lane
    checkpoints: int = 0  # the kept parameters of one lane (train.save_every)

    @property
    def lane(self) -> int:
        """Estimated peak bytes of one lane: inputs, params with gradient and two optimiser moments, dataset,
        a step's batch with room for its intermediates (4×), and the trace."""
        return self.host + 4 * self.params + self.data + 4 * self.batch + self.trace + self.checkpoints


def _abstract(template: RunConfig, problem: Problem) -> tuple:
    """Abstract host inputs, params, dataset, batch and metrics of a program (``jax.eval_shape``: traced, not run)."""
    with _program_ctx(template):
        fdt = jnp.float64 if template.train.dtype == "float64" else jnp.float32
        host = problem.host_inputs(template) if problem.host_inputs is not None else None
        spec = jax.tree_util.tree_map(lambda x: jax.ShapeDtypeStruct(np.shape(x), fdt), host)  # traced, as in the program
        key = jax.random.key(0)
        params = jax.eval_shape(lambda k, h: problem.init(k, template, h), key, spec)
        data = jax.eval_shape(lambda k, h: problem.dataset(k, template, h), key, spec)
        batch = jax.eval_shape(lambda k, d: problem.batch(k, template, d, jnp.int32(0)), key, data)
        metrics = jax.eval_shape(lambda p, d: problem.metrics(p, d, template), params, data)
    return host, spec, params, data, batch, metrics


def logged_metrics(template: RunConfig, problem_of: Callable[[RunConfig], Problem]) -> list[str]:
    """Names of the metrics a program logs at step 0 and every ``train.log_every`` steps, sorted (abstract
    evaluation of ``problem.metrics``: traced, not run), with every parameter entry when ``train.log_params``.
    The records also hold ``loss`` (the mean objective over each logging interval) and ``diverged_at``."""
    _, _, params, _, _, metrics = _abstract(template, problem_of(template))
    entries = list(jax.eval_shape(param_entries, params)) if template.train.log_params else []
    return sorted(set(metrics) | set(entries))


def footprint(template: RunConfig, problem_of: Callable[[RunConfig], Problem]) -> Footprint:
    """Abstract shapes of a program's init, dataset, batch and metrics (``jax.eval_shape``: traced, not run)."""
    size = lambda tree: int(sum(np.prod(x.shape) * np.dtype(x.dtype).itemsize  # noqa: E731
                                for x in jax.tree_util.tree_leaves(tree)))
    host, spec, params, data, batch, metrics = _abstract(template, problem_of(template))
    n_metrics = len(metrics) + (sum(int(np.prod(x.shape)) for x in jax.tree_util.tree_leaves(params))
                                if template.train.log_params else 0)
    logged = template.train.steps // template.train.log_every + 1
    itemsize = 8 if template.train.dtype == "float64" else 4
    S = template.train.save_every
    return Footprint(host=size(spec) if host is not None else 0, params=size(params), data=size(data),
                     batch=size(batch), metrics=n_metrics, logged_steps=logged,
                     trace=(n_metrics + 1) * logged * itemsize,
                     checkpoints=size(params) * (template.train.steps // S + 1) if S else 0)


def run_block(points: Sequence[RunConfig] | Mapping[int, RunConfig], block: LaneBlock,
              problem_of: Callable[[RunConfig], Problem]) -> LaneResult:
    """Run one block of lanes (points sharing a static config, indexed by ``block.lanes``) with its program."""
    template = points[block.lanes[0]]
    lanes = [points[i] for i in block.lanes]
    padded = lanes + [lanes[-1]] * (block.size - len(lanes))
    options = lane_options(template)
    with _program_ctx(template):
        fdt = jnp.float64 if template.train.dtype == "float64" else jnp.float32
        dyn = {}
        for p, opts in options.items():
            vals = [get_path(c, p) for c in padded]
            if opts is not None:  # categorical: the option's index
                dyn[p] = jnp.asarray([opts.index(v) for v in vals], jnp.int32)
            else:
                dyn[p] = jnp.asarray(vals, jnp.int32 if isinstance(vals[0], (int, np.integer)) and p == "seed" else fdt)
        problem = problem_of(template)
        host = None
        if problem.host_inputs is not None:
            hosts = [problem.host_inputs(c) for c in padded]
            host = jax.tree_util.tree_map(lambda *xs: jnp.asarray(np.stack(xs), fdt), *hosts)
        fn = _program(template, problem_of, block.size)
        params, trace = fn(dyn, host)
        params = jax.tree_util.tree_map(lambda a: np.asarray(a)[: len(lanes)], params)
        trace = jax.tree_util.tree_map(lambda a: np.asarray(a)[: len(lanes)], trace)
    T, k, S = template.train.steps, template.train.log_every, template.train.save_every
    return LaneResult(points=lanes, params=params, metrics=trace["metrics"], loss=trace["loss"],
                      diverged_at=trace["diverged_at"], steps=np.arange(0, T + 1, k),
                      checkpoints=trace.get("checkpoints"), checkpoint_steps=np.arange(0, T + 1, S) if S else None)


def iter_blocks(points: list[RunConfig], problem_of: Callable[[RunConfig], Problem]) -> Iterator[tuple[LaneBlock, LaneResult]]:
    """Run every block of ``points`` (any static configs); yields (block, results) in :func:`lane_blocks` order."""
    for block in lane_blocks(points):
        yield block, run_block(points, block, problem_of)


def run_lanes(points: list[RunConfig], problem_of: Callable[[RunConfig], Problem]) -> LaneResult:
    """Run any list of points (grouped into programs and blocks) and return results in input order."""
    if not points:
        raise ValueError("no points to run")
    return merge([(list(b.lanes), res) for b, res in iter_blocks(points, problem_of)], len(points))


def merge(results: list[tuple[list[int], LaneResult]], n: int) -> LaneResult:
    """Reassemble block results (possibly from different programs with equal shapes) in point order."""
    order = np.argsort(np.concatenate([np.asarray(i) for i, _ in results]))
    cat = lambda *xs: np.concatenate(xs)[order]  # noqa: E731
    parts = [r for _, r in results]
    pts = [p for r in parts for p in r.points]
    return LaneResult(
        points=[pts[i] for i in order],
        params=jax.tree_util.tree_map(cat, *[r.params for r in parts]),
        metrics=jax.tree_util.tree_map(cat, *[r.metrics for r in parts]),
        loss=cat(*[r.loss for r in parts]),
        diverged_at=cat(*[r.diverged_at for r in parts]),
        steps=parts[0].steps,
        checkpoints=(jax.tree_util.tree_map(cat, *[r.checkpoints for r in parts])
                     if all(r.checkpoints is not None for r in parts) else None),
        checkpoint_steps=parts[0].checkpoint_steps,
    )
