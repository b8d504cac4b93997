"""Figure helpers (sslab.plotting) and the figures built on them: output formats, captions in the files, the 95%
t-interval and IQR over seeds, Results.plot's labels and titles, the report figures' seeds and error bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from sslab import plotting as P


def _fig():
    f = Figure()
    f.add_subplot().plot([0, 1], [1, 0])
    return f


# --- formats and captions -------------------------------------------------------------------------

def test_figure_path_follows_the_default_format_and_keeps_explicit_vector_names(tmp_path):
    assert P.figure_path(tmp_path / "a.png") == tmp_path / "a.png"
    assert P.figure_path(tmp_path / "a.pdf") == tmp_path / "a.pdf"  # an explicit vector name is kept
    assert P.figure_path(tmp_path / "a.png", "svg") == tmp_path / "a.svg"
    with P.using_format("svg"):
        assert P.figure_format() == "svg" and P.figure_path(tmp_path / "a.png") == tmp_path / "a.svg"
    assert P.figure_format() == "png"
    with pytest.raises(ValueError, match="valid choices: png, svg, pdf"):
        P.set_figure_format("jpg")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_save_writes_the_format_and_the_caption(fmt, tmp_path):
    text = "Theory: $a^*(\\tau)$ <b> & 1 − δ. Measured: τ = 5."
    out = P.save(P.set_caption(_fig(), text), tmp_path / "f.png", format=fmt)
    assert out == tmp_path / f"f.{fmt}" and out.stat().st_size > 1000
    assert P.read_caption(out) == "Theory: a*(τ) <b> & 1 − δ. Measured: τ = 5."  # mathtext made plain
    if fmt == "pdf":
        assert (tmp_path / "f.png").exists()  # the preview the HTML pages show
        assert P.figure_files(tmp_path) == [out]  # listed once, as the PDF
    assert not list(tmp_path.glob(".*.tmp"))


def test_plain_turns_mathtext_into_text():
    assert P.plain(r"$w_1\cdot e_1$ and $\|P e_{2}\|$, $\tilde L$") == "w1·e1 and ‖Pe2‖, L̃"


# --- statistics over seeds ------------------------------------------------------------------------

def test_mean_ci_is_the_t_interval_of_the_mean():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 7))
    a[2, 3] = np.nan  # one missing seed in one column
    mean, half, n = P.mean_ci(a)
    for j in range(a.shape[1]):
        v = a[:, j][np.isfinite(a[:, j])]
        assert n[j] == v.size and mean[j] == pytest.approx(v.mean())
        assert half[j] == pytest.approx(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    assert P.mean_ci([[1.0, 2.0]])[1].tolist() == [0.0, 0.0]  # one seed: no interval


def test_median_iqr():
    med, lo, hi = P.median_iqr(np.arange(1.0, 10.0))
    assert (med, lo, hi) == (5.0, 3.0, 7.0)


def _records(n_seeds=3, settings=(3.0, 5.0), metrics=("w11", "Pe2")):
    rows = []
    lane = 0
    for tau in settings:
        for seed in range(n_seeds):
            for step in (0, 50, 100):
                for m in metrics:
                    rows.append((lane, seed, step, m, tau + seed * 0.1 + step / 100, tau))
            lane += 1
    return pd.DataFrame(rows, columns=["lane", "seed", "step", "metric", "value", "data.tau"])


def test_curves_figure_draws_one_colour_per_setting_and_says_what_the_band_is():
    labels = {"w11": r"$w_1\cdot e_1$", "data.tau": r"$\tau$"}
    fig = P.curves_figure(_records(), ["w11", "Pe2"], axes=["data.tau"], labels=labels, title="T")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:2] == [r"$\tau$ = 3", r"$\tau$ = 5"]
    assert any("95% CI of the mean over 3 seeds" in t for t in texts) and any("one seed" in t for t in texts)
    assert fig.axes[0].get_ylabel() == labels["w11"] and fig.axes[1].get_ylabel() == "Pe2"
    med = P.curves_figure(_records(), ["w11"], axes=["data.tau"], center="median")
    assert any("median and IQR over 3 seeds" in t.get_text() for t in med.legends[0].get_texts())


def test_results_plot_has_readable_labels_and_no_run_hash(tmp_path):
    import sslab
    res = sslab.run("yang2024", ["seed=0:2", "data.tau=5,7", "train.steps=100", "train.log_every=50"], store=tmp_path,
                    figures=False)
    fig = res.plot(["Pe1", "w11"])
    title = fig.get_suptitle()
    assert res.run_id not in title and "Yang et al. 2024" in title and "SSL" in title
    assert fig.axes[0].get_ylabel() != "Pe1" and "P e_1" in fig.axes[0].get_ylabel()
    assert "95%" in P.caption_of(fig)


# --- report figures: seeds and error bars ---------------------------------------------------------

def test_tian_bars_show_every_seed_and_a_t_interval():
    from sslab.papers.tian2022.figures import loc_by_setting
    table = {"relu+BN": ([0.9, 0.95, 0.99], [0.1, 0.05, 0.0]), "linear+BN": ([0.5, 0.6, 0.55], [0.3, 0.35, 0.4])}
    fig = loc_by_setting(table, "test")
    ax = fig.axes[0]
    dots = [ln for ln in ax.lines if ln.get_marker() == "." and len(ln.get_xdata()) == 3]
    assert len(dots) == 4  # 2 settings × 2 scores, 3 seeds each
    bars = [c for c in ax.containers if hasattr(c, "has_yerr") and c.has_yerr]
    v = np.array(table["relu+BN"][0])
    half = stats.t.ppf(0.975, 2) * v.std(ddof=1) / np.sqrt(3)
    seg = bars[0].lines[2][0].get_segments()[0]  # the first bar: relu+BN loc_all
    assert seg[1][1] - seg[0][1] == pytest.approx(2 * half)
    assert "95%" in P.caption_of(fig) and "Prediction" in P.caption_of(fig)


def test_bansal_grid_is_four_small_panels_with_confidence_bars():
    from sslab.papers.bansal2024.figures import GRID_AXES, grid_errors
    rows = []
    for axis, _, _ in GRID_AXES:
        for v in (1.0, 10.0, 100.0):
            for m, e in (("InfoNCE", 0.03), ("PCA", 0.9), ("closed form", 1e-15)):
                rows.append({"axis": axis, "value": v, "method": m, "seeds": 5, "err_mean": e, "err_std": e / 4})
    fig = grid_errors(pd.DataFrame(rows))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4 and all(ax.get_yscale() == "log" and ax.get_xlabel() for ax in axes)
    for ax in axes:
        bars = [c for c in ax.containers if c.has_yerr]
        assert len(bars) == 3  # one line with 95% CI bars per method
    legend = fig.legends[0]
    assert "95% t-intervals over 5 seeds" in legend.get_title().get_text()
    assert "Theory" in P.caption_of(fig)
