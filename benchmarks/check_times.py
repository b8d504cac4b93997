"""Wall time of the whole ``sslab check`` on this machine, natively and with the AVX2 code paths forced.

``python -m benchmarks.check_times [--isa native,avx2] [--report] [--warm] [--json PATH] [-- TARGET ...]``

Each measurement runs ``sslab check`` in a fresh process with a fresh results folder and a fresh JAX
compilation cache (cold), then, with ``--warm``, once more on the same cache. ``avx2`` forces the AVX2 code
path of XLA (``--xla_cpu_max_isa=AVX2``) and of OpenBLAS (``OPENBLAS_CORETYPE=Haswell``), which estimates an
AVX2-only machine's figure on an AVX-512 one (same cores and memory system, so an estimate, not a
measurement of such a machine). The table names the CPU model and its ISA flags; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ISA_ENV = {
    "native": {},
    "avx2": {"XLA_FLAGS": "--xla_cpu_max_isa=AVX2", "OPENBLAS_CORETYPE": "Haswell"},
}


def cpu() -> dict:
    model, flags = "unknown", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "model name":
                model = v.strip()
            elif k.strip() == "flags" and not flags:
                flags = set(v.split())
    except OSError:
        pass
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags]
    return {"cpu": model, "isa": isa, "cores": os.cpu_count()}


def one(isa: str, targets: list[str], report: bool, warm: bool, keep: Path | None) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix=f"sslab-times-{isa}-"))
    env = {**os.environ, **ISA_ENV[isa], "SSLAB_JAX_CACHE": str(work / "jaxcache")}
    out = []
    for label in ("cold", "warm") if warm else ("cold",):
        table = work / f"{label}.json"
        cmd = [sys.executable, "-m", "sslab.cli", "check", *targets, "--runs", str(work / f"runs-{label}"),
               "--json", str(table)] + (["--report", str(work / f"report-{label}")] if report else [])
        t0 = time.time()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.time() - t0
        t = json.loads(table.read_text()) if table.exists() else {"claims": []}
        claims = t["claims"]
        out.append({"isa": isa, "cache": label, "report": report, "wall_s": round(wall, 1),
                    "claim_s": round(sum(c["seconds"] for c in claims), 1),
                    "compile_s": round(sum(c["compile_seconds"] for c in claims), 1),
                    "passed": f"{sum(c['verdict'] == 'PASS' for c in claims)}/{len(claims)}", "exit": proc.returncode,
                    "top": [(c["key"], round(c["seconds"], 1)) for c in sorted(claims, key=lambda c: -c["seconds"])[:8]]})
        print(json.dumps(out[-1]), flush=True)
    if keep:
        shutil.copytree(work, keep / isa, dirs_exist_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--isa", default="native,avx2")
    ap.add_argument("--report", action="store_true", help="check --report (adds the report-only items)")
    ap.add_argument("--warm", action="store_true", help="also time a second run on the warm compilation cache")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--keep", type=Path, help="keep the claim tables and runs here")
    ap.add_argument("targets", nargs="*", help="check targets (default: all papers)")
    a = ap.parse_args(argv)
    res = {"machine": cpu(), "rows": []}
    print(json.dumps(res["machine"]), flush=True)
    for isa in a.isa.split(","):
        res["rows"] += one(isa, a.targets, a.report, a.warm, a.keep)
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
