"""Composition (issue 11): every data × model × loss either builds and trains, or is rejected up front."""

from __future__ import annotations

import dataclasses
import itertools

import jax.numpy as jnp
import numpy as np
import pytest

from sslab.config import ConfigError
from sslab.compose import compose as C
from sslab.losses.zoo import VIEW_LOSSES
from sslab.engine import run_lanes

EXP = C.EXPERIMENT
# Tiny sizes so that every program compiles and runs in about a second.
SMALL = {"yang2024": ["data.d=4"], "wenli2021": ["data.d=4"], "bansal2024": ["data.d=6", "data.k=3"],
         "tian2022": ["data.num_tokens=6", "data.num_tokens_per_pos=2", "data.pattern_cnt=4", "data.num_loc=3",
                      "data.pattern_len=2", "data.aug_degree=1", "model.beta=1"]}
STEPS = ["train.steps=2", "train.log_every=1", "train.batch_size=8", "seed=0", "train.lane_block=1"]
MODEL_NAMES = tuple(C.encoders().names())
DATA_MODELS = C.data_models()
MODELS = ("auto",) + MODEL_NAMES
PRODUCT = list(itertools.product(DATA_MODELS.names(), MODELS, VIEW_LOSSES.names()))


def overrides(data, model, loss, *extra):
    return [f"data={data}", f"model={model}", f"loss={loss}", *SMALL[data], *STEPS, *extra]


def expected_conflict(data, model):
    """The only shape conflict among the defaults: Tian's per-RF net needs token/RF inputs."""
    return model == "tian_rf" and data != "tian2022"


def build_and_step(data, model, loss):
    plan = EXP.plan(overrides(data, model, loss))
    res = run_lanes(plan.points(), C.problem)
    assert np.all(np.isfinite(res.loss)), (data, model, loss, res.loss)
    assert res.diverged_at[0] == -1
    rec = res.metrics["recovery"]
    assert np.all((rec >= -1e-6) & (rec <= 1 + 1e-6)), (data, model, loss, rec)
    return res


def test_full_product_plans_or_is_rejected_with_a_named_conflict():
    """All data × model × loss at small sizes: a plan (checked config) or a one-line ConfigError naming the key."""
    for data, model, loss in PRODUCT:
        if expected_conflict(data, model):
            with pytest.raises(ConfigError) as e:
                EXP.plan(overrides(data, model, loss))
            msg = str(e.value)
            assert "model=tian_rf" in msg and "data=tian2022" in msg and "\n" not in msg
        else:
            plan = EXP.plan(overrides(data, model, loss))
            (cfg,) = plan.points()
            hyper = set(VIEW_LOSSES[loss].hyper) | ({"ema_m"} if VIEW_LOSSES[loss].target == "ema" else set())
            assert cfg.loss.name == loss and C.adapter(cfg.data.name).name == data
            assert {f.name for f in dataclasses.fields(cfg.loss)} == {"name"} | hyper


def _covering_subset():
    """Every fitting (data, model) pair once, cycling through the losses so every loss is trained at least once."""
    pairs = [(d, m) for d, m in itertools.product(DATA_MODELS.names(), MODEL_NAMES) if not expected_conflict(d, m)]
    losses = VIEW_LOSSES.names()
    n = max(len(pairs), len(losses))
    return [(*pairs[i % len(pairs)], losses[i % len(losses)]) for i in range(n)]


def _one_per_data():
    """Fast version: one combination per data model, each with a different encoder and loss."""
    seen, out = set(), []
    for d, m, loss in _covering_subset()[::-1]:
        if d not in seen and m not in {x[1] for x in out}:
            seen.add(d)
            out.append((d, m, loss))
    return out


@pytest.mark.parametrize("data,model,loss", _one_per_data())
def test_one_combination_per_data_model_takes_steps_with_finite_loss(data, model, loss):
    res = build_and_step(data, model, loss)
    assert {"diag_rankme", "diag_collapse_std", "diag_cov_eig0"} <= set(res.metrics)
    if VIEW_LOSSES[loss].contrastive:
        assert "diag_calpha_eig0" in res.metrics


@pytest.mark.slow
@pytest.mark.parametrize("data,model,loss", _covering_subset())
def test_covering_subset_takes_steps_with_finite_loss(data, model, loss):
    build_and_step(data, model, loss)


@pytest.mark.slow
@pytest.mark.parametrize("data,model,loss", [p for p in PRODUCT if not expected_conflict(p[0], p[1])])
def test_every_fitting_combination_takes_steps_with_finite_loss(data, model, loss):
    build_and_step(data, model, loss)


@pytest.mark.parametrize("extra,needle", [
    (["data=yang2024", "model=tian_rf"], "model=tian_rf"),
    (["model.d_in=5"], "model.d_in=5"),
    (["loss=infonce", "train.batch_size=1"], "train.batch_size"),
    (["loss=simsiam", "model.predictor=false"], "model.predictor"),
    (["data=bansal2024", "model.r=2"], "model.r=2"),
    (["data=bansal2024", "data.structure=block", "data.d=20"], "data.structure=gmm"),
    (["data=yang2024", "data.rng=official"], "data.rng=jax"),
    (["train.batch=full"], "train.batch=online"),
    (["data=nope"], "valid choices"),
    (["model=nope"], "valid choices"),
    (["loss=nope"], "valid choices"),
    (["data=yang2024", "data.name=wenli2021"], "given twice"),
])
def test_rejections_are_one_line_and_name_the_conflict(extra, needle):
    with pytest.raises(ConfigError) as e:
        EXP.plan(extra)
    assert needle in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_plan_pickles_by_reference_for_process_pools():
    """A plan must survive pickling (local and Ray executors): every section is a module-level class."""
    import pickle
    for loss in VIEW_LOSSES.names():
        plan = EXP.plan([f"loss={loss}", "data=bansal2024", "seed=0:2"])
        again = pickle.loads(pickle.dumps(plan))
        assert again.points() == plan.points() and type(again.base.loss) is type(plan.base.loss)


def test_losses_with_batch_statistics_need_two_examples():
    """A loss that is not finite on one example is rejected at batch size 1 (checked on every zoo entry)."""
    for name, vl in VIEW_LOSSES.items():
        ov = [f"loss={name}", "train.batch_size=1", "train.steps=2", "train.log_every=1"]
        if vl.contrastive or not C._finite_on_one(name):
            with pytest.raises(ConfigError, match="train.batch_size must be >= 2"):
                EXP.plan(ov)
        else:
            EXP.plan(ov)


def test_ema_target_rejects_weight_decay_and_updates_as_ema():
    ema = [n for n, vl in VIEW_LOSSES.items() if vl.target == "ema"]
    if not ema:
        pytest.skip("no EMA-target loss registered yet")
    name = ema[0]
    with pytest.raises(ConfigError, match="optim.weight_decay"):
        EXP.plan([f"loss={name}", "optim.weight_decay=0.1"])
    (cfg,) = EXP.plan([f"loss={name}", "data=bansal2024", f"loss.ema_m=0.9", "seed=0"]).points()
    prob = C.problem(cfg)
    A, T = jnp.ones((3, 20)), jnp.zeros((3, 20))
    out = prob.project({"A": A, "ema_A": T, "P": jnp.eye(3)}, cfg)
    np.testing.assert_allclose(out["ema_A"], 0.9 * 0.0 + 0.1 * 1.0, rtol=1e-6)  # ξ ← mξ + (1 − m)θ
    np.testing.assert_array_equal(out["A"], A)


def test_predictor_is_identity_initialised_and_added_only_when_needed():
    import jax
    (cfg,) = EXP.plan(["loss=simsiam", "data=bansal2024", "seed=0"]).points()
    host = DATA_MODELS["bansal2024"].host(cfg)
    params = C.problem(cfg).init(jax.random.key(0), cfg, host)
    np.testing.assert_array_equal(params["P"], np.eye(3))
    (cfg,) = EXP.plan(["loss=infonce", "data=bansal2024", "seed=0"]).points()
    assert "P" not in C.problem(cfg).init(jax.random.key(0), cfg, host)


# --- recovery metrics against closed forms ---------------------------------------------------------

def _cfg(data, *extra):
    (cfg,) = EXP.plan([f"data={data}", "seed=0", *SMALL[data], *extra]).points()
    return cfg


def test_yang_recovery_is_one_on_span_e1_e2_and_zero_off_it():
    cfg = _cfg("yang2024")
    rec = DATA_MODELS["yang2024"].recovery
    e = np.eye(4)
    assert float(rec(jnp.asarray(e[:2] * [[3.0], [0.5]]), {}, cfg)["recovery"]) == pytest.approx(1.0, abs=1e-6)
    assert float(rec(jnp.asarray(e[2:]), {}, cfg)["recovery"]) == pytest.approx(0.0, abs=1e-6)
    # w1 = e1, w2 = (e2 + e3)/√2: ‖P e2‖ = 1/√2 by hand
    W = jnp.asarray(np.stack([e[0], (e[1] + e[2]) / np.sqrt(2)]))
    assert float(rec(W, {}, cfg)["recovery"]) == pytest.approx(1 / np.sqrt(2), abs=1e-6)


def test_bansal_recovery_is_one_minus_sin_theta_max():
    from sslab.papers.bansal2024.metrics import sin_theta_max
    cfg = _cfg("bansal2024")
    data = DATA_MODELS["bansal2024"].host(cfg)
    U_F = data["U_F"]
    rec = DATA_MODELS["bansal2024"].recovery
    assert float(rec(jnp.asarray(2.0 * U_F.T), data, cfg)["recovery"]) == pytest.approx(1.0, abs=1e-5)
    rng = np.random.default_rng(0)
    W = rng.standard_normal((2, 6))
    U = np.linalg.svd(W, full_matrices=False)[2][:2].T
    got = float(rec(jnp.asarray(W), data, cfg)["recovery"])
    assert got == pytest.approx(1.0 - sin_theta_max(U_F, U), abs=1e-5)


def test_wenli_recovery_is_one_when_neurons_are_the_features():
    cfg = _cfg("wenli2021")
    data = DATA_MODELS["wenli2021"].host(cfg)
    M = data["M"]  # d1 × d, orthonormal columns
    rec = DATA_MODELS["wenli2021"].recovery
    assert float(rec(jnp.asarray(M.T), data, cfg)["recovery"]) == pytest.approx(1.0, abs=1e-5)
    # neuron = (M_1 + M_2)/√2 covers features 1 and 2 at 1/√2 and the others at 0 (hand computation)
    w = (M[:, 0] + M[:, 1]) / np.sqrt(2)
    d = M.shape[1]
    want = 2 * (1 / np.sqrt(2)) / d
    assert float(rec(jnp.asarray(w[None]), data, cfg)["recovery"]) == pytest.approx(want, abs=1e-5)
