"""Wen & Li 2021 experiment wiring: view modes as lanes of one program, shared randomness, host metrics."""

from __future__ import annotations

import numpy as np
import pytest

from sslab.api import run
from sslab.config import ConfigError, static_key
from sslab.papers.wenli2021 import experiment as ex
from sslab.papers.wenli2021 import metrics as met

SMALL = ["data.d=8", "train.steps=40", "train.log_every=20", "train.batch_size=32"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return run("wenli2021", SMALL + ["seed=0:2", "data.augment=1,0"], store=tmp_path_factory.mktemp("wl"), figures=False)


def test_modes_share_one_program():
    plan = ex.EXPERIMENT.plan(["seed=0:5", "data.augment=1,0", "data.keep_prob=0.25,0.75"])
    keys = {static_key(p) for p in plan.points()}
    assert len(keys) == 1 and plan.size() == 20
    # the bits per mask entry are static: q = 1/2 (1 bit) and 1/4 (2 bits) compile apart unless data.mask_bits is set
    assert len({static_key(p) for p in ex.EXPERIMENT.plan(["data.keep_prob=0.25,0.5"]).points()}) == 2
    assert len({static_key(p) for p in ex.EXPERIMENT.plan(["data.keep_prob=0.25,0.5", "data.mask_bits=2"]).points()}) == 1


def test_views_preset_and_errors():
    base = ex.EXPERIMENT.plan(["views=independent"]).base
    assert (base.data.augment, base.data.independent) == (1.0, 1.0)
    assert ex.EXPERIMENT.plan(["views=none"]).base.data.augment == 0.0
    with pytest.raises(ConfigError, match="train.batch"):
        ex.problem(ex.EXPERIMENT.plan(["train.batch=full"]).points()[0])
    with pytest.raises(ConfigError, match="views"):
        ex.EXPERIMENT.plan(["views=mixup"])


def test_modes_share_init_and_host_metrics_match(small):
    df = small.records
    step0 = df[(df.step == 0) & (df.metric == "rho_median")]
    for seed in (0, 1):
        v = step0[step0.seed == seed].value.to_numpy()
        assert len(v) == 2 and v[0] == v[1]  # same M and W⁽⁰⁾ across view modes
    last = df[df.step == df.step.max()]
    for lane in small.lanes().index:
        cfg = ex.lane_config(small, int(lane))
        from sslab.papers.wenli2021.data import dictionary
        M = dictionary(cfg.seed, cfg.data.d, cfg.data.d1)
        W = ex.final_weights(small, int(lane))
        want = {k: float(v) for k, v in met.neuron_metrics(W, M).items()}
        got = last[last.lane == lane].set_index("metric").value
        for k, v in want.items():
            assert got[k] == pytest.approx(v, rel=1e-4, abs=1e-5), k


def test_evaluate_lane(small):
    ev = ex.evaluate_lane(small, 0, n_tr=400, n_te=200)
    assert ev["coverage"].shape == (8,) and ev["rho"].shape == (32,)
    assert np.isfinite(ev["r2"]) and np.isfinite(ev["r2_raw"]) and ev["r2_raw"] < 1


def test_learned_bias_and_cosine_run(tmp_path):
    r = run("wenli2021", SMALL + ["seed=0", "model.bias_rule=learned", "loss.similarity=cosine"],
            store=tmp_path, figures=True)
    assert (r.params["b"] >= 0).all()
    assert r.figures and r.figures[0].endswith("wenli2021_training.png")
