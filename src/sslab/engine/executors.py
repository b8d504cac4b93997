"""Executors: one generic way to run picklable tasks — in this process, on a local process pool, or on Ray.

Every executor has ``submit(fn, *args) -> concurrent.futures.Future`` and ``map(fn, tasks)`` (results in
completion order), and runs ``initializer(*initargs)`` once in each worker before its first task. Workers
are asked for one XLA CPU thread each (``SINGLE_THREAD_XLA``); jax ≥ 0.5's CPU runtime still spreads some
work over a second core, which helps the pool's tail (the last long claim gets both cores): binding each
worker to one core was measured slower (benchmarks/README.md, "What was tried"). ``sslab sweep``
maps chunks of lane blocks over an executor; ``sslab check`` submits claims to one. Nothing here knows
what a task does.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator

SINGLE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
EXECUTORS = ("inprocess", "local", "ray")


@contextlib.contextmanager
def single_thread_xla() -> Iterator[None]:
    """``XLA_FLAGS`` with one XLA CPU thread while the block runs, for the processes it spawns (inherited)."""
    before = os.environ.get("XLA_FLAGS")
    os.environ["XLA_FLAGS"] = f"{before or ''} {SINGLE_THREAD_XLA}".strip()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XLA_FLAGS", None)
        else:
            os.environ["XLA_FLAGS"] = before


class _Base:
    name = ""
    workers = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:  # pragma: no cover - interface
        raise NotImplementedError

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """``(task, fn(task))`` for every task, in completion order; a task's exception is raised here."""
        futures = {self.submit(fn, t): t for t in tasks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield futures[f], f.result()

    def close(self) -> None:
        pass

    def __enter__(self) -> "_Base":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class InProcess(_Base):
    """Tasks one after another in this process, each when submitted (the default of ``sslab run``)."""

    name = "inprocess"

    def __init__(self, initializer: Callable[..., Any] | None = None, initargs: tuple = ()):
        self._init = (initializer, initargs) if initializer else None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self._init:
            init, initargs = self._init
            self._init = None
            init(*initargs)
        f: Future = Future()
        try:
            f.set_result(fn(*args))
        except Exception as e:  # noqa: BLE001 - handed to the caller through the future
            f.set_exception(e)
        return f

    def map(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        for t in tasks:  # lazily: each result is handed on before the next task starts
            yield t, self.submit(fn, t).result()


class LocalPool(_Base):
    """A local pool of spawned processes (one XLA thread asked for each); needs nothing extra installed."""

    name = "local"

    def __init__(self, workers: int | None = None, initializer: Callable[..., Any] | None = None,
                 initargs: tuple = ()):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._xla = single_thread_xla()  # held until close(): the pool spawns its workers on demand
        self._xla.__enter__()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"), initializer=initializer,
                                        initargs=initargs)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._xla.__exit__(None, None, None)


_RAY_INITIALISED: set[str] = set()


def _ray_call(initializer: Callable[..., Any] | None, initargs: tuple, fn: Callable[..., Any], *args: Any) -> Any:
    """A task on a Ray worker: the executor's initializer once per worker process, then the task."""
    if initializer is not None:
        key = repr((getattr(initializer, "__qualname__", initializer), initargs))
        if key not in _RAY_INITIALISED:
            initializer(*initargs)
            _RAY_INITIALISED.add(key)
    return fn(*args)


class RayExecutor(_Base):
    """Tasks on the Ray cluster at ``address`` (or a local Ray instance); ``pip install sslab[ray]``."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None,
                 initializer: Callable[..., Any] | None = None, initargs: tuple = ()):
        try:
            import ray
        except ImportError:
            raise RuntimeError("the Ray executor needs Ray: pip install 'sslab[ray]'") from None
        self.ray = ray
        self._started = False
        self._init = (initializer, initargs)
        if not ray.is_initialized():
            env = {"env_vars": {"XLA_FLAGS": SINGLE_THREAD_XLA}}
            kwargs: dict[str, Any] = {"runtime_env": env, "include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            elif workers:
                kwargs["num_cpus"] = workers
            ray.init(**kwargs)
            self._started = True
        self.workers = int(ray.cluster_resources().get("CPU", workers or 1))
        self.remote = ray.remote(num_cpus=1)(_ray_call)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.remote.remote(*self._init, fn, *args).future()

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()


def make_executor(name: str = "inprocess", workers: int | None = None, address: str | None = None,
                  initializer: Callable[..., Any] | None = None, initargs: tuple = ()) -> _Base:
    """An executor by name: ``inprocess``, ``local`` (``workers`` processes) or ``ray`` (cluster ``address``)."""
    if name == "inprocess":
        return InProcess(initializer, initargs)
    if name == "local":
        return LocalPool(workers, initializer, initargs)
    if name == "ray":
        return RayExecutor(address, workers, initializer, initargs)
    raise ValueError(f"unknown executor {name!r}; valid choices: {', '.join(EXECUTORS)}")
