"""Figures of Simon et al. 2023 (spec simon2023 §8), drawn from stored records; closed forms from :mod:`.theory`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sslab.plotting import BAND_ALPHA, THEORY_COLOR, new_figure, save, style, suptitle

from . import measure as ms
from . import theory as th
from .data import GaussianPairs
from .model import LinearEmbedding

PAPER = "Simon et al. 2023"
#: methods whose steps come early: their time axis is logarithmic
LOG_TIME = ("vicreg",)
MODE_COLORS = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def _sections(plan_config: dict) -> tuple[GaussianPairs, LinearEmbedding, float]:
    c = plan_config["config"]
    return GaussianPairs(**c["data"]), LinearEmbedding(**c["model"]), float(c["optim"]["lr"])


def _band(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over rows and the 95% Student-t half-width (ddof = 1); zero width for one row."""
    m = Y.mean(0)
    if Y.shape[0] < 2:
        return m, np.zeros_like(m)
    return m, stats.t.ppf(0.975, Y.shape[0] - 1) * Y.std(0, ddof=1) / np.sqrt(Y.shape[0])


def _stack(tr: dict) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values stacked over lanes) from a {lane: (steps, values)} dict."""
    lanes = sorted(tr)
    return tr[lanes[0]][0], np.stack([tr[lane][1] for lane in lanes])


def _predictions(records: pd.DataFrame, plan_config: dict) -> list[th.Prediction]:
    data, model, _ = _sections(plan_config)
    lt = ms.lane_table(records)
    alpha = lt["model.init_scale"] if "model.init_scale" in lt else pd.Series(model.init_scale, index=lt.index)
    return [th.predict(int(lt.loc[lane, "seed"]), data, model, float(alpha[lane])) for lane in sorted(lt.index)]


def trajectory_figure(records: pd.DataFrame, plan_config: dict, path) -> Path:
    """Fig. 1A/B analogue: loss and eigenvalues of C against t = η·step, simulation band and closed form."""
    data, model, lr = _sections(plan_config)
    d = model.d
    steps, lam = _stack(ms.trajectories(records, "lam", d))
    _, L = _stack(ms.series(records, "L_bt"))
    t = steps * lr
    preds = _predictions(records, plan_config)
    lam_th = np.array([th.eigenvalues(p, t) for p in preds])  # (seeds, T, d)
    L_th = np.mean([th.loss(p, t) for p in preds], axis=0)
    t_steps = np.nanmean([th.step_times(p) for p in preds], axis=0)
    n = lam.shape[0]
    with style():
        fig, axes = new_figure(1, 3, figsize=(14.0, 5.0))
        ax = axes[0, 0]
        m, h = _band(L)
        ax.plot(t, m, color="C7", label=f"simulation, mean ± 95% CI ({n} seeds)")
        ax.fill_between(t, m - h, m + h, color="C7", alpha=BAND_ALPHA, lw=0)
        ax.plot(t, L_th, "--", color=THEORY_COLOR, lw=1.2, label="closed form Σ(1 − λ_j)², seed mean")
        for j, tj in enumerate(t_steps):
            ax.axvline(tj, color=MODE_COLORS[j], ls=":", lw=1.2,
                       label="closed-form step times t_j" if j == 0 else None)
        ax.set_xlabel("effective time t = η · step")
        ax.set_ylabel("loss ‖C − I‖²_F")
        ax.set_title("(A) loss")
        ax.legend(loc="upper right")
        for ax, log in ((axes[0, 1], False), (axes[0, 2], True)):
            for j in range(d):
                if log:  # geometric mean and the 95% CI of log10 λ; the closed form averaged the same way
                    m, h = _band(np.log10(np.maximum(lam[:, :, j], 1e-300)))
                    lo, mid, hi = 10 ** (m - h), 10 ** m, 10 ** (m + h)
                    theory = 10 ** np.log10(lam_th[:, :, j]).mean(0)
                else:
                    m, h = _band(lam[:, :, j])
                    lo, mid, hi = m - h, m, m + h
                    theory = lam_th[:, :, j].mean(0)
                ax.plot(t, mid, color=MODE_COLORS[j], label=f"λ_{j + 1}: simulation, band 95% CI over {n} seeds"
                        if not log else None)
                ax.fill_between(t, lo, hi, color=MODE_COLORS[j], alpha=BAND_ALPHA, lw=0)
                ax.plot(t, theory, "--", color=THEORY_COLOR, lw=1.0,
                        label="closed form (spec §5.2–5.3), averaged over seeds" if (j == 0 and not log) else None)
            ax.set_xlabel("effective time t = η · step")
            if log:
                ax.set_yscale("log")
                ax.set_ylabel("eigenvalues of C (log scale)")
                ax.set_title("(C) eigenvalues, log scale (geometric means)")
            else:
                ax.set_ylabel("eigenvalues λ_j of C = WΓWᵀ")
                ax.set_title("(B) eigenvalues (arithmetic means)")
        fig.legend(*axes[0, 1].get_legend_handles_labels(), loc="outside lower center", ncols=3)
        init = "aligned (exact solution)" if model.init == "aligned" else "small random"
        suptitle(fig, f"{PAPER} — linear Barlow Twins from {init} initialisation, α = {model.init_scale:g}, "
                      f"η = {lr:g}: stepwise loss and embedding eigenvalues against the closed form")
    return save(fig, path)


def methods_figure(runs: dict[str, tuple[pd.DataFrame, dict]], path) -> Path:
    """SimCLR and VICReg in the linear setting: loss and eigenvalues of C, bands over seeds (spec §8.4).

    ``runs`` maps a method to its (records, plan_config)."""
    labels = {"simclr": "SimCLR (NT-Xent, dot product, τ = 1)", "vicreg": "VICReg (λ = μ = 25, ν = 1)",
              "barlow_twins": "Barlow Twins (linear)"}
    with style():
        fig, axes = new_figure(len(runs), 2, figsize=(11.0, 3.9 * len(runs)))
        for row, (method, (records, plan_config)) in enumerate(runs.items()):
            _, model, lr = _sections(plan_config)
            steps, L = _stack(ms.series(records, "loss"))
            t = steps * lr
            n = L.shape[0]
            ax = axes[row, 0]
            m, h = _band(L)
            ax.plot(t, m, color="C7", label=f"mean ± 95% CI over {n} seeds")
            ax.fill_between(t, m - h, m + h, color="C7", alpha=BAND_ALPHA, lw=0)
            ax.set_xlabel("effective time t = η · step" + (" (log scale)" if method in LOG_TIME else ""))
            ax.set_ylabel("training loss (mean over each logging interval)")
            ax.set_title(f"{labels.get(method, method)}: loss")
            ax.legend(loc="upper right")
            if method in LOG_TIME:
                ax.set_xscale("log")
            ax = axes[row, 1]
            steps, lam = _stack(ms.trajectories(records, "lam", model.d))
            t = steps * lr
            keep = t > 0 if method in LOG_TIME else np.ones_like(t, bool)
            for j in range(model.d):
                m, h = _band(np.log10(np.maximum(lam[:, :, j], 1e-300)))
                ax.plot(t[keep], 10 ** m[keep], color=MODE_COLORS[j], label=f"λ_{j + 1}")
                ax.fill_between(t[keep], 10 ** (m - h)[keep], 10 ** (m + h)[keep], color=MODE_COLORS[j],
                                alpha=BAND_ALPHA, lw=0)
            ax.set_yscale("log")
            if method in LOG_TIME:
                ax.set_xscale("log")
            ax.set_xlabel("effective time t = η · step" + (" (log scale)" if method in LOG_TIME else ""))
            ax.set_ylabel("eigenvalues of C (log scale)")
            ax.set_title(f"{labels.get(method, method)}: eigenvalues of C")
            ax.legend(loc="lower right", ncols=2, title=f"geometric mean ± 95% CI, {n} seeds")
        alphas = sorted({_sections(pc)[1].init_scale for _, pc in runs.values()})
        suptitle(fig, f"{PAPER} — the same linear model f(x) = Wx from α = {', '.join(f'{a:g}' for a in alphas)} "
                      f"with {' and '.join(labels.get(m, m).split(' (')[0] for m in runs)}: loss and eigenvalues "
                      "(no closed form; the paper shows these curves for ResNets)")
    return save(fig, path)


def phase_figure(records: pd.DataFrame, plan_config: dict, path) -> Path:
    """C5: seed-mean loss over (t, α) with the closed-form step times, and the step sharpness against α."""
    data, model, lr = _sections(plan_config)
    d = model.d
    lt = ms.lane_table(records)
    loss = ms.series(records, "L_bt")
    eig = ms.trajectories(records, "lam", d)
    alphas = sorted(lt["model.init_scale"].unique())
    rows, S_sim, S_th, t_th = [], [], [], []
    for a in alphas:
        lanes = [lane for lane in lt.index if lt.loc[lane, "model.init_scale"] == a]
        steps = loss[lanes[0]][0]
        t = steps * lr
        rows.append(np.mean([loss[lane][1] for lane in lanes], axis=0))
        S_sim.append([-np.log10(ms.interference(t, eig[lane][1])) for lane in lanes])
        preds = [th.predict(int(lt.loc[lane, "seed"]), data, model, float(a)) for lane in lanes]
        small = all(p.small for p in preds)
        S_th.append(np.mean([th.sharpness(p) for p in preds]) if small else np.nan)
        t_th.append(np.mean([th.step_times(p) for p in preds], axis=0) if small else np.full(d, np.nan))
    n = len(S_sim[0])
    la = np.log10(alphas)
    edges = np.concatenate([[la[0] - 0.5], 0.5 * (la[1:] + la[:-1]), [la[-1] + 0.5]])
    with style():
        fig, axes = new_figure(1, 2, figsize=(13.0, 4.8))
        ax = axes[0, 0]
        mesh = ax.pcolormesh(np.concatenate([t, [t[-1] + (t[-1] - t[-2])]]), edges, np.array(rows),
                             cmap="viridis", shading="flat", vmin=0.0, vmax=float(d))
        fig.colorbar(mesh, ax=ax, label=f"loss ‖C − I‖²_F (mean over {n} seeds)")
        t_th = np.array(t_th)
        for j in range(d):
            ok = np.isfinite(t_th[:, j])
            ax.plot(t_th[ok, j], la[ok], "o--", color="white", ms=4, lw=1.0,
                    label="closed-form step times t_j(α)" if j == 0 else None)
        ax.set_xlabel("effective time t = η · step")
        ax.set_ylabel("log10 initialisation scale α")
        ax.set_yticks(la)
        ax.set_title("(A) loss over time and initialisation scale")
        ax.legend(loc="upper right", facecolor="0.3", labelcolor="white", framealpha=0.8)
        ax = axes[0, 1]
        ms_, hs = zip(*[ms.mean_ci(s) for s in S_sim])
        ax.errorbar(alphas, ms_, yerr=hs, marker="o", capsize=3, color="C0",
                    label=f"simulation: mean ± 95% CI over {n} seeds")
        ax.plot(alphas, S_th, "s--", color=THEORY_COLOR, ms=4, lw=1.2, zorder=3,
                label="closed form (spec §5.5, mean over seeds), where α is small")
        ax.axhline(0.0, color="0.5", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("initialisation scale α")
        ax.set_ylabel("step sharpness S = −log10 max_j λ_(j+1)(t_j)")
        ax.set_title("(B) steps blur as α grows")
        ax.legend(loc="upper right")
        suptitle(fig, f"{PAPER} — linear Barlow Twins, one sweep of α × {n} seeds as lanes: "
                      "the stepwise staircase at small α blurs into a smooth descent at large α")
    return save(fig, path)


def run_figures(records: pd.DataFrame, plan_config: dict, outdir) -> list[Path]:
    """Figures of one stored run (``sslab run simon2023 ...``): what fits its method and axes."""
    outdir = Path(outdir)
    c = plan_config["config"]
    axes = [a for a in plan_config.get("axes", {}) if a != "seed"]
    if c["method"] == "barlow_twins" and axes == ["model.init_scale"]:
        return [phase_figure(records, plan_config, outdir / "simon2023_phase.png")]
    if c["method"] == "barlow_twins" and not axes:
        return [trajectory_figure(records, plan_config, outdir / f"simon2023_stepwise_{c['model']['init']}.png")]
    if not axes:
        return [methods_figure({c["method"]: (records, plan_config)}, outdir / f"simon2023_{c['method']}.png")]
    return []
