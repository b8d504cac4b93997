"""Tian 2023 figures (spec tian2022 §6): matplotlib Figure objects (no pyplot) in the sslab style, each with a caption
(what theory predicts, what was measured); save with :func:`sslab.plotting.save`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...plotting import SINGLE, WIDE, curves_figure, mean_ci, new_figure, seed_points, set_caption, style, suptitle

PAPER = "Tian 2023"
LOC_COLORS = {"loc_all": "#1f77b4", "loc_other_all": "#d62728"}

#: readable names of the logged metrics and the config paths (figure axes and legends; Results.plot)
LABELS = {
    "loc_all": "loc_all (nodes aligned with the RF's pattern tokens)",
    "loc_other_all": "loc_other_all (nodes aligned with the other tokens)",
    "loss": "training loss", "within_rf_abs_cos": "mean |cos| between the nodes of an RF",
    "n_empty_cand": "RFs without pattern tokens", "n_empty_other": "RFs without other tokens",
    "model.beta": r"$\beta$", "model.activation": "activation", "model.bn": "BatchNorm", "loss.alpha": r"$\alpha$",
    "optim.lr": r"$\eta$",
}


def loc_curves(records: pd.DataFrame, setting: str) -> Figure:
    """loc_all and loc_other_all over training (spec §5 Metrics): one panel each, one colour per setting of the
    run's swept axes, the seed mean with its 95% t-interval band and each seed as a thin line."""
    axes = [c for c in records.columns if c not in ("run", "experiment", "lane", "seed", "step", "metric", "value")]
    fig = curves_figure(records, ["loc_all", "loc_other_all"], axes=axes, labels=LABELS,
                        title=f"{PAPER} — token/RF simulation, specialisation over training: {setting}")
    last = records[records.step == records.step.max()]
    la = last[last.metric == "loc_all"].value.to_numpy(float)
    lo = last[last.metric == "loc_other_all"].value.to_numpy(float)
    set_caption(fig, (f"Specialisation over training, {setting} ({records.seed.nunique()} seeds; bands: 95% CI of the "
                      "seed mean). Prediction (spec §3–§5): with a nonlinear node and BatchNorm each receptive "
                      "field's nodes align with the tokens of its patterns, so loc_all rises towards 1 (reference log "
                      "0.998) while loc_other_all stays near 0; a linear node cannot specialise. Measured at the last "
                      f"step: loc_all {np.mean(la):.3g} (seeds {np.min(la):.3g}–{np.max(la):.3g}), loc_other_all "
                      f"{np.mean(lo):.3g}."))
    return fig


def _values(v) -> np.ndarray:
    """Per-seed values, or a single seed mean (old callers passed means only)."""
    return np.atleast_1d(np.asarray(v, dtype=float))


def loc_by_setting(table: dict[str, tuple], setting: str = "") -> Figure:
    """loc_all and loc_other_all per activation/BN setting: per-seed dots and the seed mean with its 95% t-interval.

    ``table`` maps a setting name to (loc_all, loc_other_all), each a list of per-seed values (a single number
    is drawn as one value without an interval)."""
    names = list(table)
    with style():
        fig, axes = new_figure(1, 1, figsize=(7.4, 4.6))
        ax = axes[0, 0]
        for j, (metric, dx) in enumerate((("loc_all", -0.18), ("loc_other_all", 0.18))):
            for i, name in enumerate(names):
                seed_points(ax, i + dx, _values(table[name][j]), color=LOC_COLORS[metric], width=0.14,
                            label=f"{metric}: mean ± 95% CI" if i == 0 else None,
                            marker="o" if j == 0 else "s")
        n = max(len(_values(table[k][0])) for k in names)
        ax.set_xticks(range(len(names)), names)
        ax.set_xlim(-0.6, len(names) - 0.4)
        ax.set_ylim(-0.05, 1.1)
        ax.set_ylabel("score at the last step")
        ax.set_xlabel("activation, BatchNorm setting")
        handles, labels = ax.get_legend_handles_labels()
        keep = {lab: h for h, lab in zip(handles, labels)}
        keep = {("one seed" if k == "seeds" else k): v for k, v in keep.items()}
        fig.legend(list(keep.values()), list(keep), loc="outside lower center", ncols=3)
        suptitle(fig, f"{PAPER} — token/RF simulation: specialisation by activation and BatchNorm"
                      + (f" ({setting})" if setting else f" ({n} seeds)"))
    means = {k: float(np.mean(_values(v[0]))) for k, v in table.items()}
    set_caption(fig, ("loc_all (blue) and loc_other_all (red) at the last step for each activation and BatchNorm "
                      f"setting ({setting}; black dots: seeds; markers and bars: seed mean with its 95% t-interval). "
                      "Prediction (spec §3, C11, C13): a nonlinear activation is needed to specialise (loc_all near "
                      "1 for ReLU, lower for linear), and BatchNorm lowers loc_other_all for ReLU. Measured seed-mean "
                      "loc_all: " + ", ".join(f"{k} {v:.3g}" for k, v in means.items()) + "."))
    return fig


def loc_vs_beta(values: dict[int, list[float]], setting: str = "") -> Figure:
    """loc_all against the over-parameterisation β: per-seed dots and the seed mean with its 95% t-interval."""
    betas = sorted(values)
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        means = []
        for i, b in enumerate(betas):
            seed_points(ax, float(b), values[b], color=LOC_COLORS["loc_all"], width=0.25,
                        label="loc_all: seed mean, 95% CI" if i == 0 else None)
            means.append(float(np.mean(values[b])))
        ax.plot(betas, means, "-", color=LOC_COLORS["loc_all"], lw=1.0, alpha=0.7)
        ax.set_xticks(betas)
        ax.set_xlabel(r"$\beta$ (nodes per receptive field = $\beta\cdot P$)")
        ax.set_ylabel("loc_all at the last step")
        handles, labels = ax.get_legend_handles_labels()
        labels = ["black dots: one seed each" if x == "seeds" else x for x in labels]
        ax.legend(handles, labels, loc="lower right")
        n = max(len(v) for v in values.values())
        suptitle(fig, f"{PAPER} — token/RF simulation (ReLU, BN): loc_all vs β" + (f" ({setting})" if setting
                                                                                    else f" ({n} seeds)"))
    set_caption(fig, ("Over-parameterisation (claim C12): loc_all at the last step against β, the number of nodes "
                      f"per receptive field over P ({setting}; dots: seeds; markers and bars: seed mean with its 95% "
                      "t-interval). Prediction: more nodes per receptive field make specialisation easier, so the "
                      "seed-mean loc_all does not decrease with β (±0.02). Measured seed means: "
                      + ", ".join(f"β = {b}: {m:.3g}" for b, m in zip(betas, means)) + "."))
    return fig


def one_layer_optima(cos: dict[str, np.ndarray]) -> Figure:
    """cos(w*, c_l/‖c_l‖) of every final w, one panel per activation (spec §2)."""
    with style():
        fig, axes = new_figure(1, len(cos), figsize=WIDE, sharey=False)
        for ax, (act, c) in zip(axes[0], cos.items()):
            im = ax.imshow(c, aspect="auto", vmin=-1, vmax=1, cmap="RdBu_r", interpolation="nearest")
            ax.set_xlabel(r"cluster centre $l$ ($\|c_l\|$ from 2 to 1)")
            ax.set_ylabel("run (initialisation)")
            ax.set_title(f"{act}: {c.shape[0]} runs")
            ax.set_xticks(range(c.shape[1]))
            ax.grid(False)
        fig.colorbar(im, ax=list(axes[0]), label=r"$\cos(w^*, c_l/\|c_l\|)$")
        suptitle(fig, f"{PAPER} — one-layer model (§2): where gradient ascent ends, per initialisation")
    frac = {act: float(np.mean(np.max(np.abs(c), axis=1) > 0.9)) for act, c in cos.items()}
    set_caption(fig, ("Final w of every initialisation of the one-layer model (§2), as its cosine with each cluster "
                      "centre (rows: runs; columns: centres, largest norm first). Prediction (C4, C5): a linear node "
                      "has a single optimum (the top eigenvector of A: every run ends at the same w, up to sign), while ReLU has one "
                      "local optimum per cluster (runs end aligned with different centres). Measured: fraction of "
                      "runs aligned with one centre (|cos| > 0.9): "
                      + ", ".join(f"{a} {f:.2f}" for a, f in frac.items()) + "."))
    return fig
