"""Tests for the Yang et al. 2024 figure module (sslab.report.yang2024_figures) and shared style."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sslab import plotting as F
from sslab.papers.yang2024 import figures as yf

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SETTING = "SSL, condition 0, isotropic noise"


def make_records(n_seeds=3, n_steps=50, model="yang_ssl", flipped=(), noise="isotropic", tau=7.0, rng_seed=0):
    """Synthetic tidy records: w11 -> +3.8, w21 -> -3.8, w_k2 -> 1.52 with seed offsets; lanes in
    `flipped` have their neuron labels swapped (final w11 < 0)."""
    rng = np.random.default_rng(rng_seed)
    steps = np.arange(n_steps)
    rows = []
    for lane in range(n_seeds):
        seed = 100 + lane
        decay = np.exp(-steps / max(n_steps / 5, 1))
        off = 0.05 * rng.standard_normal(4)
        w = {
            "w11": 3.8 + off[0] - 0.6 * decay,
            "w21": -3.8 + off[1] + 0.6 * decay,
            "w12": (1.52 if model == "yang_ssl" else 0.0) + off[2] - 0.3 * decay,
            "w22": (1.52 if model == "yang_ssl" else 0.0) + off[3] - 0.25 * decay,
        }
        if lane in flipped:
            w = {"w11": w["w21"], "w21": w["w11"], "w12": w["w22"], "w22": w["w12"]}
        m = dict(w)
        m["b1"], m["b2"] = tau * w["w12"], tau * w["w22"]
        m["r1"] = np.abs(w["w12"]) / np.hypot(w["w11"], w["w12"])
        m["r2"] = np.abs(w["w22"]) / np.hypot(w["w21"], w["w22"])
        m["cos"] = -0.7 + 0 * steps
        m["Pe1"] = 0.95 + 0.03 * rng.random() - 0.1 * decay
        m["Pe2"] = 0.8 + 0.1 * rng.random() - 0.1 * decay
        m["condA"] = 3.0 + 0 * steps
        if model == "yang_sl":
            m["F1"] = -5.0 + 0 * steps if lane not in flipped else 5.0 + 0 * steps
            m["F2"] = -m["F1"]
            m["acc"] = 1.0 + 0 * steps
        for name, vals in m.items():
            for s, v in zip(steps, vals):
                rows.append((f"run{model}", lane, seed, int(s), name, float(v)))
        for s in steps[1:]:
            rows.append((f"run{model}", lane, seed, int(s), "loss", float(-1 + decay[s])))
    df = pd.DataFrame(rows, columns=["run", "lane", "seed", "step", "metric", "value"])
    df["data.tau"] = tau
    df["data.n"] = 100
    df["data.noise"] = noise
    df["model.name"] = model
    if model == "yang_ssl":
        df["init.condition"] = 0
    return df


def _check_png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_MAGIC)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # atomic write left nothing


def _check_axes_labelled(fig):
    for ax in fig.axes:
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip()


def _title(fig):
    return fig.get_suptitle()


# ---------------------------------------------------------------------------------------------- seed_band


def test_seed_band_matches_formula():
    vals = np.array([[1.0, 2.0, 0.0, 5.0],
                     [3.0, 2.0, 4.0, 5.0],
                     [8.0, 2.0, 2.0, 6.0]])  # 3 seeds x 4 steps
    mean, half = yf.seed_band(vals)
    np.testing.assert_allclose(mean, vals.mean(axis=0))
    np.testing.assert_allclose(half, 1.96 * vals.std(axis=0, ddof=0) / np.sqrt(3))
    # hand value for column 0: mean 4, population std sqrt(26/3)
    assert half[0] == pytest.approx(1.96 * np.sqrt(26 / 3) / np.sqrt(3))
    assert half[1] == 0.0


def test_seed_band_one_seed_and_nan():
    mean, half = yf.seed_band(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(mean, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(half, [0.0, 0.0, 0.0])
    mean, half = yf.seed_band(np.array([[1.0, np.nan], [3.0, 4.0]]))
    np.testing.assert_allclose(mean, [2.0, 4.0])
    np.testing.assert_allclose(half, [1.96 * 1.0 / np.sqrt(2), 0.0])


# ---------------------------------------------------------------------------------------------- figures


def test_learning_curves(tmp_path):
    df = make_records(3, 50)
    path = tmp_path / "lc.png"
    fig = yf.learning_curves(df, SETTING, path=path)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    _check_axes_labelled(fig)
    assert "Yang" in _title(fig) and SETTING in _title(fig) and "3" in _title(fig)
    assert all(ax.get_legend() is not None for ax in fig.axes)
    assert "GD step" in fig.axes[0].get_xlabel()
    _check_png(path)
    # plotted mean and band equal seed_band of the trajectories
    steps, vals = yf.trajectories(df, "w11")
    mean, half = yf.seed_band(vals)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), steps)
    np.testing.assert_allclose(line.get_ydata(), mean)
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx((mean - half).min())
    assert band.max() == pytest.approx((mean + half).max())
    w11 = df[df.metric == "w11"].pivot(index="step", columns="lane", values="value").to_numpy().T
    np.testing.assert_allclose(half, 1.96 * w11.std(axis=0, ddof=0) / np.sqrt(3))


def test_final_scatter(tmp_path):
    df = make_records(3, 50)
    path = tmp_path / "sc.png"
    fig = yf.final_scatter(df, SETTING, path=path, theory={"a_star": 3.816, "b_star": 10.639, "tau": 7.0})
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    _check_axes_labelled(fig)
    assert "e_1" in ax.get_xlabel() and "e_2" in ax.get_ylabel()
    assert "Yang" in _title(fig)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and "minimiser" in labels[2]
    fin = df[df.step == 49].pivot(index="lane", columns="metric", values="value")
    n1, n2, th = ax.collections[:3]
    np.testing.assert_allclose(n1.get_offsets(), fin[["w11", "w12"]].to_numpy())
    np.testing.assert_allclose(n2.get_offsets(), fin[["w21", "w22"]].to_numpy())
    np.testing.assert_allclose(th.get_offsets(), [[3.816, 10.639 / 7], [-3.816, 10.639 / 7]])
    _check_png(path)
    fig2 = yf.final_scatter(df, SETTING)  # no theory: two series
    assert len(fig2.axes[0].get_legend().get_texts()) == 2


def test_projection_histograms(tmp_path):
    df = make_records(3, 50)
    path = tmp_path / "h.png"
    fig = yf.projection_histograms(df, SETTING, path=path)
    assert len(fig.axes) == 2
    _check_axes_labelled(fig)
    assert "Yang" in _title(fig)
    for ax, col in zip(fig.axes, ("Pe1", "Pe2")):
        assert len(ax.patches) == 8
        heights = [p.get_height() for p in ax.patches]
        assert sum(heights) == 3
    _check_png(path)


def _tau_table(std=0.1):
    taus = np.array([3.0, 5.0, 7.0, 9.0, 11.0])
    a, b = 3.0 + 0.1 * taus, 1.5 * taus
    return pd.DataFrame(dict(tau=taus, a_star=a, b_star=b, w11_mean=a + 0.05, w11_std=std, w21_mean=-a,
                             w21_std=std, b1_mean=b + 0.1, b1_std=std, b2_mean=b - 0.1, b2_std=std))


def test_tau_sweep(tmp_path):
    path = tmp_path / "tau.png"
    fig = yf.tau_sweep(_tau_table(), path=path)
    assert len(fig.axes) == 2
    _check_axes_labelled(fig)
    assert "tau" in fig.axes[0].get_xlabel()
    assert "Yang" in _title(fig)
    assert len(fig.axes[0].get_legend().get_texts()) == 4  # a*, -a*, w11, w21
    assert len(fig.axes[1].get_legend().get_texts()) == 3  # b*, b1, b2
    _check_png(path)
    yf.tau_sweep(_tau_table(std=np.nan))  # std undefined (one seed, ddof=1): drawn without bars


def _std_table(single_seed=False):
    rows = []
    for noise, c in (("isotropic", 1.0), ("scalar", 1.4)):
        for n in (100, 1000, 10000):
            s = 0.0 if single_seed else c * 0.5 / np.sqrt(n)
            rows.append(dict(n=n, noise=noise, w11_std=s, w21_std=0.9 * s))
    return pd.DataFrame(rows)


def test_std_vs_n(tmp_path):
    path = tmp_path / "std.png"
    fig = yf.std_vs_n(_std_table(), path=path)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    _check_axes_labelled(fig)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "Yang" in _title(fig)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 5 and "n^{-1/2}" in labels[-1]
    ref = ax.get_lines()[-1]
    x, y = ref.get_xdata(), ref.get_ydata()
    slope = np.polyfit(np.log(x), np.log(y), 1)[0]
    assert slope == pytest.approx(-0.5)
    _check_png(path)
    yf.std_vs_n(_std_table(single_seed=True), path=tmp_path / "std0.png")  # zero stds: no crash
    _check_png(tmp_path / "std0.png")


def test_single_seed_everywhere(tmp_path):
    df = make_records(1, 10)
    fig = yf.learning_curves(df, SETTING, path=tmp_path / "a.png")
    assert "(1\u00a0seed)" in _title(fig)
    for line in fig.axes[0].get_lines():
        assert np.isfinite(line.get_ydata()).all()
    yf.final_scatter(df, SETTING, path=tmp_path / "b.png")
    fig = yf.projection_histograms(df, SETTING, path=tmp_path / "c.png")
    assert sum(p.get_height() for p in fig.axes[0].patches) == 1
    for name in "abc":
        _check_png(tmp_path / f"{name}.png")


# ---------------------------------------------------------------------------------------------- align_sl


def test_align_sl_swaps_exactly_flipped_lanes():
    df = make_records(5, 20, model="yang_sl", flipped=(1, 3))
    before = df.copy()
    aligned, permuted = yf.align_sl(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert permuted == [101, 103]  # seeds of lanes 1 and 3
    assert len(aligned) == len(df)

    def wide(d, lane):
        return d[d.lane == lane].pivot(index="step", columns="metric", values="value")

    for lane in range(5):
        a, o = wide(aligned, lane), wide(df, lane)
        if lane in (1, 3):
            for x, y in yf.NEURON_SWAP.items():
                np.testing.assert_array_equal(a[x].to_numpy(), o[y].to_numpy())
        else:
            pd.testing.assert_frame_equal(a, o)
        for m in ("cos", "Pe1", "Pe2", "condA", "acc"):
            np.testing.assert_array_equal(a[m].to_numpy(), o[m].to_numpy())
        np.testing.assert_array_equal(a["loss"].to_numpy(), o["loss"].to_numpy())
        fin = a.iloc[-1]
        assert fin["w11"] > 0 > fin["w21"] and fin["F1"] < 0 < fin["F2"]
    again, none = yf.align_sl(aligned)
    assert none == []
    pd.testing.assert_frame_equal(again, aligned)


def test_align_sl_uses_final_step_only():
    df = make_records(2, 20, model="yang_sl")
    # lane 0: w11 negative early but positive at the end -> not permuted
    mask = (df.lane == 0) & (df.metric == "w11") & (df.step < 5)
    df.loc[mask, "value"] = -1.0
    _, permuted = yf.align_sl(df)
    assert permuted == []


def test_render_setting_sl(tmp_path):
    df = make_records(4, 20, model="yang_sl", flipped=(2,))
    out = yf.render_setting(df, tmp_path, "sl")
    assert set(out) == {"learning_curves_raw", "learning_curves", "final_scatter", "projection_histograms"}
    for p in out.values():
        _check_png(p)


def test_describe_setting():
    assert yf.describe_setting(make_records(2, 3)) == SETTING
    assert yf.describe_setting(make_records(2, 3, model="yang_sl", noise="scalar")) == "SL, scalar noise"


def test_style_does_not_leak_and_save_atomic(tmp_path):
    import matplotlib
    before = matplotlib.rcParams["axes.grid"]
    with F.style():
        fig, axes = F.new_figure(1, 2)
        assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["axes.grid"] == before
    assert axes.shape == (1, 2)
    axes[0, 0].plot([0, 1], [0, 1])
    out = F.save(fig, tmp_path / "sub" / "x.png")
    _check_png(out)
    assert F.NEURON_COLORS[1] == F.NEURON1_COLOR and F.NEURON_COLORS[2] == F.NEURON2_COLOR


def test_wrap_keeps_mathtext_whole():
    text = "Yang et al. 2024 — projections onto span$(w_1, w_2)$: a long setting description here"
    for line in F.wrap(text, 30).split("\n"):
        assert line.count("$") % 2 == 0
