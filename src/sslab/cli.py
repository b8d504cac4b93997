"""The ``sslab`` command line: run, check, list, query, runs, report."""

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

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="sslab: run, check and extend simulations of self-supervised-learning theory.")
console = Console(emoji=False, highlight=False)
err = Console(stderr=True, emoji=False, highlight=False)

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


@app.command()
def run(experiment: str = typer.Argument(..., help="experiment name (see `sslab list`)"),
        overrides: list[str] = typer.Argument(None, help=OVERRIDES_HELP),
        runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
        name: Optional[str] = typer.Option(None, "--name", help="run id (default: experiment + hash of the config; same config resumes)"),
        figures: bool = typer.Option(True, "--figures/--no-figures", help="write the experiment's PNG figures"),
        report: bool = typer.Option(True, "--report/--no-report", help="write the run's HTML report"),
        force: bool = typer.Option(False, "--force", help="recompute even if the run is stored"),
        dry_run: bool = typer.Option(False, "--dry-run", help="print lanes, programs, blocks, records, memory and an ETA, then exit")) -> None:
    """Run one configuration (all its lanes, in this process) and write records, parameters, summary and figures."""
    _run(experiment, overrides, runs, name, figures, report, "inprocess", None, None, 1, force, dry_run)


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
          dry_run: bool = typer.Option(False, "--dry-run", help="print lanes, programs, blocks, records, memory and an ETA, then exit")) -> None:
    """Run a grid: points packed into lanes of compiled programs, lane blocks as chunks on an executor."""
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
         dry_run)


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
         force: bool = False, dry_run: bool = False) -> None:
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
                       workers=workers, address=address, blocks_per_chunk=blocks_per_chunk, force=force)
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
def check(target: Optional[str] = typer.Argument(None, help="paper (yang2024) or claim (yang2024.C5); default: all"),
          size: str = typer.Option("full", "--size", help="full: the spec's sizes; quick: smaller versions of slow claims"),
          runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP),
          report: Optional[Path] = typer.Option(None, "--report", help="also write an HTML report into this directory"),
          workers: Optional[int] = typer.Option(None, "--workers", help="processes running claims side by side, one XLA thread each (default: $SSLAB_CHECK_WORKERS or all cores; 1: in this process)"),
          json_out: Optional[Path] = typer.Option(None, "--json", help="also write the whole claim table (every row, rule, statistic and per-seed value) as JSON"),
          csv_out: Optional[Path] = typer.Option(None, "--csv", help="also write the claim table as CSV, one line per row"),
          compare: Optional[Path] = typer.Option(None, "--compare", help="a claim table written earlier with --json: print what moved"),
          dry_run: bool = typer.Option(False, "--dry-run", help="print the claims, workers and an ETA from the claims' cost hints, then exit"),
          device: str = typer.Option("auto", "--device", help="auto (JAX's default) | cpu | gpu (needs jax[cuda12])")) -> None:
    """Run claims and print claim, measured, predicted/bound and verdict; exit 1 if any claim fails."""
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
    t0 = time.time()
    with console.status(f"{len(claims)} claim(s) on {n_workers} worker(s)") as status:
        results = run_claims(claims, ctx, n_workers, on_result=_print_claim,
                             on_progress=lambda k, n: status.update(f"{k}/{n} claims done on {n_workers} worker(s)"))
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
        out = check_report(results, Path(report) / "index.html", figs, papers)
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


def _warn_problems() -> None:
    """One line per declared paper that could not be used (a broken plugin never stops the command)."""
    from .compose.compose import LOSS_PROBLEMS, view_losses
    from .papers import problems
    view_losses()
    for p in problems() + LOSS_PROBLEMS:
        err.print(f"[yellow]warning:[/] {escape(p)}", highlight=False, soft_wrap=True)


@app.command("list")
def list_(what: str = typer.Argument("experiments", help="experiments | papers | claims | keys"),
          experiment: Optional[str] = typer.Argument(None, help="for `keys`: the experiment")) -> None:
    """List experiments (with the paper and distribution they come from), papers, claims, or an experiment's keys."""
    from .api import experiments
    from .papers import papers, sources
    if what in ("experiments", "papers"):
        src = sources()
        for name, p in papers().items():
            origin = "built in" if src.get(name) and src[name].builtin else (
                f"plugin: {src[name].distribution}" if name in src else "registered in this process")
            if what == "papers":
                console.print(f"[bold]{name}[/]  {p.title}  ({origin}; {len(p.claims)} claims"
                              + (", optional" if p.optional else "") + ")", highlight=False)
                continue
            for e in p.experiments:
                console.print(f"[bold]{e.name}[/]  {e.title}  (paper {name}, {origin}; presets: "
                              f"{', '.join(e.presets) or '-'})", highlight=False)
        if what == "experiments":
            from .compose.compose import EXPERIMENT as compose
            console.print(f"[bold]{compose.name}[/]  {compose.title}  (built in; data, model, loss from every paper)",
                          highlight=False)
        _warn_problems()
    elif what == "claims":
        from .check import optional_papers, select
        optional = optional_papers()
        for c in select(None, include_optional=True, report=True):
            console.print(f"[bold]{c.key}[/]  {c.title}  \\[{c.precision}]" + ("  (slow)" if c.slow else "")
                          + ("  (optional: run only when named)" if c.paper in optional else "")
                          + ("  (report-only: runs with check --report or when named)" if c.report_only else ""))
        _warn_problems()
    elif what == "keys":
        if not experiment:
            _fail("`sslab list keys EXPERIMENT`; valid experiments: " + ", ".join(sorted(experiments())))
        exp = _experiment(experiment)
        from .config import get_path, leaf_paths
        base = exp.base()
        table = Table(title=f"{experiment} config keys (lane = may vary across lanes of one program)")
        for col in ("key", "default", "lane", "doc"):
            table.add_column(col, overflow="fold")
        for p, f in leaf_paths(base).items():
            table.add_row(_t(p), _t(repr(get_path(base, p))), "yes" if f.metadata.get("lane") else "",
                          _t(f.metadata.get("doc", "")))
        console.print(table)
        for sec, make in (exp.sections or {}).items():
            if hasattr(make, "choices"):
                console.print(f"{sec}=NAME swaps the {sec} section; choices: {', '.join(make.choices())}")
    else:
        _fail(f"unknown list target {what!r}; valid choices: experiments, papers, claims, keys")


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
            console.print(f"[bold]{name}.{key}[/]{inspect.signature(fn)}  {doc}", highlight=False)
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


@app.command("runs")
def runs_(runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP)) -> None:
    """List stored runs with their status."""
    store = _runs_folder(runs, write=False)
    table = Table()
    for col in ("run_id", "experiment", "status", "started", "n_parts", "n_records"):
        table.add_column(col)
    for r in store.runs():
        table.add_row(*(_t(r.get(c, "")) for c in ("run_id", "experiment", "status", "started", "n_parts", "n_records")))
    console.print(table)
    for p in store.problems:
        err.print(f"[yellow]skipped:[/] {escape(p)}")


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
           runs: Optional[Path] = typer.Option(None, "--runs", help=RUNS_HELP)) -> None:
    """(Re)build a run's figures and HTML report from its stored records."""
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
