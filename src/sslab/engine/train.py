"""The one engine: a pure ``train(key, config, problem)`` whose step loop is a ``lax.scan``.

A :class:`Problem` bundles the pure pieces of an experiment (initialisation, dataset, per-step batch,
objective, metrics). :func:`train` runs one lane; :mod:`sslab.engine.lanes` vmaps it over blocks of lanes.
Nothing here knows a paper, the results store or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..config import RunConfig

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


#: a finite blow-up: the parameter norm or a logging interval's mean loss beyond this multiple of its initial
#: value (at least 1) flags the lane as diverged (``train``)
BLOWUP = 1e6


def _norm(params: Params) -> jax.Array:
    return jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in jax.tree_util.tree_leaves(params)))


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(x)) for x in jax.tree_util.tree_leaves(tree)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.array(True)


def _select(pred: jax.Array, a: Any, b: Any) -> Any:
    return jax.tree_util.tree_map(lambda x, y: jnp.where(pred, x, y), a, b)


def train(key: jax.Array, cfg: RunConfig, problem: Problem, host: Any = None) -> tuple[Params, dict]:
    """Run one lane: returns final params and the trace (metrics at steps 0, k, 2k, ..., T).

    The trace holds ``metrics`` (each of shape [T/k + 1]), ``loss`` (mean training objective over each
    block of k steps, shape [T/k]), with ``train.save_every=S > 0`` also ``checkpoints`` (the params at steps
    0, S, 2S, ..., T, each of shape [T/S + 1, ...]; the last is the final params), and ``diverged_at``, -1 if the lane never diverged, else the first step
    whose loss or update was non-finite, or the first step of the logging interval at whose end the
    parameter norm or the interval's mean loss exceeded :data:`BLOWUP` times its initial value (at least 1)
    -- a finite blow-up. From then on the lane's parameters are frozen at the last good iterate.
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

    norm0 = _norm(params)

    def block(carry: tuple, c: jax.Array) -> tuple[tuple, tuple]:
        start, loss0 = carry[:3], carry[3]
        ts = c * k + jnp.arange(k)
        if problem.batch_ahead:
            k_batch, k_obj = jax.vmap(step_keys)(ts)
            batches = jax.vmap(lambda kb, t: problem.batch(kb, cfg, data, t))(k_batch, ts)
            (p, s, d), losses = jax.lax.scan(update, start, (ts, batches, k_obj))
        else:
            (p, s, d), losses = jax.lax.scan(step, start, ts)
        loss0 = jnp.where(c == 0, losses[0], loss0)
        mean = jnp.mean(losses)
        blown = (d < 0) & ((_norm(p) > BLOWUP * jnp.maximum(norm0, 1.0))
                           | (jnp.abs(mean) > BLOWUP * jnp.maximum(jnp.abs(loss0), 1.0)))
        d = jnp.where(blown, (c * k).astype(d.dtype), d)
        p, s = _select(blown, start[0], p), _select(blown, start[1], s)
        return (p, s, d, loss0), (logged(p), mean)

    m0 = logged(params)
    carry = (params, opt_state, jnp.array(-1, jnp.int32), jnp.zeros((), norm0.dtype))
    S = cfg.train.save_every
    if not S:  # the program without checkpoints (train.save_every=0, the default)
        (params, _, diverged_at, _), (ms, losses) = jax.lax.scan(block, carry, jnp.arange(T // k))
        metrics = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], b]), m0, ms)
        return params, {"metrics": metrics, "loss": losses, "diverged_at": diverged_at}

    def save_interval(carry: tuple, cs: jax.Array) -> tuple[tuple, tuple]:  # S/k logging blocks, then a checkpoint
        carry, ys = jax.lax.scan(block, carry, cs)
        return carry, (ys, carry[0])

    p0 = params
    (params, _, diverged_at, _), ((ms, losses), saved) = jax.lax.scan(
        save_interval, carry, jnp.arange(T // k).reshape(T // S, S // k))
    flat = lambda a: a.reshape(-1, *a.shape[2:])  # noqa: E731 - [intervals, blocks, ...] -> [T/k, ...]
    metrics = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], flat(b)]), m0, ms)
    checkpoints = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], b]), p0, saved)
    return params, {"metrics": metrics, "loss": flat(losses), "diverged_at": diverged_at, "checkpoints": checkpoints}
