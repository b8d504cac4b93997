"""The matrix-product roofline of this machine, next to the Wen & Li 2021 step's own products.

``python -m benchmarks.roofline [--json PATH]``

A Wen–Li lane-step is eight matrix products of K = 256 rows (X_aW, X_bW, S_ab, S_ba and their backward
products; d = 32: 256×256×128 each, 8 × 16.8 MFLOP), so its speed is bounded by how fast this machine
multiplies matrices of that size. This prints, in GFLOP/s (2·m·n·k per product):

* ``peak``: one large float32 product (1024³) in XLA and in NumPy's BLAS, on one thread and on all cores;
* ``step shape``: the step's 256×256×128 product, one lane (XLA, NumPy) and 10 lanes batched as one
  ``vmap``-ed product (XLA), the way sslab runs a block of lanes;
* the products-only ratio: the ``bench_wenli2021`` ratio if both sides spent all their time in products, sslab
  its 8 a lane-step at the batched XLA rate on all cores, the NumPy reference its 7 at the one-thread BLAS rate.
  Both also spend time outside products (random numbers, element-wise work, and the reference its Python
  loop), so the measured ratio sits above this figure; it shows how little lane-vectorisation can add to a
  job whose reference already multiplies at the BLAS peak.

Threads are set per measurement in a fresh process: one thread = the process bound to one core (XLA sizes its
thread pool from the cores it may use) and one BLAS thread. Nothing here is
a test; the numbers depend on the machine and its load, so read the ratios, not the walls.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ONE_THREAD_XLA = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _best(fn, reps: int) -> float:
    fn()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def _measure(kind: str, one_core: bool) -> dict:
    """Runs in a child process: GFLOP/s of the products named by ``kind`` (xla | numpy)."""
    if one_core and hasattr(os, "sched_setaffinity"):
        # jax >= 0.5 ignores --xla_cpu_multi_thread_eigen; XLA sizes its thread pool from the allowed cores
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import numpy as np
    rng = np.random.default_rng(0)
    out = {}
    shapes = {"peak 1024x1024x1024": (1024, 1024, 1024, 1), "step 256x256x128, 1 lane": (256, 256, 128, 1),
              "step 256x256x128, 10 lanes": (256, 256, 128, 10)}
    for name, (m, k, n, lanes) in shapes.items():
        a = rng.standard_normal((lanes, m, k), dtype=np.float32)
        b = rng.standard_normal((lanes, k, n), dtype=np.float32)
        if kind == "xla":
            import jax
            import jax.numpy as jnp
            f = jax.jit(jax.vmap(jnp.matmul))
            A, B = jnp.asarray(a), jnp.asarray(b)
            call = lambda: f(A, B).block_until_ready()  # noqa: E731
        else:
            if lanes > 1:
                continue  # the reference runs one lane at a time
            A, B = a[0], b[0]
            call = lambda: A @ B  # noqa: E731
        reps = max(1, int(2e8 / (m * k * n * lanes)))
        out[name] = 2 * m * k * n * lanes / _best(call, reps) / 1e9
    return out


def run(kind: str, threads: str) -> dict:
    env = dict(os.environ)
    if threads == "1":
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " " + ONE_THREAD_XLA).strip()
        env.update({k: "1" for k in BLAS_ENV})
    code = f"import json, benchmarks.roofline as r; print(json.dumps(r._measure({kind!r}, {threads == '1'})))"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None, help="write the numbers to this JSON file")
    a = ap.parse_args(argv)
    from benchmarks.check_times import cpu
    machine = cpu()
    print(f"machine: {machine['cpu']}, {machine['cores']} cores, {' '.join(machine['isa'])}"
          + (f"; XLA_FLAGS={os.environ['XLA_FLAGS']}" if os.environ.get("XLA_FLAGS") else ""))
    table = {}
    for kind in ("xla", "numpy"):
        for threads in ("1", "all"):
            for name, g in run(kind, threads).items():
                table[f"{kind:5s} {threads:>3s} thread(s)  {name}"] = g
    for k, g in table.items():
        print(f"{k:58s} {g:8.1f} GFLOP/s")
    step_xla = table.get("xla   all thread(s)  step 256x256x128, 10 lanes", float("nan"))
    step_ref = table.get("numpy   1 thread(s)  step 256x256x128, 1 lane", float("nan"))
    ceiling = (step_xla / 8) / (step_ref / 7)
    print(f"wenli2021 ratio if both sides spent all their time in products (8 a lane-step at the batched XLA rate "
          f"on all cores vs the reference's 7 at the one-thread BLAS rate): {ceiling:.1f}x")
    out = {"machine": machine, "gflops": table, "wenli_products_only_ratio": ceiling}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
