"""``sslab check``: claims run against the code, in this process or side by side on a local process pool.

:class:`Context` is what a claim is handed: runs of any registered paper's experiments (stored like any
other run, so claims sharing a run do not recompute it), explicit plans, a memo for theory objects, and
tables kept next to a run. :func:`select` picks claims by paper or key; :func:`run_claims` runs them.

On a pool, claims are independent procedures that meet only in the results store: a run two claims need
is computed once (the store's run lock makes the second claim wait for it, then read it) and a worker
keeps one :class:`Context` for all the claims it runs, so shared theory objects are memoised per worker.
A claim starts once the claims whose runs it reads (``Claim.after``) are done, longest critical path
first (``Claim.cost``, a rough hint). Results come back as plain rows, each as its claim finishes, and
the returned list is in declared order. A worker that dies turns its claims into FAIL results with the
reason, never lost rows.
"""

from __future__ import annotations

import io
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from .config import Plan
from .engine.executors import LocalPool
from .engine.lanes import enable_compilation_cache
from .papers import Claim, Row, experiment, paper, papers
from .papers.paper import FAIL, PASS
from .results import Results
from .runner import run_plan
from .store import RunStore, atomic_write_bytes


class Context:
    """Shared state of one ``check``: the results store, the size, and a cache of runs and theory objects
    (the :class:`sslab.papers.Context` that claims and report figures are handed)."""

    def __init__(self, store: Any = None, size: str = "full", progress: bool = False, workers: int | None = None):
        if size not in ("full", "quick"):
            raise ValueError(f"size must be 'full' or 'quick', got {size!r}")
        self.store = store if isinstance(store, RunStore) else RunStore(store)
        self.size = size
        self.progress = progress
        #: processes a claim may use for its own sweeps (None: all cores; 1 inside a check worker)
        self.workers = workers
        self._cache: dict[Any, Any] = {}

    @property
    def quick(self) -> bool:
        return self.size == "quick"

    def run(self, experiment_name: str, overrides: Sequence[str]) -> Results:
        """Run (or reuse) an experiment with overrides; results are stored like any other run."""
        key = ("run", experiment_name, tuple(overrides))
        if key not in self._cache:
            exp = experiment(experiment_name)
            self._cache[key] = run_plan(exp, exp.plan(list(overrides)), store=self.store, progress=self.progress,
                                        figures=False)
        return self._cache[key]

    def run_plan(self, experiment_name: str, plan: Plan, name: str) -> Results:
        """Run (or reuse) an explicit plan as run ``name``, on a local pool of ``workers`` (1: in this process)."""
        key = ("plan", experiment_name, name)
        if key not in self._cache:
            self._cache[key] = run_plan(experiment(experiment_name), plan, store=self.store, name=name,
                                        executor="inprocess" if self.workers == 1 else "local",
                                        workers=self.workers, figures=False, progress=self.progress)
        return self._cache[key]

    def memo(self, key: Any, fn: Callable[[], Any]) -> Any:
        """Compute-once cache for theory objects shared between claims."""
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def stored_table(self, results: Results, name: str, fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """``fn()`` kept next to a finished run as ``<name>.parquet`` (written atomically), so a derived table
        is computed once per run, not once per process that reads it (a check's workers and its report)."""
        path = results.handle.path / f"{name}.parquet"
        if path.is_file():
            return pd.read_parquet(path)
        table = fn()
        buf = io.BytesIO()
        table.to_parquet(buf, index=False)
        atomic_write_bytes(path, buf.getvalue())
        return table


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

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.claim.key, "paper": self.claim.paper, "id": self.claim.id, "title": self.claim.title,
                "precision": self.claim.precision, "verdict": self.verdict, "seconds": self.seconds,
                "compile_seconds": self.compile_seconds, "error": self.error,
                "rows": [r.as_dict() for r in self.rows]}


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


# --- claim tables as data -------------------------------------------------------------------------

TABLE_FORMAT = 2  # the layout of `sslab check --json` (1: rows without rule, values and stat)


def claim_table(results: list[ClaimResult], **meta: Any) -> dict[str, Any]:
    """The whole claim table as JSON-able data: every claim, every row with its rule, statistic and per-seed
    values (what ``sslab check --json`` writes and ``--compare`` reads)."""
    return {"sslab_check": TABLE_FORMAT, **meta, "passed": sum(r.verdict == PASS for r in results),
            "claims": [r.as_dict() for r in results]}


def table_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat dict per row of a claim table (for CSV): claim key and verdict, the row's fields, its statistic
    and its per-seed values as JSON text."""
    out = []
    for c in table.get("claims", []):
        for i, r in enumerate(c.get("rows", [])):
            stat = r.get("stat") or {}
            out.append({"claim": c["key"], "claim_verdict": c.get("verdict", ""), "row": i, "group": r.get("group", ""),
                        "criterion": r.get("criterion", ""), "measured": r.get("measured", ""),
                        "predicted": r.get("predicted", ""), "verdict": r.get("verdict", ""), "rule": r.get("rule", ""),
                        "statistic": stat.get("kind", ""), "value": stat.get("value"), "lo": stat.get("lo"),
                        "hi": stat.get("hi"), "n": stat.get("n"), "values": json.dumps(r.get("values") or {})})
    return out


def compare_tables(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    """What moved between two claim tables: claims added or removed, verdicts that changed, and rows whose
    measured text, prediction, verdict or statistic changed (rows matched by group and criterion)."""
    moved: list[dict[str, str]] = []
    a = {c["key"]: c for c in old.get("claims", [])}
    b = {c["key"]: c for c in new.get("claims", [])}
    for key in [k for k in a if k not in b]:
        moved.append({"claim": key, "what": "claim", "old": a[key].get("verdict", ""), "new": "(not run)"})
    for key in [k for k in b if k not in a]:
        moved.append({"claim": key, "what": "claim", "old": "(not run)", "new": b[key].get("verdict", "")})
    for key in [k for k in b if k in a]:
        if a[key].get("verdict") != b[key].get("verdict"):
            moved.append({"claim": key, "what": "verdict", "old": a[key].get("verdict", ""),
                          "new": b[key].get("verdict", "")})
        old_rows = {(r.get("group", ""), r.get("criterion", "")): r for r in a[key].get("rows", [])}
        new_rows = {(r.get("group", ""), r.get("criterion", "")): r for r in b[key].get("rows", [])}
        for k in [k for k in old_rows if k not in new_rows]:
            moved.append({"claim": key, "what": f"row removed: {' '.join(k).strip()}", "old": old_rows[k]["measured"],
                          "new": ""})
        for k in [k for k in new_rows if k not in old_rows]:
            moved.append({"claim": key, "what": f"row added: {' '.join(k).strip()}", "old": "",
                          "new": new_rows[k]["measured"]})
        for k in [k for k in new_rows if k in old_rows]:
            x, y = old_rows[k], new_rows[k]
            label = " ".join(k).strip()
            for f in ("verdict", "predicted", "measured"):
                if x.get(f) != y.get(f):
                    moved.append({"claim": key, "what": f"{label}: {f}", "old": str(x.get(f)), "new": str(y.get(f))})
    return moved


# --- selecting claims -----------------------------------------------------------------------------

def optional_papers() -> list[str]:
    """Papers whose claims run only when named (e.g. the Wen–Li digits analogue, spec wenli2021 §10)."""
    return [name for name, p in papers().items() if p.optional]


def select(target: str | None = None, include_optional: bool = False, report: bool = False) -> list[Claim]:
    """Claims for a paper (``yang2024``), one claim (``yang2024.C5`` or ``yang2024:C5``), or all.

    "All" leaves out the optional papers unless ``include_optional``; naming one selects it. A paper's
    report-only items (``Claim.report_only``, e.g. Bansal's §9 grid) are left out unless ``report``
    (``check --report``) or named.
    """
    if not target:
        return [c for p in papers().values() if include_optional or not p.optional for c in p.claims
                if report or not c.report_only]
    name, _, cid = target.replace(":", ".").partition(".")
    claims = paper(name).claims
    if not cid:
        return [c for c in claims if report or not c.report_only]
    chosen = [c for c in claims if c.id.lower() == cid.lower()]
    if not chosen:
        raise KeyError(f"unknown claim {target!r}; valid choices: {', '.join(c.key for c in claims)}")
    return chosen


def figures_for(name: str, ctx: Context, outdir: Path) -> list[Path]:
    """The report figures of one paper (from runs in ``ctx``, computing any that are missing)."""
    p = paper(name)
    return list(p.figures(ctx, Path(outdir))) if p.figures is not None else []


# --- running claims -------------------------------------------------------------------------------

_CTX: Context | None = None  # a pool worker's context (set by _init)


def default_workers() -> int:
    """Worker processes for ``sslab check``: ``$SSLAB_CHECK_WORKERS``, else the number of cores."""
    env = os.environ.get("SSLAB_CHECK_WORKERS", "").strip()
    if not env:
        return max(1, os.cpu_count() or 1)
    if not env.isdigit() or int(env) < 1:
        raise ValueError(f"SSLAB_CHECK_WORKERS: invalid value {env!r}; must be an integer ≥ 1")
    return int(env)


def priorities(claims: list[Claim]) -> dict[str, float]:
    """Critical-path priority of each claim: its cost plus the longest chain of claims waiting on it."""
    keys = {c.key for c in claims}
    waiting: dict[str, list[Claim]] = {c.key: [] for c in claims}
    for c in claims:
        for a in c.after:
            if f"{c.paper}.{a}" in keys:
                waiting[f"{c.paper}.{a}"].append(c)
    memo: dict[str, float] = {}

    def prio(c: Claim) -> float:
        if c.key not in memo:
            memo[c.key] = c.cost + max((prio(w) for w in waiting[c.key]), default=0.0)
        return memo[c.key]

    return {c.key: prio(c) for c in claims}


def makespan(claims: list[Claim], workers: int) -> float:
    """Seconds the pool would take if every claim took its ``cost`` hint: the scheduler's own order (critical
    path first, ``after`` respected) simulated on ``workers`` processes."""
    prio = priorities(claims)
    t, running, finished, started = 0.0, [], set(), set()
    while len(finished) < len(claims):
        for c in schedule(claims, finished, started, prio)[: max(0, workers - len(running))]:
            running.append((t + c.cost, c.key))
            started.add(c.key)
        if not running:  # `after` cycle: the runner runs the rest in order
            c = next(c for c in claims if c.key not in started)
            running.append((t + c.cost, c.key))
            started.add(c.key)
        running.sort()
        t, key = running.pop(0)
        finished.add(key)
    return t


def schedule(claims: list[Claim], finished: set[str], started: set[str],
             prio: dict[str, float] | None = None) -> list[Claim]:
    """Claims ready to start (every selected claim in ``after`` finished), highest priority first."""
    keys = {c.key for c in claims}
    prio = prio or priorities(claims)
    ready = [c for c in claims if c.key not in started
             and all(f"{c.paper}.{a}" in finished or f"{c.paper}.{a}" not in keys for a in c.after)]
    return sorted(ready, key=lambda c: -prio[c.key])


def _init(store_root: str, size: str) -> None:
    global _CTX
    enable_compilation_cache()
    _CTX = Context(store=RunStore(store_root), size=size, workers=1)


def _run_key(key: str) -> tuple[str, list, float, str | None, float]:
    assert _CTX is not None, "worker not initialised"
    r = run_claim(select(key)[0], _CTX)
    return key, r.rows, r.seconds, r.error, r.compile_seconds


def run_claims(claims: list[Claim], ctx: Context, workers: int = 1,
               on_result: Callable[[ClaimResult], Any] | None = None,
               on_progress: Callable[[int, int], Any] | None = None) -> list[ClaimResult]:
    """Run ``claims`` (in ``ctx``'s store and size); results in the claims' order.

    ``workers`` > 1 runs them on that many spawned processes, each with one XLA CPU thread, so N workers
    use N cores without oversubscription. ``on_result`` gets each result as soon as its claim finishes
    (on a pool: in completion order); ``on_progress(done, total)`` after every finished claim.
    """
    results: dict[str, ClaimResult] = {}

    def done(r: ClaimResult) -> None:
        results[r.claim.key] = r
        if on_result:
            on_result(r)
        if on_progress:
            on_progress(len(results), len(claims))

    workers = min(workers, len(claims))
    if workers <= 1:
        for c in claims:
            done(run_claim(c, ctx))
        return [results[c.key] for c in claims]
    with LocalPool(workers, initializer=_init, initargs=(str(ctx.store.root), ctx.size)) as pool:
        _drive(pool, claims, workers, done)
    return [results[c.key] for c in claims]


def _drive(pool: LocalPool, claims: list[Claim], workers: int, done: Callable[[ClaimResult], None]) -> None:
    """Keep ``workers`` claims in flight, starting the ready claim with the longest critical path first; hand
    each result to ``done`` as it arrives."""
    by_key = {c.key: c for c in claims}
    prio = priorities(claims)
    finished: set[str] = set()
    futures: dict[Any, Claim] = {}

    def finish(c: Claim, r: ClaimResult) -> None:
        finished.add(c.key)
        done(r)

    def failed(c: Claim, e: BaseException) -> ClaimResult:
        return ClaimResult(c, [], 0.0, error=f"worker failed: {type(e).__name__}: {e}")

    while len(finished) < len(claims):
        ready = schedule(claims, finished, {c.key for c in futures.values()} | finished, prio)
        if not ready and not futures:  # a cycle among the `after` hints: run the rest in declared order
            ready = [next(c for c in claims if c.key not in finished)]
        for c in ready[: workers - len(futures)]:
            try:
                futures[pool.submit(_run_key, c.key)] = c
            except Exception as e:  # noqa: BLE001 - a broken pool fails the claims it cannot start
                finish(c, failed(c, e))
        if not futures:
            continue
        complete, _ = wait(list(futures), return_when=FIRST_COMPLETED)
        for f in complete:
            c = futures.pop(f)
            try:
                key, rows, seconds, error, compile_s = f.result()
                r = ClaimResult(by_key[key], rows, seconds, error, compile_s)
            except Exception as e:  # noqa: BLE001 - a dead worker fails its claims, with the reason
                r = failed(c, e)
            finish(c, r)
