"""The paper's figure: m_t over steps, every seed, with the closed form."""

from __future__ import annotations

from sslab.plotting import THEORY_COLOR, new_figure, save, style, suptitle

from . import theory


def trajectory(records, path, m0: float, lr: float):
    with style():
        fig, axes = new_figure(1, 1)
        ax = axes[0, 0]
        for seed, g in records.groupby("seed"):
            m = g[g.metric == "m"].sort_values("step")
            xbar = float(g[g.metric == "xbar"].value.iloc[0])
            ax.plot(m.step, m.value, "o", ms=3, label=f"seed {seed} (simulation)")
            ax.plot(m.step, theory.trajectory(m0, xbar, lr, m.step), color=THEORY_COLOR, lw=0.8,
                    label="closed form" if seed == records.seed.min() else None)
        ax.set_xlabel("GD step t")
        ax.set_ylabel("$m_t$")
        ax.legend()
        suptitle(fig, f"toy2025 — GD on ½(m − x)² (η = {lr:g}): simulation and closed form")
    return save(fig, path)
