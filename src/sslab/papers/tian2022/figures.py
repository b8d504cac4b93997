"""Tian 2023 figures (spec tian2022 §6): matplotlib Figure objects, no pyplot; save with ``report.figures.save``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def loc_curves(records: pd.DataFrame, setting: str) -> Figure:
    """loc_all and loc_other_all over training, one line per seed (spec §5 Metrics)."""
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for metric, style in (("loc_all", "-"), ("loc_other_all", "--")):
        d = records[records.metric == metric]
        for seed, g in d.groupby("seed"):
            ax.plot(g.step, g.value, style, label=f"{metric}, seed {seed}")
    ax.set_xlabel("step t")
    ax.set_ylabel("score")
    ax.set_title(f"Tian 2023 — token/RF simulation: {setting}")
    ax.legend(fontsize=7)
    return fig


def loc_by_setting(table: dict[str, tuple[float, float]], setting: str = "") -> Figure:
    """Seed-mean loc_all and loc_other_all per activation/BN setting (bars)."""
    fig = Figure(figsize=(7.0, 4.2))
    ax = fig.subplots()
    names = list(table)
    x = np.arange(len(names))
    ax.bar(x - 0.2, [table[n][0] for n in names], 0.4, label="loc_all")
    ax.bar(x + 0.2, [table[n][1] for n in names], 0.4, label="loc_other_all")
    ax.set_xticks(x, names)
    ax.set_ylabel("seed-mean score (seeds 1–3)")
    ax.set_xlabel("activation, BatchNorm setting")
    ax.set_title("Tian 2023 — token/RF simulation: specialisation by activation and BN" + (f"\n({setting})" if setting else ""))
    ax.legend()
    return fig


def loc_vs_beta(values: dict[int, list[float]], setting: str = "") -> Figure:
    """loc_all against the over-parameterisation β (points per seed, line through the seed means)."""
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    betas = sorted(values)
    for b in betas:
        ax.plot([b] * len(values[b]), values[b], "o", color="0.6", label="seed" if b == betas[0] else None)
    ax.plot(betas, [np.mean(values[b]) for b in betas], "-k", label="seed mean")
    ax.set_xlabel("β (nodes per RF = β·P)")
    ax.set_ylabel("loc_all")
    ax.set_title("Tian 2023 — token/RF simulation (ReLU, BN): loc_all vs β" + (f"\n({setting})" if setting else ""))
    ax.legend()
    return fig


def one_layer_optima(cos: dict[str, np.ndarray]) -> Figure:
    """cos(w*, c_l/‖c_l‖) of every final w, linear vs ReLU (spec §2)."""
    fig = Figure(figsize=(10.0, 4.2))
    axes = fig.subplots(1, len(cos), sharey=True)
    for ax, (act, c) in zip(np.atleast_1d(axes), cos.items()):
        im = ax.imshow(c, aspect="auto", vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_xlabel("cluster centre l (‖c_l‖ from 2 to 1)")
        ax.set_ylabel("run (initialisation)")
        ax.set_title(f"Tian 2023 — 1-layer {act}: cos(w*, c_l)")
        ax.set_xticks(range(c.shape[1]))
    fig.colorbar(im, ax=list(np.atleast_1d(axes)), label="cosine")
    return fig
