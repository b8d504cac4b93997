"""The engine problem against a naive NumPy GD loop written here (float64), the pair and kernel forms, α as a
lane field, and each run's figures (spec §3–§4, §8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sslab
from sslab.config import ConfigError, lane_paths
from sslab_simon2023 import measure as ms
from sslab_simon2023.data import contrastive_kernel, eigenmodes, initial_direction, sample_pairs
from sslab_simon2023.experiment import EXPERIMENT, base


def naive_gd(seed: int, alpha: float, lr: float, steps: int, d: int = 4):
    """W ← W − η·4(C − I)WΓ with C = (1/2n)Σ_i (Wx_i)(Wx'_i)ᵀ + transpose, entry by entry from the pairs."""
    cfg = base()
    X1, X2 = sample_pairs(seed, cfg.data)
    n = X1.shape[0]
    W = alpha * initial_direction(seed, d, X1.shape[1])
    Gamma = sum(np.outer(X1[i], X2[i]) + np.outer(X2[i], X1[i]) for i in range(n)) / (2 * n)
    lams = []
    for _ in range(steps):
        Z1, Z2 = X1 @ W.T, X2 @ W.T
        C = (Z1.T @ Z2 + Z2.T @ Z1) / (2 * n)
        lams.append(np.sort(np.linalg.eigvalsh(C))[::-1])
        W = W - lr * 4.0 * (C - np.eye(d)) @ W @ Gamma
    return W, np.array(lams)


def final_W(res):
    return {int(s): W for s, W in zip(res.records.drop_duplicates("lane").set_index("lane").loc[res.params["lane"], "seed"],
                                      res.params["W"])}


@pytest.mark.parametrize("form", ["kernel", "pairs"])
def test_engine_gd_equals_a_naive_loop(form, paper, tmp_path):
    """Both loss forms, float64: the engine's trajectory is the naive loop's to rounding."""
    res = sslab.run("simon2023", ["seed=0:2", "train.lane_block=2", "train.steps=400", "train.log_every=100",
                                  "train.dtype=float64", "model.init_scale=0.05", f"loss.form={form}"],
                    store=tmp_path, figures=False)
    W = final_W(res)
    tr = ms.trajectories(res.records, "lam", 4)
    for lane, (steps, lam) in tr.items():
        seed = int(res.records[res.records.lane == lane].seed.iloc[0])
        W_ref, lam_ref = naive_gd(seed, 0.05, 0.002, 400)
        np.testing.assert_allclose(W[seed], W_ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(lam[:-1], lam_ref[steps[:-1].astype(int)], rtol=1e-8, atol=1e-13)
    assert lam[-1, 0] > 10 * lam[0, 0]  # the run moved


def test_init_scale_is_a_lane_field_of_one_program(paper, tmp_path):
    """An α × seed sweep is one compiled program; each lane applies its own α (float32 vs the float64 loop)."""
    from sslab.engine.lanes import group_points

    plan = EXPERIMENT.plan(["model.init_scale=1e-3,0.05", "seed=0:2", "train.steps=200", "train.log_every=200",
                            "train.lane_block=4"])
    assert "model.init_scale" in lane_paths(plan.base) and len(group_points(plan.points())) == 1
    res = sslab.run("simon2023", ["model.init_scale=1e-3,0.05", "seed=0:2", "train.steps=200",
                                  "train.log_every=200", "train.lane_block=4"], store=tmp_path, figures=False)
    lt = ms.lane_table(res.records)
    for lane, W in zip(res.params["lane"], res.params["W"]):
        seed, alpha = int(lt.loc[lane, "seed"]), float(lt.loc[lane, "model.init_scale"])
        W_ref, _ = naive_gd(seed, alpha, 0.002, 200)
        np.testing.assert_allclose(W, W_ref, rtol=2e-4, atol=1e-7 * alpha)


def test_logged_metrics_are_what_they_say(paper, tmp_path):
    res = sslab.run("simon2023", ["seed=3", "train.lane_block=1", "train.steps=300", "train.log_every=300",
                                  "model.init_scale=0.1"], store=tmp_path, figures=False)
    cfg = base()
    X1, X2 = sample_pairs(3, cfg.data)
    G = contrastive_kernel(X1, X2)
    g, V = eigenmodes(G)
    W = res.params["W"][0].astype(float)
    C = W @ G @ W.T
    last = res.records[res.records.step == 300].set_index("metric").value
    np.testing.assert_allclose([last[f"lam{j}"] for j in range(1, 5)], np.linalg.eigvalsh(C)[::-1], rtol=1e-4)
    np.testing.assert_allclose([last[f"q{j}"] for j in range(1, 5)], g[:4] * np.sum((W @ V[:, :4]) ** 2, 0), rtol=1e-4)
    assert last["L_bt"] == pytest.approx(np.sum((C - np.eye(4)) ** 2), rel=1e-4)


def test_aligned_initialisation_starts_on_the_eigenvectors(paper, tmp_path):
    res = sslab.run("simon2023", ["seed=1", "train.lane_block=1", "train.steps=10", "train.log_every=10",
                                  "model.init=aligned", "model.init_scale=0.01", "train.dtype=float64"],
                    store=tmp_path, figures=False)
    g, V = eigenmodes(contrastive_kernel(*sample_pairs(1, base().data)))
    q0 = res.records[(res.records.step == 0) & res.records.metric.str.startswith("q")].sort_values("metric").value
    np.testing.assert_allclose(q0, g[:4] * 1e-4, rtol=1e-10)  # q_j(0) = γ_j α²


@pytest.mark.parametrize("method", ["simclr", "vicreg"])
def test_other_losses_run_finite(method, paper, tmp_path):
    res = sslab.run("simon2023", [f"method={method}", "seed=0:2", "train.lane_block=2", "train.steps=40",
                                  "train.log_every=20"], store=tmp_path, figures=False)
    v = res.records.value.to_numpy()
    assert np.all(np.isfinite(v)) and res.records[res.records.metric == "diverged_at"].value.max() < 0


def test_bad_overrides_are_one_line_errors(paper):
    with pytest.raises(ConfigError, match="data.k"):
        EXPERIMENT.plan(["data.k=20"])
    with pytest.raises(ConfigError, match="model.init_scale"):
        EXPERIMENT.plan(["model.init_scale=0"])
    with pytest.raises(ConfigError, match="method"):
        EXPERIMENT.plan(["method=byol"])


def test_run_figures_are_written(paper, tmp_path):
    """`sslab run` draws each run's figures: trajectories with the closed form, the α phase figure, SimCLR."""
    runs = [["seed=0:2", "train.lane_block=2", "train.steps=1500", "train.log_every=50", "model.init_scale=0.01"],
            ["model.init_scale=1e-4,1e-2,1", "seed=0:2", "train.lane_block=6", "train.steps=2000",
             "train.log_every=50"],
            ["method=simclr", "seed=0:2", "train.lane_block=2", "train.steps=40", "train.log_every=20"]]
    names = []
    for overrides in runs:
        res = sslab.run("simon2023", overrides, store=tmp_path, figures=True)
        assert res.figures, overrides
        names += [Path(f).name for f in res.figures]
        assert all(Path(f).stat().st_size > 10_000 for f in res.figures)
    assert names == ["simon2023_stepwise_random.png", "simon2023_phase.png", "simon2023_simclr.png"]
