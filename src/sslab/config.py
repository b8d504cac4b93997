"""Typed configs, ``key=value`` overrides with dotted paths, and lane axes.

A run is described by a :class:`RunConfig` (one point) plus *axes*: config paths that take a list of
values (``seed=0:20``, ``data.tau=3,5,7``). The grid of points is the Cartesian product of the axes.
Fields marked ``lane=True`` are traced inside the compiled program, so points that differ only in
lane fields share one compiled program and run as vectorised lanes; all other fields are static.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Union, get_args, get_origin


class ConfigError(ValueError):
    """A malformed config or override; the message is one line naming the problem and the choices."""


def param(default: Any = dataclasses.MISSING, *, lane: bool = False, check: Callable[[Any], str | None] | None = None,
          doc: str = "", default_factory: Any = dataclasses.MISSING) -> Any:
    """A config field; ``lane=True`` lets it vary across the lanes of one compiled program."""
    meta = {"lane": lane, "check": check, "doc": doc}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


# --- value checks ---------------------------------------------------------------------------------

def positive(x: Any) -> str | None:
    return None if x is None or x > 0 else "must be > 0"


def nonnegative(x: Any) -> str | None:
    return None if x is None or x >= 0 else "must be >= 0"


def in_range(lo: float, hi: float) -> Callable[[Any], str | None]:
    def check(x: Any) -> str | None:
        return None if x is None or lo <= x <= hi else f"must be in [{lo}, {hi}]"
    return check


def seed_range(x: Any) -> str | None:
    return None if 0 <= x < 2**31 else "must be an integer in [0, 2**31)"


# --- sections -------------------------------------------------------------------------------------

@dataclass
class Section:
    """Base of every config section; subclasses add fields and may override :meth:`check`."""

    def check(self) -> None:  # cross-field constraints; raise ConfigError
        return None

    def resolve(self) -> "Section":  # fill derived defaults (e.g. rho = d**-1.5)
        return self


@dataclass
class OptimConfig(Section):
    """Optimiser (spec-independent): plain GD, SGD with momentum and weight decay, or Adam."""

    name: Literal["gd", "sgd", "adam"] = param("gd", doc="gd: plain gradient descent; sgd: momentum + wd; adam")
    lr: float = param(0.1, lane=True, check=positive, doc="step size")
    momentum: float = param(0.0, lane=True, check=in_range(0.0, 1.0), doc="SGD momentum (PyTorch semantics)")
    weight_decay: float = param(0.0, lane=True, check=nonnegative, doc="coupled L2 added to the gradient (sgd); decoupled (adam)")
    schedule: Literal["constant", "cosine"] = param("constant", doc="learning-rate schedule over the run")
    b1: float = param(0.9, check=in_range(0.0, 1.0))
    b2: float = param(0.999, check=in_range(0.0, 1.0))
    eps: float = param(1e-8, check=positive)

    def check(self) -> None:
        if self.name == "gd" and (self.momentum != 0.0 or self.weight_decay != 0.0):
            raise ConfigError("optim: momentum/weight_decay need optim.name=sgd or adam, not gd")


@dataclass
class TrainConfig(Section):
    """Engine settings: step count, logging cadence, batching, reduction, precision, lane blocks."""

    steps: int = param(1000, check=positive, doc="number of optimiser steps T")
    log_every: int = param(1, check=positive, doc="metrics are logged at step 0 and every log_every steps")
    batch: Literal["full", "minibatch", "online"] = param(
        "full", doc="full: the fixed dataset each step; minibatch: B points of it; online: B fresh samples")
    batch_size: int = param(0, check=nonnegative, doc="B for minibatch/online (0: n)")
    reduction: Literal["mean", "sum"] = param("mean", doc="objective over points: mean (paper) or sum (official code)")
    update_order: Literal["joint", "gauss_seidel"] = param(
        "joint", doc="joint: all parameters at once; gauss_seidel: one parameter group after another")
    dtype: Literal["float32", "float64"] = param("float32", doc="float64 enables jax_enable_x64")
    prng: Literal["threefry_partitionable", "threefry_classic"] = param(
        "threefry_partitionable",
        doc="threefry2x32 bit layout: partitionable (JAX's default) or classic (about 25% faster on CPU; other streams)")
    log_params: bool = param(False, doc="also log every parameter entry (e.g. W[0,3]) at each logged step")
    lane_block: int = param(8, check=positive, doc="lanes per vectorised block; results are bit-identical for a fixed block")
    save_every: int = param(0, check=nonnegative,
                            doc="keep the parameters at step 0 and every save_every steps (0: off); a multiple of "
                                "log_every that divides steps")

    def check(self) -> None:
        if self.batch == "online" and self.batch_size == 0:
            raise ConfigError("train.batch=online needs train.batch_size > 0")
        if self.steps % self.log_every:
            raise ConfigError(f"train.log_every={self.log_every} must divide train.steps={self.steps}")
        if self.save_every:
            if self.save_every % self.log_every:
                raise ConfigError(f"train.save_every={self.save_every} must be a multiple of "
                                  f"train.log_every={self.log_every}")
            if self.steps % self.save_every:
                raise ConfigError(f"train.save_every={self.save_every} must divide train.steps={self.steps}")


@dataclass
class RunConfig:
    """One point of an experiment: every section resolved, one seed."""

    experiment: str
    data: Section
    model: Section
    loss: Section
    optim: OptimConfig = param(default_factory=OptimConfig)
    train: TrainConfig = param(default_factory=TrainConfig)
    seed: int = param(0, lane=True, check=seed_range, doc="PRNG seed of this lane")

    def check(self) -> None:
        """Cross-section constraints of an experiment (override in a subclass; raise ConfigError)."""
        return None


# --- reflection helpers ---------------------------------------------------------------------------

def _fields(obj: Any) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(obj)}


def _hints(obj: Any) -> dict[str, Any]:
    return typing.get_type_hints(type(obj))


def _is_section(x: Any) -> bool:
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def leaf_paths(cfg: Any, prefix: str = "") -> dict[str, dataclasses.Field]:
    """All dotted paths of leaf fields, with their dataclass fields."""
    out: dict[str, dataclasses.Field] = {}
    for name, f in _fields(cfg).items():
        value = getattr(cfg, name)
        path = f"{prefix}{name}"
        if _is_section(value):
            out.update(leaf_paths(value, path + "."))
        else:
            out[path] = f
    return out


def get_path(cfg: Any, path: str) -> Any:
    for part in path.split("."):
        cfg = getattr(cfg, part)
    return cfg


def set_path(cfg: Any, path: str, value: Any) -> Any:
    """Functional update of a nested dataclass at a dotted path."""
    head, _, rest = path.partition(".")
    if not rest:
        return dataclasses.replace(cfg, **{head: value})
    return dataclasses.replace(cfg, **{head: set_path(getattr(cfg, head), rest, value)})


def lane_paths(cfg: Any) -> list[str]:
    """Paths of fields traced per lane (``lane=True``)."""
    return [p for p, f in leaf_paths(cfg).items() if f.metadata.get("lane")]


def lane_choices(cfg: Any, path: str) -> tuple[str, ...] | None:
    """The options of a categorical (``Literal``) field, traced per lane as an index; None for other fields."""
    head, _, name = path.rpartition(".")
    tp = _hints(get_path(cfg, head) if head else cfg)[name]
    return get_args(tp) if get_origin(tp) is Literal else None


class Choice:
    """A categorical lane field inside the compiled program: ``cfg.x == "a"`` is a traced bool, for ``jnp.where``.

    Using it as a Python bool (``if cfg.x == "a":``), a dict key or a string raises, never silently picks a branch.
    """

    def __init__(self, code: Any, options: tuple[str, ...]):
        self.code, self.options = code, options

    def _index(self, other: Any) -> int:
        if other not in self.options:
            raise ValueError(f"{other!r} is not one of the lane field's options {self.options}")
        return self.options.index(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.code == self._index(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.code != self._index(other)

    def __bool__(self) -> bool:
        raise TypeError(f"a categorical lane field (options {self.options}) is traced: compare it with == and select "
                        "with jnp.where, not with Python control flow")

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        raise TypeError(f"a categorical lane field (options {self.options}) has no Python value inside the program")

    def __repr__(self) -> str:
        return f"Choice({self.options})"


def static_key(cfg: RunConfig) -> tuple:
    """Everything that shapes the compiled program: all non-lane fields (and section types)."""
    lanes = set(lane_paths(cfg))
    items = [(p, repr(get_path(cfg, p))) for p in leaf_paths(cfg) if p not in lanes]
    types_ = [(name, type(getattr(cfg, name)).__qualname__) for name in _fields(cfg)]
    return tuple(items + types_)


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def flat_dict(cfg: Any) -> dict[str, Any]:
    return {p: get_path(cfg, p) for p in leaf_paths(cfg)}


# --- parsing --------------------------------------------------------------------------------------

def _describe(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if get_origin(tp) in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in get_args(tp) if a is not type(None)) + " or none"
    return getattr(tp, "__name__", str(tp))


def coerce(path: str, raw: Any, tp: Any) -> Any:
    """Convert one raw value (string from the CLI, or a Python value) to the field's type."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if raw is None or (isinstance(raw, str) and raw.lower() in ("none", "null")):
            if type(None) in get_args(tp):
                return None
        errors = []
        for a in args:
            try:
                return coerce(path, raw, a)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(f"{path}: expected {_describe(tp)}, got {raw!r}")
    if origin is Literal:
        choices = get_args(tp)
        for c in choices:
            if raw == c or (isinstance(raw, str) and str(c) == raw):
                return c
        raise ConfigError(f"{path}: invalid value {raw!r}; valid choices: {', '.join(map(str, choices))}")
    if tp is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "1", "yes", "false", "0", "no"):
            return raw.lower() in ("true", "1", "yes")
        raise ConfigError(f"{path}: expected true or false, got {raw!r}")
    if tp is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{path}: expected an integer, got {raw!r}")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ConfigError(f"{path}: expected an integer, got {raw!r}") from None
    if tp is float:
        if isinstance(raw, bool):
            raise ConfigError(f"{path}: expected a number, got {raw!r}")
        try:
            value = float(eval_number(raw) if isinstance(raw, str) else raw)
        except (TypeError, ValueError, ArithmeticError):
            raise ConfigError(f"{path}: expected a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise ConfigError(f"{path}: expected a finite number, got {raw!r}")
        return value
    if tp is str:
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"{path}: expected a non-empty string, got {raw!r}")
        return raw
    raise ConfigError(f"{path}: cannot set a field of type {_describe(tp)} from {raw!r}")


def eval_number(text: str) -> float:
    """Parse a number, allowing simple fractions and powers such as ``1/800`` or ``10**-1.5``."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    if "/" in text and text.count("/") == 1:
        num, den = text.split("/")
        return eval_number(num) / eval_number(den)
    if "**" in text and text.count("**") == 1:
        base, exp = text.split("**")
        return eval_number(base) ** eval_number(exp)
    raise ValueError(text)


def _is_float_field(tp: Any) -> bool:
    """A ``float`` field, or an optional one (``float | None``)."""
    if tp is float:
        return True
    return get_origin(tp) in (Union, types.UnionType) and float in get_args(tp)


#: float ranges: ``lin:lo:hi:n`` (n evenly spaced values, both ends included), ``log:lo:hi:n`` (geometric)
FLOAT_RANGES = ("lin", "log")


def float_range(path: str, raw: str) -> list[float]:
    """``lin:lo:hi:n`` or ``log:lo:hi:n``: ``n >= 2`` values from ``lo`` to ``hi``, both included, evenly spaced
    (``lin``) or evenly spaced in log scale (``log``, ``lo, hi > 0``), rounded to 12 significant digits
    (``lin:0:1:11`` gives 0.3, not 0.30000000000000004); a one-line :class:`ConfigError` on any other form."""
    usage = f"use lin:lo:hi:n or log:lo:hi:n (e.g. {path}=log:1e-3:1e-1:5)"
    kind, *parts = raw.split(":")
    if kind not in FLOAT_RANGES or len(parts) != 3:
        raise ConfigError(f"{path}: bad range {raw!r}; {usage}")
    try:
        lo, hi = (float(eval_number(p)) for p in parts[:2])
    except (ValueError, ArithmeticError):
        raise ConfigError(f"{path}: bad range {raw!r}: lo and hi must be numbers; {usage}") from None
    try:
        n = int(parts[2].strip())
    except ValueError:
        raise ConfigError(f"{path}: bad range {raw!r}: n must be an integer >= 2; {usage}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ConfigError(f"{path}: bad range {raw!r}: lo and hi must be finite")
    if n < 2 or n > 100_000:
        raise ConfigError(f"{path}: bad range {raw!r}: n must be an integer in [2, 100000]")
    if lo == hi:
        raise ConfigError(f"{path}: bad range {raw!r}: lo and hi are equal")
    if kind == "log":
        if lo <= 0 or hi <= 0:
            raise ConfigError(f"{path}: bad range {raw!r}: log ranges need lo > 0 and hi > 0")
        a, b = math.log10(lo), math.log10(hi)
        values = [10.0 ** (a + i * (b - a) / (n - 1)) for i in range(n)]
    else:
        values = [lo + i * (hi - lo) / (n - 1) for i in range(n)]
    values = [float(f"{v:.12g}") for v in values]
    values[0], values[-1] = lo, hi
    if len(set(values)) != n:
        raise ConfigError(f"{path}: bad range {raw!r}: {n} values do not fit between lo and hi at 12 digits")
    return values


def split_values(path: str, raw: str, tp: Any) -> list[Any]:
    """Split an override value into one or more values: ``a,b,c``, an integer range ``lo:hi[:step]`` or, for a
    float field, ``lin:lo:hi:n`` / ``log:lo:hi:n`` (:func:`float_range`)."""
    raw = raw.strip()
    if raw == "":
        raise ConfigError(f"{path}: empty value; give a value or a list such as {path}=1,2,3")
    if ":" in raw and "," not in raw and raw.split(":", 1)[0] in FLOAT_RANGES:
        if not _is_float_field(tp):
            kind = "lo:hi[:step] for an integer field" if tp is int else "a value or a list a,b,c"
            raise ConfigError(f"{path}: lin:/log: ranges are for number fields with a fractional value; use {kind}")
        return float_range(path, raw)
    if _is_float_field(tp) and ":" in raw:
        raise ConfigError(f"{path}: bad range {raw!r}; a float field takes lin:lo:hi:n or log:lo:hi:n "
                          f"(e.g. {path}=log:1e-3:1e-1:5), or a list a,b,c")
    if tp is int and ":" in raw:
        parts = raw.split(":")
        try:
            lo, hi, *step = (int(p) for p in parts)
        except ValueError:
            raise ConfigError(f"{path}: bad range {raw!r}; use lo:hi or lo:hi:step with integers") from None
        if len(parts) > 3 or (step and step[0] == 0):
            raise ConfigError(f"{path}: bad range {raw!r}; use lo:hi or lo:hi:step with a non-zero step")
        rng = range(lo, hi, step[0] if step else 1)
        if len(rng) == 0:
            raise ConfigError(f"{path}: range {raw!r} is empty; use lo:hi with lo < hi")
        return list(rng)
    items = [s.strip() for s in raw.split(",")]
    if any(s == "" for s in items):
        raise ConfigError(f"{path}: empty item in list {raw!r}")
    return [coerce(path, s, tp) for s in items]


# --- plans: a base point plus axes ----------------------------------------------------------------

@dataclass
class Plan:
    """A base config and the axes that expand it into a grid of points (lanes and programs)."""

    base: RunConfig
    axes: dict[str, list[Any]] = field(default_factory=dict)

    def points(self) -> list[RunConfig]:
        """Every grid point, in row-major axis order (computed once per plan).

        The seed axis is applied after resolving: no section's derived default reads the seed, so the points
        of one setting share its resolved sections and a million seeds cost a million shallow copies."""
        cached = self.__dict__.get("_points")
        if cached is not None:
            return cached
        paths = list(self.axes)
        out = []
        resolved: dict[tuple, RunConfig] = {}
        for values in itertools.product(*(self.axes[p] for p in paths)):
            rest = tuple((p, repr(v)) for p, v in zip(paths, values) if p != "seed")
            cfg = resolved.get(rest)
            if cfg is None:
                cfg = self.base
                for p, v in zip(paths, values):
                    if p != "seed":
                        cfg = set_path(cfg, p, v)
                cfg = resolved[rest] = resolve(cfg)
            if "seed" in self.axes:
                cfg = dataclasses.replace(cfg, seed=values[paths.index("seed")])
            out.append(cfg)
        self.__dict__["_points"] = out
        return out

    def size(self) -> int:
        return math.prod(len(v) for v in self.axes.values())

    def __getstate__(self) -> dict:  # the points are recomputed, never pickled
        return {k: v for k, v in self.__dict__.items() if k != "_points"}


def resolve(cfg: Any) -> Any:
    """Resolve derived defaults in every section (bottom-up)."""
    changes = {n: resolve(getattr(cfg, n)) for n in _fields(cfg) if _is_section(getattr(cfg, n))}
    cfg = dataclasses.replace(cfg, **changes) if changes else cfg
    return cfg.resolve() if isinstance(cfg, Section) else cfg


def check_value(path: str, f: dataclasses.Field, value: Any) -> None:
    chk = f.metadata.get("check")
    if chk is not None and value is not None:
        msg = chk(value)
        if msg:
            raise ConfigError(f"{path}: {msg}, got {value!r}")


def validate(cfg: RunConfig) -> None:
    """Run every field check and section check; raise ConfigError on the first problem."""
    for path, f in leaf_paths(cfg).items():
        check_value(path, f, get_path(cfg, path))

    def walk(obj: Any) -> None:
        if isinstance(obj, (Section, RunConfig)):
            obj.check()
        for name in _fields(obj):
            v = getattr(obj, name)
            if _is_section(v):
                walk(v)

    walk(cfg)


def apply_overrides(plan: Plan, overrides: list[str] | dict[str, Any],
                    sections: dict[str, Callable[[str], Section]] | None = None) -> Plan:
    """Apply ``key=value`` overrides (dotted paths) to a plan; lists become axes.

    ``sections`` maps a section name (``data``, ``model``, ``loss``) to a factory that builds the
    section's default config from a registry name, so ``data.name=...`` (or ``data=...``) swaps the
    whole section.
    Every error is a one-line :class:`ConfigError` raised before any compute.
    """
    pairs = parse_overrides(overrides)
    if sections:  # shorthand: data=X means data.name=X
        pairs = [(f"{k}.name" if k in sections else k, v) for k, v in pairs]
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ConfigError(f"override key(s) given twice: {', '.join(sorted({k for k in keys if keys.count(k) > 1}))}")
    base, axes = plan.base, dict(plan.axes)
    # Section swaps first, so later keys are checked against the new section's fields.
    for key, raw in list(pairs):
        head, _, tail = key.partition(".")
        if tail == "name" and sections and head in sections:
            try:
                base = dataclasses.replace(base, **{head: sections[head](str(raw))})
            except KeyError as e:
                raise ConfigError(f"{key}: {e.args[0]}") from None
            axes = {p: v for p, v in axes.items() if not p.startswith(head + ".")}
            pairs.remove((key, raw))
    valid = leaf_paths(base)
    hints_cache: dict[int, dict[str, Any]] = {}
    for key, raw in pairs:
        if key not in valid:
            raise ConfigError(_unknown_key_message(key, valid))
        parent_path, _, leaf = key.rpartition(".")
        parent = get_path(base, parent_path) if parent_path else base
        hints = hints_cache.setdefault(id(type(parent)), _hints(parent))
        tp = hints[leaf]
        if leaf == "name" and parent_path in ("data", "model", "loss"):
            raise ConfigError(f"{key}: cannot be changed for this experiment")
        values = split_values(key, raw, tp) if isinstance(raw, str) else (
            [coerce(key, v, tp) for v in raw] if isinstance(raw, (list, tuple, range)) else [coerce(key, raw, tp)])
        if not values:
            raise ConfigError(f"{key}: empty list of values")
        for v in values:
            check_value(key, valid[key], v)
        if len(values) != len(set(map(repr, values))):
            raise ConfigError(f"{key}: repeated values in {raw!r}")
        if len(values) == 1:
            base = set_path(base, key, values[0])
            axes.pop(key, None)
        else:
            axes[key] = values
    new = Plan(base, axes)
    # Each value was checked above; cross-field checks see every combination of the other axes, but not every
    # seed (no check reads the seed), so planning a million seeds stays arithmetic.
    probe = Plan(base, {k: (v if k != "seed" else v[:1]) for k, v in axes.items()})
    for point in [resolve(probe.base)] + probe.points():
        validate(point)
    return new


def parse_overrides(overrides: list[str] | tuple[str, ...] | dict[str, Any]) -> list[tuple[str, Any]]:
    """``key=value`` strings (or a dict) as (key, raw value) pairs; a malformed item or a repeated key is a
    one-line :class:`ConfigError`. The one parser of overrides (CLI, Python API, claims)."""
    if isinstance(overrides, dict):
        return list(overrides.items())
    out = []
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not key=value (e.g. data.tau=7 or seed=0:20)")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise ConfigError(f"override {item!r} has an empty key")
        out.append((key, raw))
    keys = [k for k, _ in out]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ConfigError(f"override key(s) given twice: {', '.join(sorted(dup))}")
    return out


def _unknown_key_message(key: str, valid: dict[str, Any]) -> str:
    head = key.rpartition(".")[0]
    siblings = sorted(p for p in valid if p.rpartition(".")[0] == head) if head else []
    import difflib
    close = difflib.get_close_matches(key, list(valid), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    choices = siblings or sorted(valid)
    return f"unknown config key {key!r}{hint}; valid keys: {', '.join(choices)}"
