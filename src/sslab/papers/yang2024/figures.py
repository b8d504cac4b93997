"""Figures for Yang et al. 2024 (spec yang2024 §6, claims C5, C9, C10).

Input: tidy records, a ``pandas.DataFrame`` with columns ``run``, ``lane``, ``seed``, ``step``,
``metric``, ``value`` and config columns named by dotted path (``model.name``, ``init.condition``,
``data.noise``, ``data.tau``, ``data.n``, …). One *trajectory* is one (``run``, ``lane``) pair and
is counted as one seed. Pass the records of one setting (one model, condition and noise mode).

Per-step metrics used here: ``w11, w12, w21, w22`` (w_k·e_j), ``b1, b2`` (τ·w_k2), ``r1, r2``,
``Pe1, Pe2`` (‖P e1‖, ‖P e2‖) and for SL ``F1, F2``.

Every plotting function returns the :class:`~matplotlib.figure.Figure` and, when ``path`` is given,
also writes it as a PNG (atomically). All cope with any number of seeds ≥ 1.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ...plotting import (BAND_ALPHA, NEURON_COLORS, NEURON_MARKERS, NEUTRAL_COLOR, SINGLE, THEORY_COLOR,
                         WIDE, figure_path, new_figure, readable, save, set_caption, style, suptitle, sweep_plot)

PAPER = "Yang et al. 2024"
Z95 = 1.96

# Neuron-label swap used by the SL alignment (spec C5): rows of W^SL and entries of F.
NEURON_SWAP = {
    "w11": "w21", "w21": "w11",
    "w12": "w22", "w22": "w12",
    "b1": "b2", "b2": "b1",
    "r1": "r2", "r2": "r1",
    "F1": "F2", "F2": "F1",
}

_MODEL_NAMES = {"yang_ssl": "SSL", "yang_sl": "SL", "ssl": "SSL", "sl": "SL"}

#: readable names of the logged metrics and the config paths (figure axes and legends; Results.plot)
LABELS = {
    "w11": r"$w_1\cdot e_1$", "w12": r"$w_1\cdot e_2$", "w21": r"$w_2\cdot e_1$", "w22": r"$w_2\cdot e_2$",
    "b1": r"$b_1 = \tau\, w_1\cdot e_2$", "b2": r"$b_2 = \tau\, w_2\cdot e_2$",
    "r1": r"$r_1 = |w_1\cdot e_2| / \|(w_1\cdot e_1, w_1\cdot e_2)\|$",
    "r2": r"$r_2 = |w_2\cdot e_2| / \|(w_2\cdot e_1, w_2\cdot e_2)\|$",
    "Pe1": r"$\|P e_1\|$ (label feature in span$(w_1, w_2)$)", "Pe2": r"$\|P e_2\|$ (hidden feature in span$(w_1, w_2)$)",
    "cos": r"$\cos(w_1, w_2)$", "condA": "cond(A)", "loss": "training loss", "acc": "training accuracy",
    "F1": "$F_1$", "F2": "$F_2$",
    "data.tau": r"$\tau$", "data.n": "$n$", "data.rho": r"$\rho$", "model.alpha": r"$\alpha$", "optim.lr": r"$\eta$",
    "data.noise": "noise", "model.condition": "condition",
}


# --------------------------------------------------------------------------------------------------
# Data helpers


def seed_band(values_2d) -> tuple[np.ndarray, np.ndarray]:
    """Seed mean and 95% band half-width of ``values_2d`` (shape ``(n_seeds, n_steps)``; seeds on axis 0).

    half_width = 1.96 · std / √n with the population std (ddof = 0, as in the official script) and
    n the number of non-NaN seeds in each column; one seed gives half_width 0. A 1-D input is one
    step across seeds.
    """
    a = np.asarray(values_2d, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"seed_band expects a 2-D array (n_seeds, n_steps), got shape {a.shape}")
    count = np.sum(~np.isnan(a), axis=0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = np.nanmean(a, axis=0)
        std = np.nanstd(a, axis=0, ddof=0)
        half = Z95 * std / np.sqrt(count)
    return mean, half


def lane_keys(df: pd.DataFrame) -> list[str]:
    """Columns identifying one trajectory: (``run``, ``lane``) where present, else ``seed``."""
    keys = [c for c in ("run", "lane") if c in df.columns]
    return keys or ["seed"]


def n_trajectories(df: pd.DataFrame) -> int:
    return int(df[lane_keys(df)].drop_duplicates().shape[0])


def trajectories(df: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` for one metric: ``values`` has shape ``(n_trajectories, n_steps)``
    (NaN where a trajectory lacks a step)."""
    sub = df[df["metric"] == metric]
    if sub.empty:
        raise KeyError(f"metric {metric!r} not in records")
    wide = sub.pivot(index="step", columns=lane_keys(df), values="value").sort_index()
    return wide.index.to_numpy(), wide.to_numpy(dtype=float).T


def final_values(df: pd.DataFrame) -> pd.DataFrame:
    """One row per trajectory at its final logged step: lane keys, ``seed``, ``step`` and one column
    per metric."""
    keys = lane_keys(df)
    last = df.groupby(keys, sort=False)["step"].transform("max")
    fin = df[df["step"] == last]
    idx = list(dict.fromkeys(keys + [c for c in ("seed",) if c in df.columns]))
    wide = fin.pivot_table(index=idx + ["step"], columns="metric", values="value", aggfunc="first")
    wide.columns.name = None
    return wide.reset_index()


def align_sl(df: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Neuron-align SL records (spec C5).

    Per trajectory, if the final-step ``w11`` is < 0, swap the neuron labels over the whole
    trajectory (w11↔w21, w12↔w22, b1↔b2, r1↔r2, F1↔F2); permutation-invariant metrics (cos, Pe1,
    Pe2, condA, acc, loss) are unchanged. Returns ``(aligned copy, sorted seeds of the permuted
    trajectories)``; the input is not modified.
    """
    keys = lane_keys(df)
    w11 = df[df["metric"] == "w11"]
    if w11.empty:
        return df.copy(), []
    last = w11.loc[w11.groupby(keys, sort=False)["step"].idxmax()]
    flipped = last[last["value"] < 0]
    out = df.copy()
    if flipped.empty:
        return out, []
    flip_ids = pd.MultiIndex.from_frame(flipped[keys])
    in_flipped = pd.MultiIndex.from_frame(out[keys]).isin(flip_ids)
    swap = in_flipped & out["metric"].isin(list(NEURON_SWAP))
    out.loc[swap, "metric"] = out.loc[swap, "metric"].map(NEURON_SWAP)
    seeds = sorted(int(s) for s in flipped["seed"]) if "seed" in flipped.columns else []
    return out, seeds


def _unique(df: pd.DataFrame, col: str):
    if col not in df.columns:
        return None
    vals = df[col].dropna().unique()
    return vals[0] if len(vals) == 1 else None


def describe_setting(df: pd.DataFrame) -> str:
    """A setting label from config columns, e.g. ``"SSL, condition 0, isotropic noise"``."""
    parts = []
    model = _unique(df, "model.name")
    if model is None:
        model = _unique(df, "method")
    model_label = _MODEL_NAMES.get(str(model), str(model)) if model is not None else None
    if model_label:
        parts.append(model_label)
    cond = _unique(df, "init.condition")
    if cond is not None and model_label != "SL":
        parts.append(f"condition {int(cond)}")
    noise = _unique(df, "data.noise")
    if noise is not None:
        parts.append(f"{noise} noise")
    return ", ".join(parts) or "simulation"


def figure_title(title_setting: str, n_seeds: int | None = None, what: str | None = None) -> str:
    """``"Yang et al. 2024 — <what>: <setting> (N seeds)"``."""
    head = f"{PAPER} — " + (f"{what}: " if what else "") + title_setting
    if n_seeds is not None:
        head += f" ({n_seeds}\u00a0seed{'s' if n_seeds != 1 else ''})"
    return head


def _finish(fig: Figure, path) -> Figure:
    if path is not None:
        save(fig, path)
    return fig


# --------------------------------------------------------------------------------------------------
# §6 figures


def learning_curves(df: pd.DataFrame, title_setting: str | None = None, path=None) -> Figure:
    """Seed mean of w11, w21 (left) and w12, w22 (right) against the GD step, with bands of
    ±1.96·std/√(#seeds), std with ddof = 0 (spec §6, figure 1)."""
    title_setting = title_setting or describe_setting(df)
    n = n_trajectories(df)
    with style():
        fig, axes = new_figure(1, 2, figsize=WIDE)
        for ax, j, name in ((axes[0, 0], 1, "label feature $e_1$"), (axes[0, 1], 2, "hidden feature $e_2$")):
            handles = []
            for k in (1, 2):
                steps, vals = trajectories(df, f"w{k}{j}")
                mean, half = seed_band(vals)
                color = NEURON_COLORS[k]
                (line,) = ax.plot(steps, mean, color=color, label=f"neuron {k}: $w_{k}\\cdot e_{j}$ (seed mean)")
                ax.fill_between(steps, mean - half, mean + half, color=color, alpha=BAND_ALPHA, linewidth=0)
                handles.append(line)
            handles.append(Patch(color=NEUTRAL_COLOR, alpha=BAND_ALPHA,
                                 label=f"±1.96·std/√N band (N = {n})"))
            ax.legend(handles=handles, loc="best")
            ax.set_title(name)
            ax.set_xlabel("GD step $t$")
            ax.set_ylabel(f"$w_k \\cdot e_{j}$")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        suptitle(fig, figure_title(title_setting, n, "learning curves"))
    fin = final_values(df)
    means = {k: float(fin[k].mean()) for k in ("w11", "w21", "w12", "w22") if k in fin}
    sl = title_setting.split(",")[0].strip() == "SL"
    set_caption(fig, (f"Learning curves of {title_setting} ({n} seeds): seed means of each neuron's weight on the "
                      "label feature e1 (left) and the hidden feature e2 (right); bands: 95% CI of the mean "
                      "(±1.96·std/√N, std with ddof = 0 as in the official script). "
                      + ("Prediction (spec §5): SL learns e1 only, so w_k·e2 stays near 0. " if sl else
                         "Prediction (spec §5): SSL learns both features: the neurons split to ±a* on e1 and both "
                         "reach b*/τ > 0 on e2. ")
                      + "Measured at the last step: " + ", ".join(f"w{k[1]}·e{k[2]} = {v:.3g}" for k, v in means.items())
                      + "."))
    return _finish(fig, path)


def final_scatter(df: pd.DataFrame, title_setting: str | None = None, path=None,
                  theory: Mapping[str, float] | None = None) -> Figure:
    """Final (w_k·e1, w_k·e2) over seeds: neuron 1 blue circles, neuron 2 red stars (spec §6,
    figure 2). ``theory`` = ``{"a_star", "b_star", "tau"}`` overlays the L̃ minimiser (±a*, b*/τ)."""
    title_setting = title_setting or describe_setting(df)
    fin = final_values(df)
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        for k, size in ((1, 36), (2, 90)):
            ax.scatter(fin[f"w{k}1"], fin[f"w{k}2"], s=size, marker=NEURON_MARKERS[k], color=NEURON_COLORS[k],
                       alpha=0.8, edgecolors="none", label=f"neuron {k}: $(w_{k}\\cdot e_1,\\ w_{k}\\cdot e_2)$", zorder=3)
        if theory is not None:
            a, b, tau = float(theory["a_star"]), float(theory["b_star"]), float(theory["tau"])
            ax.scatter([a, -a], [b / tau, b / tau], marker="x", s=90, linewidths=1.8, color=THEORY_COLOR,
                       label=r"$\tilde L$ minimiser $(\pm a^*,\ b^*/\tau)$", zorder=4)
        ax.axvline(0.0, color="0.6", linewidth=0.8, zorder=1)
        ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=1)
        ax.set_xlabel(r"$w_k\cdot e_1$")
        ax.set_ylabel(r"$w_k\cdot e_2$")
        ax.legend(loc="best")
        ax.margins(x=0.12, y=0.25)
        suptitle(fig, figure_title(title_setting, len(fin), "final weights"))
    text = (f"Final weights of {title_setting}, one marker per seed and neuron ({len(fin)} seeds): "
            "(w_k·e1, w_k·e2). ")
    if theory is not None:
        text += (f"Theory: the L̃ minimiser puts the neurons at (±a*, b*/τ) = (±{a:.3g}, {b / tau:.3g}) (black "
                 "crosses). ")
    text += ("Measured seed means: neuron 1 at ({:.3g}, {:.3g}), neuron 2 at ({:.3g}, {:.3g}).".format(
        *(float(fin[c].mean()) for c in ("w11", "w12", "w21", "w22"))))
    set_caption(fig, text)
    return _finish(fig, path)


def projection_histograms(df: pd.DataFrame, title_setting: str | None = None, path=None, bins: int = 8) -> Figure:
    """Histograms (8 bins) of the per-seed final ‖P e1‖ and ‖P e2‖ (spec §6, figure 3)."""
    title_setting = title_setting or describe_setting(df)
    fin = final_values(df)
    with style():
        fig, axes = new_figure(1, 2, figsize=WIDE)
        for ax, j in zip(axes[0], (1, 2)):
            col = f"Pe{j}"
            vals = fin[col].dropna().to_numpy(dtype=float) if col in fin.columns else np.array([])
            label = f"$\\|P e_{j}\\|$"
            if vals.size:
                lo, hi = float(vals.min()), float(vals.max())
                rng = None
                if hi - lo < 1e-12:  # one seed or identical values: centre the value in a bin
                    w = max(1e-3, 1e-3 * abs(lo)) * 2 / bins
                    rng = (lo - (bins // 2 - 0.5) * w, lo + (bins - bins // 2 + 0.5) * w)
                ax.hist(vals, bins=bins, range=rng, color=NEUTRAL_COLOR, edgecolor="white", linewidth=0.8)
                ax.set_title(f"{label}: min {lo:.4g}, median {np.median(vals):.4g}, max {hi:.4g}")
            else:
                ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
                ax.set_title(label)
            ax.set_xlabel(f"{label} (final step)")
            ax.set_ylabel("number of seeds")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_axisbelow(True)
        suptitle(fig, figure_title(title_setting, len(fin), r"projections onto span$(w_1, w_2)$"))
    med = {j: float(np.median(fin[f"Pe{j}"])) for j in (1, 2) if f"Pe{j}" in fin and fin[f"Pe{j}"].notna().any()}
    sl = title_setting.split(",")[0].strip() == "SL"
    set_caption(fig, (f"Per-seed final norms of the projections of e1 and e2 onto span(w1, w2), {title_setting} "
                      f"({len(fin)} seeds). "
                      + ("Prediction: SL learns only the label feature, so ‖Pe2‖ stays small. " if sl else
                         "Prediction: SSL learns both features, so both norms approach 1 (the L̃ minimiser's rows "
                         "span e1 and e2). ")
                      + "Measured medians: " + ", ".join(f"‖Pe{j}‖ = {v:.3g}" for j, v in med.items()) + "."))
    return _finish(fig, path)


# --------------------------------------------------------------------------------------------------
# Project additions: τ-sweep (C9) and finite-sample std (C10)


def _err(table: pd.DataFrame, col: str) -> np.ndarray | None:
    """Error bars from a ``<metric>_std`` column: the 95% t-interval half-width std·t/√n when the table has
    ``n_seeds``, else the std itself."""
    if col not in table.columns:
        return None
    std = np.nan_to_num(table[col].to_numpy(dtype=float), nan=0.0)
    if "n_seeds" not in table.columns:
        return std
    from scipy import stats

    n = table["n_seeds"].to_numpy(dtype=float)
    return np.where(n >= 2, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * std / np.sqrt(np.maximum(n, 1)), 0.0)


def tau_sweep(table: pd.DataFrame, path=None, *, title_setting: str = "SSL, condition 0, isotropic noise") -> Figure:
    """Theory a*(τ), −a*(τ), b*(τ) (lines) against GD seed means ± std (markers) (claim C9).

    ``table`` columns: ``tau, a_star, b_star, w11_mean, w11_std, w21_mean, w21_std, b1_mean,
    b1_std, b2_mean, b2_std``. Left panel: e1 weights; right panel: b_k = τ·w_k·e2.
    """
    t = table.sort_values("tau").reset_index(drop=True)
    tau = t["tau"].to_numpy(dtype=float)
    span = float(tau.max() - tau.min()) if len(tau) > 1 else 1.0
    dodge = 0.012 * span
    n_seeds = int(t["n_seeds"].min()) if "n_seeds" in t.columns else None
    bars = f"seed mean, 95% CI over {n_seeds} seeds" if n_seeds else "seed mean ± std"
    with style():
        fig, axes = new_figure(1, 2, figsize=WIDE)
        left, right = axes[0]
        left.plot(tau, t["a_star"], color=THEORY_COLOR, linestyle="-", label=r"theory $a^*(\tau)$")
        left.plot(tau, -t["a_star"], color=THEORY_COLOR, linestyle="--", label=r"theory $-a^*(\tau)$")
        right.plot(tau, t["b_star"], color=THEORY_COLOR, linestyle="-", label=r"theory $b^*(\tau)$")
        for ax, cols, ylabel in (
            (left, ("w11", "w21"), r"$w_k\cdot e_1$"),
            (right, ("b1", "b2"), r"$b_k = \tau\, w_k\cdot e_2$"),
        ):
            for k, col in zip((1, 2), cols):
                sym = f"$w_{k}\\cdot e_1$" if col.startswith("w") else f"$b_{k}$"
                ax.errorbar(tau + (k - 1.5) * 2 * dodge if ax is right else tau, t[f"{col}_mean"],
                            yerr=_err(t, f"{col}_std"), fmt=NEURON_MARKERS[k], color=NEURON_COLORS[k],
                            markersize=6 if k == 1 else 9, capsize=3, linestyle="none",
                            label=f"GD neuron {k}: {sym} ({bars})")
            ax.set_xlabel(r"$\tau$")
            ax.set_ylabel(ylabel)
            ax.set_xticks(tau)
            ax.legend(loc="best")
        left.set_title("label-feature weight")
        right.set_title("hidden-feature weight")
        suptitle(fig, figure_title(title_setting, None, r"τ-sweep, $\tilde L$ minimiser vs GD"))
    gap_a = float(np.max(np.abs(t["w11_mean"] - t["a_star"])))
    gap_b = float(np.max(np.abs(t["b1_mean"] - t["b_star"])))
    set_caption(fig, (f"τ-sweep of {title_setting} (claim C9). Theory (black lines): the L̃ minimiser a*(τ) "
                      "(neuron 1 on e1, neuron 2 at −a*) and b*(τ) (both neurons), float64. Measured: GD "
                      f"{bars} (markers with bars) at τ = {', '.join(f'{x:g}' for x in tau)}; the largest gaps "
                      f"between seed mean and theory are {gap_a:.3g} for w1·e1 and {gap_b:.3g} for b1."))
    return _finish(fig, path)


_NOISE_STYLES = {"isotropic": "-", "scalar": "--"}
_OTHER_STYLES = (":", "-.")


def std_vs_n(table: pd.DataFrame, path=None, *, title_setting: str = "SSL, condition 0") -> Figure:
    """Seed std of w11 and w21 against n on log–log axes, one line per (weight, noise mode), with a
    reference n^(−1/2) slope (claim C10). ``table`` columns: ``n, noise, w11_std, w21_std``.
    Non-positive stds (e.g. a single seed) cannot be drawn on a log axis and are left out."""
    t = table.sort_values("n")
    noises = sorted(t["noise"].astype(str).unique(), key=lambda s: (s not in _NOISE_STYLES, s))
    others = iter(_OTHER_STYLES * 4)
    with style():
        fig, axes = new_figure(1, 1, figsize=SINGLE)
        ax = axes[0, 0]
        positive, skipped = [], []
        for noise in noises:
            ls = _NOISE_STYLES.get(noise) or next(others, ":")
            sub = t[t["noise"].astype(str) == noise]
            for k in (1, 2):
                n = sub["n"].to_numpy(dtype=float)
                s = sub[f"w{k}1_std"].to_numpy(dtype=float)
                ok = np.isfinite(s) & (s > 0) & (n > 0)
                label = f"$w_{{{k}1}}$, {noise} noise"
                if not ok.any():
                    skipped.append(label)
                    continue
                positive.append((n[ok], s[ok]))
                ax.plot(n[ok], s[ok], linestyle=ls, marker=NEURON_MARKERS[k], color=NEURON_COLORS[k],
                        markersize=6 if k == 1 else 9, label=label)
        if positive:
            ns = np.concatenate([p[0] for p in positive])
            ss = np.concatenate([p[1] for p in positive])
            n0, n1 = ns.min(), ns.max()
            c = 0.7 * ss[ns == n0].min() * np.sqrt(n0)  # anchored just below the data at the smallest n
            grid = np.geomspace(n0, n1 if n1 > n0 else 10 * n0, 50)
            ax.plot(grid, c / np.sqrt(grid), color=THEORY_COLOR, linestyle=":", linewidth=1.4,
                    label=r"reference $\propto n^{-1/2}$")
        else:
            n_all = t["n"].to_numpy(dtype=float)
            n_all = n_all[np.isfinite(n_all) & (n_all > 0)]
            lo, hi = (n_all.min(), n_all.max()) if n_all.size else (1.0, 10.0)
            ax.set_xlim(lo / 2, hi * 2 if hi > lo else lo * 20)
            ax.set_ylim(1e-3, 1.0)
        if skipped:
            ax.text(0.02, 0.02, "not drawn (std ≤ 0 or undefined): " + "; ".join(skipped), transform=ax.transAxes,
                    ha="left", va="bottom", fontsize=8, color="0.3", wrap=True)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of training points $n$")
        ax.set_ylabel(r"seed std of $w_k\cdot e_1$")
        ax.grid(True, which="minor", alpha=0.12)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best")
        suptitle(fig, figure_title(title_setting, None, "finite-sample spread"))
    slopes = [f"{float(np.polyfit(np.log(n), np.log(s), 1)[0]):.2f}" for n, s in positive if len(n) > 1]
    set_caption(fig, (f"Finite-sample spread of {title_setting} (claim C10): the seed std of each neuron's final "
                      "weight on e1 against the number of training points n, per noise mode. Prediction: the "
                      "spread comes from the finite sample and shrinks as n^(−1/2) (dotted reference, anchored "
                      "below the data at the smallest n). Measured log–log slopes: "
                      + (", ".join(slopes) if slopes else "none (fewer than two n values)") + "."))
    return _finish(fig, path)


# --------------------------------------------------------------------------------------------------
# Run figure: final weights against a swept setting, with the L̃ minimiser where theory has one

SWEEP_METRICS = {"w11": "$w_1\\cdot e_1$", "w21": "$w_2\\cdot e_1$", "b1": "$b_1 = \\tau\\, w_1\\cdot e_2$",
                 "b2": "$b_2 = \\tau\\, w_2\\cdot e_2$"}


def sweep_theory(axis: str, values, config: Mapping, n_grid: int = 25) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The L̃ minimiser (float64, :func:`~sslab.papers.yang2024.theory.ssl_minimiser`) along a swept ``data.tau``
    or ``model.alpha`` of an SSL run: ``{legend label: (x, y)}`` for a*(x), −a*(x) and b*(x) on ``n_grid``
    points spanning the swept values; {} for any other axis or for SL."""
    from .theory import ssl_minimiser

    if config.get("method") != "ssl" or axis not in ("data.tau", "model.alpha"):
        return {}
    v = np.asarray(sorted(float(x) for x in values), float)
    grid = np.unique(np.concatenate([v, np.linspace(v.min(), v.max(), n_grid)])) if v.size > 1 else v
    tau0, alpha0, d = float(config["data"]["tau"]), float(config["model"]["alpha"]), int(config["data"]["d"])
    ms = [ssl_minimiser(tau=x if axis == "data.tau" else tau0, alpha=x if axis == "model.alpha" else alpha0, d=d)
          for x in grid]
    a = np.array([m.a for m in ms])
    b = np.array([m.b for m in ms])
    return {r"theory $a^*$ ($\tilde L$ minimiser; neuron 1 on $e_1$)": (grid, a),
            r"theory $-a^*$ (neuron 2 on $e_1$)": (grid, -a),
            r"theory $b^*$ (both neurons' $b_k$)": (grid, b)}


def sweep_figure(df: pd.DataFrame, axis: str, config: Mapping, setting: str, path=None) -> Figure:
    """Final w_k·e1 and b_k = τ w_k·e2 against one swept setting: seeds as dots, seed means with their 95%
    t-interval, and the L̃ minimiser a*, −a*, b* as black lines where theory has one (τ or α of an SSL run)."""
    theory = sweep_theory(axis, df[axis].unique(), config)
    name = readable(axis, LABELS)
    fig = sweep_plot(df, axis, SWEEP_METRICS, title=f"{PAPER} — final weights vs {name}: {setting}",
                     ylabel="final value at the last step", xlabel=name, log_x=axis == "data.n", theory=theory)
    last = df[(df.step == df.step.max()) & (df.metric == "w11")]
    n = last.groupby(axis).seed.nunique().min()
    text = (f"Final weights of {setting} against {name}, {n} seeds per value (dots), seed means with 95% t-intervals. ")
    if theory:
        x, a = theory[next(iter(theory))]
        fin = last.groupby(axis).value.mean()
        gap = float(np.max(np.abs(fin.to_numpy() - np.interp(fin.index.to_numpy(float), x, a))))
        text += (r"Theory: the minimiser of the population loss L̃ puts neuron 1 at +a*, neuron 2 at −a* on e1 and "
                 f"both at b* on e2 (black lines). Measured: X")
    else:
        text += "No closed form for this setting: the figure shows the measured values only."
    set_caption(fig, text)
    return _finish(fig, path)


# --------------------------------------------------------------------------------------------------
# Convenience


def render_setting(df: pd.DataFrame, outdir: str | os.PathLike, stem: str, *, title_setting: str | None = None,
                   theory: Mapping[str, float] | None = None) -> dict[str, Path]:
    """Write the three §6 figures of one setting into ``outdir`` as ``<stem>_<figure>.png``.

    For SL records (``model.name`` = ``yang_sl``) the learning curves are drawn raw
    (official-faithful) and neuron-aligned; scatter and histograms use the aligned records.
    Returns ``{figure name: path}``.
    """
    outdir = Path(outdir)
    title_setting = title_setting or describe_setting(df)
    is_sl = str(_unique(df, "model.name") or _unique(df, "method")) in ("yang_sl", "sl")
    out: dict[str, Path] = {}
    data = df

    def name(figure: str) -> Path:  # the file save() writes (PNG, or the --format)
        return figure_path(outdir / f"{stem}_{figure}.png")

    if is_sl:
        out["learning_curves_raw"] = name("learning_curves_raw")
        learning_curves(df, f"{title_setting}, raw neuron labels", out["learning_curves_raw"])
        data, permuted = align_sl(df)
        title_setting = f"{title_setting}, neuron-aligned, {len(permuted)} permuted"
    out["learning_curves"] = name("learning_curves")
    learning_curves(data, title_setting, out["learning_curves"])
    out["final_scatter"] = name("final_scatter")
    final_scatter(data, title_setting, out["final_scatter"], theory=theory)
    out["projection_histograms"] = name("projection_histograms")
    projection_histograms(data, title_setting, out["projection_histograms"])
    return out


__all__: Sequence[str] = (
    "PAPER", "NEURON_SWAP", "seed_band", "lane_keys", "n_trajectories", "trajectories", "final_values",
    "align_sl", "describe_setting", "figure_title", "learning_curves", "final_scatter",
    "projection_histograms", "tau_sweep", "std_vs_n", "render_setting", "LABELS", "sweep_theory", "sweep_figure",
)
