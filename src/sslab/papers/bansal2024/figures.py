"""Figures for Bansal et al. 2024 (spec bansal2024 §8): learning curves, error vs n, cond(Σ), δ, CLIP energies.

Every function builds a :class:`~matplotlib.figure.Figure` (no pyplot), writes it atomically as a PNG
when ``path`` is given, and returns the figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...plotting import BAND_ALPHA, NEUTRAL_COLOR, SINGLE, WIDE, new_figure, save, style, suptitle

PAPER = "Bansal et al. 2024"
COLORS = {"InfoNCE": "#1f77b4", "SimSiam": "#2ca02c", "PCA": "#d62728", "LDA": "#9467bd",
          "mean span": "#ff7f0e", "closed form": "#8c564b", "CLIP": "#1f77b4", "unimodal InfoNCE": "#d62728"}


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        save(fig, path)
    return fig


def learning_curves(records: pd.DataFrame, setting: str, path: str | Path | None = None) -> Figure:
    """sin θ_max(U_A, reference) vs step, one line per lane (from the in-program float32 metric ``err``)."""
    df = records[records.metric == "err"]
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for lane, g in df.groupby("lane"):
            g = g.sort_values("step")
            ax.plot(g.step, g.value, lw=1.0, alpha=0.8, label=f"lane {lane} (seed {int(g.seed.iloc[0])})")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(r"$\sin\theta_{\max}(U_A, F)$ (float32, in-program)")
        if df.lane.nunique() <= 10:
            ax.legend()
        suptitle(fig, f"{PAPER} — learning curves: {setting}")
    return _finish(fig, path)


def error_vs_n(table: pd.DataFrame, path: str | Path | None = None, setting: str = "") -> Figure:
    """Median (over seeds) sin θ_max to F vs n, log-log, one line per method; band = min..max over seeds.

    ``table`` has columns ``method``, ``n``, ``seed``, ``err``.
    """
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for method, g in table.groupby("method", sort=False):
            s = g.groupby("n").err
            n = np.asarray(s.median().index, float)
            ax.plot(n, s.median().to_numpy(), "o-", color=COLORS.get(method), label=f"{method} (median)")
            ax.fill_between(n, s.min().to_numpy(), s.max().to_numpy(), color=COLORS.get(method), alpha=BAND_ALPHA)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training pairs n")
        ax.set_ylabel(r"$\sin\theta_{\max}$ to the Fisher subspace F")
        ax.legend()
        suptitle(fig, f"{PAPER} — error to F vs n (fixed-dataset mode{', ' + setting if setting else ''})")
    return _finish(fig, path)


def error_vs_axis(table: pd.DataFrame, axis: str, xlabel: str, title: str, path: str | Path | None = None,
                  logx: bool = True, reference: float | None = None) -> Figure:
    """Median sin θ_max to F vs one axis (cond(Σ) or δ), one line per method; band = min..max over seeds."""
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for method, g in table.groupby("method", sort=False):
            s = g.groupby(axis).err
            x = np.asarray(s.median().index, float)
            ax.plot(x, s.median().to_numpy(), "o-", color=COLORS.get(method), label=f"{method} (median)")
            ax.fill_between(x, s.min().to_numpy(), s.max().to_numpy(), color=COLORS.get(method), alpha=BAND_ALPHA)
        if reference is not None:
            ax.axhline(reference, color=NEUTRAL_COLOR, ls="--", lw=1.0, label="random subspace (median)")
        if logx:
            ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"$\sin\theta_{\max}$ to the Fisher subspace F")
        ax.legend()
        suptitle(fig, f"{PAPER} — {title}")
    return _finish(fig, path)


def clip_energy(table: pd.DataFrame, path: str | Path | None = None) -> Figure:
    """Energy fraction of A_x on F_sh and F_pr for CLIP and unimodal InfoNCE (one point per seed).

    ``table`` has columns ``method``, ``seed``, ``E_sh``, ``E_pr``.
    """
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        methods = list(dict.fromkeys(table.method))
        width = 0.35
        for j, (col, label, color) in enumerate((("E_sh", r"shared $F^x_{sh}$", "#1f77b4"),
                                                ("E_pr", r"private $F^x_{pr}$", "#d62728"))):
            for i, m in enumerate(methods):
                v = table[table.method == m][col].to_numpy()
                x = i + (j - 0.5) * width
                ax.bar(x, np.median(v), width, color=color, alpha=0.6, label=label if i == 0 else None)
                ax.plot(np.full(len(v), x), v, "k.", ms=4, label="seeds" if (i == 0 and j == 0) else None)
        ax.set_xticks(range(len(methods)), methods)
        ax.set_ylabel(r"energy fraction $\|A_x P\|_F^2/\|A_x\|_F^2$")
        ax.set_ylim(0, 1.05)
        ax.legend()
        suptitle(fig, f"{PAPER} — CLIP block model (r = 6): energy of A_x on the shared vs private Fisher subspace")
    return _finish(fig, path)


GRID_AXES = (("n", "training pairs n (fixed dataset)", True), ("delta", "augmentation noise δ", False),
             ("d", "dimension d (Δ = 3)", True), ("kappa", r"cond(Σ) = κ", True))


def grid_errors(table: pd.DataFrame, path: str | Path | None = None, setting: str = "") -> Figure:
    """§9 grid: mean ± std (ddof = 1) over seeds of sin θ_max to F vs each axis, one panel per axis, all methods.

    ``table`` is :func:`sslab.experiments.bansal2024_grid.grid`'s output (``axis``, ``value``, ``method``,
    ``err_mean``, ``err_std``). The y axis is linear (sin θ_max ∈ [0, 1]) so that mean ± std is drawn as is.
    """
    with style():
        fig, axes = new_figure(1, 4, figsize=(16.0, 4.2))
        for ax, (axis, xlabel, logx) in zip(axes[0], GRID_AXES):
            sub = table[table.axis == axis]
            for method, g in sub.groupby("method", sort=False):
                x = g.value.to_numpy(float)
                y = g.err_mean.to_numpy(float)
                ax.errorbar(x, y, yerr=np.nan_to_num(g.err_std.to_numpy(float)), fmt="o-", capsize=3,
                            color=COLORS.get(method), label=method)
            if logx:
                ax.set_xscale("log")
            ax.set_ylim(-0.05, 1.1)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(r"$\sin\theta_{\max}$ to F (mean ± std)")
        axes[0, 0].legend(fontsize=8)
        suptitle(fig, f"{PAPER} — §9 reproduction grid: error to F vs each axis{' (' + setting + ')' if setting else ''}")
    return _finish(fig, path)
