"""Run a list of claims in this process, or spread over a local process pool (one XLA thread per worker).

Claims are independent procedures that meet only in the results store: a run two claims need is computed
once (the store's run lock makes the second claim wait for it, then read it) and a worker keeps one
:class:`~sslab.claims.base.Context` for all the claims it runs, so shared theory objects are memoised per
worker. A claim starts once the claims whose runs it reads (``Claim.after``) are done, longest critical
path first (``Claim.cost``, a rough hint). Results come back as plain rows, each as its claim finishes, and
the returned list is in declared order. A worker that dies turns its claims into FAIL results with the
reason, never lost rows.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable

from .base import Claim, ClaimResult, Context, run_claim

_CTX: Context | None = None  # the worker's context (set by _init)


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
    from ..store import RunStore
    from ..train.engine import enable_compilation_cache

    enable_compilation_cache()
    _CTX = Context(store=RunStore(store_root), size=size, workers=1)


def _run_key(key: str) -> tuple[str, list, float, str | None, float]:
    from . import select

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

    from ..parallel.executors import single_thread_xla

    with single_thread_xla():  # for the whole pool's life: workers are spawned on demand
        pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init,
                                   initargs=(str(ctx.store.root), ctx.size))
        try:
            _drive(pool, claims, workers, done)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [results[c.key] for c in claims]


def _drive(pool: ProcessPoolExecutor, claims: list[Claim], workers: int, done: Callable[[ClaimResult], None]) -> None:
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
