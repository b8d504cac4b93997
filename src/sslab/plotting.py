"""Shared figure style for sslab reports.

Figures are built with :class:`matplotlib.figure.Figure` directly, never through ``pyplot``: no
global figure registry, no interactive backend, and PNG output goes through the Agg canvas that
``Figure.savefig`` picks by file format. Nothing here changes ``matplotlib.rcParams`` globally;
the style is applied with :func:`style`, a context manager around ``matplotlib.rc_context``.

Typical use::

    with style():
        fig, axes = new_figure(1, 2, figsize=WIDE)
        ...
        suptitle(fig, "Yang et al. 2024 — SSL, condition 0, isotropic noise (20 seeds)")
    save(fig, "out/learning_curves.png")
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import matplotlib
import numpy as np
from matplotlib.figure import Figure

# Neuron colours and markers (neuron 1 blue circles, neuron 2 red stars, as in the official scripts).
NEURON1_COLOR = "#1f77b4"
NEURON2_COLOR = "#d62728"
NEURON_COLORS = {1: NEURON1_COLOR, 2: NEURON2_COLOR}
NEURON_MARKERS = {1: "o", 2: "*"}
THEORY_COLOR = "black"
NEUTRAL_COLOR = "0.45"
BAND_ALPHA = 0.25

DPI = 150
SINGLE = (6.4, 4.8)  # one panel
WIDE = (10.0, 4.2)   # two panels side by side

RC: dict[str, object] = {
    "font.size": 10.0,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.0,
    "figure.titlesize": 11.5,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
    "lines.markersize": 6.0,
    "legend.framealpha": 0.9,
    "axes.formatter.useoffset": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,
}


@contextlib.contextmanager
def style(**overrides: object) -> Iterator[None]:
    """Apply the sslab report style (``RC`` plus ``overrides``) for the duration of the block.

    Create the figure *and* draw into it inside the block: matplotlib reads most rcParams when an
    artist is created.
    """
    with matplotlib.rc_context({**RC, **overrides}):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
               **subplot_kw: object) -> tuple[Figure, np.ndarray]:
    """A constrained-layout ``Figure`` (not registered with pyplot) and a 2-D array of its axes."""
    fig = Figure(figsize=figsize or (SINGLE if nrows * ncols == 1 else WIDE), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def _visible_len(word: str) -> int:
    """Approximate rendered length of a word: mathtext markup ($, \\cmd, braces, ^, _) not counted."""
    return len(re.sub(r"\\[A-Za-z]+|[${}^_]", "", word))


def _words(line: str) -> list[str]:
    """Split on spaces outside ``$…$`` mathtext, so formulas are never broken."""
    words, cur, in_math = [], "", False
    for ch in line:
        if ch == "$":
            in_math = not in_math
        if ch == " " and not in_math:
            words.append(cur)
            cur = ""
        else:
            cur += ch
    words.append(cur)
    return [w for w in words if w]


def wrap(text: str, width: int = 80) -> str:
    """Greedy-wrap a title to about ``width`` visible characters per line, never inside mathtext
    (existing newlines are kept; a non-breaking space U+00A0 keeps words together)."""
    out = []
    for line in text.split("\n"):
        cur: list[str] = []
        size = 0
        for word in _words(line):
            n = _visible_len(word)
            if cur and size + 1 + n > width:
                out.append(" ".join(cur))
                cur, size = [], 0
            size += n + (1 if cur else 0)
            cur.append(word)
        out.append(" ".join(cur))
    return "\n".join(out)


def suptitle(fig: Figure, text: str, *, width: int | None = None) -> None:
    """Set the figure title, wrapped to roughly the figure width (about 11 characters per inch)."""
    if width is None:
        width = max(40, int(fig.get_figwidth() * 11))
    fig.suptitle(wrap(text, width))


def close(fig: Figure) -> None:
    """Release a figure. Only pyplot-managed figures hold global state; ours are freed when dropped."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def save(fig: Figure, path: str | os.PathLike, *, dpi: int = DPI) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically (temporary file in the same folder, then
    ``os.replace``), creating parent folders, and close it. Returns the path.

    The figure object stays usable after saving (a Figure not created by pyplot has nothing to close).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with style():
                fig.savefig(fh, format="png", dpi=dpi)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    close(fig)
    return path


def sweep_plot(df, axis: str, metrics: dict[str, str], *, title: str, ylabel: str, path=None,
               xlabel: str | None = None, log_x: bool = False) -> Figure:
    """Final-step mean ± std (ddof=1) over seeds of each metric against one swept config column.

    ``df`` holds tidy records (``seed, step, metric, value`` and the ``axis`` column); ``metrics`` maps
    metric names to legend labels. One series per metric, error bars are the seed std.
    """
    import numpy as np

    last = df[df.step == df.groupby("lane").step.transform("max")]
    with style():
        fig, axes = new_figure(figsize=SINGLE)
        ax = axes[0, 0]
        for i, (m, label) in enumerate(metrics.items()):
            g = last[last.metric == m].groupby(axis).value
            mean, std = g.mean(), g.std(ddof=1).fillna(0.0)
            ax.errorbar(mean.index.to_numpy(dtype=float), mean.to_numpy(), yerr=std.to_numpy(), marker="os^v*"[i % 5],
                        capsize=3, label=f"{label} (mean ± std over seeds)")
        ax.set_xlabel(xlabel or axis)
        ax.set_ylabel(ylabel)
        if log_x:
            ax.set_xscale("log")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
        suptitle(fig, title)
    if path is not None:
        save(fig, path)
    return fig
