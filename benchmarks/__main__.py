"""Run every benchmark and print one table: ``python -m benchmarks [--quick] [--only NAME,...] [--json PATH] [--device gpu]``.

Columns: job, sslab compile and run walls, reference wall, ratio, lanes, throughput (lane-steps per
second) and GFLOP/s where the FLOP count is derived from the shapes (Tian 2-layer network). Every
ratio is measured in this process against the job's reference implementation (see
benchmarks/README.md); nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import traceback

NaN = float("nan")


def _yang(quick: bool) -> list[dict]:
    out = importlib.import_module("benchmarks.bench_yang2024").main(["--ref-seeds", "3"] if quick else [])
    rows = []
    for r in out["rows"]:
        star = "*" if r.get("reference_extrapolated") else ""
        rows.append({"job": f"yang2024 {r['job']}" + (f" (T={r['T']})" if r.get("T") else " (SSL+SL)"),
                     "sslab_compile_s": r["sslab_cold_s"] - r["sslab_warm_s"], "sslab_run_s": r["sslab_warm_s"],
                     "reference_s": f"{r['reference_s']:.1f}{star}", "ratio": f"{r['ratio_warm']:.0f}x{star}",
                     "lanes": r["lanes"], "lane_steps_per_s": r["lane_steps_per_s_warm"]})
    return rows


def _yang_lanes(quick: bool) -> list[dict]:
    rows = []
    lanes = "1,10,100" if quick else "1,10,100,1000"
    for method in ("ssl", "sl"):
        ls = importlib.import_module("benchmarks.bench_lanes").main(
            ["--method", method, "--lanes", lanes, "--sequential", "20"])
        one = ls["walls"][1]
        for L, wall in ls["walls"].items():
            rows.append({"job": f"yang2024 {method} lane scaling", "sslab_run_s": wall,
                         "reference_s": f"{one:.2f} (1 lane)", "ratio": f"{wall / one:.1f}x of 1 lane",
                         "lanes": L, "lane_steps_per_s": L * ls["steps"] / wall})
    return rows


def _module(name: str, full: list[str], quick_args: list[str]):
    def job(quick: bool) -> list[dict]:
        mod = importlib.import_module(f"benchmarks.{name}")
        return list((mod.main(quick_args if quick else full) or {}).get("rows", []))
    return job


# name -> (runner, needs) ; needs names an optional extra the job cannot run without.
JOBS = {
    "yang2024": (_yang, None),
    "yang2024_lanes": (_yang_lanes, None),
    "tian2022": (_module("bench_tian2022", [], ["--steps", "1000"]), "torch"),
    "wenli2021": (_module("bench_wenli2021", [], ["--quick"]), None),
    "bansal2024": (_module("bench_bansal2024", [], ["--quick"]), None),
}


def _fmt(x, spec: str) -> str:
    if x is None or x == "" or (isinstance(x, float) and math.isnan(x)):
        return ""
    return format(x, spec) if isinstance(x, (int, float)) else str(x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="time references on fewer seeds/steps (scaled, marked *) and fewer lanes")
    ap.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(JOBS)}")
    ap.add_argument("--json", default=None, help="also write the table's rows to this JSON file")
    ap.add_argument("--device", default="cpu", choices=["cpu", "gpu"],
                    help="gpu: lane-steps/s on the GPU against the CPU, 1 to 10 000 lanes (benchmarks.bench_device)")
    args = ap.parse_args()
    if args.device == "gpu":
        importlib.import_module("benchmarks.bench_device").main(
            ["--device", "gpu"] + (["--lanes", "1,10,100,1000"] if args.quick else []) + (["--json", args.json] if args.json else []))
        return
    chosen = [j for j in args.only.split(",") if j] or list(JOBS)
    unknown = sorted(set(chosen) - set(JOBS))
    if unknown:
        ap.error(f"--only: unknown job(s) {unknown}; valid choices: {', '.join(JOBS)}")

    rows: list[dict] = []
    for name in chosen:
        runner, needs = JOBS[name]
        try:
            if needs:
                importlib.import_module(needs)
            rows.extend(runner(args.quick))
        except ImportError as e:
            hint = "" if (e.name or "").startswith("benchmarks") else "; install the bench extra: pip install -e '.[bench]'"
            print(f"{name}: skipped ({e}){hint}")
        except Exception:  # noqa: BLE001 - one broken job must not lose the others' rows
            print(f"{name}: FAILED\n{traceback.format_exc()}")

    import jax

    print(f"\nmachine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"jax {jax.__version__} ({jax.default_backend()})")
    head = (f"{'job':40s}{'compile s':>10s}{'run s':>10s}{'reference s':>18s}{'ratio':>20s}"
            f"{'lanes':>7s}{'lane-steps/s':>14s}{'GFLOP/s':>9s}")
    print(head + "\n" + "-" * len(head))
    for r in rows:
        print(f"{str(r.get('job', '')):40s}{_fmt(r.get('sslab_compile_s'), '.2f'):>10s}"
              f"{_fmt(r.get('sslab_run_s'), '.2f'):>10s}{_fmt(r.get('reference_s'), '.2f'):>18s}"
              f"{_fmt(r.get('ratio'), '.1f'):>20s}{_fmt(r.get('lanes'), 'd'):>7s}"
              f"{_fmt(r.get('lane_steps_per_s'), '.3g'):>14s}{_fmt(r.get('gflops'), '.1f'):>9s}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
