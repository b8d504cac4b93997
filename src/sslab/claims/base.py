"""Claims: a declared procedure, what it measures, the predicted value or bound, and a verdict per row.

A :class:`Claim` runs through a :class:`Context` (which caches runs, so claims sharing a run do not
recompute it) and returns :class:`Row` s. A claim passes when none of its gated rows fails; rows with
verdict ``REPORT`` carry information only. Numbers always come from running the code.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

PASS, FAIL, REPORT = "PASS", "FAIL", "REPORT"


@dataclass
class Row:
    """One criterion of a claim: measured value, predicted value or bound, verdict."""

    claim: str
    criterion: str
    measured: str
    predicted: str
    verdict: str
    group: str = ""  # e.g. the data-noise mode

    def as_dict(self) -> dict[str, str]:
        return {"claim": self.claim, "group": self.group, "criterion": self.criterion,
                "measured": self.measured, "predicted": self.predicted, "verdict": self.verdict}


@dataclass(frozen=True)
class Claim:
    """A paper's claim as an automatic check."""

    id: str  # e.g. "C2"
    paper: str  # e.g. "yang2024"
    title: str
    measure: Callable[["Context"], list[Row]]
    precision: str = "float32"
    slow: bool = False  # True: spec size takes minutes; `Context(size="quick")` runs a smaller version
    seeds: str = ""
    report_only: bool = False  # part of the HTML report (spec): runs with `check --report` or when named
    # scheduling hints for `check` on a process pool (never results): rough seconds at spec size on one
    # core, and the ids of this paper's claims whose runs this one reads (it starts after them)
    cost: float = 1.0
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.paper}.{self.id}"


@dataclass
class ClaimResult:
    claim: Claim
    rows: list[Row]
    seconds: float
    error: str | None = None
    compile_seconds: float = 0.0  # of ``seconds``: JAX tracing, lowering and XLA compilation

    @property
    def verdict(self) -> str:
        if self.error:
            return FAIL
        return FAIL if any(r.verdict == FAIL for r in self.rows) else PASS


class Context:
    """Shared state of one ``check``: the results store, the size, and a cache of runs and theory objects."""

    def __init__(self, store: Any = None, size: str = "full", progress: bool = False, workers: int | None = None):
        if size not in ("full", "quick"):
            raise ValueError(f"size must be 'full' or 'quick', got {size!r}")
        self.store = store
        self.size = size
        self.progress = progress
        #: processes a claim may use for its own sweeps (None: all cores; 1 inside a check worker)
        self.workers = workers
        self._cache: dict[Any, Any] = {}

    @property
    def quick(self) -> bool:
        return self.size == "quick"

    def run(self, experiment: str, overrides: Sequence[str]) -> Any:
        """Run (or reuse) an experiment with overrides; results are stored like any other run."""
        from ..api import run

        key = ("run", experiment, tuple(overrides))
        if key not in self._cache:
            self._cache[key] = run(experiment, list(overrides), store=self.store, progress=self.progress,
                                   figures=False)
        return self._cache[key]

    def memo(self, key: Any, fn: Callable[[], Any]) -> Any:
        """Compute-once cache for theory objects shared between claims."""
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]


_COMPILE = {"seconds": 0.0, "listening": False}


def compile_seconds() -> float:
    """Seconds this process has spent in JAX tracing, lowering and XLA compilation so far (jax.monitoring)."""
    if not _COMPILE["listening"]:
        import jax.monitoring

        def listen(name: str, seconds: float, **_: Any) -> None:
            if name.startswith("/jax/core/compile/"):
                _COMPILE["seconds"] += seconds

        jax.monitoring.register_event_duration_secs_listener(listen)
        _COMPILE["listening"] = True
    return _COMPILE["seconds"]


def run_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """Run one claim; an exception becomes a FAIL with its reason, never a number."""
    c0, t0 = compile_seconds(), time.time()
    try:
        rows, error = claim.measure(ctx), None
    except Exception as e:  # noqa: BLE001 - reported as the claim's failure
        rows, error = [], f"{type(e).__name__}: {e}"
    return ClaimResult(claim, rows, time.time() - t0, error, compile_seconds() - c0)


# --- row builders ---------------------------------------------------------------------------------

def fmt(x: float, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax < 1e-3 or ax >= 1e5):
        return f"{x:.3e}"
    return f"{x:.{digits}f}"


def _ok(value: float, op: str, bound: float) -> bool:
    if value is None or not np.isfinite(value):
        return False
    return {"<": value < bound, "<=": value <= bound, ">": value > bound, ">=": value >= bound,
            "==": value == bound}[op]


def close(claim: str, criterion: str, value: float, target: float, tol: float, group: str = "",
          digits: int = 4) -> Row:
    """|value − target| < tol."""
    ok = value is not None and np.isfinite(value) and abs(value - target) < tol
    return Row(claim, criterion, fmt(value, digits), f"{fmt(target, digits)} ± {fmt(tol, digits)}",
               PASS if ok else FAIL, group)


def bound(claim: str, criterion: str, value: float, op: str, limit: float, group: str = "",
          note: str = "", digits: int = 4) -> Row:
    """value <op> limit (a scalar criterion)."""
    measured = fmt(value, digits) + (f" ({note})" if note else "")
    return Row(claim, criterion, measured, f"{op} {fmt(limit, digits)}", PASS if _ok(value, op, limit) else FAIL, group)


def per_seed(claim: str, criterion: str, values: dict[int, float], op: str, limit: float, group: str = "",
             digits: int = 4) -> Row:
    """Every seed satisfies value <op> limit; shows the worst seed's value and its seed."""
    if not values:
        return Row(claim, criterion, "no seeds", f"{op} {fmt(limit, digits)}", FAIL, group)
    worst_seed = (min if op in (">", ">=") else max)(values, key=lambda s: values[s])
    nonfinite = [s for s, v in values.items() if not np.isfinite(v)]
    if nonfinite:
        worst_seed = nonfinite[0]
    n_bad = sum(not _ok(v, op, limit) for v in values.values())
    v = values[worst_seed]
    measured = f"{fmt(v, digits)} (worst: seed {worst_seed}; {n_bad}/{len(values)} seeds fail)"
    return Row(claim, criterion, measured, f"{op} {fmt(limit, digits)} every seed", FAIL if n_bad else PASS, group)


def positive_definite(claim: str, criterion: str, eigs: Iterable[float], group: str = "") -> Row:
    """Smallest eigenvalue > 0."""
    lo = float(np.min(np.asarray(list(eigs))))
    return Row(claim, criterion, f"min eig {fmt(lo, 6)}", "> 0", PASS if lo > 0 else FAIL, group)


def strictly_decreasing(claim: str, criterion: str, seq: Sequence[float], labels: Sequence[Any], group: str = "") -> Row:
    ok = all(np.isfinite(seq)) and all(b < a for a, b in zip(seq, seq[1:]))
    measured = ", ".join(f"{l}: {fmt(v)}" for l, v in zip(labels, seq))
    return Row(claim, criterion, measured, "strictly decreasing", PASS if ok else FAIL, group)


def report(claim: str, criterion: str, measured: str, expectation: str = "", group: str = "") -> Row:
    return Row(claim, criterion, measured, expectation or "(report)", REPORT, group)


def seed_values(results: Any, metric: str, step: int | None = None, where: dict | None = None) -> dict[int, float]:
    """{seed: value} of one logged metric at ``step`` (default: last), optionally filtered by axis columns."""
    df = results.records
    df = df[df.metric == metric]
    for col, v in (where or {}).items():
        if col in df.columns:
            df = df[np.isclose(df[col].astype(float), v)] if isinstance(v, float) else df[df[col] == v]
    s = df.step.max() if step is None else step
    df = df[df.step == s]
    return {int(r.seed): float(r.value) for r in df.itertuples()}


def diverged_rows(claim: str, results: Any, group: str = "") -> list[Row]:
    """A FAIL row naming the diverged lanes of a run (a diverged lane is never reported as a number)."""
    df = results.records
    d = df[(df.metric == "diverged_at") & (df.value >= 0)]
    if d.empty:
        return []
    which = ", ".join(f"seed {int(r.seed)} at step {int(r.value)}" for r in d.itertuples())
    return [Row(claim, "lanes finite (no NaN/inf)", f"diverged: {which}", "no diverged lane", FAIL, group)]
