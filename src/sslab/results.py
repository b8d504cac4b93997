"""A finished run as the researcher sees it: tidy records, final parameters, summaries and plots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .papers import Experiment, experiment
from .plotting import curves_figure, figure_files, readable, save, set_caption
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

    def checkpoints(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Parameters kept during training (``train.save_every=S``): ``({name: [lanes, steps, ...], "lane":
        [lanes]}, steps)`` with steps 0, S, 2S, ..., T; the last checkpoint is the final parameters. A KeyError
        if the run kept none."""
        ck = self.handle.checkpoints()
        if not ck:
            raise KeyError(f"run {self.run_id} kept no checkpoints (run it with train.save_every=S, a multiple of "
                           "train.log_every that divides train.steps)")
        steps = ck.pop("step")
        return ck, steps

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
        """The run's figure files (one per figure: SVG or PDF where written so, else PNG)."""
        return [str(p) for p in figure_files(self.handle.figures_dir)]

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

    def _exp(self) -> Experiment | None:
        if self.experiment is not None:
            return self.experiment
        try:
            return experiment(self.plan_config["experiment"])
        except KeyError:
            return None

    def label(self, name: str) -> str:
        """A readable name for a metric or config path (the experiment's label table, else the name)."""
        exp = self._exp()
        return readable(name, exp.labels if exp is not None else None)

    def title(self, what: str = "") -> str:
        """A figure title naming the paper, ``what`` is shown and the run's setting (never the run hash)."""
        exp = self._exp()
        head = (exp.title.split(" — ")[0] if exp is not None else self.plan_config.get("experiment", ""))
        setting = exp.setting(self.plan_config) if exp is not None and exp.setting is not None else ""
        c = self.plan_config.get("config", {})
        steps = c.get("train", {}).get("steps") if isinstance(c, dict) else None
        tail = ", ".join(x for x in (setting, f"T = {steps} steps" if steps and "steps" not in setting else "") if x)
        return f"{head} — {what}" + (f": {tail}" if tail else "")

    def plot(self, metrics: str | list[str], *, title: str | None = None, path: Any = None,
             log_y: bool = False, center: str = "mean", seeds: bool | None = None):
        """Learning curves, one panel per metric and one colour per setting of the swept non-seed axes (never
        pooled): the seed mean with the band of its 95% t-interval (``center="median"``: the median with the
        IQR band, for bounded errors), and each seed as a thin line (``seeds``; default: when at most 2
        settings). Axis labels and legends use the experiment's label table; the title names the paper and the
        setting. Returns the matplotlib Figure (saved when ``path``)."""
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        if center not in ("mean", "median"):
            raise ValueError(f"center: invalid value {center!r}; valid choices: mean, median")
        df, axes = self.records, self.axes()
        missing = [m for m in metrics if m not in set(df.metric)]
        if missing:
            raise KeyError(f"metric(s) {missing} not in run {self.run_id}; have {sorted(df.metric.unique())}")
        exp = self._exp()
        fig = curves_figure(df, metrics, axes=axes, labels=exp.labels if exp is not None else None, center=center,
                            seeds=seeds, log_y=log_y, title=title or self.title("learning curves"))
        set_caption(fig, self._caption(metrics, center))
        if path is not None:
            save(fig, path)
        return fig

    def _caption(self, metrics: list[str], center: str) -> str:
        """What a learning-curve figure shows and the values at the last step, per setting."""
        df, axes = self.records, self.axes()
        last = df[(df.step == df.step.max()) & df.metric.isin(metrics)]
        groups = last.groupby(axes + ["metric"]) if axes else last.groupby("metric")
        stat = groups.value.median() if center == "median" else groups.value.mean()
        parts = []
        for key, v in stat.items():
            key = key if isinstance(key, tuple) else (key,)
            where = ", ".join(f"{self.label(a)} = {x}" for a, x in zip(axes, key[:-1]))
            parts.append(f"{self.label(key[-1])}" + (f" at {where}" if where else "") + f" {v:.4g}")
        band = "the median with its IQR band" if center == "median" else "the seed mean with the band of its 95% t-interval"
        return (f"{self.title('learning curves')}: " + ", ".join(self.label(m) for m in metrics) + " over training, "
                + (f"one colour per setting of {', '.join(self.label(a) for a in axes)}, " if axes else "")
                + f"{band} over {df.seed.nunique()} seeds. Measured at the last step "
                + ("(medians): " if center == "median" else "(seed means): ") + "; ".join(parts) + ".")

    def figure(self) -> list[str]:
        """(Re)draw the experiment's own figures from the stored records; returns their paths."""
        exp = self.experiment or experiment(self.plan_config["experiment"])
        if exp.figures is None:
            return []
        return exp.figures(self)

