"""Export a stored run's records for other tools: TensorBoard event files and an offline Weights & Biases run.

Both write the same series: one per metric and lane (``w11/lane_3``) and, per setting of the swept non-seed axes,
the mean over the lanes that did not diverge (``w11/mean`` or ``w11/mean/data.tau_3.0``); ``diverged_at`` is not
a series. CSV and Parquet stay with ``sslab query --csv/--parquet``.

- :func:`to_tensorboard` writes ``DIR/<run id>/events.out.tfevents.*`` with ``tensorboardX`` (TensorFlow's event
  format, no TensorFlow needed; the optional extra ``sslab[export]``), plus the run's config as a text summary.
- :func:`to_wandb_offline` writes ``DIR/wandb/offline-run-<time>-<id>/`` through ``wandb`` in offline mode (the
  extra ``sslab[wandb]``): the directory ``wandb sync`` uploads. Without ``wandb`` installed it writes the same
  folder layout with JSON-lines history (``files/wandb-history.jsonl``), ``files/config.json`` and
  ``files/wandb-summary.json`` instead: readable by anything, but **not** something ``wandb sync`` accepts (it
  needs the binary ``run-<id>.wandb`` log that only the wandb library writes); the folder's ``NOTE.txt`` says so.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .store import RunHandle, atomic_write_text

SERIES = ("lanes", "means", "both")


def series(handle: RunHandle, which: str = "both") -> Iterator[tuple[int, dict[str, float]]]:
    """``(step, {tag: value})`` in increasing step order: each metric per lane (``metric/lane_<lane>``) and the
    mean over non-diverged lanes per setting of the swept non-seed axes (``metric/mean/<axis>_<value>/...``)."""
    if which not in SERIES:
        raise ValueError(f"series must be one of {', '.join(SERIES)}, got {which!r}")
    df = handle.records()
    if df.empty:
        return
    config = handle.config()
    axes = [a for a in (config.get("axes") or {}) if a != "seed" and a in df.columns]
    div = df[(df.metric == "diverged_at") & (df.value >= 0)]
    diverged = set(div.lane)
    df = df[df.metric != "diverged_at"]
    frames = []
    if which in ("lanes", "both"):
        frames.append(pd.DataFrame({"step": df.step.to_numpy(), "value": df.value.to_numpy(),
                                    "tag": df.metric + "/lane_" + df.lane.astype(str)}))
    if which in ("means", "both"):
        live = df[~df.lane.isin(diverged)]
        if len(live):
            g = live.groupby(axes + ["metric", "step"], sort=True, dropna=False).value.mean().reset_index()
            label = (g[axes].astype(str).apply(lambda r: "".join(f"/{a}_{_clean(v)}" for a, v in zip(axes, r)), axis=1)
                     if axes else pd.Series("", index=g.index))
            tag = g.metric + "/mean" + label
            frames.append(pd.DataFrame({"step": g.step.to_numpy(), "value": g.value.to_numpy(), "tag": tag}))
    out = pd.concat(frames, ignore_index=True).sort_values(["step", "tag"], kind="mergesort")
    for step, g in out.groupby("step", sort=True):
        yield int(step), dict(zip(g.tag, g.value.astype(np.float64)))


def _clean(value: str) -> str:
    """A setting's value in a tag: TensorBoard keeps only letters, digits and _ - . / in tags."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)


def _walltime(handle: RunHandle) -> float:
    try:
        return datetime.fromisoformat(str(handle.status().get("started"))).timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        return 0.0


def to_tensorboard(handle: RunHandle, outdir: str | Path, which: str = "both") -> Path:
    """TensorBoard event files of the run in ``outdir/<run id>/`` (one TensorBoard run per sslab run, so several
    exported runs compare side by side); returns that folder. Needs ``tensorboardX`` (``pip install
    'sslab[export]'``)."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError("--tensorboard needs tensorboardX: pip install 'sslab[export]'") from None
    folder = Path(outdir) / handle.run_id
    folder.mkdir(parents=True, exist_ok=True)
    wall = _walltime(handle)
    writer = SummaryWriter(logdir=str(folder), flush_secs=3600, max_queue=100_000)
    try:
        writer.add_text("config", "```\n" + json.dumps(handle.config(), indent=1, default=str) + "\n```", 0,
                        walltime=wall)
        for step, values in series(handle, which):
            for tag, value in values.items():
                writer.add_scalar(tag, value, step, walltime=wall)
    finally:
        writer.close()
    return folder


def _wandb_id(run_id: str) -> str:
    """A W&B run id from an sslab run id (letters, digits, - and _; at most 64 characters)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", run_id)[:64]


def to_wandb_offline(handle: RunHandle, outdir: str | Path, which: str = "both", project: str = "sslab") -> Path:
    """An offline W&B run of the sslab run in ``outdir/wandb/offline-run-<time>-<id>/``; returns it. With
    ``wandb`` installed it is a real offline run (``wandb sync`` uploads it); without, the same layout with
    JSON-lines history that ``wandb sync`` does not accept (see the module docstring and the folder's NOTE.txt)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    config = handle.config()
    tags = handle.tags()
    try:
        import wandb
    except ImportError:
        return _wandb_jsonl(handle, outdir, which, config, tags)
    rid = _wandb_id(handle.run_id)
    settings = wandb.Settings(silent=True, console="off", x_disable_stats=True, disable_git=True, save_code=False,
                              x_disable_meta=True)
    run = wandb.init(mode="offline", dir=str(outdir), project=project, name=handle.run_id, id=rid,
                     config=config, tags=tags["tags"][:64] or None, notes=tags["note"] or None, settings=settings,
                     reinit="create_new")
    try:
        for step, values in series(handle, which):
            run.log(values, step=step)
        folder = Path(run.dir).parent  # .../offline-run-<time>-<id>/files -> the run folder
    finally:
        run.finish()
        if hasattr(wandb, "teardown"):  # wait for wandb's service to close the run's log (finish() may return first)
            wandb.teardown()
    return folder


NOTE = """This folder has the layout of an offline Weights & Biases run, written by sslab without the wandb library:
files/wandb-history.jsonl (one JSON object per logged step: _step and one value per series), files/config.json
and files/wandb-summary.json (the last value of each series). `wandb sync` does NOT accept it: it uploads only the
binary run-<id>.wandb log that the wandb library writes. For a syncable run: pip install 'sslab[wandb]' and export
again (sslab export RUN --wandb-offline DIR).
"""


def _wandb_jsonl(handle: RunHandle, outdir: Path, which: str, config: dict, tags: dict[str, Any]) -> Path:
    """The offline-run folder layout with JSON-lines history (no wandb library): see :data:`NOTE`."""
    stamp = datetime.fromtimestamp(_walltime(handle) or 0).strftime("%Y%m%d_%H%M%S")
    folder = outdir / "wandb" / f"offline-run-{stamp}-{_wandb_id(handle.run_id)}"
    files = folder / "files"
    lines, last = [], {}
    for step, values in series(handle, which):
        clean = {k: (v if np.isfinite(v) else None) for k, v in values.items()}
        lines.append(json.dumps({"_step": step, **clean}, allow_nan=False))
        last.update(clean)
        last["_step"] = step
    atomic_write_text(files / "wandb-history.jsonl", "\n".join(lines) + ("\n" if lines else ""))
    atomic_write_text(files / "config.json", json.dumps(config, indent=1, default=str) + "\n")
    atomic_write_text(files / "wandb-summary.json", json.dumps(last, indent=1) + "\n")
    atomic_write_text(files / "wandb-metadata.json", json.dumps(
        {"run_id": handle.run_id, "project": "sslab", "tags": tags["tags"], "notes": tags["note"],
         "writer": "sslab (JSON-lines, not wandb's binary log)"}, indent=1) + "\n")
    atomic_write_text(folder / "NOTE.txt", NOTE)
    return folder


__all__ = ["series", "to_tensorboard", "to_wandb_offline", "SERIES"]
