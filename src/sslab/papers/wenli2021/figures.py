"""Figures for Wen & Li 2021 (spec wenli2021 §6, §8): coverage, feature mass and weight norm over
training, downstream R². Built on :class:`matplotlib.figure.Figure` (no pyplot), saved atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...plotting import BAND_ALPHA, NEUTRAL_COLOR, SINGLE, WIDE, new_figure, save, style, suptitle

PAPER = "Wen & Li 2021"
MODE_COLORS = {"complementary masking": "#1f77b4", "no augmentation": "#d62728", "raw x": NEUTRAL_COLOR,
               "independent masks": "#2ca02c", "masking, zero bias": "#9467bd"}


def _color(label: str, i: int) -> str:
    return MODE_COLORS.get(label, f"C{i}")


def coverage_histogram(coverage: Mapping[str, np.ndarray], setting: str, level: float = 0.9) -> Figure:
    """Histogram of per-feature coverage_j = max_i |c_ij| (pooled over seeds) for each view mode."""
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        bins = np.linspace(0.0, 1.0, 41)
        for i, (label, cov) in enumerate(coverage.items()):
            ax.hist(np.ravel(cov), bins=bins, alpha=0.6, color=_color(label, i),
                    label=f"{label} (n = {np.size(cov)} features)")
        ax.axvline(level, color="black", ls="--", lw=1.0, label=f"covered threshold {level}")
        ax.set_xlabel(r"coverage$_j = \max_i |\langle w_i, M_j\rangle| / \|w_i\|$")
        ax.set_ylabel("number of features (all seeds)")
        ax.legend(loc="upper left")
        suptitle(fig, f"{PAPER} — feature coverage with vs without masking ({setting})")
    return fig


def metric_over_training(records: pd.DataFrame, metric: str, groups: Mapping[str, pd.DataFrame], setting: str,
                         ylabel: str, title: str, logy: bool = False,
                         hline: tuple[float, str] | None = None) -> Figure:
    """Seed mean (line) and min–max band of one logged metric over training steps, per view mode."""
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for i, (label, df) in enumerate(groups.items()):
            sub = df[df.metric == metric].pivot_table(index="step", columns="seed", values="value").sort_index()
            c = _color(label, i)
            ax.plot(sub.index, sub.mean(axis=1), color=c, label=f"{label} (mean of {sub.shape[1]} seeds)")
            ax.fill_between(sub.index, sub.min(axis=1), sub.max(axis=1), color=c, alpha=BAND_ALPHA, lw=0)
        if hline is not None:
            ax.axhline(hline[0], color="black", ls="--", lw=1.0, label=hline[1])
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel("SGD step t")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        suptitle(fig, f"{PAPER} — {title} ({setting})")
    return fig


def r2_bars(r2: Mapping[str, Sequence[float]], setting: str) -> Figure:
    """Downstream ridge R² of z (spec §6): bars are seed means, dots the individual seeds."""
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        labels = list(r2)
        for i, label in enumerate(labels):
            v = np.asarray(r2[label], float)
            ax.bar(i, v.mean(), color=_color(label, i), alpha=0.75, label=f"{label}: mean {v.mean():.3f}")
            ax.plot(np.full(len(v), i), v, "o", color="black", ms=4)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel("representation")
        ax.set_ylabel(r"test $R^2$ of $z$ (ridge, mean over the $d$ features)")
        ax.legend(loc="best")
        suptitle(fig, f"{PAPER} — downstream ridge R² of the sparse code ({setting})")
    return fig


def training_curves(records: pd.DataFrame, path: str | Path, setting: str) -> Path:
    """One run's curves (median ρ, frac_covered, median ‖w_i‖) per non-seed lane group; saved as PNG."""
    axes_cols = [c for c in records.columns if c not in ("run", "experiment", "lane", "seed", "step", "metric", "value")]
    groups = {", ".join(f"{c}={v}" for c, v in zip(axes_cols, key if isinstance(key, tuple) else (key,))) or "all": g
              for key, g in (records.groupby(axes_cols) if axes_cols else [((), records)])}
    with style():
        fig, axes = new_figure(1, 3, figsize=(13.0, 4.2))
        for ax, (metric, label) in zip(axes[0], [("rho_median", r"median$_i$ $\rho_i$ (feature mass)"),
                                                 ("frac_covered", "fraction of features covered (> 0.9)"),
                                                 ("wnorm_median", r"median$_i$ $\|w_i\|$")]):
            for i, (name, df) in enumerate(groups.items()):
                sub = df[df.metric == metric].pivot_table(index="step", columns="seed", values="value").sort_index()
                ax.plot(sub.index, sub.mean(axis=1), color=f"C{i}", label=name)
                ax.fill_between(sub.index, sub.min(axis=1), sub.max(axis=1), color=f"C{i}", alpha=BAND_ALPHA, lw=0)
            ax.set_xlabel("SGD step t")
            ax.set_ylabel(label)
            if metric == "wnorm_median":
                ax.set_yscale("log")
            ax.legend(loc="best", fontsize=8)
        suptitle(fig, f"{PAPER} — training curves, seed mean and min–max band ({setting})")
    return save(fig, path)


__all__ = ["coverage_histogram", "metric_over_training", "r2_bars", "training_curves", "save", "WIDE"]
