"""The ``sslab`` command line: run, sweep, check, list, query, runs, rm, gc, tag, export, report.

Start-up is kept short (``sslab --help``, ``--version`` and ``list`` import no JAX): everything heavy is imported
inside the command that needs it, and ``sslab list`` reads a small cached index of the registered papers
(:func:`_index`) rebuilt when an entry point or a source file changes.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import typing
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

app = typer.Typer(add_completion=True, no_args_is_help=True,
                  help="sslab: run, check and extend simulations of self-supervised-learning theory.")


def _console(stderr: bool = False) -> Console:
    """A terminal console wraps at the terminal's width; output to a file or pipe is not wrapped at 80 columns
    (a wide console: tables keep one line per row; $COLUMNS still wins)."""
    import os
    c = Console(stderr=stderr, emoji=False, highlight=False)
    if not c.is_terminal and not os.environ.get("COLUMNS"):
        c = Console(stderr=stderr, emoji=False, highlight=False, width=4000)
    return c


console = _console()
err = _console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from . import __version__
        print(f"sslab {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """sslab: run, check and extend simulations of self-supervised-learning theory."""

RUNS_HELP = "results directory (default: $SSLAB_RUNS or ./runs)"


def _fail(msg: str, code: int = 2) -> typing.NoReturn:
    err.print(f"[bold red]error:[/] {escape(msg)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _t(value: object) -> Text:
    """A table cell or line that prints verbatim: data (query results, claim rows, user input) is never markup."""
    return Text(value if isinstance(value, str) else str(value))


def _experiment(name: str):
    from .api import experiment
    try:
        return experiment(name)
    except KeyError as e:
        _fail(e.args[0])


OVERRIDES_HELP = "key=value overrides, dotted paths; lists make lanes: seed=0:20 data.tau=3,5,7"
FORMAT_HELP = "figure format: png | svg | pdf (vector figures for papers; a PDF gets a PNG preview for the HTML page)"


def _figure_format(fmt: str) -> None:
    """--format: the format every figure of this command (and the workers it starts) is written in."""
    from .plotting import FORMATS, set_figure_format
    if fmt not in FORMATS:
        _fail(f"--format: invalid value {fmt!r}; valid choices: {', '.join(FORMATS)}")
    set_figure_format(fmt)


@app.command()
def run(experiment: str = typer.Argument(..., help="experiment name (see `sslab list`)"),
        overrides: list[str] = typer.Argument(None, help=OVERRIDES_HELP),
        runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
        name: Optional[str] = typer.Option(None, "--name", help="run id (default: experiment + hash of the config; same config resumes)"),
        figures: bool = typer.Option(True, "--figures/--no-figures", help="write the experiment's PNG figures"),
        report: bool = typer.Option(True, "--report/--no-report", help="write the run's HTML report"),
        force: bool = typer.Option(False, "--force", help="recompute even if the run is stored"),
        tag: list[str] = typer.Option(None, "--tag", help="label the run (repeatable); see `sslab runs`, `sslab tag`"),
        fmt: str = typer.Option("png", "--format", help=FORMAT_HELP),
        dry_run: bool = typer.Option(False, "--dry-run", help="print lanes, programs, blocks, records, memory and an ETA, then exit")) -> None:
    """Run one configuration (all its lanes, in this process) and write records, parameters, summary and figures."""
    _figure_format(fmt)
    _run(experiment, overrides, runs, name, figures, report, "inprocess", None, None, 1, force, dry_run, tag)


@app.command()
def sweep(experiment: str = typer.Argument(..., help="experiment name (see `sslab list`)"),
          overrides: list[str] = typer.Argument(None, help=OVERRIDES_HELP),
          executor: str = typer.Option("local", "--executor", help="local (process pool) | ray | inprocess"),
          workers: Optional[int] = typer.Option(None, "--workers", help="processes (local) or CPUs of a local Ray instance; default: all cores"),
          address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (default: start a local Ray instance)"),
          blocks_per_chunk: int = typer.Option(1, "--blocks-per-chunk", help="lane blocks per task"),
          runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
          name: Optional[str] = typer.Option(None, "--name", help="run id (default: experiment + hash of the config; same config resumes)"),
          figures: bool = typer.Option(True, "--figures/--no-figures", help="write the experiment's PNG figures"),
          report: bool = typer.Option(True, "--report/--no-report", help="write the run's HTML report"),
          force: bool = typer.Option(False, "--force", help="recompute even if the run is stored"),
          tag: list[str] = typer.Option(None, "--tag", help="label the run (repeatable); see `sslab runs`, `sslab tag`"),
          fmt: str = typer.Option("png", "--format", help=FORMAT_HELP),
          dry_run: bool = typer.Option(False, "--dry-run", help="print lanes, programs, blocks, records, memory and an ETA, then exit")) -> None:
    """Run a grid: points packed into lanes of compiled programs, lane blocks as chunks on an executor."""
    _figure_format(fmt)
    if executor not in ("local", "ray", "inprocess"):
        _fail(f"--executor: invalid value {executor!r}; valid choices: local, ray, inprocess")
    if workers is not None and workers < 1:
        _fail(f"--workers: must be >= 1, got {workers}")
    if blocks_per_chunk < 1:
        _fail(f"--blocks-per-chunk: must be >= 1, got {blocks_per_chunk}")
    if executor == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            _fail("--executor ray needs Ray: pip install 'sslab[ray]'")
    _run(experiment, overrides, runs, name, figures, report, executor, workers, address, blocks_per_chunk, force,
         dry_run, tag)


def _use_device(device: str) -> None:
    """Pin JAX (this process and the workers it spawns) to a platform before JAX starts; one-line error if absent."""
    import os
    if device not in ("auto", "cpu", "gpu"):
        _fail(f"--device: invalid value {device!r}; valid choices: auto, cpu, gpu")
    if device == "auto":
        return
    os.environ["JAX_PLATFORMS"] = {"cpu": "cpu", "gpu": "cuda"}[device]
    if device == "gpu":
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # several workers share one GPU
    import jax
    try:
        jax.config.update("jax_platforms", os.environ["JAX_PLATFORMS"])  # JAX may be imported already
        jax.devices()
    except (RuntimeError, AssertionError) as e:
        why = str(e).splitlines()[0] if str(e) else "JAX found no such backend"
        _fail(f"--device {device}: no such device ({why}); for a GPU: pip install -U 'jax[cuda12]'")


def _runs_folder(runs: Optional[Path], write: bool):
    """The results store at ``--runs`` / $SSLAB_RUNS / ./runs, checked before any work: a one-line error if it is
    a file, cannot be created or written (``write``), or does not exist (read-only commands)."""
    import os

    from .store import RunStore
    store = RunStore(runs)
    root = store.root
    source = "--runs" if runs is not None else ("$SSLAB_RUNS" if os.environ.get("SSLAB_RUNS") else "runs folder")
    if root.exists() and not root.is_dir():
        _fail(f"{source}: {root} is a file, not a folder of runs")
    if not write:
        if not root.exists():
            _fail(f"{source}: no runs folder at {root}")
        return store
    nearest = next((p for p in (root, *root.parents) if p.exists()), None)
    if nearest is None or not nearest.is_dir() or not _writable(nearest):
        what = "read-only" if root.exists() else f"cannot be created in {nearest}"
        _fail(f"{source}: cannot write runs into {root} ({what})")
    return store


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (a real write: permissions, read-only mounts, quotas)."""
    import tempfile
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sslab-probe-"):
            return True
    except OSError:
        return False


def _run(experiment, overrides, runs, name, figures, report, executor, workers, address, blocks_per_chunk,
         force: bool = False, dry_run: bool = False, tags: Optional[list[str]] = None) -> None:
    from .config import ConfigError
    from .engine.train import BLOWUP
    from .runner import run_plan
    from .store import check_run_id

    exp = _experiment(experiment)
    try:
        plan = exp.plan(overrides or [])
    except ConfigError as e:
        _fail(str(e))
    if name is not None:
        try:
            check_run_id(name)
        except ValueError as e:
            _fail(f"--name: {e}")
    from .store import check_tag
    for t in tags or []:
        try:
            check_tag(t)
        except ValueError as e:
            _fail(f"--tag: {e}")
    if dry_run:
        import os
        from .store import RunStore
        n = 1 if executor == "inprocess" else (workers or os.cpu_count() or 1)
        _print_preflight(exp, plan, n, RunStore(runs))
        return
    store = _runs_folder(runs, write=True)
    from .runner import preflight
    import os
    try:
        pf = preflight(exp, plan, workers=1 if executor == "inprocess" else (workers or os.cpu_count() or 1))
    except (ConfigError, ValueError) as e:
        _fail(str(e))
    if pf.problem():
        _fail(pf.problem())
    if name is not None:
        from .runner import name_conflict
        conflict = name_conflict(exp, plan, store, name)
        if conflict:
            _fail(conflict)
    console.print(f"[bold]{escape(exp.title)}[/]\n{plan.size()} lane(s); axes: "
                  + escape(", ".join(f"{k}={_short(v)}" for k, v in plan.axes.items()) or "none")
                  + (f"; executor: {executor}" if executor != "inprocess" else ""))
    t0 = time.time()
    try:
        res = run_plan(exp, plan, store=store, name=name, progress=True, figures=figures, executor=executor,
                       workers=workers, address=address, blocks_per_chunk=blocks_per_chunk, force=force,
                       overrides=list(overrides or []), tags=tuple(tags or ()))
    except KeyboardInterrupt:
        err.print("interrupted: the finished lane blocks are stored; re-running the same command resumes the run")
        raise typer.Exit(130)
    except (ValueError, OSError) as e:  # a run id taken by another config, an unwritable folder
        _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    if report:
        from .report.html import run_report
        run_report(res)
    summary = res.handle.read_json("summary")
    for g in summary["groups"]:
        setting = ", ".join(f"{k}={v}" for k, v in g["setting"].items())
        table = Table(title=f"{res.run_id}: last step, {g['lanes']} lane(s)" + (f" at {setting}" if setting else "")
                      + " (ci95: half-width of the 95% t-interval of the mean)")
        for col in ("metric", "mean", "ci95", "std", "min", "max", "n"):
            table.add_column(col, justify="right" if col != "metric" else "left")
        for m, st in sorted(g["metrics"].items()):
            table.add_row(m, *(f"{st[k]:.5g}" for k in ("mean", "ci95", "std", "min", "max")), str(st["n"]))
        console.print(table)
    if summary["diverged_lanes"]:
        console.print(f"[bold red]diverged lanes[/] (lane: step): {summary['diverged_lanes']}")
    console.print(f"results: {res.handle.path}  ({time.time() - t0:.1f} s)")
    for f in res.figures:
        console.print(f"  figure: {f}")
    if summary["lanes"] and len(summary["diverged_lanes"]) == summary["lanes"]:
        err.print(f"[bold red]error:[/] every lane diverged (non-finite or beyond {BLOWUP:g}× its initial loss or "
                  "parameter norm); lower optim.lr or check the config")
        raise typer.Exit(1)


def _print_preflight(exp, plan, workers: int, store) -> None:
    """--dry-run: what the plan will do, its estimated memory and time; computes nothing it keeps."""
    from .runner import preflight
    pf = preflight(exp, plan, workers=workers, store=store if store.root.is_dir() else None, calibrate=True)
    t = Table(title=f"{exp.name} dry run: {pf.lanes} lane(s) in {pf.blocks} block(s) of {len(pf.programs)} "
                    f"compiled program(s), {workers} worker(s)", title_justify="left")
    for col in ("program", "lanes", "block", "blocks", "padded lanes", "steps", "records", "memory per block"):
        t.add_column(col, justify="right")
    from .runner import _gb
    for p in pf.programs:
        t.add_row(str(p["program"]), str(p["lanes"]), str(p["block"]), str(p["blocks"]), str(p["padded"]),
                  str(p["steps"]), f"{p['records']:,}", _gb(p["bytes_block"]))
    console.print(t)
    avail = _gb(pf.available_bytes) if pf.available_bytes is not None else "unknown"
    console.print(f"records: {pf.records:,}; estimated peak memory {_gb(pf.peak_bytes)} of {avail} available",
                  highlight=False)
    console.print("ETA: " + (f"{pf.eta_seconds:.0f} s ({pf.eta_source})" if pf.eta_seconds is not None
                             else "unknown"), highlight=False)
    for w in pf.warnings():
        err.print(f"[yellow]warning:[/] {escape(w)}")
    if pf.problem():
        err.print(f"[bold red]would stop:[/] {escape(pf.problem())}")


def _parquet_bytes(df) -> bytes:
    import io
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _short(v: list) -> str:
    return ",".join(map(str, v)) if len(v) <= 6 else f"{v[0]}..{v[-1]} ({len(v)} values)"


@app.command()
def check(cli: typer.Context, target: Optional[str] = typer.Argument(None, help="paper (yang2024) or claim (yang2024.C5); default: all"),
          size: str = typer.Option("full", "--size", help="full: the spec's sizes; quick: smaller versions of slow claims"),
          runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
          report: Optional[Path] = typer.Option(None, "--report", help="also write an HTML report into this directory"),
          workers: Optional[int] = typer.Option(None, "--workers", help="processes running claims side by side, one XLA thread each (default: $SSLAB_CHECK_WORKERS or all cores; 1: in this process)"),
          json_out: Optional[Path] = typer.Option(None, "--json", help="also write the whole claim table (every row, rule, statistic and per-seed value) as JSON; `--json -` prints it to stdout (the tables go to stderr)"),
          csv_out: Optional[Path] = typer.Option(None, "--csv", help="also write the claim table as CSV, one line per row"),
          compare: Optional[Path] = typer.Option(None, "--compare", help="a claim table written earlier with --json: print what moved"),
          dry_run: bool = typer.Option(False, "--dry-run", help="print the claims, workers and an ETA from the claims' cost hints, then exit"),
          device: str = typer.Option("auto", "--device", help="auto (JAX's default) | cpu | gpu (needs jax[cuda12])"),
          fmt: str = typer.Option("png", "--format", help="with --report: " + FORMAT_HELP)) -> None:
    """Run claims and print claim, measured, predicted/bound and verdict; exit 1 if any claim fails."""
    _figure_format(fmt)
    from .check import Context, default_workers, optional_papers, run_claims, select
    from .engine.lanes import enable_compilation_cache
    from .store import RunStore

    if size not in ("full", "quick"):
        _fail(f"--size: invalid value {size!r}; valid choices: full, quick")
    if workers is not None and workers < 1:
        _fail(f"--workers: invalid value {workers}; must be ≥ 1")
    _use_device(device)
    old_table = _read_table(compare) if compare else None
    try:
        claims = select(target, report=report is not None)
    except KeyError as e:
        _fail(e.args[0])
    if not target:
        _warn_problems()
    if dry_run:
        from .check import makespan
        try:
            n = min(workers or default_workers(), len(claims))
        except ValueError as e:
            _fail(str(e))
        for c in claims:
            console.print(_t(f"{c.key}  {c.title}  (cost hint {c.cost:g} s" + (f", after {', '.join(c.after)}" if c.after else "") + ")"))
        console.print(f"{len(claims)} claim(s) on {n} worker(s); ETA about {makespan(claims, n) / 60:.1f} min from the "
                      f"claims' cost hints (rough one-core seconds at spec size, measured on an AVX-512 machine)",
                      highlight=False)
        return
    enable_compilation_cache()
    ctx = Context(store=_runs_folder(runs, write=True), size=size)
    try:
        n_workers = min(workers or default_workers(), len(claims))
    except ValueError as e:
        _fail(str(e))
    if json_out is not None and str(json_out) == "-":  # stdout is the JSON table; everything else to stderr
        console.file = sys.stderr
        cli.call_on_close(lambda: setattr(console, "file", None))
    t0 = time.time()
    try:
        with console.status(f"{len(claims)} claim(s) on {n_workers} worker(s)") as status:
            results = run_claims(claims, ctx, n_workers, on_result=_print_claim,
                                 on_progress=lambda k, n: status.update(f"{k}/{n} claims done on {n_workers} worker(s)"))
    except KeyboardInterrupt:
        err.print("interrupted: the runs the claims finished are stored; re-running the same command resumes "
                  "(finished runs and lane blocks are reused, not recomputed)")
        raise typer.Exit(130)
    wall = time.time() - t0
    failed = [r.claim.key for r in results if r.verdict == "FAIL"]
    overview = Table(title="Overview", title_justify="left")
    for col in ("paper", "claim", "title", "seconds", "of which compile", "verdict"):
        overview.add_column(col)
    for r in results:
        colour = "green" if r.verdict == "PASS" else "red"
        overview.add_row(r.claim.paper, r.claim.id, _t(r.claim.title), f"{r.seconds:.1f}", f"{r.compile_seconds:.1f}",
                         f"[{colour}]{r.verdict}[/]")
    console.print(overview)
    console.print(f"\n[bold]{len(results) - len(failed)}/{len(results)} claims pass[/] in {wall:.1f} s wall "
                  f"({n_workers} worker(s); claims' own times sum to {sum(r.seconds for r in results):.1f} s, "
                  f"of which compilation {sum(r.compile_seconds for r in results):.1f} s)"
                  + (f"; [bold red]failed: {', '.join(failed)}[/]" if failed else ""))
    if json_out or csv_out or old_table is not None:
        _write_tables(results, wall, n_workers, size, json_out, csv_out, old_table)
    if not target:
        for p in optional_papers():
            console.print(f"optional, not run: {p} (run with `sslab check {p}`)")
    if report is None:
        for c in select(target, report=True):
            if c.report_only and c not in claims:
                console.print(f"report-only, not run: {c.key} (runs with --report, or `sslab check {c.key}`)")
    if report:
        from .papers import paper
        from .report.html import check_report
        figs = _check_figures(ctx, results, report)
        papers = {p: (paper(p).title, paper(p).summary) for p in dict.fromkeys(r.claim.paper for r in results)}
        out = check_report(results, Path(report) / "index.html", figs, papers,
                           info=f"{size} size, {n_workers} worker(s), {wall:.0f} s wall")
        console.print(f"report: {out}")
    raise typer.Exit(1 if failed else 0)


def _read_table(path: Path) -> dict:
    """A claim table written by ``check --json`` (for --compare); a one-line error if it cannot be used."""
    import json
    try:
        table = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        _fail(f"--compare: cannot read a claim table from {path}: {getattr(e, 'strerror', None) or e}")
    if not isinstance(table, dict) or not isinstance(table.get("claims"), list):
        _fail(f"--compare: {path} is not a claim table written by `sslab check --json`")
    return table


def _write_tables(results, wall: float, workers: int, size: str, json_out: Optional[Path], csv_out: Optional[Path],
                  old_table: Optional[dict]) -> None:
    """--json, --csv (written atomically) and --compare (what moved since the old table)."""
    import json
    import platform

    from .check import claim_table, compare_tables, table_rows
    from .store import atomic_write_text
    table = claim_table(results, size=size, workers=workers, wall_seconds=wall, machine=platform.machine(),
                        processor=_cpu_model())
    for path, text in ((json_out, lambda: json.dumps(table, indent=1, ensure_ascii=False) + "\n"),
                       (csv_out, lambda: _csv_text(table_rows(table)))):
        if path is None:
            continue
        if str(path) == "-":
            sys.stdout.write(text())
            sys.stdout.flush()
            continue
        try:
            atomic_write_text(path, text())
        except OSError as e:
            _fail(f"cannot write {path}: {e.strerror or e}")
        console.print(f"claim table: {path}", highlight=False)
    if old_table is not None:
        moved = compare_tables(old_table, table)
        if not moved:
            console.print("compared with the old table: nothing moved", highlight=False)
            return
        t = Table(title=f"What moved ({len(moved)})", title_justify="left")
        for col in ("claim", "what", "old", "new"):
            t.add_column(col, overflow="fold")
        for m in moved:
            t.add_row(*(_t(m[k]) for k in ("claim", "what", "old", "new")))
        console.print(t)


def _csv_text(rows: list[dict]) -> str:
    import csv
    import io
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor()


def _check_figures(ctx, results, outdir: Path) -> dict[str, list[Path]]:
    """Each checked paper's report figures, drawn from the claims' stored runs."""
    from .check import figures_for, select
    out: dict[str, list[Path]] = {}
    for paper in dict.fromkeys(r.claim.paper for r in results):
        if len([r for r in results if r.claim.paper == paper]) < len(select(paper, report=True)):
            continue  # figures need the runs of the whole paper
        try:
            out[paper] = figures_for(paper, ctx, Path(outdir) / "figures")
        except Exception as e:  # noqa: BLE001 - a figure must not hide the claim table
            err.print(f"[yellow]figures for {paper} failed:[/] {type(e).__name__}: {e}")
    return out


def _print_claim(r) -> None:
    colour = {"PASS": "green", "FAIL": "red", "REPORT": "dim"}
    table = Table(title=f"{r.claim.key} — {r.claim.title} \\[{r.claim.precision}] ({r.seconds:.1f} s): "
                  f"[{colour[r.verdict]}]{r.verdict}[/]", title_justify="left", show_lines=False)
    for col in ("group", "criterion", "measured", "predicted / bound", "verdict"):
        table.add_column(col, overflow="fold")
    if r.error:
        table.add_row("", "claim raised an error", _t(r.error), "", "[red]FAIL[/]")
    for row in r.rows:
        table.add_row(_t(row.group), _t(row.criterion), _t(row.measured), _t(row.predicted),
                      f"[{colour[row.verdict]}]{row.verdict}[/]")
    console.print(table)


def _warn_problems(lines: Optional[list[str]] = None) -> None:
    """One line per declared paper that could not be used (a broken plugin never stops the command)."""
    if lines is None:
        from .compose.compose import LOSS_PROBLEMS, view_losses
        from .papers import problems
        view_losses()
        lines = problems() + LOSS_PROBLEMS
    for p in lines:
        err.print(f"[yellow]warning:[/] {escape(p)}", highlight=False, soft_wrap=True)


# --- the list index: `sslab list` without importing the papers (and JAX) ------------------------------------

INDEX_VERSION = 1
_ENTRY_GROUPS = ("sslab.papers", "sslab.losses")


def _index_path() -> Optional[Path]:
    import os
    if os.environ.get("SSLAB_INDEX", "").lower() in ("0", "off", "none"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sslab" / "list-index.json"


def _index_key() -> str:
    """What the index depends on: sslab's version, the interpreter, every entry point of the paper and loss
    groups (name, value, distribution and its version) and the path, size and mtime of every source file of the
    packages they point into (sslab's own included), so an edit, an install or an uninstall rebuilds it."""
    import hashlib
    import importlib.util
    import os
    from importlib.metadata import entry_points

    from . import __version__
    h = hashlib.sha256(f"{INDEX_VERSION} {__version__} {sys.executable}\n".encode())
    tops = {"sslab"}
    for group in _ENTRY_GROUPS:
        for ep in sorted(entry_points(group=group), key=lambda e: (e.name, e.value)):
            dist = getattr(ep, "dist", None)
            h.update(f"{group} {ep.name} {ep.value} {getattr(dist, 'name', '')} {getattr(dist, 'version', '')}\n".encode())
            tops.add(ep.value.split(":")[0].strip().split(".")[0])
    for top in sorted(tops):
        try:
            spec = importlib.util.find_spec(top)  # a top-level package: located, not executed
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            h.update(f"missing {top}\n".encode())
            continue
        roots = list(spec.submodule_search_locations or []) or ([spec.origin] if spec.origin else [])
        for root in roots:
            files = [root] if os.path.isfile(root) else [
                os.path.join(d, f) for d, dirs, fs in os.walk(root)
                if not dirs.__setitem__(slice(None), sorted(x for x in dirs if x != "__pycache__" and not x.startswith(".")))
                for f in sorted(fs) if f.endswith(".py")]
            for f in files:
                try:
                    st = os.stat(f)
                except OSError:
                    continue
                h.update(f"{f} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _build_index() -> dict:
    """Everything `sslab list` shows, from the registry itself (imports every paper, hence JAX)."""
    from .check import optional_papers, select
    from .compose.compose import EXPERIMENT as compose
    from .compose.compose import LOSS_PROBLEMS, view_losses
    from .papers import papers, problems, sources
    src = sources()
    out = []
    for name, p in papers().items():
        origin = "built in" if src.get(name) and src[name].builtin else (
            f"plugin: {src[name].distribution}" if name in src else "registered in this process")
        out.append({"name": name, "title": p.title, "origin": origin, "claims": len(p.claims), "optional": p.optional,
                    "aliases": list(p.aliases),
                    "experiments": [{"name": e.name, "title": e.title, "presets": list(e.presets)} for e in p.experiments]})
    optional = optional_papers()
    claims = [{"key": c.key, "paper": c.paper, "id": c.id, "title": c.title, "precision": c.precision, "slow": c.slow,
               "optional": c.paper in optional, "report_only": c.report_only}
              for c in select(None, include_optional=True, report=True)]
    view_losses()
    return {"papers": out, "compose": {"name": compose.name, "title": compose.title},
            "claims": claims, "problems": problems() + list(LOSS_PROBLEMS)}


def _index() -> dict:
    """The list index: the live registry when this process already imported it (tests, notebooks: papers
    registered in-process show up), else ``~/.cache/sslab/list-index.json`` when its key matches (no paper and no
    JAX imported: `sslab list` in a fraction of a second), else rebuilt and stored atomically."""
    import json
    import os
    import tempfile
    if "sslab.papers" in sys.modules:
        return _build_index()
    path = _index_path()
    key = _index_key() if path is not None else ""
    if path is not None:
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(cached, dict) and cached.get("key") == key and isinstance(cached.get("index"), dict):
                return cached["index"]
        except (OSError, ValueError):
            pass
    index = _build_index()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".list-index.")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": key, "index": index}, f)
            os.replace(tmp, path)
        except OSError:  # a read-only cache: list works, only slower
            pass
    return index


def _axis_text(values: list) -> str:
    """An axis as the override that makes it: 0:20 for a contiguous integer range, else a comma list."""
    if len(values) > 1 and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        step = values[1] - values[0]
        if step and all(b - a == step for a, b in zip(values, values[1:])):
            return f"{values[0]}:{values[-1] + step}" + (f":{step}" if step != 1 else "")
    return ",".join(map(str, values))


@app.command("list")
def list_(what: str = typer.Argument("experiments", help="experiments | papers | claims | keys"),
          experiment: Optional[str] = typer.Argument(None, help="for `keys`: the experiment"),
          as_json: bool = typer.Option(False, "--json", help="print the list as JSON")) -> None:
    """List experiments (with the paper and distribution they come from), papers, claims, or an experiment's keys
    (with their defaults, whether they may vary per lane, and the metrics the experiment logs)."""
    import json
    if what == "keys":
        _list_keys(experiment, as_json)
        return
    if what not in ("experiments", "papers", "claims"):
        _fail(f"unknown list target {what!r}; valid choices: experiments, papers, claims, keys")
    index = _index()
    if what == "papers":
        items = [{k: v for k, v in p.items() if k != "experiments"} for p in index["papers"]]
        lines = [f"[bold]{p['name']}[/]  {escape(p['title'])}  ({p['origin']}; {p['claims']} claims"
                 + (", optional" if p["optional"] else "")
                 + (f"; alias {', '.join(p['aliases'])}" if p["aliases"] else "") + ")" for p in items]
    elif what == "experiments":
        items = [{**e, "paper": p["name"], "origin": p["origin"],
                  "aliases": p["aliases"] if e["name"] == p["name"] else []}
                 for p in index["papers"] for e in p["experiments"]]
        lines = [f"[bold]{e['name']}[/]  {escape(e['title'])}  (paper {e['paper']}, {e['origin']}; presets: "
                 f"{', '.join(e['presets']) or '-'}" + (f"; alias {', '.join(e['aliases'])}" if e["aliases"] else "")
                 + ")" for e in items]
        c = index["compose"]
        items.append({"name": c["name"], "title": c["title"], "presets": [], "paper": None, "origin": "built in",
                      "aliases": []})
        lines.append(f"[bold]{c['name']}[/]  {escape(c['title'])}  (built in; data, model, loss from every paper)")
    else:
        items = index["claims"]
        lines = [f"[bold]{c['key']}[/]  {escape(c['title'])}  \\[{c['precision']}]" + ("  (slow)" if c["slow"] else "")
                 + ("  (optional: run only when named)" if c["optional"] else "")
                 + ("  (report-only: runs with check --report or when named)" if c["report_only"] else "")
                 for c in items]
    if as_json:
        print(json.dumps(items, indent=1, ensure_ascii=False))
    else:
        for line in lines:
            console.print(line, highlight=False)
    _warn_problems(index["problems"])


def _list_keys(experiment: Optional[str], as_json: bool) -> None:
    """`sslab list keys EXP`: every key that can be set, its real default (an axis default as the override that
    makes it, e.g. seed 0:20), lane or static, and the metrics the experiment logs."""
    import json
    if not experiment:
        names = sorted([e["name"] for p in _index()["papers"] for e in p["experiments"]] + ["compose"])
        _fail("`sslab list keys EXPERIMENT`; valid experiments: " + ", ".join(names))
    exp = _experiment(experiment)
    from .config import get_path, leaf_paths
    from .store import jsonable
    base = exp.base()
    axes = {k: list(v) for k, v in (exp.default_axes or {}).items()}
    swappable = set(exp.sections or {})
    keys = []
    for p, f in leaf_paths(base).items():
        head, _, leaf = p.rpartition(".")
        if leaf == "name" and head in ("data", "model", "loss") and head not in swappable:
            continue  # fixed by the experiment: cannot be changed
        if p == "experiment":
            continue
        value = get_path(base, p)
        keys.append({"key": p, "default": _axis_text(axes[p]) if p in axes else value, "axis": p in axes,
                     "lane": bool(f.metadata.get("lane")), "doc": f.metadata.get("doc", "")})
    try:
        from .engine.lanes import logged_metrics
        metrics = logged_metrics(exp.plan([]).points()[0], exp.problem)
    except Exception as e:  # noqa: BLE001 - the key table must not depend on it
        metrics, problem = [], f"{type(e).__name__}: {e}"
    else:
        problem = None
    sections = {sec: list(make.choices()) for sec, make in (exp.sections or {}).items() if hasattr(make, "choices")}
    if as_json:
        print(json.dumps({"experiment": exp.name, "keys": jsonable(keys), "metrics": metrics,
                          "also_logged": ["loss", "diverged_at"], "sections": sections}, indent=1, ensure_ascii=False))
        return
    _emit(["key", "default", "lane", "doc"],
          [[k["key"], (k["default"] + " (axis)") if k["axis"] else repr(k["default"]), "yes" if k["lane"] else "",
            k["doc"]] for k in keys], nowrap=("key",),
          title=f"{exp.name} config keys (lane = may vary across lanes of one program; axis = the default lanes)")
    for sec, choices in sections.items():
        console.print(_t(f"{sec}=NAME swaps the {sec} section; choices: {', '.join(choices)}"))
    if metrics:
        console.print(_t(f"metrics logged at step 0 and every train.log_every steps: {', '.join(metrics)}; "
                         "also loss (the mean objective over each logging interval) and diverged_at"))
    else:
        console.print(_t(f"metrics: could not be evaluated ({problem})"))


@app.command()
def new(kind: str = typer.Argument(..., help="what to create: paper"),
        name: str = typer.Argument(..., help="the paper's name: a lower-case identifier (package, entry point, claim prefix)"),
        directory: Path = typer.Option(Path("."), "--dir", help="folder to create NAME/ in")) -> None:
    """Write a minimal, working paper plugin (pyproject with the entry point, data model, experiment, claim,
    figure, test); `pip install -e DIR/NAME` and `sslab check NAME` pass out of the box (docs/PLUGINS.md)."""
    from .scaffold import write_paper
    if kind != "paper":
        _fail(f"unknown kind {kind!r}; valid choices: paper")
    try:
        root = write_paper(name, directory)
    except (ValueError, FileExistsError) as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {Path(directory) / name}: {e.strerror or e}")
    console.print(f"wrote {root}\nnext:  pip install -e {root}  &&  sslab check {name}", highlight=False)


@app.command()
def theory(target: str = typer.Argument(..., help="PAPER.OBJECT (e.g. yang2024.ssl_minimiser), or PAPER to list its objects"),
           params: list[str] = typer.Argument(None, help="key=value keyword arguments; a comma list sweeps (tau=3,5,7)"),
           as_json: bool = typer.Option(False, "--json", help="print the result(s) as JSON")) -> None:
    """Evaluate a paper's public theory object (float64, no training), e.g. `sslab theory yang2024.ssl_minimiser tau=3,5,7`."""
    import inspect
    import itertools
    import json

    from .config import eval_number
    from .papers import paper
    from .store import jsonable
    name, _, obj = target.partition(".")
    try:
        p = paper(name)
    except KeyError as e:
        _fail(e.args[0])
    if not obj:
        for key, fn in p.theory.items():
            doc = (inspect.getdoc(fn) or "").splitlines()[0] if inspect.getdoc(fn) else ""
            console.print(f"[bold]{name}.{key}[/]{escape(str(inspect.signature(fn)))}  {escape(doc)}", highlight=False)
        if not p.theory:
            console.print(f"{name} declares no theory objects")
        return
    if obj not in p.theory:
        _fail(f"unknown theory object {target!r}; valid choices: {', '.join(f'{name}.{k}' for k in p.theory) or '(none)'}")
    fn = p.theory[obj]
    sig = inspect.signature(fn)
    axes: dict[str, list] = {}
    for item in params or []:
        key, eq, raw = item.partition("=")
        if not eq or not key:
            _fail(f"argument {item!r} is not key=value")
        if key not in sig.parameters:
            _fail(f"{target}: unknown parameter {key!r}; valid choices: {', '.join(sig.parameters) or '(none)'}")
        values = []
        for v in raw.split(","):
            try:
                x = eval_number(v)
                values.append(int(x) if v.strip().lstrip("-").isdigit() else x)
            except ValueError:
                values.append(v.strip())
        axes[key] = values
    out = []
    for combo in itertools.product(*axes.values()):
        kwargs = dict(zip(axes, combo))
        try:
            value = fn(**kwargs)
        except (TypeError, ValueError) as e:
            _fail(f"{target}({', '.join(f'{k}={v}' for k, v in kwargs.items())}): {e}")
        out.append({"params": kwargs, "value": jsonable(value)})
    if as_json:
        print(json.dumps(out[0] if len(out) == 1 and not axes else out, indent=1, ensure_ascii=False))
        return
    for o in out:
        console.print(f"[bold]{target}[/]({', '.join(f'{k}={v}' for k, v in o['params'].items())})", highlight=False)
        console.print(o["value"])


@app.command()
def query(sql: str = typer.Argument(..., help='SQL over the views `records` and `runs`, e.g. "SELECT metric, avg(value) FROM records GROUP BY 1"'),
          runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
          csv: Optional[Path] = typer.Option(None, "--csv", help="write the result as CSV"),
          parquet: Optional[Path] = typer.Option(None, "--parquet", help="write the result as Parquet")) -> None:
    """Run one read-only DuckDB SELECT over the views records, runs and configs of every stored run."""
    from . import store as store_mod
    store = _runs_folder(runs, write=False)
    try:
        df = store.query(sql)
    except Exception as e:  # noqa: BLE001 - SQL errors are user errors
        _fail(f"query failed: {str(e).splitlines()[0]}")
    for p in store.problems:
        err.print(f"[yellow]skipped:[/] {escape(p)}")
    for path, write in ((csv, lambda p: store_mod.atomic_write_text(p, df.to_csv(index=False))),
                        (parquet, lambda p: store_mod.atomic_write_bytes(p, _parquet_bytes(df)))):
        if path is None:
            continue
        if not Path(path).parent.is_dir():
            _fail(f"cannot write {path}: folder {Path(path).parent} does not exist")
        try:
            write(path)
        except OSError as e:
            _fail(f"cannot write {path}: {e.strerror or e}")
    table = Table()
    for c in df.columns:
        table.add_column(str(c))
    for row in df.head(200).itertuples(index=False):
        table.add_row(*(_t(f"{v:.6g}" if isinstance(v, float) else str(v)) for v in row))
    console.print(table)
    if len(df) > 200:
        console.print(f"... {len(df)} rows (showing 200; use --csv/--parquet for all)")


def _emit(columns: list[str], rows: list[list], title: Optional[str] = None, nowrap: tuple[str, ...] = ()) -> None:
    """A table: Rich on a terminal (the ``nowrap`` columns kept on one line); tab-separated lines with a header
    when stdout is a file or a pipe (never wrapped, one line per row, for grep, cut and spreadsheets)."""
    if console.is_terminal:
        table = Table(title=title, title_justify="left")
        for c in columns:
            table.add_column(c, overflow="fold", no_wrap=c in nowrap)
        for r in rows:
            table.add_row(*(_t("" if v is None else v) for v in r))
        console.print(table)
        return
    clean = lambda v: "" if v is None else str(v).replace("\t", " ").replace("\n", " ")  # noqa: E731
    out = ["\t".join(columns)] + ["\t".join(clean(v) for v in r) for r in rows]
    print("\n".join(out), flush=True)


def _age(started: str, now: Optional[float] = None) -> str:
    """How long ago a run started: 42s, 17m, 5h, 3d."""
    from datetime import datetime
    try:
        t = datetime.fromisoformat(str(started)).timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        return "?"
    age = max(0.0, (time.time() if now is None else now) - t)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if age >= size:
            return f"{int(age // size)}{unit}"
    return f"{int(age)}s"


def _duration(text: str, option: str) -> float:
    """``7d``, ``12h``, ``30m``, ``45s`` (or a number of days) in seconds; a one-line error otherwise."""
    import re
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text or "")
    if not m:
        _fail(f"{option}: invalid duration {text!r}; use e.g. 7d, 12h, 30m, 45s or 2w")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "": 86400}[m.group(2)]


RUNS_COLUMNS = ("run_id", "experiment", "status", "lanes", "axes", "overrides", "tags", "sslab", "code", "age")


@app.command("runs")
def runs_(runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
          experiment: Optional[str] = typer.Option(None, "--experiment", help="only runs of this experiment"),
          status: Optional[str] = typer.Option(None, "--status", help="only runs with this status: done, running, interrupted or failed"),
          tag: Optional[str] = typer.Option(None, "--tag", help="only runs with this tag"),
          as_json: bool = typer.Option(False, "--json", help="print the runs as JSON (every column of the runs view, with axes and overrides as lists)")) -> None:
    """List stored runs: experiment, status, lanes, swept axes, overrides, tags, provenance and age.

    Status: done; running (a process holds the run's lock); interrupted (its process died or was stopped:
    re-running the command resumes it); failed. Printed as a table on a terminal, as tab-separated lines in a
    pipe or file.
    """
    import json

    from .store import SHOWN_STATUSES
    if status is not None and status not in SHOWN_STATUSES:
        _fail(f"--status: invalid value {status!r}; valid choices: {', '.join(SHOWN_STATUSES)}")
    store = _runs_folder(runs, write=False)
    rows = store._scan()
    if experiment is not None:
        rows = [r for r in rows if r["experiment"] in (experiment, _canonical(experiment))]
    if status is not None:
        rows = [r for r in rows if r["status"] == status]
    if tag is not None:
        rows = [r for r in rows if tag in (r["tags"] or "").split(",")]
    for p in store.problems:
        err.print(f"[yellow]skipped:[/] {escape(p)}")
    if as_json:
        out = []
        for r in rows:
            cfg = r["_config"]
            d = {k: v for k, v in r.items() if not k.startswith("_")}
            d["axes"] = {k: v for k, v in (cfg.get("axes") or {}).items()}
            d["overrides"] = cfg.get("overrides") if isinstance(cfg.get("overrides"), list) else None
            d["tags"] = [t for t in (r["tags"] or "").split(",") if t]
            d["age_seconds"] = _age_seconds(r["started"])
            out.append(d)
        print(json.dumps(out, indent=1, ensure_ascii=False, default=str))
        return
    _emit(list(RUNS_COLUMNS), [[r["run_id"], r["experiment"], r["status"], r["lanes"], r["axes"],
                                r["overrides"] if r["overrides"] is not None else "(not recorded)", r["tags"],
                                r["sslab"], (r["code"] or "")[:10], _age(r["started"])] for r in rows],
          nowrap=("run_id", "experiment", "status", "lanes", "sslab", "code", "age"))


def _age_seconds(started: str) -> Optional[float]:
    from datetime import datetime
    try:
        return round(time.time() - datetime.fromisoformat(str(started)).timestamp(), 1)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _canonical(name: str) -> str:
    """An experiment alias's canonical name, from the list index (no JAX import when it is fresh)."""
    for p in _index()["papers"]:
        if name in p.get("aliases", []):
            return p["name"]
    return name


@app.command()
def rm(run_ids: list[str] = typer.Argument(..., help="run ids (see `sslab runs`)"),
       runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP)) -> None:
    """Delete stored runs (a run being computed, whose lock is held, is never removed)."""
    from .store import RunLocked
    store = _runs_folder(runs, write=False)
    for rid in run_ids:  # every id is checked before anything is deleted
        try:
            store.open(rid)
        except KeyError as e:
            _fail(str(e.args[0]).split("; valid run ids")[0] + "; see `sslab runs`")
    code = 0
    for rid in run_ids:
        try:
            store.remove(rid)
        except RunLocked as e:
            err.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True)
            code = 1
            continue
        console.print(_t(f"removed {rid}"))
    raise typer.Exit(code)


@app.command()
def gc(runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
       older_than: Optional[str] = typer.Option(None, "--older-than", help="only runs started longer ago than this: 7d, 12h, 30m, 2w"),
       dry_run: bool = typer.Option(False, "--dry-run", help="list what would be removed, remove nothing")) -> None:
    """Remove failed and interrupted runs (never one whose lock is held: a run being computed)."""
    from .store import RunLocked
    age = _duration(older_than, "--older-than") if older_than is not None else None
    store = _runs_folder(runs, write=False)
    doomed = store.collectable(older_than=age)
    removed = 0
    for r in doomed:
        if dry_run:
            console.print(_t(f"would remove {r['run_id']}  ({r['status']}, {_age(r['started'])} old)"))
            continue
        try:
            store.remove(r["run_id"])
        except (RunLocked, KeyError):
            console.print(_t(f"kept {r['run_id']}  (being computed or gone)"))
            continue
        removed += 1
        console.print(_t(f"removed {r['run_id']}  ({r['status']}, {_age(r['started'])} old)"))
    what = f"{len(doomed)} run(s) would be removed" if dry_run else f"{removed} run(s) removed"
    console.print(_t(what + (f" (failed or interrupted, older than {older_than})" if older_than else
                             " (failed or interrupted)")))


@app.command()
def tag(run_id: str = typer.Argument(..., help="a run id (see `sslab runs`)"),
        tags: list[str] = typer.Argument(None, help="tags to add (letters, digits and _ . + @ -)"),
        remove: list[str] = typer.Option(None, "--remove", help="a tag to remove (repeatable)"),
        note: Optional[str] = typer.Option(None, "--note", help="a one-line note on the run (\"\" clears it)"),
        runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP)) -> None:
    """Tag a run or set its note (tags.json in the run folder, written atomically); query them with
    `sslab runs --tag NAME` or the `tags` view of `sslab query`."""
    store = _runs_folder(runs, write=False)
    try:
        handle = store.open(run_id)
    except KeyError as e:
        _fail(str(e.args[0]).split("; valid run ids")[0] + "; see `sslab runs`")
    try:
        t = handle.tag(tags or [], remove or [], note)
    except ValueError as e:
        _fail(str(e))
    console.print(_t(f"{run_id}: tags {', '.join(t['tags']) or '(none)'}" + (f"; note: {t['note']}" if t["note"] else "")))


@app.command()
def export(run_id: str = typer.Argument(..., help="a run id (see `sslab runs`)"),
           tensorboard: Optional[Path] = typer.Option(None, "--tensorboard", help="write TensorBoard event files into DIR/<run id>/ (needs tensorboardX: pip install 'sslab[export]')"),
           wandb_offline: Optional[Path] = typer.Option(None, "--wandb-offline", help="write an offline W&B run into DIR/wandb/ (`wandb sync` uploads it; without the wandb library: JSON-lines history in the same layout, not syncable)"),
           series: str = typer.Option("both", "--series", help="lanes: one series per metric and lane; means: the mean over lanes per setting; both"),
           runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP)) -> None:
    """Export a run's records as TensorBoard event files or an offline W&B run (CSV/Parquet: `sslab query --csv/--parquet`)."""
    from .export import SERIES, to_tensorboard, to_wandb_offline
    if tensorboard is None and wandb_offline is None:
        _fail("nothing to export: give --tensorboard DIR and/or --wandb-offline DIR (CSV/Parquet: sslab query --csv/--parquet)")
    if series not in SERIES:
        _fail(f"--series: invalid value {series!r}; valid choices: {', '.join(SERIES)}")
    store = _runs_folder(runs, write=False)
    try:
        handle = store.open(run_id)
    except KeyError as e:
        _fail(str(e.args[0]).split("; valid run ids")[0] + "; see `sslab runs`")
    for opt, path in (("--tensorboard", tensorboard), ("--wandb-offline", wandb_offline)):
        if path is not None and Path(path).exists() and not Path(path).is_dir():
            _fail(f"{opt}: {path} is a file, not a folder")
    try:
        if tensorboard is not None:
            console.print(_t(f"tensorboard: {to_tensorboard(handle, tensorboard, series)}  (tensorboard --logdir {tensorboard})"))
        if wandb_offline is not None:
            folder = to_wandb_offline(handle, wandb_offline, series)
            if (folder / "NOTE.txt").is_file():
                console.print(_t(f"wandb (JSON-lines, the wandb library is not installed; `wandb sync` will not accept "
                                 f"it: see NOTE.txt): {folder}"))
            else:
                console.print(_t(f"wandb offline run: {folder}  (upload: wandb sync {folder})"))
    except ImportError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write the export: {e.strerror or e}")


@app.command()
def gallery(size: str = typer.Option("quick", "--size", help="quick: 7 losses, 2 seeds, 400 steps; full: every zoo loss, 5 seeds, 2000 steps"),
            runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
            out: Path = typer.Option(Path("gallery"), "--out", help="folder of the heat-map PNG and gallery.html")) -> None:
    """Data × loss grid of `compose` runs: heat-map of each data model's recovery metric, and an HTML table."""
    from .compose.gallery import run_gallery
    from .config import ConfigError
    from .engine.lanes import enable_compilation_cache
    enable_compilation_cache()
    try:
        g = run_gallery(size, runs, out, progress=True)
    except ConfigError as e:
        _fail(str(e))
    rejected = g.table[g.table.error != ""]
    for r in rejected.itertuples():
        console.print(f"[yellow]rejected[/] {escape(f'{r.data} × {r.loss}: {r.error}')}", highlight=False)
    console.print(f"gallery: {len(g.table) - len(rejected)} cells run, {len(rejected)} rejected, {g.seconds:.0f} s")
    console.print(f"  figure: {g.figure}\n  page: {g.page}")


@app.command()
def report(run_id: str = typer.Argument(..., help="a run id (see `sslab runs`)"),
           runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
           fmt: str = typer.Option("png", "--format", help=FORMAT_HELP)) -> None:
    """(Re)build a run's figures and HTML report from its stored records."""
    _figure_format(fmt)
    from .api import load
    from .report.html import run_report
    try:
        res = load(run_id, runs)
    except KeyError as e:
        _fail(str(e.args[0]))
    if res.experiment is None:
        _fail(f"run {run_id}: experiment {res.plan_config.get('experiment')!r} is not registered")
    res.figure()
    console.print(f"report: {run_report(res)}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
