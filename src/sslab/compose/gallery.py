"""The composition gallery (issue 11): a data × loss grid of ``compose`` runs, each data model with its own
encoder, coloured by the data model's recovery metric (see :mod:`.compose`).

Every cell is one stored ``compose`` run with the seeds as lanes; a combination that cannot fit is a
cell with its ConfigError, never a number. ``sslab gallery --size quick`` draws the heat-map and writes
an HTML page with the table.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import ConfigError
from ..report.html import _img, _table, page
from ..runner import run_plan
from ..store import RunStore, atomic_write_text
from .compose import EXPERIMENT, adapter, view_losses
from .gallery_figures import heatmap

# Data-model sizes of the gallery (small enough for CPU; the papers' own sizes otherwise).
DATA = {
    "yang2024": [],
    "wenli2021": ["data.d=16"],  # d1 = 128, m = 64
    "bansal2024": [],
    "tian2022": [],
}
QUICK_LOSSES = ("infonce", "nt_xent", "simsiam", "byol", "barlow_twins", "vicreg", "spectral")
SIZES = {
    "quick": {"steps": 400, "seeds": 2, "losses": QUICK_LOSSES},
    "full": {"steps": 2000, "seeds": 5, "losses": None},  # None: every VIEW_LOSSES entry
}
TRAIN = ["optim.name=adam", "optim.lr=0.01", "train.batch_size=256"]


@dataclass
class Gallery:
    """The gallery table (one row per data × loss cell), its figure, page and settings."""

    table: pd.DataFrame
    figure: Path | None
    page: Path | None
    setting: str
    seconds: float


def losses_for(size: str) -> list[str]:
    chosen = SIZES[size]["losses"]
    table = view_losses()
    return [n for n in (chosen or table.names()) if n in table]


def run_gallery(size: str = "quick", store: Any = None, out: str | Path | None = None,
                data: list[str] | None = None, losses: list[str] | None = None, steps: int | None = None,
                seeds: int | None = None, progress: bool = False) -> Gallery:
    """Run every data × loss cell (seeds as lanes), then draw the heat-map and write the HTML page into ``out``."""
    if size not in SIZES:
        raise ConfigError(f"--size: invalid value {size!r}; valid choices: {', '.join(SIZES)}")
    store = store if isinstance(store, RunStore) else RunStore(store)
    steps = steps or SIZES[size]["steps"]
    seeds = seeds or SIZES[size]["seeds"]
    data = list(data or DATA)
    losses = list(losses or losses_for(size))
    common = [f"train.steps={steps}", f"train.log_every={steps // 4}", f"seed=0:{seeds}", f"train.lane_block={seeds}",
              *TRAIN]
    rows = []
    t0 = time.time()
    for d in data:
        for loss in losses:
            row: dict[str, Any] = {"data": d, "loss": loss}
            try:
                overrides = [f"data={d}", f"loss={loss}", *DATA.get(d, []), *common]
                res = run_plan(EXPERIMENT, EXPERIMENT.plan(overrides), store=store, figures=False)
            except ConfigError as e:
                rows.append({**row, "error": str(e)})
                continue
            last = res.records[res.records.step == res.records.step.max()]
            div = last[(last.metric == "diverged_at") & (last.value >= 0)].lane.nunique()
            rec = last[(last.metric == "recovery") & ~last.lane.isin(
                last[(last.metric == "diverged_at") & (last.value >= 0)].lane)].value.to_numpy()
            rec = rec[np.isfinite(rec)]
            init = res.records[(res.records.step == 0) & (res.records.metric == "recovery")].value
            rows.append({**row, "model": _model_label(res.plan_config), "recovery": rec.mean() if len(rec) else np.nan,
                         "std": rec.std(ddof=1) if len(rec) > 1 else np.nan, "seeds": len(rec), "diverged": div,
                         "recovery_init": float(init.mean()), "run": res.run_id, "error": ""})
            if progress:
                print(f"{d:>11} × {loss:<14} recovery {rows[-1]['recovery']:.3f}  ({time.time() - t0:.0f} s)", flush=True)
    table = pd.DataFrame(rows)
    sizes = "; ".join(f"{d}: {' '.join(DATA.get(d, [])) or 'paper sizes'}" for d in data)
    setting = (f"{steps} steps, {seeds} seeds, Adam lr 0.01, B=256, each data model with its own encoder "
               f"({sizes})")
    seconds = time.time() - t0
    fig = page = None
    if out is not None:
        out = Path(out)
        fig = heatmap(table, out / "gallery_heatmap.png", title=f"sslab gallery — final recovery (mean over seeds); {setting}")
        page = write_page(table, fig, out / "gallery.html", setting, seconds)
    return Gallery(table, fig, page, setting, seconds)


def _model_label(plan_config: dict) -> str:
    c = plan_config["config"]
    return adapter(c["data"]["name"]).own_encoder if c["model"]["name"] == "auto" else c["model"]["name"]


def write_page(table: pd.DataFrame, figure: Path, path: Path, setting: str, seconds: float) -> Path:
    """The gallery's HTML page: what recovery means per data model, the heat-map, and the table."""
    docs = "".join(f"<li><b>{html.escape(d)}</b>: {html.escape(adapter(d).recovery_doc)}</li>"
                   for d in table.data.unique())
    rows = []
    for r in table.itertuples():
        fmt = lambda v: "" if pd.isna(v) else f"{v:.3f}"  # noqa: E731
        rows.append({"data": r.data, "loss": r.loss, "model": getattr(r, "model", ""), "recovery": fmt(getattr(r, "recovery", np.nan)),
                     "std": fmt(getattr(r, "std", np.nan)), "at init": fmt(getattr(r, "recovery_init", np.nan)),
                     "seeds": "" if pd.isna(getattr(r, "seeds", np.nan)) else int(r.seeds),
                     "diverged lanes": "" if pd.isna(getattr(r, "diverged", np.nan)) else int(r.diverged),
                     "run / rejected because": r.error or r.run})
    body = (f"<p>Setting: {html.escape(setting)}. Wall time of this call {seconds:.0f} s (cells already in the store are reused, not re-run).</p>"
            f"<p>recovery per data model (in [0, 1], higher = better):</p><ul>{docs}</ul>"
            + _img(figure) + "<h2>Table</h2>"
            + _table(rows, ["data", "loss", "model", "recovery", "std", "at init", "seeds", "diverged lanes",
                            "run / rejected because"]))
    atomic_write_text(path, page("sslab gallery: data × loss", body))
    return path
