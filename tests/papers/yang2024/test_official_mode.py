"""C11: official mode through the engine reproduces the per-point-loop float64 reference (spec §4, §7)."""

from __future__ import annotations

import numpy as np
import pytest

from sslab.papers.yang2024.experiment import EXPERIMENT
from sslab.papers.yang2024.official import sl_loop, ssl_loop
from sslab.engine import run_lanes

T = 50
SEEDS = [0, 1, 2]
TOL = 1e-10


def run(*overrides):
    plan = EXPERIMENT.plan(["mode=official", "seed=0:3", f"train.steps={T}", "train.log_every=1", *overrides])
    pts = plan.points()
    assert [c.seed for c in pts] == SEEDS
    c = pts[0]
    assert c.train.dtype == "float64" and c.train.reduction == "sum" and c.optim.lr == 1e-3
    assert c.data.noise == "scalar" and c.data.rng == "official"
    res = run_lanes(pts, EXPERIMENT.problem)
    assert np.all(res.diverged_at == -1)
    np.testing.assert_array_equal(res.steps, np.arange(T + 1))
    return res


def w_traces(res, i):
    """Per-step (T+1, 2, 2) block of W from the logged w11, w12, w21, w22."""
    m = res.metrics
    return np.stack([np.stack([m["w11"][i], m["w12"][i]], -1), np.stack([m["w21"][i], m["w22"][i]], -1)], 1)


@pytest.mark.parametrize("condition", [0, 1])
def test_official_ssl_matches_reference(condition):
    res = run(f"model.condition={condition}")
    assert res.params["W"].dtype == np.float64
    for i, seed in enumerate(SEEDS):
        ref = ssl_loop(seed, condition=condition, T=T)
        assert ref.shape == (T + 1, 2, 10)
        np.testing.assert_array_equal(w_traces(res, i)[0], ref[0, :, :2])  # identical initialisation
        err_final = np.abs(res.params["W"][i] - ref[-1]).max()
        err_trace = np.abs(w_traces(res, i) - ref[:, :, :2]).max()
        assert err_final < TOL and err_trace < TOL, (seed, err_final, err_trace)
        assert np.abs(ref[-1] - ref[0]).max() > 1e-3  # the 50 steps moved W


def test_official_sl_matches_reference():
    res = run("method=sl")
    assert res.params["W"].dtype == np.float64 and res.params["F"].dtype == np.float64
    for i, seed in enumerate(SEEDS):
        W_ref, F_ref = sl_loop(seed, T=T)
        err_W = np.abs(res.params["W"][i] - W_ref[-1]).max()
        err_F = np.abs(res.params["F"][i] - F_ref[-1]).max()
        err_trace = np.abs(w_traces(res, i) - W_ref[:, :, :2]).max()
        F_trace = np.stack([res.metrics["F1"][i], res.metrics["F2"][i]], -1)
        err_F_trace = np.abs(F_trace - F_ref).max()
        assert max(err_W, err_F, err_trace, err_F_trace) < TOL, (seed, err_W, err_F, err_trace, err_F_trace)
        assert np.abs(W_ref[-1] - W_ref[0]).max() > 1e-3


def test_official_mode_seeds_differ():
    res = run()
    assert not np.array_equal(res.params["W"][0], res.params["W"][1])


# --- official mode's η follows n (spec §4: η·n = 0.1, the same update as lr 0.1 on the mean loss) ---------

@pytest.mark.parametrize("n, eta", [(100, 1e-3), (1000, 1e-4), (400, 2.5e-4)])
def test_official_eta_is_derived_from_n(n, eta):
    for method in ("ssl", "sl"):
        c = EXPERIMENT.plan(["mode=official", f"method={method}", f"data.n={n}", "seed=0"]).points()[0]
        assert c.optim.lr == pytest.approx(eta, rel=1e-15) and c.optim.lr * n == pytest.approx(0.1, rel=1e-15)
    # paper mode keeps lr 0.1 on the mean loss at any n
    assert EXPERIMENT.plan([f"data.n={n}", "seed=0"]).points()[0].optim.lr == 0.1


def test_explicit_lr_wins_in_official_mode():
    c = EXPERIMENT.plan(["mode=official", "data.n=1000", "optim.lr=0.002", "seed=0"]).points()[0]
    assert c.optim.lr == 0.002
    cs = EXPERIMENT.plan(["mode=official", "data.n=100,1000", "seed=0"]).points()
    assert [(c.data.n, c.optim.lr) for c in cs] == [(100, 1e-3), (1000, 1e-4)]


def test_official_mode_at_n_1000_matches_reference_with_eta_0p1_over_n():
    """`mode=official data.n=1000` trains with η = 1e-4 (not 1e-3): the engine equals the per-point loop at η = 1e-4
    and differs from it at η = 1e-3."""
    T3, n = 3, 1000
    plan = EXPERIMENT.plan(["mode=official", f"data.n={n}", "seed=0", f"train.steps={T3}", "train.log_every=1"])
    res = run_lanes(plan.points(), EXPERIMENT.problem)
    ref = ssl_loop(0, T=T3, n=n, eta=0.1 / n)
    assert np.abs(res.params["W"][0] - ref[-1]).max() < TOL
    wrong = ssl_loop(0, T=T3, n=n, eta=1e-3)
    assert np.abs(res.params["W"][0] - wrong[-1]).max() > 1e-4
    plan = EXPERIMENT.plan(["mode=official", "method=sl", f"data.n={n}", "seed=0", f"train.steps={T3}"])
    res = run_lanes(plan.points(), EXPERIMENT.problem)
    W_ref, F_ref = sl_loop(0, T=T3, n=n, eta=0.1 / n)
    assert max(np.abs(res.params["W"][0] - W_ref[-1]).max(), np.abs(res.params["F"][0] - F_ref[-1]).max()) < TOL
