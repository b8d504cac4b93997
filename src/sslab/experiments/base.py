"""An experiment declares its config, its Problem and its figures; the engine and store are shared."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, Callable

from ..config import ConfigError, Plan, RunConfig, apply_overrides, coerce, leaf_paths
from ..train.engine import Problem


@dataclass(frozen=True)
class Experiment:
    """A named experiment.

    ``presets`` are top-level fields that select a whole base config (e.g. ``method=sl``); they take
    one value each and are applied before the other overrides. ``base(**presets)`` builds the base
    config; ``default_axes`` are the lanes run when the user gives none (usually the seed set).
    """

    name: str
    title: str
    base: Callable[..., RunConfig]
    problem: Callable[[RunConfig], Problem]
    presets: tuple[str, ...] = ()
    default_axes: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    figures: Callable[..., list[str]] | None = None
    sections: dict[str, Callable[[str], Any]] = dataclasses.field(default_factory=dict)

    def plan(self, overrides: list[str] | dict[str, Any] = ()) -> Plan:
        """Build the plan (base config + axes) from ``key=value`` overrides; all errors before compute."""
        pairs = _as_dict(overrides)
        template = self.base()
        chosen = {}
        for key in self.presets:
            if key in pairs:
                raw = pairs.pop(key)
                if isinstance(raw, str) and ("," in raw):
                    raise ConfigError(f"{key}: takes a single value (run one {key} per command), got {raw!r}")
                tp = typing.get_type_hints(type(template))[key]
                chosen[key] = coerce(key, raw, tp)
        base = self.base(**chosen)
        plan = Plan(base, {k: list(v) for k, v in self.default_axes.items()})
        return apply_overrides(plan, pairs, self.sections or None)

    def keys(self) -> list[str]:
        return list(leaf_paths(self.base()))


def _as_dict(overrides: list[str] | dict[str, Any]) -> dict[str, Any]:
    if isinstance(overrides, dict):
        return dict(overrides)
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not key=value (e.g. data.tau=7 or seed=0:20)")
        k, v = item.split("=", 1)
        k = k.strip()
        if k in out:
            raise ConfigError(f"override key given twice: {k}")
        out[k] = v
    return out
