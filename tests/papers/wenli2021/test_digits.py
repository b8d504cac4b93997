"""Wen & Li 2021 digits analogue (spec §10): end-to-end run, shared randomness, masking changes W, config errors."""

from __future__ import annotations

import numpy as np
import pytest

from sslab.api import run
from sslab.config import ConfigError, static_key
from sslab.papers.wenli2021 import digits as ex

SMALL = ["train.steps=20", "train.log_every=10", "train.batch_size=32", "model.m=16", "seed=0",
         "data.nu=0,1", "data.augment=1,0", "train.lane_block=4"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return run("wenli2021_digits", SMALL, store=tmp_path_factory.mktemp("wld"), figures=True)


def test_default_plan_is_the_spec_sweep():
    plan = ex.EXPERIMENT.plan([])
    b = plan.base
    assert (b.model.m, b.train.batch_size, b.train.steps, b.optim.lr, b.loss.weight_decay) == (128, 256, 3000, 0.5, 1e-3)
    assert plan.axes["data.nu"] == [0.0, 0.5, 1.0, 2.0] and plan.axes["data.augment"] == [1.0, 0.0]
    assert plan.size() == 40 and len({static_key(p) for p in plan.points()}) == 1


def test_inputs_follow_spec():
    cfg = ex.EXPERIMENT.plan(["data.nu=1", "data.augment=1"]).points()[0]
    h = ex.inputs(0, cfg.data)
    assert h["X_tr"].shape == (1198, 64) and h["X_te"].shape == (599, 64) and h["U"].shape == (64, 20)
    s = ex.split(0)
    assert np.allclose(s["x_tr"].mean(0), 0.0, atol=1e-12)
    # E‖ξ‖/E‖x_clean‖ ≈ ν on the training images
    ratio = np.linalg.norm(h["X_tr"] - s["x_tr"], axis=1).mean() / np.linalg.norm(s["x_tr"], axis=1).mean()
    assert ratio == pytest.approx(1.0, rel=0.05)
    assert np.allclose(ex.inputs(0, ex.DigitsData(nu=0.0))["X_tr"], s["x_tr"])


def test_run_records_and_figures(small):
    df = small.records
    assert {"rho_dig_median", "wnorm_median", "loss", "diverged_at"} <= set(df.metric)
    assert set(df.step.unique()) == {0, 10, 20} and df.lane.nunique() == 4
    assert (df[df.metric == "diverged_at"].value < 0).all()
    assert len(small.figures) == 2 and all("wenli2021_digits" in f for f in small.figures)
    ev = ex.evaluations(small)
    assert len(ev) == 4 and all(0.0 <= e["acc"] <= 1.0 and 0.0 <= e["rho_dig_median"] <= 1.0 for e in ev)


def test_masking_changes_representation_same_start(small):
    lanes = small.lanes()
    df = small.records
    for nu in (0.0, 1.0):
        sel = lanes[np.isclose(lanes["data.nu"].astype(float), nu)]
        mask = int(sel.index[np.isclose(sel["data.augment"].astype(float), 1.0)][0])
        none = int(sel.index[np.isclose(sel["data.augment"].astype(float), 0.0)][0])
        w0 = df[(df.step == 0) & (df.metric == "wnorm_median")].set_index("lane").value
        assert w0[mask] == w0[none]  # same W⁽⁰⁾ for both view modes
        Wm, Wn = ex.final_weights(small, mask), ex.final_weights(small, none)
        assert np.abs(Wm - Wn).max() > 1e-3
        cfg = ex.lane_config(small, mask)
        h = ex.inputs(cfg.seed, cfg.data)
        Fm = ex.features(Wm, h["X_te"], 2.5, h["sigma_eff"])
        Fn = ex.features(Wn, h["X_te"], 2.5, h["sigma_eff"])
        assert not np.allclose(Fm, Fn)


@pytest.mark.parametrize("override, key", [
    (["train.batch=online"], "train.batch"),
    (["optim.name=adam"], "optim.name"),
])
def test_problem_config_errors(override, key):
    with pytest.raises(ConfigError, match=key) as e:
        ex.problem(ex.EXPERIMENT.plan(override).points()[0])
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("override, key", [
    ("data.nu=-1", "data.nu"),
    ("data.augment=0.5", "data.augment"),
    ("data.n_pc=65", "data.n_pc"),
    ("data.bogus=1", "data.bogus"),
])
def test_plan_config_errors(override, key):
    with pytest.raises(ConfigError, match=key) as e:
        ex.EXPERIMENT.plan([override])
    assert "\n" not in str(e.value)


def test_claims_report_rows(small, monkeypatch):
    from sslab.papers.wenli2021 import digits_claims as cw
    from sslab.check import Context
    from sslab.papers.paper import REPORT

    monkeypatch.setattr(cw, "_size", lambda ctx: SMALL)
    ctx = Context(store=small.handle.path.parent, size="quick")
    assert ctx.run("wenli2021_digits", SMALL).run_id == small.run_id  # the stored run, not a new one
    rows = cw.claim_p(ctx) + cw.claim_r(ctx)
    assert rows and all(r.verdict == REPORT for r in rows)
    assert {r.group for r in rows} >= {"ν=0", "ν=1"}
    assert isinstance(cw.TITLE, str) and "digits" in cw.TITLE and len(cw.SUMMARY) > 200
