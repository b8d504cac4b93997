"""Run every benchmark and print one table: ``python -m benchmarks [--quick]``.

Columns: job, sslab wall (compile and run separately), reference wall, ratio, lanes, throughput
(lane-steps per second). Ratios are measured in this process against the reference implementation
of each job (see benchmarks/README.md); nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import importlib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="time the references on fewer seeds (scaled, marked *) and fewer lanes")
    args = ap.parse_args()
    rows = []

    yang = importlib.import_module("benchmarks.bench_yang2024").main(["--ref-seeds", "3"] if args.quick else [])
    for r in yang["rows"]:
        star = "*" if r.get("reference_extrapolated") else ""
        rows.append((f"yang2024 {r['job']}" + (f" (T={r['T']})" if r.get("T") else " (SSL+SL)"), r["sslab_cold_s"] - r["sslab_warm_s"], r["sslab_warm_s"],
                     f"{r['reference_s']:.1f}{star}", f"{r['ratio_warm']:.0f}x{star}", r["lanes"], r["lane_steps_per_s_warm"]))

    lanes = "1,10,100" if args.quick else "1,10,100,1000"
    for method in ("ssl", "sl"):
        ls = importlib.import_module("benchmarks.bench_lanes").main(
            ["--method", method, "--lanes", lanes, "--sequential", "20"])
        one = ls["walls"][1]
        for L, wall in ls["walls"].items():
            rows.append((f"yang2024 {method} lane scaling", float("nan"), wall, f"{one:.2f} (1 lane)",
                         f"{wall / one:.1f}x of 1 lane", L, L * ls["steps"] / wall))

    try:
        tian = importlib.import_module("benchmarks.bench_tian2022")
    except ImportError:
        tian = None
    if tian is not None and hasattr(tian, "main"):
        try:
            t = tian.main(["--steps", "1000"] if args.quick else [])
            for r in (t or {}).get("rows", []):
                rows.append((r.get("job", "tian2022"), r.get("sslab_compile_s", float("nan")), r.get("sslab_run_s", float("nan")),
                             str(r.get("reference_s", "")), str(r.get("ratio", "")), r.get("lanes", ""), r.get("lane_steps_per_s", float("nan"))))
        except Exception as e:  # noqa: BLE001 - e.g. torch (the bench extra) not installed
            print(f"tian2022 benchmark skipped: {type(e).__name__}: {e}")

    print("\n" + "job".ljust(34) + "compile s".rjust(10) + "run s".rjust(10) + "reference s".rjust(16) + "ratio".rjust(18)
          + "lanes".rjust(7) + "lane-steps/s".rjust(14))
    for job, comp, run, ref, ratio, lanes_, tput in rows:
        comp_s = "" if comp != comp else f"{comp:.2f}"
        print(f"{job:34s}{comp_s:>10s}{run:10.2f}{ref:>16s}{ratio:>18s}{str(lanes_):>7s}{tput:14.3g}")


if __name__ == "__main__":
    main()
