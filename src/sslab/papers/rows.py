"""Row builders for claims: a measured statistic against a predicted value or bound, its uncertainty, the
decision rule, and the verdict.

Each builder formats the numbers and decides the verdict in one place, so every claim of every paper states
its criterion the same way. A row that aggregates seeds carries its per-seed values (``Row.values``, written
by ``sslab check --json``), its statistic with an uncertainty (``Row.stat``) and the rule that decides it
(``Row.rule``):

- :func:`mean_ci`: the seed mean ± the half-width of its 95% Student-t interval, and n;
- :func:`fraction`: k/n with its 95% Clopper–Pearson interval;
- :func:`per_seed` (every seed) and :func:`at_least` (at least k of n seeds): the worst seed and how many pass;
- :func:`close` and :func:`bound` for one number (a theory value, a float64 fit), :func:`report` for
  information only.

Numbers always come from running the code.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from scipy import stats as _stats

from .paper import FAIL, PASS, REPORT, Row

LEVEL = 0.95


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


def _values(values: Mapping[Any, float]) -> dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


# --- statistics -----------------------------------------------------------------------------------

def t_interval(values: Iterable[float], level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, lower, upper) of the ``level`` Student-t interval of the mean (lower = upper = mean for n = 1)."""
    v = np.asarray(list(values), float)
    m = float(v.mean())
    if len(v) < 2:
        return m, m, m
    h = float(_stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return m, m - h, m + h


def clopper_pearson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The exact (Clopper–Pearson) ``level`` interval of a binomial proportion k/n."""
    a = 1 - level
    lo = 0.0 if k == 0 else float(_stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(_stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def mean_text(values: Mapping[Any, float] | Sequence[float], digits: int = 4) -> str:
    """'m ± h (95% t-CI, n = N)' for a set of per-seed values."""
    v = list(values.values()) if isinstance(values, Mapping) else list(values)
    m, lo, hi = t_interval(v)
    return f"{fmt(m, digits)} ± {fmt((hi - lo) / 2, digits)} (95% t-CI, n = {len(v)})"


# --- one number -----------------------------------------------------------------------------------

def close(claim: str, criterion: str, value: float, target: float, tol: float, group: str = "",
          digits: int = 4) -> Row:
    """|value − target| < tol for one number (a theory value, a fit)."""
    ok = value is not None and np.isfinite(value) and abs(value - target) < tol
    return Row(claim, criterion, fmt(value, digits), f"{fmt(target, digits)} ± {fmt(tol, digits)}",
               PASS if ok else FAIL, group, rule=f"|value − {fmt(target, digits)}| < {fmt(tol, digits)}",
               stat={"kind": "value", "value": float(value) if value is not None else None})


def bound(claim: str, criterion: str, value: float, op: str, limit: float, group: str = "",
          note: str = "", digits: int = 4) -> Row:
    """value <op> limit (a scalar criterion)."""
    measured = fmt(value, digits) + (f" ({note})" if note else "")
    return Row(claim, criterion, measured, f"{op} {fmt(limit, digits)}", PASS if _ok(value, op, limit) else FAIL, group,
               rule=f"value {op} {fmt(limit, digits)}",
               stat={"kind": "value", "value": float(value) if value is not None else None})


# --- seeds ----------------------------------------------------------------------------------------

def _worst(values: Mapping[Any, float], op: str) -> Any:
    nonfinite = [s for s, v in values.items() if not np.isfinite(v)]
    if nonfinite:
        return nonfinite[0]
    return (min if op in (">", ">=") else max)(values, key=lambda s: values[s])


def per_seed(claim: str, criterion: str, values: Mapping[int, float], op: str, limit: float, group: str = "",
             digits: int = 4) -> Row:
    """Every seed satisfies value <op> limit; shows the worst seed's value, its seed and how many seeds fail."""
    rule = f"every seed {op} {fmt(limit, digits)}"
    if not values:
        return Row(claim, criterion, "no seeds", f"{op} {fmt(limit, digits)} every seed", FAIL, group, rule=rule)
    worst = _worst(values, op)
    n_bad = sum(not _ok(v, op, limit) for v in values.values())
    v = values[worst]
    measured = f"{fmt(v, digits)} (worst: seed {worst}; {n_bad}/{len(values)} seeds fail)"
    return Row(claim, criterion, measured, f"{op} {fmt(limit, digits)} every seed", FAIL if n_bad else PASS, group,
               rule=rule, values=_values(values),
               stat={"kind": "worst", "value": float(v), "seed": str(worst), "n": len(values), "failing": n_bad})



def per_item(claim: str, criterion: str, values: Mapping, op: str, limit: float, noun: str, group: str = "",
             digits: int = 4) -> Row:
    """Every item (an n, a draw, an optimum, a δ) satisfies value <op> limit: :func:`per_seed` worded for the
    items of a criterion (the worst item, its label and how many fail)."""
    r = per_seed(claim, criterion, values, op, limit, group, digits)
    r.measured = r.measured.replace("worst: seed", f"worst: {noun}").replace("seeds fail", f"{noun}s fail")
    r.predicted = r.predicted.replace("every seed", f"every {noun}")
    r.rule = r.rule.replace("every seed", f"every {noun}")
    if r.stat:
        r.stat["item"] = noun
    return r

def at_least(claim: str, criterion: str, values: Mapping[int, float], op: str, limit: float, k_min: int,
             group: str = "", digits: int = 4) -> Row:
    """At least ``k_min`` of the seeds satisfy value <op> limit; shows k/n with its 95% Clopper–Pearson interval
    and the worst seed."""
    n = len(values)
    rule = f"≥ {k_min}/{n} seeds {op} {fmt(limit, digits)}"
    if not values:
        return Row(claim, criterion, "no seeds", rule, FAIL, group, rule=rule)
    k = sum(_ok(v, op, limit) for v in values.values())
    lo, hi = clopper_pearson(k, n)
    worst = _worst(values, op)
    measured = (f"{k}/{n} seeds pass (95% CP [{lo:.2f}, {hi:.2f}]); worst: seed {worst}, "
                f"{fmt(values[worst], digits)}")
    return Row(claim, criterion, measured, rule, PASS if k >= k_min else FAIL, group, rule=rule,
               values=_values(values), stat={"kind": "count", "value": k, "n": n, "lo": lo, "hi": hi,
                                             "method": "95% Clopper–Pearson"})


def mean_ci(claim: str, criterion: str, values: Mapping[int, float], *, target: float | None = None,
            tol: float | None = None, op: str | None = None, limit: float | None = None, group: str = "",
            digits: int = 4, gate: bool = True) -> Row:
    """The seed mean ± its 95% t-interval, gated on the mean: |mean − target| < tol, or mean <op> limit
    (``gate=False``: a report row). Non-finite seeds make the row FAIL."""
    v = [float(x) for x in values.values()]
    if not v:
        return Row(claim, criterion, "no seeds", "", FAIL if gate else REPORT, group)
    finite = all(np.isfinite(v))
    m, lo, hi = t_interval(v)
    measured = mean_text(values, digits)
    if target is not None and tol is not None:
        predicted = f"{fmt(target, digits)} ± {fmt(tol, digits)}"
        rule = f"|seed mean − {fmt(target, digits)}| < {fmt(tol, digits)}"
        ok = finite and abs(m - target) < tol
    elif op is not None and limit is not None:
        predicted = f"seed mean {op} {fmt(limit, digits)}"
        rule = f"seed mean {op} {fmt(limit, digits)}"
        ok = finite and _ok(m, op, limit)
    else:
        predicted, rule, ok, gate = "(report)", "", True, False
    verdict = (PASS if ok else FAIL) if gate else REPORT
    return Row(claim, criterion, measured, predicted, verdict, group, rule=rule if gate else "report only",
               values=_values(values), stat={"kind": "mean", "value": m, "lo": lo, "hi": hi, "n": len(v),
                                             "method": "95% t-interval"})


def fraction(claim: str, criterion: str, k: int, n: int, op: str | None = None, limit: float | None = None,
             group: str = "", note: str = "") -> Row:
    """k/n with its 95% Clopper–Pearson interval, gated on k/n <op> limit (no op: a report row)."""
    lo, hi = clopper_pearson(k, n) if n else (float("nan"), float("nan"))
    measured = f"{k}/{n} = {k / n:.3f} (95% Clopper–Pearson [{lo:.3f}, {hi:.3f}])" if n else "0/0"
    measured += f"; {note}" if note else ""
    stat = {"kind": "fraction", "value": k / n if n else None, "k": k, "n": n, "lo": lo, "hi": hi,
            "method": "95% Clopper–Pearson"}
    if op is None:
        return Row(claim, criterion, measured, "(report)", REPORT, group, rule="report only", stat=stat)
    rule = f"fraction {op} {fmt(limit)}"
    ok = n > 0 and _ok(k / n, op, limit)
    return Row(claim, criterion, measured, f"{op} {fmt(limit)}", PASS if ok else FAIL, group, rule=rule, stat=stat)


def positive_definite(claim: str, criterion: str, eigs: Iterable[float], group: str = "") -> Row:
    """Smallest eigenvalue > 0."""
    lo = float(np.min(np.asarray(list(eigs))))
    return Row(claim, criterion, f"min eig {fmt(lo, 6)}", "> 0", PASS if lo > 0 else FAIL, group,
               rule="smallest eigenvalue > 0", stat={"kind": "value", "value": lo})


def strictly_decreasing(claim: str, criterion: str, seq: Sequence[float], labels: Sequence[Any], group: str = "") -> Row:
    ok = all(np.isfinite(seq)) and all(b < a for a, b in zip(seq, seq[1:]))
    measured = ", ".join(f"{l}: {fmt(v)}" for l, v in zip(labels, seq))
    return Row(claim, criterion, measured, "strictly decreasing", PASS if ok else FAIL, group,
               rule="each value < the previous", values={str(l): float(v) for l, v in zip(labels, seq)})


def report(claim: str, criterion: str, measured: str, expectation: str = "", group: str = "") -> Row:
    return Row(claim, criterion, measured, expectation or "(report)", REPORT, group, rule="report only")


def by_construction(claim: str, criterion: str, measured: str, why: str, ok: bool = True, group: str = "") -> Row:
    """A gate that holds by the construction of the experiment (e.g. a diagonal that is zero because the views
    are complementary): kept as a check of the code, labelled so that no reader takes it for evidence."""
    return Row(claim, f"{criterion} [holds by construction: {why}]", measured, "(by construction)",
               PASS if ok else FAIL, group, rule=f"by construction: {why}")


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
    return [Row(claim, "lanes finite (no NaN/inf)", f"diverged: {which}", "no diverged lane", FAIL, group,
                rule="no lane diverged")]
