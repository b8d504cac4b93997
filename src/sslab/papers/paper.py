"""What a paper declares: its experiments, its claims, its report figures and what it offers to composition.

A paper package exports one :class:`Paper`. Everything in it is declarative or pure: an :class:`Experiment`
builds configs and an engine :class:`~sslab.engine.train.Problem`; a :class:`Claim` is a procedure that gets
its runs from the :class:`Context` it is handed (never by importing the layers above) and returns
:class:`Row` s; figures are functions the report layer calls. The engine, the store, the check runner and
the command line are shared and live outside the paper.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from ..config import ConfigError, Plan, RunConfig, Section, apply_overrides, coerce, leaf_paths, parse_overrides
from ..engine.train import Problem

PASS, FAIL, REPORT = "PASS", "FAIL", "REPORT"


# --- experiments ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Experiment:
    """A named experiment: a base config, its engine problem and its run figures.

    ``presets`` are top-level fields that select a whole base config (e.g. ``method=sl``); they take
    one value each and are applied before the other overrides. ``base(**presets)`` builds the base
    config; ``default_axes`` are the lanes run when the user gives none (usually the seed set);
    ``figures(results)`` draws a stored run's figures; ``sections`` maps a section name to a factory
    that swaps the whole section by name (``data=NAME``; the factory may have a ``choices()``);
    ``labels`` and ``setting`` give figures readable metric names and a title for a run's setting.
    Every field is a module-level object, so an experiment pickles by reference into worker processes.
    """

    name: str
    title: str
    base: Callable[..., RunConfig]
    problem: Callable[[RunConfig], Problem]
    presets: tuple[str, ...] = ()
    default_axes: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    figures: Callable[..., list[str]] | None = None
    sections: dict[str, Callable[[str], Section]] = dataclasses.field(default_factory=dict)
    # for figures (Results.plot): readable names of metrics and config paths ("w11" -> "$w_1\\cdot e_1$",
    # "data.tau" -> "τ"), and a title label of a stored plan config ("SSL, condition 0, isotropic noise")
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    setting: Callable[[dict], str] | None = None

    def plan(self, overrides: Sequence[str] | dict[str, Any] = ()) -> Plan:
        """Build the plan (base config + axes) from ``key=value`` overrides; all errors before compute."""
        pairs = dict(parse_overrides(overrides if isinstance(overrides, dict) else list(overrides)))
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


# --- claims ---------------------------------------------------------------------------------------

class Results(Protocol):
    """A stored run as claims and figures see it (implemented by :class:`sslab.results.Results`)."""

    run_id: str
    plan_config: dict

    @property
    def records(self) -> Any: ...  # pandas DataFrame of tidy records

    @property
    def params(self) -> dict[str, Any]: ...


class Context(Protocol):
    """What a claim (or a report figure) is handed by the check runner (:class:`sslab.check.Context`).

    ``size`` is ``full`` (the spec's sizes) or ``quick`` (smaller versions of slow claims); ``workers`` is how
    many processes a claim may use for its own sweeps (None: all cores; 1 inside a check worker).
    """

    size: str
    workers: int | None

    @property
    def quick(self) -> bool: ...

    def run(self, experiment: str, overrides: Sequence[str]) -> Results:
        """Run (or reuse) an experiment of any registered paper with ``key=value`` overrides."""

    def run_plan(self, experiment: str, plan: Plan, name: str) -> Results:
        """Run (or reuse) an explicit plan under the run id ``name`` (on ``workers`` processes)."""

    def memo(self, key: Any, fn: Callable[[], Any]) -> Any:
        """Compute-once cache shared by the claims of one check process."""

    def stored_table(self, results: Results, name: str, fn: Callable[[], Any]) -> Any:
        """A DataFrame derived from a finished run, computed once and kept next to the run (atomically)."""


@dataclass
class Row:
    """One criterion of a claim: what was measured, the prediction or bound, the verdict, and how it was decided.

    ``rule`` states the decision rule ("every seed < 0.05", "|seed mean − a*| < 0.15", "≥ 4/5 seeds");
    ``stat`` the statistic and its uncertainty (e.g. ``{"kind": "mean", "value", "lo", "hi", "n", "method"}``);
    ``values`` the per-seed (or per-item) numbers behind it. Build rows with :mod:`sslab.papers.rows`.
    """

    claim: str
    criterion: str
    measured: str
    predicted: str
    verdict: str
    group: str = ""  # e.g. the data-noise mode
    rule: str = ""
    values: dict[str, float] = dataclasses.field(default_factory=dict)
    stat: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "group": self.group, "criterion": self.criterion, "measured": self.measured,
                "predicted": self.predicted, "verdict": self.verdict, "rule": self.rule, "stat": self.stat,
                "values": self.values}


@dataclass(frozen=True)
class Claim:
    """A paper's claim as an automatic check: ``measure(ctx)`` returns its rows; it passes when no gated row
    fails (rows with verdict ``REPORT`` carry information only). Numbers always come from running the code."""

    id: str  # e.g. "C2"
    paper: str  # e.g. "yang2024"
    title: str
    measure: Callable[[Context], list[Row]]
    precision: str = "float32"
    slow: bool = False  # True: spec size takes minutes; a quick-size context runs a smaller version
    seeds: str = ""
    report_only: bool = False  # part of the HTML report (spec): runs with `check --report` or when named
    # scheduling hints for `check` on a process pool (never results): rough seconds at spec size on one
    # core, and the ids of this paper's claims whose runs this one reads (it starts after them)
    cost: float = 1.0
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.paper}.{self.id}"


# --- composition ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DataModel:
    """A paper's data model as composition (``sslab run compose data=NAME``) sees it.

    ``views(key, cfg, data, B, dtype) -> (x1, x2)`` draws B fresh pairs of views; ``recovery(W, data, cfg)
    -> dict`` scores learned input weights W against the data model's own features (``recovery`` in [0, 1],
    higher is better; ``cfg.model.name`` names the encoder, ``auto`` its own); ``noise_std(section)`` is each view's dense-noise std per unit ‖w‖ (the
    soft-threshold bias of Wen–Li's encoder); ``check(cfg, r)`` rejects what cannot fit (``ConfigError``),
    r being the encoder's output dimension.
    """

    name: str
    section: Callable[[], Section]
    shape: Callable[[Section], tuple[int, ...]]  # one example's input shape
    default_r: Callable[[Section], int]
    own_encoder: str
    views: Callable[..., tuple[Any, Any]]
    recovery: Callable[..., dict]
    noise_std: Callable[[Section], tuple]
    recovery_doc: str
    host: Callable[[RunConfig], dict] | None = None
    dataset: Callable[..., dict] = lambda key, c, host, dt: {}
    check: Callable[[RunConfig, int], None] = lambda c, r: None


@dataclass(frozen=True)
class Encoder:
    """An encoder composition can train: ``init(key, cfg, shape, r, dtype) -> params``, ``encode(params, x, cfg,
    s, t) -> z`` for a batch x of shape (B, *shape) (``s`` the view's noise std, ``t`` the step), ``features
    (params)`` the learned input weights (one row per neuron; per-RF (K, n, d) for RF encoders).
    ``needs_data`` names the only data model it fits (None: any, inputs flattened); ``check(cfg)`` rejects
    what it cannot train (``ConfigError``)."""

    name: str
    params: tuple[str, ...]
    init: Callable[..., dict]
    encode: Callable[..., Any]
    features: Callable[[dict], Any]
    needs_data: str | None = None
    doc: str = ""
    check: Callable[[RunConfig], None] = lambda c: None  # encoder-specific constraints (ConfigError)


# --- the paper ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paper:
    """Everything sslab knows of one paper; a paper package exports one as ``PAPER``.

    ``name`` prefixes its claim keys (``yang2024.C5``); ``figures(ctx, outdir)`` draws the check report's
    figures from the claims' runs and returns their paths, or (path, caption) pairs (a caption says what
    theory predicts and what was measured; a bare path's caption is the one stored in the file by
    :func:`sslab.plotting.set_caption`); ``optional`` papers run only when named (``sslab check NAME``);
    ``data_models`` and ``encoders`` are what it offers to composition; ``theory`` names its public theory
    objects, functions of keyword parameters (``sslab theory NAME.OBJECT key=value``).
    """

    name: str
    title: str
    summary: str = ""
    experiments: tuple[Experiment, ...] = ()
    claims: tuple[Claim, ...] = ()
    figures: Callable[[Context, Path], list[Path | tuple[Path, str]]] | None = None
    optional: bool = False
    data_models: tuple[DataModel, ...] = ()
    encoders: tuple[Encoder, ...] = ()
    theory: dict[str, Callable[..., Any]] = dataclasses.field(default_factory=dict)
    #: other names of the paper and of its experiment of the same name (``sslab run|check ALIAS``); runs and
    #: claims are stored under ``name``
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bad = [a for a in self.aliases if not isinstance(a, str) or not a.isidentifier() or a == self.name]
        if bad:
            raise ValueError(f"paper {self.name!r}: invalid aliases {bad} (identifiers other than the name)")
        ids = [c.id for c in self.claims]
        if len(ids) != len(set(ids)):
            raise ValueError(f"paper {self.name!r}: repeated claim ids {sorted({i for i in ids if ids.count(i) > 1})}")
        wrong = [c.key for c in self.claims if c.paper != self.name]
        if wrong:
            raise ValueError(f"paper {self.name!r}: claims of another paper {wrong}")
