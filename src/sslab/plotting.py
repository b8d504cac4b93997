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

Output format: :func:`save` writes PNG by default; ``set_figure_format("svg" | "pdf")`` (the command line's
``--format``) makes every ``name.png`` a vector ``name.svg`` / ``name.pdf`` (a PDF with a PNG preview beside
it, for the HTML pages). Captions: :func:`set_caption` attaches what theory predicts and what was measured to
a figure; :func:`save` stores it in the file's metadata and the reports print it under the figure.
Seed statistics: :func:`mean_ci` (mean and 95% t-interval over seeds), :func:`median_iqr` (for bounded
errors), drawn by :func:`seed_curves` and :func:`seed_points` with the legend saying what the band is.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Iterator, Sequence

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


# --- output format -------------------------------------------------------------------------------

FORMATS = ("png", "svg", "pdf")
FORMAT_ENV = "SSLAB_FIGURE_FORMAT"


def _check_format(fmt: str) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"figure format: invalid value {fmt!r}; valid choices: {', '.join(FORMATS)}")
    return fmt


def figure_format() -> str:
    """The default figure format: ``png`` unless :func:`set_figure_format` (or ``$SSLAB_FIGURE_FORMAT``) says
    ``svg`` or ``pdf``."""
    return _check_format(os.environ.get(FORMAT_ENV, "") or "png")


def set_figure_format(fmt: str) -> str:
    """Set the default format of :func:`save` for this process and the worker processes it starts
    (through ``$SSLAB_FIGURE_FORMAT``); returns the previous one."""
    old = figure_format()
    os.environ[FORMAT_ENV] = _check_format(fmt)
    return old


@contextlib.contextmanager
def using_format(fmt: str | None) -> Iterator[None]:
    """The default figure format inside the block (``None``: unchanged)."""
    if fmt is None:
        yield
        return
    old = os.environ.get(FORMAT_ENV)
    set_figure_format(fmt)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(FORMAT_ENV, None)
        else:
            os.environ[FORMAT_ENV] = old


def figure_path(path: str | os.PathLike, format: str | None = None) -> Path:
    """The file :func:`save` writes for ``path``: ``format`` if given; else the path's own suffix when it
    names a vector format (``.svg``, ``.pdf``); else (``.png`` or none) the default :func:`figure_format`.
    So figure code that writes ``name.png`` follows ``--format``, and an explicit ``name.pdf`` is kept."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if format is not None:
        fmt = _check_format(format)
    elif suffix in ("svg", "pdf"):
        fmt = suffix
    else:
        fmt = figure_format()
    return path.with_suffix("." + fmt) if suffix in FORMATS or not suffix else path.with_name(path.name + "." + fmt)


# --- captions -------------------------------------------------------------------------------------

_TEX = {r"\tau": "τ", r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ",
        r"\eta": "η", r"\kappa": "κ", r"\lambda": "λ", r"\mu": "μ", r"\nu": "ν", r"\rho": "ρ", r"\sigma": "σ",
        r"\Sigma": "Σ", r"\theta": "θ", r"\xi": "ξ", r"\cdot": "·", r"\|": "‖", r"\max": "max", r"\min": "min",
        r"\approx": "≈", r"\leq": "≤", r"\geq": "≥", r"\pm": "±", r"\times": "×", r"\,": " ",
        r"\ ": " ", r"\sin": "sin ", r"\cos": "cos ", r"\langle": "⟨", r"\rangle": "⟩", r"\propto": "∝"}


def plain(text: str) -> str:
    """Matplotlib mathtext made plain text (for captions and HTML): ``$\\tau$`` → τ, ``$w_1\\cdot e_1$`` →
    w1·e1."""
    def one(m: re.Match) -> str:
        t = re.sub(r"\\(tilde|hat)\s*\{?(\w)\}?", lambda g: g.group(2) + ("\u0303" if g.group(1) == "tilde" else "\u0302"),
                   m.group(1))
        t = re.sub(r"(?<!\\) ", "", t)  # mathtext ignores plain spaces
        for k in sorted(_TEX, key=len, reverse=True):
            t = t.replace(k, _TEX[k])
        t = re.sub(r"\\(mathrm|mathbf|text|operatorname)\{([^{}]*)\}", r"\2", t)
        t = re.sub(r"[_^]\{([^{}]*)\}", r"\1", t)
        t = re.sub(r"[_^]", "", t)
        return t.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\$([^$]*)\$", one, text)


def set_caption(fig: Figure, text: str) -> Figure:
    """Attach a caption to ``fig`` (what theory predicts, what was measured); :func:`save` writes it into the
    file's metadata (PNG/SVG ``Description``, PDF ``Subject``), where :func:`read_caption` and the HTML reports
    find it. Mathtext is made plain (:func:`plain`). Returns ``fig``."""
    fig._sslab_caption = " ".join(plain(str(text)).split())  # type: ignore[attr-defined]
    return fig


def caption_of(fig: Figure) -> str:
    return getattr(fig, "_sslab_caption", "")


def read_caption(path: str | os.PathLike) -> str:
    """The caption :func:`save` stored in a figure file ('' if none; a PDF's is read from its PNG preview)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".pdf":
            path = path.with_suffix(".png")
        if path.suffix.lower() == ".png":
            from PIL import Image
            with Image.open(path) as im:
                return str(getattr(im, "text", {}).get("Description", ""))
        if path.suffix.lower() == ".svg":
            import html
            m = re.search(r"<dc:description>(.*?)</dc:description>", path.read_text(encoding="utf-8"), re.S)
            return html.unescape(m.group(1)) if m else ""
    except OSError:
        return ""
    return ""


def figure_files(folder: str | os.PathLike) -> list[Path]:
    """The figures in ``folder``, one per name: the SVG or PDF where there is one, else the PNG (a PDF's PNG
    preview is not listed twice)."""
    files = [p for p in Path(folder).glob("*") if p.suffix.lower().lstrip(".") in FORMATS and not p.name.startswith(".")]
    rank = {".svg": 0, ".pdf": 1, ".png": 2}
    best: dict[str, Path] = {}
    for p in sorted(files, key=lambda p: (p.stem, rank[p.suffix.lower()])):
        best.setdefault(p.stem, p)
    return sorted(best.values())


def _write(fig: Figure, path: Path, fmt: str, dpi: int, caption: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    meta = ({"Subject": caption} if fmt == "pdf" else {"Description": caption}) if caption else None
    try:
        with os.fdopen(fd, "wb") as fh:
            with style():
                fig.savefig(fh, format=fmt, dpi=dpi, metadata=meta)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save(fig: Figure, path: str | os.PathLike, *, dpi: int = DPI, format: str | None = None,
         caption: str | None = None) -> Path:
    """Write ``fig`` atomically (temporary file in the same folder, then ``os.replace``), creating parent
    folders, and close it. Returns the path written: :func:`figure_path` of ``path`` (``format``, or the
    default :func:`figure_format` for a ``.png`` path). A PDF gets a PNG preview beside it (the HTML reports
    show that). ``caption`` (default: the one :func:`set_caption` attached) goes into the file's metadata.

    The figure object stays usable after saving (a Figure not created by pyplot has nothing to close).
    """
    out = figure_path(path, format)
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = out.suffix.lstrip(".").lower()
    text = caption if caption is not None else caption_of(fig)
    _write(fig, out, fmt, dpi, text)
    if fmt == "pdf":
        _write(fig, out.with_suffix(".png"), "png", dpi, text)
    close(fig)
    return out


# --- statistics over seeds ------------------------------------------------------------------------

def mean_ci(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over ``axis`` (seeds), the half-width of its 95% t-interval (std with ddof = 1 over √n, times
    t_{0.975, n−1}; 0 where n < 2) and n, ignoring NaN."""
    from scipy import stats

    a = np.asarray(values, dtype=float)
    n = np.sum(np.isfinite(a), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(a, axis=axis)
        std = np.nanstd(a, axis=axis, ddof=1)
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * std / np.sqrt(n)
    half = np.where(n >= 2, np.nan_to_num(half), 0.0)
    return mean, half, n


def median_iqr(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median over ``axis`` (seeds) and the 25th and 75th percentiles, ignoring NaN."""
    a = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanpercentile(a, [50, 25, 75], axis=axis)
    return q[0], q[1], q[2]


def ci_note(n: int) -> str:
    """Legend text of a seed band: ``95% CI of the mean over 5 seeds``."""
    return f"95% CI of the mean over {n} seed{'s' if n != 1 else ''}" + (" (n = 1: no band)" if n < 2 else "")


def iqr_note(n: int) -> str:
    return f"median and IQR over {n} seed{'s' if n != 1 else ''}"


def seed_curves(ax, steps, values, *, color, label: str, center: str = "mean", seeds: bool = True,
                linestyle: str = "-", note: bool = True, band_alpha: float = BAND_ALPHA) -> None:
    """One setting's curve over training: ``values`` has shape (n_seeds, n_steps). ``center="mean"`` draws the
    seed mean and its 95% t-interval band, ``"median"`` the median and the IQR band (for bounded errors);
    ``seeds`` adds each seed as a thin line. With ``note`` the legend entry states what the band is (else add
    :func:`band_handle` once to the legend)."""
    v = np.atleast_2d(np.asarray(values, dtype=float))
    steps = np.asarray(steps)
    n = v.shape[0]
    if seeds and n > 1:
        for row in v:
            ax.plot(steps, row, color=color, lw=0.6, alpha=0.35, linestyle=linestyle, zorder=1)
    if center == "median":
        mid, lo, hi = median_iqr(v)
        text = iqr_note(n)
    else:
        mid, half, _ = mean_ci(v)
        lo, hi, text = mid - half, mid + half, ci_note(n)
    ax.plot(steps, mid, color=color, linestyle=linestyle, label=f"{label} — {text}" if note else label, zorder=3)
    if n > 1:
        ax.fill_between(steps, lo, hi, color=color, alpha=band_alpha, linewidth=0, zorder=2)


def band_handle(center: str, n: int):
    """A legend entry (grey patch) saying what the bands are: 95% CI of the mean, or the IQR, over n seeds."""
    from matplotlib.patches import Patch

    return Patch(color=NEUTRAL_COLOR, alpha=BAND_ALPHA, label="bands: " + (iqr_note(n) if center == "median" else ci_note(n)))


def seed_points(ax, x: float, values, *, color, width: float = 0.25, label: str | None = None,
                marker: str = "o") -> None:
    """Per-seed dots at ``x`` (spread over ``width``) and the seed mean with its 95% t-interval bar."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return
    jitter = np.linspace(-width / 2, width / 2, v.size) if v.size > 1 else np.zeros(1)
    ax.plot(x + jitter, v, linestyle="none", marker=".", color="black", ms=5, alpha=0.75, zorder=6,
            label="seeds" if label else None)
    mean, half, _ = mean_ci(v)
    ax.errorbar([x], [mean], yerr=[[half], [half]], fmt=marker, color=color, ecolor="black", capsize=4,
                ms=7, zorder=5, label=label)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def curves_figure(records, metrics: list[str], *, axes: list[str] = (), labels: dict[str, str] | None = None,
                  center: str = "mean", seeds: bool | None = None, log_y: bool | Sequence[str] = False,
                  title: str = "", setting_names: dict | None = None) -> Figure:
    """Learning curves from tidy records (``lane, seed, step, metric, value`` and the ``axes`` columns): one panel
    per metric, one colour per setting of ``axes`` (never pooled), the seed mean with its 95% t-interval band
    (``center="median"``: median and IQR), each seed as a thin line (``seeds``; default: at most 2 settings).
    ``labels`` names metrics and axes readably; ``setting_names`` maps an (axis, value) pair to its legend text;
    ``log_y`` is True (every panel) or the metrics drawn on a log scale."""
    from matplotlib.lines import Line2D

    df, axes = records, list(axes)
    if center not in ("mean", "median"):
        raise ValueError(f"center: invalid value {center!r}; valid choices: mean, median")
    n_settings = df.groupby(axes).ngroups if axes else 1
    draw_seeds = n_settings <= 2 if seeds is None else seeds
    alpha = BAND_ALPHA if n_settings <= 2 else 0.12
    n_seeds = int(df.groupby(axes).seed.nunique().min()) if axes else int(df.seed.nunique())
    ncols = min(len(metrics), 3)
    nrows = -(-len(metrics) // ncols)
    with style():
        fig, ax_grid = new_figure(nrows, ncols, figsize=(max(SINGLE[0], 4.6 * ncols + 0.6), 3.6 * nrows + 1.0))
        for ax, m in zip(ax_grid.flat, metrics):
            sub = df[df.metric == m]
            groups = sub.groupby(axes, sort=True) if axes else [((), sub)]
            for i, (key, g) in enumerate(groups):
                key = key if isinstance(key, tuple) else (key,)
                wide = g.pivot_table(index="step", columns="lane", values="value").sort_index()
                label = ", ".join((setting_names or {}).get((a, v)) or f"{readable(a, labels)} = {_fmt(v)}"
                                  for a, v in zip(axes, key)) or ("seed mean" if center == "mean" else "median")
                seed_curves(ax, wide.index.to_numpy(), wide.to_numpy().T, color=f"C{i % 10}", label=label,
                            center=center, seeds=draw_seeds, note=False, band_alpha=alpha)
            ax.set_xlabel("training step $t$")
            ax.set_ylabel(wrap(readable(m, labels), 40))
            if log_y is True or (not isinstance(log_y, bool) and m in log_y):
                ax.set_yscale("log")
        for ax in list(ax_grid.flat)[len(metrics):]:
            ax.set_visible(False)
        handles, texts = ax_grid.flat[0].get_legend_handles_labels()
        handles.append(band_handle(center, n_seeds))
        texts.append(handles[-1].get_label())
        if draw_seeds and n_seeds > 1:
            handles.append(Line2D([], [], color="0.5", lw=0.6, alpha=0.6))
            texts.append("thin lines: one seed each")
        fig.legend(handles, texts, loc="outside lower center", ncols=min(3 if ncols > 1 else 2, len(texts)))
        if title:
            suptitle(fig, title)
    return fig


def readable(name: str, labels: dict[str, str] | None = None) -> str:
    """A readable label for a metric name or config path: the table's entry, else the name itself (a config
    path loses its section: ``data.tau`` → ``tau``)."""
    if labels and name in labels:
        return labels[name]
    return name.split(".")[-1] if "." in name else name


def sweep_plot(df, axis: str, metrics: dict[str, str], *, title: str, ylabel: str, path=None,
               xlabel: str | None = None, log_x: bool = False,
               theory: dict[str, tuple] | None = None, caption: str | None = None) -> Figure:
    """Final-step values of each metric against one swept config column: every seed as a small dot, the seed
    mean with its 95% t-interval as a marker and error bar, one colour per metric.

    ``df`` holds tidy records (``seed, step, metric, value`` and the ``axis`` column); ``metrics`` maps
    metric names to legend labels; ``theory`` maps a legend label to ``(x, y)`` drawn as black lines (the
    theory the metrics should follow).
    """
    last = df[df.step == df.groupby("lane").step.transform("max")]
    markers = "os^v*D"
    with style():
        fig, axes = new_figure(figsize=SINGLE)
        ax = axes[0, 0]
        for j, (label, (x, y)) in enumerate((theory or {}).items()):
            ax.plot(np.asarray(x, float), np.asarray(y, float), color=THEORY_COLOR, lw=1.3,
                    linestyle=("-", "--", ":", "-.")[j % 4], label=label, zorder=2)
        n_seeds = 0
        for i, (m, label) in enumerate(metrics.items()):
            sub = last[last.metric == m]
            xs = sorted(sub[axis].unique())
            means, halves = [], []
            for x in xs:
                v = sub[sub[axis] == x].value.to_numpy(float)
                mean, half, n = mean_ci(v)
                means.append(float(mean))
                halves.append(float(half))
                n_seeds = max(n_seeds, int(n))
                ax.plot(np.full(v.size, float(x)), v, ".", color=f"C{i}", ms=3, alpha=0.45, zorder=3)
            ax.errorbar(np.asarray(xs, float), means, yerr=halves, marker=markers[i % len(markers)], color=f"C{i}",
                        capsize=3, linestyle="none", zorder=4, label=f"{label}: seed mean")
        ax.plot([], [], ".", color="0.4", label=f"dots: seeds; bars: {ci_note(n_seeds)}")
        ax.set_xlabel(xlabel or axis)
        ax.set_ylabel(ylabel)
        if log_x:
            ax.set_xscale("log")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
        suptitle(fig, title)
        if caption:
            set_caption(fig, caption)
    if path is not None:
        save(fig, path)
    return fig
