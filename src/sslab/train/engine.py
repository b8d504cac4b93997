"""The one engine: a pure ``train(key, config)`` whose step loop is a ``lax.scan``, vmapped over lanes.

A :class:`Problem` bundles the pure pieces of an experiment (initialisation, dataset, per-step batch,
objective, metrics). :func:`train` runs one lane; :func:`run_lanes` packs many points that share the
static config into fixed-size blocks of lanes and runs each block with one compiled program.

Lane independence: every block has exactly ``train.lane_block`` lanes (padded with copies of the last
lane whose results are dropped), so a lane's arithmetic is the same program whatever its batch-mates,
and its result is bit-identical alone or among many lanes.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..config import Choice, RunConfig, get_path, lane_choices, lane_paths, set_path, static_key

Params = dict[str, jax.Array]
Metrics = dict[str, jax.Array]


@dataclass(frozen=True)
class Problem:
    """The pure pieces of one experiment; every callable is traced inside the compiled program.

    - ``init(key, cfg, host) -> params``: a dict of arrays.
    - ``dataset(key, cfg, host) -> data``: the fixed dataset (a dict of arrays; may be empty).
    - ``batch(key, cfg, data, step) -> batch``: what one step sees (full data, a minibatch or fresh samples).
    - ``objective(params, batch, key, cfg) -> loss``: scalar, augmentation drawn inside from ``key``.
    - ``metrics(params, data, cfg) -> dict``: scalars logged at step 0 and every ``log_every`` steps.
    - ``host_inputs(cfg) -> pytree | None``: per-lane NumPy inputs made outside the program
      (e.g. draws from NumPy's legacy RNG in official mode).
    - ``param_groups``: the update order for ``train.update_order=gauss_seidel``.
    - ``project(params, cfg) -> params``: applied after every update (e.g. renormalisation).
    - ``batch_ahead``: draw the batches of a whole ``log_every`` block at once, ``batch`` vmapped over
      the block's step keys (the same keys, so the same batches), then scan the updates over them;
      for online generators whose per-step random draws are many small ops (opt-in: it stores a block
      of batches, so leave it off when a batch is the full dataset).
    """

    init: Callable[..., Params]
    dataset: Callable[..., dict]
    batch: Callable[..., Any]
    objective: Callable[..., jax.Array]
    metrics: Callable[..., Metrics]
    host_inputs: Callable[[RunConfig], Any] | None = None
    param_groups: tuple[tuple[str, ...], ...] | None = None
    project: Callable[[Params, RunConfig], Params] | None = None
    batch_ahead: bool = False


def full_batch(key: jax.Array, cfg: RunConfig, data: dict, step: jax.Array) -> dict:
    """Full-batch GD: every step sees the whole fixed dataset."""
    return data


def minibatch(points: tuple[str, ...]) -> Callable[..., dict]:
    """Minibatches of ``train.batch_size`` distinct points drawn afresh each step from the fixed dataset."""

    def batch(key: jax.Array, cfg: RunConfig, data: dict, step: jax.Array) -> dict:
        n = data[points[0]].shape[0]
        size = cfg.train.batch_size or n
        idx = jax.random.choice(key, n, (size,), replace=False)
        return {k: (v[idx] if k in points else v) for k, v in data.items()}

    return batch


def online(sample: Callable[[jax.Array, RunConfig, int], dict]) -> Callable[..., dict]:
    """Online training: ``train.batch_size`` fresh samples from the data model every step."""

    def batch(key: jax.Array, cfg: RunConfig, data: dict, step: jax.Array) -> dict:
        return sample(key, cfg, cfg.train.batch_size)

    return batch


def make_optimizer(cfg: RunConfig) -> optax.GradientTransformation:
    """optax transformation for ``cfg.optim`` (lr, momentum and weight decay may be traced per lane)."""
    o = cfg.optim
    lr: Any = o.lr
    if o.schedule == "cosine":
        lr = optax.cosine_decay_schedule(o.lr, cfg.train.steps)
    if o.name == "gd":
        return optax.sgd(lr)
    if o.name == "sgd":
        return optax.chain(optax.add_decayed_weights(o.weight_decay), optax.sgd(lr, momentum=o.momentum))
    if o.name == "adam":
        return optax.adamw(lr, b1=o.b1, b2=o.b2, eps=o.eps, weight_decay=o.weight_decay)
    raise ValueError(f"unknown optimiser {o.name!r}")


def param_entries(params: Params) -> Metrics:
    """Every parameter entry as a named scalar, e.g. ``W[0,3]`` (for ``train.log_params``)."""
    out = {}
    for name, x in params.items():
        for idx in np.ndindex(*x.shape):
            out[f"{name}[{','.join(map(str, idx))}]" if idx else name] = x[idx]
    return out


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree_util.tree_leaves(tree)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def _select(pred: jax.Array, a: Any, b: Any) -> Any:
    return jax.tree_util.tree_map(lambda x, y: jnp.where(pred, x, y), a, b)


def train(key: jax.Array, cfg: RunConfig, problem: Problem, host: Any = None) -> tuple[Params, dict]:
    """Run one lane: returns final params and the trace (metrics at steps 0, k, 2k, ..., T).

    The trace holds ``metrics`` (each of shape [T/k + 1]), ``loss`` (mean training objective over each
    block of k steps, shape [T/k]) and ``diverged_at`` (first step whose loss or update was non-finite,
    -1 if none; the lane's parameters are frozen at the last finite iterate from then on).
    """
    T, k = cfg.train.steps, cfg.train.log_every
    k_init, k_data, k_steps = jax.random.split(key, 3)
    params = problem.init(k_init, cfg, host)
    data = problem.dataset(k_data, cfg, host)
    tx = make_optimizer(cfg)
    groups = problem.param_groups if cfg.train.update_order == "gauss_seidel" else None
    groups = groups or (tuple(params),)
    opt_state = tuple(tx.init({n: params[n] for n in g}) for g in groups)

    def objective(p: Params, batch: Any, kk: jax.Array) -> jax.Array:
        return problem.objective(p, batch, kk, cfg)

    def step_keys(t: jax.Array) -> tuple[jax.Array, jax.Array]:
        k_batch, k_obj = jax.random.split(jax.random.fold_in(k_steps, t))
        return k_batch, k_obj

    def step(carry: tuple, t: jax.Array) -> tuple[tuple, jax.Array]:
        k_batch, k_obj = step_keys(t)
        return update(carry, (t, problem.batch(k_batch, cfg, data, t), k_obj))

    def update(carry: tuple, xs: tuple) -> tuple[tuple, jax.Array]:
        params, opt_state, diverged_at = carry
        t, batch, k_obj = xs
        new, new_state, loss = dict(params), [], None
        for g, state in zip(groups, opt_state):
            sub = {n: new[n] for n in g}
            rest = {n: v for n, v in new.items() if n not in g}
            value, grad = jax.value_and_grad(lambda s: objective({**rest, **s}, batch, k_obj))(sub)
            loss = value if loss is None else loss
            updates, state = tx.update(grad, state, sub)
            new.update(optax.apply_updates(sub, updates))
            new_state.append(state)
        if problem.project is not None:
            new = problem.project(new, cfg)
        ok = jnp.isfinite(loss) & _all_finite(new)
        diverged_at = jnp.where((diverged_at < 0) & ~ok, t.astype(diverged_at.dtype), diverged_at)
        live = diverged_at < 0
        carry = (_select(live, new, params), _select(live, tuple(new_state), opt_state), diverged_at)
        return carry, loss

    def logged(p: Params) -> Metrics:
        m = problem.metrics(p, data, cfg)
        return {**m, **param_entries(p)} if cfg.train.log_params else m

    def block(carry: tuple, c: jax.Array) -> tuple[tuple, tuple]:
        ts = c * k + jnp.arange(k)
        if problem.batch_ahead:
            k_batch, k_obj = jax.vmap(step_keys)(ts)
            batches = jax.vmap(lambda kb, t: problem.batch(kb, cfg, data, t))(k_batch, ts)
            carry, losses = jax.lax.scan(update, carry, (ts, batches, k_obj))
        else:
            carry, losses = jax.lax.scan(step, carry, ts)
        return carry, (logged(carry[0]), jnp.mean(losses))

    m0 = logged(params)
    carry = (params, opt_state, jnp.array(-1, jnp.int32))
    (params, _, diverged_at), (ms, losses) = jax.lax.scan(block, carry, jnp.arange(T // k))
    metrics = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], b]), m0, ms)
    return params, {"metrics": metrics, "loss": losses, "diverged_at": diverged_at}


# --- lanes ----------------------------------------------------------------------------------------

@dataclass
class LaneResult:
    """Results of a group of points that share one compiled program, in the order given."""

    points: list[RunConfig]
    params: dict[str, np.ndarray]  # each [L, ...]
    metrics: dict[str, np.ndarray]  # each [L, T/k + 1]
    loss: np.ndarray  # [L, T/k]
    diverged_at: np.ndarray  # [L]
    steps: np.ndarray  # logged steps, [T/k + 1]


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
    for i, p in enumerate(points):
        groups.setdefault(static_key(p), []).append(i)
    return list(groups.values())


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


def iter_blocks(points: list[RunConfig], problem_of: Callable[[RunConfig], Problem]) -> Iterator[tuple[list[int], LaneResult]]:
    """Run points that share a static config block by block; yields (indices into points, results)."""
    template = points[0]
    B = template.train.lane_block
    options = lane_options(template)
    for start in range(0, len(points), B):
        idx = list(range(start, min(start + B, len(points))))
        block = [points[i] for i in idx] + [points[idx[-1]]] * (B - len(idx))
        with _program_ctx(template):
            fdt = jnp.float64 if template.train.dtype == "float64" else jnp.float32
            dyn = {}
            for p, opts in options.items():
                vals = [get_path(c, p) for c in block]
                if opts is not None:  # categorical: the option's index
                    dyn[p] = jnp.asarray([opts.index(v) for v in vals], jnp.int32)
                else:
                    dyn[p] = jnp.asarray(vals, jnp.int32 if isinstance(vals[0], (int, np.integer)) and p == "seed" else fdt)
            problem = problem_of(template)
            host = None
            if problem.host_inputs is not None:
                hosts = [problem.host_inputs(c) for c in block]
                host = jax.tree_util.tree_map(lambda *xs: jnp.asarray(np.stack(xs), fdt), *hosts)
            fn = _program(template, problem_of, B)
            params, trace = fn(dyn, host)
            params = jax.tree_util.tree_map(lambda a: np.asarray(a)[: len(idx)], params)
            trace = jax.tree_util.tree_map(lambda a: np.asarray(a)[: len(idx)], trace)
        T, k = template.train.steps, template.train.log_every
        yield idx, LaneResult(
            points=[points[i] for i in idx], params=params, metrics=trace["metrics"], loss=trace["loss"],
            diverged_at=trace["diverged_at"], steps=np.arange(0, T + 1, k))


def run_lanes(points: list[RunConfig], problem_of: Callable[[RunConfig], Problem]) -> LaneResult:
    """Run any list of points (grouped into programs and blocks) and return results in input order."""
    if not points:
        raise ValueError("no points to run")
    results: list[tuple[list[int], LaneResult]] = []
    for group in group_points(points):
        for idx, res in iter_blocks([points[i] for i in group], problem_of):
            results.append(([group[i] for i in idx], res))
    return merge(results, len(points))


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
    )
