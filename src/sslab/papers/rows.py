"""Row builders for claims: a measured value against a predicted value or bound, with its verdict.

Each builder formats the numbers and decides the verdict in one place, so every claim of every paper
states its criterion the same way. Numbers always come from running the code.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np

from .paper import FAIL, PASS, REPORT, Row

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
