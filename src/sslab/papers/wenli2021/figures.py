"""Figures for Wen & Li 2021 (spec wenli2021 §6, §8): coverage, feature mass and weight norm over
training, downstream R². Built on :class:`matplotlib.figure.Figure` (no pyplot), saved atomically; each carries a
caption (what the paper predicts, what was measured)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...plotting import (NEUTRAL_COLOR, SINGLE, WIDE, ci_note, curves_figure, new_figure, save, seed_curves, seed_points,
                         set_caption, style, suptitle)

PAPER = "Wen & Li 2021"
MODE_COLORS = {"complementary masking": "#1f77b4", "no augmentation": "#d62728", "raw x": NEUTRAL_COLOR,
               "independent masks": "#2ca02c", "masking, zero bias": "#9467bd"}

#: readable names of the logged metrics and the config paths (figure axes and legends; Results.plot)
LABELS = {
    "rho_median": r"median$_i$ $\rho_i$ (feature mass)", "cov_median": r"median$_j$ coverage$_j$",
    "cov_min": r"min$_j$ coverage$_j$", "frac_covered": "fraction of features covered (> 0.9)",
    "wnorm_median": r"median$_i$ $\|w_i\|$", "pr_median": "median participation ratio", "loss": "training loss",
    "data.augment": "views", "data.d": "$d$", "data.q": "$q$", "model.m": "$m$", "optim.lr": r"$\eta$",
}


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
    stats = {label: (float(np.mean(np.ravel(c) > level)), float(np.median(c))) for label, c in coverage.items()}
    set_caption(fig, (f"Per-feature coverage (the best |cos| of any neuron with feature M_j) at the end of training, "
                      f"{setting}, features of all seeds pooled per view mode. Prediction (claims C, F): complementary "
                      "masking decouples the sparse features from the dense noise, so every feature is covered "
                      f"(coverage > {level}); without augmentation the network follows the dense noise and covers "
                      "almost none. Measured: " + "; ".join(f"{k}: {f:.0%} covered, median {m:.3g}"
                                                           for k, (f, m) in stats.items()) + "."))
    return fig


def metric_over_training(records: pd.DataFrame, metric: str, groups: Mapping[str, pd.DataFrame], setting: str,
                         ylabel: str, title: str, logy: bool = False,
                         hline: tuple[float, str] | None = None) -> Figure:
    """Seed mean (line) with the band of its 95% t-interval, and each seed (thin lines), of one logged metric over
    training, per view mode."""
    n = 0
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for i, (label, df) in enumerate(groups.items()):
            sub = df[df.metric == metric].pivot_table(index="step", columns="seed", values="value").sort_index()
            n = max(n, sub.shape[1])
            seed_curves(ax, sub.index.to_numpy(), sub.to_numpy().T, color=_color(label, i), label=label, note=False)
        if hline is not None:
            ax.axhline(hline[0], color="black", ls="--", lw=1.0, label=hline[1])
        if logy:
            ax.set_yscale("log")
        ax.plot([], [], color="0.5", lw=0.6, label="thin lines: one seed each")
        ax.fill_between([], [], color=NEUTRAL_COLOR, alpha=0.25, label=f"bands: {ci_note(n)}")
        ax.set_xlabel("SGD step t")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        suptitle(fig, f"{PAPER} — {title} ({setting})")
    fin = {label: df[(df.metric == metric) & (df.step == df.step.max())].value.to_numpy(float) for label, df in groups.items()}
    pred = {"rho_median": ("masking keeps the neurons' mass on the sparse features (median ρ ≥ 0.8, claim D) while "
                           "without augmentation it drains into the dense noise (claims E, F)"),
            "wnorm_median": ("without augmentation the weights grow along the dense noise, ≥ 5× the masking run's "
                             "norm at the end (claim F)")}.get(metric, "see the claims")
    set_caption(fig, (f"{title[:1].upper() + title[1:]}, {setting}: seed means with the band of their 95% t-interval and each "
                      f"seed as a thin line. Prediction: {pred}. Measured at the last step (seed means): "
                      + ", ".join(f"{k} {np.mean(v):.3g}" for k, v in fin.items() if v.size) + "."))
    return fig


def r2_bars(r2: Mapping[str, Sequence[float]], setting: str) -> Figure:
    """Downstream ridge R² of z (spec §6): per-seed dots and the seed mean with its 95% t-interval."""
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        labels = list(r2)
        for i, label in enumerate(labels):
            v = np.asarray(r2[label], float)
            ax.bar(i, v.mean(), color=_color(label, i), alpha=0.35, width=0.6)
            seed_points(ax, i, v, color=_color(label, i), width=0.3,
                        label=f"{label}: mean {v.mean():.3f}")
        handles, texts = ax.get_legend_handles_labels()
        texts = ["one seed" if t == "seeds" else t for t in texts]
        keep = dict(zip(texts, handles))
        n = max(len(v) for v in r2.values())
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel("representation")
        ax.set_ylabel(r"test $R^2$ of $z$ (ridge, mean over the $d$ features)")
        ax.legend(list(keep.values()), list(keep), loc="best", title=f"bars: {ci_note(n)}")
        suptitle(fig, f"{PAPER} — downstream ridge R² of the sparse code ({setting})")
    means = {k: float(np.mean(v)) for k, v in r2.items()}
    set_caption(fig, (f"Downstream ridge R² of the sparse code z from each representation (spec §6, claim G), {setting}: "
                      "dots are seeds, markers and bars the seed mean with its 95% t-interval. Prediction: the masking "
                      "network's features predict z clearly better than raw x and than the no-augmentation network, "
                      "which gains little over raw x. Measured seed means: "
                      + ", ".join(f"{k} {m:.3f}" for k, m in means.items()) + "."))
    return fig


VIEW_NAMES = {1.0: "complementary masking", 0.0: "no augmentation"}


def training_curves(records: pd.DataFrame, path: str | Path, setting: str) -> Path:
    """One run's curves (median ρ, frac_covered, median ‖w_i‖): one colour per setting of the swept axes, the seed
    mean with its 95% t-interval band and each seed as a thin line; the claims' bounds as dashed lines."""
    axes_cols = [c for c in records.columns if c not in ("run", "experiment", "lane", "seed", "step", "metric", "value")]
    names = {("data.augment", float(k)): v for k, v in VIEW_NAMES.items()}
    fig = curves_figure(records, ["rho_median", "frac_covered", "wnorm_median"], axes=axes_cols, labels=LABELS,
                        log_y=["wnorm_median"], setting_names=names,
                        title=f"{PAPER} — training curves ({setting})")
    for ax, (y, text) in zip(fig.axes, ((0.8, "claim D: median ρ ≥ 0.8 (masking)"),
                                        (0.85, "claim C: frac_covered ≥ 0.85 (masking)"))):
        ax.axhline(y, color="black", ls="--", lw=0.9)
        ax.annotate(text, (0.02, y), xycoords=("axes fraction", "data"), xytext=(0, 3), textcoords="offset points",
                    fontsize=8, color="0.25")
    last = records[records.step == records.step.max()]
    groups = last.groupby(axes_cols) if axes_cols else [((), last)]
    measured = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(names.get((a, float(v)) if isinstance(v, (int, float)) else (a, v), f"{a}={v}")
                         for a, v in zip(axes_cols, key)) or "this run"
        rho = g[g.metric == "rho_median"].value.mean()
        cov = g[g.metric == "frac_covered"].value.mean()
        measured.append(f"{name}: median ρ {rho:.3g}, frac_covered {cov:.3g}")
    set_caption(fig, (f"Training curves of {setting}: median feature mass ρ, fraction of covered features and median "
                      "weight norm, seed means with 95% t-interval bands. Prediction (claims C, D at the spec's "
                      "sizes: d = 32, T = 3000): with complementary masking median ρ ≥ 0.8 and frac_covered ≥ 0.85 "
                      "(dashed); without augmentation the norm grows and few features are covered. Measured at the "
                      "last step (seed means): " + "; ".join(measured) + "."))
    return save(fig, path)


__all__ = ["coverage_histogram", "metric_over_training", "r2_bars", "training_curves", "save", "WIDE", "LABELS",
           "VIEW_NAMES"]
