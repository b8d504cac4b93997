"""The gallery heat-map: rows data models, columns losses, colour = final recovery (issue 11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..plotting import new_figure, save, style, suptitle


def heatmap(table: pd.DataFrame, path: str | Path, *, title: str) -> Path:
    """Mean recovery per data × loss cell, value ± seed std written in it; rejected and diverged cells grey and labelled."""
    rows = list(dict.fromkeys(table.data))
    cols = list(dict.fromkeys(table.loss))
    M = np.full((len(rows), len(cols)), np.nan)
    S = np.full_like(M, np.nan)
    rejected = np.zeros(M.shape, bool)
    div = np.zeros(M.shape, int)
    for r in table.itertuples():
        i, j = rows.index(r.data), cols.index(r.loss)
        if getattr(r, "error", ""):
            rejected[i, j] = True
        else:
            M[i, j], S[i, j] = r.recovery, r.std
            div[i, j] = int(getattr(r, "diverged", 0) or 0)
    with style(**{"axes.grid": False}):
        fig, axes = new_figure(figsize=(max(6.5, 1.25 * len(cols) + 2.8), 1.0 * len(rows) + 2.2))
        ax = axes[0, 0]
        im = ax.imshow(np.ma.masked_invalid(M), cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
        ax.set_facecolor("0.85")
        for i in range(len(rows)):
            for j in range(len(cols)):
                if rejected[i, j]:
                    ax.text(j, i, "rejected", ha="center", va="center", fontsize=8.5, color="0.2")
                elif np.isnan(M[i, j]):
                    ax.text(j, i, f"diverged\n({div[i, j]} lanes)" if div[i, j] else "no value", ha="center",
                            va="center", fontsize=8.5, color="0.2")
                else:
                    txt = f"{M[i, j]:.2f}" + ("" if np.isnan(S[i, j]) else f"\n±{S[i, j]:.2f}")
                    txt += f"\n{div[i, j]} diverged" if div[i, j] else ""
                    ax.text(j, i, txt, ha="center", va="center", fontsize=9,
                            color="black" if M[i, j] > 0.55 else "white")
        ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
        models = {r.data: getattr(r, "model", "") for r in table.itertuples() if isinstance(getattr(r, "model", ""), str)
                  and getattr(r, "model", "")}
        ax.set_yticks(range(len(rows)), [f"{d}\n({models[d]})" if d in models else d for d in rows])
        ax.set_xlabel("loss")
        ax.set_ylabel("data model (encoder)")
        fig.colorbar(im, ax=ax, label="recovery (data model's own metric; 1 = recovered)")
        suptitle(fig, title)
    return save(fig, path)
