"""The engine: lane independence, compile-once grouping, divergence, optimisers vs hand-written loops."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from sslab.config import OptimConfig, RunConfig, Section, TrainConfig, param, resolve, validate
from sslab.papers.yang2024.experiment import EXPERIMENT
from sslab import engine
from sslab.engine import Problem, minibatch, run_lanes, train
from sslab.engine.lanes import group_points


def yang(*overrides: str):
    return EXPERIMENT.plan(list(overrides)).points()


def run_yang(*overrides: str):
    return run_lanes(yang(*overrides), EXPERIMENT.problem)


def assert_lane_equal(a, i, b, j):
    """Lane i of result a and lane j of result b are bit-identical (params and every trace)."""
    assert set(a.params) == set(b.params) and set(a.metrics) == set(b.metrics)
    for k in a.params:
        assert np.array_equal(a.params[k][i], b.params[k][j]), k
    for k in a.metrics:
        assert np.array_equal(a.metrics[k][i], b.metrics[k][j], equal_nan=True), k
    assert np.array_equal(a.loss[i], b.loss[j], equal_nan=True)
    assert a.diverged_at[i] == b.diverged_at[j]


# --- lane independence (Yang) ----------------------------------------------------------------------

SHORT = ("train.steps=200", "train.log_every=50")


def test_lane_independence_seed_alone_vs_among_64():
    alone = run_yang("seed=3", *SHORT)
    many = run_yang("seed=0:64", *SHORT)
    assert many.params["W"].shape == (64, 2, 10)
    assert many.metrics["w11"].shape == (64, 5) and many.loss.shape == (64, 4)
    assert [c.seed for c in many.points] == list(range(64))
    assert_lane_equal(alone, 0, many, 3)
    # lanes really differ (the comparison is not between identical lanes)
    assert not np.array_equal(many.params["W"][3], many.params["W"][4])
    assert np.all(many.diverged_at == -1)
    np.testing.assert_array_equal(many.steps, [0, 50, 100, 150, 200])


def test_lane_independence_tau_among_others():
    mixed = run_yang("seed=0:4", "data.tau=3,5,7", *SHORT)
    i = next(i for i, c in enumerate(mixed.points) if c.seed == 2 and c.data.tau == 5.0)
    alone = run_yang("seed=2", "data.tau=5", *SHORT)
    assert_lane_equal(alone, 0, mixed, i)
    j = next(i for i, c in enumerate(mixed.points) if c.seed == 2 and c.data.tau == 7.0)
    assert not np.array_equal(mixed.metrics["w12"][i], mixed.metrics["w12"][j])


def test_categorical_lane_field_alone_vs_among_others():
    """data.noise (a Literal lane field, traced as an option index) varies across lanes of one program; each
    lane equals the same point run alone, and the two noise modes give different trajectories."""
    mixed = run_yang("seed=0:3", "data.noise=isotropic,scalar", *SHORT)
    assert group_points(yang("seed=0:3", "data.noise=isotropic,scalar")) == [list(range(6))]
    for noise in ("isotropic", "scalar"):
        i = next(i for i, c in enumerate(mixed.points) if c.seed == 1 and c.data.noise == noise)
        assert_lane_equal(run_yang("seed=1", f"data.noise={noise}", *SHORT), 0, mixed, i)
    a, b = (next(i for i, c in enumerate(mixed.points) if c.seed == 1 and c.data.noise == n) for n in ("isotropic", "scalar"))
    assert not np.array_equal(mixed.params["W"][a], mixed.params["W"][b])


def test_choice_is_traced_and_refuses_python_control_flow():
    from sslab.config import Choice, lane_choices

    base = yang()[0]
    assert lane_choices(base, "data.noise") == ("isotropic", "scalar") and lane_choices(base, "data.tau") is None
    c = Choice(jnp.asarray(1), ("isotropic", "scalar"))
    assert bool(c == "scalar") and not bool(c == "isotropic") and bool(c != "isotropic")
    with pytest.raises(TypeError, match="jnp.where"):
        bool(c)
    with pytest.raises(TypeError):
        {c: 1}
    with pytest.raises(TypeError):
        str(c)
    with pytest.raises(ValueError, match="options"):
        c == "gaussian"


# --- compile once ----------------------------------------------------------------------------------

def test_lane_fields_share_one_group():
    pts = yang("seed=0:3", "data.tau=3,7", "model.alpha=0.001,0.002", "optim.lr=0.05,0.1")
    assert len(pts) == 24
    assert group_points(pts) == [list(range(24))]


def test_static_fields_split_groups():
    pts = yang("seed=0:2", "data.n=50,100,200", "data.tau=3,7")
    groups = group_points(pts)
    assert len(groups) == 3
    assert sorted(i for g in groups for i in g) == list(range(len(pts)))
    for g in groups:
        assert len({pts[i].data.n for i in g}) == 1 and len(g) == 4
    pts = yang("seed=0:2", "train.steps=10,20")
    assert len(group_points(pts)) == 2


# --- a tiny custom problem -------------------------------------------------------------------------

@dataclass
class ToyData(Section):
    name: Literal["toy"] = param("toy")
    dim: int = param(3)
    c: float = param(1.0, lane=True)
    bad_step: float = param(1e9, lane=True)  # objective/gradient non-finite from this step on
    fail: Literal["loss", "grad"] = param("loss")


@dataclass
class ToyModel(Section):
    name: Literal["toy"] = param("toy")
    kappa: float = param(0.5, lane=True)


@dataclass
class ToyLoss(Section):
    name: Literal["toy"] = param("toy")


P0 = np.array([2.0, -1.0, 0.5, 3.0, -2.5])


def toy_cfg(optim=None, seed=0, **kw) -> RunConfig:
    train_kw = {k: v for k, v in kw.items() if k in TrainConfig.__dataclass_fields__}
    data_kw = {k: v for k, v in kw.items() if k in ToyData.__dataclass_fields__}
    cfg = RunConfig(experiment="toy", data=ToyData(**data_kw), model=ToyModel(), loss=ToyLoss(),
                    optim=optim or OptimConfig(name="gd", lr=0.05), train=TrainConfig(**train_kw), seed=seed)
    cfg = resolve(cfg)
    validate(cfg)
    return cfg


def _fdt(cfg):
    return jnp.float64 if cfg.train.dtype == "float64" else jnp.float32


TRACES = {"n": 0}


def quad_problem(cfg: RunConfig) -> Problem:
    """0.5 ||p - c||^2 with p0 = P0 + seed; NaN loss (or NaN gradient) from step data.bad_step on."""
    dt = _fdt(cfg)

    def init(key, c, host):
        TRACES["n"] += 1  # counts traces, i.e. compilations
        return {"p": jnp.asarray(P0[: c.data.dim], dt) + jnp.asarray(c.seed, dt)}

    def dataset(key, c, host):
        return {"c": jnp.full((c.data.dim,), c.data.c, dt)}

    def batch(key, c, data, step):
        return {"c": data["c"], "step": step}

    def objective(params, b, key, c):
        p = params["p"]
        value = 0.5 * jnp.sum((p - b["c"]) ** 2)
        bad = b["step"] >= c.data.bad_step
        if c.data.fail == "loss":
            return jnp.where(bad, jnp.nan, value)
        # finite value, non-finite gradient: d/dp sqrt(0 * p) = inf * 0 = nan (double where: no NaN before)
        u = jnp.where(bad, 0.0 * p[0], 1.0)
        return value + jnp.where(bad, jnp.sqrt(u), 0.0)

    def metrics(params, data, c):
        return {"dist": jnp.linalg.norm(params["p"] - data["c"]), "p0": params["p"][0]}

    return Problem(init=init, dataset=dataset, batch=batch, objective=objective, metrics=metrics)


def quad_closed_form(cfg, t):
    lr, c = cfg.optim.lr, cfg.data.c
    p0 = P0[: cfg.data.dim] + cfg.seed
    return c + (1 - lr) ** t * (p0 - c)


def test_gd_closed_form_and_log_cadence():
    cfg = toy_cfg(steps=40, log_every=8, c=1.5)
    params, trace = train(jax.random.key(0), cfg, quad_problem(cfg))
    T, k = 40, 8
    np.testing.assert_allclose(params["p"], quad_closed_form(cfg, T), rtol=2e-6)
    steps = np.arange(0, T + 1, k)
    dist = [np.linalg.norm(quad_closed_form(cfg, t) - 1.5) for t in steps]
    assert trace["metrics"]["dist"].shape == (T // k + 1,)
    np.testing.assert_allclose(trace["metrics"]["dist"], dist, rtol=1e-5)
    np.testing.assert_allclose(trace["metrics"]["p0"], [quad_closed_form(cfg, t)[0] for t in steps], rtol=1e-5)
    # loss: mean over each block of k steps of the objective at the pre-update iterate
    per_step = np.array([0.5 * np.sum((quad_closed_form(cfg, t) - 1.5) ** 2) for t in range(T)])
    assert trace["loss"].shape == (T // k,)
    np.testing.assert_allclose(trace["loss"], per_step.reshape(-1, k).mean(axis=1), rtol=1e-5)
    assert int(trace["diverged_at"]) == -1


def test_run_lanes_matches_closed_form_per_lane():
    problem_of = quad_problem
    pts = [toy_cfg(seed=s, c=c, optim=OptimConfig(name="gd", lr=lr), steps=30, log_every=10)
           for s, c, lr in [(0, 1.0, 0.05), (1, -2.0, 0.1), (2, 0.5, 0.2)]]
    res = run_lanes(pts, problem_of)
    assert res.params["p"].shape == (3, 3)  # padding lanes (block of 8) are dropped
    for i, cfg in enumerate(pts):
        np.testing.assert_allclose(res.params["p"][i], quad_closed_form(cfg, 30), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(res.steps, [0, 10, 20, 30])


def train64(cfg):
    """Run one lane of the quadratic in float64 (tight comparisons with the NumPy loops)."""
    with jax.enable_x64(True):
        params, trace = train(jax.random.key(0), cfg, quad_problem(cfg))
        assert params["p"].dtype == jnp.float64
        return jax.tree_util.tree_map(np.asarray, (params, trace))


def test_cosine_schedule_vs_hand_loop():
    T, lr = 20, 0.3
    cfg = toy_cfg(steps=T, log_every=T, dtype="float64", optim=OptimConfig(name="gd", lr=lr, schedule="cosine"))
    params, _ = train64(cfg)
    p, c = P0[:3].copy(), 1.0
    for t in range(T):
        p = p - lr * 0.5 * (1 + np.cos(np.pi * t / T)) * (p - c)
    np.testing.assert_allclose(params["p"], p, rtol=1e-12)
    const = c + (1 - lr) ** T * (P0[:3] - c)
    assert not np.allclose(p, const, rtol=1e-3)


def test_sgd_momentum_weight_decay_vs_hand_loop():
    T, lr, mu, wd = 25, 0.05, 0.9, 0.01
    cfg = toy_cfg(steps=T, log_every=5, c=1.0, dtype="float64",
                  optim=OptimConfig(name="sgd", lr=lr, momentum=mu, weight_decay=wd))
    params, trace = train64(cfg)
    p, buf, c = P0[:3].copy(), np.zeros(3), 1.0
    hist = [p.copy()]
    for _ in range(T):
        g = (p - c) + wd * p  # coupled L2
        buf = mu * buf + g  # PyTorch momentum (dampening 0, buffer = first gradient)
        p = p - lr * buf
        hist.append(p.copy())
    np.testing.assert_allclose(params["p"], p, rtol=1e-12)
    np.testing.assert_allclose(trace["metrics"]["p0"], [h[0] for h in hist[::5]], rtol=1e-12)
    # momentum matters here
    gd = c + (1 - lr) ** T * (P0[:3] - c)
    assert not np.allclose(p, gd, rtol=1e-2)


def test_adam_vs_hand_loop():
    T, lr, b1, b2, eps, wd = 30, 0.05, 0.9, 0.999, 1e-8, 0.01
    cfg = toy_cfg(steps=T, log_every=T, c=1.0, dtype="float64",
                  optim=OptimConfig(name="adam", lr=lr, b1=b1, b2=b2, eps=eps, weight_decay=wd))
    params, trace = train64(cfg)
    p, m, v, c = P0[:3].copy(), np.zeros(3), np.zeros(3), 1.0
    for t in range(1, T + 1):
        g = p - c
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * (mhat / (np.sqrt(vhat) + eps) + wd * p)  # decoupled weight decay
    np.testing.assert_allclose(params["p"], p, rtol=1e-11)
    assert np.abs(P0[:3] - p).max() > 0.1  # it moved
    assert np.all(np.isfinite(trace["loss"]))


def test_float64_toy_closed_form_to_rounding():
    cfg = toy_cfg(steps=100, log_every=10, c=0.25, dtype="float64")
    res = run_lanes([cfg], quad_problem)
    assert res.params["p"].dtype == np.float64
    np.testing.assert_allclose(res.params["p"][0], quad_closed_form(cfg, 100), rtol=1e-13)


# --- divergence ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fail", ["loss", "grad"])
def test_divergence_freezes_lane_at_last_finite_iterate(fail):
    bad_step = 7
    common = dict(steps=20, log_every=1, fail=fail)
    good = [toy_cfg(seed=s, c=0.5 * s, **common) for s in range(4)]
    bad = toy_cfg(seed=9, c=2.0, bad_step=float(bad_step), **common)
    with_bad = run_lanes(good[:2] + [bad] + good[2:], quad_problem)
    without = run_lanes(good, quad_problem)
    assert with_bad.diverged_at.tolist() == [-1, -1, bad_step, -1, -1]
    # frozen at p_7 (the iterate after 7 finite updates), and every later metric stays there
    np.testing.assert_allclose(with_bad.params["p"][2], quad_closed_form(bad, bad_step), rtol=1e-5)
    assert np.all(np.isfinite(with_bad.params["p"][2]))
    p0_trace = with_bad.metrics["p0"][2]
    np.testing.assert_allclose(p0_trace[: bad_step + 1], [quad_closed_form(bad, t)[0] for t in range(bad_step + 1)],
                               rtol=1e-5)
    assert np.all(p0_trace[bad_step:] == p0_trace[bad_step])
    # other lanes unaffected, bit for bit
    for i, j in [(0, 0), (1, 1), (3, 2), (4, 3)]:
        assert_lane_equal(with_bad, i, without, j)


def test_divergence_yang_huge_lr_other_lanes_unaffected():
    common = ("seed=0:3", *SHORT)  # the same program as the lane-independence test
    ok = run_yang(*common)
    mixed = run_yang(*common, "optim.lr=0.1,1e30")
    assert group_points(mixed.points) == [list(range(6))]  # lr is a lane field
    assert [c.optim.lr for c in mixed.points].count(1e30) == 3
    for i, c in enumerate(mixed.points):
        if c.optim.lr == 0.1:
            assert_lane_equal(mixed, i, ok, c.seed)
            assert mixed.diverged_at[i] == -1
            continue
        d = int(mixed.diverged_at[i])
        assert 0 <= d < 200
        assert np.all(np.isfinite(mixed.params["W"][i]))  # frozen at the last finite iterate
        first_after = -(-d // 50)  # first logged step at or after d (steps are 0, 50, ..., 200)
        for m in ("w11", "w12", "w21", "w22"):
            tr = mixed.metrics[m][i]
            assert np.all(np.isfinite(tr)), m
            assert np.all(tr[first_after:] == tr[-1]), m
        np.testing.assert_array_equal(mixed.metrics["w11"][i][-1], mixed.params["W"][i][0, 0])
        # same init as the healthy lane of the same seed
        assert mixed.metrics["w11"][i][0] == ok.metrics["w11"][c.seed][0]


# --- compile once ----------------------------------------------------------------------------------

def _fresh_problem_of(cfg):  # its own function object, so the engine's program cache starts empty for it
    return quad_problem(cfg)


def test_lane_fields_compile_once_static_fields_recompile():
    before = TRACES["n"]
    pts = [toy_cfg(seed=s, c=float(s), optim=OptimConfig(name="gd", lr=0.01 * (s + 1)), steps=6, log_every=2)
           for s in range(12)]  # two blocks of 8 lanes
    assert len(group_points(pts)) == 1
    res = run_lanes(pts, _fresh_problem_of)
    assert TRACES["n"] - before == 1
    for i, cfg in enumerate(pts):
        np.testing.assert_allclose(res.params["p"][i], quad_closed_form(cfg, 6), rtol=1e-5, atol=1e-6)
    run_lanes(pts[:3], _fresh_problem_of)
    assert TRACES["n"] - before == 1  # cached
    other = [toy_cfg(seed=0, dim=2, steps=6, log_every=2)]
    run_lanes(other, _fresh_problem_of)
    assert TRACES["n"] - before == 2


def test_mixed_groups_come_back_in_input_order():
    a = [toy_cfg(seed=s, dim=3, steps=4, log_every=2) for s in range(3)]
    b = [toy_cfg(seed=s, dim=3, steps=4, log_every=2, fail="grad") for s in range(3)]
    pts = [a[0], b[0], a[1], b[1], a[2], b[2]]
    res = run_lanes(pts, quad_problem)
    assert res.points == pts
    for i, cfg in enumerate(pts):
        np.testing.assert_allclose(res.params["p"][i], quad_closed_form(cfg, 4), rtol=1e-5)


# --- Gauss–Seidel ----------------------------------------------------------------------------------

def gs_problem(cfg: RunConfig) -> Problem:
    """f(a, b) = 0.5 (a - 1)^2 + 0.5 (b + 2)^2 + kappa a b, groups (a,) then (b,)."""

    def init(key, c, host):
        return {"a": jnp.array([0.5]), "b": jnp.array([1.5])}

    def objective(params, b, key, c):
        a, bb = params["a"][0], params["b"][0]
        return 0.5 * (a - 1) ** 2 + 0.5 * (bb + 2) ** 2 + c.model.kappa * a * bb

    def metrics(params, data, c):
        return {"a": params["a"][0], "b": params["b"][0]}

    return Problem(init=init, dataset=lambda k, c, h: {}, batch=engine.full_batch, objective=objective,
                   metrics=metrics, param_groups=(("a",), ("b",)))


def _gs_hand(T, lr, kappa, order):
    a, b = 0.5, 1.5
    out = [(a, b)]
    for _ in range(T):
        ga = (a - 1) + kappa * b
        if order == "joint":
            gb = (b + 2) + kappa * a
            a, b = a - lr * ga, b - lr * gb
        else:
            a = a - lr * ga
            gb = (b + 2) + kappa * a  # gradient at the new a
            b = b - lr * gb
        out.append((a, b))
    return np.array(out)


@pytest.mark.parametrize("order", ["joint", "gauss_seidel"])
def test_update_order_vs_hand_loop(order):
    T, lr = 15, 0.3
    cfg = toy_cfg(steps=T, log_every=1, update_order=order, optim=OptimConfig(name="gd", lr=lr))
    _, trace = train(jax.random.key(0), cfg, gs_problem(cfg))
    hand = _gs_hand(T, lr, cfg.model.kappa, order)
    assert cfg.model.kappa == 0.5
    np.testing.assert_allclose(trace["metrics"]["a"], hand[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trace["metrics"]["b"], hand[:, 1], rtol=1e-5, atol=1e-6)
    other = _gs_hand(T, lr, cfg.model.kappa, "joint" if order == "gauss_seidel" else "gauss_seidel")
    assert np.abs(other - hand).max() > 1e-2  # the two orders really differ on this objective


# --- Yang: dtypes and batch modes ------------------------------------------------------------------

def test_float64_mode_gives_float64_params():
    res = run_yang("seed=0:2", *SHORT, "train.dtype=float64")
    assert res.params["W"].dtype == np.float64
    assert res.metrics["w11"].dtype == np.float64
    assert np.all(np.isfinite(res.params["W"])) and np.all(res.diverged_at == -1)
    f32 = run_yang("seed=0:2", *SHORT)
    assert f32.params["W"].dtype == np.float32


@pytest.mark.parametrize("overrides", [
    ("train.batch=minibatch", "train.batch_size=32"),
    ("train.batch=online", "train.batch_size=64"),
])
def test_yang_batch_modes_run_and_are_finite(overrides):
    common = ("seed=0:3", *SHORT)
    res = run_yang(*common, *overrides)
    full = run_yang(*common)  # same program as the lane-independence test
    for k, v in res.metrics.items():
        assert v.shape == (3, 5) and np.all(np.isfinite(v)), k
    assert np.all(np.isfinite(res.loss)) and np.all(res.diverged_at == -1)
    # same init (step 0), a different trajectory than full batch
    np.testing.assert_array_equal(res.metrics["w11"][:, 0], full.metrics["w11"][:, 0])
    assert not np.array_equal(res.params["W"], full.params["W"])
    # and still learning: b_k moves towards b* ~ 10.6 from the condition-0 start in [8.5, 9]
    assert np.all(res.metrics["b1"][:, -1] > res.metrics["b1"][:, 0])


def test_minibatch_draws_distinct_points():
    data = {"X": jnp.arange(20.0).reshape(10, 2), "y": jnp.arange(10.0), "other": jnp.array([7.0])}
    cfg = toy_cfg(batch="minibatch", batch_size=4)
    sel = minibatch(("X", "y"))
    seen = set()
    for s in range(5):
        b = sel(jax.random.key(s), cfg, data, jnp.array(s))
        y = np.asarray(b["y"])
        assert y.shape == (4,) and len(set(y.tolist())) == 4
        np.testing.assert_array_equal(np.asarray(b["X"]), np.asarray(data["X"])[y.astype(int)])
        np.testing.assert_array_equal(b["other"], data["other"])
        seen |= set(y.tolist())
    assert len(seen) > 4


# --- batch_ahead: a block's batches drawn at once (vmapped over the step keys) -------------------

def noisy_quad_problem(cfg: RunConfig, batch_ahead: bool = False) -> Problem:
    """quad_problem whose target is redrawn every step: c + N(0, 1) from the step's batch key."""
    base = quad_problem(cfg)

    def batch(key, c, data, step):
        return {"c": data["c"] + jax.random.normal(key, data["c"].shape, data["c"].dtype), "step": step}

    return dataclasses.replace(base, batch=batch, batch_ahead=batch_ahead)


@pytest.mark.parametrize("fail", [None, "loss"])
def test_batch_ahead_same_batches_same_run(fail):
    """batch_ahead draws every step's batch from the same key, so the run is the same (and diverges at the same step)."""
    kw = dict(steps=12, log_every=4, dtype="float64")
    cfg = toy_cfg(**kw) if fail is None else toy_cfg(bad_step=6.0, fail=fail, **kw)
    with jax.enable_x64(True):
        p0, tr0 = train(jax.random.key(3), cfg, noisy_quad_problem(cfg, False))
        p1, tr1 = train(jax.random.key(3), cfg, noisy_quad_problem(cfg, True))
        # the draws matter: a different key gives a different run
        p2, _ = train(jax.random.key(4), cfg, noisy_quad_problem(cfg, True))
    np.testing.assert_allclose(p1["p"], p0["p"], rtol=1e-13)
    np.testing.assert_allclose(tr1["metrics"]["dist"], tr0["metrics"]["dist"], rtol=1e-13)
    assert int(tr1["diverged_at"]) == int(tr0["diverged_at"]) == (-1 if fail is None else 6)
    assert np.linalg.norm(np.asarray(p2["p"]) - np.asarray(p0["p"])) > 1e-3
