"""Config overrides: ``key=value`` with dotted paths, lists -> lane axes, one-line ConfigErrors."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings, strategies as st

from sslab.config import ConfigError, Plan, get_path, leaf_paths, validate
from sslab.papers.yang2024.experiment import EXPERIMENT


def plan(*overrides: str) -> Plan:
    return EXPERIMENT.plan(list(overrides))


def config_error(*overrides: str) -> str:
    with pytest.raises(ConfigError) as info:
        plan(*overrides)
    assert type(info.value) is ConfigError
    msg = str(info.value)
    assert msg and "\n" not in msg, f"message must be one non-empty line: {msg!r}"
    return msg


# --- errors ----------------------------------------------------------------------------------------

def test_unknown_top_level_key_lists_all_valid_keys():
    msg = config_error("foo=1")
    assert "'foo'" in msg
    for key in ("data.tau", "seed", "train.steps", "optim.lr", "model.alpha", "method"):
        assert key in msg


def test_unknown_dotted_key_suggests_and_lists_section_keys():
    msg = config_error("data.taux=3")
    assert "data.taux" in msg
    assert "did you mean" in msg and "data.tau" in msg
    for key in ("data.d", "data.n", "data.rho", "data.noise"):
        assert key in msg


def test_unknown_section():
    msg = config_error("dta.tau=3")
    assert "dta.tau" in msg and "data.tau" in msg


@pytest.mark.parametrize("overrides, fragments", [
    (["data.tau=abc"], ["data.tau", "number", "abc"]),
    (["data.n=-1"], ["data.n", "> 0", "-1"]),
    (["data.n=1.5"], ["data.n", "integer"]),
    (["train.steps=0"], ["train.steps", "> 0"]),
    (["train.dtype=float16"], ["train.dtype", "float16", "float32", "float64"]),
    (["train.batch=stochastic"], ["train.batch", "full", "minibatch", "online"]),
    (["data.tau="], ["data.tau", "empty"]),
    (["seed=5:2"], ["seed", "5:2"]),
    (["seed=a:b"], ["seed", "a:b"]),
    (["seed=-1"], ["seed", "-1"]),
    (["seed=2147483648"], ["seed"]),
    (["data.tau=nan"], ["data.tau", "finite"]),
    (["data.tau=inf"], ["data.tau", "finite"]),
    (["data.tau=-3"], ["data.tau", "> 0"]),
    (["train.log_every=3"], ["train.log_every=3", "4000"]),
    (["train.steps=10", "train.log_every=4"], ["train.log_every=4", "10"]),
    (["method=ssl,sl"], ["method", "single"]),
    (["mode=paper,official"], ["mode", "single"]),
    (["method=xyz"], ["method", "ssl", "sl"]),
    (["data.d=1"], ["data.d", ">= 2"]),
    (["data.tau=3,3"], ["data.tau", "repeated"]),
    (["data.tau=3,,5"], ["data.tau", "empty"]),
    (["optim.momentum=0.5"], ["momentum"]),
    (["model.condition=2"], ["model.condition", "0", "1"]),
    (["data.name=other"], ["data.name"]),
    (["tau"], ["key=value"]),
])
def test_bad_overrides_raise_one_line_config_error(overrides, fragments):
    msg = config_error(*overrides)
    for frag in fragments:
        assert frag in msg, (frag, msg)


@pytest.mark.parametrize("overrides, fragment", [
    (["train.batch=online"], "batch_size"),
    (["mode=official", "train.batch=minibatch", "train.batch_size=10"], "train.batch=full"),
])
def test_problem_level_checks_are_config_errors_before_compute(overrides, fragment):
    # cross-section checks may live in the experiment's problem(); still a one-line ConfigError
    with pytest.raises(ConfigError) as info:
        p = plan(*overrides, "seed=0")
        EXPERIMENT.problem(p.points()[0])
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_duplicate_key():
    msg = config_error("seed=1", "seed=2")
    assert "seed" in msg and "twice" in msg


def test_sl_has_no_ssl_model_keys():
    msg = config_error("method=sl", "model.alpha=0.1")
    assert "model.alpha" in msg and "model.beta" in msg


@pytest.mark.parametrize("value", ["1/0", "0**-1", "10**1000", "2**1024", "1e200**2"])
def test_arithmetic_junk_in_numbers_is_a_config_error(value):
    # eval_number accepts a/b and a**b; division by zero and overflow must still be ConfigErrors.
    config_error(f"data.tau={value}")


def test_zero_range_step_is_a_config_error():
    config_error("seed=0:10:0")


# --- lists and lanes -------------------------------------------------------------------------------

def test_default_axes_are_the_twenty_spec_seeds():
    p = plan()
    assert p.size() == 20
    assert [c.seed for c in p.points()] == list(range(20))


def test_seed_range():
    p = plan("seed=0:4")
    assert p.size() == 4
    assert [c.seed for c in p.points()] == [0, 1, 2, 3]
    assert [c.seed for c in plan("seed=1:9:3").points()] == [1, 4, 7]


def test_single_seed_is_not_an_axis():
    p = plan("seed=3")
    assert p.size() == 1 and "seed" not in p.axes
    assert [c.seed for c in p.points()] == [3]


def test_two_axes_row_major():
    p = plan("data.tau=3,5,7", "seed=0:2")
    pts = p.points()
    assert len(pts) == 6 == p.size()
    got = [(c.seed, c.data.tau) for c in pts]
    assert set(got) == {(s, t) for s in (0, 1) for t in (3.0, 5.0, 7.0)}
    # row-major over the plan's axis order: the last axis varies fastest
    axes = list(p.axes)
    assert set(axes) == {"seed", "data.tau"}
    expected = [dict(zip(axes, vals)) for vals in itertools.product(*(p.axes[a] for a in axes))]
    assert [{a: get_path(c, a) for a in axes} for c in pts] == expected
    assert all(isinstance(c.data.tau, float) for c in pts)
    # every other field is the base's
    for c in pts:
        assert c.data.n == 100 and c.train.steps == 4000 and c.method == "ssl"


def test_float_ranges_lin_and_log():
    """lin:lo:hi:n and log:lo:hi:n make an axis of n values with both ends included (issue 22)."""
    assert plan("data.tau=lin:3:11:5").axes["data.tau"] == [3.0, 5.0, 7.0, 9.0, 11.0]
    lrs = plan("optim.lr=log:1e-3:1e-1:5").axes["optim.lr"]
    assert lrs[0] == 1e-3 and lrs[-1] == 1e-1 and len(lrs) == 5
    ratios = [b / a for a, b in zip(lrs, lrs[1:])]
    assert all(r == pytest.approx(10 ** 0.5, rel=1e-9) for r in ratios)  # evenly spaced in log scale
    assert plan("data.tau=lin:0.1:1:10").axes["data.tau"][2] == 0.3  # rounded to 12 digits, not 0.30000000000000004
    assert plan("data.tau=lin:9:3:4").axes["data.tau"] == [9.0, 7.0, 5.0, 3.0]  # descending is allowed
    assert plan("data.tau=lin:3:11:5", "seed=0:2").size() == 10
    assert [c.optim.lr for c in plan("optim.lr=log:1e-3:1e-1:3", "seed=0").points()] == pytest.approx([1e-3, 1e-2, 1e-1])


@pytest.mark.parametrize("value,fragment", [
    ("log:0:1:5", "lo > 0"), ("log:-1:1:3", "lo > 0"), ("lin:3:11", "lin:lo:hi:n"), ("lin:3:11:1", "n must"),
    ("lin:3:11:2.5", "n must"), ("lin:a:11:3", "numbers"), ("lin:3:3:4", "equal"), ("lin:nan:1:3", "finite"),
    ("geo:1:2:3", "lin:lo:hi:n"), ("3:11", "lin:lo:hi:n"), ("lin:1:1.0000000000001:5", "12 digits"),
    ("lin:3:11:5:2", "lin:lo:hi:n"), ("lin:3:11:1000000", "n must"),
])
def test_bad_float_ranges_are_one_line_errors(value, fragment):
    assert fragment in config_error(f"data.tau={value}")


def test_float_range_on_an_integer_field_is_an_error():
    assert "integer" in config_error("data.n=lin:10:100:3")
    assert "lo:hi" in config_error("seed=log:1:100:3")


def test_fraction_parses():
    p = plan("data.rho=1/800")
    assert all(c.data.rho == 1 / 800 for c in p.points())
    assert plan("model.alpha=10**-3").base.model.alpha == pytest.approx(1e-3)


def test_rho_default_resolves_to_d_power():
    assert all(math.isclose(c.data.rho, 10 ** -1.5) for c in plan("seed=0").points())
    assert all(math.isclose(c.data.rho, 20 ** -1.5) for c in plan("seed=0", "data.d=20").points())


def test_paper_defaults():
    c = plan("seed=0").points()[0]
    assert c.method == "ssl" and c.mode == "paper"
    assert c.train.steps == 4000 and c.train.update_order == "joint" and c.train.reduction == "mean"
    assert c.train.dtype == "float32" and c.optim.lr == 0.1 and c.optim.name == "gd"
    assert c.data.tau == 7.0 and c.data.n == 100 and c.data.d == 10 and c.data.noise == "isotropic"
    assert c.model.alpha == 1 / 800 and c.model.condition == 0


def test_method_sl():
    c = plan("method=sl", "seed=0").points()[0]
    assert c.method == "sl"
    assert c.train.steps == 8000
    assert c.train.update_order == "gauss_seidel"
    assert c.model.beta == 1 / 800 and c.model.gamma == 1 / 800
    assert c.loss.name == "bce"


def test_mode_official():
    c = plan("mode=official", "seed=0").points()[0]
    assert c.train.reduction == "sum" and c.optim.lr == 1e-3 and c.train.dtype == "float64"
    assert c.data.noise == "scalar" and c.data.rng == "official"


def test_override_after_preset_wins():
    c = plan("method=sl", "train.steps=100", "train.log_every=10", "seed=0").points()[0]
    assert c.train.steps == 100 and c.train.log_every == 10 and c.train.update_order == "gauss_seidel"


def test_dict_overrides_with_python_values():
    p = EXPERIMENT.plan({"seed": range(3), "data.tau": [3, 5], "train.steps": 10})
    assert p.size() == 6
    assert all(c.train.steps == 10 for c in p.points())
    assert sorted({c.data.tau for c in p.points()}) == [3.0, 5.0]


# --- fuzz: junk numbers give a valid config or a ConfigError, never another exception ----------------

NUMERIC_KEYS = {
    "data.tau": float, "data.rho": float, "model.alpha": float, "optim.lr": float, "optim.b1": float,
    "optim.eps": float, "data.n": int, "data.d": int, "train.steps": int, "train.log_every": int,
    "train.batch_size": int, "train.lane_block": int, "seed": int,
}
# no ':' here (an unbounded range could be a billion lanes); ranges are fuzzed separately below
JUNK = st.text(alphabet="0123456789.-+e/*,nainfx_ ", max_size=10)
SMALL_RANGE = st.builds(
    lambda lo, hi, step: f"{lo}:{hi}" + ("" if step is None else f":{step}"),
    st.integers(-5, 40), st.integers(-5, 40), st.none() | st.integers(-3, 5))


def _check_outcome(overrides: dict[str, str]) -> None:
    try:
        p = plan(*(f"{k}={v}" for k, v in overrides.items()))
    except ConfigError as e:
        assert "\n" not in str(e) and str(e)
        return
    pts = p.points()
    assert len(pts) == p.size() >= 1
    fields = leaf_paths(pts[0])
    for c in pts:
        validate(c)
        for key, tp in NUMERIC_KEYS.items():
            v = get_path(c, key)
            if v is None:
                continue
            assert type(v) is tp, (key, v)
            if tp is float:
                assert math.isfinite(v)
        assert c.train.steps % c.train.log_every == 0
        assert 0 <= c.seed < 2**31
    assert set(overrides) <= set(fields)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(NUMERIC_KEYS)), value=JUNK)
def test_fuzz_numeric_values(key, value):
    _check_outcome({key: value})


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(["seed", "data.n", "data.d", "train.log_every"]), value=SMALL_RANGE)
def test_fuzz_integer_ranges(key, value):
    _check_outcome({key: value})


@settings(max_examples=100, deadline=None)
@given(a=st.sampled_from(sorted(NUMERIC_KEYS)), va=JUNK, b=st.sampled_from(sorted(NUMERIC_KEYS)), vb=JUNK)
def test_fuzz_pairs(a, va, b, vb):
    if a == b:
        return
    _check_outcome({a: va, b: vb})


@settings(max_examples=100, deadline=None)
@given(vals=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=4))
def test_fuzz_float_lists(vals):
    _check_outcome({"data.tau": ",".join(repr(v) for v in vals)})
