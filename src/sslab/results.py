"""A finished run as the researcher sees it: tidy records, final parameters, summaries and plots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .papers import Experiment, experiment
from .plotting import BAND_ALPHA, new_figure, save, style, suptitle
from .store import RunHandle


@dataclass
class Results:
    """A finished run: its handle in the store, its plan, tidy records and final parameters."""

    run_id: str
    handle: RunHandle
    plan_config: dict
    experiment: Experiment | None = None  # the experiment that made it (looked up by name when None)
    _records: pd.DataFrame | None = None
    _params: dict[str, np.ndarray] | None = None

    @property
    def records(self) -> pd.DataFrame:
        """Tidy records (run, experiment, lane, seed, step, metric, value, axis columns)."""
        if self._records is None:
            self._records = self.handle.records()
        return self._records

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Final parameters stacked over lanes (with a ``lane`` array)."""
        if self._params is None:
            self._params = self.handle.params()
        return self._params

    def metric(self, name: str, step: int | None = None) -> pd.Series:
        """One metric per lane at ``step`` (default: the last logged step), indexed by lane."""
        df = self.records[self.records.metric == name]
        if df.empty:
            raise KeyError(f"metric {name!r} not in run {self.run_id}; have {sorted(self.records.metric.unique())}")
        s = df.step.max() if step is None else step
        out = df[df.step == s].set_index("lane")["value"].sort_index()
        if out.empty:
            raise KeyError(f"metric {name!r} was not logged at step {s}")
        return out

    def lanes(self) -> pd.DataFrame:
        """One row per lane: lane, seed and the axis columns."""
        cols = [c for c in self.records.columns if c not in ("run", "experiment", "step", "metric", "value")]
        return self.records[cols].drop_duplicates("lane").set_index("lane").sort_index()

    @property
    def figures(self) -> list[str]:
        return sorted(str(p) for p in self.handle.figures_dir.glob("*.png"))

    def axes(self) -> list[str]:
        """The run's swept config paths other than the seed."""
        return [a for a in self.plan_config.get("axes", {}) if a != "seed"]

    def summary(self, step: int | None = None) -> pd.DataFrame:
        """Mean, std (ddof=1), min, max and n over finite non-diverged lanes of every metric at ``step``
        (default: the last), one row per metric and setting of the non-seed axes."""
        df = self.records
        s = df.step.max() if step is None else step
        last = df[df.step == df.step.max()]
        diverged = set(last[(last.metric == "diverged_at") & (last.value >= 0)].lane)
        at = df[(df.step == s) & ~df.lane.isin(diverged) & (df.metric != "diverged_at") & np.isfinite(df.value)]
        keys = self.axes() + ["metric"]
        out = at.groupby(keys).value.agg(["mean", "std", "min", "max", "count"]).rename(columns={"count": "n"})
        return out.reset_index()

    def plot(self, metrics: str | list[str], *, title: str | None = None, path: Any = None,
             log_y: bool = False):
        """Learning curves: mean ± std over seeds of each metric against the step, one line per setting of
        the non-seed axes and one panel per metric; returns the matplotlib Figure (saved when ``path``)."""
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        df, axes = self.records, self.axes()
        missing = [m for m in metrics if m not in set(df.metric)]
        if missing:
            raise KeyError(f"metric(s) {missing} not in run {self.run_id}; have {sorted(df.metric.unique())}")
        n_seeds = df.seed.nunique()
        with style():
            fig, ax_grid = new_figure(1, len(metrics), figsize=(5.0 * len(metrics), 4.0))
            for ax, m in zip(ax_grid[0], metrics):
                sub = df[df.metric == m]
                groups = sub.groupby(axes, sort=True) if axes else [((), sub)]
                for key, g in groups:
                    key = key if isinstance(key, tuple) else (key,)
                    stats = g.groupby("step").value.agg(["mean", "std"]).fillna(0.0)
                    label = ", ".join(f"{a.split('.')[-1]}={v}" for a, v in zip(axes, key)) or None
                    line, = ax.plot(stats.index, stats["mean"], label=label)
                    ax.fill_between(stats.index, stats["mean"] - stats["std"], stats["mean"] + stats["std"],
                                    color=line.get_color(), alpha=BAND_ALPHA, linewidth=0)
                ax.set_xlabel("step")
                ax.set_ylabel(m)
                if log_y:
                    ax.set_yscale("log")
                if axes:
                    ax.legend()
            suptitle(fig, (title or f"{self.plan_config.get('experiment', '')} {self.run_id}")
                     + f" — mean ± std over {n_seeds} seed{'s' if n_seeds != 1 else ''}")
        if path is not None:
            save(fig, path)
        return fig

    def figure(self) -> list[str]:
        """(Re)draw the experiment's own figures from the stored records; returns their paths."""
        exp = self.experiment or experiment(self.plan_config["experiment"])
        if exp.figures is None:
            return []
        return exp.figures(self)
